//! Engine tests that need the crate's insides: WAL records by series id across WAL trimming,
//! replay of version-1 records, block-generation compaction and its crash window.

use std::path::Path;
use std::sync::Arc;

use openwatch_storage::{SimClock, SyncPolicy, Wal, WalOptions};

use super::*;
use crate::model::{Dimension, Entry, MetricDatum};
use crate::query::{MetricSpec, StatisticsRequest};
use crate::unit::Unit;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;

fn options() -> MetricsOptions {
    MetricsOptions {
        wal: WalOptions {
            segment_bytes: 4 * 1024,
            sync: SyncPolicy::Never,
        },
        ..MetricsOptions::default()
    }
}

fn open(dir: &Path, clock: &Arc<SimClock>) -> Metrics {
    Metrics::open(dir, clock.clone(), options()).expect("open")
}

fn datum(host: &str, ts: i64, v: f64) -> MetricDatum {
    let mut d = MetricDatum::value("Latency", ts, v).with_dimension("Host", host);
    d.storage_resolution = Some(1);
    d
}

/// (SampleCount, Sum) of `host` over `[start, end)` in one period.
fn count_sum(m: &Metrics, host: &str, start: i64, end: i64) -> (f64, f64) {
    let dps = m
        .statistics(
            ACCOUNT,
            REGION,
            &StatisticsRequest {
                metric: MetricSpec {
                    namespace: "App".into(),
                    metric_name: "Latency".into(),
                    dimensions: vec![Dimension::new("Host", host)],
                },
                start,
                end,
                period: end - start,
                statistics: vec!["SampleCount".into(), "Sum".into()],
                extended_statistics: Vec::new(),
                unit: None,
            },
        )
        .expect("statistics");
    dps.first().map_or((0.0, 0.0), |d| {
        (d.sample_count.unwrap_or(0.0), d.sum.unwrap_or(0.0))
    })
}

#[test]
fn records_by_id_replay_after_the_wal_that_created_their_series_is_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = T0 + 3 * 3_600_000;
    let clock = Arc::new(SimClock::new(now));
    let hosts: Vec<String> = (0..50).map(|i| format!("h{i}")).collect();
    {
        let m = open(dir.path(), &clock);
        // Series created (logged by key) in an early partition, which is then sealed.
        let first: Vec<MetricDatum> = hosts
            .iter()
            .map(|h| datum(h, now - 7_000_000, 1.0))
            .collect();
        m.put(ACCOUNT, REGION, "App", &first).expect("put");
        // A series created by a datum without samples (Values with zero counts).
        let mut empty =
            MetricDatum::value("Latency", now - 60_000, 0.0).with_dimension("Host", "e");
        empty.value = None;
        empty.values = vec![5.0];
        empty.counts = vec![0.0];
        m.put(ACCOUNT, REGION, "App", &[empty]).expect("put");
        let r = m.checkpoint(false).expect("checkpoint");
        assert_eq!(r.partitions_sealed, 1, "{r:?}");
        assert!(r.wal_segments_removed > 0, "{r:?}");
        // Now every series is known: these records name them by id only.
        for i in 0..20 {
            let batch: Vec<MetricDatum> = hosts
                .iter()
                .chain(std::iter::once(&"e".to_string()))
                .map(|h| datum(h, now - 600_000 + i * 1_000, 2.0))
                .collect();
            m.put(ACCOUNT, REGION, "App", &batch).expect("put");
        }
        let stale = m.state.read().index.len();
        assert_eq!(stale, 51);
        // A crash: nothing but the WAL, the series file and the blocks remain.
        std::mem::forget(m);
    }
    for round in 0..2 {
        let m = open(dir.path(), &clock);
        assert_eq!(m.stats().series, 51, "round {round}");
        for h in &hosts {
            assert_eq!(count_sum(&m, h, now - 3 * 3_600_000, now), (21.0, 41.0));
        }
        assert_eq!(count_sum(&m, "e", now - 3 * 3_600_000, now), (20.0, 40.0));
        // Seal everything and trim the WAL, then open again.
        m.checkpoint(true).expect("checkpoint");
        m.close().expect("close");
    }
}

