//! Golden tests per protocol: request bytes as the real clients send them (see
//! `../shared/WIRE.md`) decode to the expected shape; results and errors render to the exact
//! bytes and headers each client parses.
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};

use openwatch_wire::value::{from_value, to_value};
use openwatch_wire::{ApiError, Protocol, Service, Timestamp, Value};

#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct Dimension {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct Datum {
    metric_name: String,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
    #[serde(default)]
    dimensions: Vec<Dimension>,
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct PutMetricData {
    namespace: String,
    metric_data: Vec<Datum>,
}

fn expected_put() -> PutMetricData {
    PutMetricData {
        namespace: "MyApp".into(),
        metric_data: vec![Datum {
            metric_name: "Latency".into(),
            value: Some(12.5),
            unit: Some("Milliseconds".into()),
            timestamp: Some(Timestamp(1_704_067_200.0)),
            dimensions: vec![Dimension {
                name: "Host".into(),
                value: "a".into(),
            }],
        }],
    }
}

#[test]
fn json_1_0_put_metric_data_as_the_cli_sends_it() {
    let body = br#"{"Namespace": "MyApp", "MetricData": [{"MetricName": "Latency", "Value": 12.5, "Unit": "Milliseconds", "Timestamp": 1704067200, "Dimensions": [{"Name": "Host", "Value": "a"}]}]}"#;
    let v = Protocol::AwsJson10.decode(body).unwrap();
    let shape: PutMetricData = from_value(v).unwrap();
    assert_eq!(shape, expected_put());
}

#[test]
fn query_put_metric_data_as_boto3_sends_it() {
    let body = b"Action=PutMetricData&Version=2010-08-01&Namespace=MyApp&MetricData.member.1.MetricName=Latency&MetricData.member.1.Value=12.5&MetricData.member.1.Unit=Milliseconds&MetricData.member.1.Dimensions.member.1.Name=Host&MetricData.member.1.Dimensions.member.1.Value=a&MetricData.member.1.Timestamp=2024-01-01T00%3A00%3A00Z";
    let form = openwatch_wire::protocol::query::decode(body).unwrap();
    assert_eq!(form.action.as_deref(), Some("PutMetricData"));
    assert_eq!(form.version.as_deref(), Some("2010-08-01"));
    let shape: PutMetricData = from_value(form.params).unwrap();
    assert_eq!(shape, expected_put());
}

/// CBOR text string header + bytes.
fn tstr(s: &str, out: &mut Vec<u8>) {
    assert!(s.len() < 24);
    out.push(0x60 | s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

#[test]
fn cbor_indefinite_maps_as_the_rust_sdk_sends_them() {
    // bf Namespace MyApp MetricData 81 bf MetricName Latency Value 12.5 Unit Milliseconds
    //    Timestamp c1 1a65920080 Dimensions 81 bf Name Host Value a ff ff ff
    let mut b = vec![0xbf];
    tstr("Namespace", &mut b);
    tstr("MyApp", &mut b);
    tstr("MetricData", &mut b);
    b.extend_from_slice(&[0x81, 0xbf]);
    tstr("MetricName", &mut b);
    tstr("Latency", &mut b);
    tstr("Value", &mut b);
    b.push(0xfb);
    b.extend_from_slice(&12.5f64.to_be_bytes());
    tstr("Unit", &mut b);
    tstr("Milliseconds", &mut b);
    tstr("Timestamp", &mut b);
    b.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x92, 0x00, 0x80]);
    tstr("Dimensions", &mut b);
    b.extend_from_slice(&[0x81, 0xbf]);
    tstr("Name", &mut b);
    tstr("Host", &mut b);
    tstr("Value", &mut b);
    tstr("a", &mut b);
    b.extend_from_slice(&[0xff, 0xff, 0xff]);
    let v = Protocol::RpcV2Cbor.decode(&b).unwrap();
    let shape: PutMetricData = from_value(v).unwrap();
    assert_eq!(shape, expected_put());
}

#[test]
fn cbor_definite_maps_as_botocore_sends_them() {
    // a2 Namespace MyApp MetricData 81 a2 MetricName Latency Timestamp c1 1a65920080
    let mut b = vec![0xa2];
    tstr("Namespace", &mut b);
    tstr("MyApp", &mut b);
    tstr("MetricData", &mut b);
    b.extend_from_slice(&[0x81, 0xa2]);
    tstr("MetricName", &mut b);
    tstr("Latency", &mut b);
    tstr("Timestamp", &mut b);
    b.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x92, 0x00, 0x80]);
    let shape: PutMetricData = from_value(Protocol::RpcV2Cbor.decode(&b).unwrap()).unwrap();
    assert_eq!(
        shape.metric_data[0].timestamp,
        Some(Timestamp(1_704_067_200.0))
    );
    assert_eq!(shape.metric_data[0].value, None);
    assert!(shape.metric_data[0].dimensions.is_empty());
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    for body in [&b"{"[..], b"[1,2]", b"\"x\""] {
        assert!(Protocol::AwsJson11.decode(body).is_err(), "{body:?}");
    }
    for body in [&[0xbf][..], &[0x81, 0x01], &[0x5f, 0x41]] {
        assert!(Protocol::RpcV2Cbor.decode(body).is_err(), "{body:?}");
    }
    assert_eq!(Protocol::RpcV2Cbor.decode(b"").unwrap(), Value::empty());
    assert_eq!(Protocol::AwsJson11.decode(b"").unwrap(), Value::empty());
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Identity {
    user_id: String,
    account: String,
    arn: String,
}

