//! SetAlarmState, and publishing state changes onto the default event bus.

use super::*;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetAlarmStateInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub state_value: Option<String>,
    #[serde(default)]
    pub state_reason: Option<String>,
    #[serde(default)]
    pub state_reason_data: Option<String>,
}

/// Publishes a state change onto the account's default bus (errors are logged: the change
/// itself is stored).
pub fn publish_state_change(events: &Events, change: &StateChange) {
    if let Err(e) = events.put_internal(
        &change.account,
        &change.region,
        StateChange::SOURCE,
        StateChange::DETAIL_TYPE,
        change.event_detail(),
        std::slice::from_ref(&change.arn),
    ) {
        tracing::warn!(alarm = %change.arn, error = %e, "alarm state change event not published");
    }
}

pub(super) fn set_alarm_state(
    store: &AlarmStore,
    events: &Events,
    ctx: &CallContext,
    input: SetAlarmStateInput,
) -> Result<Empty, ApiError> {
    let name = input.alarm_name.ok_or_else(|| missing("AlarmName"))?;
    let state = input.state_value.ok_or_else(|| missing("StateValue"))?;
    let reason = input.state_reason.ok_or_else(|| missing("StateReason"))?;
    let change = store
        .set_alarm_state(
            ctx.account.as_str(),
            &ctx.region,
            &name,
            &state,
            &reason,
            input.state_reason_data.as_deref(),
        )
        .map_err(alarms_error)?;
    for c in &change {
        publish_state_change(events, c);
    }
    Ok(Empty {})
}
