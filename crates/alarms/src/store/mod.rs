//! The alarm store: metric and composite alarms and their history per `(account, region)` in the
//! catalog, and the evaluation loop ([`AlarmStore::evaluate_due`]) that feeds the pure evaluator.
//!
//! Tables (JSON values): `alarms_metric` and `alarms_composite` keyed `account \n region \n name`,
//! `alarms_history` keyed `account \n region \n timestamp(20 digits) \n sequence(20 digits)`.
//! Every change (a configuration, a state transition and its history item) is one durable write
//! transaction. Composite alarms are re-evaluated whenever an alarm their rule references changes
//! state. History items older than two weeks are hidden from reads and deleted by
//! [`AlarmStore::run_retention`]. Alarm actions are not executed (no action targets exist in
//! this server yet); nothing is recorded for them.

mod composite;
mod model;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use openwatch_storage::{Catalog, Clock};
use parking_lot::{Mutex, RwLock};
use redb::{ReadableTable, TableDefinition};
use serde_json::{Value, json};

pub use composite::{CompositeAlarm, PutCompositeAlarm};
pub use model::{AlarmQuery, HistoryItem, HistoryItemType, MetricAlarm, PutMetricAlarm};

use crate::metric::{Datapoint, evaluate, evaluation_window};
use crate::rule::{AlarmRule, ChildState, evaluate_composite, find_cycle};
use crate::state::{AlarmState, Evaluation};
use crate::time::iso_time;

const ALARMS: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_metric");
const COMPOSITES: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_composite");
const HISTORY: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_history");

/// How long history items are kept (two weeks).
pub const HISTORY_RETENTION_MS: i64 = 14 * 86_400_000;

/// Errors of the alarm store, named after CloudWatch's error codes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlarmsError {
    #[error("{0}")]
    InvalidParameterValue(String),
    #[error("{0}")]
    InvalidParameterCombination(String),
    #[error("{0}")]
    MissingParameter(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    InvalidNextToken(String),
    #[error("{0}")]
    InvalidFormat(String),
    /// A rejected AlarmRule (`ValidationError`).
    #[error("{0}")]
    Validation(String),
    #[error("internal error: {0}")]
    Internal(String),
}

fn internal(e: impl std::fmt::Display) -> AlarmsError {
    AlarmsError::Internal(e.to_string())
}

/// Where evaluation reads an alarm's datapoints: one aggregated value per period in
/// `[start_ms, end_ms)` (the server implements it over the metrics engine).
pub trait DatapointSource {
    fn datapoints(
        &self,
        account: &str,
        region: &str,
        alarm: &MetricAlarm,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Datapoint>, String>;
}

/// An alarm's state at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct StateSnapshot {
    pub value: String,
    pub reason: String,
    pub reason_data: Option<String>,
    pub timestamp_ms: i64,
}

/// A stored state change, for the "CloudWatch Alarm State Change" event.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub account: String,
    pub region: String,
    pub name: String,
    pub arn: String,
    /// `MetricAlarm` or `CompositeAlarm`.
    pub alarm_type: &'static str,
    pub state: StateSnapshot,
    pub previous: StateSnapshot,
    /// The event's `configuration` member.
    pub configuration: Value,
}

fn state_json(s: &StateSnapshot) -> Value {
    let mut v =
        json!({"value": s.value, "reason": s.reason, "timestamp": iso_time(s.timestamp_ms)});
    if let Some(d) = &s.reason_data
        && let Some(obj) = v.as_object_mut()
    {
        obj.insert("reasonData".into(), Value::String(d.clone()));
    }
    v
}

