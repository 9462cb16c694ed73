//! DescribeAlarmHistory: its input, output and handler.

use super::*;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub alarm_types: Option<Vec<String>>,
    #[serde(default)]
    pub history_item_type: Option<String>,
    #[serde(default)]
    pub start_date: Option<Timestamp>,
    #[serde(default)]
    pub end_date: Option<Timestamp>,
    #[serde(default)]
    pub max_records: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub scan_by: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryItemShape {
    pub alarm_name: String,
    pub alarm_type: String,
    pub timestamp: Timestamp,
    pub history_item_type: String,
    pub history_summary: String,
    pub history_data: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryOutput {
    pub alarm_history_items: Vec<HistoryItemShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn describe_alarm_history(
    store: &AlarmStore,
    ctx: &CallContext,
    input: DescribeAlarmHistoryInput,
) -> Result<DescribeAlarmHistoryOutput, ApiError> {
    let max = max_records(input.max_records, 100)?;
    let item_type = match input.history_item_type.as_deref() {
        None => None,
        Some(t) => Some(HistoryItemType::parse(t).ok_or_else(|| {
            invalid(format!(
                "1 validation error detected: Value '{t}' at 'historyItemType' failed to satisfy constraint: Member must satisfy enum value set: [Action, StateUpdate, ConfigurationUpdate, AlarmContributorStateUpdate, AlarmContributorAction]"
            ))
        })?),
    };
    let ascending = match input.scan_by.as_deref() {
        None | Some("TimestampDescending") => false,
        Some("TimestampAscending") => true,
        Some(s) => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{s}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]"
            )));
        }
    };
    for t in input.alarm_types.iter().flatten() {
        if t != "MetricAlarm" && t != "CompositeAlarm" {
            return Err(invalid(format!(
                "1 validation error detected: Value '[{t}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]]"
            )));
        }
    }
    let q = HistoryQuery {
        alarm_name: input.alarm_name,
        item_type,
        start_ms: input.start_date.map(Timestamp::millis),
        end_ms: input.end_date.map(Timestamp::millis),
        ascending,
        alarm_types: input.alarm_types.unwrap_or_default(),
        max_records: max,
        next_token: input.next_token,
    };
    let (items, next) = store
        .history(ctx.account.as_str(), &ctx.region, &q)
        .map_err(alarms_error)?;
    Ok(DescribeAlarmHistoryOutput {
        alarm_history_items: items
            .into_iter()
            .map(|i| HistoryItemShape {
                alarm_name: i.alarm_name,
                alarm_type: i.alarm_type,
                timestamp: Timestamp::from_millis(i.timestamp_ms),
                history_item_type: i.item_type.as_str().into(),
                history_summary: i.summary,
                history_data: i.data,
            })
            .collect(),
        next_token: next,
    })
}
