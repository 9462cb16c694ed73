//! CloudWatch metrics over every CloudWatch protocol (rpc-v2-cbor, JSON 1.0, query):
//! PutMetricData, ListMetrics, GetMetricStatistics and GetMetricData (MetricStat queries and
//! metric-math expressions), and the anomaly detectors (`anomaly`: Put/Describe/
//! DeleteAnomalyDetector(s)). Shapes follow the `monitoring` 2010-08-01 model; the logic is in
//! `openwatch-metrics`.
//!
//! This module holds the shared dimension shape and the registration; each operation's shapes and
//! handler live in a submodule and are re-exported here.
//! Alarms (`alarms`) and dashboards (`dashboards`) have their own `register` functions.

pub mod alarms;
mod anomaly;
pub mod dashboards;
mod errors;
mod list;
mod metric_data;
mod put_body;
mod put_data;
mod statistics;

use std::sync::Arc;

use openwatch_metrics::{Dimension, Metrics};
use openwatch_wire::{Operation, Registry, Service};
use serde::{Deserialize, Serialize};

pub use anomaly::*;
pub use errors::metrics_error;
pub use list::*;
pub use metric_data::*;
pub use put_data::*;
pub use statistics::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionShape {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

pub(super) fn dims(d: Option<Vec<DimensionShape>>) -> Vec<Dimension> {
    d.unwrap_or_default()
        .into_iter()
        .map(|d| Dimension::new(d.name, d.value))
        .collect()
}

pub fn register(registry: &mut Registry, metrics: Arc<Metrics>) {
    let m = Arc::clone(&metrics);
    registry.add(
        Operation::new(Service::CloudWatch, "PutMetricData", move |ctx, input| {
            let m = Arc::clone(&m);
            async move { put_metric_data(&m, ctx, input).await }
        })
        .read_body_with(put_body::reader(Arc::clone(&metrics))),
    );
    let m = Arc::clone(&metrics);
    registry.add(
        Operation::new(Service::CloudWatch, "ListMetrics", move |ctx, input| {
            let m = Arc::clone(&m);
            async move { list_metrics(&m, &ctx, input) }
        })
        .read_only(),
    );
    let m = Arc::clone(&metrics);
    registry.add(
        Operation::new(
            Service::CloudWatch,
            "GetMetricStatistics",
            move |ctx, input| {
                let m = Arc::clone(&m);
                async move { get_metric_statistics(&m, &ctx, input) }
            },
        )
        .read_only(),
    );
    register_anomaly(registry, &metrics);
    let m = metrics;
    registry.add(
        Operation::new(Service::CloudWatch, "GetMetricData", move |ctx, input| {
            let m = Arc::clone(&m);
            async move { get_metric_data(&m, &ctx, input) }
        })
        .read_only(),
    );
}

/// PutAnomalyDetector, DescribeAnomalyDetectors, DeleteAnomalyDetector.
fn register_anomaly(registry: &mut Registry, metrics: &Arc<Metrics>) {
    let m = Arc::clone(metrics);
    registry.add(Operation::new(
        Service::CloudWatch,
        "PutAnomalyDetector",
        move |ctx, input| {
            let m = Arc::clone(&m);
            async move { put_anomaly_detector(&m, &ctx, input) }
        },
    ));
    let m = Arc::clone(metrics);
    registry.add(Operation::new(
        Service::CloudWatch,
        "DeleteAnomalyDetector",
        move |ctx, input| {
            let m = Arc::clone(&m);
            async move { delete_anomaly_detector(&m, &ctx, input) }
        },
    ));
    let m = Arc::clone(metrics);
    registry.add(
        Operation::new(
            Service::CloudWatch,
            "DescribeAnomalyDetectors",
            move |ctx, input| {
                let m = Arc::clone(&m);
                async move { describe_anomaly_detectors(&m, &ctx, input) }
            },
        )
        .read_only(),
    );
}
