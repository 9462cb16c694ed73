//! The `events` suite: EventBridge pattern matching and PutEvents.
//!
//! 1. Matching alone: generated GeoJSON-like events (~900 bytes) against 1, 100, 1,000 and 10,000
//!    rules mixing exact, prefix, suffix, numeric, wildcard and anything-but conditions, compiled
//!    into one `openwatch_patterns::RuleSet` (what a bus keeps). One thread; events/s for a
//!    pre-parsed event (`for_each_match`) and from raw JSON bytes (`matches_bytes`, parsing
//!    included), plus the mean number of rules each event matched.
//! 2. PutEvents over HTTP (`--http`): an in-process server, signed awsJson 1.1 PutEvents of 10
//!    entries on keep-alive connections, rules on the default bus (at most the 300-rule quota)
//!    with a log-group target; entries/s acknowledged (durably queued), and how many deliveries
//!    the delivery job had written to the log group when the run ended.

#[path = "events_http.rs"]
mod http;

use std::time::{Duration, Instant};

use openwatch_patterns::{Pattern, RuleSet};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Rule counts to measure matching with.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 100, 1000, 10_000])]
    rules: Vec<usize>,
    /// Measured seconds per rule count (matching).
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Also run PutEvents over HTTP against an in-process server.
    #[arg(long)]
    http: bool,
    /// Rules on the bus for the HTTP run (capped at the 300-rule quota).
    #[arg(long, default_value_t = 300)]
    http_rules: usize,
    /// Concurrent keep-alive connections for the HTTP run.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds for the HTTP run.
    #[arg(long, default_value_t = 10)]
    http_seconds: u64,
}

/// Distinct events generated (cycled through).
const EVENT_POOL: usize = 4096;
/// Size of each value space (categories, station numbers…), so rules and events overlap.
const SPACE: u64 = 1000;

/// A small deterministic generator (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The `detail` of a generated event: a GeoJSON Feature with sensor readings.
pub(crate) fn detail(rng: &mut Rng) -> Value {
    let station = rng.below(SPACE * 10);
    let lon = rng.below(360_000) as f64 / 1000.0 - 180.0;
    let lat = rng.below(180_000) as f64 / 1000.0 - 90.0;
    let status = ["active", "maintenance", "retired", "pending"][rng.below(4) as usize];
    let variant = ["a", "b", "x"][rng.below(3) as usize];
    json!({
        "type": "Feature",
        "id": format!("feature-{:08}", rng.below(100_000_000)),
        "geometry": {"type": "Point", "coordinates": [lon, lat, rng.below(3000) as f64]},
        "properties": {
            "name": format!("station-{station}"),
            "category": format!("cat-{}", rng.below(SPACE)),
            "status": status,
            "address": format!("{} Harbour Road, district-{}, street-{}", rng.below(999), rng.below(50), rng.below(SPACE)),
            "elevation": rng.below(40_000) as f64 / 10.0,
            "sensor": {"model": format!("m-{}-{}", rng.below(SPACE), variant),
                       "firmware": format!("{}.{}.{}", rng.below(5), rng.below(20), rng.below(100)),
                       "serial": format!("SN{:012}", rng.below(1_000_000_000_000))},
            "reading": {"temperature": (rng.below(1000) as f64 - 200.0) / 10.0,
                        "humidity": rng.below(100), "pm25": rng.below(300),
                        "pressure": 950.0 + rng.below(1000) as f64 / 10.0},
            "tags": ["weather", "air-quality", format!("region-{}", rng.below(20))],
            "owner": {"org": format!("org-{}", rng.below(200)), "contact": "operations@example.com"},
            "updated": "2026-11-29T12:00:00Z",
            "notes": "Periodic reading from a fixed station; values are averaged over five minutes.",
        }
    })
}

/// A whole event as a bus sees it (envelope + detail), ~900 bytes.
fn event(rng: &mut Rng, i: usize) -> Value {
    json!({
        "version": "0",
        "id": format!("6a7e8feb-b491-4cf7-a9f1-{i:012}"),
        "detail-type": "Feature Updated",
        "source": "geo.sensors",
        "account": "000000000000",
        "time": "2026-11-29T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail(rng),
    })
}

