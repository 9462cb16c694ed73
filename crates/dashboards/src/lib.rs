//! CloudWatch dashboards: the `DashboardBody` language and the dashboards of every account.
//!
//! - [`body`]: validation of a `DashboardBody` against AWS's "Dashboard Body Structure and
//!   Syntax" (overall structure, the widgets array, metric / text / log / alarm / explorer widget
//!   properties, the metrics array with its `"."` / `"..."` shorthand). Pure: no IO. Problems
//!   are reported as AWS does, one `{dataPath, message}` per problem.
//! - [`store`]: [`DashboardStore`], dashboards in the catalog (`dashboards`, keyed
//!   `account \n name`: dashboards are global, not per region), each change one durable
//!   transaction.

pub mod body;
mod metrics;
pub mod store;

pub use body::{ValidationMessage, validate};
pub use store::{Dashboard, DashboardEntry, DashboardStore, dashboard_arn};

/// Errors of the dashboard operations, named after CloudWatch's error codes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DashboardsError {
    /// `InvalidParameterValue`.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// `MissingParameter`.
    #[error("{0}")]
    MissingParameter(String),
    /// `InvalidParameterInput` (`DashboardInvalidInputError`): the body is not a JSON object,
    /// or breaks the body structure (the messages are listed).
    #[error("{message}")]
    InvalidInput {
        message: String,
        messages: Vec<ValidationMessage>,
    },
    /// `ResourceNotFound` (`DashboardNotFoundError`).
    #[error("{0}")]
    NotFound(String),
    /// `InvalidNextToken`.
    #[error("{0}")]
    InvalidNextToken(String),
    #[error("internal error: {0}")]
    Internal(String),
}

fn internal(e: impl std::fmt::Display) -> DashboardsError {
    DashboardsError::Internal(e.to_string())
}
