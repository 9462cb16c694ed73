//! Reading shapes straight from request bodies — CBOR (`cbor_de::from_cbor`) and awsJson
//! (`json_de::from_json`) — gives exactly what the Value path gives (`from_value(decode(body))`)
//! on every body `validate` accepts: the same shapes, the same errors; `validate` fails exactly
//! when `decode` fails, with the same message; and a direct read (CBOR or JSON) succeeds only on
//! bodies `validate` accepts, so the pipeline checks a body only when its read fails.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use openwatch_wire::protocol::{cbor, cbor_de, json, json_de};
use openwatch_wire::value::{DecodeError, from_value};
use openwatch_wire::{Blob, Timestamp, Value};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Dim {
    name: String,
    value: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Unit {
    Seconds,
    Count,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Datum {
    #[serde(default)]
    metric_name: Option<String>,
    #[serde(default)]
    dimensions: Option<Vec<Dim>>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    values: Option<Vec<f64>>,
    #[serde(default)]
    unit: Option<Unit>,
    #[serde(default)]
    storage_resolution: Option<i32>,
    #[serde(default)]
    flag: Option<bool>,
    #[serde(default)]
    data: Option<Blob>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input {
    namespace: String,
    #[serde(default)]
    metric_data: Option<Vec<Datum>>,
    #[serde(default)]
    count: Option<u8>,
    #[serde(default)]
    document: Option<Value>,
}

fn both(body: &[u8]) -> (Result<(), String>, Result<Value, String>) {
    (cbor::validate(body), cbor::decode(body))
}

/// Compares the two paths on one body; a direct read succeeds only where `validate` does.
fn same(body: &[u8]) -> Result<(), TestCaseError> {
    let (valid, decoded) = both(body);
    prop_assert_eq!(valid.clone().err(), decoded.clone().err());
    let direct: Result<Input, DecodeError> = cbor_de::from_cbor(body);
    if direct.is_ok() {
        prop_assert_eq!(&valid, &Ok(()));
    }
    if let Ok(v) = decoded {
        let via_value: Result<Input, DecodeError> = from_value(v);
        prop_assert_eq!(direct, via_value);
    }
    Ok(())
}

/// Compares the two JSON paths on one body; a direct read succeeds only where `validate` does
/// (the pipeline checks a body only when its read fails).
fn same_json(body: &[u8]) -> Result<(), TestCaseError> {
    let valid = json_de::validate(body);
    let decoded = json::decode(body);
    prop_assert_eq!(valid.clone().err(), decoded.clone().err());
    let direct: Result<Input, DecodeError> = json_de::from_json(body);
    if direct.is_ok() {
        prop_assert_eq!(&valid, &Ok(()));
    }
    if let Ok(v) = decoded {
        let via_value: Result<Input, DecodeError> = from_value(v);
        prop_assert_eq!(direct, via_value);
    }
    Ok(())
}

/// JSON text for a value as a client would send it (timestamps as epoch seconds, blobs base64).
fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) | Value::Timestamp(f) => {
            serde_json::Number::from_f64(*f).map_or(J::String("NaN".into()), J::Number)
        }
        Value::Str(s) => J::String(s.clone()),
        Value::Blob(b) => J::String(openwatch_wire::value::base64_encode(b)),
        Value::List(l) => J::Array(l.iter().map(to_json).collect()),
        Value::Struct(m) | Value::Map(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (-300i64..300).prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        (0.0f64..2e9).prop_map(Value::Timestamp),
        "[a-zA-Z0-9 ]{0,8}".prop_map(Value::Str),
        prop_oneof![
            Just("Seconds"),
            Just("Count"),
            Just("NaN"),
            Just("42"),
            Just("")
        ]
        .prop_map(|s| Value::Str(s.into())),
        proptest::collection::vec(any::<u8>(), 0..4).prop_map(Value::Blob),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Namespace"),
        Just("MetricData"),
        Just("Count"),
        Just("Document"),
        Just("MetricName"),
        Just("Dimensions"),
        Just("Timestamp"),
        Just("Value"),
        Just("Values"),
        Just("Unit"),
        Just("StorageResolution"),
        Just("Flag"),
        Just("Data"),
        Just("Tags"),
        Just("Name"),
        Just("Other"),
    ]
    .prop_map(str::to_owned)
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            proptest::collection::vec((key(), inner), 0..6).prop_map(Value::Struct),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn direct_reading_matches_the_value_path(members in proptest::collection::vec((key(), value()), 0..6)) {
        let mut body = Vec::new();
        cbor::encode(&Value::Struct(members), &mut body);
        same(&body)?;
    }

    #[test]
    fn direct_json_reading_matches_the_value_path(members in proptest::collection::vec((key(), value()), 0..6)) {
        let body = to_json(&Value::Struct(members)).to_string();
        same_json(body.as_bytes())?;
    }

    #[test]
    fn arbitrary_json_text_fails_alike(text in "[ {}\\[\\],:\"a-zA-Z0-9.eE+-]{0,80}") {
        same_json(text.as_bytes())?;
    }

    #[test]
    fn mutated_json_fails_alike(
        members in proptest::collection::vec((key(), value()), 1..4),
        flip in any::<usize>(),
        byte in proptest::sample::select(b" {}[],:\"0123456789.eE-tfnx".to_vec()),
    ) {
        let mut body = to_json(&Value::Struct(members)).to_string().into_bytes();
        let i = flip % body.len();
        body[i] = byte;
        same_json(&body)?;
    }

    #[test]
    fn arbitrary_bytes_fail_alike(data in proptest::collection::vec(any::<u8>(), 0..128)) {
        same(&data)?;
    }

    #[test]
    fn mutated_bodies_fail_alike(
        members in proptest::collection::vec((key(), value()), 1..4),
        flip in any::<usize>(),
        byte in any::<u8>(),
    ) {
        let mut body = Vec::new();
        cbor::encode(&Value::Struct(members), &mut body);
        let i = flip % body.len();
        body[i] = byte;
        same(&body)?;
    }
}

#[test]
fn indefinite_lengths_tags_and_empty_bodies_read_alike() {
    // {_ "Namespace": (_ "a" "b"), "MetricData": [_ {_ "Value": 1.5(half), "Timestamp": 1(7),
    //   "Unit": "Count", "Dimensions": [{"Name": "h", "Value": "x"}]}], "Count": 7 }
    let mut body = vec![0xbf, 0x69];
    body.extend_from_slice(b"Namespace");
    body.extend_from_slice(&[0x7f, 0x61, b'a', 0x61, b'b', 0xff, 0x6a]);
    body.extend_from_slice(b"MetricData");
    body.extend_from_slice(&[0x9f, 0xbf, 0x65]);
    body.extend_from_slice(b"Value");
    body.extend_from_slice(&[0xf9, 0x3e, 0x00, 0x69]);
    body.extend_from_slice(b"Timestamp");
    body.extend_from_slice(&[0xc1, 0x07, 0x64]);
    body.extend_from_slice(b"Unit");
    body.push(0x65);
    body.extend_from_slice(b"Count");
    body.push(0x6a);
    body.extend_from_slice(b"Dimensions");
    body.extend_from_slice(&[0x81, 0xa2, 0x64]);
    body.extend_from_slice(b"Name");
    body.extend_from_slice(&[0x61, b'h', 0x65]);
    body.extend_from_slice(b"Value");
    body.extend_from_slice(&[0x61, b'x', 0xff, 0xff, 0x65]);
    body.extend_from_slice(b"Count");
    body.extend_from_slice(&[0x07, 0xff]);
    let direct: Input = cbor_de::from_cbor(&body).expect("reads");
    let via_value: Input = from_value(cbor::decode(&body).expect("decodes")).expect("reads");
    assert_eq!(direct, via_value);
    assert_eq!(direct.namespace, "ab");
    let d = &direct.metric_data.as_ref().expect("data")[0];
    assert_eq!(d.timestamp, Some(Timestamp(7.0)));
    assert_eq!(d.value, Some(1.5));
    assert_eq!(d.unit, Some(Unit::Count));
    assert_eq!(direct.count, Some(7));

    // An empty body is an empty structure on both paths: Namespace is missing.
    assert_eq!(cbor::validate(&[]), Ok(()));
    assert_eq!(
        cbor_de::from_cbor::<Input>(&[]),
        Err(DecodeError::MissingField("Namespace".into()))
    );
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutInput {
    namespace: String,
    #[serde(default)]
    metric_data: Option<Vec<Dim>>,
}

/// A PutMetricData stand-in through the whole pipeline in CBOR: the handler gets the datums, the
/// audit record keeps the namespace and leaves the datums out; an input the shape cannot read is
/// refused with the service's validation error and recorded as sent, datums still left out.
#[tokio::test]
async fn cbor_calls_are_read_directly_and_audited_without_their_payload() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use openwatch_wire::testing::TestClient;
    use openwatch_wire::{Operation, Registry, Service};

    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let mut registry = Registry::new();
    registry.add(Operation::new(
        Service::CloudWatch,
        "PutMetricData",
        move |_ctx, input: PutInput| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(input.metric_data.map_or(0, |d| d.len()), Ordering::Relaxed);
                Ok::<_, openwatch_wire::ApiError>(serde_json::json!({}))
            }
        },
    ));
    let client = TestClient::new(registry, Arc::new(|| 1_767_229_200_000));
    let dim = |n: &str| {
        Value::Struct(vec![
            ("Name".into(), Value::Str(n.into())),
            ("Value".into(), Value::Str("v".into())),
        ])
    };
    let body = Value::Struct(vec![
        ("Namespace".into(), Value::Str("App".into())),
        ("MetricData".into(), Value::List(vec![dim("a"), dim("b")])),
    ]);
    let resp = client
        .cbor(Service::CloudWatch, "PutMetricData", &body)
        .await;
    assert_eq!(resp.status, 200, "{:?}", resp.cbor());
    assert_eq!(seen.load(Ordering::Relaxed), 2);

    let bad = Value::Struct(vec![
        ("Namespace".into(), Value::Int(7)),
        ("MetricData".into(), Value::List(vec![dim("a")])),
    ]);
    let resp = client
        .cbor(Service::CloudWatch, "PutMetricData", &bad)
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(seen.load(Ordering::Relaxed), 2);

    let events = client.audit.0.lock();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0].request_parameters,
        Some(serde_json::json!({"namespace": "App"}))
    );
    assert_eq!(
        events[1].request_parameters,
        Some(serde_json::json!({"namespace": 7}))
    );
    assert!(events[1].error_code.is_some());
}