#[test]
fn query_results_render_as_op_response_xml() {
    let out = to_value(&Identity {
        user_id: "123456789012".into(),
        account: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:root".into(),
    })
    .unwrap();
    let r = Protocol::AwsQuery.render_ok(Service::Sts, "GetCallerIdentity", "rid-1", &out);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/xml");
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><UserId>123456789012</UserId><Account>123456789012</Account>\
         <Arn>arn:aws:iam::123456789012:root</Arn></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
}

#[test]
fn query_lists_render_as_members_and_text_is_escaped() {
    let out = Value::Struct(vec![(
        "Users".into(),
        Value::List(vec![Value::Struct(vec![(
            "UserName".into(),
            Value::Str("a<b>&\"c\"".into()),
        )])]),
    )]);
    let r = Protocol::AwsQuery.render_ok(Service::Iam, "ListUsers", "r", &out);
    let body = std::str::from_utf8(&r.body).unwrap();
    assert!(
        body.contains(
            "<Users><member><UserName>a&lt;b&gt;&amp;&quot;c&quot;</UserName></member></Users>"
        ),
        "{body}"
    );
}

#[test]
fn errors_render_as_each_protocol_expects() {
    let err = ApiError::new(404, "ResourceNotFoundException", "no such dashboard")
        .with_query_code("ResourceNotFound");

    // CloudWatch over JSON 1.0: __type plus the awsQuery code in x-amzn-query-error.
    let r = Protocol::AwsJson10.render_error(Some(Service::CloudWatch), "r", &err);
    assert_eq!(r.status, 404);
    assert_eq!(r.content_type, "application/x-amz-json-1.0");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"__type": "ResourceNotFoundException", "message": "no such dashboard"})
    );
    assert!(
        r.headers
            .contains(&("x-amzn-query-error", "ResourceNotFound;Sender".to_owned()))
    );

    // Logs over JSON 1.1: no query-error header.
    let r = Protocol::AwsJson11.render_error(Some(Service::Logs), "r", &err);
    assert!(r.headers.iter().all(|(h, _)| *h != "x-amzn-query-error"));

    // CloudWatch over CBOR: a CBOR map, the smithy-protocol header, the query code.
    let r = Protocol::RpcV2Cbor.render_error(Some(Service::CloudWatch), "r", &err);
    assert_eq!(r.content_type, "application/cbor");
    assert!(
        r.headers
            .contains(&("smithy-protocol", "rpc-v2-cbor".to_owned()))
    );
    assert!(
        r.headers
            .contains(&("x-amzn-query-error", "ResourceNotFound;Sender".to_owned()))
    );
    let mut expected = vec![0xa2];
    tstr("__type", &mut expected);
    expected.push(0x78);
    expected.push(25);
    expected.extend_from_slice(b"ResourceNotFoundException");
    tstr("message", &mut expected);
    tstr("no such dashboard", &mut expected);
    assert_eq!(&r.body[..], &expected[..]);

    // awsquery: ErrorResponse with the query code.
    let r = Protocol::AwsQuery.render_error(Some(Service::CloudWatch), "rid", &err);
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type>\
         <Code>ResourceNotFound</Code><Message>no such dashboard</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
    );

    // rest-json: X-Amzn-ErrorType.
    let r = Protocol::RestJson.render_error(
        Some(Service::Schemas),
        "r",
        &ApiError::new(404, "NotFoundException", "gone"),
    );
    assert!(
        r.headers
            .iter()
            .any(|(h, v)| h.eq_ignore_ascii_case("x-amzn-errortype") && v == "NotFoundException")
    );

    // A server fault says Receiver.
    let r = Protocol::AwsJson10.render_error(
        Some(Service::CloudWatch),
        "r",
        &ApiError::internal("boom"),
    );
    assert_eq!(r.status, 500);
    assert!(
        r.headers
            .iter()
            .any(|(h, v)| *h == "x-amzn-query-error" && v.ends_with(";Receiver"))
    );
}

#[test]
fn cbor_results_round_trip_timestamps_as_tag_1() {
    let out = Value::Struct(vec![("T".into(), Value::Timestamp(1_704_067_200.0))]);
    let r = Protocol::RpcV2Cbor.render_ok(Service::CloudWatch, "X", "r", &out);
    let mut expected = vec![0xa1];
    tstr("T", &mut expected);
    expected.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x92, 0x00, 0x80]);
    assert_eq!(&r.body[..], &expected[..]);
    assert_eq!(Protocol::RpcV2Cbor.decode(&r.body).unwrap(), out);
}

#[test]
fn json_results_write_timestamps_as_epoch_seconds() {
    let out = Value::Struct(vec![
        ("T".into(), Value::Timestamp(1_704_067_200.5)),
        ("B".into(), Value::Blob(b"hi".to_vec())),
    ]);
    let r = Protocol::AwsJson11.render_ok(Service::Logs, "X", "r", &out);
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"T":1704067200.5,"B":"aGk="}"#
    );
}

#[test]
fn target_prefixes_resolve_long_and_short() {
    assert_eq!(
        Service::from_target_prefix("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"),
        Some(Service::CloudTrail)
    );
    assert_eq!(
        Service::from_target_prefix("CloudTrail_20131101"),
        Some(Service::CloudTrail)
    );
    assert_eq!(
        Service::from_target_prefix("Logs_20140328"),
        Some(Service::Logs)
    );
    assert_eq!(Service::from_target_prefix("Nope_2020"), None);
}
