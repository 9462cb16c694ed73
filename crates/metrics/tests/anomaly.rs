//! Anomaly detection through the engine: ANOMALY_DETECTION_BAND in GetMetricData, and the
//! detectors (put, describe with their training state, delete, kept across a reopen).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use openwatch_metrics::anomaly::{DescribeRequest, DetectorConfig, DetectorTarget, StoredQuery};
use openwatch_metrics::{DataQuery, DataRequest, MetricDatum, MetricSpec, Metrics, MetricsError};
use openwatch_storage::SimClock;

const DAY: i64 = 86_400_000;
const MIN5: i64 = 300_000;

fn spec() -> MetricSpec {
    MetricSpec {
        namespace: "App".into(),
        metric_name: "Requests".into(),
        dimensions: vec![openwatch_metrics::Dimension::new("Host", "a")],
    }
}

/// A daily wave between 50 and 150, with a deterministic wobble of ±2.
fn value(t: i64, rng: &mut Rng) -> f64 {
    let phase = std::f64::consts::TAU * (t.rem_euclid(DAY) as f64) / DAY as f64;
    100.0 + 50.0 * phase.sin() + (rng.f64() - 0.5) * 4.0
}

fn put_history(m: &Metrics, from: i64, to: i64) {
    let mut rng = Rng(7);
    let pts: Vec<(i64, f64)> = (0..)
        .map(|i| from + i * MIN5)
        .take_while(|t| *t < to)
        .map(|t| (t, value(t, &mut rng)))
        .collect();
    for chunk in pts.chunks(1000) {
        let data: Vec<MetricDatum> = chunk
            .iter()
            .map(|(t, v)| MetricDatum::value("Requests", *t, *v).with_dimension("Host", "a"))
            .collect();
        m.put(ACCOUNT, REGION, "App", &data).unwrap();
    }
}

fn band_request(expr: &str, start: i64, end: i64) -> DataRequest {
    DataRequest {
        queries: vec![
            DataQuery {
                id: "m1".into(),
                metric: spec(),
                period: 300,
                stat: "Average".into(),
                return_data: true,
                ..DataQuery::default()
            },
            DataQuery {
                id: "ad1".into(),
                expression: Some(expr.into()),
                label: Some("Requests (expected)".into()),
                return_data: true,
                ..DataQuery::default()
            },
        ],
        start,
        end,
        ascending: true,
        ..DataRequest::default()
    }
}

fn single() -> DetectorTarget {
    DetectorTarget::Single {
        namespace: "App".into(),
        metric_name: "Requests".into(),
        dimensions: vec![("Host".into(), "a".into())],
        stat: "Average".into(),
    }
}

