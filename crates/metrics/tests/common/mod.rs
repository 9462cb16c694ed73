//! Helpers shared by the engine tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use openwatch_metrics::{Metrics, MetricsOptions};
use openwatch_storage::{SimClock, SyncPolicy, WalOptions};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// 2026-01-01T00:00:00Z, a whole hour.
pub const T0: i64 = 1_767_225_600_000;

pub fn open(dir: &Path, clock: &Arc<SimClock>) -> Metrics {
    open_with(dir, clock, SyncPolicy::Never)
}

pub fn open_with(dir: &Path, clock: &Arc<SimClock>, sync: SyncPolicy) -> Metrics {
    Metrics::open(
        dir,
        clock.clone(),
        MetricsOptions {
            wal: WalOptions {
                segment_bytes: 256 * 1024,
                sync,
            },
            ..MetricsOptions::default()
        },
    )
    .unwrap()
}

pub fn group_commit() -> SyncPolicy {
    SyncPolicy::GroupCommit {
        interval: Duration::from_millis(2),
    }
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
