//! CloudTrail (JSON 1.1) through aws-sdk-cloudtrail: every call that names an account is in the
//! account's event history, with the caller's identity, and never with a secret.

use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_sts::operation::RequestId as _;
use serde_json::Value;

use openwatch_e2e::{
    Keys, TestServer, expect_err, find_event, lookup_events, ok, record_of, service_error,
};

fn str_at<'a>(record: &'a Value, pointer: &str) -> Option<&'a str> {
    record.pointer(pointer).and_then(Value::as_str)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_caller_identity_is_recorded_with_the_callers_identity() {
    let server = TestServer::start().await;
    let account = server.account().to_owned();
    let root_keys = server.root_keys();
    let root = server.root_clients();
    let out = ok(
        root.sts.get_caller_identity().send().await,
        "GetCallerIdentity",
    );
    let request_id = out
        .request_id()
        .expect("GetCallerIdentity has a request id")
        .to_owned();

    let (event, record) = find_event(
        &root.cloudtrail,
        LookupAttributeKey::EventName,
        "GetCallerIdentity",
        |r| str_at(r, "/requestID") == Some(request_id.as_str()),
    )
    .await;
    let rec = |p: &str| str_at(&record, p);
    assert_eq!(rec("/eventSource"), Some("sts.amazonaws.com"), "{record:#}");
    assert_eq!(rec("/eventName"), Some("GetCallerIdentity"), "{record:#}");
    assert_eq!(rec("/awsRegion"), Some("us-east-1"), "{record:#}");
    assert_eq!(rec("/eventType"), Some("AwsApiCall"), "{record:#}");
    assert_eq!(rec("/sourceIPAddress"), Some("127.0.0.1"), "{record:#}");
    assert_eq!(
        rec("/recipientAccountId"),
        Some(account.as_str()),
        "{record:#}"
    );
    assert!(
        rec("/userAgent").is_some_and(|ua| ua.contains("aws-sdk-rust")),
        "{record:#}"
    );
    assert_eq!(
        record.pointer("/readOnly"),
        Some(&Value::Bool(true)),
        "{record:#}"
    );
    assert_eq!(record.pointer("/errorCode"), None, "{record:#}");
    assert_eq!(rec("/userIdentity/type"), Some("Root"), "{record:#}");
    assert_eq!(
        rec("/userIdentity/arn"),
        Some(format!("arn:aws:iam::{account}:root").as_str()),
        "{record:#}"
    );
    assert_eq!(
        rec("/userIdentity/accountId"),
        Some(account.as_str()),
        "{record:#}"
    );
    assert_eq!(
        rec("/userIdentity/principalId"),
        Some(account.as_str()),
        "{record:#}"
    );
    assert_eq!(
        rec("/userIdentity/accessKeyId"),
        Some(root_keys.access_key_id.as_str()),
        "{record:#}"
    );

    // The summary fields LookupEvents returns beside the record agree with it.
    assert_eq!(event.event_name(), Some("GetCallerIdentity"));
    assert_eq!(event.event_source(), Some("sts.amazonaws.com"));
    assert_eq!(event.read_only(), Some("true"));
    assert_eq!(
        event.access_key_id(),
        Some(root_keys.access_key_id.as_str())
    );
    assert!(
        event
            .event_id()
            .is_some_and(|id| Some(id) == rec("/eventID")),
        "{record:#}"
    );
    assert!(event.event_time().is_some());

    // Other lookup attributes find the same event.
    let event_id = event.event_id().expect("an event id").to_owned();
    let by_id = lookup_events(&root.cloudtrail, LookupAttributeKey::EventId, &event_id).await;
    assert_eq!(by_id.len(), 1, "{by_id:?}");
    let by_key = lookup_events(
        &root.cloudtrail,
        LookupAttributeKey::AccessKeyId,
        &root_keys.access_key_id,
    )
    .await;
    assert!(
        by_key
            .iter()
            .any(|e| e.event_id() == Some(event_id.as_str())),
        "{by_key:?}"
    );
    let by_source = lookup_events(
        &root.cloudtrail,
        LookupAttributeKey::EventSource,
        "sts.amazonaws.com",
    )
    .await;
    assert!(
        by_source
            .iter()
            .any(|e| e.event_id() == Some(event_id.as_str())),
        "{by_source:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_and_failed_calls_are_recorded_with_their_error() {
    let server = TestServer::start().await;
    let account = server.account().to_owned();
    let root = server.root_clients();
    ok(
        root.iam.create_user().user_name("dave").send().await,
        "CreateUser",
    );
    let key = ok(
        root.iam.create_access_key().user_name("dave").send().await,
        "CreateAccessKey",
    )
    .access_key
    .expect("the key");
    let dave = server.clients(&Keys::new(key.access_key_id(), key.secret_access_key()));

    // Denied: dave has no policy.
    let info = service_error(
        &expect_err(dave.iam.list_users().send().await, "ListUsers as dave"),
        "ListUsers as dave",
    );
    assert_eq!(info.code, "AccessDenied", "{info:?}");
    let (event, record) = find_event(
        &root.cloudtrail,
        LookupAttributeKey::EventName,
        "ListUsers",
        |r| str_at(r, "/userIdentity/userName") == Some("dave"),
    )
    .await;
    assert_eq!(
        str_at(&record, "/errorCode"),
        Some("AccessDenied"),
        "{record:#}"
    );
    assert!(
        str_at(&record, "/errorMessage").is_some_and(|m| m.contains("not authorized")),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/requestID"),
        info.request_id.as_deref(),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/eventSource"),
        Some("iam.amazonaws.com"),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/awsRegion"),
        Some("us-east-1"),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/userIdentity/type"),
        Some("IAMUser"),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/userIdentity/arn"),
        Some(format!("arn:aws:iam::{account}:user/dave").as_str()),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/userIdentity/accessKeyId"),
        Some(key.access_key_id()),
        "{record:#}"
    );
    assert_eq!(
        record.pointer("/readOnly"),
        Some(&Value::Bool(true)),
        "{record:#}"
    );
    // The Username lookup attribute finds the user's calls.
    let by_user = lookup_events(&root.cloudtrail, LookupAttributeKey::Username, "dave").await;
    assert!(
        by_user.iter().any(|e| e.event_id() == event.event_id()),
        "{by_user:?}"
    );

    // Failed: the root asks for a user that does not exist.
    ok(
        root.iam.get_user().user_name("dave").send().await,
        "GetUser dave",
    );
    let info = service_error(
        &expect_err(
            root.iam.get_user().user_name("ghost").send().await,
            "GetUser ghost",
        ),
        "GetUser ghost",
    );
    let (_, record) = find_event(
        &root.cloudtrail,
        LookupAttributeKey::EventName,
        "GetUser",
        |r| str_at(r, "/requestID") == info.request_id.as_deref(),
    )
    .await;
    assert_eq!(
        str_at(&record, "/errorCode"),
        Some("NoSuchEntity"),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/requestParameters/userName"),
        Some("ghost"),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/userIdentity/type"),
        Some("Root"),
        "{record:#}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_access_key_is_recorded_without_the_secret() {
    let server = TestServer::start().await;
    let root = server.root_clients();
    ok(
        root.iam.create_user().user_name("erin").send().await,
        "CreateUser",
    );
    let key = ok(
        root.iam.create_access_key().user_name("erin").send().await,
        "CreateAccessKey",
    )
    .access_key
    .expect("the key");
    let secret = key.secret_access_key().to_owned();

    let (_, record) = find_event(
        &root.cloudtrail,
        LookupAttributeKey::EventName,
        "CreateAccessKey",
        |r| str_at(r, "/requestParameters/userName") == Some("erin"),
    )
    .await;
    assert_eq!(
        record.pointer("/readOnly"),
        Some(&Value::Bool(false)),
        "{record:#}"
    );
    assert_eq!(
        str_at(&record, "/responseElements/accessKey/accessKeyId"),
        Some(key.access_key_id()),
        "the new key's id is recorded: {record:#}"
    );

    // Neither the new secret nor the root's is anywhere in the account's history.
    let root_secret = server.root_keys().secret_access_key;
    let mut seen = 0;
    let mut next_token = None;
    loop {
        let page = ok(
            root.cloudtrail
                .lookup_events()
                .max_results(50)
                .set_next_token(next_token)
                .send()
                .await,
            "LookupEvents",
        );
        for event in page.events() {
            let text = event.cloud_trail_event().unwrap_or_default();
            assert!(
                !text.contains(&secret),
                "a trail record contains the new secret: {text}"
            );
            assert!(
                !text.contains(&root_secret),
                "a trail record contains the root secret: {text}"
            );
            let _ = record_of(event);
            seen += 1;
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    // CreateUser and CreateAccessKey (found above) are in the history; the LookupEvents calls
    // may not be yet (records are written asynchronously), so they are not counted on.
    assert!(
        seen >= 2,
        "CreateUser and CreateAccessKey were recorded; saw {seen}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_events_rejects_max_results_over_50() {
    let server = TestServer::start().await;
    let root = server.root_clients();
    ok(
        root.cloudtrail.lookup_events().max_results(50).send().await,
        "MaxResults 50",
    );
    let err = expect_err(
        root.cloudtrail.lookup_events().max_results(51).send().await,
        "MaxResults 51",
    );
    let info = service_error(&err, "MaxResults 51");
    assert_eq!(info.code, "InvalidMaxResultsException", "{info:?}");
    assert_eq!(info.status, 400, "{info:?}");
    assert!(err.into_service_error().is_invalid_max_results_exception());
    server.shutdown().await;
}

/// CloudTrail is a plain JSON service: authentication errors use the JSON names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_errors_use_the_json_names() {
    let server = TestServer::start().await;
    let wrong_secret = Keys::new(
        server.root_keys().access_key_id,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let info = service_error(
        &expect_err(
            server
                .clients(&wrong_secret)
                .cloudtrail
                .lookup_events()
                .send()
                .await,
            "LookupEvents with a wrong secret",
        ),
        "LookupEvents with a wrong secret",
    );
    assert_eq!(info.code, "InvalidSignatureException", "{info:?}");
    assert_eq!(info.query_error, None, "{info:?}");
    let unknown = Keys::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let info = service_error(
        &expect_err(
            server
                .clients(&unknown)
                .cloudtrail
                .lookup_events()
                .send()
                .await,
            "LookupEvents with an unknown key",
        ),
        "LookupEvents with an unknown key",
    );
    assert_eq!(info.code, "UnrecognizedClientException", "{info:?}");
    server.shutdown().await;
}
