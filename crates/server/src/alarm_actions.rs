//! Alarm actions: on a state transition of an alarm whose actions are enabled, every action ARN
//! of the new state (AlarmActions / OKActions / InsufficientDataActions) that is an SNS topic of
//! the alarm's account gets CloudWatch's alarm notification, published through `Sns::publish`.
//! Each attempt becomes an `Action` history item (succeeded or failed). Other action kinds
//! (Auto Scaling, EC2, Systems Manager, Lambda…) have no target on this server: they are recorded
//! as failed `Action` items.
//!
//! A composite alarm's actions are held back while its `ActionsSuppressor` suppresses them
//! (suppressor in ALARM, or inside its wait or extension period); the alarms domain records them
//! and `crate::alarm_link::release_suppressed` runs them once the period ends.

use openwatch_alarms::store::{AlarmStore, HistoryItem, HistoryItemType, StateChange};
use openwatch_sns::{PublishRequest, Sns, parse_topic_arn};
use serde_json::{Value, json};

/// The name CloudWatch gives a region in notifications (its code when unknown).
pub fn region_name(region: &str) -> &str {
    match region {
        "us-east-1" => "US East (N. Virginia)",
        "us-east-2" => "US East (Ohio)",
        "us-west-1" => "US West (N. California)",
        "us-west-2" => "US West (Oregon)",
        "ca-central-1" => "Canada (Central)",
        "sa-east-1" => "South America (Sao Paulo)",
        "eu-west-1" => "EU (Ireland)",
        "eu-west-2" => "EU (London)",
        "eu-west-3" => "EU (Paris)",
        "eu-central-1" => "EU (Frankfurt)",
        "eu-north-1" => "EU (Stockholm)",
        "eu-south-1" => "EU (Milan)",
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-2" => "Asia Pacific (Seoul)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "ap-south-1" => "Asia Pacific (Mumbai)",
        "ap-east-1" => "Asia Pacific (Hong Kong)",
        "me-south-1" => "Middle East (Bahrain)",
        "af-south-1" => "Africa (Cape Town)",
        other => other,
    }
}

/// CloudWatch's notification time format: `2021-02-15T14:57:14.419+0000`.
fn notification_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string())
        .unwrap_or_default()
}

fn dims(d: &[(String, String)]) -> Value {
    Value::Array(
        d.iter()
            .map(|(n, v)| json!({"value": v, "name": n}))
            .collect(),
    )
}

/// The alarm's actions for its new state, whether they run, and the notification body.
struct Plan {
    actions: Vec<String>,
    message: Value,
}

fn plan(alarms: &AlarmStore, change: &StateChange) -> Option<Plan> {
    let (acct, region, name) = (&change.account, &change.region, &change.name);
    let pick = |ok: &[String], alarm: &[String], insufficient: &[String]| -> Vec<String> {
        match change.state.value.as_str() {
            "ALARM" => alarm.to_vec(),
            "OK" => ok.to_vec(),
            _ => insufficient.to_vec(),
        }
    };
    let mut message = json!({
        "AlarmName": name,
        "AlarmDescription": Value::Null,
        "AWSAccountId": acct,
        "AlarmConfigurationUpdatedTimestamp": Value::Null,
        "NewStateValue": change.state.value,
        "NewStateReason": change.state.reason,
        "StateChangeTime": notification_time(change.state.timestamp_ms),
        "Region": region_name(region),
        "AlarmArn": change.arn,
        "OldStateValue": change.previous.value,
    });
    let obj = message.as_object_mut()?;
    let actions = if change.alarm_type == "CompositeAlarm" {
        let a = alarms.composite(acct, region, name)?;
        if !a.actions_enabled || composite_suppressed(alarms, change, &a) {
            return None;
        }
        obj.insert("AlarmDescription".into(), json!(a.description));
        obj.insert(
            "AlarmConfigurationUpdatedTimestamp".into(),
            json!(notification_time(a.configuration_updated_ms)),
        );
        obj.insert("AlarmRule".into(), json!(a.alarm_rule));
        obj.insert("OKActions".into(), json!(a.ok_actions));
        obj.insert("AlarmActions".into(), json!(a.alarm_actions));
        obj.insert(
            "InsufficientDataActions".into(),
            json!(a.insufficient_data_actions),
        );
        pick(
            &a.ok_actions,
            &a.alarm_actions,
            &a.insufficient_data_actions,
        )
    } else {
        let a = alarms.alarm(acct, region, name)?;
        if !a.actions_enabled {
            return None;
        }
        obj.insert("AlarmDescription".into(), json!(a.description));
        obj.insert(
            "AlarmConfigurationUpdatedTimestamp".into(),
            json!(notification_time(a.configuration_updated_ms)),
        );
        obj.insert("OKActions".into(), json!(a.ok_actions));
        obj.insert("AlarmActions".into(), json!(a.alarm_actions));
        obj.insert(
            "InsufficientDataActions".into(),
            json!(a.insufficient_data_actions),
        );
        let mut trigger = serde_json::Map::new();
        if a.metrics.is_empty() {
            trigger.insert("MetricName".into(), json!(a.metric_name));
            trigger.insert("Namespace".into(), json!(a.namespace));
            match (&a.statistic, &a.extended_statistic) {
                (Some(s), _) => {
                    trigger.insert("StatisticType".into(), json!("Statistic"));
                    trigger.insert("Statistic".into(), json!(s.to_ascii_uppercase()));
                }
                (None, Some(e)) => {
                    trigger.insert("StatisticType".into(), json!("ExtendedStatistic"));
                    trigger.insert("ExtendedStatistic".into(), json!(e));
                }
                (None, None) => {}
            }
            trigger.insert("Unit".into(), json!(a.unit));
            trigger.insert("Dimensions".into(), dims(&a.dimensions));
            trigger.insert("Period".into(), json!(a.period));
        } else {
            let metrics: Vec<Value> = a
                .metrics
                .iter()
                .map(|q| {
                    let mut m = json!({"Id": q.id, "ReturnData": q.return_data});
                    if let Some(o) = m.as_object_mut() {
                        if let Some(l) = &q.label {
                            o.insert("Label".into(), json!(l));
                        }
                        match &q.expression {
                            Some(e) => {
                                o.insert("Expression".into(), json!(e));
                            }
                            None => {
                                o.insert(
                                    "MetricStat".into(),
                                    json!({
                                        "Metric": {
                                            "Dimensions": dims(&q.dimensions),
                                            "MetricName": q.metric_name,
                                            "Namespace": q.namespace,
                                        },
                                        "Period": q.period,
                                        "Stat": q.stat,
                                        "Unit": q.unit,
                                    }),
                                );
                            }
                        }
                    }
                    m
                })
                .collect();
            trigger.insert("Metrics".into(), Value::Array(metrics));
            trigger.insert("Period".into(), json!(a.period));
        }
        trigger.insert("EvaluationPeriods".into(), json!(a.evaluation_periods));
        if let Some(d) = a.datapoints_to_alarm {
            trigger.insert("DatapointsToAlarm".into(), json!(d));
        }
        trigger.insert("ComparisonOperator".into(), json!(a.comparison_operator));
        // An anomaly-detection alarm has no Threshold: its band is the ThresholdMetricId query.
        match &a.threshold_metric_id {
            Some(id) => trigger.insert("ThresholdMetricId".into(), json!(id)),
            None => trigger.insert("Threshold".into(), json!(a.threshold)),
        };
        trigger.insert(
            "TreatMissingData".into(),
            json!(a.treat_missing_data.as_deref().unwrap_or("missing")),
        );
        trigger.insert(
            "EvaluateLowSampleCountPercentile".into(),
            json!(
                a.evaluate_low_sample_count_percentile
                    .as_deref()
                    .unwrap_or("")
            ),
        );
        obj.insert("Trigger".into(), Value::Object(trigger));
        pick(
            &a.ok_actions,
            &a.alarm_actions,
            &a.insufficient_data_actions,
        )
    };
    Some(Plan { actions, message })
}

