//! Golden tests of the whole pipeline: signed HTTP requests in each protocol → the response
//! status, headers and body, and the audit event, with an in-memory authenticator and audit sink.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use openwatch_types::AccountId;
use openwatch_wire::pipeline::{Body, MAX_BODY};
use openwatch_wire::protocol::rest::{Binding, RestRoute};
use openwatch_wire::{
    ApiError, AuditEvent, AuditSink, Authenticator, Caller, Operation, Pipeline, Registry,
    RequestFacts, Service,
};

const NOW: i64 = 1_764_000_000; // 2025-11-24T16:00:00Z
const AKID: &str = "AKIAEXAMPLEEXAMPLE01";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DENIED_AKID: &str = "AKIAEXAMPLEDENIED001";

struct Keys;

impl Authenticator for Keys {
    fn lookup(&self, akid: &str) -> Option<Arc<Caller>> {
        let user = match akid {
            AKID => "alice",
            DENIED_AKID => "mallory",
            _ => return None,
        };
        Some(Arc::new(Caller::new(
            akid.into(),
            SECRET.into(),
            AccountId::parse("123456789012").unwrap(),
            "IAMUser",
            "AIDAEXAMPLE".into(),
            format!("arn:aws:iam::123456789012:user/{user}"),
            Some(user.into()),
            Arc::new(()),
        )))
    }

    fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        _resource: &str,
        _f: &RequestFacts<'_>,
    ) -> Result<(), String> {
        if caller.user_name.as_deref() == Some("mallory") {
            Err(format!(
                "because no identity-based policy allows the {action} action"
            ))
        } else {
            Ok(())
        }
    }
}

#[derive(Default, Clone)]
struct Sink(Arc<Mutex<Vec<AuditEvent>>>);

