//! Metric alarms: PutMetricAlarm, their reads, DeleteAlarms and Enable/DisableAlarmActions.

use super::*;

impl AlarmStore {
    /// PutMetricAlarm: creates the alarm (in INSUFFICIENT_DATA) or replaces its configuration
    /// (keeping state and tags).
    pub fn put_metric_alarm(
        &self,
        account: &str,
        region: &str,
        req: PutMetricAlarm,
    ) -> Result<(), AlarmsError> {
        let period = req.validate()?;
        let now = self.clock.now_millis();
        let _w = self.write.lock();
        let key: Key = (account.into(), region.into(), req.name.clone());
        let mut existing = {
            let inner = self.inner.read();
            if inner.0.composites.contains_key(&key) {
                return Err(AlarmsError::InvalidParameterValue(format!(
                    "The alarm {} already exists as a composite alarm.",
                    req.name
                )));
            }
            inner.0.alarms.get(&key).cloned()
        };
        let mut alarm = MetricAlarm {
            arn: format!("arn:aws:cloudwatch:{region}:{account}:alarm:{}", req.name),
            name: req.name.clone(),
            description: req.description,
            actions_enabled: req.actions_enabled.unwrap_or(true),
            ok_actions: req.ok_actions,
            alarm_actions: req.alarm_actions,
            insufficient_data_actions: req.insufficient_data_actions,
            namespace: req.namespace.unwrap_or_default(),
            metric_name: req.metric_name.unwrap_or_default(),
            dimensions: req.dimensions,
            statistic: req.statistic,
            extended_statistic: req.extended_statistic,
            period: u32::try_from(period).unwrap_or(60),
            evaluation_periods: u32::try_from(req.evaluation_periods.unwrap_or(1)).unwrap_or(1),
            datapoints_to_alarm: req.datapoints_to_alarm.and_then(|m| u32::try_from(m).ok()),
            threshold: req.threshold.unwrap_or_default(),
            comparison_operator: req.comparison_operator.unwrap_or_default(),
            treat_missing_data: req.treat_missing_data,
            evaluate_low_sample_count_percentile: req.evaluate_low_sample_count_percentile,
            unit: req.unit,
            tags: req.tags,
            metrics: req.metrics,
            threshold_metric_id: req.threshold_metric_id,
            configuration_updated_ms: now,
            state_value: AlarmState::InsufficientData.as_str().into(),
            state_reason: "Unchecked: Initial alarm creation".into(),
            state_reason_data: None,
            state_updated_ms: now,
            state_transitioned_ms: now,
            previous_state_value: None,
        };
        if let Some(old) = existing.as_mut() {
            alarm.tags = old.tags.clone();
            state::keep_state(state::state_fields!(alarm), state::state_fields!(old));
        }
        let item = history::configuration_item(
            &alarm.name,
            "MetricAlarm",
            now,
            existing.as_ref().map(config_json),
            config_json(&alarm),
        );
        self.commit(Write {
            puts: vec![(&key, &alarm)],
            history: vec![(account, region, item)],
            ..Write::default()
        })?;
        {
            let mut inner = self.inner.write();
            inner.0.evaluated.remove(&key);
            inner.0.alarms.insert(key.clone(), alarm);
        }
        // A new configuration is evaluated at the next check (at worst, after a crash here,
        // at the next period boundary).
        self.persist_evaluated(&[], &[&key])
    }

    /// The alarms of `(account, region)`, by name.
    pub fn alarms(&self, account: &str, region: &str) -> Vec<MetricAlarm> {
        in_region(&self.inner.read().0.alarms, account, region)
    }

    /// One alarm.
    pub fn alarm(&self, account: &str, region: &str, name: &str) -> Option<MetricAlarm> {
        named(&self.inner.read().0.alarms, account, region, name)
    }

    /// DeleteAlarms: all named alarms or none (`ResourceNotFound` names the missing ones).
    pub fn delete_alarms(
        &self,
        account: &str,
        region: &str,
        names: &[String],
    ) -> Result<(), AlarmsError> {
        let _w = self.write.lock();
        let keys: Vec<Key> = names
            .iter()
            .map(|n| (account.to_owned(), region.to_owned(), n.clone()))
            .collect();
        {
            let inner = self.inner.read();
            let missing: Vec<&str> = keys
                .iter()
                .filter(|k| {
                    !inner.0.alarms.contains_key(*k) && !inner.0.composites.contains_key(*k)
                })
                .map(|k| k.2.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(AlarmsError::ResourceNotFound(format!(
                    "{} alarm(s) not found: [{}]",
                    missing.len(),
                    missing.join(", ")
                )));
            }
        }
        self.commit(Write {
            delete: keys.iter().collect(),
            ..Write::default()
        })?;
        let mut inner = self.inner.write();
        for k in &keys {
            inner.0.alarms.remove(k);
            inner.0.composites.remove(k);
            inner.0.evaluated.remove(k);
        }
        Ok(())
    }

    /// EnableAlarmActions / DisableAlarmActions: unknown names are ignored, as in AWS.
    pub fn set_actions_enabled(
        &self,
        account: &str,
        region: &str,
        names: &[String],
        enabled: bool,
    ) -> Result<(), AlarmsError> {
        let _w = self.write.lock();
        for name in names {
            let key: Key = (account.into(), region.into(), name.clone());
            let (metric, composite) = {
                let inner = self.inner.read();
                (
                    inner.0.alarms.get(&key).cloned(),
                    inner.0.composites.get(&key).cloned(),
                )
            };
            if let Some(mut alarm) = metric
                && alarm.actions_enabled != enabled
            {
                alarm.actions_enabled = enabled;
                self.store_alarm(&key, alarm)?;
            }
            if let Some(mut alarm) = composite
                && alarm.actions_enabled != enabled
            {
                alarm.actions_enabled = enabled;
                self.store_composite(&key, alarm)?;
            }
        }
        Ok(())
    }
}
