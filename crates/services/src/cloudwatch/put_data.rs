//! PutMetricData: the metric datum shapes and the handler.

use std::fmt;

use openwatch_metrics::{MetricDatum, MetricDatumRef, Metrics, StatisticSet};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

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

impl MetricDatumShape {
    /// The engine's datum (strings moved, dimensions converted in place).
    pub fn into_datum(self) -> MetricDatum {
        MetricDatum {
            metric_name: self.metric_name,
            dimensions: dims(self.dimensions),
            timestamp: self.timestamp.map(Timestamp::millis),
            value: self.value,
            statistic_values: self.statistic_values.map(|s| StatisticSet {
                sample_count: s.sample_count,
                sum: s.sum,
                minimum: s.minimum,
                maximum: s.maximum,
            }),
            values: self.values.unwrap_or_default(),
            counts: self.counts.unwrap_or_default(),
            unit: self.unit,
            storage_resolution: self.storage_resolution,
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricDataInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Never serialized: the audit record leaves the datums out
    /// (`openwatch_wire::audit::bulk_members`), the only place the input is re-encoded.
    #[serde(default, skip_serializing)]
    pub metric_data: Option<MetricDataList>,
}

/// PutMetricData's `MetricData`: each element is read as a [`MetricDatumShape`] (so every
/// reading error is the shape's, as for a `Vec<MetricDatumShape>`) and turned into the engine's
/// [`MetricDatum`] at once, so a 1,000-datum request holds one vector of datums, not two.
#[derive(Debug, Default)]
pub struct MetricDataList(pub Vec<MetricDatum>);

impl<'de> Deserialize<'de> for MetricDataList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(DatumsVisitor)
    }
}

/// serde's bound on what a sequence's size hint may reserve (as for a `Vec`).
const MAX_PREALLOC_BYTES: usize = 1024 * 1024;

struct DatumsVisitor;

impl<'de> Visitor<'de> for DatumsVisitor {
    type Value = MetricDataList;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What a `Vec`'s visitor says, so that errors read the same.
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MetricDataList, A::Error> {
        let cap = seq
            .size_hint()
            .unwrap_or(0)
            .min(MAX_PREALLOC_BYTES / std::mem::size_of::<MetricDatum>());
        let mut data = Vec::with_capacity(cap);
        while let Some(shape) = seq.next_element::<MetricDatumShape>()? {
            data.push(shape.into_datum());
        }
        Ok(MetricDataList(data))
    }
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
    check_size(&ctx)?;
    let data = input.metric_data.map(|d| d.0).unwrap_or_default();
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

/// PutMetricData of datums borrowed from the request body (`super::put_body`): the same
/// checks, errors and durability as [`put_metric_data`].
pub(super) async fn put_metric_data_refs(
    metrics: &Metrics,
    ctx: CallContext,
    namespace: Option<&str>,
    data: &[MetricDatumRef<'_>],
) -> Result<PutMetricDataOutput, ApiError> {
    check_size(&ctx)?;
    metrics
        .put_refs_async(ctx.account.as_str(), &ctx.region, namespace, data)
        .await
        .map_err(metrics_error)?;
    Ok(PutMetricDataOutput {})
}

fn check_size(ctx: &CallContext) -> Result<(), ApiError> {
    if ctx.request_bytes > MAX_REQUEST_BYTES {
        return Err(too_large(ctx.request_bytes));
    }
    Ok(())
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

    /// The input as a plain vector of shapes, converted afterwards (what `MetricDataList`
    /// replaces).
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Reference {
        #[serde(default)]
        metric_data: Option<Vec<MetricDatumShape>>,
    }

    #[test]
    fn datums_read_as_a_vector_of_shapes_would_be_errors_included() {
        use openwatch_wire::protocol::{cbor, cbor_de, json, json_de};
        use openwatch_wire::value::from_value;
        let bodies = [
            json!({"MetricData": [{"MetricName": "m", "Value": 1.5, "Timestamp": 1_767_225_600,
                "Dimensions": [{"Name": "h", "Value": "a"}], "Unit": "Count",
                "StatisticValues": {"SampleCount": 2, "Sum": 3, "Minimum": 1, "Maximum": 2},
                "Values": [1, 2], "Counts": [3, 4], "StorageResolution": 1}, {}]}),
            json!({"MetricData": []}),
            json!({}),
            json!({"MetricData": {"MetricName": "m"}}),
            json!({"MetricData": "m"}),
            json!({"MetricData": [{"Value": "x"}]}),
            json!({"MetricData": [{"MetricName": "m"}, 7]}),
            json!({"MetricData": [{"Dimensions": [{"Name": 1}]}]}),
            json!({"MetricData": [{"Timestamp": "yesterday"}]}),
        ];
        for body in bodies {
            let text = body.to_string();
            let value = json::decode(text.as_bytes()).unwrap();
            let mut packed = Vec::new();
            cbor::encode(&value, &mut packed);
            let want = from_value::<Reference>(value.clone()).map(|r| {
                r.metric_data.map(|d| {
                    d.into_iter()
                        .map(MetricDatumShape::into_datum)
                        .collect::<Vec<_>>()
                })
            });
            let data = |i: PutMetricDataInput| i.metric_data.map(|d| d.0);
            let via_value = from_value::<PutMetricDataInput>(value).map(data);
            let via_json = json_de::from_json::<PutMetricDataInput>(text.as_bytes()).map(data);
            let via_cbor = cbor_de::from_cbor::<PutMetricDataInput>(&packed).map(data);
            assert_eq!(via_value, want, "{text}");
            assert_eq!(via_json, want, "{text}");
            assert_eq!(via_cbor, want, "{text}");
        }
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
