//! Typed errors of the metrics engine: request errors that carry AWS's code and message, and
//! storage failures.

use std::io;
use std::path::PathBuf;

use openwatch_storage::WalError;

/// A request the engine refuses, or a failure while storing or reading.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// AWS `InvalidParameterValue`.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// AWS `MissingParameter`.
    #[error("{0}")]
    MissingParameter(String),
    /// AWS `InvalidParameterCombination`.
    #[error("{0}")]
    InvalidParameterCombination(String),
    /// AWS `InvalidNextToken`.
    #[error("{0}")]
    InvalidNextToken(String),
    /// AWS `ResourceNotFoundException` (an anomaly detector that does not exist).
    #[error("{0}")]
    ResourceNotFound(String),
    #[error(transparent)]
    Wal(#[from] WalError),
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A block or WAL record that does not decode.
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: String, detail: String },
    /// The engine was closed.
    #[error("the metrics engine is closed")]
    Closed,
}

impl MetricsError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        MetricsError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl Into<String>) -> Self {
        MetricsError::Corrupt {
            what: what.into(),
            detail: detail.into(),
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        MetricsError::InvalidParameterValue(msg.into())
    }

    pub(crate) fn missing(msg: impl Into<String>) -> Self {
        MetricsError::MissingParameter(msg.into())
    }

    pub(crate) fn combination(msg: impl Into<String>) -> Self {
        MetricsError::InvalidParameterCombination(msg.into())
    }

    /// True for errors caused by the request rather than the server.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            MetricsError::InvalidParameterValue(_)
                | MetricsError::MissingParameter(_)
                | MetricsError::InvalidParameterCombination(_)
                | MetricsError::InvalidNextToken(_)
                | MetricsError::ResourceNotFound(_)
        )
    }
}
