//! The fast PutMetricData read against the generic read on the same bodies: equal datums where
//! it reads a body, the generic read's outcome (errors included) wherever it does not, and the
//! same responses and audit records through the whole pipeline.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_metrics::SimClock;
use openwatch_metrics::{DimensionRef, MetricDatum, MetricDatumRef, Metrics, MetricsOptions};
use openwatch_wire::protocol::{cbor, cbor_de, json_de};
use openwatch_wire::testing::TestClient;
use openwatch_wire::value::DecodeError;
use openwatch_wire::{Operation, Protocol, Registry, Service};

use super::super::put_data::{PutMetricDataInput, put_metric_data};
use super::*;

/// 2026-01-01T01:00:00Z.
const NOW: i64 = 1_767_229_200_000;

/// What the generic read makes of a body: the namespace and the datums.
fn generic(
    protocol: Protocol,
    body: &[u8],
) -> Result<(Option<String>, Vec<MetricDatum>), DecodeError> {
    let input: PutMetricDataInput = match protocol {
        Protocol::RpcV2Cbor => cbor_de::from_cbor(body)?,
        _ => json_de::from_json(body)?,
    };
    Ok((
        input.namespace,
        input.metric_data.map(|d| d.0).unwrap_or_default(),
    ))
}

/// Datums compared by their debug form (NaN equals NaN, -0.0 differs from 0.0).
fn shown(data: &[MetricDatumRef<'_>]) -> String {
    format!("{data:?}")
}

fn shown_owned(data: &[MetricDatum]) -> String {
    let dims: Vec<Vec<DimensionRef<'_>>> = data
        .iter()
        .map(|d| d.dimensions.iter().map(DimensionRef::from).collect())
        .collect();
    let refs: Vec<MetricDatumRef<'_>> = data
        .iter()
        .zip(&dims)
        .map(|(d, dims)| MetricDatumRef::borrowing(d, dims))
        .collect();
    shown(&refs)
}

/// Checks one body; returns whether the fast read took it.
pub(super) fn same_as_generic(protocol: Protocol, body: &[u8]) -> bool {
    let Some(read) = read(protocol, body) else {
        return false;
    };
    assert_eq!(
        protocol.validate(body),
        Ok(()),
        "{}",
        String::from_utf8_lossy(body)
    );
    let (namespace, data) = generic(protocol, body)
        .unwrap_or_else(|e| panic!("fast read of a body the generic read refuses ({e}): {body:?}"));
    assert_eq!(read.namespace(), namespace.as_deref());
    let dims = read.dims();
    assert_eq!(
        shown(&read.data(&dims)),
        shown_owned(&data),
        "{}",
        String::from_utf8_lossy(body)
    );
    true
}

/// The body of `json` in CBOR.
fn packed(json: &str) -> Vec<u8> {
    let mut out = Vec::new();
    cbor::encode(
        &openwatch_wire::protocol::json::decode(json.as_bytes()).unwrap(),
        &mut out,
    );
    out
}

#[test]
fn common_bodies_are_read_fast_and_as_the_generic_read_reads_them() {
    let bodies = [
        r#"{"Namespace": "cpu", "MetricData": [{"MetricName": "usage_user", "Dimensions":
            [{"Name": "host", "Value": "h1"}, {"Name": "région", "Value": "ü ✓ 😀"}],
            "Timestamp": 1767225600, "Value": 12.34, "StorageResolution": 60, "Unit": "Percent"}]}"#,
        r#"{"MetricData": [{"MetricName": "m", "Timestamp": 1767225600.5, "Values": [1, 2.5, -0],
            "Counts": [3, 4e0, 1E2], "StatisticValues": {"SampleCount": 2, "Sum": 3, "Minimum": 1,
            "Maximum": 2}}, {}, {"Dimensions": []}, {"StatisticValues": {}}], "Namespace": "n"}"#,
        r#"{"Namespace": "n"}"#,
        r#"{}"#,
        r#"{"MetricData": []}"#,
        r#"{"MetricData": [{"Dimensions": [{"Value": "v"}, {"Name": "n"}, {}]}]}"#,
        r#"{"MetricData": [{"Value": 1e308, "StorageResolution": 1.0, "Timestamp": -1.5}]}"#,
        r#"{"MetricData": [{"Value": 18446744073709551615, "Timestamp": 9223372036854775807}]}"#,
        r#"{"MetricData": [{"Value": -9223372036854775808, "StorageResolution": 123456789012345678}]}"#,
        "\t{ \"MetricData\" :\n[ { \"Value\" : 0.1 } ] }\r\n ",
    ];
    for body in bodies {
        assert!(
            same_as_generic(Protocol::AwsJson10, body.as_bytes()),
            "{body}"
        );
        assert!(
            same_as_generic(Protocol::RpcV2Cbor, &packed(body)),
            "{body}"
        );
    }
}

