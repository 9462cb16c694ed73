//! The decision: M of N over the evaluation range, TreatMissingData, low-sample percentiles.
//!
//! The rules, written so that both of AWS's documented tables hold (see `tests/golden.rs`):
//! 1. If the range holds at least N existing datapoints, the N most recent existing ones are
//!    evaluated and missing data does not matter: ≥ M breaching → ALARM, otherwise OK.
//! 2. Otherwise, `breaching` / `notBreaching` fill the fewest missing periods needed (the most
//!    recent missing ones) up to N, and the same count decides.
//! 3. Otherwise (`missing`, `ignore`) the existing datapoints decide what they can: with none,
//!    `missing` goes to INSUFFICIENT_DATA and `ignore` keeps the state; ≥ M breaching → ALARM;
//!    any non-breaching point → OK; if every existing point breaches, the alarm goes to ALARM
//!    when the oldest breaching point is at least M periods old (AWS's knowledge-center rule:
//!    "the oldest available breaching data point … is at least as old as the value of Datapoints
//!    to Alarm, and all other more recent data points are breaching or missing"), else
//!    INSUFFICIENT_DATA. `ignore` keeps the state wherever `missing` would not be decided by data.
//! 4. A percentile alarm with `EvaluateLowSampleCountPercentile = ignore` keeps its state when an
//!    evaluated datapoint has fewer samples than the documented minimum.

use super::config::{Datapoint, LowSampleCount, MetricAlarmConfig, TreatMissingData};
use super::config::{low_sample_threshold, percentile_of};
use super::range::{Slot, slots};
use crate::reason;
use crate::state::{AlarmState, Evaluation, Transition};

/// One period taking part in the decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluated {
    /// Period start, epoch milliseconds.
    pub timestamp_ms: i64,
    /// The reported datapoint; `None` for a missing period filled by TreatMissingData.
    pub point: Option<Datapoint>,
    pub breaching: bool,
}

/// What an evaluation concluded, with the evidence the reason is written from.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub state: AlarmState,
    /// The evaluated periods, newest first.
    pub evaluated: Vec<Evaluated>,
    /// How many of `evaluated` are missing periods filled as breaching / not breaching.
    pub filled: usize,
    /// For INSUFFICIENT_DATA: how many of the N periods were unknown.
    pub unknown: usize,
    /// Every existing datapoint of the range, newest first (`recentDatapoints`).
    pub recent: Vec<Datapoint>,
    /// Start of the evaluation range (used when nothing was evaluated).
    pub range_start_ms: i64,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Keep the current state (`ignore`, or low-sample percentiles with `ignore`).
    Keep,
    /// The state the data calls for (which may equal the current one).
    Set(Verdict),
}

impl Decision {
    /// The decided state, `None` for [`Decision::Keep`].
    pub fn state(&self) -> Option<AlarmState> {
        match self {
            Decision::Keep => None,
            Decision::Set(v) => Some(v.state),
        }
    }
}

struct Present {
    /// 1 = newest period of the range.
    position: usize,
    /// Start of the period the point belongs to.
    slot_ms: i64,
    point: Datapoint,
    breaching: bool,
}

fn is_low_sample(config: &MetricAlarmConfig, point: &Datapoint) -> bool {
    if config.evaluate_low_sample_count != LowSampleCount::Ignore {
        return false;
    }
    let Some(p) = config.statistic.as_deref().and_then(percentile_of) else {
        return false;
    };
    match (low_sample_threshold(p), point.sample_count) {
        (Some(min), Some(samples)) => samples < min,
        _ => false,
    }
}

/// Decides the state called for by `datapoints` at `now_ms` (pure; see the module rules).
pub fn decide(config: &MetricAlarmConfig, datapoints: &[Datapoint], now_ms: i64) -> Decision {
    let range: Vec<Slot> = slots(config, datapoints, now_ms);
    decide_slots(config, &range)
}

