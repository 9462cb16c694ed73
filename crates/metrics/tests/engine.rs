//! The engine end to end: statistics against a reference, WAL replay after a crash, blocks and
//! rollups across reopen, retention on the simulated clock, ListMetrics paging.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use openwatch_metrics::{
    DataQuery, DataRequest, ListMetricsRequest, MetricDatum, MetricSpec, MetricsError,
    StatisticsRequest, Unit,
};
use openwatch_storage::SimClock;

fn spec(host: &str) -> MetricSpec {
    MetricSpec {
        namespace: "App".into(),
        metric_name: "Latency".into(),
        dimensions: vec![openwatch_metrics::Dimension::new("Host", host)],
    }
}

fn stats_req(host: &str, start: i64, end: i64, period: i64, ext: &[&str]) -> StatisticsRequest {
    StatisticsRequest {
        metric: spec(host),
        start,
        end,
        period,
        statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"]
            .map(String::from)
            .to_vec(),
        extended_statistics: ext.iter().map(|s| s.to_string()).collect(),
        unit: None,
    }
}

/// Nearest-rank percentile of an unsorted sample.
fn reference_percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn put_values(m: &openwatch_metrics::Metrics, host: &str, points: &[(i64, f64)]) {
    for chunk in points.chunks(1000) {
        let data: Vec<MetricDatum> = chunk
            .iter()
            .map(|(t, v)| {
                let mut d = MetricDatum::value("Latency", *t, *v).with_dimension("Host", host);
                d.storage_resolution = Some(1);
                d
            })
            .collect();
        m.put(ACCOUNT, REGION, "App", &data).unwrap();
    }
}

/// Random high-resolution points over the last `span` ms before `now`.
fn random_points(rng: &mut Rng, now: i64, span: i64, n: usize) -> Vec<(i64, f64)> {
    (0..n)
        .map(|_| {
            let t = now - span + (rng.below(span as u64 / 1000) as i64) * 1000;
            let v = (rng.f64() * 1000.0).round() / 10.0 - 20.0;
            (t, v)
        })
        .collect()
}

fn check_against_reference(
    m: &openwatch_metrics::Metrics,
    points: &[(i64, f64)],
    start: i64,
    end: i64,
    period: i64,
) {
    let dps = m
        .statistics(
            ACCOUNT,
            REGION,
            &stats_req("a", start, end, period, &["p50", "p90", "p99.5"]),
        )
        .unwrap();
    let pms = period * 1000;
    let mut buckets: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
    for (t, v) in points {
        if *t >= start && *t < end {
            buckets
                .entry(start + (t - start) / pms * pms)
                .or_default()
                .push(*v);
        }
    }
    assert_eq!(dps.len(), buckets.len());
    for (dp, (ts, vals)) in dps.iter().zip(&buckets) {
        assert_eq!(dp.timestamp, *ts);
        let sum: f64 = vals.iter().sum();
        assert_eq!(dp.sample_count, Some(vals.len() as f64));
        assert!((dp.sum.unwrap() - sum).abs() < 1e-6);
        assert!((dp.average.unwrap() - sum / vals.len() as f64).abs() < 1e-9);
        assert_eq!(dp.minimum, vals.iter().copied().reduce(f64::min));
        assert_eq!(dp.maximum, vals.iter().copied().reduce(f64::max));
        for (name, v) in &dp.extended {
            let p: f64 = name[1..].parse().unwrap();
            assert_eq!(*v, reference_percentile(vals, p), "{name} at {ts}");
        }
        assert_eq!(dp.extended.len(), 3);
    }
}

