//! Shared setup for the in-process server tests: real domains over one temporary data directory
//! on a simulated clock, and a helper for calls that must succeed.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_alarms::store::AlarmStore;
use openwatch_events::Events;
use openwatch_metrics::{Metrics, MetricsOptions};
use openwatch_storage::{Catalog, Clock, SimClock};
use openwatch_wire::Service;
use openwatch_wire::testing::TestClient;
use serde_json::Value;

/// On a minute boundary (2025-11-29T07:06:00Z).
pub const NOW: i64 = 1_764_399_960_000;
pub const NOW_S: i64 = NOW / 1000;

/// The domains alarm tests run over.
pub struct World {
    pub dir: tempfile::TempDir,
    pub sim: Arc<SimClock>,
    pub clock: Arc<dyn Clock>,
    pub catalog: Arc<Catalog>,
    pub metrics: Arc<Metrics>,
    pub events: Arc<Events>,
    pub alarms: Arc<AlarmStore>,
}

impl World {
    pub fn open() -> World {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let sim = Arc::new(SimClock::new(NOW));
        let clock: Arc<dyn Clock> = Arc::clone(&sim) as Arc<dyn Clock>;
        let catalog = Arc::new(Catalog::open(&p.join("catalog.redb")).unwrap());
        let metrics = Arc::new(
            Metrics::open(
                &p.join("metrics"),
                Arc::clone(&clock),
                MetricsOptions::default(),
            )
            .unwrap(),
        );
        let events = Arc::new(
            Events::open(Arc::clone(&catalog), &p.join("events"), Arc::clone(&clock)).unwrap(),
        );
        let alarms = Arc::new(AlarmStore::open(Arc::clone(&catalog), Arc::clone(&clock)).unwrap());
        World {
            dir,
            sim,
            clock,
            catalog,
            metrics,
            events,
            alarms,
        }
    }
}

/// A JSON call that must answer 200; returns the body.
pub async fn ok(c: &TestClient, service: Service, op: &str, body: Value) -> Value {
    let r = c.json(service, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", r.text());
    r.json()
}
