//! EventBridge through the real pipeline (JSON 1.1, `AWSEvents.*`): every operation, with AWS's
//! error codes and messages.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_events::{Catalog, Events, SimClock};
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};
use serde_json::{Value, json};

const START: i64 = 1_764_400_000_000;

struct Fixture {
    client: TestClient,
    events: Arc<Events>,
    clock: Arc<SimClock>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let clock = Arc::new(SimClock::new(START));
    let events =
        Arc::new(Events::open(catalog, &dir.path().join("events"), clock.clone()).unwrap());
    let mut registry = Registry::new();
    openwatch_services::events::register(&mut registry, Arc::clone(&events));
    let c = clock.clone();
    let client = TestClient::new(
        registry,
        Arc::new(move || openwatch_events::Clock::now_millis(&*c)),
    );
    Fixture {
        client,
        events,
        clock,
        _dir: dir,
    }
}

impl Fixture {
    async fn ok(&self, op: &str, body: Value) -> Value {
        let r = self.client.json(Service::Events, op, body).await;
        assert_eq!(r.status, 200, "{op}: {}", r.text());
        r.json()
    }

    async fn err(&self, op: &str, body: Value) -> (String, String) {
        let r = self.client.json(Service::Events, op, body).await;
        assert_eq!(r.status, 400, "{op}: {}", r.text());
        let v = r.json();
        let code = v["__type"].as_str().unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or_default().to_owned();
        let message = v["message"]
            .as_str()
            .or(v["Message"].as_str())
            .unwrap_or_default()
            .to_owned();
        (code, message)
    }
}

fn bus_arn(name: &str) -> String {
    format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/{name}")
}

mod archives;
mod buses;
mod connections;
mod partners;
mod put_events;
mod rules_targets;
