//! The request pipeline: route → body limits → SigV4 → decode → authorize → call → render →
//! audit. Every request passes through [`Pipeline::handle`]; it is the one place calls are
//! authenticated, authorized and recorded.

use std::io::Read as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use openwatch_sigv4::{SigV4ErrorKind, SigningKeyCache};

use crate::audit::AuditSink;
use crate::auth::{Authenticator, Caller, RequestFacts};
use crate::error::ApiError;
use crate::operation::{CallContext, Operation, Registry};
use crate::protocol::{Protocol, Rendered, query};
use crate::service::Service;
use crate::value::Value;

mod anonymous;
mod execute;
use anonymous::public_response;

/// Largest request body accepted as sent (CloudWatch and Logs accept 1 MB payloads; a gzipped
/// PutMetricData expands to more, which is bounded by [`MAX_DECODED_BODY`]).
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// Largest body after `Content-Encoding: gzip` is undone.
pub const MAX_DECODED_BODY: usize = 8 * 1024 * 1024;

/// The server's clock, in milliseconds since the epoch (the storage `Clock`, passed as a closure
/// so that this crate does not depend on storage).
pub type ClockFn = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Everything the pipeline is built from.
pub struct Pipeline {
    registry: Registry,
    auth: Arc<dyn Authenticator>,
    audit: Arc<dyn AuditSink>,
    clock: ClockFn,
    keys: SigningKeyCache,
    started: Instant,
    version: &'static str,
}

/// A request body as read by the HTTP layer: the bytes, or the fact it was over the limit.
#[derive(Debug)]
pub enum Body {
    Complete(Bytes),
    TooLarge,
}

/// A request's input as the pipeline hands it to [`Pipeline::execute`].
enum Input {
    /// Decoded into a [`Value`] (query, REST and JSON protocols).
    Value(Value),
    /// A body the protocol validated, to be read straight into the input shape
    /// ([`Operation::prepare`]).
    Wire(Protocol, Bytes),
}

