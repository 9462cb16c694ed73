//! A throughput measurement (ignored by default): PutEvents against 300 rules (the per-bus quota) on one bus, each
//! event matching one rule with one target, deliveries queued durably.
//!
//! `cargo test -p openwatch-events --release --test throughput -- --ignored --nocapture`
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use openwatch_events::{Catalog, EventEntry, Events, PutRuleInput, SimClock, Target, TargetSink};
use serde_json::json;

/// The rules-per-bus quota.
const RULES: usize = openwatch_events::limits::MAX_RULES_PER_BUS;
const BATCHES: usize = 2000;
const CALLERS: usize = 50;

struct Null;

impl TargetSink for Null {
    fn accepts(&self, arn: &str) -> bool {
        arn.starts_with("arn:aws:logs:")
    }
    fn deliver(&self, _: &openwatch_events::DeliveryRequest<'_>) -> Result<(), String> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run explicitly"]
async fn put_events_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let events = Arc::new(
        Events::open(
            catalog,
            &dir.path().join("events"),
            Arc::new(SimClock::new(0)),
        )
        .unwrap(),
    );
    events.add_sink(Arc::new(Null));
    let (a, r) = ("123456789012", "us-east-1");
    for i in 0..RULES {
        let pattern = match i % 4 {
            0 => json!({"source": [format!("app.{i}")]}),
            1 => json!({"source": [{"prefix": format!("svc{i}.")}]}),
            2 => json!({"detail": {"id": [{"numeric": ["=", i]}]}, "source": ["metrics"]}),
            _ => {
                json!({"detail-type": [format!("type-{i}")], "detail": {"region": [{"anything-but": "eu"}]}})
            }
        };
        let name = format!("r{i}");
        events
            .put_rule(
                a,
                r,
                PutRuleInput {
                    name: name.clone(),
                    event_pattern: Some(pattern.to_string()),
                    ..Default::default()
                },
            )
            .unwrap();
        let target = Target {
            id: "t".into(),
            arn: "arn:aws:logs:us-east-1:123456789012:log-group:x".into(),
            role_arn: None,
            input: None,
            input_path: None,
            input_transformer: None,
            retry_policy: None,
            dead_letter_arn: None,
        };
        events.put_targets(a, r, None, &name, vec![target]).unwrap();
    }
    let batch: Vec<EventEntry> = (0..10)
        .map(|i| EventEntry {
            source: Some(format!("app.{}", i * 4)),
            detail_type: Some("Order Placed".into()),
            detail: Some(json!({"id": i, "region": "us", "payload": "x".repeat(800)}).to_string()),
            ..Default::default()
        })
        .collect();
    let started = Instant::now();
    for _ in 0..BATCHES {
        let results = events.put_events(a, r, &batch).await.unwrap();
        assert_eq!(results.len(), 10);
    }
    let secs = started.elapsed().as_secs_f64();
    let entries = (BATCHES * 10) as f64;
    println!(
        "PutEvents, {RULES} rules, 10 entries per call, ~900-byte events: {:.0} entries/s, {:.0} calls/s ({:.2} ms per call, including the WAL group commit)",
        entries / secs,
        BATCHES as f64 / secs,
        secs * 1000.0 / BATCHES as f64
    );
    // Concurrent callers share group commits.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CALLERS {
        let events = Arc::clone(&events);
        let batch = batch.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..BATCHES / CALLERS {
                events.put_events(a, r, &batch).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "PutEvents with {CALLERS} concurrent callers: {:.0} entries/s",
        entries / secs
    );
    assert_eq!(events.pending_deliveries().len(), 2 * BATCHES * 10);
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let report = events.run_deliveries().unwrap();
        if report.delivered == 0 {
            break;
        }
        delivered += report.delivered;
    }
    println!(
        "delivery job: {delivered} deliveries in {:.2} s ({:.0}/s)",
        started.elapsed().as_secs_f64(),
        delivered as f64 / started.elapsed().as_secs_f64()
    );
}
