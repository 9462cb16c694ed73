//! Shared setup for the in-process server tests: real domains over one temporary data directory
//! on a simulated clock, and a helper for calls that must succeed.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use openwatch_alarms::store::AlarmStore;
use openwatch_events::Events;
use openwatch_metrics::{Metrics, MetricsOptions};
use openwatch_sns::{Sns, SnsOptions};
use openwatch_storage::{Catalog, Clock, SimClock};
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};
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

impl World {
    /// SNS over the world's catalog and clock, its delivery queue in `<dir>/sns`.
    pub fn sns(&self, options: SnsOptions) -> Arc<Sns> {
        Arc::new(
            Sns::open(
                Arc::clone(&self.catalog),
                &self.dir.path().join("sns"),
                Arc::clone(&self.clock),
                options,
            )
            .unwrap(),
        )
    }

    /// A registry with the CloudWatch metric and alarm operations over the world's domains.
    pub fn alarm_registry(&self) -> Registry {
        let mut registry = Registry::new();
        openwatch_services::cloudwatch::register(&mut registry, Arc::clone(&self.metrics));
        openwatch_services::cloudwatch::alarms::register(
            &mut registry,
            Arc::clone(&self.alarms),
            Arc::clone(&self.events),
        );
        registry
    }

    /// A client calling `registry` on the world's clock.
    pub fn client(&self, registry: Registry) -> TestClient {
        let clock = Arc::clone(&self.clock);
        TestClient::new(registry, Arc::new(move || clock.now_millis()))
    }
}

/// Creates the topic `name` of the test account in us-east-1; returns its ARN.
pub fn topic(sns: &Sns, name: &str) -> String {
    sns.create_topic(
        TEST_ACCOUNT,
        "us-east-1",
        name,
        &BTreeMap::new(),
        &BTreeMap::new(),
    )
    .unwrap()
}

/// The summaries of an alarm's history items of one type (DescribeAlarmHistory), newest first.
pub async fn history_summaries(c: &TestClient, alarm: &str, item_type: &str) -> Vec<String> {
    let h = ok(
        c,
        Service::CloudWatch,
        "DescribeAlarmHistory",
        serde_json::json!({"AlarmName": alarm, "HistoryItemType": item_type}),
    )
    .await;
    h["AlarmHistoryItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["HistorySummary"].as_str().unwrap().to_owned())
        .collect()
}

/// PutMetricData of one datum `(metric, value)` at `timestamp_s` in `namespace`.
pub async fn put_datum(
    c: &TestClient,
    namespace: &str,
    metric: &str,
    value: i64,
    timestamp_s: i64,
) {
    ok(
        c,
        Service::CloudWatch,
        "PutMetricData",
        serde_json::json!({"Namespace": namespace, "MetricData": [
            {"MetricName": metric, "Value": value, "Timestamp": timestamp_s}]}),
    )
    .await;
}

/// A JSON call that must answer 200; returns the body.
pub async fn ok(c: &TestClient, service: Service, op: &str, body: Value) -> Value {
    let r = c.json(service, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", r.text());
    r.json()
}
