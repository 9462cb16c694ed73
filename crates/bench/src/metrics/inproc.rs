//! OpenWatch's metrics engine in process: ingest rate through `Metrics::put` and `Metrics::put_refs` (validation, WAL
//! append and fsync by a group commit its waiters lead, head), bytes per sample after sealing, and RAM per active series.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openwatch_metrics::{
    Dimension, DimensionRef, MetricDatum, MetricDatumRef, Metrics, MetricsError, MetricsOptions,
    SimClock,
};

use super::data::{DataSet, FIELDS, HOSTS, Rounding, host_dims};

/// What one in-process run measured.
pub struct EngineFigures {
    pub samples: u64,
    pub ingest: Duration,
    /// Sealed raw blocks.
    pub raw_bytes: u64,
    /// The series file (the persistent index; postings are rebuilt from it in memory).
    pub index_bytes: u64,
    /// Every file in the data directory after closing (raw and rollup blocks, series file, WAL).
    pub dir_bytes: u64,
    /// That total by part: `blocks/raw`, `blocks/1m`, `blocks/5m`, `blocks/1h`, `wal`.
    pub parts: Vec<(&'static str, u64)>,
}

impl EngineFigures {
    pub fn rate(&self) -> f64 {
        self.samples as f64 / self.ingest.as_secs_f64()
    }
}

/// Sum of the apparent sizes of every file under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

/// The engine's defaults, as the server opens it: every `put` returns once its WAL record is
/// fsynced, by a group commit that its waiters start at once (`SyncPolicy::OnWait`).
fn options() -> MetricsOptions {
    MetricsOptions::default()
}

/// How the engine phase hands datums to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `Metrics::put` with owned `MetricDatum`s, each with its own copy of its host's
    /// dimension strings (as a caller that built them one by one).
    Owned,
    /// `Metrics::put_refs` with borrowed datums whose dimensions are their host's one shared
    /// list (as the HTTP reader's per-request arena, or an agent holding its host's dimensions).
    Borrowed,
}

impl Api {
    pub fn label(self) -> &'static str {
        match self {
            Api::Owned => "put, owned datums",
            Api::Borrowed => "put_refs, shared dimensions",
        }
    }
}

/// Calls `put` on every batch from `threads` threads; the first error, if any.
fn put_all<T: Sync>(
    batches: &[&[T]],
    threads: usize,
    put: impl Fn(&[T]) -> Result<(), MetricsError> + Sync,
) -> Option<MetricsError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let put = &put;
                scope.spawn(move || {
                    batches
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .find_map(|b| put(b).err())
                })
            })
            .collect();
        handles.into_iter().find_map(|h| h.join().ok().flatten())
    })
}

/// Ingests `data` hour by hour with `threads` threads through `api` (batches of 1,000, each
/// call returning once its record is fsynced), sealing each hour after it; only the calls are
/// timed.
pub fn ingest(
    data: &DataSet,
    r: Rounding,
    threads: usize,
    api: Api,
) -> anyhow::Result<EngineFigures> {
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(SimClock::new(data.t0));
    let m = Metrics::open(dir.path(), clock.clone(), options())?;
    let dims: Vec<Vec<Dimension>> = (0..HOSTS).map(host_dims).collect();
    let shared: Vec<Vec<DimensionRef<'_>>> = dims
        .iter()
        .map(|d| {
            d.iter()
                .map(|x| DimensionRef {
                    name: &x.name,
                    value: &x.value,
                })
                .collect()
        })
        .collect();
    let (account, region, ns) = ("123456789012", "us-east-1", "cpu");
    let mut ingest = Duration::ZERO;
    let mut raw_bytes = 0;
    for hour in 0..data.hours() {
        let batch = data.hour_datums(hour, r, &dims);
        let end = data.t0 + (hour as i64 + 1) * 3_600_000;
        clock.set(end);
        let failed = match api {
            Api::Owned => {
                let batches: Vec<&[MetricDatum]> = batch.chunks(1_000).collect();
                let started = Instant::now();
                let failed = put_all(&batches, threads, |b| m.put(account, region, ns, b));
                ingest += started.elapsed();
                failed
            }
            Api::Borrowed => {
                // Step-major, host then field: datum i is of host (i / fields) % hosts.
                let refs: Vec<MetricDatumRef<'_>> = batch
                    .iter()
                    .enumerate()
                    .map(|(i, d)| MetricDatumRef {
                        metric_name: Some(FIELDS[i % FIELDS.len()]),
                        dimensions: &shared[(i / FIELDS.len()) % HOSTS],
                        timestamp: d.timestamp,
                        value: d.value,
                        storage_resolution: d.storage_resolution,
                        ..MetricDatumRef::default()
                    })
                    .collect();
                drop(batch);
                let batches: Vec<&[MetricDatumRef<'_>]> = refs.chunks(1_000).collect();
                let started = Instant::now();
                let failed = put_all(&batches, threads, |b| m.put_refs(account, region, ns, b));
                ingest += started.elapsed();
                failed
            }
        };
        if let Some(e) = failed {
            anyhow::bail!("put failed: {e}");
        }
        // Seal the hour: the clock passes the seal delay.
        clock.set(end + 11 * 60_000);
        raw_bytes += m.checkpoint(false)?.raw_block_bytes;
    }
    m.close()?;
    drop(m);
    let index_bytes = std::fs::metadata(dir.path().join("series.dat"))?.len();
    let parts = ["blocks/raw", "blocks/1m", "blocks/5m", "blocks/1h", "wal"]
        .into_iter()
        .map(|p| (p, dir_bytes(&dir.path().join(p))))
        .collect();
    Ok(EngineFigures {
        samples: data.samples(),
        ingest,
        raw_bytes,
        index_bytes,
        dir_bytes: dir_bytes(dir.path()),
        parts,
    })
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

/// RAM per active series: 100,000 series (10,000 hosts × 10 fields, six dimensions) with one
/// sample each in the head; resident-memory growth over the series count. Run first, before
/// the process has freed memory that the allocator would reuse.
pub fn ram_per_series(t0: i64) -> anyhow::Result<(usize, f64)> {
    const RAM_HOSTS: usize = 10_000;
    let dir = tempfile::tempdir()?;
    let m = Metrics::open(dir.path(), Arc::new(SimClock::new(t0 + 60_000)), options())?;
    let before = rss_bytes();
    for chunk in (0..RAM_HOSTS).collect::<Vec<_>>().chunks(100) {
        let data: Vec<MetricDatum> = chunk
            .iter()
            .flat_map(|h| {
                let dims = host_dims(*h);
                FIELDS.iter().map(move |f| {
                    let mut d = MetricDatum::value(*f, t0, 1.0);
                    d.dimensions = dims.clone();
                    d
                })
            })
            .collect();
        m.put("123456789012", "us-east-1", "cpu", &data)?;
    }
    let after = rss_bytes();
    m.close()?;
    let n = RAM_HOSTS * FIELDS.len();
    Ok((n, after.saturating_sub(before) as f64 / n as f64))
}