#[test]
fn unusual_bodies_are_left_to_the_generic_read() {
    let bodies = [
        // Escapes, nulls, wrong types, unknown and repeated members.
        r#"{"Namespace": "c\u0070u"}"#,
        r#"{"MetricData": [{"MetricName": "a\"b"}]}"#,
        r#"{"Namespace": null}"#,
        r#"{"MetricData": null}"#,
        r#"{"MetricData": [{"Value": null}]}"#,
        r#"{"MetricData": [{"Value": "1"}]}"#,
        r#"{"MetricData": [{"Timestamp": "2026-01-01T00:00:00Z"}]}"#,
        r#"{"MetricData": [{"StorageResolution": 1.5}]}"#,
        r#"{"MetricData": [{"MetricName": 7}]}"#,
        r#"{"MetricData": [{"Dimensions": [{"Name": null}]}]}"#,
        r#"{"MetricData": [{"Dimensions": {"Name": "a"}}]}"#,
        r#"{"MetricData": [{"Values": [1, "2"]}]}"#,
        r#"{"MetricData": {"MetricName": "m"}}"#,
        r#"{"MetricData": [7]}"#,
        r#"{"MetricData": [{"Extra": 1}]}"#,
        r#"{"Extra": 1}"#,
        r#"{"Namespace": "a", "Namespace": "b"}"#,
        r#"{"MetricData": [{"Value": 1, "Value": 2}]}"#,
        r#"{"MetricData": [{"Dimensions": [{"Name": "a", "Name": "b"}]}]}"#,
        r#"{"MetricData": [{"StatisticValues": {"Sum": 1, "Sum": 2}}]}"#,
        r#"{"MetricData": [{"StatisticValues": {"Other": 1}}]}"#,
        // Malformed.
        r#"{"MetricData": [{"Value": 1e400}]}"#,
        r#"{"MetricData": [{"Value": 01}]}"#,
        r#"{"MetricData": [}"#,
        r#"{"Namespace": "a"} {}"#,
        r#"[]"#,
        "",
    ];
    for body in bodies {
        assert!(
            read(Protocol::AwsJson10, body.as_bytes()).is_none(),
            "{body}"
        );
    }
    // CBOR: indefinite-length text, other tags, a tag 1 around text, null, a map key that is
    // not text, trailing bytes, a datum list of one non-map.
    let cases: [&[u8]; 7] = [
        &[
            0xa1, 0x69, b'N', b'a', b'm', b'e', b's', b'p', b'a', b'c', b'e', 0x7f, 0x61, b'a',
            0xff,
        ],
        &[
            0xa1, 0x69, b'N', b'a', b'm', b'e', b's', b'p', b'a', b'c', b'e', 0xc2, 0x61, b'a',
        ],
        &[
            0xa1, 0x6a, b'M', b'e', b't', b'r', b'i', b'c', b'D', b'a', b't', b'a', 0x81, 0xa1,
            0x69, b'T', b'i', b'm', b'e', b's', b't', b'a', b'm', b'p', 0xc1, 0x61, b'1',
        ],
        &[
            0xa1, 0x69, b'N', b'a', b'm', b'e', b's', b'p', b'a', b'c', b'e', 0xf6,
        ],
        &[0xa1, 0x01, 0x01],
        &[0xa0, 0xa0],
        &[
            0xa1, 0x6a, b'M', b'e', b't', b'r', b'i', b'c', b'D', b'a', b't', b'a', 0x81, 0x01,
        ],
    ];
    for body in cases {
        assert!(read(Protocol::RpcV2Cbor, body).is_none(), "{body:02x?}");
    }
}