impl AuditSink for Sink {
    fn record(&self, event: AuditEvent) {
        self.0.lock().push(event);
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EchoInput {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_value: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EchoOutput {
    greeting: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RegistryInput {
    registry_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RegistryOutput {
    registry_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

fn pipeline() -> (Pipeline, Sink) {
    let mut registry = Registry::new();
    for service in [Service::Logs, Service::CloudWatch, Service::Sns] {
        registry.add(
            Operation::new(service, "Echo", |ctx, input: EchoInput| async move {
                if input.name == "fail" {
                    return Err(ApiError::new(
                        400,
                        "InvalidParameterException",
                        "name must not be fail",
                    ));
                }
                Ok(EchoOutput {
                    greeting: format!("hello {} from {}", input.name, ctx.account),
                })
            })
            .sensitive(&["SecretValue"]),
        );
    }
    registry.add(Operation::new(
        Service::Schemas,
        "CreateRegistry",
        |_ctx, input: RegistryInput| async move {
            Ok(RegistryOutput {
                registry_name: input.registry_name,
                description: input.description,
            })
        },
    ));
    registry.add_rest(
        Service::Schemas,
        RestRoute {
            method: "POST",
            template: "/v1/registries/name/{registryName}",
            operation: "CreateRegistry",
            bindings: &[(Binding::Label("registryName"), "RegistryName")],
            success_status: 201,
        },
    );
    let sink = Sink::default();
    let p = Pipeline::new(
        registry,
        Arc::new(Keys),
        Arc::new(sink.clone()),
        Arc::new(|| NOW * 1000),
        "test",
    );
    (p, sink)
}

struct Req {
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    service: &'static str,
    akid: &'static str,
    secret: &'static str,
}

impl Req {
    fn new(path: &'static str, service: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Req {
            path,
            headers: Vec::new(),
            body: body.into(),
            service,
            akid: AKID,
            secret: SECRET,
        }
    }
    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
    fn parts(&self, sign: bool) -> http::request::Parts {
        let uri: http::Uri = format!("http://127.0.0.1:4599{}", self.path)
            .parse()
            .unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("host", "127.0.0.1:4599".parse().unwrap());
        for (k, v) in &self.headers {
            headers.insert(*k, v.parse().unwrap());
        }
        if sign {
            let params = openwatch_sigv4::SigningParams {
                access_key_id: self.akid,
                secret_access_key: self.secret,
                session_token: None,
                region: "eu-west-1",
                service: self.service,
                time_unix: NOW,
                payload: openwatch_sigv4::PayloadSigning::Hash,
            };
            for (k, v) in openwatch_sigv4::sign_request(
                &http::Method::POST,
                &uri,
                &headers,
                &self.body,
                &params,
            )
            .unwrap()
            {
                headers.insert(k, v);
            }
        }
        let mut req = http::Request::post(self.path).body(()).unwrap();
        *req.headers_mut() = headers;
        req.into_parts().0
    }
}

async fn send(p: &Pipeline, req: &Req, sign: bool) -> http::Response<Bytes> {
    p.handle(
        req.parts(sign),
        Body::Complete(Bytes::from(req.body.clone())),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
    )
    .await
}

fn header<'a>(resp: &'a http::Response<Bytes>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

fn json(resp: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(resp.body()).unwrap()
}

fn logs_echo(body: &str) -> Req {
    Req::new("/", "logs", body)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "Logs_20140328.Echo")
}

#[tokio::test]
async fn json_1_1_call_is_routed_answered_and_audited() {
    let (p, sink) = pipeline();
    let resp = send(
        &p,
        &logs_echo(r#"{"Name":"bob","SecretValue":"s3cr3t"}"#),
        true,
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "content-type"),
        Some("application/x-amz-json-1.1")
    );
    let rid = header(&resp, "x-amzn-requestid").unwrap().to_owned();
    assert_eq!(
        json(&resp),
        serde_json::json!({"Greeting": "hello bob from 123456789012"})
    );

    let events = sink.0.lock();
    let e = &events[0];
    assert_eq!(
        (e.service, e.operation.as_str(), e.region.as_str()),
        (Service::Logs, "Echo", "eu-west-1")
    );
    assert_eq!(e.request_id, rid);
    assert_eq!(e.caller.arn, "arn:aws:iam::123456789012:user/alice");
    // lowerCamelCase names, the sensitive member dropped.
    assert_eq!(
        e.request_parameters,
        Some(serde_json::json!({"name": "bob"}))
    );
    assert_eq!(
        e.response_elements,
        Some(serde_json::json!({"greeting": "hello bob from 123456789012"}))
    );
    assert_eq!(e.error_code, None);
    assert_eq!(e.time_millis, NOW * 1000);
}

#[tokio::test]
async fn handler_errors_render_and_are_audited() {
    let (p, sink) = pipeline();
    let resp = send(&p, &logs_echo(r#"{"Name":"fail"}"#), true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        json(&resp),
        serde_json::json!({"__type": "InvalidParameterException", "message": "name must not be fail"})
    );
    let events = sink.0.lock();
    assert_eq!(
        events[0].error_code.as_deref(),
        Some("InvalidParameterException")
    );
    assert_eq!(events[0].response_elements, None);
}

#[tokio::test]
async fn cbor_call_answers_cbor_with_the_protocol_header() {
    let (p, _) = pipeline();
    // {"Name": "bob"}
    let body = [0xa1, 0x64, b'N', b'a', b'm', b'e', 0x63, b'b', b'o', b'b'];
    let req = Req::new(
        "/service/GraniteServiceVersion20100801/operation/Echo",
        "monitoring",
        body,
    )
    .header("content-type", "application/cbor")
    .header("smithy-protocol", "rpc-v2-cbor");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "smithy-protocol"), Some("rpc-v2-cbor"));
    assert_eq!(header(&resp, "content-type"), Some("application/cbor"));
    let v = openwatch_wire::protocol::cbor::decode(resp.body()).unwrap();
    assert_eq!(
        v.get("Greeting").and_then(|g| g.as_str()),
        Some("hello bob from 123456789012")
    );
}

#[tokio::test]
async fn query_call_takes_its_service_from_the_credential_scope() {
    let (p, _) = pipeline();
    let req = Req::new("/", "sns", "Action=Echo&Version=2010-03-31&Name=bob").header(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 200);
    let body = std::str::from_utf8(resp.body()).unwrap();
    assert!(
        body.starts_with("<EchoResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><EchoResult><Greeting>hello bob"),
        "{body}"
    );
    let rid = header(&resp, "x-amzn-requestid").unwrap();
    assert!(body.ends_with(&format!(
        "<RequestId>{rid}</RequestId></ResponseMetadata></EchoResponse>"
    )));
}

#[tokio::test]
async fn gzip_bodies_are_verified_compressed_then_decoded() {
    use std::io::Write as _;
    let (p, _) = pipeline();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(br#"{"Name":"zip"}"#).unwrap();
    let req = Req::new("/", "monitoring", gz.finish().unwrap())
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "GraniteServiceVersion20100801.Echo")
        .header("content-encoding", "gzip");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    assert_eq!(json(&resp)["Greeting"], "hello zip from 123456789012");
}

#[tokio::test]
async fn authentication_failures_use_each_services_codes() {
    let (p, sink) = pipeline();
    // Wrong secret.
    let mut req = logs_echo(r#"{"Name":"bob"}"#);
    req.secret = "wrong";
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(&resp)["__type"], "InvalidSignatureException");
    let mut req = Req::new("/", "sns", "Action=Echo&Version=2010-03-31&Name=bob")
        .header("content-type", "application/x-www-form-urlencoded");
    req.secret = "wrong";
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 403);
    assert!(
        std::str::from_utf8(resp.body())
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>")
    );
    // CloudWatch over JSON: the JSON name plus the query code the SDKs match.
    let mut req = Req::new("/", "monitoring", r#"{"Name":"x"}"#)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "GraniteServiceVersion20100801.Echo");
    req.secret = "wrong";
    let resp = send(&p, &req, true).await;
    assert_eq!(
        header(&resp, "x-amzn-query-error"),
        Some("SignatureDoesNotMatch;Sender")
    );

    // Unknown key.
    let mut req = logs_echo("{}");
    req.akid = "AKIANOSUCHKEY0000000";
    let resp = send(&p, &req, true).await;
    assert_eq!(json(&resp)["__type"], "UnrecognizedClientException");
    // Missing authentication.
    let resp = send(&p, &logs_echo("{}"), false).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(json(&resp)["__type"], "MissingAuthenticationTokenException");
    // None of these name a proven account: nothing audited.
    assert!(sink.0.lock().is_empty());
}

#[tokio::test]
async fn denied_calls_are_refused_and_audited() {
    let (p, sink) = pipeline();
    let mut req = logs_echo(r#"{"Name":"bob"}"#);
    req.akid = DENIED_AKID;
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 400);
    let body = json(&resp);
    assert_eq!(body["__type"], "AccessDeniedException");
    assert_eq!(
        body["message"],
        "User: arn:aws:iam::123456789012:user/mallory is not authorized to perform: logs:Echo on resource: * because no identity-based policy allows the logs:Echo action"
    );
    let events = sink.0.lock();
    assert_eq!(
        events[0].error_code.as_deref(),
        Some("AccessDeniedException")
    );
    assert_eq!(
        events[0].request_parameters,
        Some(serde_json::json!({"name": "bob"}))
    );
}

#[tokio::test]
async fn unknown_operations_get_the_services_own_error() {
    let (p, _) = pipeline();
    let req = Req::new("/", "logs", "{}")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "Logs_20140328.NoSuchThing");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(&resp)["__type"], "UnknownOperationException");
    let req = Req::new("/", "sns", "Action=NoSuchThing&Version=2010-03-31")
        .header("content-type", "application/x-www-form-urlencoded");
    let resp = send(&p, &req, true).await;
    assert!(
        std::str::from_utf8(resp.body())
            .unwrap()
            .contains("<Code>InvalidAction</Code>")
    );
}

#[tokio::test]
async fn oversized_bodies_get_413_in_the_requests_protocol() {
    let (p, _) = pipeline();
    let req = logs_echo("{}");
    let resp = p
        .handle(
            req.parts(true),
            Body::TooLarge,
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        )
        .await;
    assert_eq!(resp.status(), 413);
    assert_eq!(json(&resp)["__type"], "RequestEntityTooLarge");
    assert!(
        json(&resp)["message"]
            .as_str()
            .unwrap()
            .contains(&MAX_BODY.to_string())
    );
}

#[tokio::test]
async fn malformed_bodies_are_client_errors() {
    let (p, sink) = pipeline();
    let resp = send(&p, &logs_echo("{not json"), true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(&resp)["__type"], "SerializationException");
    // A missing required member.
    let resp = send(&p, &logs_echo("{}"), true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(&resp)["__type"], "InvalidParameterException");
    // The second one reached a known operation, so it is audited.
    assert_eq!(sink.0.lock().len(), 1);
}

#[tokio::test]
async fn health_needs_no_signature() {
    let (p, _) = pipeline();
    let req = http::Request::get("/health")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let resp = p
        .handle(
            req,
            Body::Complete(Bytes::new()),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(&resp)["version"], "test");
}

#[tokio::test]
async fn a_request_signed_for_another_service_is_refused() {
    let (p, sink) = pipeline();
    let mut req = logs_echo(r#"{"Name":"bob"}"#);
    req.service = "events";
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 400);
    let body = json(&resp);
    assert_eq!(body["__type"], "InvalidSignatureException");
    assert!(body["message"].as_str().unwrap().contains("logs"), "{body}");
    assert!(sink.0.lock().is_empty());
}

#[tokio::test]
async fn cloudwatch_unknown_operations_carry_the_query_code_invalid_action() {
    let (p, _) = pipeline();
    let req = Req::new(
        "/service/GraniteServiceVersion20100801/operation/GetDashboard",
        "monitoring",
        vec![0xa0],
    )
    .header("content-type", "application/cbor")
    .header("smithy-protocol", "rpc-v2-cbor");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        header(&resp, "x-amzn-query-error"),
        Some("InvalidAction;Sender")
    );
    assert_eq!(header(&resp, "smithy-protocol"), Some("rpc-v2-cbor"));
}

#[tokio::test]
async fn rest_json_routes_bind_path_labels_and_answer_the_models_status() {
    let (p, sink) = pipeline();
    let req = Req::new(
        "/v1/registries/name/my%2Dregistry",
        "schemas",
        r#"{"Description":"d"}"#,
    )
    .header("content-type", "application/json");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 201, "{:?}", resp.body());
    assert_eq!(
        json(&resp),
        serde_json::json!({"RegistryName": "my-registry", "Description": "d"})
    );
    assert_eq!(sink.0.lock()[0].operation, "CreateRegistry");

    // No route: a REST-style 404 with X-Amzn-ErrorType.
    let req =
        Req::new("/v1/nothing/here", "schemas", "").header("content-type", "application/json");
    let resp = send(&p, &req, true).await;
    assert_eq!(resp.status(), 404);
    assert!(header(&resp, "x-amzn-errortype").is_some());
}
