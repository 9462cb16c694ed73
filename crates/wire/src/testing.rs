//! Test support for crates that register operations: a [`TestClient`] that sends signed requests
//! in any protocol through a real [`Pipeline`], with an authenticator that knows one root key and
//! an audit sink that keeps events in memory. Not used by the server.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

use crate::audit::{AuditEvent, AuditSink};
use crate::auth::{Authenticator, Caller, RequestFacts};
use crate::operation::Registry;
use crate::pipeline::{Body, ClockFn, Pipeline};
use crate::protocol::cbor;
use crate::service::Service;
use crate::value::Value;
use openwatch_types::AccountId;

/// The account every [`TestClient`] request belongs to.
pub const TEST_ACCOUNT: &str = "123456789012";
pub const TEST_ACCESS_KEY_ID: &str = "AKIATESTTESTTESTTEST";
pub const TEST_SECRET: &str = "testsecrettestsecrettestsecrettestsecret";

/// Knows one root key, [`TEST_ACCESS_KEY_ID`], and allows it everything.
pub struct RootOnly;

impl Authenticator for RootOnly {
    fn lookup(&self, access_key_id: &str) -> Option<Arc<Caller>> {
        (access_key_id == TEST_ACCESS_KEY_ID).then(|| {
            let account = AccountId::parse(TEST_ACCOUNT).unwrap_or(AccountId::ZERO);
            Arc::new(Caller::new(
                TEST_ACCESS_KEY_ID.into(),
                TEST_SECRET.into(),
                account,
                "Root",
                TEST_ACCOUNT.into(),
                format!("arn:aws:iam::{TEST_ACCOUNT}:root"),
                None,
                Arc::new(()),
            ))
        })
    }

    fn authorize(&self, _: &Caller, _: &str, _: &str, _: &RequestFacts<'_>) -> Result<(), String> {
        Ok(())
    }
}

/// Keeps every audit event.
#[derive(Clone, Default)]
pub struct MemoryAudit(pub Arc<Mutex<Vec<AuditEvent>>>);

impl AuditSink for MemoryAudit {
    fn record(&self, event: AuditEvent) {
        self.0.lock().push(event);
    }
}

