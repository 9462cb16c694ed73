//! Alarm actions as a seam: the store decides *when* a state change's actions are due, the
//! server (which knows SNS) executes them through [`AlarmActions`].
//!
//! SetAlarmState and PutCompositeAlarm (whose composite is evaluated at once) hand their state
//! changes to the registered runner once they are stored, as an evaluated transition's are: in
//! CloudWatch a state set by SetAlarmState runs the new state's actions. Without a runner (a
//! store used alone) nothing runs.

use super::*;

/// Executes the actions of stored state changes (the server implements it over SNS).
pub trait AlarmActions: Send + Sync + std::fmt::Debug {
    /// Runs `change`'s actions; called after the change is durable, with no store lock held.
    fn execute(&self, store: &AlarmStore, change: &StateChange);
}

impl AlarmStore {
    /// Registers the runner for the actions of state changes made by calls.
    pub fn set_actions(&self, actions: Arc<dyn AlarmActions>) {
        *self.actions.write() = Some(actions);
    }

    /// Hands `changes` to the registered runner, if any.
    pub(super) fn dispatch_actions(&self, changes: &[StateChange]) {
        let runner = self.actions.read().clone();
        if let Some(runner) = runner {
            for change in changes {
                runner.execute(self, change);
            }
        }
    }
}
