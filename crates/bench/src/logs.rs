//! The `logs` suite: PutLogEvents over HTTP, bytes on disk, and FilterLogEvents scan speed beside
//! ripgrep on the same raw text in the same run.
//!
//! 1. Generates `--size` of Apache, JSON and syslog lines (fixed seed; `logs_gen`), one log group per
//!    format and one stream per connection, as signed PutLogEvents requests of just under the
//!    1 MiB batch limit; the same lines go to `raw.log` (one per line).
//! 2. Starts an OpenWatch server in this process on a fresh data directory and sends every request
//!    over `--connections` keep-alive HTTP connections: MB/s of message bytes until the last batch
//!    is acknowledged (durable in the WAL).
//! 3. Shuts the server down (flushing every head into chunks) and measures the chunk files, their
//!    token filters (stored in the catalog) and `zstd -3` of `raw.log` (the zstd CLI).
//! 4. Reopens the log store in process and runs FilterLogEvents (every page, over the three groups)
//!    for a common term, a rare term, a trace id, a JSON pattern and a regex; `rg -c` runs the
//!    equivalent expression on `raw.log`. Both counts are printed: they must be equal.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use openwatch_logs::store::ScanUnit;
use openwatch_logs::{FilterPattern, FilterQuery, LogStore, LogStoreOptions};

use crate::http_client::{connect, exchange, json_headers, post, start_dev_server};
use crate::logs_gen::{Format, RARE_TERM, Rng, line};

#[derive(clap::Args)]
pub struct LogsArgs {
    /// Raw log text to generate: bytes with an optional K/M/G suffix (powers of 1024).
    #[arg(long, default_value = "1G")]
    size: String,
    /// Concurrent keep-alive connections (one stream each; groups take turns).
    #[arg(long, default_value_t = 6)]
    connections: usize,
    /// Where the temporary data directory goes (default: /dev/shm if it exists).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Timed runs of each query (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

const PUT_TARGET: &str = "Logs_20140328.PutLogEvents";
/// Name of the client runtime's threads (so their CPU time can be told from the server's).
const CLIENT_THREAD: &str = "bench-client";
const MAX_BATCH_BYTES: usize = 1_048_576;
const EVENT_OVERHEAD: usize = 26;
const MAX_BATCH_EVENTS: usize = 10_000;

fn parse_size(s: &str) -> anyhow::Result<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let m = match s[i..]
                .to_ascii_uppercase()
                .trim_end_matches("IB")
                .trim_end_matches('B')
            {
                "K" => 1u64 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                "" => 1,
                other => anyhow::bail!("unknown size suffix {other:?}"),
            };
            (&s[..i], m)
        }
        None => (s, 1),
    };
    let n: f64 = num.trim().parse().context("bad --size")?;
    Ok((n * mult as f64) as u64)
}

/// One connection's work: its stream and its request bodies.
struct Conn {
    group: &'static str,
    stream: String,
    bodies: Vec<Bytes>,
}

/// Generates the requests and `raw.log`; returns them and the raw message bytes.
fn generate(args: &LogsArgs, raw: &Path) -> anyhow::Result<(Vec<Conn>, u64, String)> {
    let total = parse_size(&args.size)?;
    let per_conn = total / args.connections as u64;
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(raw)?);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let start = now - 20 * 3_600_000;
    let mut conns = Vec::new();
    let mut raw_bytes = 0u64;
    let mut trace_id = String::new();
    for k in 0..args.connections {
        let format = Format::ALL[k % 3];
        let mut rng =
            Rng(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut bytes = 0u64;
        let stream = format!("stream-{k}");
        // The request body is written as it goes (no JSON tree): the batch's events so far.
        let head = serde_json::to_vec(&serde_json::json!({
            "logGroupName": format.group(),
            "logStreamName": stream,
        }))?;
        let open_body = |body: &mut Vec<u8>| {
            body.clear();
            body.extend_from_slice(&head[..head.len() - 1]);
            body.extend_from_slice(b",\"logEvents\":[");
        };
        let mut body = Vec::with_capacity(MAX_BATCH_BYTES + MAX_BATCH_BYTES / 8);
        open_body(&mut body);
        let (mut batch_len, mut batch_bytes) = (0usize, 0usize);
        let mut bodies = Vec::new();
        while bytes < per_conn {
            // Spread the connection's lines over the 20 hours before now, by bytes written.
            let ts = start + (u128::from(bytes) * 20 * 3_600_000 / u128::from(per_conn)) as i64;
            let msg = line(&mut rng, format, ts);
            if format == Format::Json && trace_id.is_empty() && bytes > per_conn / 2 {
                let at = msg.find("\"trace_id\":\"").map_or(0, |i| i + 12);
                trace_id = msg[at..at + 32].to_string();
            }
            if batch_bytes + msg.len() + EVENT_OVERHEAD > MAX_BATCH_BYTES
                || batch_len == MAX_BATCH_EVENTS
            {
                body.extend_from_slice(b"]}");
                bodies.push(Bytes::copy_from_slice(&body));
                open_body(&mut body);
                (batch_len, batch_bytes) = (0, 0);
            }
            out.write_all(msg.as_bytes())?;
            out.write_all(b"\n")?;
            bytes += msg.len() as u64;
            batch_bytes += msg.len() + EVENT_OVERHEAD;
            if batch_len > 0 {
                body.push(b',');
            }
            write!(body, "{{\"timestamp\":{ts},\"message\":")?;
            serde_json::to_writer(&mut body, &msg)?;
            body.push(b'}');
            batch_len += 1;
        }
        if batch_len > 0 {
            body.extend_from_slice(b"]}");
            bodies.push(Bytes::copy_from_slice(&body));
        }
        raw_bytes += bytes;
        conns.push(Conn {
            group: format.group(),
            stream,
            bodies,
        });
    }
    out.flush()?;
    Ok((conns, raw_bytes, trace_id))
}

