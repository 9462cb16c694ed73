//! The `alarms` suite: metric-alarm evaluation rounds at scale, in process.
//!
//! Sets up `--series` series (namespace `Bench`, metric `Load`, dimension `Host`) in the real
//! metrics engine and `--alarms` metric alarms (60-second period, 3 evaluation periods,
//! `GreaterThanThreshold 50`; alarm *i* watches series *i mod series*) in the real `AlarmStore`
//! over a catalog, both in a data directory on tmpfs (`/dev/shm` when it exists, so setup's
//! catalog commits do not wait on a disk; evaluation itself writes only transitions and one
//! transaction of evaluated boundaries). Each round is what the server's `alarms-evaluation`
//! job does once a minute: one datapoint per series for the minute that just ended is put,
//! then the clock (simulated) is set 10 s past the boundary and `AlarmStore::evaluate_due`
//! runs over `openwatch_server::alarm_evaluation::MetricsDatapoints`. Measured per round: wall
//! time, the process's CPU time (user + system from `/proc/self/stat`), state changes; and the
//! resident set size. Round 1 moves every alarm out of INSUFFICIENT_DATA (transitions
//! stored a batch per catalog transaction); later rounds are the steady state (each series keeps its level,
//! so no transitions).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use openwatch_alarms::store::{AlarmStore, PutMetricAlarm};
use openwatch_metrics::{MetricDatum, Metrics, MetricsOptions, SimClock};
use openwatch_server::alarm_evaluation::MetricsDatapoints;
use openwatch_storage::{Catalog, Clock, SyncPolicy, WalOptions};

#[derive(clap::Args)]
pub struct AlarmsArgs {
    /// Metric alarms.
    #[arg(long, default_value_t = 100_000)]
    alarms: usize,
    /// Series with data.
    #[arg(long, default_value_t = 100_000)]
    series: usize,
    /// Evaluation rounds (one per simulated minute).
    #[arg(long, default_value_t = 4)]
    rounds: usize,
    /// Where the temporary data directory goes (default: /dev/shm if it exists).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;
const MINUTE: i64 = 60_000;
/// Minutes of data put before the first round.
const WARMUP_MINUTES: i64 = 3;

/// The process's CPU time (user + system), from `/proc/self/stat` (clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// `VmRSS` and `VmHWM` (peak) in MiB, from `/proc/self/status`.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// The level of series `i`: constant, 0–99, so about half the alarms are in ALARM.
fn level(i: usize) -> f64 {
    ((i as u64).wrapping_mul(0x9E37_79B9) % 100) as f64
}

fn put_minute(metrics: &Metrics, series: usize, minute_start: i64) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(1000);
    for i in 0..series {
        batch.push(
            MetricDatum::value("Load", minute_start + 30_000, level(i))
                .with_dimension("Host", format!("h{i:06}")),
        );
        if batch.len() == 1000 || i + 1 == series {
            metrics
                .put(ACCOUNT, REGION, "Bench", &batch)
                .context("PutMetricData")?;
            batch.clear();
        }
    }
    Ok(())
}

pub fn run(args: AlarmsArgs) -> anyhow::Result<()> {
    let base = args.dir.clone().unwrap_or_else(|| {
        let shm = std::path::PathBuf::from("/dev/shm");
        if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        }
    });
    let dir = tempfile::Builder::new()
        .prefix("openwatch-bench-alarms")
        .tempdir_in(&base)?;
    let sim = Arc::new(SimClock::new(T0));
    let clock: Arc<dyn Clock> = Arc::clone(&sim) as Arc<dyn Clock>;
    let metrics = Metrics::open(
        &dir.path().join("metrics"),
        Arc::clone(&clock),
        MetricsOptions {
            wal: WalOptions {
                sync: SyncPolicy::Never,
                ..WalOptions::default()
            },
            ..MetricsOptions::default()
        },
    )?;
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb"))?);
    let alarms = AlarmStore::open(catalog, Arc::clone(&clock))?;
    println!(
        "alarms: {} alarms (60 s period, 3 evaluation periods) over {} series, data dir {}",
        args.alarms,
        args.series,
        base.display()
    );

    let setup = Instant::now();
    for m in 0..WARMUP_MINUTES {
        sim.set(T0 + (m + 1) * MINUTE);
        put_minute(&metrics, args.series, T0 + m * MINUTE)?;
    }
    let data_s = setup.elapsed().as_secs_f64();
    let setup = Instant::now();
    for a in 0..args.alarms {
        let series = a % args.series.max(1);
        alarms.put_metric_alarm(
            ACCOUNT,
            REGION,
            PutMetricAlarm {
                name: format!("load-{a:06}"),
                namespace: Some("Bench".into()),
                metric_name: Some("Load".into()),
                dimensions: vec![("Host".into(), format!("h{series:06}"))],
                statistic: Some("Average".into()),
                period: Some(60),
                evaluation_periods: Some(3),
                threshold: Some(50.0),
                comparison_operator: Some("GreaterThanThreshold".into()),
                ..PutMetricAlarm::default()
            },
        )?;
    }
    let (rss, _) = rss_mib();
    println!(
        "setup: {WARMUP_MINUTES} minutes of data in {data_s:.1} s, {} alarms in {:.1} s; RSS {rss:.0} MiB",
        args.alarms,
        setup.elapsed().as_secs_f64()
    );

    let source = MetricsDatapoints(&metrics);
    for round in 1..=args.rounds {
        let minute = WARMUP_MINUTES + round as i64 - 1;
        if round > 1 {
            put_minute(&metrics, args.series, T0 + minute * MINUTE)?;
        }
        let now = T0 + (minute + 1) * MINUTE + 10_000;
        sim.set(now);
        let (cpu0, wall0) = (cpu_time(), Instant::now());
        let changes = alarms.evaluate_due(now, &source);
        let (wall, cpu) = (wall0.elapsed(), cpu_time().saturating_sub(cpu0));
        let (rss, peak) = rss_mib();
        println!(
            "round {round}: {:.2} s wall, {:.2} s CPU ({:.1}% of one core's minute), {} state changes, {:.1} µs CPU/alarm; RSS {rss:.0} MiB (peak {peak:.0})",
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / 60.0 * 100.0,
            changes.len(),
            cpu.as_secs_f64() * 1e6 / args.alarms.max(1) as f64,
        );
    }
    metrics.close()?;
    Ok(())
}