/// A response as a test sees it.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON (JSON protocols).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The body as text (query XML).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as CBOR.
    pub fn cbor(&self) -> Option<Value> {
        cbor::decode(&self.body).ok()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends signed requests through a [`Pipeline`] built from a registry.
pub struct TestClient {
    pipeline: Pipeline,
    clock: ClockFn,
    pub audit: MemoryAudit,
    pub region: String,
}

impl TestClient {
    /// A client over `registry`, with `clock` as the server clock (milliseconds).
    pub fn new(registry: Registry, clock: ClockFn) -> Self {
        let audit = MemoryAudit::default();
        let pipeline = Pipeline::new(
            registry,
            Arc::new(RootOnly),
            Arc::new(audit.clone()),
            Arc::clone(&clock),
            "test",
        );
        TestClient {
            pipeline,
            clock,
            audit,
            region: "us-east-1".into(),
        }
    }

    /// An awsJson call (`X-Amz-Target: <prefix>.<operation>`), 1.0 for CloudWatch, else 1.1.
    pub async fn json(
        &self,
        service: Service,
        operation: &str,
        body: serde_json::Value,
    ) -> TestResponse {
        let prefix = service.target_prefix().unwrap_or("");
        let content_type = if service == Service::CloudWatch {
            "application/x-amz-json-1.0"
        } else {
            "application/x-amz-json-1.1"
        };
        self.send(
            service,
            "/",
            &[
                ("content-type", content_type.to_owned()),
                ("x-amz-target", format!("{prefix}.{operation}")),
            ],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// An rpc-v2-cbor call with a body already encoded as CBOR.
    pub async fn cbor(&self, service: Service, operation: &str, body: &Value) -> TestResponse {
        let mut bytes = Vec::new();
        cbor::encode(body, &mut bytes);
        let path = format!(
            "/service/{}/operation/{operation}",
            service.target_prefix().unwrap_or("")
        );
        self.send(
            service,
            &path,
            &[
                ("content-type", "application/cbor".to_owned()),
                ("smithy-protocol", "rpc-v2-cbor".to_owned()),
            ],
            bytes,
        )
        .await
    }

    /// An awsquery call: `params` are the form's key/value pairs after `Action` and `Version`.
    pub async fn query(
        &self,
        service: Service,
        action: &str,
        params: &[(&str, &str)],
    ) -> TestResponse {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action);
        form.append_pair("Version", service.api_version());
        for (k, v) in params {
            form.append_pair(k, v);
        }
        self.send(
            service,
            "/",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
            )],
            form.finish().into_bytes(),
        )
        .await
    }

    /// A restJson1 call: `method` on `path` (with its query string), a JSON body if given.
    pub async fn rest(
        &self,
        service: Service,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let method = http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET);
        let (headers, body) = match body {
            Some(b) => (
                vec![("content-type", "application/json".to_owned())],
                b.to_string().into_bytes(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        self.send_method(service, method, path, &headers, body)
            .await
    }

    /// Any POST request, signed for `service` with the test key.
    pub async fn send(
        &self,
        service: Service,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> TestResponse {
        self.send_method(service, http::Method::POST, path, headers, body)
            .await
    }

    /// An unsigned `GET` of `path_and_query` (public documents, anonymous operations).
    pub async fn unsigned_get(&self, path_and_query: &str) -> TestResponse {
        let mut req = http::Request::new(());
        *req.method_mut() = http::Method::GET;
        *req.uri_mut() = path_and_query
            .parse()
            .unwrap_or_else(|_| http::Uri::from_static("/"));
        req.headers_mut().insert(
            http::header::HOST,
            http::HeaderValue::from_static("localhost:4599"),
        );
        let (parts, ()) = req.into_parts();
        let resp = self
            .pipeline
            .handle(
                parts,
                Body::Complete(Bytes::new()),
                IpAddr::V4(Ipv4Addr::LOCALHOST),
            )
            .await;
        let (parts, body) = resp.into_parts();
        TestResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    /// Any request, signed for `service` with the test key.
    pub async fn send_method(
        &self,
        service: Service,
        method: http::Method,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> TestResponse {
        let uri: http::Uri = format!("http://localhost:4599{path}")
            .parse()
            .unwrap_or_else(|_| http::Uri::from_static("http://localhost:4599/"));
        let mut map = http::HeaderMap::new();
        map.insert(
            http::header::HOST,
            http::HeaderValue::from_static("localhost:4599"),
        );
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.as_bytes()),
                http::HeaderValue::from_str(v),
            ) {
                map.insert(k, v);
            }
        }
        let params = openwatch_sigv4::SigningParams {
            access_key_id: TEST_ACCESS_KEY_ID,
            secret_access_key: TEST_SECRET,
            session_token: None,
            region: &self.region,
            service: service.signing_name(),
            time_unix: (self.clock)().div_euclid(1000),
            payload: openwatch_sigv4::PayloadSigning::Hash,
        };
        if let Ok(added) = openwatch_sigv4::sign_request(&method, &uri, &map, &body, &params) {
            for (k, v) in added {
                map.insert(k, v);
            }
        }
        let mut req = http::Request::new(());
        *req.method_mut() = method;
        *req.uri_mut() = uri;
        *req.headers_mut() = map;
        let (parts, ()) = req.into_parts();
        let resp = self
            .pipeline
            .handle(
                parts,
                Body::Complete(Bytes::from(body)),
                IpAddr::V4(Ipv4Addr::LOCALHOST),
            )
            .await;
        let (parts, body) = resp.into_parts();
        TestResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }
}
