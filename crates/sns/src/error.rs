//! The SNS error type: each variant carries its API error code and HTTP status.

/// An SNS error: the API's code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnsError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    TagLimitExceeded(String),
    /// A topic of another account: callers reach only their own account's topics.
    #[error("{0}")]
    AuthorizationError(String),
    /// A request-level PublishBatch error: its code and message.
    #[error("{1}")]
    Batch(&'static str, String),
    #[error("{0}")]
    Internal(String),
}

impl SnsError {
    pub fn code(&self) -> &'static str {
        match self {
            SnsError::NotFound(_) => "NotFound",
            SnsError::InvalidParameter(_) => "InvalidParameter",
            SnsError::TagLimitExceeded(_) => "TagLimitExceeded",
            SnsError::AuthorizationError(_) => "AuthorizationError",
            SnsError::Batch(code, _) => code,
            SnsError::Internal(_) => "InternalError",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            SnsError::NotFound(_) => 404,
            SnsError::InvalidParameter(_) | SnsError::TagLimitExceeded(_) | SnsError::Batch(..) => {
                400
            }
            SnsError::AuthorizationError(_) => 403,
            SnsError::Internal(_) => 500,
        }
    }

    pub(crate) fn invalid(m: impl Into<String>) -> Self {
        SnsError::InvalidParameter(m.into())
    }

    pub(crate) fn topic_not_found() -> Self {
        SnsError::NotFound("Topic does not exist".into())
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> SnsError {
    SnsError::Internal(e.to_string())
}
