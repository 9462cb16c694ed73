//! Target shapes, their conversion to and from the domain, and the PutTargets, RemoveTargets and
//! ListTargetsByRule handlers.

use std::collections::BTreeMap;

use openwatch_events::{
    Events, FailedTarget, InputTransformer as DomainTransformer, PageRequest,
    RetryPolicy as DomainRetry, Target as DomainTarget,
};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::DeadLetterConfig;
use super::errors::{R, api_error};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputTransformer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_paths_map: Option<BTreeMap<String, String>>,
    pub input_template: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_event_age_in_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub id: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
}

pub(super) fn range_u32(v: Option<i64>, member: &str, min: i64) -> Result<Option<u32>, ApiError> {
    match v {
        None => Ok(None),
        Some(n) if n >= min => u32::try_from(n).map(Some).map_err(|_| {
            ApiError::new(
                400,
                "ValidationException",
                format!("{member} is out of range."),
            )
        }),
        Some(n) => Err(ApiError::new(
            400,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{n}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"
            ),
        )),
    }
}

pub(super) fn target_in(t: Target) -> Result<DomainTarget, ApiError> {
    let retry_policy = match t.retry_policy {
        None => None,
        Some(p) => Some(DomainRetry {
            maximum_retry_attempts: range_u32(p.maximum_retry_attempts, "maximumRetryAttempts", 0)?,
            maximum_event_age_in_seconds: range_u32(
                p.maximum_event_age_in_seconds,
                "maximumEventAgeInSeconds",
                openwatch_events::limits::MIN_EVENT_AGE_SECONDS,
            )?,
        }),
    };
    Ok(DomainTarget {
        id: t.id,
        arn: t.arn,
        role_arn: t.role_arn,
        input: t.input,
        input_path: t.input_path,
        input_transformer: t.input_transformer.map(|x| DomainTransformer {
            input_paths_map: x.input_paths_map.unwrap_or_default().into_iter().collect(),
            input_template: x.input_template,
        }),
        retry_policy,
        dead_letter_arn: t.dead_letter_config.and_then(|d| d.arn),
    })
}

pub(super) fn target_out(t: DomainTarget) -> Target {
    Target {
        id: t.id,
        arn: t.arn,
        role_arn: t.role_arn,
        input: t.input,
        input_path: t.input_path,
        input_transformer: t.input_transformer.map(|x| InputTransformer {
            input_paths_map: (!x.input_paths_map.is_empty())
                .then(|| x.input_paths_map.into_iter().collect()),
            input_template: x.input_template,
        }),
        retry_policy: t.retry_policy.map(|p| RetryPolicy {
            maximum_retry_attempts: p.maximum_retry_attempts.map(i64::from),
            maximum_event_age_in_seconds: p.maximum_event_age_in_seconds.map(i64::from),
        }),
        dead_letter_config: t.dead_letter_arn.map(|a| DeadLetterConfig { arn: Some(a) }),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutTargetsInput {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedEntry {
    pub target_id: String,
    pub error_code: String,
    pub error_message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetsResultOutput {
    pub failed_entry_count: usize,
    pub failed_entries: Vec<FailedEntry>,
}

pub(super) fn failed_out(failed: Vec<FailedTarget>) -> TargetsResultOutput {
    TargetsResultOutput {
        failed_entry_count: failed.len(),
        failed_entries: failed
            .into_iter()
            .map(|f| FailedEntry {
                target_id: f.target_id,
                error_code: f.code,
                error_message: f.message,
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTargetsInput {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargetsByRuleInput {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargetsByRuleOutput {
    pub targets: Vec<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn put_targets(
    e: &Events,
    ctx: &CallContext,
    i: PutTargetsInput,
) -> R<TargetsResultOutput> {
    let targets = i
        .targets
        .into_iter()
        .map(target_in)
        .collect::<R<Vec<_>>>()?;
    e.put_targets(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.rule,
        targets,
    )
    .map(failed_out)
    .map_err(api_error)
}

pub(super) fn remove_targets(
    e: &Events,
    ctx: &CallContext,
    i: RemoveTargetsInput,
) -> R<TargetsResultOutput> {
    e.remove_targets(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.rule,
        &i.ids,
        i.force.unwrap_or(false),
    )
    .map(failed_out)
    .map_err(api_error)
}

pub(super) fn list_targets_by_rule(
    e: &Events,
    ctx: &CallContext,
    i: ListTargetsByRuleInput,
) -> R<ListTargetsByRuleOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_targets_by_rule(
            ctx.account.as_str(),
            &ctx.region,
            i.event_bus_name.as_deref(),
            &i.rule,
            &page,
        )
        .map_err(api_error)?;
    Ok(ListTargetsByRuleOutput {
        targets: p.items.into_iter().map(target_out).collect(),
        next_token: p.next_token,
    })
}
