//! Authentication and authorization failures, named and worded as each service and protocol
//! name them, and the authorization check itself.

use openwatch_sigv4::SigV4ErrorKind;

use super::Pipeline;
use crate::auth::{Caller, RequestFacts};
use crate::error::ApiError;
use crate::operation::{CallContext, Operation};
use crate::protocol::Protocol;
use crate::service::Service;

impl Pipeline {
    /// Evaluates the caller's policies for the operation on `resource` (operations marked
    /// [`Operation::without_authorization`] always pass).
    pub(super) fn authorize(
        &self,
        op: &Operation,
        caller: &Caller,
        resource: &str,
        ctx: &CallContext,
    ) -> Result<(), ApiError> {
        if !op.authorize {
            return Ok(());
        }
        let action = op.action();
        let facts = RequestFacts {
            source_ip: ctx.source_ip,
            region: &ctx.region,
            user_agent: &ctx.user_agent,
            now_millis: ctx.now_millis,
            secure_transport: false,
        };
        self.auth
            .authorize(caller, &action, resource, &facts)
            .map_err(|reason| access_denied(op.service, &caller.arn, &action, resource, &reason))
    }
}

/// Whether errors for this request use the query protocol's code names.
fn query_names(service: Option<Service>, protocol: Protocol) -> bool {
    protocol == Protocol::AwsQuery
        || matches!(service, Some(Service::Sns | Service::Sts | Service::Iam))
}

/// SigV4 failures named as each service names them.
pub(super) fn auth_error(
    kind: SigV4ErrorKind,
    message: &str,
    service: Option<Service>,
    protocol: Protocol,
) -> ApiError {
    let query = query_names(service, protocol);
    let (json_code, query_code, json_status, query_status) = match kind {
        SigV4ErrorKind::MissingAuthentication => (
            "MissingAuthenticationTokenException",
            "MissingAuthenticationToken",
            403,
            403,
        ),
        SigV4ErrorKind::IncompleteSignature => (
            "IncompleteSignatureException",
            "IncompleteSignature",
            400,
            400,
        ),
        SigV4ErrorKind::SignatureDoesNotMatch => (
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
            400,
            403,
        ),
        SigV4ErrorKind::RequestExpired => (
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
            400,
            403,
        ),
    };
    if query {
        ApiError::new(query_status, query_code, message)
    } else {
        let err = ApiError::new(json_status, json_code, message);
        if service.is_some_and(Service::query_compatible) {
            err.with_query_code(query_code)
        } else {
            err
        }
    }
}

pub(super) fn unknown_key_error(service: Service, protocol: Protocol) -> ApiError {
    const MESSAGE: &str = "The security token included in the request is invalid.";
    if query_names(Some(service), protocol) {
        ApiError::new(403, "InvalidClientTokenId", MESSAGE)
    } else if service.query_compatible() {
        ApiError::new(400, "UnrecognizedClientException", MESSAGE)
            .with_query_code("InvalidClientTokenId")
    } else {
        ApiError::new(400, "UnrecognizedClientException", MESSAGE)
    }
}

/// AWS's denial: `User: <arn> is not authorized to perform: <action> on resource: <resource>
/// because …`.
fn access_denied(
    service: Service,
    arn: &str,
    action: &str,
    resource: &str,
    reason: &str,
) -> ApiError {
    let message = format!(
        "User: {arn} is not authorized to perform: {action} on resource: {resource} {reason}"
    );
    match service {
        Service::Sns | Service::Sts | Service::Iam => ApiError::new(403, "AccessDenied", message),
        Service::CloudWatch => ApiError::new(403, "AccessDenied", message),
        Service::Schemas => ApiError::new(403, "ForbiddenException", message),
        _ => ApiError::new(400, "AccessDeniedException", message),
    }
}
