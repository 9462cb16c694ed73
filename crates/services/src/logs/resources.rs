//! Which log group an input names: the resource ARNs operations authorize against, and the group
//! named by `logGroupName` / `logGroupIdentifier`, and the group or destination a tagging ARN
//! names.

use openwatch_logs::names::{group_arn, group_name_from_identifier, parse_group_arn};
use openwatch_logs::store::parse_destination_arn;
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

/// A resource TagResource, UntagResource and ListTagsForResource can name.
pub(super) enum Taggable {
    /// A log group, by name.
    Group(String),
    /// A destination, by name.
    Destination(String),
}

/// The log group or destination a tagging ARN names, if it is in the caller's account and
/// region (anything else does not exist for the caller).
pub(super) fn taggable_of_arn(ctx: &CallContext, arn: &str) -> Result<Taggable, ApiError> {
    let (region, account, found) = if let Some((r, a, n)) = parse_group_arn(arn) {
        (r, a, Taggable::Group(n.to_owned()))
    } else if let Some((r, a, n)) = parse_destination_arn(arn) {
        (r, a, Taggable::Destination(n.to_owned()))
    } else {
        return Err(invalid(format!("Invalid resource arn: {arn}")));
    };
    if account != ctx.account.as_str() || region != ctx.region {
        return Err(ApiError::new(
            400,
            "ResourceNotFoundException",
            "The specified resource does not exist.",
        ));
    }
    Ok(found)
}