#[test]
fn version_1_wal_records_still_replay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0 + 120_000));
    let dims = [Dimension::new("Host", "a")];
    let entries = [
        Entry::single(T0, 3.0, Unit::None, true),
        Entry::single(T0 + 1_000, 4.0, Unit::None, true),
    ];
    {
        let wal = Wal::open(&dir.path().join("wal"), options().wal).expect("wal");
        let rec = walrec::encode_v1(T0, ACCOUNT, REGION, "App", &[("Latency", &dims, &entries)]);
        wal.append(&rec).expect("append");
        wal.close().expect("close");
    }
    let m = open(dir.path(), &clock);
    assert_eq!(count_sum(&m, "a", T0, T0 + 60_000), (2.0, 7.0));
    // New records after the old one name the series by id; both replay.
    m.put(ACCOUNT, REGION, "App", &[datum("a", T0 + 2_000, 5.0)])
        .expect("put");
    assert_eq!(count_sum(&m, "a", T0, T0 + 60_000), (3.0, 12.0));
    drop(m);
    let m = open(dir.path(), &clock);
    assert_eq!(m.stats().series, 1);
    assert_eq!(count_sum(&m, "a", T0, T0 + 60_000), (3.0, 12.0));
}

fn block_files(dir: &Path, level: Level) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("blocks").join(level.dir_name()))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn late_samples_seal_a_second_generation_that_compaction_merges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = T0;
    let clock = Arc::new(SimClock::new(p + 3_600_000 + 11 * 60_000));
    let m = open(dir.path(), &clock);
    let first: Vec<MetricDatum> = (0..100).map(|i| datum("a", p + i * 10_000, 1.0)).collect();
    m.put(ACCOUNT, REGION, "App", &first).expect("put");
    let mut std_res =
        MetricDatum::value("Latency", p + 30 * 60_000, 7.0).with_dimension("Host", "b");
    std_res.unit = Some(Unit::Seconds.as_str().into());
    m.put(ACCOUNT, REGION, "App", &[std_res.clone()])
        .expect("put");
    let r = m.checkpoint(false).expect("checkpoint");
    assert_eq!((r.partitions_sealed, r.blocks_compacted), (1, 0), "{r:?}");
    let gen1: Vec<(Level, String, Vec<u8>)> = Level::ALL
        .iter()
        .flat_map(|l| {
            block_files(dir.path(), *l).into_iter().map(|f| {
                let path = dir.path().join("blocks").join(l.dir_name()).join(&f);
                (*l, f, std::fs::read(path).expect("read"))
            })
        })
        .collect();
    assert_eq!(gen1.len(), 4);
    // Late samples for the same hour (also at timestamps already sealed), sealed again.
    let late: Vec<MetricDatum> = (50..150).map(|i| datum("a", p + i * 10_000, 2.0)).collect();
    m.put(ACCOUNT, REGION, "App", &late).expect("put");
    m.put(ACCOUNT, REGION, "App", &[std_res]).expect("put");
    let before = (
        count_sum(&m, "a", p, p + 3_600_000),
        count_sum(&m, "b", p, p + 3_600_000),
    );
    assert_eq!(before, ((200.0, 300.0), (2.0, 14.0)));
    let r = m.checkpoint(false).expect("checkpoint");
    assert_eq!((r.partitions_sealed, r.blocks_compacted), (1, 4), "{r:?}");
    assert_eq!(r.blocks_deleted, 8, "{r:?}");
    for level in Level::ALL {
        assert_eq!(block_files(dir.path(), level).len(), 1, "{level:?}");
    }
    assert_eq!(m.stats().raw_blocks, 1);
    assert_eq!(m.stats().rollup_blocks, 3);
    let after = (
        count_sum(&m, "a", p, p + 3_600_000),
        count_sum(&m, "b", p, p + 3_600_000),
    );
    assert_eq!(after, before);
    // Rollups merged (period 1 h reads the 1 h rollups once raw data has expired).
    m.close().expect("close");
    drop(m);

    // The crash window: the compacted block is durable but the old files were not deleted yet.
    for (l, f, bytes) in &gen1 {
        std::fs::write(dir.path().join("blocks").join(l.dir_name()).join(f), bytes)
            .expect("restore");
    }
    let m = open(dir.path(), &clock);
    for level in Level::ALL {
        assert_eq!(block_files(dir.path(), level).len(), 1, "{level:?}");
    }
    assert_eq!(count_sum(&m, "a", p, p + 3_600_000), before.0);
    assert_eq!(count_sum(&m, "b", p, p + 3_600_000), before.1);
    // And from the rollups once raw data is past its 3 h retention.
    clock.set(p + 5 * 3_600_000);
    m.checkpoint(false).expect("checkpoint");
    assert_eq!(m.stats().raw_blocks, 0);
    let h = count_sum(&m, "a", p, p + 3_600_000);
    assert_eq!(h, (200.0, 300.0));
}
