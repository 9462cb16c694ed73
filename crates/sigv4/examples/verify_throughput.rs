//! Rough single-thread throughput of `parse` + `verify` for typical requests.
//!
//! `cargo run --release -p openwatch-sigv4 --example verify_throughput`

use std::time::Instant;

use http::{HeaderMap, HeaderValue, Method, Uri};
use openwatch_sigv4::{PayloadSigning, SigningKeyCache, SigningParams, parse, sign_request};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let uri: Uri = "/".parse()?;
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:18080"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("GraniteServiceVersion20100801.PutMetricData"),
    );
    headers.insert("x-amzn-query-mode", HeaderValue::from_static("true"));
    headers.insert(
        "user-agent",
        HeaderValue::from_static("aws-cli/1.46.3 md/Botocore#1.43.62 ua/2.1 os/linux"),
    );
    let body = br#"{"Namespace": "MyApp", "MetricData": [{"MetricName": "Latency", "Value": 12.5, "Unit": "Milliseconds", "Dimensions": [{"Name": "Host", "Value": "a"}]}]}"#;
    let now = 1_764_336_750;
    let params = SigningParams {
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: SECRET,
        session_token: None,
        region: "us-east-1",
        service: "monitoring",
        time_unix: now,
        payload: PayloadSigning::Hash,
    };
    for (k, v) in sign_request(
        &Method::POST,
        &"http://127.0.0.1:18080/".parse()?,
        &headers,
        body,
        &params,
    )? {
        headers.insert(k, v);
    }
    let keys = SigningKeyCache::new();
    for big in [false, true] {
        let body: Vec<u8> = if big { body.repeat(64) } else { body.to_vec() };
        let mut headers = headers.clone();
        if big {
            for (k, v) in sign_request(
                &Method::POST,
                &"http://127.0.0.1:18080/".parse()?,
                &headers,
                &body,
                &params,
            )? {
                headers.insert(k, v);
            }
        }
        let n = 200_000;
        let start = Instant::now();
        for _ in 0..n {
            let parsed = parse(&Method::POST, &uri, &headers)?;
            parsed.verify(SECRET, &body, now, &keys)?;
        }
        let el = start.elapsed();
        println!(
            "body {:>6} B: {:>8.0} verifications/s per core ({:.2} µs each)",
            body.len(),
            n as f64 / el.as_secs_f64(),
            el.as_secs_f64() * 1e6 / n as f64
        );
    }
    Ok(())
}
