//! Error mapping for the EventBridge facade: domain errors to AWS errors, unsupported members.

use openwatch_events::EventsError;
use openwatch_wire::ApiError;

/// Maps a domain error to its AWS error.
pub fn api_error(e: EventsError) -> ApiError {
    if e.is_client_error() {
        ApiError::new(400, e.code(), e.to_string())
    } else {
        ApiError::internal(e)
    }
}

pub(super) fn unsupported(member: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationException",
        format!("{member} is not supported by this server."),
    )
}

pub(super) type R<T> = Result<T, ApiError>;
