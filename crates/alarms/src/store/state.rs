//! State changes: SetAlarmState, applying a transition to a metric or composite alarm record
//! and the history item and event it produces.

use super::*;

impl AlarmStore {
    /// Applies a metric alarm's state change (by SetAlarmState or evaluation) with its history
    /// item.
    pub(super) fn change_state(
        &self,
        key: &Key,
        to: AlarmState,
        reason: String,
        reason_data: Option<String>,
        now: i64,
    ) -> Result<Option<StateChange>, AlarmsError> {
        if !self.inner.read().0.alarms.contains_key(key) {
            return Err(not_found(&key.2));
        }
        let batch = vec![(key.clone(), to, reason, reason_data)];
        Ok(self.change_states(batch, now)?.into_iter().next())
    }

    /// As [`Self::change_state`] for many metric alarms (evaluation's transitions), with one
    /// catalog transaction for all the records and history items. The caller holds `write`.
    /// Returns the changes, in order, once they are durable.
    pub(super) fn change_states(
        &self,
        batch: Vec<(Key, AlarmState, String, Option<String>)>,
        now: i64,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let mut staged = Vec::with_capacity(batch.len());
        let mut items = Vec::with_capacity(batch.len());
        for (key, to, reason, reason_data) in batch {
            let Some(mut alarm) = self.inner.read().0.alarms.get(&key).cloned() else {
                continue;
            };
            let applied = apply_state(state_fields!(alarm), to, reason, reason_data, now);
            items.push(applied.history_item(&alarm.name, "MetricAlarm", now));
            staged.push((key, alarm, applied));
        }
        if staged.is_empty() {
            return Ok(Vec::new());
        }
        self.commit(Write {
            puts: staged.iter().map(|(key, alarm, _)| (key, alarm)).collect(),
            history: staged
                .iter()
                .zip(items)
                .map(|((key, _, _), item)| (key.0.as_str(), key.1.as_str(), item))
                .collect(),
            ..Write::default()
        })?;
        let mut out = Vec::with_capacity(staged.len());
        for (key, alarm, applied) in staged {
            let configuration = metric_configuration(&alarm);
            if let Some(c) = applied.change(&key, &alarm.arn, "MetricAlarm", configuration) {
                out.push(c);
            }
            self.inner.write().0.alarms.insert(key, alarm);
        }
        Ok(out)
    }

    /// As [`Self::change_state`], for a composite alarm.
    pub(super) fn change_composite_state(
        &self,
        key: &Key,
        to: AlarmState,
        reason: String,
        reason_data: Option<String>,
        now: i64,
    ) -> Result<Option<StateChange>, AlarmsError> {
        let Some(mut alarm) = self.inner.read().0.composites.get(key).cloned() else {
            return Err(not_found(&key.2));
        };
        let applied = apply_state(state_fields!(alarm), to, reason, reason_data, now);
        if applied.changed {
            // Actions held back for the state being left are dropped.
            alarm.pending_actions = None;
        }
        let item = applied.history_item(&alarm.name, "CompositeAlarm", now);
        self.commit(Write {
            put_composite: Some((key, &alarm)),
            history: vec![(&key.0, &key.1, item)],
            ..Write::default()
        })?;
        let configuration = composite_configuration(&alarm);
        let change = applied.change(key, &alarm.arn, "CompositeAlarm", configuration);
        self.inner.write().0.composites.insert(key.clone(), alarm);
        Ok(change)
    }

    /// SetAlarmState (metric or composite alarm): sets the state until the next evaluation.
    /// Returns the changes made (this alarm's, when the value differs, and its parents'), whose
    /// actions have been handed to the registered [`AlarmActions`].
    pub fn set_alarm_state(
        &self,
        account: &str,
        region: &str,
        name: &str,
        state: &str,
        reason: &str,
        reason_data: Option<&str>,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let changes = self.set_state_stored(account, region, name, state, reason, reason_data)?;
        self.dispatch_actions(&changes);
        Ok(changes)
    }

    fn set_state_stored(
        &self,
        account: &str,
        region: &str,
        name: &str,
        state: &str,
        reason: &str,
        reason_data: Option<&str>,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let to: AlarmState = state.parse().map_err(|_| {
            AlarmsError::InvalidParameterValue(format!(
                "1 validation error detected: Value '{state}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"
            ))
        })?;
        if reason.chars().count() > 1023 {
            return Err(AlarmsError::InvalidParameterValue(
                "The parameter StateReason must be between 0 and 1023 characters long.".into(),
            ));
        }
        if let Some(d) = reason_data {
            if d.chars().count() > 4000 {
                return Err(AlarmsError::InvalidParameterValue(
                    "The parameter StateReasonData must be between 0 and 4000 characters long."
                        .into(),
                ));
            }
            if serde_json::from_str::<Value>(d).is_err() {
                return Err(AlarmsError::InvalidFormat(
                    "StateReasonData must be valid JSON.".into(),
                ));
            }
        }
        let key: Key = (account.into(), region.into(), name.into());
        let _w = self.write.lock();
        let (is_metric, is_composite) = {
            let inner = self.inner.read();
            (
                inner.0.alarms.contains_key(&key),
                inner.0.composites.contains_key(&key),
            )
        };
        let now = self.clock.now_millis();
        let (reason, data) = (reason.to_owned(), reason_data.map(str::to_owned));
        let change = if is_metric {
            self.change_state(&key, to, reason, data, now)?
        } else if is_composite {
            self.change_composite_state(&key, to, reason, data, now)?
        } else {
            return Err(not_found(name));
        };
        let mut changes = Vec::new();
        if let Some(c) = change {
            changes.push(c);
            self.propagate(&key, now, &mut changes, 0);
        }
        Ok(changes)
    }
}

