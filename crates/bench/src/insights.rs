//! The `insights` suite: Logs Insights queries over ≥ 1 GiB of generated logs, timed beside
//! DuckDB running the equivalent SQL on the same data in the same run.
//!
//! Generates `--gib` GiB of messages, half JSON access logs (group `bench-json`) and half text
//! access logs (`bench-text`), over 24 simulated hours; puts them through the real `LogStore`
//! (batches of 10,000 events, WAL without fsync) and flushes them into chunks, then runs three
//! queries through the real `QueryManager` (StartQuery, polling GetQueryResults until Complete):
//!
//! 1. `stats count(*) by bin(5m)` on the JSON group,
//! 2. `filter status >= 500 | stats count(*), avg(latency_ms) by svc` on the JSON group,
//! 3. `parse @message "svc=* status=* latency=*ms" as … | stats avg(latency), count(*) by svc` on
//!    the text group.
//!
//! The same events are written as NDJSON and TSV files, and `--python` (a Python with `duckdb`
//! installed: `python3 -m venv v && v/bin/pip install duckdb`) runs the equivalent SQL over the
//! files with DuckDB's defaults (all cores). Per query the two sides alternate (DuckDB's runs,
//! then ours), each `--repeat` times; the best and the median are printed with the load average,
//! and both sides' result row counts so the answers can be compared.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use openwatch_insights::runner::{QueryManager, StartQuery, Status};
use openwatch_logs::{InputEvent, LogStore, LogStoreOptions, SimClock};
use openwatch_storage::{Catalog, SyncPolicy, WalOptions};

#[derive(clap::Args)]
pub struct InsightsArgs {
    /// GiB of log messages to generate (half JSON, half text).
    #[arg(long, default_value_t = 1.0)]
    gib: f64,
    /// A Python interpreter with `duckdb` installed (skip DuckDB if absent).
    #[arg(long)]
    python: Option<std::path::PathBuf>,
    /// Where the temporary data directory goes (default: /dev/shm if it exists).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    /// Runs of each query on each side (the best is reported, beside the median); the two
    /// sides alternate per query so both see the same load.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Runs only this query (1-based).
    #[arg(long)]
    query: Option<usize>,
}

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Fields {
    level: &'static str,
    svc: u64,
    status: u64,
    latency: u64,
    item: u64,
    user: u64,
    bytes: u64,
}

fn fields(r: &mut Rng) -> Fields {
    let status = match r.below(100) {
        0..=2 => 500 + r.below(4),
        3..=9 => 404,
        _ => 200,
    };
    Fields {
        level: if status >= 500 {
            "ERROR"
        } else if r.below(10) == 0 {
            "WARN"
        } else {
            "INFO"
        },
        svc: r.below(20),
        status,
        latency: 1 + r.below(2000),
        item: r.below(100_000),
        user: r.below(50_000),
        bytes: r.below(100_000),
    }
}

fn json_message(f: &Fields) -> String {
    format!(
        "{{\"level\":\"{}\",\"svc\":\"svc-{:02}\",\"status\":{},\"latency_ms\":{},\"path\":\"/api/v1/items/{}\",\"user\":\"u-{}\",\"bytes\":{}}}",
        f.level, f.svc, f.status, f.latency, f.item, f.user, f.bytes
    )
}

fn text_message(ts: i64, f: &Fields) -> String {
    format!(
        "{} {} svc=svc-{:02} status={} latency={}ms path=/api/v1/items/{} user=u-{} bytes={}",
        openwatch_insights::format_time(ts),
        f.level,
        f.svc,
        f.status,
        f.latency,
        f.item,
        f.user,
        f.bytes
    )
}