/// Rule `i`'s pattern; the kind cycles through exact, prefix, suffix, numeric, wildcard and
/// anything-but (the last combined with an exact field, as real rules are).
pub(crate) fn pattern(i: usize) -> String {
    let k = (i as u64 * 7919) % SPACE;
    let p = match i % 6 {
        0 => json!({"detail": {"properties": {"category": [format!("cat-{k}")]}}}),
        1 => json!({"detail": {"properties": {"name": [{"prefix": format!("station-{k}")}]}}}),
        2 => json!({"detail": {"properties": {"address": [{"suffix": format!("street-{k}")}]}}}),
        3 => {
            let lo = (k as f64 - 200.0) / 10.0;
            let hi = (k as f64 - 199.0) / 10.0;
            json!({"detail": {"properties": {"reading": {"temperature": [
                {"numeric": [">=", lo, "<", hi]}]}}}})
        }
        4 => {
            json!({"detail": {"properties": {"sensor": {"model": [{"wildcard": format!("m-{k}-*")}]}}}})
        }
        _ => json!({"source": ["geo.sensors"], "detail": {"properties": {
            "category": [format!("cat-{k}")], "status": [{"anything-but": ["retired", "pending"]}]}}}),
    };
    p.to_string()
}

pub fn run(args: EventsArgs) -> anyhow::Result<()> {
    let mut rng = Rng::new(0x5eed);
    let events: Vec<Value> = (0..EVENT_POOL).map(|i| event(&mut rng, i)).collect();
    let raw: Vec<Vec<u8>> = events
        .iter()
        .map(serde_json::to_vec)
        .collect::<Result<_, _>>()?;
    let mean_size = raw.iter().map(Vec::len).sum::<usize>() / raw.len();
    println!("events: {EVENT_POOL} generated, mean size {mean_size} bytes");
    for &n in &args.rules {
        let mut set = RuleSet::new();
        let start = Instant::now();
        for i in 0..n {
            let p = Pattern::parse(&pattern(i)).map_err(|e| anyhow::anyhow!("rule {i}: {e}"))?;
            set.add(i, &p);
        }
        let compile = start.elapsed();
        let (value_rate, matched) = measure(args.seconds, |i, hits| {
            set.for_each_match(&events[i % EVENT_POOL], |_| *hits += 1);
        });
        let (bytes_rate, _) = measure(args.seconds, |i, hits| {
            if let Ok(m) = set.matches_bytes(&raw[i % EVENT_POOL]) {
                *hits += m.len() as u64;
            }
        });
        println!(
            "match rules={n} compile={:.1}ms parsed-event={value_rate:.0} events/s raw-json={bytes_rate:.0} events/s (per CPU-second of 1 thread) matched/event={matched:.2}",
            compile.as_secs_f64() * 1e3
        );
    }
    if args.http {
        http::run(&args)?;
    }
    Ok(())
}

/// CPU time this thread has used (user + system), from `/proc/thread-self/stat` (Linux; clock
/// ticks of 10 ms), so a rate per core is not diluted by other processes on a busy machine.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `f(i, &mut hits)` for `seconds` on this thread; returns (calls per CPU second of this
/// thread — wall-clock seconds where `/proc` is unavailable —, hits per call).
fn measure(seconds: u64, mut f: impl FnMut(usize, &mut u64)) -> (f64, f64) {
    let mut hits = 0u64;
    // Warm-up: one pass over the pool.
    for i in 0..EVENT_POOL {
        f(i, &mut hits);
    }
    hits = 0;
    let deadline = Duration::from_secs(seconds.max(1));
    let start = Instant::now();
    let cpu_start = thread_cpu();
    let mut calls = 0usize;
    while start.elapsed() < deadline {
        for _ in 0..1024 {
            f(calls, &mut hits);
            calls += 1;
        }
    }
    let secs = match (cpu_start, thread_cpu()) {
        (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
        _ => start.elapsed().as_secs_f64(),
    };
    (calls as f64 / secs, hits as f64 / calls as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_pattern_parses_and_events_match_some() {
        let mut set = RuleSet::new();
        for i in 0..600 {
            let p = Pattern::parse(&pattern(i)).unwrap_or_else(|e| panic!("{i}: {e}"));
            set.add(i, &p);
        }
        let mut rng = Rng::new(7);
        let matched: usize = (0..200)
            .map(|i| set.matches(&event(&mut rng, i)).len())
            .sum();
        assert!(matched > 0);
        let size = serde_json::to_vec(&event(&mut rng, 0))
            .map(|v| v.len())
            .unwrap_or(0);
        assert!((700..1100).contains(&size), "{size}");
    }
}