#[test]
fn statistics_match_a_reference_on_random_data() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 2 * 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    for seed in 1..=5u64 {
        let mut rng = Rng(seed * 0x9e37_79b9);
        let points = random_points(&mut rng, now, 3_600_000, 500);
        let host = format!("h{seed}");
        put_values(&m, &host, &points);
        let mut req = stats_req(&host, now - 3_600_000, now, 60, &[]);
        req.statistics = vec!["SampleCount".into()];
        let total: f64 = m
            .statistics(ACCOUNT, REGION, &req)
            .unwrap()
            .iter()
            .map(|d| d.sample_count.unwrap())
            .sum();
        assert_eq!(total, 500.0);
    }
    let mut rng = Rng(42);
    let points = random_points(&mut rng, now, 3_600_000, 2_000);
    put_values(&m, "a", &points);
    for period in [10, 30, 60, 300, 3600] {
        check_against_reference(&m, &points, now - 3_600_000, now, period);
    }
    // Sealed into blocks, the same answers come back from the raw blocks.
    clock.advance(Duration::from_secs(30 * 60));
    let report = m.checkpoint(true).unwrap();
    assert!(report.blocks_written >= 4, "{report:?}");
    for period in [10, 60, 300] {
        check_against_reference(&m, &points, now - 3_600_000, now, period);
    }
}

#[test]
fn acknowledged_data_survives_a_crash_and_is_not_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 2 * 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let points: Vec<(i64, f64)> = (0..600)
        .map(|i| (now - 3_000_000 + i * 5_000, i as f64))
        .collect();
    {
        let m = open_with(dir.path(), &clock, group_commit());
        put_values(&m, "a", &points[..300]);
        // Seal what is there, then keep writing into the head and the WAL.
        m.checkpoint(true).unwrap();
        put_values(&m, "a", &points[300..]);
        // Dropped without close: as after kill -9, only what the WAL and blocks hold remains.
        std::mem::forget(m);
    }
    let m = open(dir.path(), &clock);
    let dps = m
        .statistics(
            ACCOUNT,
            REGION,
            &stats_req("a", now - 3_600_000, now, 3600, &[]),
        )
        .unwrap();
    assert_eq!(dps.len(), 1);
    assert_eq!(dps[0].sample_count, Some(600.0));
    assert_eq!(dps[0].sum, Some((0..600).sum::<i64>() as f64));
    // And again after another checkpoint and reopen.
    m.checkpoint(true).unwrap();
    drop(m);
    let m = open(dir.path(), &clock);
    let dps = m
        .statistics(
            ACCOUNT,
            REGION,
            &stats_req("a", now - 3_600_000, now, 3600, &[]),
        )
        .unwrap();
    assert_eq!(dps[0].sample_count, Some(600.0));
    assert_eq!(m.stats().head_entries, 0);
}

#[test]
fn a_refused_batch_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0));
    let m = open(dir.path(), &clock);
    let good = MetricDatum::value("Latency", T0, 1.0);
    let bad = MetricDatum::value("Latency", T0, f64::NAN);
    let err = m.put(ACCOUNT, REGION, "App", &[good, bad]).unwrap_err();
    assert!(
        matches!(err, MetricsError::InvalidParameterValue(ref s)
        if s == "The value NaN for parameter MetricData.member.2.Value is invalid."),
        "{err:?}"
    );
    let page = m
        .list_metrics(ACCOUNT, REGION, &ListMetricsRequest::default())
        .unwrap();
    assert!(page.metrics.is_empty());
    assert_eq!(m.stats().head_entries, 0);
}

