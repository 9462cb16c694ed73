//! Unsigned requests: public documents (`Registry::add_public_document`) and the query-protocol
//! `GET`s of operations marked `Operation::anonymous_get`. Everything else still needs a valid
//! signature: an unsigned request that is not one of these falls through to SigV4, which
//! refuses it.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Response, header};

use super::{Input, Pipeline, Route, header_str};
use crate::auth::Caller;
use crate::operation::CallContext;
use crate::protocol::{Protocol, Rendered, query};

/// A public document as its response.
pub(super) fn public_response(doc: &(&'static str, Bytes)) -> Response<Bytes> {
    let mut resp = Response::new(doc.1.clone());
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(doc.0));
    resp
}

/// Whether the request carries any SigV4 material (header or presigned query).
fn signed(parts: &http::request::Parts) -> bool {
    header_str(&parts.headers, "authorization").is_some()
        || parts.uri.query().is_some_and(|q| {
            q.split('&').any(|kv| {
                kv.starts_with("X-Amz-Signature=")
                    || kv.starts_with("X-Amz-Credential=")
                    || kv.starts_with("X-Amz-Algorithm=")
            })
        })
}

impl Pipeline {
    /// Runs an unsigned query `GET` of an anonymous operation; `None` for any other request.
    pub(super) async fn anonymous(
        &self,
        parts: &http::request::Parts,
        remote: IpAddr,
        route: &Route,
        request_id: &str,
    ) -> Option<Rendered> {
        if route.protocol != Protocol::AwsQuery || parts.method != Method::GET || signed(parts) {
            return None;
        }
        let form = query::decode(parts.uri.query().unwrap_or("").as_bytes()).ok()?;
        let op = Arc::clone(self.registry.anonymous_operation(form.action.as_deref()?)?);
        let scope = op.anonymous?;
        let service = op.service;
        let (account, region) = match scope(&form.params) {
            Ok(s) => s,
            Err(e) => return Some(route.protocol.render_error(Some(service), request_id, &e)),
        };
        let ctx = CallContext {
            request_id: request_id.to_owned(),
            account,
            region,
            caller: Arc::new(Caller::anonymous(account)),
            source_ip: remote,
            user_agent: header_str(&parts.headers, "user-agent")
                .unwrap_or("")
                .to_owned(),
            service,
            operation: op.name,
            now_millis: (self.clock)(),
            request_bytes: 0,
        };
        Some(
            self.execute(
                &op,
                ctx,
                Input::Value(form.params),
                route,
                request_id,
                false,
            )
            .await,
        )
    }
}
