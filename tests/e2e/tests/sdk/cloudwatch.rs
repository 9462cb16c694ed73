//! CloudWatch through aws-sdk-cloudwatch, which speaks Smithy RPC v2 CBOR. CloudWatch is
//! query-compatible: its errors carry `x-amzn-query-error: <code>;<Sender|Receiver>`, and the SDK
//! exposes that code (not the CBOR `__type`) as the error code users match on.

use openwatch_e2e::{Keys, ServiceErrorInfo, TestServer, expect_err, service_error};

/// Checks the parts every CloudWatch CBOR error shares, and returns the `x-amzn-query-error`
/// code and fault.
fn assert_cbor_query_compatible_error(info: &ServiceErrorInfo) -> (String, String) {
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/cbor"),
        "{info:?}"
    );
    assert_eq!(
        info.smithy_protocol.as_deref(),
        Some("rpc-v2-cbor"),
        "{info:?}"
    );
    assert!(
        info.request_id.as_deref().is_some_and(|id| !id.is_empty()),
        "{info:?}"
    );
    assert!(
        info.body_contains("__type"),
        "the CBOR error body has __type: {info:?}"
    );
    let header = info
        .query_error
        .as_deref()
        .unwrap_or_else(|| panic!("a CloudWatch error carries x-amzn-query-error: {info:?}"));
    let (code, fault) = header
        .split_once(';')
        .unwrap_or_else(|| panic!("x-amzn-query-error is <code>;<fault>: {header:?}"));
    assert_eq!(
        info.code, code,
        "the SDK exposes the query-error code: {info:?}"
    );
    (code.to_owned(), fault.to_owned())
}

/// An operation the server does not serve. ListManagedInsightRules is far down the roadmap; if it
/// is ever implemented, switch this test to another unserved operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unserved_operation_is_a_cbor_error_with_a_query_error_code() {
    let server = TestServer::start().await;
    let err = expect_err(
        server
            .root_clients()
            .cloudwatch
            .list_managed_insight_rules()
            .resource_arn("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a")
            .send()
            .await,
        "ListManagedInsightRules",
    );
    let info = service_error(&err, "ListManagedInsightRules");
    let (code, fault) = assert_cbor_query_compatible_error(&info);
    assert_eq!(info.status, 400, "{info:?}");
    assert_eq!(fault, "Sender");
    // The body names the JSON/CBOR shape; the SDK reports the awsQuery code, as CloudWatch's
    // query protocol names an unknown action.
    assert_eq!(code, "InvalidAction", "{info:?}");
    assert!(info.body_contains("UnknownOperationException"), "{info:?}");
    server.shutdown().await;
}

/// The CBOR body names the JSON-style shape (`InvalidSignatureException`); the header carries the
/// query code `SignatureDoesNotMatch`, which is what the SDK reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_signature_does_not_match_over_cbor() {
    let server = TestServer::start().await;
    let keys = Keys::new(
        server.root_keys().access_key_id,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let err = expect_err(
        server
            .clients(&keys)
            .cloudwatch
            .list_dashboards()
            .send()
            .await,
        "ListDashboards with a wrong secret",
    );
    let info = service_error(&err, "ListDashboards with a wrong secret");
    let (code, fault) = assert_cbor_query_compatible_error(&info);
    assert_eq!(code, "SignatureDoesNotMatch", "{info:?}");
    assert_eq!(fault, "Sender");
    assert!(info.body_contains("InvalidSignatureException"), "{info:?}");
    assert!((400..500).contains(&info.status), "{info:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_invalid_client_token_id_over_cbor() {
    let server = TestServer::start().await;
    let keys = Keys::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let err = expect_err(
        server
            .clients(&keys)
            .cloudwatch
            .list_dashboards()
            .send()
            .await,
        "ListDashboards with an unknown key",
    );
    let info = service_error(&err, "ListDashboards with an unknown key");
    let (code, fault) = assert_cbor_query_compatible_error(&info);
    assert_eq!(code, "InvalidClientTokenId", "{info:?}");
    assert_eq!(fault, "Sender");
    assert!(
        info.body_contains("UnrecognizedClientException"),
        "{info:?}"
    );
    assert!((400..500).contains(&info.status), "{info:?}");
    server.shutdown().await;
}
