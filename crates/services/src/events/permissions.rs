//! Event bus permission shapes and the PutPermission and RemovePermission handlers.

use openwatch_events::Events;
use openwatch_wire::CallContext;
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::{R, api_error};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Condition {
    pub r#type: String,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutPermissionInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovePermissionInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_all_permissions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

pub(super) fn put_permission(e: &Events, ctx: &CallContext, i: PutPermissionInput) -> R<Empty> {
    let input = openwatch_events::PutPermissionInput {
        event_bus_name: i.event_bus_name,
        action: i.action,
        principal: i.principal,
        statement_id: i.statement_id,
        condition: i.condition.map(|c| openwatch_events::policy::Condition {
            kind: c.r#type,
            key: c.key,
            value: c.value,
        }),
        policy: i.policy,
    };
    e.put_permission(ctx.account.as_str(), &ctx.region, input)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub(super) fn remove_permission(
    e: &Events,
    ctx: &CallContext,
    i: RemovePermissionInput,
) -> R<Empty> {
    e.remove_permission(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        i.statement_id.as_deref(),
        i.remove_all_permissions.unwrap_or(false),
    )
    .map(|()| Empty {})
    .map_err(api_error)
}
