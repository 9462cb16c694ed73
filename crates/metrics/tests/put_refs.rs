//! `put_refs` (datums borrowed from a request) against `put` (owned datums): the same batches
//! store the same series and samples, survive a reopen alike and fail with the same errors in
//! the same order, leaving nothing of a refused batch behind.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use openwatch_metrics::{
    DimensionRef, ListMetricsRequest, MetricDatum, MetricDatumRef, MetricSpec, Metrics,
    StatisticSet, StatisticsRequest, Unit,
};
use openwatch_storage::SimClock;

/// Borrows owned datums the way a facade does: one dimension arena for the whole batch.
fn with_refs<R>(data: &[MetricDatum], f: impl FnOnce(&[MetricDatumRef<'_>]) -> R) -> R {
    let arena: Vec<DimensionRef<'_>> = data
        .iter()
        .flat_map(|d| {
            d.dimensions.iter().map(|x| DimensionRef {
                name: &x.name,
                value: &x.value,
            })
        })
        .collect();
    let mut at = 0;
    let refs: Vec<MetricDatumRef<'_>> = data
        .iter()
        .map(|d| {
            let dims = &arena[at..at + d.dimensions.len()];
            at += d.dimensions.len();
            MetricDatumRef::borrowing(d, dims)
        })
        .collect();
    f(&refs)
}

fn at(name: &str, ts: i64, v: f64, dims: &[(&str, &str)]) -> MetricDatum {
    let mut d = MetricDatum::value(name, ts, v);
    for (n, x) in dims {
        d = d.with_dimension(*n, *x);
    }
    d
}

/// Valid batches: dimensions in several orders (one series), values with counts, statistic
/// sets, high resolution, units, datums without dimensions.
fn valid_batches() -> Vec<Vec<MetricDatum>> {
    let t = T0 + 30 * 60_000;
    let mut values = at("Latency", t, 0.0, &[("Host", "b")]);
    values.value = None;
    values.values = vec![1.0, 2.5, 4.0];
    values.counts = vec![2.0, 0.0, 1.0];
    let mut set = at("Latency", t + 60_000, 0.0, &[("Host", "b")]);
    set.value = None;
    set.statistic_values = Some(StatisticSet {
        sample_count: Some(4.0),
        sum: Some(10.0),
        minimum: Some(1.0),
        maximum: Some(4.0),
    });
    let mut high = at("Hits", t + 1_500, 3.0, &[("Az", "x"), ("Host", "a")]).with_unit(Unit::Count);
    high.storage_resolution = Some(1);
    let mut now = at("Hits", 0, 1.0, &[]);
    now.timestamp = None;
    vec![
        vec![
            at("Latency", t, 1.0, &[("Host", "a"), ("Az", "x")]),
            at("Latency", t, 2.0, &[("Az", "x"), ("Host", "a")]),
            values,
            set,
        ],
        vec![
            high,
            now,
            at("Latency", t + 120_000, 7.0, &[("Az", "x"), ("Host", "a")]),
        ],
        (0..40)
            .map(|i| {
                at(
                    "Cpu",
                    t + i * 1_000,
                    i as f64,
                    &[("Host", "c"), ("Core", &format!("{}", i % 4))],
                )
            })
            .collect(),
    ]
}

/// Batches every one of which is refused; the first datum of each is valid, so a refused batch
/// must leave no trace.
fn invalid_batches() -> Vec<Vec<MetricDatum>> {
    let t = T0 + 30 * 60_000;
    let ok = at("Refused", t, 1.0, &[("Host", "z")]);
    let mut cases: Vec<MetricDatum> = Vec::new();
    cases.push(MetricDatum {
        metric_name: None,
        ..at("x", t, 1.0, &[])
    });
    cases.push(at("M", t, 1.0, &[("Host", "a"), ("Host", "b")]));
    cases.push(at("M", t, 1.0, &[("", "a")]));
    cases.push(at("M", t, 1.0, &[("Host", "")]));
    cases.push(at("M", t, 1.0, &[(":Host", "a")]));
    cases.push(at("M", t, 1.0, &[("Host", "\u{7}")]));
    cases.push(at("M", t, 1.0, &[("Host", &"v".repeat(1_025))]));
    cases.push(at(&"m".repeat(256), t, 1.0, &[]));
    cases.push(at(
        "M",
        t,
        1.0,
        &(0..31)
            .map(|i| (format!("d{i}"), "v".to_string()))
            .collect::<Vec<_>>()
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
    ));
    cases.push(at("M", t - 15 * 24 * 3_600_000, 1.0, &[]));
    cases.push(at("M", t, f64::NAN, &[]));
    cases.push(MetricDatum {
        unit: Some("Parsecs".into()),
        ..at("M", t, 1.0, &[])
    });
    cases.push(MetricDatum {
        storage_resolution: Some(5),
        ..at("M", t, 1.0, &[])
    });
    cases.push(MetricDatum {
        value: None,
        ..at("M", t, 1.0, &[])
    });
    cases.push(MetricDatum {
        values: vec![1.0],
        ..at("M", t, 1.0, &[])
    });
    cases.push(MetricDatum {
        value: None,
        values: vec![1.0, 2.0],
        counts: vec![1.0],
        ..at("M", t, 1.0, &[])
    });
    cases.push(MetricDatum {
        value: None,
        statistic_values: Some(StatisticSet {
            sample_count: Some(1.0),
            sum: Some(1.0),
            minimum: Some(2.0),
            maximum: Some(1.0),
        }),
        ..at("M", t, 1.0, &[])
    });
    // An existing series with a bad datum: its key is known, the value is not valid.
    cases.push(at(
        "Latency",
        t,
        f64::INFINITY,
        &[("Az", "x"), ("Host", "a")],
    ));
    let mut batches: Vec<Vec<MetricDatum>> =
        cases.into_iter().map(|bad| vec![ok.clone(), bad]).collect();
    batches.push(Vec::new());
    batches.push(vec![ok.clone(); 1_001]);
    batches
}

fn stored(m: &Metrics) -> Vec<(MetricSpec, Vec<openwatch_metrics::Datapoint>)> {
    let page = m
        .list_metrics(ACCOUNT, REGION, &ListMetricsRequest::default())
        .unwrap();
    page.metrics
        .into_iter()
        .map(|id| {
            let spec = MetricSpec {
                namespace: id.namespace,
                metric_name: id.metric_name,
                dimensions: id.dimensions,
            };
            let req = StatisticsRequest {
                metric: spec.clone(),
                start: T0,
                end: T0 + 3_600_000,
                period: 60,
                statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"]
                    .map(String::from)
                    .to_vec(),
                extended_statistics: vec!["p50".into()],
                unit: None,
            };
            let dps = m.statistics(ACCOUNT, REGION, &req).unwrap();
            (spec, dps)
        })
        .collect()
}

#[test]
fn put_refs_stores_and_refuses_as_put_does() {
    let clock = Arc::new(SimClock::new(T0 + 3_600_000 - 60_000));
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let owned = open(da.path(), &clock);
    let borrowed = open(db.path(), &clock);
    for batch in valid_batches() {
        owned.put(ACCOUNT, REGION, "App", &batch).unwrap();
        with_refs(&batch, |r| borrowed.put_refs(ACCOUNT, REGION, "App", r)).unwrap();
    }
    let before = stored(&owned);
    assert_eq!(before.len(), 8, "{before:#?}");
    assert_eq!(before, stored(&borrowed));
    for batch in invalid_batches() {
        let a = owned.put(ACCOUNT, REGION, "App", &batch).unwrap_err();
        let b = with_refs(&batch, |r| borrowed.put_refs(ACCOUNT, REGION, "App", r)).unwrap_err();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(a.is_client_error(), "{a:?}");
    }
    for ns in ["", "AWS/EC2", "bad\u{7}"] {
        let batch = &valid_batches()[0];
        let a = owned.put(ACCOUNT, REGION, ns, batch).unwrap_err();
        let b = with_refs(batch, |r| borrowed.put_refs(ACCOUNT, REGION, ns, r)).unwrap_err();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
    assert_eq!(stored(&owned), before, "refused batches store nothing");
    assert_eq!(stored(&borrowed), before);
    owned.close().unwrap();
    borrowed.close().unwrap();
    drop((owned, borrowed));
    let (owned, borrowed) = (open(da.path(), &clock), open(db.path(), &clock));
    assert_eq!(stored(&owned), before, "replayed");
    assert_eq!(stored(&borrowed), before, "replayed");
}

#[test]
fn put_refs_async_matches_put_async() {
    let clock = Arc::new(SimClock::new(T0 + 3_600_000 - 60_000));
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let owned = open(da.path(), &clock);
    let borrowed = open(db.path(), &clock);
    let put = |ns: Option<&str>, batch: &[MetricDatum]| {
        let a = poll_once(owned.put_async(ACCOUNT, REGION, ns, batch));
        let b = with_refs(batch, |r| {
            poll_once(borrowed.put_refs_async(ACCOUNT, REGION, ns, r))
        });
        (a, b)
    };
    for batch in valid_batches() {
        let (a, b) = put(Some("App"), &batch);
        a.unwrap();
        b.unwrap();
    }
    assert_eq!(stored(&owned), stored(&borrowed));
    let (a, b) = put(None, &valid_batches()[0]);
    assert_eq!(
        format!("{:?}", a.unwrap_err()),
        format!("{:?}", b.unwrap_err())
    );
}

/// Polls a future once with a no-op waker: with `SyncPolicy::Never`, a put is durable at once.
fn poll_once<T>(f: impl std::future::Future<Output = T>) -> T {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(f).poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the put waited"),
    }
}
