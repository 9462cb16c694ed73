//! `IamError`: every failure of an IAM operation, with the AWS error code, HTTP status and message
//! the real IAM returns.

/// AWS's message for a `ServiceFailure` (details go to the log, not to the client).
pub const SERVICE_FAILURE_MESSAGE: &str =
    "The request processing has failed because of an unknown error, exception or failure.";

/// An IAM operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    /// A parameter failed its constraints (`ValidationError`, 400). The message is IAM's
    /// "N validation error(s) detected: …" text.
    #[error("ValidationError: {0}")]
    Validation(String),
    /// A named user, key or policy does not exist (`NoSuchEntity`, 404).
    #[error("NoSuchEntity: {0}")]
    NoSuchEntity(String),
    /// The name is taken (`EntityAlreadyExists`, 409).
    #[error("EntityAlreadyExists: {0}")]
    EntityAlreadyExists(String),
    /// A quota would be exceeded (`LimitExceeded`, 409).
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    /// The entity still has dependents (`DeleteConflict`, 409).
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// The policy document is invalid (`MalformedPolicyDocument`, 400).
    #[error("MalformedPolicyDocument: {0}")]
    MalformedPolicyDocument(String),
    /// A parameter is invalid in a way not expressed by its constraints (`InvalidInput`, 400).
    #[error("InvalidInput: {0}")]
    InvalidInput(String),
    /// Storage failed (`ServiceFailure`, 500); `detail` is for logs only.
    #[error("ServiceFailure: {detail}")]
    ServiceFailure { detail: String },
}

impl IamError {
    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        match self {
            IamError::Validation(_) => "ValidationError",
            IamError::NoSuchEntity(_) => "NoSuchEntity",
            IamError::EntityAlreadyExists(_) => "EntityAlreadyExists",
            IamError::LimitExceeded(_) => "LimitExceeded",
            IamError::DeleteConflict(_) => "DeleteConflict",
            IamError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            IamError::InvalidInput(_) => "InvalidInput",
            IamError::ServiceFailure { .. } => "ServiceFailure",
        }
    }

    /// The HTTP status IAM answers with.
    pub fn status(&self) -> u16 {
        match self {
            IamError::Validation(_)
            | IamError::MalformedPolicyDocument(_)
            | IamError::InvalidInput(_) => 400,
            IamError::NoSuchEntity(_) => 404,
            IamError::EntityAlreadyExists(_)
            | IamError::LimitExceeded(_)
            | IamError::DeleteConflict(_) => 409,
            IamError::ServiceFailure { .. } => 500,
        }
    }

    /// The message for the client.
    pub fn message(&self) -> String {
        match self {
            IamError::Validation(m)
            | IamError::NoSuchEntity(m)
            | IamError::EntityAlreadyExists(m)
            | IamError::LimitExceeded(m)
            | IamError::DeleteConflict(m)
            | IamError::MalformedPolicyDocument(m)
            | IamError::InvalidInput(m) => m.clone(),
            IamError::ServiceFailure { .. } => SERVICE_FAILURE_MESSAGE.to_owned(),
        }
    }

    pub(crate) fn storage(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        tracing::error!(%detail, "iam catalog failure");
        IamError::ServiceFailure { detail }
    }

    pub(crate) fn no_such_user(name: &str) -> Self {
        IamError::NoSuchEntity(format!("The user with name {name} cannot be found."))
    }

    pub(crate) fn no_such_key(akid: &str) -> Self {
        IamError::NoSuchEntity(format!("The Access Key with id {akid} cannot be found."))
    }

    pub(crate) fn no_such_user_policy(policy: &str) -> Self {
        IamError::NoSuchEntity(format!(
            "The user policy with name {policy} cannot be found."
        ))
    }
}

macro_rules! storage_from {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for IamError {
            fn from(e: $ty) -> Self {
                IamError::storage(e)
            }
        }
    )*};
}

storage_from!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let cases = [
            (IamError::Validation("m".into()), "ValidationError", 400),
            (IamError::NoSuchEntity("m".into()), "NoSuchEntity", 404),
            (
                IamError::EntityAlreadyExists("m".into()),
                "EntityAlreadyExists",
                409,
            ),
            (IamError::LimitExceeded("m".into()), "LimitExceeded", 409),
            (IamError::DeleteConflict("m".into()), "DeleteConflict", 409),
            (
                IamError::MalformedPolicyDocument("m".into()),
                "MalformedPolicyDocument",
                400,
            ),
            (IamError::InvalidInput("m".into()), "InvalidInput", 400),
        ];
        for (e, code, status) in cases {
            assert_eq!(e.code(), code);
            assert_eq!(e.status(), status);
            assert_eq!(e.message(), "m");
        }
        let e = IamError::ServiceFailure {
            detail: "disk on fire".into(),
        };
        assert_eq!((e.code(), e.status()), ("ServiceFailure", 500));
        assert!(!e.message().contains("disk"));
    }
}
