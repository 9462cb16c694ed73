//! CPU of reading a 1,000-datum PutMetricData body (the metrics benchmark's shape: six
//! dimensions, a value, a timestamp, a storage resolution) straight into an input shape: the
//! CBOR body checked first and then read (two walks, text checked twice), read once (the read
//! checks the body), and the awsJson body read once, for comparison.
//!
//! `cargo run --release -p openwatch-wire --example cbor_read`

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::Deserialize;

use openwatch_wire::Value;
use openwatch_wire::protocol::{cbor, cbor_de, json_de};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Dim {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Datum {
    #[serde(default)]
    metric_name: Option<String>,
    #[serde(default)]
    dimensions: Option<Vec<Dim>>,
    #[serde(default)]
    timestamp: Option<openwatch_wire::Timestamp>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    storage_resolution: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Input {
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    metric_data: Option<Vec<Datum>>,
}

fn body() -> Value {
    let names = ["hostname", "region", "datacenter", "rack", "os", "arch"];
    let data = (0..1_000)
        .map(|i| {
            let dims = names
                .iter()
                .map(|n| {
                    Value::Struct(vec![
                        ("Name".into(), Value::Str((*n).into())),
                        ("Value".into(), Value::Str(format!("{n}_{}", i / 10))),
                    ])
                })
                .collect();
            Value::Struct(vec![
                ("MetricName".into(), Value::Str(format!("usage_{}", i % 10))),
                ("Dimensions".into(), Value::List(dims)),
                ("Timestamp".into(), Value::Timestamp(1_767_225_600.0)),
                ("Value".into(), Value::Float(f64::from(i) / 7.0)),
                ("StorageResolution".into(), Value::Int(1)),
            ])
        })
        .collect();
    Value::Struct(vec![
        ("Namespace".into(), Value::Str("cpu".into())),
        ("MetricData".into(), Value::List(data)),
    ])
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (Linux; wall time
/// elsewhere), so that other processes on a loaded machine do not count.
fn cpu_now(start: Instant) -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| start.elapsed(), Duration::from_nanos)
}

fn per_call(n: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..n / 10 {
        f();
    }
    let start = Instant::now();
    let before = cpu_now(start);
    for _ in 0..n {
        f();
    }
    (cpu_now(start) - before) / n
}

fn main() {
    let v = body();
    let mut packed = Vec::new();
    cbor::encode(&v, &mut packed);
    let text = v.to_json().to_string();
    let n = 400;
    for round in 0..3 {
        let checked = per_call(n, || {
            cbor::validate(black_box(&packed)).expect("valid");
            black_box(cbor_de::from_cbor::<Input>(&packed).expect("reads"));
        });
        let once = per_call(n, || {
            black_box(cbor_de::from_cbor::<Input>(black_box(&packed)).expect("reads"));
        });
        let json = per_call(n, || {
            black_box(json_de::from_json::<Input>(black_box(text.as_bytes())).expect("reads"));
        });
        println!(
            "round {round} (thread CPU per body): CBOR {} B: check + read {:.0} µs, read only {:.0} µs; awsJson {} B read {:.0} µs",
            packed.len(),
            checked.as_secs_f64() * 1e6,
            once.as_secs_f64() * 1e6,
            text.len(),
            json.as_secs_f64() * 1e6,
        );
    }
}
