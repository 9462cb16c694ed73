//! The alarm store: metric and composite alarms and their history per `(account, region)` in the
//! catalog, and the evaluation loop ([`AlarmStore::evaluate_due`]) that feeds the pure evaluator.
//!
//! Tables (JSON values): `alarms_metric` and `alarms_composite` keyed `account \n region \n name`,
//! `alarms_history` keyed `account \n region \n timestamp(20 digits) \n sequence(20 digits)`.
//! Every change (a configuration, a state transition and its history item) is one durable write
//! transaction. Composite alarms are re-evaluated whenever an alarm their rule references changes
//! state. History items older than two weeks are hidden from reads and deleted by
//! [`AlarmStore::run_retention`]. `alarms_evaluated` keeps the period boundary each metric alarm
//! was last evaluated at, so a restart neither re-evaluates nor skips a period. Alarm actions
//! run outside this crate: the state changes of calls (SetAlarmState, PutCompositeAlarm) go to
//! the registered [`AlarmActions`], and the evaluation job runs those it gets back;
//! [`AlarmStore::composite_actions_suppressed`] decides (and records) composite suppression and
//! [`AlarmStore::release_suppressed`] hands back actions whose wait or extension period ended.

mod actions;
mod checks;
mod composite;
mod composite_ops;
mod evaluate;
mod history;
mod metric;
mod model;
mod state;
mod suppression;
mod tags;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use openwatch_storage::catalog::{encode_record, load_records, record_key};
use openwatch_storage::{Catalog, Clock};
use parking_lot::{Mutex, RwLock};
use redb::{ReadableTable, TableDefinition};
use serde_json::{Value, json};

pub use actions::AlarmActions;
pub use composite::{CompositeAlarm, PendingActions, PutCompositeAlarm};
pub use model::{AlarmQuery, HistoryItem, HistoryItemType, MetricAlarm, PutMetricAlarm};
pub use tags::{MAX_TAGS, check_tags};

use crate::metric::{Datapoint, evaluate, evaluation_window};
use crate::rule::{AlarmRule, ChildState, evaluate_composite, find_cycle};
use crate::state::{AlarmState, Evaluation};
use crate::time::iso_time;

const ALARMS: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_metric");
const COMPOSITES: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_composite");
const HISTORY: TableDefinition<&str, &[u8]> = TableDefinition::new("alarms_history");
/// `account \n region \n name` → the period boundary (epoch ms) last evaluated.
const EVALUATED: TableDefinition<&str, i64> = TableDefinition::new("alarms_evaluated");

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
    /// `ResourceNotFoundException` (the tagging operations' shape).
    #[error("{0}")]
    ResourceNotFoundException(String),
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
    /// For a composite alarm whose actions were held back in this state: `WaitPeriod`,
    /// `ExtensionPeriod` or `Alarm` (the event's `actionsSuppressedBy`).
    pub actions_suppressed_by: Option<String>,
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
    if let Some(obj) = v.as_object_mut() {
        if let Some(d) = &s.reason_data {
            obj.insert("reasonData".into(), Value::String(d.clone()));
        }
        if let Some(by) = &s.actions_suppressed_by {
            obj.insert("actionsSuppressedBy".into(), Value::String(by.clone()));
            obj.insert(
                "actionsSuppressedReason".into(),
                Value::String(format!("Actions suppressed by {by}")),
            );
        }
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
    record_key(&[&k.0, &k.1, &k.2])
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, AlarmsError> {
    encode_record(v).map_err(internal)
}

/// The entries of a `Key`-keyed map in one `(account, region)`, in name order.
fn region_entries<'a, V>(
    map: &'a BTreeMap<Key, V>,
    account: &'a str,
    region: &'a str,
) -> impl Iterator<Item = (&'a Key, &'a V)> {
    let start: Key = (account.into(), region.into(), String::new());
    map.range(start..)
        .take_while(move |(k, _)| k.0 == account && k.1 == region)
}

/// The values of a `Key`-keyed map in one `(account, region)`, in name order.
fn in_region<V: Clone>(map: &BTreeMap<Key, V>, account: &str, region: &str) -> Vec<V> {
    region_entries(map, account, region)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The value of a `Key`-keyed map for one name.
fn named<V: Clone>(map: &BTreeMap<Key, V>, account: &str, region: &str, name: &str) -> Option<V> {
    map.get(&(account.into(), region.into(), name.into()))
        .cloned()
}

#[derive(Default)]
struct Inner {
    alarms: BTreeMap<Key, MetricAlarm>,
    composites: BTreeMap<Key, CompositeAlarm>,
    /// The period boundary each alarm was last evaluated at (persisted in `alarms_evaluated`).
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
    /// Runs the actions of state changes made by calls (set by the server).
    actions: RwLock<Option<Arc<dyn AlarmActions>>>,
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
#[derive(Default)]
struct Write<'a> {
    puts: Vec<(&'a Key, &'a MetricAlarm)>,
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
            tx.open_table(EVALUATED).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        let mut inner = Inner::default();
        let mut seq = 0u64;
        {
            let tx = db.begin_read().map_err(internal)?;
            let keyed = |[account, region, name]: [String; 3]| (account, region, name);
            inner.alarms = load_records(&tx, ALARMS, "alarm")
                .map_err(internal)?
                .into_iter()
                .map(|(k, a)| (keyed(k), a))
                .collect();
            inner.composites = load_records(&tx, COMPOSITES, "composite alarm")
                .map_err(internal)?
                .into_iter()
                .map(|(k, a)| (keyed(k), a))
                .collect();
            let evaluated = tx.open_table(EVALUATED).map_err(internal)?;
            for row in evaluated.iter().map_err(internal)? {
                let (k, v) = row.map_err(internal)?;
                let parts: Vec<&str> = k.value().splitn(3, '\n').collect();
                if let [account, region, name] = parts[..] {
                    inner
                        .evaluated
                        .insert((account.into(), region.into(), name.into()), v.value());
                }
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
            actions: RwLock::new(None),
        })
    }

    /// Stores one metric alarm record, in the catalog then in memory. The caller holds `write`.
    fn store_alarm(&self, key: &Key, alarm: MetricAlarm) -> Result<(), AlarmsError> {
        self.commit(Write {
            puts: vec![(key, &alarm)],
            ..Write::default()
        })?;
        self.inner.write().0.alarms.insert(key.clone(), alarm);
        Ok(())
    }

    /// As [`Self::store_alarm`], for a composite alarm record.
    fn store_composite(&self, key: &Key, alarm: CompositeAlarm) -> Result<(), AlarmsError> {
        self.commit(Write {
            put_composite: Some((key, &alarm)),
            ..Write::default()
        })?;
        self.inner.write().0.composites.insert(key.clone(), alarm);
        Ok(())
    }

    fn commit(&self, w: Write<'_>) -> Result<(), AlarmsError> {
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut alarms = tx.open_table(ALARMS).map_err(internal)?;
            for (k, a) in w.puts {
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
            let mut evaluated = tx.open_table(EVALUATED).map_err(internal)?;
            for k in w.delete {
                alarms.remove(alarm_key(k).as_str()).map_err(internal)?;
                composites.remove(alarm_key(k).as_str()).map_err(internal)?;
                evaluated.remove(alarm_key(k).as_str()).map_err(internal)?;
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