#[test]
fn cbor_in_the_form_the_sdks_send_is_read_fast() {
    // aws-sdk-rust: indefinite-length maps, definite lists, tag 1 around a double, floats of
    // every width, a half-float NaN as a value.
    let mut body = vec![0xbf];
    let text = |s: &str, out: &mut Vec<u8>| {
        out.push(0x60 | s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    };
    text("Namespace", &mut body);
    text("ns", &mut body);
    text("MetricData", &mut body);
    body.push(0x83);
    body.push(0xbf);
    text("MetricName", &mut body);
    text("m", &mut body);
    text("Timestamp", &mut body);
    body.extend_from_slice(&[0xc1, 0xfb]);
    body.extend_from_slice(&1_767_225_600.25f64.to_be_bytes());
    text("Value", &mut body);
    body.extend_from_slice(&[0xfa]);
    body.extend_from_slice(&0.5f32.to_be_bytes());
    text("StorageResolution", &mut body);
    body.push(0x01);
    body.push(0xff);
    body.extend_from_slice(&[0xbf]);
    text("Value", &mut body);
    body.extend_from_slice(&[0xf9, 0x7e, 0x00]);
    text("Timestamp", &mut body);
    body.extend_from_slice(&[0xc1, 0x1a, 0x69, 0x55, 0xb9, 0x00]);
    body.push(0xff);
    body.extend_from_slice(&[0xbf, 0xff]);
    body.push(0xff);
    assert!(same_as_generic(Protocol::RpcV2Cbor, &body));
}

/// A client whose PutMetricData reads bodies fast or only the generic way.
fn client(fast: bool) -> (TestClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(NOW));
    let metrics = Arc::new(Metrics::open(dir.path(), clock, MetricsOptions::default()).unwrap());
    let m = Arc::clone(&metrics);
    let op = Operation::new(Service::CloudWatch, "PutMetricData", move |ctx, input| {
        let m = Arc::clone(&m);
        async move { put_metric_data(&m, ctx, input).await }
    });
    let mut registry = Registry::new();
    registry.add(if fast {
        op.read_body_with(reader(metrics))
    } else {
        op
    });
    (TestClient::new(registry, Arc::new(|| NOW)), dir)
}

#[tokio::test]
async fn through_the_pipeline_answers_and_audit_records_are_the_generic_reads() {
    let hour_ago = NOW / 1000 - 3_600;
    let bodies = [
        format!(
            r#"{{"Namespace": "cpu", "MetricData": [{{"MetricName": "m", "Value": 1.5,
            "Timestamp": {hour_ago}, "Dimensions": [{{"Name": "h", "Value": "a"}}]}}]}}"#
        ),
        // Engine errors: no namespace, no metric name, a value and values, a bad unit, a
        // reserved namespace, too old, a bad storage resolution, an empty dimension name.
        format!(r#"{{"MetricData": [{{"MetricName": "m", "Value": 1, "Timestamp": {hour_ago}}}]}}"#),
        r#"{"Namespace": "n", "MetricData": [{"Value": 1}]}"#.to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, "Values": [1]}]}"#
            .to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, "Unit": "Parsecs"}]}"#
            .to_owned(),
        r#"{"Namespace": "AWS/EC2", "MetricData": [{"MetricName": "m", "Value": 1}]}"#.to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, "Timestamp": 1}]}"#
            .to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, "StorageResolution": 7}]}"#
            .to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, "Dimensions": [{"Value": "v"}]}]}"#
            .to_owned(),
        r#"{"Namespace": "n", "MetricData": []}"#.to_owned(),
        r#"{"Namespace": "n"}"#.to_owned(),
        // Left to the generic read: shape errors and malformed bodies.
        r#"{"Namespace": "n", "MetricData": [{"MetricName": 7}]}"#.to_owned(),
        r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "x"}]}"#.to_owned(),
        r#"{"Namespace": "n", "MetricData": [}"#.to_owned(),
        r#"{"Namespace": "a\u0062", "MetricData": [{"MetricName": "m", "Value": 1}]}"#.to_owned(),
    ];
    let headers = [
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        (
            "x-amz-target",
            "GraniteServiceVersion20100801.PutMetricData".to_owned(),
        ),
    ];
    let cbor_headers = [
        ("content-type", "application/cbor".to_owned()),
        ("smithy-protocol", "rpc-v2-cbor".to_owned()),
    ];
    let cbor_path = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    for (i, body) in bodies.iter().enumerate() {
        // The first eleven are read fast, the others by the generic read only.
        assert_eq!(
            read(Protocol::AwsJson10, body.as_bytes()).is_some(),
            i < 11,
            "{body}"
        );
        let mut answers = Vec::new();
        for fast in [false, true] {
            let (c, _dir) = client(fast);
            let json = c
                .send(
                    Service::CloudWatch,
                    "/",
                    &headers,
                    body.clone().into_bytes(),
                )
                .await;
            let packed = openwatch_wire::protocol::json::decode(body.as_bytes())
                .map(|v| {
                    let mut out = Vec::new();
                    cbor::encode(&v, &mut out);
                    out
                })
                .unwrap_or_else(|_| body.clone().into_bytes());
            let cbor = c
                .send(Service::CloudWatch, cbor_path, &cbor_headers, packed)
                .await;
            let audit: Vec<_> = c
                .audit
                .0
                .lock()
                .iter()
                .map(|e| {
                    (
                        e.request_parameters.clone(),
                        e.error_code.clone(),
                        e.error_message.clone(),
                        e.resources.clone(),
                    )
                })
                .collect();
            answers.push((
                (
                    json.status,
                    json.body.clone(),
                    json.header("x-amzn-query-error").map(str::to_owned),
                ),
                (cbor.status, cbor.body),
                audit,
            ));
        }
        assert_eq!(answers[0], answers[1], "{body}");
    }
}
