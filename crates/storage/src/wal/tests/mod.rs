//! Tests of the write-ahead log, split by concern.

mod basic;
mod durability;
mod props;
mod recovery;

use std::time::Duration;

use super::{Position, SyncPolicy, Wal, WalOptions};
use crate::error::WalError;

pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(super) fn opts(segment_bytes: u64, sync: SyncPolicy) -> WalOptions {
    WalOptions {
        segment_bytes,
        sync,
    }
}

/// Group commit whose committer practically never fires: tests drive fsyncs themselves.
pub(super) fn manual_group_commit() -> SyncPolicy {
    SyncPolicy::GroupCommit {
        interval: Duration::from_secs(3600),
    }
}

pub(super) fn collect(wal: &Wal) -> Result<Vec<(Position, Vec<u8>)>, WalError> {
    wal.replay().collect()
}

pub(super) fn payloads(wal: &Wal) -> Result<Vec<Vec<u8>>, WalError> {
    Ok(collect(wal)?.into_iter().map(|(_, p)| p).collect())
}

/// `n` distinct records of `len` bytes each.
pub(super) fn records(n: usize, len: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| (0..len).map(|j| (i * 31 + j) as u8).collect())
        .collect()
}
