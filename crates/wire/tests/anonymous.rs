//! Unsigned requests: public documents, and the query `GET`s of operations marked
//! `anonymous_get` (SNS's SubscribeURL). Everything else still needs a signature.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use openwatch_types::AccountId;
use openwatch_wire::pipeline::Body;
use openwatch_wire::{
    ApiError, AuditEvent, AuditSink, Authenticator, Caller, Operation, Pipeline, Registry,
    RequestFacts, Service, Value,
};

const NOW: i64 = 1_764_000_000;
const AKID: &str = "AKIAEXAMPLEEXAMPLE01";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Knows one key and denies it everything: anonymous operations skip authorization, others
/// do not.
struct DenyAll;

impl Authenticator for DenyAll {
    fn lookup(&self, akid: &str) -> Option<Arc<Caller>> {
        (akid == AKID).then(|| {
            Arc::new(Caller::new(
                AKID.into(),
                SECRET.into(),
                AccountId::parse("123456789012").unwrap(),
                "IAMUser",
                "AIDAEXAMPLE".into(),
                "arn:aws:iam::123456789012:user/alice".into(),
                Some("alice".into()),
                Arc::new(()),
            ))
        })
    }

    fn authorize(
        &self,
        _: &Caller,
        action: &str,
        _: &str,
        _: &RequestFacts<'_>,
    ) -> Result<(), String> {
        Err(format!(
            "because no identity-based policy allows the {action} action"
        ))
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
struct ConfirmInput {
    topic_arn: String,
    token: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct Empty {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConfirmOutput {
    subscription_arn: String,
}

fn scope(input: &Value) -> Result<(AccountId, String), ApiError> {
    let arn = input.get("TopicArn").and_then(Value::as_str).unwrap_or("");
    let parts: Vec<&str> = arn.split(':').collect();
    match (
        parts.get(3),
        parts.get(4).and_then(|a| AccountId::parse(a).ok()),
    ) {
        (Some(region), Some(account)) => Ok((account, (*region).to_owned())),
        _ => Err(ApiError::new(
            400,
            "InvalidParameter",
            "Invalid parameter: TopicArn",
        )),
    }
}

fn pipeline() -> (Pipeline, Sink) {
    let mut registry = Registry::new();
    registry.add(
        Operation::new(
            Service::Sns,
            "ConfirmSubscription",
            |ctx, i: ConfirmInput| async move {
                Ok(ConfirmOutput {
                    subscription_arn: format!(
                        "{}:{}:{}:{}:{}",
                        i.topic_arn,
                        i.token,
                        ctx.caller.is_anonymous(),
                        ctx.account,
                        ctx.region
                    ),
                })
            },
        )
        .anonymous_get(scope),
    );
    registry.add(Operation::new(
        Service::Sns,
        "ListTopics",
        |_ctx, _i: Empty| async move { Ok(Empty {}) },
    ));
    registry.add_public_document(
        "/sns/cert.pem".into(),
        "application/x-pem-file",
        Bytes::from_static(b"-----BEGIN CERTIFICATE-----\n"),
    );
    let sink = Sink::default();
    let p = Pipeline::new(
        registry,
        Arc::new(DenyAll),
        Arc::new(sink.clone()),
        Arc::new(|| NOW * 1000),
        "test",
    );
    (p, sink)
}

async fn get(p: &Pipeline, path_and_query: &str, sign: bool) -> http::Response<Bytes> {
    get_with(p, http::Method::GET, path_and_query, sign).await
}

async fn get_with(
    p: &Pipeline,
    method: http::Method,
    path_and_query: &str,
    sign: bool,
) -> http::Response<Bytes> {
    let uri: http::Uri = format!("http://127.0.0.1:4599{path_and_query}")
        .parse()
        .unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("host", "127.0.0.1:4599".parse().unwrap());
    if sign {
        let params = openwatch_sigv4::SigningParams {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: None,
            region: "eu-west-1",
            service: "sns",
            time_unix: NOW,
            payload: openwatch_sigv4::PayloadSigning::Hash,
        };
        for (k, v) in openwatch_sigv4::sign_request(&method, &uri, &headers, b"", &params).unwrap()
        {
            headers.insert(k, v);
        }
    }
    let mut req = http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .body(())
        .unwrap();
    *req.headers_mut() = headers;
    p.handle(
        req.into_parts().0,
        Body::Complete(Bytes::new()),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
    )
    .await
}

fn text(resp: &http::Response<Bytes>) -> String {
    String::from_utf8_lossy(resp.body()).into_owned()
}

const CONFIRM: &str = "/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A111122223333%3Aops&Token=tok";

#[tokio::test]
async fn an_anonymous_operation_runs_unsigned_in_the_scope_of_its_input() {
    let (p, sink) = pipeline();
    let resp = get(&p, CONFIRM, false).await;
    assert_eq!(resp.status(), 200, "{}", text(&resp));
    assert!(
        text(&resp)
            .contains("arn:aws:sns:us-west-2:111122223333:ops:tok:true:111122223333:us-west-2"),
        "{}",
        text(&resp)
    );
    let events = sink.0.lock();
    assert_eq!(events.len(), 1);
    assert!(events[0].caller.is_anonymous());
    assert_eq!(events[0].caller.identity_type, "Anonymous");
    assert_eq!(events[0].caller.account.as_str(), "111122223333");
    assert_eq!(events[0].operation, "ConfirmSubscription");
}

#[tokio::test]
async fn an_anonymous_operation_reports_a_bad_scope() {
    let (p, _) = pipeline();
    let resp = get(
        &p,
        "/?Action=ConfirmSubscription&TopicArn=nope&Token=t",
        false,
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(text(&resp).contains("InvalidParameter"), "{}", text(&resp));
}

#[tokio::test]
async fn signed_calls_of_an_anonymous_operation_are_authenticated_and_authorized() {
    let (p, _) = pipeline();
    // Signed: the normal path, where this authenticator denies everything.
    let resp = get(&p, CONFIRM, true).await;
    assert_eq!(resp.status(), 403, "{}", text(&resp));
    assert!(text(&resp).contains("AccessDenied"));
    // A broken signature is not retried anonymously.
    let resp = get(&p, &format!("{CONFIRM}&X-Amz-Signature=00"), false).await;
    assert_ne!(resp.status(), 200);
}

#[tokio::test]
async fn everything_else_still_needs_a_signature() {
    let (p, sink) = pipeline();
    // Another operation, unsigned.
    let resp = get(&p, "/?Action=ListTopics", false).await;
    assert_eq!(resp.status(), 403);
    assert!(
        text(&resp).contains("MissingAuthenticationToken"),
        "{}",
        text(&resp)
    );
    // The anonymous operation by POST.
    let resp = get_with(&p, http::Method::POST, CONFIRM, false).await;
    assert_eq!(resp.status(), 403);
    // An unknown action.
    let resp = get(&p, "/?Action=Nope", false).await;
    assert_eq!(resp.status(), 403);
    assert!(sink.0.lock().is_empty());
}

#[tokio::test]
async fn public_documents_are_served_to_gets_only() {
    let (p, _) = pipeline();
    let resp = get(&p, "/sns/cert.pem", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/x-pem-file"
    );
    assert!(text(&resp).starts_with("-----BEGIN CERTIFICATE-----"));
    let resp = get(&p, "/sns/other.pem", false).await;
    assert_ne!(resp.status(), 200);
    let resp = get_with(&p, http::Method::POST, "/sns/cert.pem", false).await;
    assert_ne!(resp.status(), 200);
}
