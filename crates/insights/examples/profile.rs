//! A quick profile of one query over generated JSON access logs, through the real `LogStore` and
//! `QueryManager` (`openwatch-bench insights` is the full benchmark beside DuckDB):
//!
//! ```sh
//! cargo run --release -p openwatch-insights --example profile -- 256 'filter status >= 500 | stats count(*) by svc' 3
//! ```
//!
//! Arguments: MiB of messages (default 256), the query, runs (default 3).

use std::sync::Arc;
use std::time::{Duration, Instant};

use openwatch_insights::runner::{QueryManager, StartQuery, Status};
use openwatch_logs::{InputEvent, LogStore, LogStoreOptions, SimClock};
use openwatch_storage::{Catalog, SyncPolicy, WalOptions};

const T0: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mib: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(256);
    let query = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "filter status >= 500 | stats count(*), avg(latency_ms) by svc".into());
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let dir = tempfile::Builder::new()
        .prefix("openwatch-insights-profile")
        .tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())?;
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
    store.create_log_group("1", "r", "g", None, Default::default(), None)?;
    store.create_log_stream("1", "r", "g", "s")?;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let target = mib << 20;
    let (mut bytes, mut n) = (0u64, 0i64);
    let mut batch = Vec::new();
    while bytes < target {
        let status = match rnd(100) {
            0..=2 => 500 + rnd(4),
            3..=9 => 404,
            _ => 200,
        };
        let message = format!(
            "{{\"level\":\"{}\",\"svc\":\"svc-{:02}\",\"status\":{status},\"latency_ms\":{},\"path\":\"/api/v1/items/{}\",\"user\":\"u-{}\",\"bytes\":{}}}",
            if status >= 500 { "ERROR" } else { "INFO" },
            rnd(20),
            1 + rnd(2000),
            rnd(100_000),
            rnd(50_000),
            rnd(100_000)
        );
        bytes += message.len() as u64;
        n += 1;
        batch.push(InputEvent {
            timestamp: T0 + n * 10,
            message,
        });
        if batch.len() == 5_000 {
            store.put_log_events_blocking("1", "r", "g", "s", std::mem::take(&mut batch))?;
        }
    }
    if !batch.is_empty() {
        store.put_log_events_blocking("1", "r", "g", "s", batch)?;
    }
    store.flush_all()?;
    println!("{n} events, {} MiB", bytes >> 20);
    let qm = QueryManager::new(Arc::clone(&store));
    for _ in 0..runs {
        let cpu0 = cpu_seconds();
        let t = Instant::now();
        let id = qm.start_query(
            "1",
            "r",
            StartQuery {
                log_group_name: Some("g".into()),
                start_time: T0 / 1000,
                end_time: (T0 + 2 * DAY) / 1000,
                query_string: query.clone(),
                ..StartQuery::default()
            },
        )?;
        loop {
            let r = qm.get_query_results("1", "r", &id)?;
            match r.status {
                Status::Complete => {
                    println!(
                        "{:.3} s ({:.3} CPU-s), {} rows, first {:?}",
                        t.elapsed().as_secs_f64(),
                        cpu_seconds() - cpu0,
                        r.results.len(),
                        r.results.first()
                    );
                    break;
                }
                Status::Running | Status::Scheduled => std::thread::sleep(Duration::from_millis(2)),
                other => return Err(format!("query ended {}", other.as_str()).into()),
            }
        }
    }
    store.close()?;
    Ok(())
}

/// CPU time of this process so far (user + system), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}
