//! OpenWatch over HTTP: signed PutMetricData in batches of 1,000 datums, once in smithy-rpc-v2-cbor
//! (what aws-sdk-rust sends) and once in awsJson1_0 (botocore), each against a fresh in-process
//! server; then GetMetricData latency for one series over the day and for a Metrics Insights
//! `GROUP BY` over 10,000 series.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use openwatch_metrics::{Dimension, MetricDatum};
use openwatch_wire::Value;

use super::data::{DataSet, HOSTS, Rounding, host_dims};
use crate::http_client::{Sender, connect, exchange, start_dev_server};

/// The wire protocol of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Cbor,
    Json,
}

impl Proto {
    pub fn label(self) -> &'static str {
        match self {
            Proto::Cbor => "CBOR",
            Proto::Json => "JSON 1.0",
        }
    }
}

/// One prepared, signed request.
pub struct Prepared {
    path: &'static str,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Prepared {
    /// An unsigned request (for the peers).
    pub fn raw(path: &'static str, headers: http::HeaderMap, body: Vec<u8>) -> Prepared {
        Prepared {
            path,
            headers,
            body: Bytes::from(body),
        }
    }
}

/// An OpenWatch server in this process on a fresh data directory.
pub struct Local {
    rt: tokio::runtime::Runtime,
    server: Option<openwatch_server::Server>,
    pub authority: String,
    _dir: tempfile::TempDir,
}

impl Local {
    pub fn start() -> anyhow::Result<Local> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let dir = tempfile::tempdir()?;
        let server = start_dev_server(&rt, dir.path().to_path_buf())?;
        let authority = server.local_addr().to_string();
        Ok(Local {
            rt,
            server: Some(server),
            authority,
            _dir: dir,
        })
    }

    pub fn stop(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown())?;
        }
        Ok(())
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Signs a CloudWatch request (`monitoring`, us-east-1, `test`/`test`).
pub fn prepare(proto: Proto, op: &str, authority: &str, body: Vec<u8>) -> anyhow::Result<Prepared> {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::HOST, authority.parse()?);
    let path: &'static str = match (proto, op) {
        (Proto::Json, _) => "/",
        (Proto::Cbor, "PutMetricData") => {
            "/service/GraniteServiceVersion20100801/operation/PutMetricData"
        }
        (Proto::Cbor, _) => "/service/GraniteServiceVersion20100801/operation/GetMetricData",
    };
    match proto {
        Proto::Json => {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/x-amz-json-1.0"),
            );
            headers.insert(
                "x-amz-target",
                format!("GraniteServiceVersion20100801.{op}").parse()?,
            );
        }
        Proto::Cbor => {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/cbor"),
            );
            headers.insert(
                http::header::ACCEPT,
                http::HeaderValue::from_static("application/cbor"),
            );
            headers.insert(
                "smithy-protocol",
                http::HeaderValue::from_static("rpc-v2-cbor"),
            );
        }
    }
    let uri: http::Uri = format!("http://{authority}{path}").parse()?;
    let params = openwatch_sigv4::SigningParams {
        access_key_id: "test",
        secret_access_key: "test",
        region: "us-east-1",
        service: "monitoring",
        time_unix: now_secs(),
        session_token: None,
        payload: openwatch_sigv4::PayloadSigning::Hash,
    };
    let added = openwatch_sigv4::sign_request(&http::Method::POST, &uri, &headers, &body, &params)
        .context("cannot sign the request")?;
    for (name, value) in added {
        headers.insert(name, value);
    }
    Ok(Prepared {
        path,
        headers,
        body: Bytes::from(body),
    })
}