fn decide_slots(config: &MetricAlarmConfig, range: &[Slot]) -> Decision {
    let (n, m) = (config.n(), config.m());
    let threshold = config.threshold.unwrap_or(0.0);
    let present: Vec<Present> = range
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| {
            let point = slot.point?;
            let breaching = config.comparison.breaches(threshold, &point)?;
            Some(Present {
                position: i + 1,
                slot_ms: slot.timestamp_ms,
                point,
                breaching,
            })
        })
        .collect();
    let recent: Vec<Datapoint> = present.iter().map(|p| p.point).collect();
    let range_start_ms = range.last().map_or(0, |s| s.timestamp_ms);

    let considered = &present[..present.len().min(n)];
    if considered.iter().any(|p| is_low_sample(config, &p.point)) {
        return Decision::Keep;
    }
    let as_evaluated = |p: &Present| Evaluated {
        timestamp_ms: p.slot_ms,
        point: Some(p.point),
        breaching: p.breaching,
    };
    let verdict = |state, evaluated: Vec<Evaluated>, filled, unknown| {
        Decision::Set(Verdict {
            state,
            evaluated,
            filled,
            unknown,
            recent: recent.clone(),
            range_start_ms,
        })
    };
    let by_count = |breaching: usize| {
        if breaching >= m {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    };

    // Rule 1: enough existing data; missing data does not matter.
    if present.len() >= n {
        let evaluated: Vec<Evaluated> = considered.iter().map(as_evaluated).collect();
        let b = evaluated.iter().filter(|e| e.breaching).count();
        return verdict(by_count(b), evaluated, 0, 0);
    }

    let treat = config.treat_missing_data;
    match treat {
        // Rule 2: fill the most recent missing periods, as few as needed.
        TreatMissingData::Breaching | TreatMissingData::NotBreaching => {
            let fill_breaching = treat == TreatMissingData::Breaching;
            let needed = n - present.len();
            let mut evaluated: Vec<Evaluated> = present.iter().map(as_evaluated).collect();
            evaluated.extend(
                range
                    .iter()
                    .filter(|s| !present_at(&present, s))
                    .take(needed)
                    .map(|s| Evaluated {
                        timestamp_ms: s.timestamp_ms,
                        point: None,
                        breaching: fill_breaching,
                    }),
            );
            evaluated.sort_by_key(|e| std::cmp::Reverse(e.timestamp_ms));
            let b = evaluated.iter().filter(|e| e.breaching).count();
            verdict(by_count(b), evaluated, needed, 0)
        }
        // Rule 3: only existing data decides.
        TreatMissingData::Missing | TreatMissingData::Ignore => {
            let ignore = treat == TreatMissingData::Ignore;
            let unknown = n - present.len();
            let evaluated: Vec<Evaluated> = present.iter().map(as_evaluated).collect();
            let b = present.iter().filter(|p| p.breaching).count();
            let Some(oldest) = present.last() else {
                return if ignore {
                    Decision::Keep
                } else {
                    verdict(AlarmState::InsufficientData, evaluated, 0, n)
                };
            };
            if b >= m {
                verdict(AlarmState::Alarm, evaluated, 0, 0)
            } else if b < present.len() {
                verdict(AlarmState::Ok, evaluated, 0, 0)
            } else if ignore {
                Decision::Keep
            } else if oldest.position >= m {
                verdict(AlarmState::Alarm, evaluated, 0, 0)
            } else {
                verdict(AlarmState::InsufficientData, evaluated, 0, unknown)
            }
        }
    }
}

/// Whether the slot holds a comparable datapoint (a band point without bounds does not).
fn present_at(present: &[Present], slot: &Slot) -> bool {
    present.iter().any(|p| p.slot_ms == slot.timestamp_ms)
}

/// Evaluates a metric alarm in state `current` at `now_ms`: a [`Transition`] when the decided
/// state differs from `current`, otherwise [`Evaluation::Unchanged`].
pub fn evaluate(
    config: &MetricAlarmConfig,
    current: AlarmState,
    datapoints: &[Datapoint],
    now_ms: i64,
) -> Evaluation {
    match decide(config, datapoints, now_ms) {
        Decision::Keep => Evaluation::Unchanged,
        Decision::Set(v) if v.state == current => Evaluation::Unchanged,
        Decision::Set(v) => Evaluation::Transition(Transition {
            from: current,
            to: v.state,
            reason: reason::reason_text(config, current, &v),
            reason_data: reason::reason_data(config, &v, now_ms),
        }),
    }
}
