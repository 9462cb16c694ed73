//! The typed error of every EventBridge operation, carrying AWS's error code and message.

/// An EventBridge error. `code()` is the AWS error shape name; `Display` is AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventsError {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("{0}")]
    InvalidEventPattern(String),
    #[error("{0}")]
    ManagedRule(String),
    #[error("{0}")]
    PolicyLengthExceeded(String),
    #[error("{0}")]
    IllegalStatus(String),
    #[error("{0}")]
    InvalidState(String),
    /// Storage failed; the message is for logs, not clients.
    #[error("{0}")]
    Internal(String),
}

impl EventsError {
    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        match self {
            EventsError::Validation(_) => "ValidationException",
            EventsError::NotFound(_) => "ResourceNotFoundException",
            EventsError::AlreadyExists(_) => "ResourceAlreadyExistsException",
            EventsError::LimitExceeded(_) => "LimitExceededException",
            EventsError::InvalidEventPattern(_) => "InvalidEventPatternException",
            EventsError::ManagedRule(_) => "ManagedRuleException",
            EventsError::PolicyLengthExceeded(_) => "PolicyLengthExceededException",
            EventsError::IllegalStatus(_) => "IllegalStatusException",
            EventsError::InvalidState(_) => "InvalidStateException",
            EventsError::Internal(_) => "InternalException",
        }
    }

    /// Whether the caller is to blame (HTTP 400) rather than the server (500).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, EventsError::Internal(_))
    }

    pub(crate) fn bus_not_found(bus: &str) -> Self {
        EventsError::NotFound(format!("Event bus {bus} does not exist."))
    }

    pub(crate) fn rule_not_found(rule: &str, bus: &str) -> Self {
        EventsError::NotFound(format!("Rule {rule} does not exist on EventBus {bus}."))
    }

    pub(crate) fn limit() -> Self {
        EventsError::LimitExceeded(
            "The requested resource exceeds the maximum number allowed.".to_owned(),
        )
    }

    /// AWS's generic one-member validation message.
    pub(crate) fn constraint(value: &str, member: &str, constraint: &str) -> Self {
        EventsError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ))
    }
}

impl From<redb::Error> for EventsError {
    fn from(e: redb::Error) -> Self {
        EventsError::Internal(format!("catalog: {e}"))
    }
}

macro_rules! internal_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for EventsError {
            fn from(e: $ty) -> Self {
                EventsError::Internal(format!("catalog: {e}"))
            }
        }
    )*};
}

internal_from!(
    openwatch_storage::CatalogError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

impl From<openwatch_storage::WalError> for EventsError {
    fn from(e: openwatch_storage::WalError) -> Self {
        EventsError::Internal(format!("delivery queue: {e}"))
    }
}
