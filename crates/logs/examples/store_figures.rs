//! Prints figures of the log store on generated Apache-style lines: ingest rate (through the store
//! API, WAL group commit), bytes on disk against the raw size, and FilterLogEvents scan rates.
//!
//! `cargo run --release -p openwatch-logs --example store_figures -- [MiB]` (default 64); data in
//! `/dev/shm` if it exists, left there for comparison.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::{ACCOUNT, Fixture, REGION, block, dir_bytes, filter_count};
use openwatch_logs::{FilterPattern, InputEvent, Tags};

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(64);
    let (fx, _) = Fixture::new("openwatch-logs-figures");
    let dir = fx.dir.clone();
    let store = fx.open();
    let (a, r, g) = (ACCOUNT, REGION, "bench");
    store
        .create_log_group(a, r, g, None, Tags::new(), None)
        .unwrap();
    for s in 0..4 {
        store
            .create_log_stream(a, r, g, &format!("host-{s}"))
            .unwrap();
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let paths = [
        "/index.html",
        "/api/v1/users",
        "/static/app.js",
        "/login",
        "/api/v1/orders",
    ];
    let agents = [
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64)",
        "Go-http-client/1.1",
    ];
    let mut raw = Vec::new();
    let target = mib * 1024 * 1024;
    let mut n: u64 = 0;
    let mut total = 0usize;
    let t0 = Instant::now();
    let mut ingest_secs = 0.0;
    while total < target {
        let mut batch = Vec::with_capacity(4000);
        let mut bytes = 0;
        while bytes < 900_000 && batch.len() < 9_000 {
            let x = n.wrapping_mul(2_654_435_761);
            let status = if x % 1000 == 7 {
                503
            } else if x % 50 == 3 {
                404
            } else {
                200
            };
            let msg = format!(
                "10.{}.{}.{} - - [29/Nov/2026:10:{:02}:{:02} +0000] \"GET {} HTTP/1.1\" {} {} \"-\" \"{}\" rid={:016x}",
                x % 256,
                (x >> 8) % 256,
                (x >> 16) % 256,
                (n / 60) % 60,
                n % 60,
                paths[(x % 5) as usize],
                status,
                200 + x % 50_000,
                agents[(x % 3) as usize],
                x
            );
            bytes += msg.len() + 26;
            raw.extend_from_slice(msg.as_bytes());
            raw.push(b'\n');
            batch.push(InputEvent {
                timestamp: now - 3_600_000 + (n / 100) as i64,
                message: msg,
            });
            n += 1;
        }
        total += bytes;
        let stream = format!("host-{}", n % 4);
        let t = Instant::now();
        block(store.put_log_events(a, r, g, &stream, batch)).unwrap();
        ingest_secs += t.elapsed().as_secs_f64();
    }
    let t = Instant::now();
    store.flush_all().unwrap();
    ingest_secs += t.elapsed().as_secs_f64();
    let raw_mb = raw.len() as f64 / 1e6;
    println!(
        "events: {n}, raw text: {raw_mb:.1} MB (generated in {:.1}s total)",
        t0.elapsed().as_secs_f64()
    );
    println!(
        "ingest (store API, WAL group commit, incl. final flush): {:.1} MB/s",
        raw_mb / ingest_secs
    );
    let on_disk = dir_bytes(&dir.join("logs/groups"), None);
    println!(
        "chunk files: {:.1} MB = {:.3} of raw",
        on_disk as f64 / 1e6,
        on_disk as f64 / raw.len() as f64
    );
    std::fs::write(dir.join("raw.log"), &raw).unwrap();
    store.close().unwrap();
    drop(store);
    for (label, pattern) in [
        ("all events (no pattern)", ""),
        ("literal, frequent (\"api\")", "api"),
        ("literal, rare (\"503\")", "\" 503 \""),
        (
            "space-delimited status=503",
            "[ip, a, b, ts, req, status=503, ...]",
        ),
        ("regex %rid=0000[0-9a-f]%", "%rid=0000[0-9a-f]%"),
    ] {
        let p = (!pattern.is_empty()).then(|| FilterPattern::parse(pattern).unwrap());
        let store = fx.open(); // a new store: its chunk cache starts empty
        for pass in ["cold", "warm"] {
            let t = Instant::now();
            let matched = filter_count(&store, g, p.as_ref(), None);
            let s = t.elapsed().as_secs_f64();
            println!(
                "filter {label} ({pass} cache): {matched} matches, {s:.3}s, {:.0} MB/s of raw text",
                raw_mb / s
            );
        }
        store.close().unwrap();
    }
    println!("raw file for comparison: {}", dir.join("raw.log").display());
    // The directory (and its raw file) stays for comparison.
    drop(fx);
}
