//! Which log group an input names: the resource ARNs operations authorize against, and the group
//! named by `logGroupName` / `logGroupIdentifier` or by a tagging ARN.

use openwatch_logs::names::{group_arn, group_name_from_identifier, parse_group_arn};
use openwatch_wire::{ApiError, CallContext, Value};

use super::errors::invalid;

pub(super) fn group_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input
        .get("logGroupName")
        .or_else(|| input.get("logGroupIdentifier"))
        .and_then(Value::as_str)
        .map(group_name_from_identifier);
    match name {
        Some(n) => group_arn(&ctx.region, ctx.account.as_str(), n),
        None => "*".to_owned(),
    }
}

pub(super) fn stream_resource(ctx: &CallContext, input: &Value) -> String {
    let group = group_resource(ctx, input);
    match input.get("logStreamName").and_then(Value::as_str) {
        Some(s) if group != "*" => format!("{group}:log-stream:{s}"),
        _ => group,
    }
}

pub(super) fn arn_resource(_: &CallContext, input: &Value) -> String {
    input
        .get("resourceArn")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned()
}

/// Resolves `logGroupName` / `logGroupIdentifier` (exactly one must be given).
pub(super) fn group_of(
    name: Option<String>,
    identifier: Option<String>,
) -> Result<String, ApiError> {
    match (name, identifier) {
        (Some(n), None) => Ok(n),
        (None, Some(i)) => Ok(group_name_from_identifier(&i).to_owned()),
        (Some(_), Some(_)) => Err(invalid(
            "LogGroup name and LogGroup identifier are mutually exclusive parameters.",
        )),
        (None, None) => Err(invalid(
            "Should provide either logGroupName or logGroupIdentifier.",
        )),
    }
}

/// The group a tagging ARN names, if it is in the caller's account and region.
pub(super) fn group_of_arn(ctx: &CallContext, arn: &str) -> Result<String, ApiError> {
    let (region, account, name) =
        parse_group_arn(arn).ok_or_else(|| invalid(format!("Invalid resource arn: {arn}")))?;
    if account != ctx.account.as_str() || region != ctx.region {
        return Err(ApiError::new(
            400,
            "ResourceNotFoundException",
            "The specified resource does not exist.",
        ));
    }
    Ok(name.to_owned())
}