/// A PutMetricData body for `datums` in `proto`.
pub fn put_body(proto: Proto, namespace: &str, datums: &[MetricDatum]) -> Vec<u8> {
    match proto {
        Proto::Cbor => {
            let data = datums
                .iter()
                .map(|d| {
                    let dims = d
                        .dimensions
                        .iter()
                        .map(|x| {
                            Value::Struct(vec![
                                ("Name".into(), Value::Str(x.name.clone())),
                                ("Value".into(), Value::Str(x.value.clone())),
                            ])
                        })
                        .collect();
                    Value::Struct(vec![
                        (
                            "MetricName".into(),
                            Value::Str(d.metric_name.clone().unwrap_or_default()),
                        ),
                        ("Dimensions".into(), Value::List(dims)),
                        (
                            "Timestamp".into(),
                            Value::Timestamp(d.timestamp.unwrap_or(0) as f64 / 1e3),
                        ),
                        ("Value".into(), Value::Float(d.value.unwrap_or(0.0))),
                        (
                            "StorageResolution".into(),
                            Value::Int(d.storage_resolution.unwrap_or(60)),
                        ),
                    ])
                })
                .collect();
            let v = Value::Struct(vec![
                ("Namespace".into(), Value::Str(namespace.into())),
                ("MetricData".into(), Value::List(data)),
            ]);
            let mut out = Vec::new();
            openwatch_wire::protocol::cbor::encode(&v, &mut out);
            out
        }
        Proto::Json => {
            let data: Vec<serde_json::Value> = datums
                .iter()
                .map(|d| {
                    let dims: Vec<serde_json::Value> = d
                        .dimensions
                        .iter()
                        .map(|x| serde_json::json!({"Name": x.name, "Value": x.value}))
                        .collect();
                    serde_json::json!({
                        "MetricName": d.metric_name,
                        "Dimensions": dims,
                        "Timestamp": d.timestamp.unwrap_or(0) / 1_000,
                        "Value": d.value,
                        "StorageResolution": d.storage_resolution.unwrap_or(60),
                    })
                })
                .collect();
            serde_json::json!({"Namespace": namespace, "MetricData": data})
                .to_string()
                .into_bytes()
        }
    }
}

/// Sends one request and returns the response body, failing on a non-2xx status.
async fn send(sender: &mut Sender, p: &Prepared) -> anyhow::Result<Bytes> {
    let mut req = http::Request::post(p.path).body(Full::new(p.body.clone()))?;
    *req.headers_mut() = p.headers.clone();
    exchange(sender, req).await
}

/// Sends every request over `connections` keep-alive connections; returns the wall time.
pub fn send_all(
    rt: &tokio::runtime::Runtime,
    authority: &str,
    reqs: Vec<Prepared>,
    connections: usize,
) -> anyhow::Result<Duration> {
    rt.block_on(async {
        let reqs = Arc::new(reqs);
        let next = Arc::new(AtomicUsize::new(0));
        let mut senders = Vec::new();
        for _ in 0..connections {
            senders.push(connect(authority).await?);
        }
        let started = Instant::now();
        let tasks: Vec<_> = senders
            .into_iter()
            .map(|mut sender| {
                let (reqs, next) = (Arc::clone(&reqs), Arc::clone(&next));
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(p) = reqs.get(i) else { break };
                        send(&mut sender, p).await?;
                    }
                    Ok::<_, anyhow::Error>(())
                })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        Ok(started.elapsed())
    })
}