fn dims_json(dims: &[(String, String)]) -> serde_json::Map<String, Value> {
    dims.iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

fn metric_configuration(a: &MetricAlarm) -> Value {
    if !a.metrics.is_empty() {
        let metrics: Vec<Value> = a
            .metrics
            .iter()
            .map(|q| {
                let mut m = match &q.expression {
                    Some(e) => json!({"id": q.id, "expression": e, "returnData": q.return_data}),
                    None => json!({"id": q.id, "returnData": q.return_data, "metricStat": {
                        "metric": {"namespace": q.namespace, "name": q.metric_name,
                                   "dimensions": dims_json(&q.dimensions)},
                        "period": q.period, "stat": q.stat}}),
                };
                if let (Some(l), Some(obj)) = (&q.label, m.as_object_mut()) {
                    obj.insert("label".into(), Value::String(l.clone()));
                }
                m
            })
            .collect();
        let mut c = json!({"metrics": metrics});
        if let (Some(d), Some(obj)) = (&a.description, c.as_object_mut()) {
            obj.insert("description".into(), Value::String(d.clone()));
        }
        return c;
    }
    let dims: serde_json::Map<String, Value> = a
        .dimensions
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut configuration = json!({
        "metrics": [{
            "id": format!("m-{}", a.name),
            "metricStat": {
                "metric": {"namespace": a.namespace, "name": a.metric_name, "dimensions": dims},
                "period": a.period,
                "stat": a.stat(),
            },
            "returnData": true,
        }]
    });
    if let (Some(d), Some(obj)) = (&a.description, configuration.as_object_mut()) {
        obj.insert("description".into(), Value::String(d.clone()));
    }
    configuration
}

fn composite_configuration(a: &CompositeAlarm) -> Value {
    let mut c = json!({"alarmRule": a.alarm_rule});
    if let Some(obj) = c.as_object_mut() {
        if let Some(d) = &a.description {
            obj.insert("description".into(), Value::String(d.clone()));
        }
        if let Some(s) = &a.actions_suppressor {
            obj.insert("actionsSuppressor".into(), Value::String(s.clone()));
            obj.insert(
                "actionsSuppressorWaitPeriod".into(),
                json!(a.actions_suppressor_wait_period),
            );
            obj.insert(
                "actionsSuppressorExtensionPeriod".into(),
                json!(a.actions_suppressor_extension_period),
            );
        }
    }
    c
}

impl StateChange {
    /// EventBridge `detail-type`.
    pub const DETAIL_TYPE: &'static str = "CloudWatch Alarm State Change";
    /// EventBridge `source`.
    pub const SOURCE: &'static str = "aws.cloudwatch";

    /// The event's `detail`, in the documented shape.
    pub fn event_detail(&self) -> Value {
        json!({
            "alarmName": self.name,
            "state": state_json(&self.state),
            "previousState": state_json(&self.previous),
            "configuration": self.configuration,
        })
    }
}

/// DescribeAlarmHistory's filters.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    pub alarm_name: Option<String>,
    pub item_type: Option<HistoryItemType>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// `TimestampAscending` when true (default descending).
    pub ascending: bool,
    /// `AlarmTypes`; empty means metric alarms only, as AWS defaults.
    pub alarm_types: Vec<String>,
    pub max_records: usize,
    pub next_token: Option<String>,
}

type Key = (String, String, String);

fn alarm_key(k: &Key) -> String {
    format!("{}\n{}\n{}", k.0, k.1, k.2)
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, AlarmsError> {
    serde_json::to_vec(v).map_err(internal)
}

#[derive(Default)]
struct Inner {
    alarms: BTreeMap<Key, MetricAlarm>,
    composites: BTreeMap<Key, CompositeAlarm>,
    /// The period boundary each alarm was last evaluated at (not persisted: after a restart
    /// every alarm is evaluated once more).
    evaluated: HashMap<Key, i64>,
}

/// Metric alarms and history of every `(account, region)`.
#[derive(Debug)]
pub struct AlarmStore {
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    inner: RwLock<InnerDebug>,
    seq: Mutex<u64>,
    /// Serialises changes so the catalog and memory change in the same order.
    write: Mutex<()>,
}

struct InnerDebug(Inner);

impl std::fmt::Debug for InnerDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("alarms", &self.0.alarms.len())
            .field("composites", &self.0.composites.len())
            .finish()
    }
}

