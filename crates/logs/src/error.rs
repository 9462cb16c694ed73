//! The log store's typed errors, each carrying the CloudWatch Logs error code and message.

use thiserror::Error;

/// A CloudWatch Logs error. Client errors carry AWS's code and message; [`LogsError::Internal`]
/// is a storage failure (HTTP 500, detail logged, not sent).
#[derive(Debug, Error)]
pub enum LogsError {
    #[error("ResourceNotFoundException: {0}")]
    NotFound(String),
    #[error("ResourceAlreadyExistsException: {0}")]
    AlreadyExists(String),
    #[error("InvalidParameterException: {0}")]
    InvalidParameter(String),
    #[error("LimitExceededException: {0}")]
    LimitExceeded(String),
    /// The caller may not use another account's resource (a destination's access policy).
    #[error("AccessDeniedException: {0}")]
    AccessDenied(String),
    /// The resource is in a state that does not allow the operation (a finished export task).
    #[error("InvalidOperationException: {0}")]
    InvalidOperation(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl LogsError {
    pub(crate) fn group_not_found() -> Self {
        LogsError::NotFound("The specified log group does not exist.".into())
    }

    pub(crate) fn stream_not_found() -> Self {
        LogsError::NotFound("The specified log stream does not exist.".into())
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        LogsError::InvalidParameter(msg.into())
    }

    pub(crate) fn internal(detail: impl std::fmt::Display) -> Self {
        LogsError::Internal(detail.to_string())
    }

    /// The AWS error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            LogsError::NotFound(_) => "ResourceNotFoundException",
            LogsError::AlreadyExists(_) => "ResourceAlreadyExistsException",
            LogsError::InvalidParameter(_) => "InvalidParameterException",
            LogsError::LimitExceeded(_) => "LimitExceededException",
            LogsError::AccessDenied(_) => "AccessDeniedException",
            LogsError::InvalidOperation(_) => "InvalidOperationException",
            LogsError::Internal(_) => "ServiceUnavailableException",
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status(&self) -> u16 {
        match self {
            LogsError::Internal(_) => 500,
            _ => 400,
        }
    }

    /// The message sent to the client (or the detail, for internal errors).
    pub fn message(&self) -> &str {
        match self {
            LogsError::NotFound(m)
            | LogsError::AlreadyExists(m)
            | LogsError::InvalidParameter(m)
            | LogsError::LimitExceeded(m)
            | LogsError::AccessDenied(m)
            | LogsError::InvalidOperation(m)
            | LogsError::Internal(m) => m,
        }
    }
}

macro_rules! internal_from {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for LogsError {
            fn from(e: $ty) -> Self {
                LogsError::internal(e)
            }
        }
    )*};
}

internal_from!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    openwatch_storage::WalError,
    openwatch_storage::CatalogError,
    std::io::Error,
    serde_json::Error,
);