/// Where a request goes before it is authenticated.
#[derive(Debug, Clone)]
struct Route {
    protocol: Protocol,
    /// Known from the path or target; query requests learn it from the credential scope.
    service: Option<Service>,
    operation: Option<String>,
    /// REST path labels bound to input members.
    rest: Option<(usize, Vec<(&'static str, String)>)>,
}

impl Pipeline {
    pub fn new(
        registry: Registry,
        auth: Arc<dyn Authenticator>,
        audit: Arc<dyn AuditSink>,
        clock: ClockFn,
        version: &'static str,
    ) -> Self {
        Pipeline {
            registry,
            auth,
            audit,
            clock,
            keys: SigningKeyCache::new(),
            started: Instant::now(),
            version,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Handles one request. Never fails: every error becomes a rendered AWS error response.
    pub async fn handle(
        &self,
        parts: http::request::Parts,
        body: Body,
        remote: IpAddr,
    ) -> Response<Bytes> {
        let request_id = uuid::Uuid::new_v4().to_string();
        if parts.method == Method::GET && parts.uri.path() == "/health" {
            return self.health();
        }
        if parts.method == Method::GET
            && let Some(doc) = self.registry.public_document(parts.uri.path())
        {
            return public_response(doc);
        }
        let route = match self.route(&parts) {
            Ok(r) => r,
            Err((protocol, err)) => {
                return respond(
                    protocol.render_error(None, &request_id, &err),
                    &request_id,
                    protocol,
                );
            }
        };
        let protocol = route.protocol;
        match self.process(&parts, body, remote, route, &request_id).await {
            Ok(rendered) | Err(rendered) => respond(rendered, &request_id, protocol),
        }
    }

    fn health(&self) -> Response<Bytes> {
        let body = serde_json::json!({
            "status": "ok",
            "version": self.version,
            "uptimeSeconds": self.started.elapsed().as_secs(),
        });
        let mut resp = Response::new(Bytes::from(body.to_string()));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    }

    /// Chooses protocol, service and operation as AWS's clients address them.
    fn route(&self, parts: &http::request::Parts) -> Result<Route, (Protocol, ApiError)> {
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

    async fn process(
        &self,
        parts: &http::request::Parts,
        body: Body,
        remote: IpAddr,
        route: Route,
        request_id: &str,
    ) -> Result<Rendered, Rendered> {
        let protocol = route.protocol;
        let fail = |service: Option<Service>, err: ApiError| {
            protocol.render_error(service, request_id, &err)
        };

        let body = match body {
            Body::Complete(b) => b,
            Body::TooLarge => return Err(fail(route.service, too_large())),
        };

        // An unsigned GET of an operation that allows it (SNS's SubscribeURL / UnsubscribeURL).
        if let Some(rendered) = self.anonymous(parts, remote, &route, request_id).await {
            return Ok(rendered);
        }

        // Authenticate: parse the signature, find the key, verify against the raw body.
        let signed =
            openwatch_sigv4::parse(&parts.method, &parts.uri, &parts.headers).map_err(|e| {
                fail(
                    route.service,
                    auth_error(e.kind(), &e.to_string(), route.service, protocol),
                )
            })?;
        let service = match route.service {
            Some(s) => s,
            None => Service::from_signing_name(&signed.scope().service)
                .filter(|s| s.speaks_query())
                .ok_or_else(|| {
                    fail(
                        None,
                        ApiError::new(
                            400,
                            "InvalidAction",
                            format!(
                                "The credential scope names service {:?}, which this endpoint does not serve over the query protocol",
                                signed.scope().service
                            ),
                        ),
                    )
                })?,
        };
        // A JSON or CBOR request signed for another service: AWS's "Credential should be scoped
        // to correct service" error.
        signed
            .check_scope(None, Some(service.signing_name()))
            .map_err(|e| {
                fail(
                    Some(service),
                    auth_error(e.kind(), &e.to_string(), Some(service), protocol),
                )
            })?;
        let caller = self
            .auth
            .lookup(signed.access_key_id())
            .ok_or_else(|| fail(Some(service), unknown_key_error(service, protocol)))?;
        let now_millis = (self.clock)();
        signed
            .verify(
                caller.secret(),
                &body,
                now_millis.div_euclid(1000),
                &self.keys,
            )
            .map_err(|e| {
                fail(
                    Some(service),
                    auth_error(e.kind(), &e.to_string(), Some(service), protocol),
                )
            })?;

        // Decode.
        let request_bytes = body.len();
        let body =
            decode_content_encoding(&parts.headers, body).map_err(|e| fail(Some(service), e))?;
        let (operation, input) = self
            .decode(parts, &route, service, &body)
            .map_err(|e| fail(Some(service), e))?;
        let op = self
            .registry
            .get(service, &operation)
            .cloned()
            .ok_or_else(|| fail(Some(service), service.unknown_operation(&operation)))?;

        let region = if service.is_global() {
            openwatch_types::DEFAULT_REGION.to_owned()
        } else {
            signed.scope().region.clone()
        };
        let user_agent = header_str(&parts.headers, "user-agent")
            .unwrap_or("")
            .to_owned();
        let ctx = CallContext {
            request_id: request_id.to_owned(),
            account: caller.account,
            region,
            caller: Arc::clone(&caller),
            source_ip: remote,
            user_agent,
            service,
            operation: op.name,
            now_millis,
            request_bytes,
        };
        Ok(self
            .execute(&op, ctx, input, &route, request_id, true)
            .await)
    }

    fn authorize(
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

    /// Reads the operation name and input value from the body as the protocol lays them out.
    fn decode(
        &self,
        parts: &http::request::Parts,
        route: &Route,
        service: Service,
        body: &Bytes,
    ) -> Result<(String, Input), ApiError> {
        let protocol = route.protocol;
        match protocol {
            Protocol::AwsQuery => {
                let source = if parts.method == Method::GET {
                    parts.uri.query().unwrap_or("").as_bytes()
                } else {
                    body
                };
                let form = query::decode(source)
                    .map_err(|m| service.decode_error(crate::value::DecodeError::Invalid(m)))?;
                let action = form
                    .action
                    .ok_or_else(|| ApiError::new(400, "MissingAction", "Missing Action"))?;
                Ok((action, Input::Value(form.params)))
            }
            Protocol::RestJson => {
                let (index, labels) = route.rest.clone().unwrap_or_default();
                let (_, rest_route) = self
                    .registry
                    .rest_routes()
                    .nth(index)
                    .ok_or_else(|| ApiError::internal("rest route index out of range"))?;
                let body = if body.is_empty() {
                    Value::empty()
                } else {
                    protocol
                        .decode(body)
                        .map_err(|m| service.decode_error(crate::value::DecodeError::Invalid(m)))?
                };
                let value = rest_route.bind(labels, parts.uri.query(), body);
                Ok((rest_route.operation.to_owned(), Input::Value(value)))
            }
            p if p.reads_shapes_directly() => {
                p.validate(body)
                    .map_err(|m| service.decode_error(crate::value::DecodeError::Invalid(m)))?;
                Ok((
                    route.operation.clone().unwrap_or_default(),
                    Input::Wire(p, body.clone()),
                ))
            }
            _ => {
                let value = protocol
                    .decode(body)
                    .map_err(|m| service.decode_error(crate::value::DecodeError::Invalid(m)))?;
                Ok((
                    route.operation.clone().unwrap_or_default(),
                    Input::Value(value),
                ))
            }
        }
    }
}

fn respond(rendered: Rendered, request_id: &str, protocol: Protocol) -> Response<Bytes> {
    let mut resp = Response::new(rendered.body);
    *resp.status_mut() =
        StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(rendered.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if protocol == Protocol::RpcV2Cbor {
        h.insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    }
    for (name, value) in rendered.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    resp
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Undoes `Content-Encoding: gzip` (boto3 compresses large PutMetricData bodies).
fn decode_content_encoding(headers: &HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let encodings = header_str(headers, "content-encoding").unwrap_or("");
    if encodings.is_empty() || encodings.eq_ignore_ascii_case("identity") {
        return Ok(body);
    }
    if !encodings.trim().eq_ignore_ascii_case("gzip") {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!("Content-Encoding {encodings:?} is not supported; use gzip or none"),
        ));
    }
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(MAX_DECODED_BODY));
    let mut decoder = flate2::read::GzDecoder::new(&body[..]).take(MAX_DECODED_BODY as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| {
        ApiError::new(
            400,
            "MalformedInput",
            format!("The gzip request body could not be decompressed: {e}"),
        )
    })?;
    if out.len() > MAX_DECODED_BODY {
        return Err(too_large());
    }
    Ok(Bytes::from(out))
}

fn too_large() -> ApiError {
    ApiError::new(
        413,
        "RequestEntityTooLarge",
        format!(
            "Request body is larger than the limit of {MAX_BODY} bytes ({MAX_DECODED_BODY} bytes decompressed)"
        ),
    )
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

/// Whether errors for this request use the query protocol's code names.
fn query_names(service: Option<Service>, protocol: Protocol) -> bool {
    protocol == Protocol::AwsQuery
        || matches!(service, Some(Service::Sns | Service::Sts | Service::Iam))
}

/// SigV4 failures named as each service names them.
fn auth_error(
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

fn unknown_key_error(service: Service, protocol: Protocol) -> ApiError {
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