#[test]
fn retention_follows_cloudwatch_on_the_simulated_clock() {
    let dir = tempfile::tempdir().unwrap();
    let start = T0;
    let clock = Arc::new(SimClock::new(start + 3_600_000));
    let m = open(dir.path(), &clock);
    // One hour of high-resolution data, one point per 10 s, values 0..360.
    let points: Vec<(i64, f64)> = (0..360).map(|i| (start + i * 10_000, i as f64)).collect();
    put_values(&m, "a", &points);
    let q = |m: &openwatch_metrics::Metrics, period: i64, ext: &[&str]| {
        m.statistics(
            ACCOUNT,
            REGION,
            &stats_req("a", start, start + 3_600_000, period, ext),
        )
        .unwrap()
    };
    assert_eq!(q(&m, 10, &[]).len(), 360);
    clock.advance(Duration::from_secs(20 * 60));
    m.checkpoint(false).unwrap();
    assert_eq!(m.stats().raw_blocks, 1);

    // After 3 hours the sub-minute data is gone: 10 s periods return nothing, 1 min works.
    clock.set(start + 4 * 3_600_000 + 60_000);
    m.checkpoint(false).unwrap();
    assert_eq!(m.stats().raw_blocks, 0);
    assert!(q(&m, 10, &[]).is_empty());
    let per_minute = q(&m, 60, &["p50"]);
    assert_eq!(per_minute.len(), 60);
    assert_eq!(per_minute[0].sample_count, Some(6.0));
    assert_eq!(per_minute[0].sum, Some(15.0));
    let hour = q(&m, 3600, &["p50", "p99"]);
    assert_eq!(hour.len(), 1);
    assert_eq!(hour[0].sample_count, Some(360.0));
    // Percentiles now come from the sketch: within 1% of the exact ones.
    for (name, v) in &hour[0].extended {
        let exact = match name.as_str() {
            "p50" => 179.0,
            _ => 356.0,
        };
        assert!((v - exact).abs() <= 0.01 * exact, "{name}: {v} vs {exact}");
    }

    // After a restart (raw blocks and WAL gone) the metric is still listed: its last ingest
    // time comes back from the rollup blocks.
    drop(m);
    let m = open(dir.path(), &clock);
    let listed = |m: &openwatch_metrics::Metrics| {
        m.list_metrics(ACCOUNT, REGION, &ListMetricsRequest::default())
            .unwrap()
            .metrics
            .len()
    };
    assert_eq!(listed(&m), 1);
    assert_eq!(q(&m, 60, &[]).len(), 60);

    // After 15 days: 1-minute periods return nothing, 5-minute ones do, and ListMetrics no
    // longer lists a metric without data for two weeks.
    clock.set(start + 16 * 24 * 3_600_000);
    m.checkpoint(false).unwrap();
    assert!(q(&m, 60, &[]).is_empty());
    let five = q(&m, 300, &[]);
    assert_eq!(five.len(), 12);
    assert_eq!(listed(&m), 0);
    assert_eq!(five[0].sample_count, Some(30.0));

    // After 63 days: only whole hours.
    clock.set(start + 64 * 24 * 3_600_000);
    m.checkpoint(false).unwrap();
    assert!(q(&m, 300, &[]).is_empty());
    assert_eq!(q(&m, 3600, &[])[0].sum, Some((0..360).sum::<i64>() as f64));

    // After 455 days nothing is left.
    clock.set(start + 456 * 24 * 3_600_000);
    m.checkpoint(false).unwrap();
    assert!(q(&m, 3600, &[]).is_empty());
    assert_eq!(m.stats().rollup_blocks, 0);

    // Everything still holds after a reopen.
    drop(m);
    let m = open(dir.path(), &clock);
    assert!(q(&m, 3600, &[]).is_empty());
}

