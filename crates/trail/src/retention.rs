//! Retention: CloudTrail's event history keeps 90 days. Lookups never return older records, and
//! the retention job deletes whole log segments whose newest record is older than that.

use crate::error::TrailError;
use crate::trail::Shared;

/// Days of event history kept (CloudTrail Event history: "the past 90 days").
pub const TRAIL_RETENTION_DAYS: i64 = 90;
/// Milliseconds in a day.
pub const DAY_MILLIS: i64 = 86_400_000;

/// The oldest event time still visible at `now`.
pub fn retention_floor(now_millis: i64) -> i64 {
    now_millis.saturating_sub(TRAIL_RETENTION_DAYS * DAY_MILLIS)
}

/// What a retention run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub segments_removed: usize,
    pub records_removed: usize,
}

/// Deletes every segment whose records are all older than the retention period. Holds the
/// append lock, so no batch lands in a segment while it is being judged or deleted.
pub(crate) fn run(shared: &Shared) -> Result<RetentionReport, TrailError> {
    let _appending = shared.append_lock.lock();
    let floor = retention_floor(shared.clock.now_millis());
    let active = shared.log.active_segment();
    let active_expired = shared
        .index
        .read()
        .segments()
        .get(&active)
        .is_some_and(|s| s.max_time < floor);
    if active_expired {
        // Nothing recent is being written: seal the active segment so that it can go too.
        shared.log.rotate()?;
    }
    let active = shared.log.active_segment();
    let cut = shared
        .index
        .read()
        .segments()
        .iter()
        .find(|(_, s)| s.max_time >= floor)
        .map_or(active, |(id, _)| (*id).min(active));
    let segments_removed = shared.log.remove_segments_before(cut)?;
    let records_removed = shared.index.write().remove_segments_before(cut);
    if segments_removed > 0 || records_removed > 0 {
        tracing::info!(
            segments_removed,
            records_removed,
            "audit trail retention deleted records older than {TRAIL_RETENTION_DAYS} days"
        );
    }
    Ok(RetentionReport {
        segments_removed,
        records_removed,
    })
}
