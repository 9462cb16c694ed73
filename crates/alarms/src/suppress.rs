//! Composite-alarm actions suppression: `ActionsSuppressor`, `ActionsSuppressorWaitPeriod`,
//! `ActionsSuppressorExtensionPeriod`, decided as a pure function of the states and `now`.
//!
//! Per the API reference: actions are suppressed while the suppressor is in ALARM
//! (`ActionsSuppressedBy = Alarm`); after the composite alarm changes state, it waits up to
//! WaitPeriod for the suppressor to go into ALARM (`WaitPeriod`); after the suppressor leaves
//! ALARM, actions stay suppressed for ExtensionPeriod (`ExtensionPeriod`).

use crate::state::AlarmState;

/// `ActionsSuppressedBy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressedBy {
    WaitPeriod,
    ExtensionPeriod,
    Alarm,
}

impl SuppressedBy {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressedBy::WaitPeriod => "WaitPeriod",
            SuppressedBy::ExtensionPeriod => "ExtensionPeriod",
            SuppressedBy::Alarm => "Alarm",
        }
    }
}

/// The suppressor alarm as the composite sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressorView {
    pub state: AlarmState,
    /// The state before its last change (`None` if it never changed).
    pub previous_state: Option<AlarmState>,
    /// When it entered `state`, epoch milliseconds.
    pub changed_at_ms: i64,
}

/// The composite's suppression settings (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    pub wait_period_s: u32,
    pub extension_period_s: u32,
}

/// Whether the composite's actions are suppressed at `now_ms`, and why. `composite_changed_at_ms`
/// is when the composite entered its current state (the transition whose actions are pending).
pub fn suppressed(
    settings: Suppression,
    suppressor: SuppressorView,
    composite_changed_at_ms: i64,
    now_ms: i64,
) -> Option<SuppressedBy> {
    if suppressor.state == AlarmState::Alarm {
        return Some(SuppressedBy::Alarm);
    }
    let left_alarm = suppressor.previous_state == Some(AlarmState::Alarm);
    let extension_end = suppressor.changed_at_ms + i64::from(settings.extension_period_s) * 1000;
    if left_alarm && now_ms < extension_end {
        return Some(SuppressedBy::ExtensionPeriod);
    }
    let wait_end = composite_changed_at_ms + i64::from(settings.wait_period_s) * 1000;
    let alarmed_since_change = left_alarm && suppressor.changed_at_ms >= composite_changed_at_ms;
    if !alarmed_since_change && now_ms >= composite_changed_at_ms && now_ms < wait_end {
        return Some(SuppressedBy::WaitPeriod);
    }
    None
}