#[test]
fn list_metrics_pages_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0));
    let m = open(dir.path(), &clock);
    let data: Vec<MetricDatum> = (0..700)
        .map(|i| {
            MetricDatum::value("CPU", T0, 1.0)
                .with_dimension("Host", format!("h{i}"))
                .with_dimension("Az", if i % 2 == 0 { "a" } else { "b" })
        })
        .collect();
    m.put(ACCOUNT, REGION, "Fleet", &data[..500]).unwrap();
    clock.advance(Duration::from_secs(4 * 3600));
    let data: Vec<MetricDatum> = data[500..]
        .iter()
        .map(|d| MetricDatum {
            timestamp: Some(T0 + 4 * 3_600_000),
            ..d.clone()
        })
        .collect();
    m.put(ACCOUNT, REGION, "Fleet", &data).unwrap();
    let all = |req: ListMetricsRequest| {
        let mut req = req;
        let mut out = Vec::new();
        loop {
            let page = m.list_metrics(ACCOUNT, REGION, &req).unwrap();
            assert!(page.metrics.len() <= 500);
            out.extend(page.metrics);
            match page.next_token {
                Some(t) => req.next_token = Some(t),
                None => return out,
            }
        }
    };
    assert_eq!(all(ListMetricsRequest::default()).len(), 700);
    let az_a = all(ListMetricsRequest {
        dimensions: vec![("Az".into(), Some("a".into()))],
        ..Default::default()
    });
    assert_eq!(az_a.len(), 350);
    assert!(
        az_a.iter()
            .all(|m| m.dimensions[0].name == "Az" && m.dimensions[0].value == "a")
    );
    let recent = all(ListMetricsRequest {
        recently_active: Some("PT3H".into()),
        ..Default::default()
    });
    assert_eq!(recent.len(), 200);
    let err = m
        .list_metrics(
            ACCOUNT,
            REGION,
            &ListMetricsRequest {
                recently_active: Some("PT1H".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(err, MetricsError::InvalidParameterValue(_)));
    assert!(
        all(ListMetricsRequest {
            namespace: Some("Other".into()),
            ..Default::default()
        })
        .is_empty()
    );
}

#[test]
fn get_metric_data_pages_and_orders() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    let points: Vec<(i64, f64)> = (0..60).map(|i| (T0 + i * 60_000, i as f64)).collect();
    put_values(&m, "a", &points);
    let query = |id: &str, stat: &str| DataQuery {
        id: id.into(),
        metric: spec("a"),
        period: 60,
        stat: stat.into(),
        unit: Some(Unit::None.as_str().into()),
        expression: None,
        label: None,
        return_data: true,
    };
    let mut req = DataRequest {
        queries: vec![query("m1", "Average"), query("m2", "Sum")],
        start: T0,
        end: now,
        ascending: false,
        max_datapoints: Some(50),
        next_token: None,
    };
    let p1 = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    assert_eq!(p1.results[0].values.len(), 50);
    assert_eq!(p1.results[0].values[0], 59.0);
    assert_eq!(p1.results[0].status_code, "PartialData");
    assert_eq!(p1.results[1].values.len(), 0);
    req.next_token = p1.next_token.clone();
    let p2 = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    assert_eq!(p2.results[0].values.len(), 10);
    assert_eq!(p2.results[1].values.len(), 40);
    req.next_token = p2.next_token.clone();
    let p3 = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    assert_eq!(p3.results[1].values.len(), 20);
    assert!(p3.next_token.is_none());
    req.ascending = true;
    req.next_token = None;
    req.max_datapoints = None;
    let all = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    assert_eq!(all.results[0].timestamps[0], T0);
    assert_eq!(all.results[0].status_code, "Complete");
    assert_eq!(all.results[0].label, "Latency");
}

#[test]
fn get_metric_data_evaluates_metric_math() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    put_values(
        &m,
        "a",
        &[(T0, 1.0), (T0 + 60_000, 2.0), (T0 + 180_000, 4.0)],
    );
    put_values(&m, "b", &[(T0, 10.0), (T0 + 60_000, 20.0)]);
    let stat = |id: &str, host: &str| DataQuery {
        id: id.into(),
        metric: spec(host),
        period: 60,
        stat: "Sum".into(),
        return_data: false,
        ..DataQuery::default()
    };
    let expr = |id: &str, e: &str| DataQuery {
        id: id.into(),
        expression: Some(e.into()),
        return_data: true,
        ..DataQuery::default()
    };
    let req = DataRequest {
        queries: vec![
            stat("a", "a"),
            stat("b", "b"),
            expr("total", "a + b"),
            expr("filled", "FILL(total, 0) * 2"),
            expr("all", "METRICS()"),
        ],
        start: T0,
        end: T0 + 300_000,
        ascending: true,
        ..DataRequest::default()
    };
    let page = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    let got: Vec<(&str, &str, Vec<f64>)> = page
        .results
        .iter()
        .map(|r| (r.id.as_str(), r.label.as_str(), r.values.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("total", "total", vec![11.0, 22.0]),
            ("filled", "filled", vec![22.0, 44.0, 0.0, 0.0, 0.0]),
            ("all", "Latency", vec![1.0, 2.0, 4.0]),
            ("all", "Latency", vec![10.0, 20.0]),
        ]
    );
    let bad = DataRequest {
        queries: vec![expr("x", "y * 2"), expr("y", "x + 1")],
        start: T0,
        end: T0 + 300_000,
        ..DataRequest::default()
    };
    let err = m.get_metric_data(ACCOUNT, REGION, &bad).unwrap_err();
    assert!(
        matches!(err, MetricsError::InvalidParameterValue(ref s) if s.contains("circular")),
        "{err:?}"
    );
}

