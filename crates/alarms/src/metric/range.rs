//! The evaluation range: which periods an evaluation at `now` looks at, and the datapoint of each.
//!
//! CloudWatch retrieves more periods than `EvaluationPeriods` (the docs' example: 5 for N = 3)
//! and says only that the exact number depends on the period and resolution. We use N + 2, the
//! range both documented tables are written against.

use super::config::{Datapoint, MetricAlarmConfig};

/// Extra periods retrieved beyond N.
pub const EXTRA_RANGE_PERIODS: usize = 2;

/// The number of periods in the evaluation range for `evaluation_periods` = N.
pub fn evaluation_range_periods(evaluation_periods: u32) -> usize {
    evaluation_periods.max(1) as usize + EXTRA_RANGE_PERIODS
}

/// The newest complete period that an evaluation at `now_ms` can see: periods are aligned to the
/// epoch and the period containing `now` is still open.
fn newest_period_start(config: &MetricAlarmConfig, now_ms: i64) -> i64 {
    let p = config.period_ms();
    now_ms.div_euclid(p) * p - p
}

/// `[start, end)` in epoch milliseconds of the datapoints an evaluation at `now_ms` reads; the
/// scheduler fetches exactly this range (one datapoint per period, period-aligned).
pub fn evaluation_window(config: &MetricAlarmConfig, now_ms: i64) -> (i64, i64) {
    let p = config.period_ms();
    let newest = newest_period_start(config, now_ms);
    let count = evaluation_range_periods(config.evaluation_periods) as i64;
    (newest - (count - 1) * p, newest + p)
}

/// One period of the evaluation range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Period start, epoch milliseconds.
    pub timestamp_ms: i64,
    /// The datapoint of that period, if one was reported.
    pub point: Option<Datapoint>,
}

/// The evaluation range at `now_ms`, **newest first**. A datapoint lands in the period containing
/// its timestamp; points outside the range are ignored; of two points in one period the later
/// in `datapoints` wins (the caller passes aggregated, one-per-period data).
pub fn slots(config: &MetricAlarmConfig, datapoints: &[Datapoint], now_ms: i64) -> Vec<Slot> {
    let p = config.period_ms();
    let newest = newest_period_start(config, now_ms);
    let count = evaluation_range_periods(config.evaluation_periods);
    let mut out: Vec<Slot> = (0..count as i64)
        .map(|i| Slot {
            timestamp_ms: newest - i * p,
            point: None,
        })
        .collect();
    for dp in datapoints {
        let offset = newest - dp.timestamp_ms.div_euclid(p) * p;
        if offset < 0 || offset % p != 0 {
            continue;
        }
        let index = (offset / p) as usize;
        if let Some(slot) = out.get_mut(index) {
            slot.point = Some(*dp);
        }
    }
    debug_assert_eq!(out.len(), count);
    out
}
