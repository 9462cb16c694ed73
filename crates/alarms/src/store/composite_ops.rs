//! Composite alarms: PutCompositeAlarm, their reads, and re-evaluation of a composite when a
//! child alarm changes state.

use super::*;

impl AlarmStore {
    /// The composite alarms of `(account, region)`, by name.
    pub fn composites(&self, account: &str, region: &str) -> Vec<CompositeAlarm> {
        in_region(&self.inner.read().0.composites, account, region)
    }

    /// One composite alarm.
    pub fn composite(&self, account: &str, region: &str, name: &str) -> Option<CompositeAlarm> {
        named(&self.inner.read().0.composites, account, region, name)
    }

    /// PutCompositeAlarm: creates (in INSUFFICIENT_DATA, then evaluated at once) or replaces a
    /// composite alarm. Returns the state changes the evaluation made (their actions handed to
    /// the registered [`AlarmActions`]).
    pub fn put_composite_alarm(
        &self,
        account: &str,
        region: &str,
        req: PutCompositeAlarm,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let changes = self.put_composite_stored(account, region, req)?;
        self.dispatch_actions(&changes);
        Ok(changes)
    }

    fn put_composite_stored(
        &self,
        account: &str,
        region: &str,
        req: PutCompositeAlarm,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let rule = req.validate()?;
        let now = self.clock.now_millis();
        let _w = self.write.lock();
        let key: Key = (account.into(), region.into(), req.name.clone());
        let mut existing = {
            let inner = self.inner.read();
            if inner.0.alarms.contains_key(&key) {
                return Err(AlarmsError::InvalidParameterValue(format!(
                    "The alarm {} already exists as a metric alarm.",
                    req.name
                )));
            }
            let mut rules: BTreeMap<String, AlarmRule> = BTreeMap::new();
            for (k, c) in region_entries(&inner.0.composites, account, region) {
                if let Some(r) = c.rule() {
                    rules.insert(k.2.clone(), r);
                }
            }
            rules.insert(req.name.clone(), rule.clone());
            if let Some(cycle) = find_cycle(&rules) {
                return Err(AlarmsError::Validation(format!(
                    "AlarmRule creates a cycle between composite alarms: {}",
                    cycle.join(" -> ")
                )));
            }
            inner.0.composites.get(&key).cloned()
        };
        let mut alarm = CompositeAlarm {
            arn: format!("arn:aws:cloudwatch:{region}:{account}:alarm:{}", req.name),
            name: req.name.clone(),
            description: req.description,
            actions_enabled: req.actions_enabled.unwrap_or(true),
            ok_actions: req.ok_actions,
            alarm_actions: req.alarm_actions,
            insufficient_data_actions: req.insufficient_data_actions,
            alarm_rule: req.alarm_rule.unwrap_or_default(),
            actions_suppressor: req.actions_suppressor,
            actions_suppressor_wait_period: req
                .actions_suppressor_wait_period
                .and_then(|v| u32::try_from(v).ok()),
            actions_suppressor_extension_period: req
                .actions_suppressor_extension_period
                .and_then(|v| u32::try_from(v).ok()),
            tags: req.tags,
            configuration_updated_ms: now,
            state_value: AlarmState::InsufficientData.as_str().into(),
            state_reason: "Unchecked: Initial alarm creation".into(),
            state_reason_data: None,
            state_updated_ms: now,
            state_transitioned_ms: now,
            previous_state_value: None,
            pending_actions: None,
        };
        if let Some(old) = existing.as_mut() {
            alarm.tags = old.tags.clone();
            state::keep_state(state::state_fields!(alarm), state::state_fields!(old));
            alarm.pending_actions = old.pending_actions.clone();
        }
        let item = history::configuration_item(
            &alarm.name,
            "CompositeAlarm",
            now,
            existing.as_ref().map(composite_json),
            composite_json(&alarm),
        );
        self.commit(Write {
            put_composite: Some((&key, &alarm)),
            history: vec![(account, region, item)],
            ..Write::default()
        })?;
        self.inner.write().0.composites.insert(key.clone(), alarm);
        let mut changes = Vec::new();
        self.evaluate_composite_alarm(&key, now, &mut changes, 0);
        Ok(changes)
    }

    /// What a composite alarm sees of the alarm named `name`.
    fn child_state(&self, account: &str, region: &str, name: &str) -> Option<ChildState> {
        let key: Key = (account.into(), region.into(), name.into());
        let inner = self.inner.read();
        let (arn, state, changed_at_ms) = match inner.0.alarms.get(&key) {
            Some(a) => (&a.arn, a.state(), a.state_transitioned_ms),
            None => {
                let a = inner.0.composites.get(&key)?;
                (&a.arn, a.state(), a.state_transitioned_ms)
            }
        };
        Some(ChildState {
            arn: arn.clone(),
            state,
            changed_at_ms,
        })
    }

    /// Re-evaluates one composite alarm, storing a transition and propagating it to parents.
    fn evaluate_composite_alarm(
        &self,
        key: &Key,
        now: i64,
        out: &mut Vec<StateChange>,
        depth: usize,
    ) {
        if depth > crate::rule::MAX_CHILDREN {
            return;
        }
        let Some(alarm) = self.inner.read().0.composites.get(key).cloned() else {
            return;
        };
        let Some(rule) = alarm.rule() else {
            return;
        };
        let evaluation = evaluate_composite(&rule, alarm.state(), &|name| {
            self.child_state(&key.0, &key.1, name)
        });
        if let Evaluation::Transition(t) = evaluation {
            match self.change_composite_state(key, t.to, t.reason, Some(t.reason_data), now) {
                Ok(Some(change)) => {
                    out.push(change);
                    self.propagate(key, now, out, depth + 1);
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(alarm = %alarm.arn, error = %e, "composite transition not stored");
                }
            }
        }
    }

    /// Re-evaluates the composite alarms whose rule references the alarm `changed`.
    pub(super) fn propagate(
        &self,
        changed: &Key,
        now: i64,
        out: &mut Vec<StateChange>,
        depth: usize,
    ) {
        let parents: Vec<Key> = {
            let inner = self.inner.read();
            region_entries(&inner.0.composites, &changed.0, &changed.1)
                .filter(|(_, c)| {
                    c.rule()
                        .is_some_and(|r| r.child_names().contains(&changed.2.as_str()))
                })
                .map(|(k, _)| k.clone())
                .collect()
        };
        for parent in parents {
            self.evaluate_composite_alarm(&parent, now, out, depth);
        }
    }
}
