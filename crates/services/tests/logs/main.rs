//! CloudWatch Logs through the real pipeline (JSON 1.1, `Logs_20140328`): every registered
//! operation, its errors, and the PutLogEvents limits.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use openwatch_logs::{Catalog, LogStore, LogStoreOptions, SimClock};
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};

const T0: i64 = 1_764_000_000_000;
const DAY: i64 = 86_400_000;

struct Env {
    client: TestClient,
    store: Arc<LogStore>,
    clock: Arc<SimClock>,
    dir: TempDir,
}

/// Removes the test's directory when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env() -> Env {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "openwatch-logs-facade-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(SimClock::new(T0));
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    let store = Arc::new(
        LogStore::open(
            &dir.join("logs"),
            catalog,
            clock.clone(),
            LogStoreOptions::default(),
        )
        .unwrap(),
    );
    let mut registry = Registry::new();
    openwatch_services::logs::register(&mut registry, Arc::clone(&store));
    let c = clock.clone();
    let client = TestClient::new(
        registry,
        Arc::new(move || openwatch_logs::Clock::now_millis(&*c)),
    );
    Env {
        client,
        store,
        clock,
        dir: TempDir(dir),
    }
}

impl Env {
    async fn call(&self, op: &str, body: Value) -> (u16, Value) {
        let resp = self.client.json(Service::Logs, op, body).await;
        let status = resp.status;
        let text = resp.text();
        let v = if text.is_empty() {
            json!({})
        } else {
            serde_json::from_str(&text).unwrap_or(json!({ "raw": text }))
        };
        (status, v)
    }

    async fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = self.call(op, body).await;
        assert_eq!(status, 200, "{op}: {v}");
        v
    }

    async fn err(&self, op: &str, body: Value) -> (String, String) {
        let (status, v) = self.call(op, body).await;
        assert_eq!(status, 400, "{op}: {v}");
        (
            v["__type"].as_str().unwrap_or_default().to_owned(),
            v["message"].as_str().unwrap_or_default().to_owned(),
        )
    }

    async fn group_and_stream(&self, g: &str, s: &str) {
        self.ok("CreateLogGroup", json!({"logGroupName": g})).await;
        self.ok(
            "CreateLogStream",
            json!({"logGroupName": g, "logStreamName": s}),
        )
        .await;
    }

    async fn put(&self, g: &str, s: &str, events: Value) -> Value {
        self.ok(
            "PutLogEvents",
            json!({"logGroupName": g, "logStreamName": s, "logEvents": events}),
        )
        .await
    }
}

fn messages(v: &Value) -> Vec<String> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

mod events;
mod filters;
mod groups;
mod insights;
mod streams;
mod subscriptions;
