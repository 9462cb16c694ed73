//! The runner's errors, each with the CloudWatch Logs error code and message AWS answers with.

use openwatch_logs::LogsError;

/// An error of an Insights API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
    /// For a `MalformedQueryException`: where the query is wrong (its `queryCompileError`).
    pub compile_error: Option<CompileError>,
}

/// A `MalformedQueryException`'s `queryCompileError`: the error's location in the query string
/// in characters (`startCharOffset` of its first character, `endCharOffset` of its last, both
/// 0-based; equal for an error at one point, such as the end of the query) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub start_char_offset: usize,
    pub end_char_offset: usize,
    pub message: String,
}

impl InsightsError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        InsightsError {
            code,
            message: message.into(),
            status: 400,
            compile_error: None,
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

    /// `MalformedQueryException` for a syntax error in `query`, with its `queryCompileError`.
    pub fn malformed_query(query: &str, e: &crate::QueryError) -> Self {
        let message = e.aws_message(query);
        let chars = |byte: usize| {
            let byte = byte.min(query.len());
            query.char_indices().take_while(|(i, _)| *i < byte).count()
        };
        let start = chars(e.start);
        // The last character the error covers (the start itself for an empty span).
        let end = chars(e.end.max(e.start)).saturating_sub(1).max(start);
        let mut err = Self::new("MalformedQueryException", message.clone());
        err.compile_error = Some(CompileError {
            start_char_offset: start,
            end_char_offset: end,
            message,
        });
        err
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
            compile_error: None,
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
            compile_error: None,
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
    openwatch_storage::CatalogError,
    serde_json::Error
);
