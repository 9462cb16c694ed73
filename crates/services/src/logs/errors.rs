//! Error mapping for the CloudWatch Logs facade: log store errors to the Logs API's errors.

use openwatch_logs::LogsError;
use openwatch_wire::ApiError;

/// Maps a log store error to the Logs API's error.
pub fn api_error(e: LogsError) -> ApiError {
    if e.status() >= 500 {
        ApiError::internal(e.message()).with_code_of_logs()
    } else {
        ApiError::new(e.status(), e.code(), e.message())
    }
}

trait LogsInternal {
    fn with_code_of_logs(self) -> Self;
}

impl LogsInternal for ApiError {
    /// Logs' server-side error is `ServiceUnavailableException`.
    fn with_code_of_logs(mut self) -> Self {
        self.code = "ServiceUnavailableException".into();
        self.message = "The service cannot complete the request.".into();
        self
    }
}

pub(super) fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameterException", msg)
}
