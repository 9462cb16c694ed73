//! PutEvents over HTTP for the `events` suite: an in-process server (fresh data directory,
//! `--dev` key), rules with a log-group target on the default bus, and signed awsJson 1.1
//! PutEvents calls of 10 entries on keep-alive connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use serde_json::{Value, json};

use super::{EventsArgs, Rng, detail, pattern};
use crate::http_client::{call_json, connect, exchange, json_headers, post, start_dev_server};

/// The rules-per-bus quota.
const MAX_RULES: usize = 300;
/// Entries per PutEvents (the API's maximum).
const ENTRIES: usize = 10;
const LOG_GROUP: &str = "/bench/events";

async fn setup(authority: &str, rules: usize) -> anyhow::Result<()> {
    call_json(
        authority,
        "logs",
        "Logs_20140328.CreateLogGroup",
        &json!({"logGroupName": LOG_GROUP}),
    )
    .await?;
    let arn = format!("arn:aws:logs:us-east-1:000000000000:log-group:{LOG_GROUP}");
    for i in 0..rules {
        let name = format!("rule-{i}");
        call_json(
            authority,
            "events",
            "AWSEvents.PutRule",
            &json!({"Name": name, "EventPattern": pattern(i)}),
        )
        .await?;
        let put = call_json(
            authority,
            "events",
            "AWSEvents.PutTargets",
            &json!({"Rule": name, "Targets": [{"Id": "log", "Arn": arn}]}),
        )
        .await?;
        anyhow::ensure!(put["FailedEntryCount"] == 0, "PutTargets failed: {put}");
    }
    Ok(())
}

async fn drive(args: &EventsArgs, authority: &str) -> anyhow::Result<(u64, u64)> {
    let running = Arc::new(AtomicBool::new(true));
    let measuring = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for c in 0..args.connections {
        let mut rng = Rng::new(1000 + c as u64);
        let entries: Vec<Value> = (0..ENTRIES)
            .map(|_| {
                json!({"Source": "geo.sensors", "DetailType": "Feature Updated",
                       "Detail": detail(&mut rng).to_string()})
            })
            .collect();
        let body = Bytes::from(serde_json::to_vec(&json!({ "Entries": entries }))?);
        let headers = json_headers(authority, "events", "AWSEvents.PutEvents", &body)?;
        let mut sender = connect(authority).await?;
        let (running, measuring) = (Arc::clone(&running), Arc::clone(&measuring));
        let (accepted, failed) = (Arc::clone(&accepted), Arc::clone(&failed));
        let authority = authority.to_owned();
        tasks.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let req = post(&headers, body.clone())?;
                if sender.ready().await.is_err() {
                    sender = connect(&authority).await?;
                }
                let bytes = exchange(&mut sender, req).await.context("PutEvents")?;
                if measuring.load(Ordering::Relaxed) {
                    let v: Value = serde_json::from_slice(&bytes)?;
                    let bad = v["FailedEntryCount"].as_u64().unwrap_or(0);
                    failed.fetch_add(bad, Ordering::Relaxed);
                    accepted.fetch_add(ENTRIES as u64 - bad, Ordering::Relaxed);
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(args.http_seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    running.store(false, Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    Ok((
        accepted.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    ))
}

pub(super) fn run(args: &EventsArgs) -> anyhow::Result<()> {
    let rules = args.http_rules.clamp(1, MAX_RULES);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let data = std::env::temp_dir().join(format!("openwatch-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let server = start_dev_server(&server_rt, data.clone())?;
    let authority = server.local_addr().to_string();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let result = client_rt.block_on(async {
        setup(&authority, rules).await?;
        let counts = drive(args, &authority).await?;
        // Deliveries run in the server's delivery job; give it two runs, then check that the log
        // group received events (each delivery is a stream named by the event id).
        tokio::time::sleep(Duration::from_secs(2)).await;
        let streams = call_json(
            &authority,
            "logs",
            "Logs_20140328.DescribeLogStreams",
            &json!({"logGroupName": LOG_GROUP, "limit": 50}),
        )
        .await?;
        let seen = streams["logStreams"].as_array().map_or(0, Vec::len);
        anyhow::Ok((counts, seen))
    });
    server_rt.block_on(server.shutdown())?;
    let _ = std::fs::remove_dir_all(&data);
    let ((accepted, failed), seen) = result?;
    println!(
        "put-events http rules={rules} connections={} seconds={} entries={accepted} failed={failed} entries/s={:.0} (in-process server, log-group target, every entry durably queued before the answer; log group has >= {seen} delivery streams)",
        args.connections,
        args.http_seconds,
        accepted as f64 / args.http_seconds as f64
    );
    Ok(())
}
