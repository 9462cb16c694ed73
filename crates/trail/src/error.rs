//! Typed errors: `TrailError` for opening, writing and maintaining the store, `LookupError` for
//! LookupEvents (each variant carries CloudTrail's error code and a message).

use openwatch_storage::WalError;

/// Opening, writing or maintaining the trail failed.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    #[error("audit trail log: {0}")]
    Log(#[from] WalError),
    /// The options passed to `Trail::open` are unusable.
    #[error("invalid audit trail options: {0}")]
    InvalidOptions(&'static str),
    /// A stored record could not be decoded.
    #[error("corrupt audit record at {at}: {reason}")]
    Corrupt { at: String, reason: &'static str },
    /// The writer thread could not be started.
    #[error("cannot start the audit trail writer thread: {0}")]
    Spawn(std::io::Error),
    /// The trail was closed.
    #[error("the audit trail is closed")]
    Closed,
    /// An earlier append failed, so some records were not stored.
    #[error("the audit trail writer failed: {0}")]
    WriterFailed(String),
}

/// LookupEvents failed. `code()` is the CloudTrail error code, `message()` the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// More than one lookup attribute, an unknown attribute key or an unusable value.
    #[error("InvalidLookupAttributesException: {0}")]
    InvalidLookupAttributes(String),
    /// StartTime after EndTime.
    #[error("InvalidTimeRangeException: {0}")]
    InvalidTimeRange(String),
    /// MaxResults outside 1–50.
    #[error("InvalidMaxResultsException: {0}")]
    InvalidMaxResults(String),
    /// A token that this trail did not issue, or issued for other parameters.
    #[error("InvalidNextTokenException: {0}")]
    InvalidNextToken(String),
    /// An EventCategory other than `insight`.
    #[error("InvalidEventCategoryException: {0}")]
    InvalidEventCategory(String),
    /// Reading the store failed (a service fault: HTTP 500 `InternalFailure`).
    #[error("InternalFailure: {0}")]
    Internal(String),
}

impl LookupError {
    /// CloudTrail's error code (the `__type` of the JSON error body).
    pub fn code(&self) -> &'static str {
        match self {
            LookupError::InvalidLookupAttributes(_) => "InvalidLookupAttributesException",
            LookupError::InvalidTimeRange(_) => "InvalidTimeRangeException",
            LookupError::InvalidMaxResults(_) => "InvalidMaxResultsException",
            LookupError::InvalidNextToken(_) => "InvalidNextTokenException",
            LookupError::InvalidEventCategory(_) => "InvalidEventCategoryException",
            LookupError::Internal(_) => "InternalFailure",
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            LookupError::InvalidLookupAttributes(m)
            | LookupError::InvalidTimeRange(m)
            | LookupError::InvalidMaxResults(m)
            | LookupError::InvalidNextToken(m)
            | LookupError::InvalidEventCategory(m)
            | LookupError::Internal(m) => m,
        }
    }

    /// Whether the caller is at fault (HTTP 400) rather than the service (HTTP 500).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, LookupError::Internal(_))
    }
}