#[test]
fn band_in_get_metric_data_follows_the_metric() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3 * DAY;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    // Without history there is no band: two empty series.
    let empty = m
        .get_metric_data(
            ACCOUNT,
            REGION,
            &band_request("ANOMALY_DETECTION_BAND(m1)", now - 3_600_000, now),
        )
        .unwrap();
    let shapes: Vec<(&str, &str, usize)> = empty
        .results
        .iter()
        .map(|r| (r.id.as_str(), r.label.as_str(), r.values.len()))
        .collect();
    assert_eq!(
        shapes,
        vec![
            ("m1", "Requests", 0),
            ("ad1", "Requests (expected) Lower", 0),
            ("ad1", "Requests (expected) Upper", 0)
        ]
    );
    put_history(&m, T0, now);
    let page = m
        .get_metric_data(
            ACCOUNT,
            REGION,
            &band_request("ANOMALY_DETECTION_BAND(m1, 3)", now - 6 * 3_600_000, now),
        )
        .unwrap();
    let [metric, lower, upper] = &page.results[..] else {
        panic!("{page:?}")
    };
    assert_eq!(metric.values.len(), 72);
    assert_eq!(lower.timestamps, metric.timestamps);
    assert_eq!(upper.timestamps, metric.timestamps);
    for i in 0..metric.values.len() {
        assert!(
            lower.values[i] <= metric.values[i] && metric.values[i] <= upper.values[i],
            "{} outside {}..{}",
            metric.values[i],
            lower.values[i],
            upper.values[i]
        );
        assert!(upper.values[i] - lower.values[i] < 40.0);
    }
    // A narrower band with fewer standard deviations.
    let narrow = m
        .get_metric_data(
            ACCOUNT,
            REGION,
            &band_request("ANOMALY_DETECTION_BAND(m1, 1)", now - 6 * 3_600_000, now),
        )
        .unwrap();
    assert!(narrow.results[2].values[0] < upper.values[0]);
    // The band of an expression is trained on the expression: twice the metric, twice the band.
    let mut doubled = band_request("ANOMALY_DETECTION_BAND(e1, 3)", now - 6 * 3_600_000, now);
    doubled.queries[0].return_data = false;
    doubled.queries.push(DataQuery {
        id: "e1".into(),
        expression: Some("m1 * 2".into()),
        return_data: false,
        ..DataQuery::default()
    });
    let page2 = m.get_metric_data(ACCOUNT, REGION, &doubled).unwrap();
    let [lower2, upper2] = &page2.results[..] else {
        panic!("{page2:?}")
    };
    assert_eq!(lower2.timestamps, metric.timestamps);
    let mid = |lo: &[f64], hi: &[f64], i: usize| (lo[i] + hi[i]) / 2.0;
    for i in 0..metric.values.len() {
        let (a, b) = (
            mid(&lower2.values, &upper2.values, i),
            2.0 * mid(&lower.values, &upper.values, i),
        );
        assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "{a} vs {b}");
    }
    // The band of something that is not a query, or of a band, is an error.
    for bad in [
        "ANOMALY_DETECTION_BAND(nope)",
        "ANOMALY_DETECTION_BAND(m1, -1)",
        "ANOMALY_DETECTION_BAND(2)",
    ] {
        let err = m
            .get_metric_data(ACCOUNT, REGION, &band_request(bad, now - 3_600_000, now))
            .unwrap_err();
        assert!(
            matches!(err, MetricsError::InvalidParameterValue(_)),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn detectors_are_stored_described_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3 * DAY;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    let id = m
        .put_anomaly_detector(ACCOUNT, REGION, single(), DetectorConfig::default())
        .unwrap();
    let describe = |m: &Metrics, req: &DescribeRequest| {
        m.describe_anomaly_detectors(ACCOUNT, REGION, req)
            .unwrap()
            .detectors
            .into_iter()
            .map(|d| (d.detector.id, d.state))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        describe(&m, &DescribeRequest::default()),
        vec![(id.clone(), "PENDING_TRAINING")]
    );
    put_history(&m, now - 6 * 3_600_000, now);
    // Putting the same target again keeps the id and replaces the configuration.
    let config = DetectorConfig {
        excluded: vec![(T0, T0 + DAY)],
        timezone: Some("UTC".into()),
        periodic_spikes: Some(true),
    };
    let again = m
        .put_anomaly_detector(ACCOUNT, REGION, single(), config.clone())
        .unwrap();
    assert_eq!(again, id);
    assert_eq!(
        describe(&m, &DescribeRequest::default()),
        vec![(id.clone(), "TRAINED_INSUFFICIENT_DATA")]
    );
    put_history(&m, T0, now - 6 * 3_600_000);
    // The model trained in the last 15 minutes is reused; later it is trained again.
    clock.advance(std::time::Duration::from_secs(16 * 60));
    assert_eq!(
        describe(&m, &DescribeRequest::default()),
        vec![(id.clone(), "TRAINED")]
    );
    // A metric-math detector is listed only when asked for.
    let math = DetectorTarget::Math {
        queries: vec![
            StoredQuery::from_query(&DataQuery {
                id: "m1".into(),
                metric: spec(),
                period: 300,
                stat: "Sum".into(),
                ..DataQuery::default()
            }),
            StoredQuery::from_query(&DataQuery {
                id: "e1".into(),
                expression: Some("m1 * 2".into()),
                return_data: true,
                ..DataQuery::default()
            }),
        ],
    };
    let math_id = m
        .put_anomaly_detector(ACCOUNT, REGION, math.clone(), DetectorConfig::default())
        .unwrap();
    assert_eq!(describe(&m, &DescribeRequest::default()).len(), 1);
    let both = DescribeRequest {
        types: vec!["SINGLE_METRIC".into(), "METRIC_MATH".into()],
        max_results: Some(1),
        ..DescribeRequest::default()
    };
    let first = m
        .describe_anomaly_detectors(ACCOUNT, REGION, &both)
        .unwrap();
    assert_eq!(first.detectors.len(), 1);
    let second = m
        .describe_anomaly_detectors(
            ACCOUNT,
            REGION,
            &DescribeRequest {
                next_token: first.next_token.clone(),
                ..both.clone()
            },
        )
        .unwrap();
    assert_eq!(second.detectors[0].detector.id, math_id);
    assert_eq!(second.next_token, None);
    // Filters.
    let by_name = |name: &str| DescribeRequest {
        metric_name: Some(name.into()),
        ..DescribeRequest::default()
    };
    assert_eq!(describe(&m, &by_name("Requests")).len(), 1);
    assert_eq!(describe(&m, &by_name("Other")).len(), 0);
    let combined = DescribeRequest {
        ids: vec![id.clone()],
        namespace: Some("App".into()),
        ..DescribeRequest::default()
    };
    assert!(matches!(
        m.describe_anomaly_detectors(ACCOUNT, REGION, &combined),
        Err(MetricsError::InvalidParameterCombination(_))
    ));
    // Stored durably: a reopened engine has both.
    m.close().unwrap();
    drop(m);
    let m = open(dir.path(), &clock);
    let ids = DescribeRequest {
        ids: vec![id.clone(), math_id.clone()],
        ..DescribeRequest::default()
    };
    let reopened = m.describe_anomaly_detectors(ACCOUNT, REGION, &ids).unwrap();
    assert_eq!(reopened.detectors.len(), 2);
    assert_eq!(reopened.detectors[0].detector.config, config);
    // Deleting by target, by id; a second delete finds nothing.
    m.delete_anomaly_detector(ACCOUNT, REGION, None, Some(single()))
        .unwrap();
    m.delete_anomaly_detector(ACCOUNT, REGION, Some(&math_id), None)
        .unwrap();
    assert!(matches!(
        m.delete_anomaly_detector(ACCOUNT, REGION, Some(&math_id), None),
        Err(MetricsError::ResourceNotFound(_))
    ));
    // Invalid input stores nothing.
    let bad = DetectorConfig {
        timezone: Some("Mars/Olympus".into()),
        ..DetectorConfig::default()
    };
    assert!(
        m.put_anomaly_detector(ACCOUNT, REGION, single(), bad)
            .is_err()
    );
    assert!(describe(&m, &DescribeRequest::default()).is_empty());
}
