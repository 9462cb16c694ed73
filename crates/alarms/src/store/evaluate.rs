//! The evaluation loop: [`AlarmStore::evaluate_due`] runs every due metric alarm through the
//! pure evaluator.

use super::*;

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
        for (key, alarm, boundary) in due {
            let config = alarm.config();
            let (start, end) = evaluation_window(&config, now);
            let points = match source.datapoints(&key.0, &key.1, &alarm, start, end) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(alarm = %alarm.arn, error = %e, "alarm datapoints unavailable");
                    continue;
                }
            };
            let _w = self.write.lock();
            // The alarm may have changed or gone while the datapoints were read.
            let Some(current) = self.inner.read().0.alarms.get(&key).cloned() else {
                continue;
            };
            if current.configuration_updated_ms != alarm.configuration_updated_ms {
                continue;
            }
            self.inner.write().0.evaluated.insert(key.clone(), boundary);
            if let Evaluation::Transition(t) = evaluate(&config, current.state(), &points, now) {
                match self.change_state(&key, t.to, t.reason, Some(t.reason_data), now) {
                    Ok(Some(change)) => {
                        changes.push(change);
                        self.propagate(&key, now, &mut changes, 0);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(alarm = %alarm.arn, error = %e, "alarm transition not stored");
                        self.inner.write().0.evaluated.remove(&key);
                    }
                }
            }
        }
        changes
    }
}
