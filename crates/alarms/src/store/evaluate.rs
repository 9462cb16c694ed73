//! The evaluation loop: [`AlarmStore::evaluate_due`] runs every due metric alarm through the
//! pure evaluator.

use super::*;
use crate::metric::MetricAlarmConfig;

/// Alarms whose datapoints are read, then evaluated and stored together, per batch.
const EVALUATION_BATCH: usize = 1024;

impl AlarmStore {
    /// Evaluates every metric alarm whose period boundary has passed since its last
    /// evaluation: reads its [`evaluation_window`] from `source`, runs the evaluator and stores
    /// each transition with its history item, then re-evaluates the composite alarms that
    /// reference a changed alarm. Returns the stored state changes (the caller publishes them).
    /// An alarm whose datapoints cannot be read is skipped and retried on the next call.
    pub fn evaluate_due(&self, now: i64, source: &dyn DatapointSource) -> Vec<StateChange> {
        let due: Vec<(Key, MetricAlarm, i64)> = {
            let inner = self.inner.read();
            inner
                .0
                .alarms
                .iter()
                .filter_map(|(k, a)| {
                    let p = i64::from(a.period.max(1)) * 1000;
                    let boundary = now.div_euclid(p) * p;
                    let last = inner.0.evaluated.get(k).copied();
                    (last.is_none_or(|l| l < boundary)).then(|| (k.clone(), a.clone(), boundary))
                })
                .collect()
        };
        let mut changes = Vec::new();
        let mut evaluated: Vec<(Key, i64)> = Vec::new();
        // Datapoints are read without locks, a batch at a time; each batch's transitions are
        // stored in one catalog transaction (a round where many alarms change state would
        // otherwise pay one commit per alarm).
        for batch in due.chunks(EVALUATION_BATCH) {
            let read: Vec<(&Key, &MetricAlarm, i64, MetricAlarmConfig, Vec<Datapoint>)> = batch
                .iter()
                .filter_map(|(key, alarm, boundary)| {
                    let config = alarm.config();
                    let (start, end) = evaluation_window(&config, now);
                    match source.datapoints(&key.0, &key.1, alarm, start, end) {
                        Ok(p) => Some((key, alarm, *boundary, config, p)),
                        Err(e) => {
                            tracing::warn!(alarm = %alarm.arn, error = %e, "alarm datapoints unavailable");
                            None
                        }
                    }
                })
                .collect();
            let _w = self.write.lock();
            let mut transitions = Vec::new();
            let mut done = Vec::with_capacity(read.len());
            for (key, alarm, boundary, config, points) in read {
                // The alarm may have changed or gone while the datapoints were read.
                let Some(state) = self
                    .inner
                    .read()
                    .0
                    .alarms
                    .get(key)
                    .filter(|c| c.configuration_updated_ms == alarm.configuration_updated_ms)
                    .map(MetricAlarm::state)
                else {
                    continue;
                };
                if let Evaluation::Transition(t) = evaluate(&config, state, &points, now) {
                    transitions.push((key.clone(), t.to, t.reason, Some(t.reason_data)));
                }
                done.push((key.clone(), boundary));
            }
            match self.change_states(transitions, now) {
                Ok(stored) => {
                    for change in stored {
                        let key: Key = (
                            change.account.clone(),
                            change.region.clone(),
                            change.name.clone(),
                        );
                        changes.push(change);
                        self.propagate(&key, now, &mut changes, 0);
                    }
                }
                Err(e) => {
                    // Nothing of this batch is recorded as evaluated: the next pass retries it.
                    tracing::warn!(error = %e, "alarm transitions not stored");
                    continue;
                }
            }
            let mut inner = self.inner.write();
            for (key, boundary) in done {
                inner.0.evaluated.insert(key.clone(), boundary);
                evaluated.push((key, boundary));
            }
        }
        if let Err(e) = self.persist_evaluated(&evaluated, &[]) {
            // Only costs one more evaluation of these alarms after a restart.
            tracing::warn!(error = %e, "evaluated period boundaries not stored");
        }
        changes
    }

    /// Records (and forgets) the period boundaries alarms were last evaluated at, in one
    /// transaction.
    pub(super) fn persist_evaluated(
        &self,
        set: &[(Key, i64)],
        forget: &[&Key],
    ) -> Result<(), AlarmsError> {
        if set.is_empty() && forget.is_empty() {
            return Ok(());
        }
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(EVALUATED).map_err(internal)?;
            for (k, boundary) in set {
                // An alarm deleted meanwhile leaves no row behind.
                if self.inner.read().0.alarms.contains_key(k) {
                    t.insert(alarm_key(k).as_str(), *boundary)
                        .map_err(internal)?;
                }
            }
            for k in forget {
                t.remove(alarm_key(k).as_str()).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
    }
}
