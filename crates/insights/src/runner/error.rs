//! The runner's errors, each with the CloudWatch Logs error code and message AWS answers with.

use openwatch_logs::LogsError;

/// An error of an Insights API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

impl InsightsError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        InsightsError {
            code,
            message: message.into(),
            status: 400,
        }
    }

    /// `InvalidParameterException`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }

    /// `ResourceNotFoundException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }

    /// `MalformedQueryException`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new("MalformedQueryException", message)
    }

    /// `LimitExceededException`.
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new("LimitExceededException", message)
    }

    /// A storage failure (`ServiceUnavailableException`, 500; detail logged only).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "insights storage failure");
        InsightsError {
            code: "ServiceUnavailableException",
            message: "The service cannot complete the request.".into(),
            status: 500,
        }
    }
}

impl From<LogsError> for InsightsError {
    fn from(e: LogsError) -> Self {
        if e.status() >= 500 {
            return InsightsError::internal(e.message());
        }
        InsightsError {
            code: e.code(),
            message: e.message().to_owned(),
            status: e.status(),
        }
    }
}

impl std::fmt::Display for InsightsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for InsightsError {}

macro_rules! internal_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for InsightsError {
            fn from(e: $ty) -> Self {
                InsightsError::internal(e)
            }
        }
    )*};
}

internal_from!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error
);
