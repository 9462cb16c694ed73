//! Composite-alarm actions suppression over time.
//!
//! When a composite alarm with an `ActionsSuppressor` changes state, the server asks
//! [`AlarmStore::composite_actions_suppressed`] before running the new state's actions. If the
//! suppressor holds them back (it is in ALARM, the composite is inside its WaitPeriod, or the
//! suppressor left ALARM less than ExtensionPeriod ago) the actions are recorded as pending in
//! the composite's record. [`AlarmStore::release_suppressed`], run by the evaluation job, hands
//! back the composites whose pending actions are no longer suppressed (the wait period ended
//! without the suppressor going into ALARM, or its extension period ended) while the composite
//! is still in that state: CloudWatch then performs the actions. A new transition drops them.

use super::*;
use crate::suppress::{SuppressedBy, Suppression, SuppressorView, suppressed};

/// AWS's defaults when a period is not given (PutCompositeAlarm requires both with a
/// suppressor, so these only cover records stored without them).
const DEFAULT_PERIOD_S: u32 = 60;

impl AlarmStore {
    /// The suppressor of `a` as the suppression rules see it (`None` if it does not exist).
    fn suppressor_view(&self, key: &Key, a: &CompositeAlarm) -> Option<SuppressorView> {
        let s = a.actions_suppressor.as_deref()?;
        let name = s.rsplit(":alarm:").next().unwrap_or(s);
        let skey: Key = (key.0.clone(), key.1.clone(), name.to_owned());
        let inner = self.inner.read();
        let parse = |v: &Option<String>| v.as_deref().and_then(|v| v.parse().ok());
        if let Some(m) = inner.0.alarms.get(&skey) {
            return Some(SuppressorView {
                state: m.state(),
                previous_state: parse(&m.previous_state_value),
                changed_at_ms: m.state_transitioned_ms,
            });
        }
        inner.0.composites.get(&skey).map(|c| SuppressorView {
            state: c.state(),
            previous_state: parse(&c.previous_state_value),
            changed_at_ms: c.state_transitioned_ms,
        })
    }

    fn suppression_of(&self, key: &Key, a: &CompositeAlarm, now: i64) -> Option<SuppressedBy> {
        let view = self.suppressor_view(key, a)?;
        let settings = Suppression {
            wait_period_s: a.actions_suppressor_wait_period.unwrap_or(DEFAULT_PERIOD_S),
            extension_period_s: a
                .actions_suppressor_extension_period
                .unwrap_or(DEFAULT_PERIOD_S),
        };
        suppressed(settings, view, a.state_transitioned_ms, now)
    }

    fn store_pending(&self, key: &Key, pending: Option<PendingActions>) -> Result<(), AlarmsError> {
        let _w = self.write.lock();
        let Some(mut a) = self.inner.read().0.composites.get(key).cloned() else {
            return Ok(());
        };
        if a.pending_actions == pending {
            return Ok(());
        }
        a.pending_actions = pending;
        self.store_composite(key, a)
    }

    /// Whether the actions of the composite alarm's current state are held back by its
    /// `ActionsSuppressor` now. A suppressed state's actions are recorded as pending (and
    /// released later by [`Self::release_suppressed`]).
    pub fn composite_actions_suppressed(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Option<SuppressedBy> {
        let key: Key = (account.into(), region.into(), name.into());
        let a = self.inner.read().0.composites.get(&key).cloned()?;
        let by = self.suppression_of(&key, &a, self.clock.now_millis());
        let pending = by.map(|by| PendingActions {
            state: a.state_value.clone(),
            since_ms: a.state_transitioned_ms,
            suppressed_by: by.as_str().to_owned(),
        });
        if let Err(e) = self.store_pending(&key, pending) {
            tracing::warn!(alarm = %a.arn, error = %e, "suppressed actions not recorded");
        }
        by
    }

    /// The composite alarms whose pending actions are due at `now`: still in the state whose
    /// actions were held back, and no longer suppressed. Their pending record is cleared; each
    /// comes back as a state change (same state, `now`) whose actions the caller runs.
    /// Pending actions of a state since left are dropped.
    pub fn release_suppressed(&self, now: i64) -> Vec<StateChange> {
        let pending: Vec<(Key, CompositeAlarm)> = {
            let inner = self.inner.read();
            inner
                .0
                .composites
                .iter()
                .filter(|(_, a)| a.pending_actions.is_some())
                .map(|(k, a)| (k.clone(), a.clone()))
                .collect()
        };
        let mut out = Vec::new();
        for (key, a) in pending {
            let Some(p) = &a.pending_actions else {
                continue;
            };
            let current = p.state == a.state_value && p.since_ms == a.state_transitioned_ms;
            let still = current
                .then(|| self.suppression_of(&key, &a, now))
                .flatten();
            match still {
                Some(by) if by.as_str() == p.suppressed_by => continue,
                Some(by) => {
                    // Still held back, for another reason (e.g. the suppressor went into ALARM
                    // during the wait period).
                    let mut next = p.clone();
                    next.suppressed_by = by.as_str().to_owned();
                    if let Err(e) = self.store_pending(&key, Some(next)) {
                        tracing::warn!(alarm = %a.arn, error = %e, "suppression not updated");
                    }
                    continue;
                }
                None => {}
            }
            if let Err(e) = self.store_pending(&key, None) {
                tracing::warn!(alarm = %a.arn, error = %e, "suppressed actions not released");
                continue;
            }
            if !current {
                continue;
            }
            let snapshot = |ts: i64, by: Option<String>| StateSnapshot {
                value: a.state_value.clone(),
                reason: a.state_reason.clone(),
                reason_data: a.state_reason_data.clone(),
                timestamp_ms: ts,
                actions_suppressed_by: by,
            };
            out.push(StateChange {
                account: key.0.clone(),
                region: key.1.clone(),
                name: key.2.clone(),
                arn: a.arn.clone(),
                alarm_type: "CompositeAlarm",
                state: snapshot(now, None),
                // As CloudWatch's event: the previous state is the suppressed one.
                previous: snapshot(a.state_updated_ms, Some(p.suppressed_by.clone())),
                configuration: composite_configuration(&a),
            });
        }
        out
    }
}