/// Generates and ingests one group's half; writes the DuckDB file alongside. Returns the events
/// and bytes of messages.
fn generate(
    store: &LogStore,
    group: &str,
    json: bool,
    target_bytes: u64,
    file: &std::path::Path,
) -> anyhow::Result<(u64, u64)> {
    store.create_log_group(ACCOUNT, REGION, group, None, Default::default(), None)?;
    store.create_log_stream(ACCOUNT, REGION, group, "s")?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(file)?);
    if !json {
        writeln!(out, "ts\tmessage")?;
    }
    let mut rng = Rng(if json {
        0x9e37_79b9_7f4a_7c15
    } else {
        0xdead_beef_cafe_f00d
    });
    // Spread the events evenly over a day: estimate the count from the average message size of
    // a sample (drawn from another generator).
    let mut sample_rng = Rng(0x1234_5678_9abc_def1);
    let avg = (0..1000)
        .map(|_| {
            let f = fields(&mut sample_rng);
            if json {
                json_message(&f).len()
            } else {
                text_message(T0, &f).len()
            }
        })
        .sum::<usize>() as u64
        / 1000;
    let est_events = target_bytes / avg.max(1);
    let step = (DAY as f64 / est_events.max(1) as f64).max(0.001);
    let (mut events, mut bytes) = (0u64, 0u64);
    let mut batch: Vec<InputEvent> = Vec::with_capacity(10_000);
    let mut batch_bytes = 0usize;
    while bytes < target_bytes {
        let ts = T0 + (events as f64 * step) as i64;
        let f = fields(&mut rng);
        let message = if json {
            json_message(&f)
        } else {
            text_message(ts, &f)
        };
        if json {
            writeln!(out, "{{\"ts\":{ts},{}", &message[1..])?;
        } else {
            writeln!(out, "{ts}\t{message}")?;
        }
        bytes += message.len() as u64;
        events += 1;
        batch_bytes += message.len() + 26;
        batch.push(InputEvent {
            timestamp: ts,
            message,
        });
        if batch.len() == 10_000 || batch_bytes > 1_000_000 {
            check(store.put_log_events_blocking(
                ACCOUNT,
                REGION,
                group,
                "s",
                std::mem::take(&mut batch),
            )?)?;
            batch_bytes = 0;
        }
    }
    if !batch.is_empty() {
        check(store.put_log_events_blocking(ACCOUNT, REGION, group, "s", batch)?)?;
    }
    out.flush()?;
    Ok((events, bytes))
}

/// Fails if the store rejected any event (the DuckDB files hold every event).
fn check(r: openwatch_logs::PutResult) -> anyhow::Result<()> {
    anyhow::ensure!(
        r.rejected.is_none(),
        "events were rejected: {:?}",
        r.rejected
    );
    Ok(())
}

