//! Measures engine ingest and on-disk bytes per sample on a TSBS-style cpu-only data set:
//! 100 hosts × 10 cpu fields, six dimensions, one sample every 10 s for 24 h (8.64 M samples),
//! values a bounded random walk in [0, 100], once rounded to integers and once to two decimals.
//!
//! `cargo run --release -p openwatch-metrics --example ingest [-- hours [all]]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use openwatch_metrics::{Dimension, MetricDatum, Metrics, MetricsOptions};
use openwatch_storage::{SimClock, SyncPolicy, WalOptions};

const HOSTS: usize = 100;
const FIELDS: [&str; 10] = [
    "usage_user",
    "usage_system",
    "usage_idle",
    "usage_nice",
    "usage_iowait",
    "usage_irq",
    "usage_softirq",
    "usage_steal",
    "usage_guest",
    "usage_guest_nice",
];
const STEP_MS: i64 = 10_000;
const T0: i64 = 1_767_225_600_000;
const THREADS: usize = 16;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn host_dims(h: usize) -> Vec<Dimension> {
    vec![
        Dimension::new("hostname", format!("host_{h}")),
        Dimension::new("region", format!("eu-central-{}", h % 3)),
        Dimension::new(
            "datacenter",
            format!("eu-central-1{}", (b'a' + (h % 3) as u8) as char),
        ),
        Dimension::new("rack", format!("{}", h % 100)),
        Dimension::new("os", format!("Ubuntu{}", 15 + h % 3)),
        Dimension::new("service", format!("{}", h % 20)),
    ]
}

fn run(hours: i64, decimals: bool, sync: SyncPolicy) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(SimClock::new(T0));
    let m = Arc::new(Metrics::open(
        dir.path(),
        clock.clone(),
        MetricsOptions {
            wal: WalOptions {
                sync,
                ..WalOptions::default()
            },
            ..MetricsOptions::default()
        },
    )?);
    let dims: Vec<Vec<Dimension>> = (0..HOSTS).map(host_dims).collect();
    let mut walk = vec![50.0f64; HOSTS * FIELDS.len()];
    let mut rng = Rng(0x5eed);
    let steps_per_hour = 3_600_000 / STEP_MS;
    let mut samples = 0u64;
    let mut ingest_time = Duration::ZERO;
    let mut ingest_cpu = 0u64;
    let mut raw_bytes = 0u64;
    for hour in 0..hours {
        // Build this hour's batches: one datum per (host, field, step), 1,000 per request.
        let mut data = Vec::with_capacity(HOSTS * FIELDS.len() * steps_per_hour as usize);
        for s in 0..steps_per_hour {
            let ts = T0 + hour * 3_600_000 + s * STEP_MS;
            for (h, d) in dims.iter().enumerate() {
                for (f, name) in FIELDS.iter().enumerate() {
                    let w = &mut walk[h * FIELDS.len() + f];
                    *w = (*w + (rng.next() - 0.5) * 4.0).clamp(0.0, 100.0);
                    let v = if decimals {
                        (*w * 100.0).round() / 100.0
                    } else {
                        w.round()
                    };
                    let mut datum = MetricDatum::value(*name, ts, v);
                    datum.dimensions = d.clone();
                    datum.storage_resolution = Some(1);
                    data.push(datum);
                }
            }
        }
        clock.set(T0 + (hour + 1) * 3_600_000);
        let batches: Vec<&[MetricDatum]> = data.chunks(1_000).collect();
        let started = Instant::now();
        let cpu_started = cpu_ticks();
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let m = &m;
                let batches = &batches;
                scope.spawn(move || {
                    for b in batches.iter().skip(t).step_by(THREADS) {
                        if let Err(e) = m.put("123456789012", "us-east-1", "cpu", b) {
                            eprintln!("put failed: {e}");
                        }
                    }
                });
            }
        });
        ingest_time += started.elapsed();
        ingest_cpu += cpu_ticks().saturating_sub(cpu_started);
        samples += data.len() as u64;
        // Seal the hour (the clock is at its end, so seal everything).
        clock.set(T0 + (hour + 1) * 3_600_000 + 11 * 60_000);
        raw_bytes += m.checkpoint(false)?.raw_block_bytes;
    }
    let series_bytes = std::fs::metadata(dir.path().join("series.dat"))?.len();
    println!(
        "{} values, {:?}: {} samples in {:.2} s = {:.0} samples/s, {:.0} ns CPU a sample; raw blocks {} bytes = {:.3} bytes/sample ({:.3} with series.dat, {} series)",
        if decimals { "two-decimal" } else { "integer" },
        sync,
        samples,
        ingest_time.as_secs_f64(),
        samples as f64 / ingest_time.as_secs_f64(),
        ingest_cpu as f64 * 1e7 / samples as f64,
        raw_bytes,
        raw_bytes as f64 / samples as f64,
        (raw_bytes + series_bytes) as f64 / samples as f64,
        m.stats().series,
    );
    m.close()?;
    Ok(())
}

/// CPU time of the whole process (every thread, user + system) in clock ticks (1/100 s), so
/// that the cost per sample can be compared on a busy machine.
fn cpu_ticks() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
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

/// RAM per active series: 100,000 series (10,000 hosts × 10 fields, six dimensions), each with
/// one sample in the head; resident memory growth divided by the series count.
fn ram_per_series() -> Result<(), Box<dyn std::error::Error>> {
    const SERIES_HOSTS: usize = 10_000;
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(SimClock::new(T0 + 60_000));
    let m = Metrics::open(
        dir.path(),
        clock,
        MetricsOptions {
            wal: WalOptions {
                sync: SyncPolicy::Never,
                ..WalOptions::default()
            },
            ..MetricsOptions::default()
        },
    )?;
    let before = rss_bytes();
    for chunk in (0..SERIES_HOSTS).collect::<Vec<_>>().chunks(100) {
        let data: Vec<MetricDatum> = chunk
            .iter()
            .flat_map(|h| {
                let dims = host_dims(*h);
                FIELDS.iter().map(move |f| {
                    let mut d = MetricDatum::value(*f, T0, 1.0);
                    d.dimensions = dims.clone();
                    d
                })
            })
            .collect();
        m.put("123456789012", "us-east-1", "cpu", &data)?;
    }
    let after = rss_bytes();
    let n = SERIES_HOSTS * FIELDS.len();
    println!(
        "RAM per active series: {} series, resident memory +{} KiB = {:.0} bytes/series (index, postings, head with one sample each)",
        n,
        (after.saturating_sub(before)) / 1024,
        after.saturating_sub(before) as f64 / n as f64
    );
    m.close()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hours: i64 = std::env::args()
        .nth(1)
        .and_then(|h| h.parse().ok())
        .unwrap_or(24);
    // `engine` (the default): only the engine's ingest with its default WAL policy, as
    // `openwatch-bench metrics` measures it (for profiling); `all` adds RAM and `Never`.
    let all = std::env::args().nth(2).as_deref() == Some("all");
    if all {
        ram_per_series()?;
    }
    let on_wait = MetricsOptions::default().wal.sync;
    run(hours, false, on_wait)?;
    run(hours, true, on_wait)?;
    if all {
        run(hours, true, SyncPolicy::Never)?;
    }
    Ok(())
}
