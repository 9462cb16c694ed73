//! FilterLogEvents scan figures through the store API (no HTTP) on the `openwatch-bench logs`
//! data (Apache, JSON and syslog lines, one group each; the bench's own generator), beside `rg -c`
//! on the same raw text and `zstd -3` of it, in the same run: a quick loop for work on the scan
//! path. The figures to publish come from `openwatch-bench logs`.
//!
//! `cargo run --release -p openwatch-logs --example scan_figures -- [MiB] [runs]` (default 256, 3);
//! data in `/dev/shm` if it exists.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../bench/src/logs_gen.rs"]
#[allow(dead_code)]
mod logs_gen;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{ACCOUNT, Fixture, REGION, dir_bytes, filter_count};
use logs_gen::{Format, RARE_TERM, Rng, line};
use openwatch_logs::{FilterPattern, InputEvent, LogStore, Tags};

fn filter_all(store: &LogStore, p: Option<&FilterPattern>) -> u64 {
    Format::ALL
        .iter()
        .map(|f| filter_count(store, f.group(), p, Some(10_000)))
        .sum()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(256);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    // REUSE=<dir> scans a directory a KEEP=1 run left behind.
    let (fx, reused) = Fixture::new("openwatch-scan-figures");
    let open = || fx.open();
    let dir = fx.dir.clone();
    let raw_path = dir.join("raw.log");
    let raw_bytes = if reused {
        std::fs::read(&raw_path)
            .unwrap()
            .iter()
            .filter(|b| **b != b'\n')
            .count() as u64
    } else {
        generate(&open, &raw_path, mib)
    };
    scan(&open, &dir, &raw_path, raw_bytes, runs);
    fx.finish(reused);
}

/// Generates and stores the data; returns the message bytes.
fn generate(open: &dyn Fn() -> LogStore, raw_path: &Path, mib: u64) -> u64 {
    let store = open();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let start = now - 21 * 3_600_000;
    let mut raw = std::io::BufWriter::new(std::fs::File::create(raw_path).unwrap());
    let per_conn = (mib << 20) / 6;
    let mut raw_bytes = 0u64;
    let t0 = Instant::now();
    for f in Format::ALL {
        store
            .create_log_group(ACCOUNT, REGION, f.group(), None, Tags::new(), None)
            .unwrap();
    }
    for k in 0..6usize {
        let format = Format::ALL[k % 3];
        let stream = format!("stream-{k}");
        store
            .create_log_stream(ACCOUNT, REGION, format.group(), &stream)
            .unwrap();
        let mut rng =
            Rng(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut bytes = 0u64;
        let mut batch = Vec::new();
        let mut batch_bytes = 0usize;
        while bytes < per_conn {
            let ts = start + (u128::from(bytes) * 20 * 3_600_000 / u128::from(per_conn)) as i64;
            let msg = line(&mut rng, format, ts);
            if batch_bytes + msg.len() + 26 > 1_048_576 || batch.len() == 10_000 {
                store
                    .put_log_events_blocking(
                        ACCOUNT,
                        REGION,
                        format.group(),
                        &stream,
                        std::mem::take(&mut batch),
                    )
                    .unwrap();
                batch_bytes = 0;
            }
            raw.write_all(msg.as_bytes()).unwrap();
            raw.write_all(b"\n").unwrap();
            bytes += msg.len() as u64;
            batch_bytes += msg.len() + 26;
            batch.push(InputEvent {
                timestamp: ts,
                message: msg,
            });
        }
        if !batch.is_empty() {
            store
                .put_log_events_blocking(ACCOUNT, REGION, format.group(), &stream, batch)
                .unwrap();
        }
        raw_bytes += bytes;
    }
    raw.flush().unwrap();
    drop(raw);
    store.flush_all().unwrap();
    store.close().unwrap();
    drop(store);
    println!(
        "{:.1} MB of messages generated and stored in {:.1}s",
        raw_bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    raw_bytes
}

/// Prints the storage and scan figures.
fn scan(open: &dyn Fn() -> LogStore, dir: &Path, raw_path: &Path, raw_bytes: u64, runs: usize) {
    let chunks = dir_bytes(&dir.join("logs"), Some("chunk"));
    let zstd = std::process::Command::new("zstd")
        .args(["-3", "-q", "-c"])
        .arg(raw_path)
        .output()
        .map(|o| o.stdout.len() as u64)
        .unwrap_or(0);
    let store = open();
    let (mut filters, mut n_chunks) = (0u64, 0u64);
    for f in Format::ALL {
        let src = store
            .scan_source(ACCOUNT, REGION, f.group(), 0, i64::MAX)
            .unwrap();
        for u in &src.units {
            if let openwatch_logs::store::ScanUnit::Chunk(c) = u {
                n_chunks += 1;
                filters += c.filter.as_ref().map_or(0, |f| f.encoded_len() as u64);
            }
        }
    }
    let stored = chunks + filters.div_ceil(3) * 4;
    println!(
        "on disk {:.1} MB (chunk files {:.1} MB in {n_chunks} chunks, filters {:.2} MB base64) = {:.3}× zstd -3 ({:.1} MB)",
        stored as f64 / 1e6,
        chunks as f64 / 1e6,
        filters.div_ceil(3) as f64 * 4.0 / 1e6,
        stored as f64 / zstd.max(1) as f64,
        zstd as f64 / 1e6
    );
    let gb = |d: Duration| raw_bytes as f64 / 1e9 / d.as_secs_f64();
    let rare = format!("\"{RARE_TERM}\"");
    let queries: [(&str, &str, Vec<&str>); 6] = [
        ("common literal", "ERROR", vec!["-F", "ERROR"]),
        (
            "trace id",
            "\"3ab51ee6bb5355b1ac648a92b6f2bf5a\"",
            vec!["-F", "3ab51ee6bb5355b1ac648a92b6f2bf5a"],
        ),
        ("every event", "", vec![""]),
        ("rare literal", &rare, vec!["-F", RARE_TERM]),
        (
            "JSON",
            "{ $.level = \"ERROR\" }",
            vec!["-F", "\"level\":\"ERROR\""],
        ),
        (
            "regex",
            "%timeout after \\d+ms%",
            vec!["timeout after [0-9]+ms"],
        ),
    ];
    let only = std::env::var("ONLY").unwrap_or_default();
    for (label, pattern, rg_args) in queries {
        if !label.contains(only.as_str()) {
            continue;
        }
        let p = (!pattern.is_empty()).then(|| FilterPattern::parse(pattern).unwrap());
        let mut rg_times = Vec::new();
        let mut rg_count = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let out = std::process::Command::new("rg")
                .arg("-c")
                .args(&rg_args)
                .arg(raw_path)
                .output()
                .unwrap();
            rg_times.push(t.elapsed());
            rg_count = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        let rg = median(rg_times);
        let cold_store = open();
        let t = Instant::now();
        let n = filter_all(&cold_store, p.as_ref());
        let cold = t.elapsed();
        drop(cold_store);
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            assert_eq!(filter_all(&store, p.as_ref()), n);
            times.push(t.elapsed());
        }
        let again = median(times);
        println!(
            "{label} `{pattern}`: {n} events (rg {rg_count}); fresh store {:.2} GB/s ({:.2}× rg), repeated {:.2} GB/s ({:.2}× rg); rg {:.2} GB/s",
            gb(cold),
            rg.as_secs_f64() / cold.as_secs_f64(),
            gb(again),
            rg.as_secs_f64() / again.as_secs_f64(),
            gb(rg)
        );
    }
    store.close().unwrap();
}
