//! Golden tests of the record JSON: field names, order, presence rules and time format.

use proptest::prelude::*;
use serde_json::json;

use super::{ACCOUNT, T0, input, root};
use crate::record::{format_event_time, new_event_id};
use crate::{CloudTrailRecord, Resource, TlsDetails};

fn check(record: &CloudTrailRecord, expected: &str) {
    let got = record.to_cloudtrail_json();
    let expected: String = expected.lines().map(str::trim).collect();
    assert_eq!(got, expected);
    // And it is valid JSON.
    serde_json::from_str::<serde_json::Value>(&got).expect("valid JSON");
}

#[test]
fn iam_user_call_has_cloudtrails_fields_in_cloudtrails_order() {
    let mut i = input(T0 + 999, "CreateLogGroup");
    i.api_version = Some("2014-03-28".into());
    i.tls_details = Some(TlsDetails {
        tls_version: "TLSv1.3".into(),
        cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
        client_provided_host_header: "logs.us-east-1.amazonaws.com".into(),
    });
    let rec = CloudTrailRecord {
        event_id: "3f2b1c9e-8d7a-4e6f-9a0b-1c2d3e4f5a6b".into(),
        input: i,
    };
    check(
        &rec,
        r#"{"eventVersion":"1.11",
        "userIdentity":{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice"},
        "eventTime":"2026-11-28T12:00:00Z",
        "eventSource":"logs.amazonaws.com",
        "eventName":"CreateLogGroup",
        "awsRegion":"us-east-1",
        "sourceIPAddress":"192.0.2.10",
        "userAgent":"aws-cli/2.15.0",
        "requestParameters":{"logGroupName":"app"},
        "responseElements":null,
        "requestID":"req-1795867200999",
        "eventID":"3f2b1c9e-8d7a-4e6f-9a0b-1c2d3e4f5a6b",
        "readOnly":false,
        "resources":[{"ARN":"arn:aws:logs:us-east-1:111122223333:log-group:app","accountId":"111122223333","type":"AWS::Logs::LogGroup"}],
        "eventType":"AwsApiCall",
        "apiVersion":"2014-03-28",
        "managementEvent":true,
        "recipientAccountId":"111122223333",
        "eventCategory":"Management",
        "tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"logs.us-east-1.amazonaws.com"}}"#,
    );
}

#[test]
fn failed_root_call_has_error_fields_and_omits_what_does_not_apply() {
    let mut i = input(T0, "DescribeAlarms");
    i.event_source = "monitoring.amazonaws.com".into();
    i.identity = root("ASIAROOT");
    i.request_parameters = None;
    i.error_code = Some("AccessDenied".into());
    i.error_message = Some("User is not authorized".into());
    i.resources.clear();
    let rec = CloudTrailRecord {
        event_id: "00000000-0000-4000-8000-000000000000".into(),
        input: i,
    };
    check(
        &rec,
        r#"{"eventVersion":"1.11",
        "userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAROOT"},
        "eventTime":"2026-11-28T12:00:00Z",
        "eventSource":"monitoring.amazonaws.com",
        "eventName":"DescribeAlarms",
        "awsRegion":"us-east-1",
        "sourceIPAddress":"192.0.2.10",
        "userAgent":"aws-cli/2.15.0",
        "errorCode":"AccessDenied",
        "errorMessage":"User is not authorized",
        "requestParameters":null,
        "responseElements":null,
        "requestID":"req-1795867200000",
        "eventID":"00000000-0000-4000-8000-000000000000",
        "readOnly":true,
        "eventType":"AwsApiCall",
        "managementEvent":true,
        "recipientAccountId":"111122223333",
        "eventCategory":"Management"}"#,
    );
}

#[test]
fn lookup_username_follows_the_identity_type() {
    assert_eq!(root("k").lookup_username(), Some("root"));
    assert_eq!(super::iam_user("bob", "k").lookup_username(), Some("bob"));
    let assumed = crate::UserIdentity {
        type_: "AssumedRole".into(),
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci-session"),
        ..Default::default()
    };
    assert_eq!(assumed.lookup_username(), Some("ci-session"));
    assert_eq!(crate::UserIdentity::default().lookup_username(), None);
}

#[test]
fn resource_short_names() {
    let r = |arn: &str| Resource {
        arn: arn.into(),
        ..Default::default()
    };
    assert_eq!(
        r("arn:aws:logs:us-east-1:1:log-group:app").short_name(),
        "app"
    );
    assert_eq!(r("arn:aws:iam::1:user/bob").short_name(), "bob");
    assert_eq!(
        r("arn:aws:cloudwatch:us-east-1:1:alarm:high-cpu").short_name(),
        "high-cpu"
    );
    assert_eq!(r("arn:aws:sns:us-east-1:1:alerts").short_name(), "alerts");
    assert_eq!(r("not-an-arn").short_name(), "not-an-arn");
}

#[test]
fn event_ids_are_uuid_v4() {
    let a = new_event_id();
    let parsed = uuid::Uuid::parse_str(&a).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(a, a.to_lowercase());
    assert_ne!(a, new_event_id());
    let json = json!(CloudTrailRecord::new(input(T0, "X")).to_cloudtrail_json());
    assert!(json.is_string());
}

proptest! {
    #[test]
    fn event_time_matches_jiff(ms in 0i64..253_402_300_799_000) {
        let ts = jiff::Timestamp::from_millisecond(ms.div_euclid(1000) * 1000).expect("in range");
        let expected = ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        prop_assert_eq!(format_event_time(ms), expected);
    }
}
