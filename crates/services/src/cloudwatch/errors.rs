//! Error mapping for the CloudWatch metrics facade: engine errors to CloudWatch's error shape and
//! awsQuery code.

use openwatch_metrics::MetricsError;
use openwatch_wire::ApiError;

/// Maps an engine error to CloudWatch's error shape and awsQuery code.
pub fn metrics_error(e: MetricsError) -> ApiError {
    match e {
        MetricsError::InvalidParameterValue(m) => {
            ApiError::new(400, "InvalidParameterValueException", m)
                .with_query_code("InvalidParameterValue")
        }
        MetricsError::MissingParameter(m) => {
            ApiError::new(400, "MissingRequiredParameterException", m)
                .with_query_code("MissingParameter")
        }
        MetricsError::InvalidParameterCombination(m) => {
            ApiError::new(400, "InvalidParameterCombinationException", m)
                .with_query_code("InvalidParameterCombination")
        }
        MetricsError::InvalidNextToken(m) => {
            ApiError::new(400, "InvalidNextToken", m).with_query_code("InvalidNextToken")
        }
        MetricsError::ResourceNotFound(m) => ApiError::new(404, "ResourceNotFoundException", m)
            .with_query_code("ResourceNotFoundException"),
        other => ApiError::internal(other),
    }
}

pub(super) fn missing(name: &str) -> ApiError {
    metrics_error(MetricsError::MissingParameter(format!(
        "The parameter {name} is required."
    )))
}
