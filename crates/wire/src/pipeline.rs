//! The request pipeline: route → body limits → SigV4 → decode → authorize → call → render →
//! audit. Every request passes through [`Pipeline::handle`]; it is the one place calls are
//! authenticated, authorized and recorded.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use openwatch_sigv4::SigningKeyCache;

use crate::audit::AuditSink;
use crate::auth::Authenticator;
use crate::error::ApiError;
use crate::operation::{CallContext, Prepared, Registry};
use crate::protocol::{Protocol, Rendered};
use crate::service::Service;
use crate::value::{DecodeError, Value};

mod anonymous;
mod auth;
mod decode;
mod execute;
mod route;
use anonymous::public_response;
use auth::{auth_error, unknown_key_error};
use decode::{check_unread, decode_content_encoding, read_input, too_large};
use route::Route;

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
    /// A body to be read straight into the input shape ([`crate::Operation::prepare`]):
    /// already checked by the protocol, or checked by the read itself
    /// ([`Protocol::read_checks_body`]).
    Wire(Protocol, Bytes),
    /// A [`Input::Wire`] body with its read into the operation's input shape
    /// (`decode::read_input`).
    Read(Protocol, Bytes, Result<Prepared, DecodeError>),
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
        let Some(op) = self.registry.get(service, &operation).cloned() else {
            check_unread(service, &input).map_err(|e| fail(Some(service), e))?;
            return Err(fail(Some(service), service.unknown_operation(&operation)));
        };
        let input = read_input(&op, service, input).map_err(|e| fail(Some(service), e))?;

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