/// SetAlarmState's (and a state change's) answer for an alarm that does not exist.
fn not_found(name: &str) -> AlarmsError {
    AlarmsError::ResourceNotFound(format!("Alarm {name} not found"))
}

/// The [`StateFields`] of a `MetricAlarm` or `CompositeAlarm` record (both name them alike).
macro_rules! state_fields {
    ($alarm:expr) => {
        super::state::StateFields {
            value: &mut $alarm.state_value,
            reason: &mut $alarm.state_reason,
            reason_data: &mut $alarm.state_reason_data,
            updated_ms: &mut $alarm.state_updated_ms,
            transitioned_ms: &mut $alarm.state_transitioned_ms,
            previous: &mut $alarm.previous_state_value,
        }
    };
}
pub(super) use state_fields;

/// Gives the new configuration of a replaced alarm the state of the record it replaces (a Put
/// changes the configuration, not the state).
pub(super) fn keep_state(to: StateFields<'_>, from: StateFields<'_>) {
    to.value.clone_from(from.value);
    to.reason.clone_from(from.reason);
    to.reason_data.clone_from(from.reason_data);
    *to.updated_ms = *from.updated_ms;
    *to.transitioned_ms = *from.transitioned_ms;
    to.previous.clone_from(from.previous);
}

/// The state members of an alarm record.
pub(super) struct StateFields<'a> {
    pub(super) value: &'a mut String,
    pub(super) reason: &'a mut String,
    pub(super) reason_data: &'a mut Option<String>,
    pub(super) updated_ms: &'a mut i64,
    pub(super) transitioned_ms: &'a mut i64,
    pub(super) previous: &'a mut Option<String>,
}

/// A state change applied to a record, before it is stored.
struct Applied {
    previous: StateSnapshot,
    state: StateSnapshot,
    changed: bool,
}

fn apply_state(
    f: StateFields<'_>,
    to: AlarmState,
    reason: String,
    reason_data: Option<String>,
    now: i64,
) -> Applied {
    let previous = StateSnapshot {
        value: f.value.clone(),
        reason: f.reason.clone(),
        reason_data: f.reason_data.clone(),
        timestamp_ms: *f.updated_ms,
        actions_suppressed_by: None,
    };
    let changed = previous.value != to.as_str();
    *f.value = to.as_str().into();
    f.reason.clone_from(&reason);
    f.reason_data.clone_from(&reason_data);
    *f.updated_ms = now;
    if changed {
        *f.transitioned_ms = now;
        *f.previous = Some(previous.value.clone());
    }
    Applied {
        previous,
        state: StateSnapshot {
            value: to.as_str().into(),
            reason,
            reason_data,
            timestamp_ms: now,
            actions_suppressed_by: None,
        },
        changed,
    }
}

impl Applied {
    fn history_item(&self, name: &str, alarm_type: &str, now: i64) -> HistoryItem {
        let mut new_state =
            json!({"stateValue": self.state.value, "stateReason": self.state.reason});
        if let Some(d) = &self.state.reason_data
            && let (Ok(parsed), Some(obj)) =
                (serde_json::from_str::<Value>(d), new_state.as_object_mut())
        {
            obj.insert("stateReasonData".into(), parsed);
        }
        let data = json!({
            "version": "1.0",
            "oldState": {"stateValue": self.previous.value, "stateReason": self.previous.reason},
            "newState": new_state,
        });
        HistoryItem {
            alarm_name: name.to_owned(),
            alarm_type: alarm_type.to_owned(),
            timestamp_ms: now,
            item_type: HistoryItemType::StateUpdate,
            summary: format!(
                "Alarm updated from {} to {}",
                self.previous.value, self.state.value
            ),
            data: data.to_string(),
        }
    }

    fn change(
        self,
        key: &Key,
        arn: &str,
        alarm_type: &'static str,
        configuration: Value,
    ) -> Option<StateChange> {
        self.changed.then(|| StateChange {
            account: key.0.clone(),
            region: key.1.clone(),
            name: key.2.clone(),
            arn: arn.to_owned(),
            alarm_type,
            state: self.state,
            previous: self.previous,
            configuration,
        })
    }
}
