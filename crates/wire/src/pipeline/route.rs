//! Routing: which protocol, service and operation a request addresses, before it is
//! authenticated.

use http::{Method, header};

use super::{Pipeline, header_str};
use crate::error::ApiError;
use crate::protocol::Protocol;
use crate::service::Service;

/// Where a request goes before it is authenticated.
#[derive(Debug, Clone)]
pub(super) struct Route {
    pub(super) protocol: Protocol,
    /// Known from the path or target; query requests learn it from the credential scope.
    pub(super) service: Option<Service>,
    pub(super) operation: Option<String>,
    /// REST path labels bound to input members.
    pub(super) rest: Option<(usize, Vec<(&'static str, String)>)>,
}

impl Pipeline {
    /// Chooses protocol, service and operation as AWS's clients address them.
    pub(super) fn route(
        &self,
        parts: &http::request::Parts,
    ) -> Result<Route, (Protocol, ApiError)> {
        let headers = &parts.headers;
        let path = parts.uri.path();
        let content_type = header_str(headers, header::CONTENT_TYPE.as_str()).unwrap_or("");

        if let Some(rest) = path.strip_prefix("/service/")
            && header_str(headers, "smithy-protocol") == Some("rpc-v2-cbor")
        {
            let protocol = Protocol::RpcV2Cbor;
            let (svc, op) = rest
                .split_once("/operation/")
                .ok_or_else(|| (protocol, unknown_path()))?;
            let service =
                Service::from_target_prefix(svc).ok_or_else(|| (protocol, unknown_path()))?;
            if parts.method != Method::POST {
                return Err((protocol, method_not_allowed()));
            }
            return Ok(Route {
                protocol,
                service: Some(service),
                operation: Some(op.to_owned()),
                rest: None,
            });
        }

        if let Some(target) = header_str(headers, "x-amz-target") {
            let (prefix, op) = target.rsplit_once('.').unwrap_or((target, ""));
            let service = Service::from_target_prefix(prefix);
            let protocol = if content_type.contains("json-1.0") {
                Protocol::AwsJson10
            } else if content_type.contains("json-1.1") {
                Protocol::AwsJson11
            } else if service == Some(Service::CloudWatch) {
                Protocol::AwsJson10
            } else {
                Protocol::AwsJson11
            };
            let service = service.ok_or_else(|| (protocol, unknown_operation_json()))?;
            return Ok(Route {
                protocol,
                service: Some(service),
                operation: Some(op.to_owned()),
                rest: None,
            });
        }

        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        let query_action = parts
            .uri
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("Action=")));
        if (parts.method == Method::POST && is_form) || query_action {
            return Ok(Route {
                protocol: Protocol::AwsQuery,
                service: None,
                operation: None,
                rest: None,
            });
        }

        for (i, (service, route)) in self.registry.rest_routes().enumerate() {
            if let Some(labels) = route.matches(parts.method.as_str(), path) {
                return Ok(Route {
                    protocol: Protocol::RestJson,
                    service: Some(*service),
                    operation: Some(route.operation.to_owned()),
                    rest: Some((i, labels)),
                });
            }
        }
        Err((Protocol::RestJson, unknown_path()))
    }
}

fn unknown_path() -> ApiError {
    ApiError::new(
        404,
        "UnknownOperationException",
        "No operation is served at this path",
    )
}

fn unknown_operation_json() -> ApiError {
    ApiError::new(400, "UnknownOperationException", String::new())
}

fn method_not_allowed() -> ApiError {
    ApiError::new(405, "MethodNotAllowed", "Only POST is accepted here")
}