/// A Logs JSON request signed with the dev credentials.
fn signed(
    authority: &str,
    target: &str,
    body: Bytes,
) -> anyhow::Result<http::Request<Full<Bytes>>> {
    post(&json_headers(authority, "logs", target, &body)?, body)
}

/// Creates the groups and streams, then sends every batch; returns the time the batches took.
async fn ingest(authority: &str, conns: Vec<Conn>) -> anyhow::Result<Duration> {
    let mut admin = connect(authority).await?;
    for f in Format::ALL {
        let body = serde_json::to_vec(&serde_json::json!({"logGroupName": f.group()}))?;
        exchange(
            &mut admin,
            signed(authority, "Logs_20140328.CreateLogGroup", body.into())?,
        )
        .await?;
    }
    for c in &conns {
        let body = serde_json::to_vec(
            &serde_json::json!({"logGroupName": c.group, "logStreamName": c.stream}),
        )?;
        exchange(
            &mut admin,
            signed(authority, "Logs_20140328.CreateLogStream", body.into())?,
        )
        .await?;
    }
    // Sign everything first, so the timed part is the server's work (and the wire).
    let mut signed_conns = Vec::new();
    for c in conns {
        let reqs = c
            .bodies
            .into_iter()
            .map(|b| signed(authority, PUT_TARGET, b))
            .collect::<anyhow::Result<Vec<_>>>()?;
        signed_conns.push((connect(authority).await?, reqs));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (mut sender, reqs) in signed_conns {
        tasks.push(tokio::spawn(async move {
            for req in reqs {
                let body = exchange(&mut sender, req).await?;
                anyhow::ensure!(
                    !body.windows(8).any(|w| w == b"rejected"),
                    "events rejected: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed())
}

/// Every event FilterLogEvents returns for `pattern` over the three groups, following pages.
fn filter_all(store: &LogStore, account: &str, pattern: &FilterPattern) -> anyhow::Result<u64> {
    let mut n = 0u64;
    for f in Format::ALL {
        let mut token = None;
        loop {
            let q = FilterQuery {
                pattern: Some(pattern.clone()),
                next_token: token.take(),
                limit: Some(10_000),
                ..FilterQuery::default()
            };
            let page = store.filter_log_events(account, "us-east-1", f.group(), &q)?;
            n += page.events.len() as u64;
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    Ok(n)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// `rg -c args… raw`: (count, median time), or `None` if rg is not installed.
fn ripgrep(raw: &Path, rg_args: &[&str], runs: usize) -> anyhow::Result<Option<(u64, Duration)>> {
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = match std::process::Command::new("rg")
            .arg("-c")
            .args(rg_args)
            .arg(raw)
            .output()
        {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        times.push(t.elapsed());
        count = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
    }
    Ok(Some((count, median(times))))
}

/// Bytes of `zstd -3 -c raw` (the zstd CLI), or `None` if it is not installed.
fn zstd3(raw: &Path) -> anyhow::Result<Option<u64>> {
    match std::process::Command::new("zstd")
        .args(["-3", "-q", "-c"])
        .arg(raw)
        .output()
    {
        Ok(o) if o.status.success() => Ok(Some(o.stdout.len() as u64)),
        Ok(o) => anyhow::bail!("zstd failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn dir_bytes(dir: &Path, ext: &str) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_bytes(&p, ext)
            } else if p.extension().is_some_and(|x| x == ext) {
                e.metadata().map_or(0, |m| m.len())
            } else {
                0
            }
        })
        .sum()
}

/// CPU seconds (user + system) from a `/proc/.../stat` line, in USER_HZ ticks (100 per second on
/// Linux); `None` where there is no procfs.
fn stat_cpu(stat: &str) -> Option<(String, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime); the slice starts at field 3.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((comm, ticks as f64 / 100.0))
}

/// CPU seconds of this process, and of the client's side of it: its threads named `client` plus
/// the main thread (which drives the client runtime's top future).
fn cpu_seconds(client: &str) -> Option<(f64, f64)> {
    let (_, total) = stat_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
    let main = std::process::id().to_string();
    let mut client_secs = 0.0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        if let Some((comm, secs)) = std::fs::read_to_string(task.path().join("stat"))
            .ok()
            .and_then(|s| stat_cpu(&s))
            && (comm == client || task.file_name().to_str() == Some(main.as_str()))
        {
            client_secs += secs;
        }
    }
    Some((total, client_secs))
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

pub fn run(args: LogsArgs) -> anyhow::Result<()> {
    let base = args.dir.clone().unwrap_or_else(|| {
        let shm = PathBuf::from("/dev/shm");
        if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        }
    });
    let tmp = tempfile::Builder::new()
        .prefix("openwatch-bench-logs")
        .tempdir_in(&base)?;
    let raw = tmp.path().join("raw.log");
    let data = tmp.path().join("data");
    let t = Instant::now();
    let (conns, raw_bytes, trace_id) = generate(&args, &raw)?;
    let batches: usize = conns.iter().map(|c| c.bodies.len()).sum();
    println!(
        "generated {:.1} MB of messages ({batches} batches, {} connections) in {:.1}s under {}",
        mb(raw_bytes),
        args.connections,
        t.elapsed().as_secs_f64(),
        base.display()
    );
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let server = start_dev_server(&server_rt, data.clone())?;
    let authority = server.local_addr().to_string();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(CLIENT_THREAD)
        .enable_all()
        .build()?;
    let load_before = load_average();
    let cpu_before = cpu_seconds(CLIENT_THREAD);
    let took = client_rt.block_on(ingest(&authority, conns))?;
    let cpu_after = cpu_seconds(CLIENT_THREAD);
    println!(
        "PutLogEvents over HTTP: {:.1} MB in {:.2}s = {:.1} MB/s (signed, {} connections, acknowledged = durable in the WAL)",
        mb(raw_bytes),
        took.as_secs_f64(),
        mb(raw_bytes) / took.as_secs_f64(),
        args.connections
    );
    if let (Some((t0, c0)), Some((t1, c1))) = (cpu_before, cpu_after) {
        // Includes the setup requests and signing before the timed part (small).
        let (total, client) = (t1 - t0, c1 - c0);
        println!(
            "  CPU during ingest: {total:.1} s over {:.1} s wall = {:.2} cores (client {client:.1} s, server {:.1} s = {:.1} ms per MB); load average before: {}",
            took.as_secs_f64(),
            total / took.as_secs_f64(),
            total - client,
            (total - client) * 1e3 / mb(raw_bytes),
            load_before,
        );
    }
    let t = Instant::now();
    server_rt.block_on(server.shutdown())?;
    println!(
        "shutdown (flushing the remaining heads): {:.2}s",
        t.elapsed().as_secs_f64()
    );
    drop(client_rt);

    // Reopen the store in process.
    let logs_dir = data.join(openwatch_server::LOGS_DIR);
    // Each query gets a freshly opened store, so its first run starts with an empty block cache
    // (the OS page cache stays warm, as it does for rg).
    let open_store = || -> anyhow::Result<LogStore> {
        let dd = openwatch_storage::DataDir::open(&data)?;
        let catalog = Arc::new(openwatch_storage::Catalog::open(&dd.catalog_path())?);
        Ok(LogStore::open(
            &logs_dir,
            catalog,
            Arc::new(openwatch_logs::SystemClock),
            LogStoreOptions::default(),
        )?)
    };
    let mut store = open_store()?;
    let account = openwatch_server::bootstrap::dev_account().to_string();

    let chunk_bytes = dir_bytes(&logs_dir, "chunk");
    let (mut filters, mut chunks, mut fill, mut stored) = (0u64, 0u64, 0f64, 0u64);
    for f in Format::ALL {
        let src = store.scan_source(&account, "us-east-1", f.group(), 0, i64::MAX)?;
        for u in &src.units {
            if let ScanUnit::Chunk(c) = u {
                chunks += 1;
                stored += u64::from(c.events);
                if let Some(tf) = &c.filter {
                    filters += tf.encoded_len() as u64;
                    fill += tf.fill_ratio();
                }
            }
        }
    }
    let lines = std::fs::read(&raw)?.iter().filter(|b| **b == b'\n').count();
    println!("events in chunks after shutdown: {stored} of {lines} lines generated");
    let stored_filters = filters.div_ceil(3) * 4; // base64 in the catalog
    let on_disk = chunk_bytes + stored_filters;
    println!(
        "on disk: {:.1} MB = chunk files {:.1} MB + token filters {:.2} MB as stored (base64 of {:.2} MB; {chunks} chunks, mean fill {:.2}); raw {:.1} MB → {:.3} of raw; catalog.redb file {:.1} MB",
        mb(on_disk),
        mb(chunk_bytes),
        mb(stored_filters),
        mb(filters),
        fill / chunks.max(1) as f64,
        mb(raw_bytes),
        on_disk as f64 / raw_bytes as f64,
        mb(
            std::fs::metadata(openwatch_storage::DataDir::open(&data)?.catalog_path())
                .map_or(0, |m| m.len())
        ),
    );
    match zstd3(&raw)? {
        Some(z) => println!(
            "zstd -3 (CLI) of raw.log: {:.1} MB → OpenWatch is {:.3}× zstd -3 (chunks alone {:.3}×)",
            mb(z),
            on_disk as f64 / z as f64,
            chunk_bytes as f64 / z as f64
        ),
        None => println!("zstd not installed"),
    }

    let rare = format!("\"{RARE_TERM}\"");
    let queries: Vec<(&str, String, Vec<String>)> = vec![
        (
            "common literal",
            "ERROR".into(),
            vec!["-F".into(), "ERROR".into()],
        ),
        ("rare literal", rare, vec!["-F".into(), RARE_TERM.into()]),
        (
            "trace id",
            format!("\"{trace_id}\""),
            vec!["-F".into(), trace_id.clone()],
        ),
        (
            "JSON pattern",
            "{ $.level = \"ERROR\" }".into(),
            vec!["-F".into(), "\"level\":\"ERROR\"".into()],
        ),
        (
            "regex",
            "%timeout after \\d+ms%".into(),
            vec!["timeout after [0-9]+ms".into()],
        ),
    ];
    let gb = |d: Duration| raw_bytes as f64 / 1e9 / d.as_secs_f64();
    for (label, pattern, rg_args) in &queries {
        let p = FilterPattern::parse(pattern)?;
        store.close()?;
        drop(store);
        store = open_store()?;
        let before = store.chunk_scan_stats();
        let t = Instant::now();
        let mut n = filter_all(&store, &account, &p)?;
        let cold = t.elapsed();
        let mut times = vec![cold];
        for _ in 1..args.runs.max(1) {
            let t = Instant::now();
            n = filter_all(&store, &account, &p)?;
            times.push(t.elapsed());
        }
        let after = store.chunk_scan_stats();
        let runs = args.runs.max(1) as u64;
        let ow = median(times);
        let rg_args: Vec<&str> = rg_args.iter().map(String::as_str).collect();
        let rg = match ripgrep(&raw, &rg_args, args.runs.max(1))? {
            Some((c, d)) => format!(
                "rg -c {}: {c} lines, {:.3}s = {:.2} GB/s → OpenWatch {:.2}× rg",
                rg_args.join(" "),
                d.as_secs_f64(),
                gb(d),
                d.as_secs_f64() / ow.as_secs_f64()
            ),
            None => "rg not installed".into(),
        };
        println!(
            "FilterLogEvents {label} `{pattern}`: {n} events, median {:.3}s = {:.2} GB/s (first run, empty block cache: {:.3}s = {:.2} GB/s), chunk visits skipped {}/{} (a chunk is visited once per page it may hold), blocks of opened chunks read {}/{} | {rg}",
            ow.as_secs_f64(),
            gb(ow),
            cold.as_secs_f64(),
            gb(cold),
            (after.skipped - before.skipped) / runs,
            (after.skipped - before.skipped + after.scanned - before.scanned) / runs,
            (after.blocks_read - before.blocks_read) / runs,
            (after.blocks_read - before.blocks_read + after.blocks_skipped - before.blocks_skipped)
                / runs,
        );
    }
    Ok(())
}
