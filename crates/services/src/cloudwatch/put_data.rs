//! PutMetricData: the metric datum shapes and the handler.

use openwatch_metrics::{MetricDatum, Metrics, StatisticSet};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::metrics_error;
use super::{DimensionShape, dims};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatisticSetShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_count: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDatumShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic_values: Option<StatisticSetShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_resolution: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricDataInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_data: Option<Vec<MetricDatumShape>>,
}

#[derive(Debug, Default, Serialize)]
pub struct PutMetricDataOutput {}

/// PutMetricData's own request-size limit: "Each PutMetricData request is limited to 1 MB in
/// size for HTTP POST requests. You can send a payload compressed by gzip." (API reference). It
/// is counted on the body as sent, so a gzip body counts compressed. CloudWatch answers an
/// oversized request with 413 `RequestEntityTooLarge`, "Request size N exceeded L bytes" (its
/// binary limits: 40960 for the old 40 KB, 614400 for GetMetricData's 600 KB).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The error for a request over [`MAX_REQUEST_BYTES`].
fn too_large(bytes: usize) -> ApiError {
    ApiError::new(
        413,
        "RequestEntityTooLarge",
        format!("Request size {bytes} exceeded {MAX_REQUEST_BYTES} bytes"),
    )
}

pub(super) async fn put_metric_data(
    metrics: &Metrics,
    ctx: CallContext,
    input: PutMetricDataInput,
) -> Result<PutMetricDataOutput, ApiError> {
    if ctx.request_bytes > MAX_REQUEST_BYTES {
        return Err(too_large(ctx.request_bytes));
    }
    let data: Vec<MetricDatum> = input
        .metric_data
        .unwrap_or_default()
        .into_iter()
        .map(|d| MetricDatum {
            metric_name: d.metric_name,
            dimensions: dims(d.dimensions),
            timestamp: d.timestamp.map(Timestamp::millis),
            value: d.value,
            statistic_values: d.statistic_values.map(|s| StatisticSet {
                sample_count: s.sample_count,
                sum: s.sum,
                minimum: s.minimum,
                maximum: s.maximum,
            }),
            values: d.values.unwrap_or_default(),
            counts: d.counts.unwrap_or_default(),
            unit: d.unit,
            storage_resolution: d.storage_resolution,
        })
        .collect();
    metrics
        .put_async(
            ctx.account.as_str(),
            &ctx.region,
            input.namespace.as_deref(),
            &data,
        )
        .await
        .map_err(metrics_error)?;
    Ok(PutMetricDataOutput {})
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write as _;
    use std::sync::Arc;

    use openwatch_metrics::{MetricsOptions, SimClock};
    use openwatch_wire::testing::TestClient;
    use openwatch_wire::{Registry, Service};
    use serde_json::json;

    use super::*;

    /// 2026-01-01T01:00:00Z.
    const NOW: i64 = 1_767_229_200_000;

    fn client() -> (TestClient, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(SimClock::new(NOW));
        let metrics =
            Arc::new(Metrics::open(dir.path(), clock, MetricsOptions::default()).unwrap());
        let mut registry = Registry::new();
        crate::cloudwatch::register(&mut registry, metrics);
        (TestClient::new(registry, Arc::new(|| NOW)), dir)
    }

    /// A PutMetricData body of `n` datums, each with `dims` dimensions of 1,000 characters.
    fn body(n: usize, dims: usize) -> Vec<u8> {
        let dims: Vec<_> = (0..dims)
            .map(|d| json!({"Name": format!("Pad{d}"), "Value": "x".repeat(1_000)}))
            .collect();
        let data: Vec<_> = (0..n)
            .map(|i| {
                json!({"MetricName": format!("m{i}"), "Value": 1.0, "Timestamp": NOW / 1000 - 60,
                       "Dimensions": dims})
            })
            .collect();
        json!({"Namespace": "Big", "MetricData": data})
            .to_string()
            .into_bytes()
    }

    fn headers(gzip: bool) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("content-type", "application/x-amz-json-1.0".to_owned()),
            (
                "x-amz-target",
                "GraniteServiceVersion20100801.PutMetricData".to_owned(),
            ),
        ];
        if gzip {
            h.push(("content-encoding", "gzip".to_owned()));
        }
        h
    }

    async fn metric_count(c: &TestClient) -> usize {
        let resp = c
            .json(
                Service::CloudWatch,
                "ListMetrics",
                json!({"Namespace": "Big"}),
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        resp.json()["Metrics"].as_array().map_or(0, Vec::len)
    }

    #[tokio::test]
    async fn a_body_over_one_mebibyte_as_sent_is_refused_and_nothing_is_stored() {
        let (c, _dir) = client();
        let raw = body(500, 2);
        assert!(raw.len() > MAX_REQUEST_BYTES && raw.len() < 2 * MAX_REQUEST_BYTES);
        let resp = c
            .send(Service::CloudWatch, "/", &headers(false), raw.clone())
            .await;
        assert_eq!(resp.status, 413, "{}", resp.text());
        let err = resp.json();
        assert_eq!(err["__type"], "RequestEntityTooLarge");
        assert_eq!(
            err["message"],
            format!("Request size {} exceeded 1048576 bytes", raw.len())
        );
        assert_eq!(metric_count(&c).await, 0);

        // Just under the limit is accepted.
        let ok = body(450, 2);
        assert!(ok.len() <= MAX_REQUEST_BYTES, "{}", ok.len());
        let resp = c.send(Service::CloudWatch, "/", &headers(false), ok).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert_eq!(metric_count(&c).await, 450);
    }

    #[tokio::test]
    async fn a_gzip_body_counts_compressed() {
        let (c, _dir) = client();
        let raw = body(500, 3);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&raw).unwrap();
        let packed = gz.finish().unwrap();
        assert!(raw.len() > MAX_REQUEST_BYTES && packed.len() < MAX_REQUEST_BYTES);
        let resp = c
            .send(Service::CloudWatch, "/", &headers(true), packed)
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert_eq!(metric_count(&c).await, 500);
    }
}
