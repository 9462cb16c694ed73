//! Alarm actions outside the evaluation job: the alarms domain's [`AlarmActions`] seam,
//! implemented over SNS, and the release of composite actions whose suppression ended.
//!
//! - [`SnsAlarmActions`] is registered on the `AlarmStore` (`AlarmStore::set_actions`), so the
//!   state changes SetAlarmState and PutCompositeAlarm store run their actions exactly as an
//!   evaluated transition does (`alarm_actions::execute`: SNS notifications and `Action` history
//!   items). The facade publishes their "CloudWatch Alarm State Change" events itself.
//! - [`release_suppressed`] runs with the `alarms-evaluation` job: for every composite alarm
//!   whose `ActionsSuppressor` wait or extension period has ended while it stayed in the state
//!   whose actions were held back, it publishes CloudWatch's state-change event (same state, the
//!   previous one marked `actionsSuppressedBy`) and runs the actions.

use std::sync::Arc;

use openwatch_alarms::store::{AlarmActions, AlarmStore, StateChange};
use openwatch_events::Events;
use openwatch_sns::Sns;

/// Runs alarm actions through SNS (see [`crate::alarm_actions::execute`]).
pub struct SnsAlarmActions {
    pub sns: Arc<Sns>,
}

impl std::fmt::Debug for SnsAlarmActions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnsAlarmActions").finish_non_exhaustive()
    }
}

impl AlarmActions for SnsAlarmActions {
    fn execute(&self, store: &AlarmStore, change: &StateChange) {
        crate::alarm_actions::execute(store, &self.sns, change);
    }
}

/// Publishes and runs the composite actions whose suppression has ended at `now`; returns how
/// many composites were released.
pub fn release_suppressed(alarms: &AlarmStore, sns: &Sns, events: &Events, now: i64) -> usize {
    let released = alarms.release_suppressed(now);
    for change in &released {
        openwatch_services::cloudwatch::alarms::publish_state_change(events, change);
        crate::alarm_actions::execute(alarms, sns, change);
    }
    released.len()
}