/// PutMetricData of the whole data set in `proto` over `connections` connections against a fresh
/// server; bodies are built and signed one hour at a time, outside the timed part. Returns
/// samples/s and the server (loaded, for the query latencies).
pub fn put_rate(
    data: &DataSet,
    r: Rounding,
    proto: Proto,
    connections: usize,
    client: &tokio::runtime::Runtime,
) -> anyhow::Result<(f64, Local)> {
    let local = Local::start()?;
    let dims: Vec<Vec<Dimension>> = (0..HOSTS).map(host_dims).collect();
    let mut elapsed = Duration::ZERO;
    let (mut cpu, mut requests) = (Duration::ZERO, 0usize);
    for hour in 0..data.hours() {
        let datums = data.hour_datums(hour, r, &dims);
        let reqs = datums
            .chunks(1_000)
            .map(|c| {
                prepare(
                    proto,
                    "PutMetricData",
                    &local.authority,
                    put_body(proto, "cpu", c),
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        requests += reqs.len();
        let before = process_cpu();
        elapsed += send_all(client, &local.authority, reqs, connections)?;
        cpu += process_cpu().saturating_sub(before);
    }
    // CPU time is what a loaded machine cannot distort: the whole process (server and client)
    // per request while the requests were in flight.
    if requests > 0 && cpu > Duration::ZERO {
        println!(
            "  {}: {requests} requests, process CPU {:.2} ms per 1,000-datum request (server + client), {:.2} CPU busy",
            proto.label(),
            cpu.as_secs_f64() * 1e3 / requests as f64,
            cpu.as_secs_f64() / elapsed.as_secs_f64()
        );
    }
    Ok((data.samples() as f64 / elapsed.as_secs_f64(), local))
}

/// CPU time (user + system) this process has used, from `/proc/self/stat` (Linux; zero
/// elsewhere). Clock ticks are 1/100 s on Linux.
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = fields
        .get(11..13)
        .map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

/// Median and maximum latency of `n` sequential GetMetricData calls with the JSON `body`;
/// `check` validates the first answer.
fn latency(
    client: &tokio::runtime::Runtime,
    authority: &str,
    body: &serde_json::Value,
    n: usize,
    check: impl Fn(&serde_json::Value) -> anyhow::Result<String>,
) -> anyhow::Result<(Duration, Duration, String)> {
    let p = prepare(
        Proto::Json,
        "GetMetricData",
        authority,
        body.to_string().into_bytes(),
    )?;
    client.block_on(async {
        let mut sender = connect(authority).await?;
        let first = send(&mut sender, &p).await?;
        let answer: serde_json::Value = serde_json::from_slice(&first)?;
        let note = check(&answer)?;
        let mut lat = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            send(&mut sender, &p).await?;
            lat.push(t.elapsed());
        }
        lat.sort_unstable();
        Ok((lat[n / 2], lat[n - 1], note))
    })
}

/// GetMetricData figures against a server holding the data set.
pub struct QueryFigures {
    pub one_series_p50: Duration,
    pub one_series_max: Duration,
    pub one_series_note: String,
    pub insights_p50: Duration,
    pub insights_max: Duration,
    pub insights_note: String,
}

/// GetMetricData latency: one series over the data set's day (Average, period 60 s), then an
/// Insights `SELECT AVG(usage_user) FROM cpu10k GROUP BY region` over 10,000 series holding the
/// last hour at one sample a minute (ingested here first).
pub fn query_latency(
    local: &Local,
    data: &DataSet,
    client: &tokio::runtime::Runtime,
    connections: usize,
) -> anyhow::Result<QueryFigures> {
    let dims: Vec<serde_json::Value> = host_dims(7)
        .iter()
        .map(|d| serde_json::json!({"Name": d.name, "Value": d.value}))
        .collect();
    let end = data.ts(data.steps) / 1_000;
    let one = serde_json::json!({
        "MetricDataQueries": [{"Id": "q", "MetricStat": {
            "Metric": {"Namespace": "cpu", "MetricName": "usage_user", "Dimensions": dims},
            "Period": 60, "Stat": "Average"}}],
        "StartTime": end - 24 * 3_600, "EndTime": end,
    });
    let count_values = |a: &serde_json::Value| -> anyhow::Result<String> {
        let results = a["MetricDataResults"]
            .as_array()
            .context("no MetricDataResults")?;
        let values: usize = results
            .iter()
            .map(|r| r["Values"].as_array().map_or(0, Vec::len))
            .sum();
        anyhow::ensure!(values > 0, "no values in {a}");
        Ok(format!("{} result(s), {values} values", results.len()))
    };
    let (p50, max, note) = latency(client, &local.authority, &one, 50, count_values)?;

    // 10,000 series of usage_user, the last hour at one sample a minute.
    let now = now_secs();
    let start = now - now.rem_euclid(60) - 3_600;
    let mut datums = Vec::with_capacity(10_000 * 60);
    for h in 0..10_000 {
        let hd = host_dims(h);
        for m in 0..60 {
            let mut d = MetricDatum::value(
                "usage_user",
                (start + m * 60) * 1_000,
                ((h + m as usize) % 100) as f64,
            );
            d.dimensions = hd.clone();
            datums.push(d);
        }
    }
    let reqs = datums
        .chunks(1_000)
        .map(|c| {
            prepare(
                Proto::Cbor,
                "PutMetricData",
                &local.authority,
                put_body(Proto::Cbor, "cpu10k", c),
            )
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    send_all(client, &local.authority, reqs, connections)?;
    let insights = serde_json::json!({
        "MetricDataQueries": [{"Id": "q", "Period": 60,
            "Expression": "SELECT AVG(usage_user) FROM cpu10k GROUP BY region"}],
        "StartTime": start, "EndTime": start + 3_600,
    });
    let (ip50, imax, inote) = latency(client, &local.authority, &insights, 20, count_values)?;
    Ok(QueryFigures {
        one_series_p50: p50,
        one_series_max: max,
        one_series_note: note,
        insights_p50: ip50,
        insights_max: imax,
        insights_note: inote,
    })
}
