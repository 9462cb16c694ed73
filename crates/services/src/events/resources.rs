//! The resource ARNs EventBridge operations authorize against, read from the raw input.

use openwatch_wire::{CallContext, Value};

pub(super) fn bus_name_of(input: &Value, member: &str) -> String {
    match input.get(member).and_then(Value::as_str) {
        Some(arn) if arn.starts_with("arn:") => arn
            .rsplit_once("event-bus/")
            .map_or("default", |(_, n)| n)
            .to_owned(),
        Some(name) => name.to_owned(),
        None => "default".to_owned(),
    }
}

/// The bus an input names (`Name`), for authorization.
pub(super) fn bus_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "Name");
    format!(
        "arn:aws:events:{}:{}:event-bus/{bus}",
        ctx.region,
        ctx.account.as_str()
    )
}

/// The bus an input names by `EventBusName`, for authorization.
pub(super) fn event_bus_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "EventBusName");
    format!(
        "arn:aws:events:{}:{}:event-bus/{bus}",
        ctx.region,
        ctx.account.as_str()
    )
}

pub(super) fn archive_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input
        .get("ArchiveName")
        .and_then(Value::as_str)
        .unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:archive/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

pub(super) fn replay_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input
        .get("ReplayName")
        .and_then(Value::as_str)
        .unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:replay/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

pub(super) fn connection_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input.get("Name").and_then(Value::as_str).unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:connection/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

pub(super) fn destination_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input.get("Name").and_then(Value::as_str).unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:api-destination/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

/// The rule an input names (`Name` or `Rule`, on `EventBusName`), for authorization.
pub(super) fn rule_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "EventBusName");
    let rule = input
        .get("Name")
        .or_else(|| input.get("Rule"))
        .and_then(Value::as_str)
        .unwrap_or("*");
    openwatch_events::names::rule_arn(ctx.account.as_str(), &ctx.region, &bus, rule)
}

pub(super) fn tagged_resource(_: &CallContext, input: &Value) -> String {
    input
        .get("ResourceARN")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned()
}
