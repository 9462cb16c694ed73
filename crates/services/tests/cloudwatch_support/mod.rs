//! Clients shared by the CloudWatch facade tests: each opens the stores one API needs in a new
//! data directory on a simulated clock and registers that API (each test binary uses a part).
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_alarms::store::AlarmStore;
use openwatch_dashboards::DashboardStore;
use openwatch_events::Events;
use openwatch_metrics::{Metrics, MetricsOptions};
use openwatch_storage::{Catalog, Clock, SimClock};
use openwatch_wire::testing::TestClient;
use openwatch_wire::{Registry, Service, Value};
use serde_json::Value as Json;

/// 2026-01-01T01:00:00Z.
pub const NOW: i64 = 1_767_229_200_000;

/// A client for the CloudWatch metrics operations at `now_ms`.
pub fn metrics_client(now_ms: i64) -> (TestClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(now_ms));
    let metrics = Arc::new(Metrics::open(dir.path(), clock, MetricsOptions::default()).unwrap());
    let mut registry = Registry::new();
    openwatch_services::cloudwatch::register(&mut registry, metrics);
    (TestClient::new(registry, Arc::new(move || now_ms)), dir)
}

/// A registry with the alarm operations (at [`NOW`]) and the EventBridge bus they publish to.
pub fn alarms_registry() -> (Registry, Arc<Events>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SimClock::new(NOW));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let store = Arc::new(AlarmStore::open(Arc::clone(&catalog), Arc::clone(&clock)).unwrap());
    let events =
        Arc::new(Events::open(Arc::clone(&catalog), &dir.path().join("events"), clock).unwrap());
    let mut registry = Registry::new();
    openwatch_services::cloudwatch::alarms::register(&mut registry, store, Arc::clone(&events));
    (registry, events, dir)
}

/// A client for the alarm operations at [`NOW`].
pub fn alarms_client() -> (TestClient, tempfile::TempDir) {
    let (registry, _, dir) = alarms_registry();
    (TestClient::new(registry, Arc::new(|| NOW)), dir)
}

/// A client for the dashboard operations at [`NOW`].
pub fn dashboards_client() -> (TestClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SimClock::new(NOW));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let store = Arc::new(DashboardStore::open(catalog, clock).unwrap());
    let mut registry = Registry::new();
    openwatch_services::cloudwatch::dashboards::register(&mut registry, store);
    (TestClient::new(registry, Arc::new(|| NOW)), dir)
}

/// A string [`Value`].
pub fn s(v: &str) -> Value {
    Value::Str(v.into())
}

/// A structure [`Value`] of `members`.
pub fn st(members: Vec<(&str, Value)>) -> Value {
    Value::Struct(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Calls the CloudWatch operation `op` in JSON; asserts it succeeded and returns the answer.
pub async fn ok(c: &TestClient, op: &str, body: Json) -> Json {
    let r = c.json(Service::CloudWatch, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", r.text());
    r.json()
}

/// Calls the CloudWatch operation `op` in JSON; asserts it failed and returns the HTTP status
/// and the answer.
pub async fn err(c: &TestClient, op: &str, body: Json) -> (u16, Json) {
    let r = c.json(Service::CloudWatch, op, body).await;
    assert_ne!(r.status, 200, "{op} succeeded: {}", r.text());
    (r.status, r.json())
}