#[test]
fn get_metric_data_runs_metrics_insights_queries() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    let mut data = Vec::new();
    for (i, env) in [(1, "prod"), (2, "prod"), (3, "test"), (4, "prod")] {
        for minute in 0..3 {
            data.push(
                MetricDatum::value("CPU", T0 + minute * 60_000, (i * 10 + minute) as f64)
                    .with_dimension("InstanceId", format!("i-{i}"))
                    .with_dimension("Env", env),
            );
        }
    }
    // Same metric with a different dimension set: outside SCHEMA(…, InstanceId, Env).
    data.push(MetricDatum::value("CPU", T0, 1000.0).with_dimension("InstanceId", "i-9"));
    m.put(ACCOUNT, REGION, "EC2", &data).unwrap();
    let run = |sql: &str| {
        let req = DataRequest {
            queries: vec![DataQuery {
                id: "q".into(),
                expression: Some(sql.into()),
                period: 60,
                return_data: true,
                ..DataQuery::default()
            }],
            start: T0,
            end: T0 + 600_000,
            ascending: true,
            ..DataRequest::default()
        };
        m.get_metric_data(ACCOUNT, REGION, &req)
            .unwrap()
            .results
            .into_iter()
            .map(|r| (r.label, r.values))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(
            "SELECT AVG(CPU) FROM SCHEMA(EC2, InstanceId, Env) WHERE Env = 'prod' GROUP BY InstanceId ORDER BY AVG() DESC LIMIT 2"
        ),
        vec![
            ("i-4".to_owned(), vec![40.0, 41.0, 42.0]),
            ("i-2".to_owned(), vec![20.0, 21.0, 22.0]),
        ]
    );
    assert_eq!(
        run(
            "SELECT MAX(CPU) FROM SCHEMA(\"EC2\", InstanceId, Env) GROUP BY Env ORDER BY MAX() ASC"
        ),
        vec![
            ("test".to_owned(), vec![30.0, 31.0, 32.0]),
            ("prod".to_owned(), vec![40.0, 41.0, 42.0]),
        ]
    );
    assert_eq!(
        run("SELECT COUNT(CPU) FROM EC2 WHERE InstanceId NOT IN ('i-1', 'i-2')"),
        vec![("q".to_owned(), vec![3.0, 2.0, 2.0])]
    );
    assert_eq!(
        run("SELECT SUM(CPU) FROM EC2 WHERE Env LIKE 'te%' OR InstanceId = 'i-9'"),
        vec![("q".to_owned(), vec![1030.0, 31.0, 32.0])]
    );
}

#[test]
fn metric_math_search_finds_metrics_through_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let now = T0 + 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let m = open(dir.path(), &clock);
    let data = vec![
        MetricDatum::value("CPUUtilization", T0, 10.0).with_dimension("InstanceId", "i-1"),
        MetricDatum::value("CPUUtilization", T0, 30.0).with_dimension("InstanceId", "i-2"),
        MetricDatum::value("NetworkIn", T0, 99.0).with_dimension("InstanceId", "i-1"),
    ];
    m.put(ACCOUNT, REGION, "EC2", &data).unwrap();
    let req = DataRequest {
        queries: vec![
            DataQuery {
                id: "s".into(),
                expression: Some(
                    "SEARCH('{EC2,InstanceId} MetricName=\"CPUUtilization\"', 'Maximum', 300)"
                        .into(),
                ),
                return_data: true,
                ..DataQuery::default()
            },
            DataQuery {
                id: "total".into(),
                expression: Some("SUM(s)".into()),
                period: 300,
                return_data: true,
                ..DataQuery::default()
            },
        ],
        start: T0,
        end: T0 + 600_000,
        ascending: true,
        ..DataRequest::default()
    };
    let page = m.get_metric_data(ACCOUNT, REGION, &req).unwrap();
    let got: Vec<(String, Vec<f64>)> = page
        .results
        .into_iter()
        .map(|r| (r.label, r.values))
        .collect();
    assert_eq!(
        got,
        vec![
            ("CPUUtilization i-1".to_owned(), vec![10.0]),
            ("CPUUtilization i-2".to_owned(), vec![30.0]),
            ("total".to_owned(), vec![40.0]),
        ]
    );
}
