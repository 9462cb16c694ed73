//! The one error type every operation returns, carrying what each protocol renders: the error
//! shape name (JSON `__type`), the awsQuery code, the HTTP status and the fault side.

use std::borrow::Cow;
use std::fmt;

use crate::value::Value;

/// Which side AWS blames: `Sender` (client error) or `Receiver` (server error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Sender,
    Receiver,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Sender => "Sender",
            Fault::Receiver => "Receiver",
        }
    }
}

/// An AWS error response.
#[derive(Clone, PartialEq)]
pub struct ApiError {
    /// The error shape name: JSON/CBOR `__type`, and the query `<Code>` unless `query_code` is set.
    pub code: Cow<'static, str>,
    /// The awsQuery code of a query-compatible service (CloudWatch) when it differs from `code`.
    pub query_code: Option<Cow<'static, str>>,
    pub message: String,
    pub status: u16,
    pub fault: Fault,
    /// Members of the error shape besides the message (CloudWatch's
    /// `dashboardValidationMessages`), rendered by every protocol next to it.
    pub details: Vec<(Cow<'static, str>, Value)>,
}

impl ApiError {
    /// A client error with the given status, code and message.
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            code: code.into(),
            query_code: None,
            message: message.into(),
            status,
            fault: if status >= 500 {
                Fault::Receiver
            } else {
                Fault::Sender
            },
            details: Vec::new(),
        }
    }

    /// Adds a member of the error shape (rendered beside `message`).
    pub fn with_detail(mut self, name: impl Into<Cow<'static, str>>, value: Value) -> Self {
        self.details.push((name.into(), value));
        self
    }

    /// Sets the awsQuery code (for services whose JSON errors name a different shape).
    pub fn with_query_code(mut self, code: impl Into<Cow<'static, str>>) -> Self {
        self.query_code = Some(code.into());
        self
    }

    /// The code the query protocol renders.
    pub fn query_code(&self) -> &str {
        self.query_code.as_deref().unwrap_or(&self.code)
    }

    /// An unexpected server-side failure. The detail is logged, not sent.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError::new(
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ApiError({} {}: {})",
            self.status, self.code, self.message
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