/// One change written in one transaction.
struct Write<'a> {
    put: Option<(&'a Key, &'a MetricAlarm)>,
    put_composite: Option<(&'a Key, &'a CompositeAlarm)>,
    delete: Vec<&'a Key>,
    history: Vec<(&'a str, &'a str, HistoryItem)>,
}

impl AlarmStore {
    /// Opens the tables and loads every alarm.
    pub fn open(catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Result<Self, AlarmsError> {
        let db = catalog.db();
        let tx = db.begin_write().map_err(internal)?;
        {
            tx.open_table(ALARMS).map_err(internal)?;
            tx.open_table(HISTORY).map_err(internal)?;
            tx.open_table(COMPOSITES).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        let mut inner = Inner::default();
        let mut seq = 0u64;
        {
            let tx = db.begin_read().map_err(internal)?;
            let table = tx.open_table(ALARMS).map_err(internal)?;
            for row in table.iter().map_err(internal)? {
                let (k, v) = row.map_err(internal)?;
                let parts: Vec<&str> = k.value().splitn(3, '\n').collect();
                let [account, region, name] = parts[..] else {
                    return Err(internal("corrupt alarm key"));
                };
                let alarm: MetricAlarm = serde_json::from_slice(v.value()).map_err(internal)?;
                inner
                    .alarms
                    .insert((account.into(), region.into(), name.into()), alarm);
            }
            let table = tx.open_table(COMPOSITES).map_err(internal)?;
            for row in table.iter().map_err(internal)? {
                let (k, v) = row.map_err(internal)?;
                let parts: Vec<&str> = k.value().splitn(3, '\n').collect();
                let [account, region, name] = parts[..] else {
                    return Err(internal("corrupt composite alarm key"));
                };
                let alarm: CompositeAlarm = serde_json::from_slice(v.value()).map_err(internal)?;
                inner
                    .composites
                    .insert((account.into(), region.into(), name.into()), alarm);
            }
            let history = tx.open_table(HISTORY).map_err(internal)?;
            for row in history.iter().map_err(internal)? {
                let (k, _) = row.map_err(internal)?;
                if let Some(s) = k.value().rsplit('\n').next().and_then(|s| s.parse().ok()) {
                    seq = seq.max(s);
                }
            }
        }
        Ok(AlarmStore {
            catalog,
            clock,
            inner: RwLock::new(InnerDebug(inner)),
            seq: Mutex::new(seq),
            write: Mutex::new(()),
        })
    }

    fn commit(&self, w: Write<'_>) -> Result<(), AlarmsError> {
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut alarms = tx.open_table(ALARMS).map_err(internal)?;
            if let Some((k, a)) = w.put {
                alarms
                    .insert(alarm_key(k).as_str(), encode(a)?.as_slice())
                    .map_err(internal)?;
            }
            let mut composites = tx.open_table(COMPOSITES).map_err(internal)?;
            if let Some((k, a)) = w.put_composite {
                composites
                    .insert(alarm_key(k).as_str(), encode(a)?.as_slice())
                    .map_err(internal)?;
            }
            for k in w.delete {
                alarms.remove(alarm_key(k).as_str()).map_err(internal)?;
                composites.remove(alarm_key(k).as_str()).map_err(internal)?;
            }
            let mut history = tx.open_table(HISTORY).map_err(internal)?;
            for (account, region, item) in w.history {
                let seq = {
                    let mut s = self.seq.lock();
                    *s += 1;
                    *s
                };
                let key = format!(
                    "{account}\n{region}\n{:020}\n{seq:020}",
                    item.timestamp_ms.max(0)
                );
                history
                    .insert(key.as_str(), encode(&item)?.as_slice())
                    .map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
    }

    /// Records one history item (the server's alarm actions add `Action` items) in its own
    /// transaction.
    pub fn add_history(
        &self,
        account: &str,
        region: &str,
        item: HistoryItem,
    ) -> Result<(), AlarmsError> {
        let _w = self.write.lock();
        self.commit(Write {
            put: None,
            put_composite: None,
            delete: Vec::new(),
            history: vec![(account, region, item)],
        })
    }

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
        let existing = {
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
            configuration_updated_ms: now,
            state_value: AlarmState::InsufficientData.as_str().into(),
            state_reason: "Unchecked: Initial alarm creation".into(),
            state_reason_data: None,
            state_updated_ms: now,
            state_transitioned_ms: now,
        };
        let (kind, summary) = match &existing {
            Some(old) => {
                alarm.tags = old.tags.clone();
                alarm.state_value = old.state_value.clone();
                alarm.state_reason = old.state_reason.clone();
                alarm.state_reason_data = old.state_reason_data.clone();
                alarm.state_updated_ms = old.state_updated_ms;
                alarm.state_transitioned_ms = old.state_transitioned_ms;
                ("Update", format!("Alarm \"{}\" updated", alarm.name))
            }
            None => ("Create", format!("Alarm \"{}\" created", alarm.name)),
        };
        let data = match &existing {
            Some(old) => json!({"version": "1.0", "type": kind,
                "originalAlarm": config_json(old), "updatedAlarm": config_json(&alarm)}),
            None => json!({"version": "1.0", "type": kind, "createdAlarm": config_json(&alarm)}),
        };
        let item = HistoryItem {
            alarm_name: alarm.name.clone(),
            alarm_type: "MetricAlarm".into(),
            timestamp_ms: now,
            item_type: HistoryItemType::ConfigurationUpdate,
            summary,
            data: data.to_string(),
        };
        self.commit(Write {
            put: Some((&key, &alarm)),
            put_composite: None,
            delete: Vec::new(),
            history: vec![(account, region, item)],
        })?;
        let mut inner = self.inner.write();
        inner.0.evaluated.remove(&key);
        inner.0.alarms.insert(key, alarm);
        Ok(())
    }

    /// The alarms of `(account, region)`, by name.
    pub fn alarms(&self, account: &str, region: &str) -> Vec<MetricAlarm> {
        let start: Key = (account.into(), region.into(), String::new());
        self.inner
            .read()
            .0
            .alarms
            .range(start..)
            .take_while(|(k, _)| k.0 == account && k.1 == region)
            .map(|(_, a)| a.clone())
            .collect()
    }

    /// One alarm.
    pub fn alarm(&self, account: &str, region: &str, name: &str) -> Option<MetricAlarm> {
        let key: Key = (account.into(), region.into(), name.into());
        self.inner.read().0.alarms.get(&key).cloned()
    }

    /// The composite alarms of `(account, region)`, by name.
    pub fn composites(&self, account: &str, region: &str) -> Vec<CompositeAlarm> {
        let start: Key = (account.into(), region.into(), String::new());
        self.inner
            .read()
            .0
            .composites
            .range(start..)
            .take_while(|(k, _)| k.0 == account && k.1 == region)
            .map(|(_, a)| a.clone())
            .collect()
    }

    /// One composite alarm.
    pub fn composite(&self, account: &str, region: &str, name: &str) -> Option<CompositeAlarm> {
        let key: Key = (account.into(), region.into(), name.into());
        self.inner.read().0.composites.get(&key).cloned()
    }

    /// PutCompositeAlarm: creates (in INSUFFICIENT_DATA, then evaluated at once) or replaces a
    /// composite alarm. Returns the state changes the evaluation made.
    pub fn put_composite_alarm(
        &self,
        account: &str,
        region: &str,
        req: PutCompositeAlarm,
    ) -> Result<Vec<StateChange>, AlarmsError> {
        let rule = req.validate()?;
        let now = self.clock.now_millis();
        let _w = self.write.lock();
        let key: Key = (account.into(), region.into(), req.name.clone());
        let existing = {
            let inner = self.inner.read();
            if inner.0.alarms.contains_key(&key) {
                return Err(AlarmsError::InvalidParameterValue(format!(
                    "The alarm {} already exists as a metric alarm.",
                    req.name
                )));
            }
            let mut rules: BTreeMap<String, AlarmRule> = BTreeMap::new();
            let start: Key = (account.into(), region.into(), String::new());
            for (k, c) in inner
                .0
                .composites
                .range(start..)
                .take_while(|(k, _)| k.0 == account && k.1 == region)
            {
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
        };
        let summary = match &existing {
            Some(old) => {
                alarm.tags = old.tags.clone();
                alarm.state_value = old.state_value.clone();
                alarm.state_reason = old.state_reason.clone();
                alarm.state_reason_data = old.state_reason_data.clone();
                alarm.state_updated_ms = old.state_updated_ms;
                alarm.state_transitioned_ms = old.state_transitioned_ms;
                format!("Alarm \"{}\" updated", alarm.name)
            }
            None => format!("Alarm \"{}\" created", alarm.name),
        };
        let data = match &existing {
            Some(old) => json!({"version": "1.0", "type": "Update",
                "originalAlarm": composite_json(old), "updatedAlarm": composite_json(&alarm)}),
            None => {
                json!({"version": "1.0", "type": "Create", "createdAlarm": composite_json(&alarm)})
            }
        };
        let item = HistoryItem {
            alarm_name: alarm.name.clone(),
            alarm_type: "CompositeAlarm".into(),
            timestamp_ms: now,
            item_type: HistoryItemType::ConfigurationUpdate,
            summary,
            data: data.to_string(),
        };
        self.commit(Write {
            put: None,
            put_composite: Some((&key, &alarm)),
            delete: Vec::new(),
            history: vec![(account, region, item)],
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
        if let Some(a) = inner.0.alarms.get(&key) {
            return Some(ChildState {
                arn: a.arn.clone(),
                state: a.state(),
                changed_at_ms: a.state_transitioned_ms,
            });
        }
        inner.0.composites.get(&key).map(|a| ChildState {
            arn: a.arn.clone(),
            state: a.state(),
            changed_at_ms: a.state_transitioned_ms,
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
    fn propagate(&self, changed: &Key, now: i64, out: &mut Vec<StateChange>, depth: usize) {
        let parents: Vec<Key> = {
            let inner = self.inner.read();
            let start: Key = (changed.0.clone(), changed.1.clone(), String::new());
            inner
                .0
                .composites
                .range(start..)
                .take_while(|(k, _)| k.0 == changed.0 && k.1 == changed.1)
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
            put: None,
            put_composite: None,
            delete: keys.iter().collect(),
            history: Vec::new(),
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
                self.commit(Write {
                    put: Some((&key, &alarm)),
                    put_composite: None,
                    delete: Vec::new(),
                    history: Vec::new(),
                })?;
                self.inner.write().0.alarms.insert(key.clone(), alarm);
            }
            if let Some(mut alarm) = composite
                && alarm.actions_enabled != enabled
            {
                alarm.actions_enabled = enabled;
                self.commit(Write {
                    put: None,
                    put_composite: Some((&key, &alarm)),
                    delete: Vec::new(),
                    history: Vec::new(),
                })?;
                self.inner.write().0.composites.insert(key, alarm);
            }
        }
        Ok(())
    }

    /// Applies a metric alarm's state change (by SetAlarmState or evaluation) with its history
    /// item.
    fn change_state(
        &self,
        key: &Key,
        to: AlarmState,
        reason: String,
        reason_data: Option<String>,
        now: i64,
    ) -> Result<Option<StateChange>, AlarmsError> {
        let Some(mut alarm) = self.inner.read().0.alarms.get(key).cloned() else {
            return Err(AlarmsError::ResourceNotFound(format!(
                "Alarm {} not found",
                key.2
            )));
        };
        let applied = apply_state(
            StateFields {
                value: &mut alarm.state_value,
                reason: &mut alarm.state_reason,
                reason_data: &mut alarm.state_reason_data,
                updated_ms: &mut alarm.state_updated_ms,
                transitioned_ms: &mut alarm.state_transitioned_ms,
            },
            to,
            reason,
            reason_data,
            now,
        );
        let item = applied.history_item(&alarm.name, "MetricAlarm", now);
        self.commit(Write {
            put: Some((key, &alarm)),
            put_composite: None,
            delete: Vec::new(),
            history: vec![(&key.0, &key.1, item)],
        })?;
        let configuration = metric_configuration(&alarm);
        let change = applied.change(key, &alarm.arn, "MetricAlarm", configuration);
        self.inner.write().0.alarms.insert(key.clone(), alarm);
        Ok(change)
    }

    /// As [`Self::change_state`], for a composite alarm.
    fn change_composite_state(
        &self,
        key: &Key,
        to: AlarmState,
        reason: String,
        reason_data: Option<String>,
        now: i64,
    ) -> Result<Option<StateChange>, AlarmsError> {
        let Some(mut alarm) = self.inner.read().0.composites.get(key).cloned() else {
            return Err(AlarmsError::ResourceNotFound(format!(
                "Alarm {} not found",
                key.2
            )));
        };
        let applied = apply_state(
            StateFields {
                value: &mut alarm.state_value,
                reason: &mut alarm.state_reason,
                reason_data: &mut alarm.state_reason_data,
                updated_ms: &mut alarm.state_updated_ms,
                transitioned_ms: &mut alarm.state_transitioned_ms,
            },
            to,
            reason,
            reason_data,
            now,
        );
        let item = applied.history_item(&alarm.name, "CompositeAlarm", now);
        self.commit(Write {
            put: None,
            put_composite: Some((key, &alarm)),
            delete: Vec::new(),
            history: vec![(&key.0, &key.1, item)],
        })?;
        let configuration = composite_configuration(&alarm);
        let change = applied.change(key, &alarm.arn, "CompositeAlarm", configuration);
        self.inner.write().0.composites.insert(key.clone(), alarm);
        Ok(change)
    }

    /// SetAlarmState (metric or composite alarm): sets the state until the next evaluation.
    /// Returns the changes made (this alarm's, when the value differs, and its parents').
    pub fn set_alarm_state(
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
            return Err(AlarmsError::ResourceNotFound(format!(
                "Alarm {name} not found"
            )));
        };
        let mut changes = Vec::new();
        if let Some(c) = change {
            changes.push(c);
            self.propagate(&key, now, &mut changes, 0);
        }
        Ok(changes)
    }

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

    /// DescribeAlarmHistory for `(account, region)`.
    pub fn history(
        &self,
        account: &str,
        region: &str,
        q: &HistoryQuery,
    ) -> Result<(Vec<HistoryItem>, Option<String>), AlarmsError> {
        let offset: usize = match &q.next_token {
            Some(t) => t.parse().map_err(|_| {
                AlarmsError::InvalidNextToken("The service cannot find the token.".into())
            })?,
            None => 0,
        };
        let cutoff = self.clock.now_millis() - HISTORY_RETENTION_MS;
        let prefix = format!("{account}\n{region}\n");
        let lo = format!("{prefix}{:020}", cutoff.max(q.start_ms.unwrap_or(0)).max(0));
        let hi = format!("{prefix}~");
        let mut items = Vec::new();
        {
            let tx = self.catalog.db().begin_read().map_err(internal)?;
            let table = tx.open_table(HISTORY).map_err(internal)?;
            for row in table.range(lo.as_str()..hi.as_str()).map_err(internal)? {
                let (_, v) = row.map_err(internal)?;
                let item: HistoryItem = serde_json::from_slice(v.value()).map_err(internal)?;
                let type_wanted = if q.alarm_types.is_empty() {
                    item.alarm_type == "MetricAlarm"
                } else {
                    q.alarm_types.contains(&item.alarm_type)
                };
                if !type_wanted
                    || q.end_ms.is_some_and(|e| item.timestamp_ms > e)
                    || q.alarm_name.as_ref().is_some_and(|n| *n != item.alarm_name)
                    || q.item_type.is_some_and(|t| t != item.item_type)
                {
                    continue;
                }
                items.push(item);
            }
        }
        if !q.ascending {
            items.reverse();
        }
        let max = q.max_records.clamp(1, 100);
        if offset > items.len() {
            return Err(AlarmsError::InvalidNextToken(
                "The service cannot find the token.".into(),
            ));
        }
        let page: Vec<HistoryItem> = items.iter().skip(offset).take(max).cloned().collect();
        let next = (offset + page.len() < items.len()).then(|| (offset + page.len()).to_string());
        Ok((page, next))
    }

    /// Deletes history items older than two weeks. Returns how many were deleted.
    pub fn run_retention(&self) -> Result<usize, AlarmsError> {
        let cutoff = self.clock.now_millis() - HISTORY_RETENTION_MS;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        let mut deleted = 0;
        {
            let mut table = tx.open_table(HISTORY).map_err(internal)?;
            let mut old = Vec::new();
            for row in table.iter().map_err(internal)? {
                let (k, _) = row.map_err(internal)?;
                let key = k.value().to_owned();
                let ts = key.split('\n').nth(2).and_then(|t| t.parse::<i64>().ok());
                if ts.is_some_and(|t| t < cutoff) {
                    old.push(key);
                }
            }
            for k in old {
                table.remove(k.as_str()).map_err(internal)?;
                deleted += 1;
            }
        }
        tx.commit().map_err(internal)?;
        Ok(deleted)
    }
}

fn config_json(a: &MetricAlarm) -> Value {
    json!({
        "namespace": a.namespace,
        "metricName": a.metric_name,
        "dimensions": a.dimensions.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
        "statistic": a.statistic,
        "extendedStatistic": a.extended_statistic,
        "period": a.period,
        "evaluationPeriods": a.evaluation_periods,
        "datapointsToAlarm": a.datapoints_to_alarm,
        "threshold": a.threshold,
        "comparisonOperator": a.comparison_operator,
        "treatMissingData": a.treat_missing_data,
        "actionsEnabled": a.actions_enabled,
        "alarmActions": a.alarm_actions,
        "okActions": a.ok_actions,
        "insufficientDataActions": a.insufficient_data_actions,
        "alarmName": a.name,
        "alarmArn": a.arn,
        "alarmDescription": a.description,
    })
}

fn composite_json(a: &CompositeAlarm) -> Value {
    json!({
        "alarmName": a.name,
        "alarmArn": a.arn,
        "alarmDescription": a.description,
        "alarmRule": a.alarm_rule,
        "actionsEnabled": a.actions_enabled,
        "alarmActions": a.alarm_actions,
        "okActions": a.ok_actions,
        "insufficientDataActions": a.insufficient_data_actions,
        "actionsSuppressor": a.actions_suppressor,
        "actionsSuppressorWaitPeriod": a.actions_suppressor_wait_period,
        "actionsSuppressorExtensionPeriod": a.actions_suppressor_extension_period,
    })
}

/// The state members of an alarm record.
struct StateFields<'a> {
    value: &'a mut String,
    reason: &'a mut String,
    reason_data: &'a mut Option<String>,
    updated_ms: &'a mut i64,
    transitioned_ms: &'a mut i64,
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
    };
    let changed = previous.value != to.as_str();
    *f.value = to.as_str().into();
    f.reason.clone_from(&reason);
    f.reason_data.clone_from(&reason_data);
    *f.updated_ms = now;
    if changed {
        *f.transitioned_ms = now;
    }
    Applied {
        previous,
        state: StateSnapshot {
            value: to.as_str().into(),
            reason,
            reason_data,
            timestamp_ms: now,
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
