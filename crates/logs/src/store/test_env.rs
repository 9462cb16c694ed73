//! The fixture the store's test modules share: a temporary data directory, a simulated clock,
//! and stores opened over them with a WAL that fsyncs on every append.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_storage::{Catalog, SimClock, SyncPolicy, WalOptions};

use super::{CHUNK_TARGET_BYTES, HEAD_MAX_AGE_MS, LogStore, LogStoreOptions};

pub(super) const A: &str = "123456789012";
pub(super) const R: &str = "us-east-1";
pub(super) const T0: i64 = 1_764_000_000_000;

pub(super) struct Env {
    pub tmp: tempfile::TempDir,
    pub clock: Arc<SimClock>,
    segment_bytes: u64,
}

impl Env {
    /// 1 MiB WAL segments.
    pub fn new() -> Env {
        Env::with_segment_bytes(1 << 20)
    }

    /// WAL segments of `segment_bytes` (small ones exercise rotation and trimming).
    pub fn with_segment_bytes(segment_bytes: u64) -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
            clock: Arc::new(SimClock::new(T0)),
            segment_bytes,
        }
    }

    /// The store with the default chunk target.
    pub fn open(&self) -> LogStore {
        self.open_with(CHUNK_TARGET_BYTES)
    }

    /// The store with chunks of `chunk_target_bytes`.
    pub fn open_with(&self, chunk_target_bytes: usize) -> LogStore {
        let catalog = Arc::new(Catalog::open(&self.tmp.path().join("catalog.redb")).unwrap());
        let opts = LogStoreOptions {
            wal: WalOptions {
                segment_bytes: self.segment_bytes,
                sync: SyncPolicy::Always,
            },
            chunk_target_bytes,
            head_max_age_ms: HEAD_MAX_AGE_MS,
        };
        LogStore::open(
            &self.tmp.path().join("logs"),
            catalog,
            self.clock.clone(),
            opts,
        )
        .unwrap()
    }
}

/// Polls a future to completion without a runtime (the store's only await is the WAL's
/// durability wait, which completes at once under `SyncPolicy::Always`).
pub(super) fn block<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A metric sink that keeps what it receives.
#[derive(Default)]
pub(super) struct Recording(pub(super) parking_lot::Mutex<Vec<super::EmittedMetric>>);

impl super::MetricSink for Recording {
    fn emit(&self, _account: &str, _region: &str, metrics: Vec<super::EmittedMetric>) {
        self.0.lock().extend(metrics);
    }
}
