//! A throughput probe (ignored by default): `cargo test --release -p openwatch-trail -- --ignored --nocapture`.

use std::sync::Arc;
use std::time::Instant;

use openwatch_storage::SimClock;

use super::{T0, input};
use crate::{LookupQuery, Trail, TrailOptions};

#[test]
#[ignore = "a measurement, not a check"]
fn record_throughput() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trail = Trail::open(
        dir.path(),
        Arc::new(SimClock::new(T0)),
        TrailOptions::default(),
    )
    .expect("open");
    let n = 200_000i64;
    let inputs: Vec<_> = (0..n).map(|i| input(T0 + i, "DescribeAlarms")).collect();
    let start = Instant::now();
    let mut first = None;
    for (i, r) in inputs.into_iter().enumerate() {
        if i == 50_000 {
            first = Some(start.elapsed());
        }
        trail.record(r);
    }
    let queued = start.elapsed();
    trail.flush().expect("flush");
    let total = start.elapsed();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let t = Instant::now();
    let page = trail
        .lookup_events(super::ACCOUNT, super::REGION, &LookupQuery::default())
        .expect("lookup");
    let lookup = t.elapsed();
    let t = Instant::now();
    let q = LookupQuery {
        lookup_attributes: vec![("EventName".into(), "DescribeAlarms".into())],
        ..Default::default()
    };
    let again = trail
        .lookup_events(super::ACCOUNT, super::REGION, &q)
        .expect("lookup");
    let lookup2 = t.elapsed();
    let s = trail.stats();
    println!(
        "record(): {:.0} ns/call for the first 50,000 (queue not full), {:.0} ns/call overall; stored {} records in {:?} ({:.0}/s); index {} B/record; \
         lookup of {} events {:?}, then by EventName {} in {:?}; dropped {}",
        first.unwrap_or_default().as_nanos() as f64 / 50_000.0,
        queued.as_nanos() as f64 / n as f64,
        s.recorded,
        total,
        n as f64 / total.as_secs_f64(),
        s.index_bytes / s.indexed.max(1),
        page.events.len(),
        lookup,
        again.events.len(),
        lookup2,
        s.dropped
    );
}