/// Runs one query to completion; returns its wall time and result rows.
fn run_query(qm: &Arc<QueryManager>, group: &str, q: &str) -> anyhow::Result<(Duration, usize)> {
    let t = Instant::now();
    let id = qm
        .start_query(
            ACCOUNT,
            REGION,
            StartQuery {
                log_group_name: Some(group.into()),
                start_time: T0 / 1000,
                end_time: (T0 + 2 * DAY) / 1000,
                query_string: q.into(),
                ..StartQuery::default()
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    loop {
        let r = qm
            .get_query_results(ACCOUNT, REGION, &id)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match r.status {
            Status::Complete => return Ok((t.elapsed(), r.results.len())),
            Status::Running | Status::Scheduled => std::thread::sleep(Duration::from_millis(2)),
            other => anyhow::bail!("query ended {}", other.as_str()),
        }
    }
}

const QUERIES: [(&str, &str, &str, &str); 3] = [
    (
        "stats count(*) by bin(5m)",
        "bench-json",
        "stats count(*) by bin(5m)",
        "SELECT time_bucket(INTERVAL '5 minutes', epoch_ms(ts)) AS b, count(*) FROM read_ndjson('{json}', columns={'ts': 'BIGINT', 'status': 'BIGINT', 'svc': 'VARCHAR', 'latency_ms': 'BIGINT'}) GROUP BY b",
    ),
    (
        "filter status >= 500 | stats … by svc",
        "bench-json",
        "filter status >= 500 | stats count(*) as n, avg(latency_ms) as avg_latency by svc",
        "SELECT svc, count(*), avg(latency_ms) FROM read_ndjson('{json}', columns={'ts': 'BIGINT', 'status': 'BIGINT', 'svc': 'VARCHAR', 'latency_ms': 'BIGINT'}) WHERE status >= 500 GROUP BY svc",
    ),
    (
        "parse (glob) | stats … by svc",
        "bench-text",
        "parse @message \"svc=* status=* latency=*ms\" as svc, status, latency | stats avg(latency) as avg_latency, count(*) as n by svc",
        "SELECT regexp_extract(message, 'svc=(.*?) status=', 1) AS svc, avg(TRY_CAST(regexp_extract(message, 'latency=(.*?)ms', 1) AS DOUBLE)), count(*) FROM read_csv('{text}', delim='\\t', header=true, quote='', escape='', columns={'ts': 'BIGINT', 'message': 'VARCHAR'}) GROUP BY svc",
    ),
];

/// Runs query `i`'s SQL `repeat` times in one DuckDB process; returns each run's time and the
/// row count.
fn duckdb(
    python: &std::path::Path,
    i: usize,
    repeat: usize,
    json: &std::path::Path,
    text: &std::path::Path,
) -> anyhow::Result<(Vec<f64>, usize)> {
    let sql = QUERIES[i]
        .3
        .replace("{json}", &json.display().to_string())
        .replace("{text}", &text.display().to_string());
    let script = format!(
        "import duckdb, time, json\ncon = duckdb.connect()\ncon.execute(\"SET enable_progress_bar = false\")\nts = []\nfor _ in range({repeat}):\n    t = time.perf_counter()\n    rows = con.execute({sql:?}).fetchall()\n    ts.append(time.perf_counter() - t)\nprint(json.dumps([ts, len(rows)]))\n"
    );
    let o = std::process::Command::new(python)
        .arg("-c")
        .arg(&script)
        .output()
        .context("running python")?;
    if !o.status.success() {
        anyhow::bail!("duckdb failed: {}", String::from_utf8_lossy(&o.stderr));
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let v: (Vec<f64>, usize) = serde_json::from_str(last).with_context(|| {
        format!(
            "reading DuckDB's timings from {stdout:?} (stderr: {})",
            String::from_utf8_lossy(&o.stderr)
        )
    })?;
    Ok(v)
}

/// Best and median of some timings (seconds).
fn best_median(ts: &[f64]) -> (f64, f64) {
    let mut v = ts.to_vec();
    v.sort_by(f64::total_cmp);
    (v.first().copied().unwrap_or(0.0), v[v.len() / 2])
}

/// The load average over the last minute.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

pub fn run(args: InsightsArgs) -> anyhow::Result<()> {
    let base = args.dir.clone().unwrap_or_else(|| {
        let shm = std::path::PathBuf::from("/dev/shm");
        if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        }
    });
    let dir = tempfile::Builder::new()
        .prefix("openwatch-bench-insights")
        .tempdir_in(&base)?;
    let clock = Arc::new(SimClock::new(T0 + DAY + 60_000));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb"))?);
    let store = Arc::new(LogStore::open(
        &dir.path().join("logs"),
        catalog,
        clock,
        LogStoreOptions {
            wal: WalOptions {
                sync: SyncPolicy::Never,
                ..LogStoreOptions::default().wal
            },
            ..LogStoreOptions::default()
        },
    )?);
    let half = (args.gib * 1024.0 * 1024.0 * 1024.0 / 2.0) as u64;
    let (json_file, text_file) = (dir.path().join("json.ndjson"), dir.path().join("text.tsv"));
    let t = Instant::now();
    let (je, jb) = generate(&store, "bench-json", true, half, &json_file)?;
    let (te, tb) = generate(&store, "bench-text", false, half, &text_file)?;
    store.flush_all()?;
    let ingest = t.elapsed();
    println!(
        "insights: {:.2} GiB of messages ({je} JSON events, {:.2} GiB; {te} text events, {:.2} GiB), generated and ingested in {:.1} s ({:.0} MB/s), data dir {}",
        (jb + tb) as f64 / (1u64 << 30) as f64,
        jb as f64 / (1u64 << 30) as f64,
        tb as f64 / (1u64 << 30) as f64,
        ingest.as_secs_f64(),
        (jb + tb) as f64 / 1e6 / ingest.as_secs_f64(),
        dir.path().display()
    );
    let qm = QueryManager::new(Arc::clone(&store));
    let repeat = args.repeat.max(1);
    println!(
        "best of {repeat} runs per side (median in parentheses); the sides alternate per query"
    );
    println!("| Query | OpenWatch Insights | rows | DuckDB (same data, same run) | rows | load |");
    println!("|---|---|---|---|---|---|");
    for (i, (label, group, q, _)) in QUERIES.iter().enumerate() {
        if args.query.is_some_and(|n| n != i + 1) {
            continue;
        }
        let bytes = if *group == "bench-json" { jb } else { tb };
        let peer_cell = match &args.python {
            Some(p) => {
                let (ts, rows) = duckdb(p, i, repeat, &json_file, &text_file)?;
                let (best, median) = best_median(&ts);
                format!(
                    "{best:.2} s ({median:.2}; {:.0} MB/s) | {rows}",
                    bytes as f64 / 1e6 / best
                )
            }
            None => "— | —".into(),
        };
        let mut ts = Vec::with_capacity(repeat);
        let mut rows = 0;
        for _ in 0..repeat {
            let (took, r) = run_query(&qm, group, q)?;
            ts.push(took.as_secs_f64());
            rows = r;
        }
        let (best, median) = best_median(&ts);
        println!(
            "| `{label}` | {best:.2} s ({median:.2}; {:.0} MB/s) | {rows} | {peer_cell} | {} |",
            bytes as f64 / 1e6 / best,
            load()
        );
    }
    store.close()?;
    Ok(())
}
