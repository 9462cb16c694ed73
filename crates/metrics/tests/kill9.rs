//! `kill -9` loses nothing acknowledged: a child process (this test binary, re-run with an
//! environment variable) puts batches, sealing and compacting as it goes, and prints each batch
//! number once `put` returns; the parent SIGKILLs it mid-stream, reopens the data directory and
//! finds every acknowledged sample exactly once.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use openwatch_metrics::{Dimension, MetricDatum, MetricSpec, Metrics, StatisticsRequest};
use openwatch_storage::SimClock;

const CHILD_DIR: &str = "OW_METRICS_KILL9_DIR";
const NOW: i64 = T0 + 10 * 3_600_000;
const SERIES: u64 = 700;
const PER_BATCH: u64 = 100;
/// Data spans the 2.5 hours before `NOW`, so older partitions seal while writes continue.
const SPAN: i64 = 9_000_000;

fn batch(k: u64) -> Vec<MetricDatum> {
    (0..PER_BATCH)
        .map(|j| {
            let n = k * PER_BATCH + j;
            let ts = NOW - SPAN + ((n * 7_919) as i64 * 1_000) % SPAN;
            let mut d = MetricDatum::value("Requests", ts, 1.0)
                .with_dimension("Series", format!("s{}", n % SERIES));
            d.storage_resolution = Some(1);
            d
        })
        .collect()
}

fn child(dir: &str) {
    let clock = Arc::new(SimClock::new(NOW));
    let m = open_with(std::path::Path::new(dir), &clock, group_commit());
    let started = Instant::now();
    let mut k = 0u64;
    // Bounded, in case the parent is gone.
    while started.elapsed() < Duration::from_secs(60) {
        m.put(ACCOUNT, REGION, "App", &batch(k)).unwrap();
        println!("ack {k}");
        k += 1;
        if k.is_multiple_of(25) {
            m.checkpoint(false).unwrap();
        }
    }
}

fn total_count(m: &Metrics) -> f64 {
    (0..SERIES)
        .map(|s| {
            let req = StatisticsRequest {
                metric: MetricSpec {
                    namespace: "App".into(),
                    metric_name: "Requests".into(),
                    dimensions: vec![Dimension::new("Series", format!("s{s}"))],
                },
                start: NOW - 3 * 3_600_000,
                end: NOW,
                period: 3 * 3_600,
                statistics: vec!["SampleCount".into()],
                extended_statistics: Vec::new(),
                unit: None,
            };
            let dps = m.statistics(ACCOUNT, REGION, &req).unwrap();
            dps.first().and_then(|d| d.sample_count).unwrap_or(0.0)
        })
        .sum()
}

#[test]
fn kill_9_loses_nothing_acknowledged() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        child(&dir);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Option<u64> = None;
    for round in 0..2 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "kill_9_loses_nothing_acknowledged",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut this_round = 0;
        let mut last = None;
        while this_round < 120 + round * 57 {
            let Some(line) = lines.next() else { break };
            if let Some(k) = line.unwrap().strip_prefix("ack ") {
                last = Some(k.parse::<u64>().unwrap());
                this_round += 1;
            }
        }
        // SIGKILL, while the child is still writing.
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(this_round > 0, "the child acknowledged nothing");
        // The second round's child restarts numbering at 0; count its batches on top.
        acked = Some(acked.unwrap_or(0) + last.unwrap() + 1);
        let m = open(dir.path(), &Arc::new(SimClock::new(NOW)));
        let n = total_count(&m);
        let low = (acked.unwrap() * PER_BATCH) as f64;
        // At most the batch in flight when the signal came (one writer) may also be there.
        assert!(
            n >= low && n <= low + PER_BATCH as f64,
            "round {round}: {n} samples, {low} acknowledged"
        );
        // Whatever survived beyond the acknowledged batches counts as written from now on.
        acked = Some((n as u64) / PER_BATCH);
        m.close().unwrap();
    }
}