fn composite_suppressed(
    alarms: &AlarmStore,
    change: &StateChange,
    a: &openwatch_alarms::store::CompositeAlarm,
) -> bool {
    // The domain decides, and records held-back actions for `crate::alarm_link` to release.
    a.actions_suppressor.is_some()
        && alarms
            .composite_actions_suppressed(&change.account, &change.region, &change.name)
            .is_some()
}

/// Executes the actions of one state change; returns how many SNS publishes succeeded.
pub fn execute(alarms: &AlarmStore, sns: &Sns, change: &StateChange) -> usize {
    let Some(plan) = plan(alarms, change) else {
        return 0;
    };
    let subject: String = format!(
        "{}: \"{}\" in {}",
        change.state.value,
        change.name,
        region_name(&change.region)
    )
    .chars()
    .filter(|c| c.is_ascii() && !c.is_control())
    .take(100)
    .collect();
    let message = plan.message.to_string();
    let mut published = 0;
    for action in plan.actions {
        let now = change.state.timestamp_ms;
        let outcome = match parse_topic_arn(&action) {
            Some((region, account, _)) if account == change.account => sns
                .publish(
                    account,
                    region,
                    &action,
                    &PublishRequest {
                        message: message.clone(),
                        subject: Some(subject.clone()),
                        ..Default::default()
                    },
                )
                .map_err(|e| e.to_string()),
            Some(_) => Err("the topic belongs to another account".to_owned()),
            None => Err("this server executes only SNS topic actions".to_owned()),
        };
        let (summary, data) = match &outcome {
            Ok(message_id) => {
                published += 1;
                (
                    format!("Successfully executed action {action}"),
                    json!({
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": now,
                        "notificationResource": action,
                        "publishedMessage": {"messageId": message_id, "message": message},
                    }),
                )
            }
            Err(e) => {
                tracing::warn!(alarm = %change.name, %action, error = %e, "alarm action failed");
                (
                    format!("Failed to execute action {action}"),
                    json!({
                        "actionState": "Failed",
                        "stateUpdateTimestamp": now,
                        "notificationResource": action,
                        "error": e,
                    }),
                )
            }
        };
        let item = HistoryItem {
            alarm_name: change.name.clone(),
            alarm_type: change.alarm_type.to_owned(),
            timestamp_ms: now,
            item_type: HistoryItemType::Action,
            summary,
            data: data.to_string(),
        };
        if let Err(e) = alarms.add_history(&change.account, &change.region, item) {
            tracing::error!(error = %e, "cannot record an alarm action");
        }
    }
    published
}
