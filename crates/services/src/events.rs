//! EventBridge over JSON 1.1 (`AWSEvents`): event buses, rules, targets, PutEvents,
//! TestEventPattern and tags. Handlers map shapes to `openwatch_events::Events`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_events::{
    Bus, EntryResult, EventEntry, Events, EventsError, FailedTarget,
    InputTransformer as DomainTransformer, PageRequest, PutRuleInput as DomainPutRule,
    RetryPolicy as DomainRetry, Rule, Tag as DomainTag, Target as DomainTarget,
};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp, Value};

/// Maps a domain error to its AWS error.
pub fn api_error(e: EventsError) -> ApiError {
    if e.is_client_error() {
        ApiError::new(400, e.code(), e.to_string())
    } else {
        ApiError::internal(e)
    }
}

fn unsupported(member: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationException",
        format!("{member} is not supported by this server."),
    )
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

fn tags_in(tags: Option<Vec<Tag>>) -> Vec<DomainTag> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| DomainTag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

fn tags_out(tags: Vec<DomainTag>) -> Vec<Tag> {
    tags.into_iter()
        .map(|t| Tag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Empty {}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

// --- event buses -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateEventBusInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateEventBusOutput {
    pub event_bus_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BusNameInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventBus {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<Timestamp>,
}

fn bus_out(b: Bus) -> EventBus {
    // The implicit default bus has no creation time until something about it is stored.
    let time = |ms: i64| (ms > 0).then(|| Timestamp::from_millis(ms));
    EventBus {
        creation_time: time(b.created_millis),
        last_modified_time: time(b.modified_millis),
        name: b.name,
        arn: b.arn,
        description: b.description,
        policy: b.policy,
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventBusesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventBusesOutput {
    pub event_buses: Vec<EventBus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateEventBusInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateEventBusOutput {
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteEventBusInput {
    pub name: String,
}

// --- rules -------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleOutput {
    pub rule_arn: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleNameInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRuleInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleOut {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    pub event_bus_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

fn rule_out(r: Rule, with_creator: bool) -> RuleOut {
    RuleOut {
        name: r.name,
        arn: r.arn,
        event_pattern: r.event_pattern,
        state: r.state.as_str().to_owned(),
        description: r.description,
        schedule_expression: r.schedule_expression,
        role_arn: r.role_arn,
        managed_by: r.managed_by,
        event_bus_name: r.bus,
        created_by: with_creator.then_some(r.created_by),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesOutput {
    pub rules: Vec<RuleOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetInput {
    pub target_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetOutput {
    pub rule_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// --- targets -----------------------------------------------------------------------------------

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

fn range_u32(v: Option<i64>, member: &str, min: i64) -> Result<Option<u32>, ApiError> {
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

fn target_in(t: Target) -> Result<DomainTarget, ApiError> {
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

fn target_out(t: DomainTarget) -> Target {
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

fn failed_out(failed: Vec<FailedTarget>) -> TargetsResultOutput {
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

// --- events ------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestEventPatternInput {
    pub event_pattern: String,
    pub event: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestEventPatternOutput {
    pub result: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsRequestEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsInput {
    pub entries: Vec<PutEventsRequestEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsResultEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsOutput {
    pub failed_entry_count: usize,
    pub entries: Vec<PutEventsResultEntry>,
}

// --- archives and replays ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateArchiveInput {
    pub archive_name: String,
    pub event_source_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveStateOutput {
    pub archive_arn: String,
    pub state: String,
    pub creation_time: Timestamp,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveNameInput {
    pub archive_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_arn: Option<String>,
    pub archive_name: String,
    pub event_source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    pub state: String,
    pub retention_days: u32,
    pub size_bytes: u64,
    pub event_count: u64,
    pub creation_time: Timestamp,
}

fn archive_out(i: openwatch_events::ArchiveInfo, full: bool) -> ArchiveOut {
    let a = i.archive;
    ArchiveOut {
        archive_arn: full.then_some(a.arn),
        archive_name: a.name,
        event_source_arn: a.event_source_arn,
        description: a.description.filter(|_| full),
        event_pattern: a.event_pattern.filter(|_| full),
        state: "ENABLED".to_owned(),
        retention_days: a.retention_days,
        size_bytes: i.size_bytes,
        event_count: i.event_count,
        creation_time: Timestamp::from_millis(a.created_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListArchivesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListArchivesOutput {
    pub archives: Vec<ArchiveOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateArchiveInput {
    pub archive_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayDestination {
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_arns: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartReplayInput {
    pub replay_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub event_source_arn: String,
    pub event_start_time: Timestamp,
    pub event_end_time: Timestamp,
    pub destination: ReplayDestination,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartReplayOutput {
    pub replay_arn: String,
    pub state: String,
    pub replay_start_time: Timestamp,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayNameInput {
    pub replay_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayOut {
    pub replay_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    pub event_source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<ReplayDestination>,
    pub event_start_time: Timestamp,
    pub event_end_time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_last_replayed_time: Option<Timestamp>,
    pub replay_start_time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_end_time: Option<Timestamp>,
}

fn replay_out(r: openwatch_events::Replay, full: bool) -> ReplayOut {
    ReplayOut {
        replay_name: r.name,
        replay_arn: full.then_some(r.arn),
        description: r.description.filter(|_| full),
        state: r.state.as_str().to_owned(),
        state_reason: r.state_reason,
        event_source_arn: r.event_source_arn,
        destination: full.then(|| ReplayDestination {
            arn: r.destination_arn,
            filter_arns: (!r.filter_arns.is_empty()).then_some(r.filter_arns),
        }),
        event_start_time: Timestamp::from_millis(r.event_start_millis),
        event_end_time: Timestamp::from_millis(r.event_end_millis),
        event_last_replayed_time: r.event_last_replayed_millis.map(Timestamp::from_millis),
        replay_start_time: Timestamp::from_millis(r.replay_start_millis),
        replay_end_time: r.replay_end_millis.map(Timestamp::from_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListReplaysInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListReplaysOutput {
    pub replays: Vec<ReplayOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelReplayOutput {
    pub replay_arn: String,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
}

// --- connections and API destinations ----------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BasicAuthParameters {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiKeyAuthParameters {
    pub api_key_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_value: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth_parameters: Option<BasicAuthParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_auth_parameters: Option<ApiKeyAuthParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_auth_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_http_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity_parameters: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateConnectionInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub authorization_type: String,
    pub auth_parameters: AuthParameters,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_connectivity_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionStateOutput {
    pub connection_arn: String,
    pub connection_state: String,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameInput {
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionOut {
    pub connection_arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub connection_state: String,
    pub authorization_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<AuthParameters>,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
    pub last_authorized_time: Timestamp,
}

fn connection_out(c: openwatch_events::Connection, full: bool) -> ConnectionOut {
    use openwatch_events::ConnectionAuth;
    let kind = c.auth.kind().to_owned();
    // Secrets are never returned: only the key name and the user name, as AWS does.
    let auth_parameters = full.then(|| match c.auth {
        ConnectionAuth::ApiKey { name, .. } => AuthParameters {
            api_key_auth_parameters: Some(ApiKeyAuthParameters {
                api_key_name: name,
                api_key_value: None,
            }),
            ..Default::default()
        },
        ConnectionAuth::Basic { username, .. } => AuthParameters {
            basic_auth_parameters: Some(BasicAuthParameters {
                username,
                password: None,
            }),
            ..Default::default()
        },
    });
    ConnectionOut {
        connection_arn: c.arn,
        name: c.name,
        description: c.description.filter(|_| full),
        connection_state: "AUTHORIZED".to_owned(),
        authorization_type: kind,
        auth_parameters,
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
        last_authorized_time: Timestamp::from_millis(c.modified_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListConnectionsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListConnectionsOutput {
    pub connections: Vec<ConnectionOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateApiDestinationInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_rate_limit_per_second: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiDestinationStateOutput {
    pub api_destination_arn: String,
    pub api_destination_state: String,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiDestinationOut {
    pub api_destination_arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub api_destination_state: String,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    pub invocation_rate_limit_per_second: u32,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

fn destination_out(d: openwatch_events::ApiDestination, full: bool) -> ApiDestinationOut {
    ApiDestinationOut {
        api_destination_arn: d.arn,
        name: d.name,
        description: d.description.filter(|_| full),
        api_destination_state: "ACTIVE".to_owned(),
        connection_arn: d.connection_arn,
        invocation_endpoint: d.invocation_endpoint,
        http_method: d.http_method,
        invocation_rate_limit_per_second: d.invocation_rate_limit_per_second,
        creation_time: Timestamp::from_millis(d.created_millis),
        last_modified_time: Timestamp::from_millis(d.modified_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListApiDestinationsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListApiDestinationsOutput {
    pub api_destinations: Vec<ApiDestinationOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// --- permissions -------------------------------------------------------------------------------

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

// --- tags --------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct TagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct UntagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    #[serde(rename = "TagKeys")]
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ListTagsForResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceOutput {
    pub tags: Vec<Tag>,
}

// --- registration ------------------------------------------------------------------------------

fn bus_name_of(input: &Value, member: &str) -> String {
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
fn bus_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "Name");
    format!(
        "arn:aws:events:{}:{}:event-bus/{bus}",
        ctx.region,
        ctx.account.as_str()
    )
}

/// The bus an input names by `EventBusName`, for authorization.
fn event_bus_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "EventBusName");
    format!(
        "arn:aws:events:{}:{}:event-bus/{bus}",
        ctx.region,
        ctx.account.as_str()
    )
}

fn archive_resource(ctx: &CallContext, input: &Value) -> String {
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

fn replay_resource(ctx: &CallContext, input: &Value) -> String {
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

fn connection_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input.get("Name").and_then(Value::as_str).unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:connection/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

fn destination_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input.get("Name").and_then(Value::as_str).unwrap_or("*");
    format!(
        "arn:aws:events:{}:{}:api-destination/{name}",
        ctx.region,
        ctx.account.as_str()
    )
}

/// The rule an input names (`Name` or `Rule`, on `EventBusName`), for authorization.
fn rule_resource(ctx: &CallContext, input: &Value) -> String {
    let bus = bus_name_of(input, "EventBusName");
    let rule = input
        .get("Name")
        .or_else(|| input.get("Rule"))
        .and_then(Value::as_str)
        .unwrap_or("*");
    openwatch_events::names::rule_arn(ctx.account.as_str(), &ctx.region, &bus, rule)
}

fn tagged_resource(_: &CallContext, input: &Value) -> String {
    input
        .get("ResourceARN")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned()
}

macro_rules! handler {
    ($events:expr, $f:ident) => {{
        let events = Arc::clone(&$events);
        move |ctx, input| {
            let events = Arc::clone(&events);
            async move { $f(&events, &ctx, input) }
        }
    }};
}

pub fn register(registry: &mut Registry, events: Arc<Events>) {
    let s = Service::Events;
    registry.add(
        Operation::new(s, "CreateEventBus", handler!(events, create_event_bus))
            .resource(bus_resource),
    );
    registry.add(
        Operation::new(s, "DescribeEventBus", handler!(events, describe_event_bus))
            .read_only()
            .resource(bus_resource),
    );
    registry
        .add(Operation::new(s, "ListEventBuses", handler!(events, list_event_buses)).read_only());
    registry.add(
        Operation::new(s, "UpdateEventBus", handler!(events, update_event_bus))
            .resource(bus_resource),
    );
    registry.add(
        Operation::new(s, "DeleteEventBus", handler!(events, delete_event_bus))
            .resource(bus_resource),
    );
    registry.add(Operation::new(s, "PutRule", handler!(events, put_rule)).resource(rule_resource));
    registry.add(
        Operation::new(s, "DescribeRule", handler!(events, describe_rule))
            .read_only()
            .resource(rule_resource),
    );
    registry.add(Operation::new(s, "ListRules", handler!(events, list_rules)).read_only());
    registry.add(
        Operation::new(s, "DeleteRule", handler!(events, delete_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "EnableRule", handler!(events, enable_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "DisableRule", handler!(events, disable_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListRuleNamesByTarget",
            handler!(events, list_rule_names_by_target),
        )
        .read_only(),
    );
    registry.add(
        Operation::new(s, "PutTargets", handler!(events, put_targets)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "RemoveTargets", handler!(events, remove_targets))
            .resource(rule_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListTargetsByRule",
            handler!(events, list_targets_by_rule),
        )
        .read_only()
        .resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "TestEventPattern", handler!(events, test_event_pattern)).read_only(),
    );
    {
        let events = Arc::clone(&events);
        registry.add(Operation::new(
            s,
            "PutEvents",
            move |ctx: CallContext, input: PutEventsInput| {
                let events = Arc::clone(&events);
                async move { put_events(&events, &ctx, input).await }
            },
        ));
    }
    registry.add(
        Operation::new(s, "CreateArchive", handler!(events, create_archive))
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "DescribeArchive", handler!(events, describe_archive))
            .read_only()
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "UpdateArchive", handler!(events, update_archive))
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "DeleteArchive", handler!(events, delete_archive))
            .resource(archive_resource),
    );
    registry.add(Operation::new(s, "ListArchives", handler!(events, list_archives)).read_only());
    registry.add(
        Operation::new(s, "StartReplay", handler!(events, start_replay)).resource(replay_resource),
    );
    registry.add(
        Operation::new(s, "DescribeReplay", handler!(events, describe_replay))
            .read_only()
            .resource(replay_resource),
    );
    registry.add(Operation::new(s, "ListReplays", handler!(events, list_replays)).read_only());
    registry.add(
        Operation::new(s, "CancelReplay", handler!(events, cancel_replay))
            .resource(replay_resource),
    );
    registry.add(
        Operation::new(s, "CreateConnection", handler!(events, create_connection))
            .resource(connection_resource)
            .sensitive(&["Password", "ApiKeyValue", "ClientSecret"]),
    );
    registry.add(
        Operation::new(
            s,
            "DescribeConnection",
            handler!(events, describe_connection),
        )
        .read_only()
        .resource(connection_resource),
    );
    registry
        .add(Operation::new(s, "ListConnections", handler!(events, list_connections)).read_only());
    registry.add(
        Operation::new(s, "DeleteConnection", handler!(events, delete_connection))
            .resource(connection_resource),
    );
    registry.add(
        Operation::new(
            s,
            "CreateApiDestination",
            handler!(events, create_api_destination),
        )
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(
            s,
            "DescribeApiDestination",
            handler!(events, describe_api_destination),
        )
        .read_only()
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListApiDestinations",
            handler!(events, list_api_destinations),
        )
        .read_only(),
    );
    registry.add(
        Operation::new(
            s,
            "DeleteApiDestination",
            handler!(events, delete_api_destination),
        )
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(s, "PutPermission", handler!(events, put_permission))
            .resource(event_bus_resource),
    );
    registry.add(
        Operation::new(s, "RemovePermission", handler!(events, remove_permission))
            .resource(event_bus_resource),
    );
    registry.add(
        Operation::new(s, "TagResource", handler!(events, tag_resource)).resource(tagged_resource),
    );
    registry.add(
        Operation::new(s, "UntagResource", handler!(events, untag_resource))
            .resource(tagged_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListTagsForResource",
            handler!(events, list_tags_for_resource),
        )
        .read_only()
        .resource(tagged_resource),
    );
}

// --- handlers ----------------------------------------------------------------------------------

type R<T> = Result<T, ApiError>;

fn create_event_bus(
    e: &Events,
    ctx: &CallContext,
    i: CreateEventBusInput,
) -> R<CreateEventBusOutput> {
    if i.event_source_name.is_some() {
        return Err(unsupported("EventSourceName (partner event buses)"));
    }
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if i.dead_letter_config.is_some() {
        return Err(unsupported("DeadLetterConfig on an event bus"));
    }
    let bus = e
        .create_event_bus(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            tags_in(i.tags),
        )
        .map_err(api_error)?;
    Ok(CreateEventBusOutput {
        event_bus_arn: bus.arn,
        description: bus.description,
    })
}

fn describe_event_bus(e: &Events, ctx: &CallContext, i: BusNameInput) -> R<EventBus> {
    e.describe_event_bus(ctx.account.as_str(), &ctx.region, i.name.as_deref())
        .map(bus_out)
        .map_err(api_error)
}

fn list_event_buses(
    e: &Events,
    ctx: &CallContext,
    i: ListEventBusesInput,
) -> R<ListEventBusesOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_event_buses(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListEventBusesOutput {
        event_buses: p.items.into_iter().map(bus_out).collect(),
        next_token: p.next_token,
    })
}

fn update_event_bus(
    e: &Events,
    ctx: &CallContext,
    i: UpdateEventBusInput,
) -> R<UpdateEventBusOutput> {
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if i.dead_letter_config.is_some() {
        return Err(unsupported("DeadLetterConfig on an event bus"));
    }
    let bus = e
        .update_event_bus(
            ctx.account.as_str(),
            &ctx.region,
            i.name.as_deref(),
            i.description.as_deref(),
        )
        .map_err(api_error)?;
    Ok(UpdateEventBusOutput {
        arn: bus.arn,
        name: bus.name,
        description: bus.description,
    })
}

fn delete_event_bus(e: &Events, ctx: &CallContext, i: DeleteEventBusInput) -> R<Empty> {
    e.delete_event_bus(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|()| Empty {})
        .map_err(api_error)
}

fn put_rule(e: &Events, ctx: &CallContext, i: PutRuleInput) -> R<PutRuleOutput> {
    let input = DomainPutRule {
        name: i.name,
        event_bus_name: i.event_bus_name,
        event_pattern: i.event_pattern,
        schedule_expression: i.schedule_expression,
        state: i.state,
        description: i.description,
        role_arn: i.role_arn,
        tags: tags_in(i.tags),
    };
    let rule_arn = e
        .put_rule(ctx.account.as_str(), &ctx.region, input)
        .map_err(api_error)?;
    Ok(PutRuleOutput { rule_arn })
}

fn describe_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<RuleOut> {
    e.describe_rule(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
    )
    .map(|r| rule_out(r, true))
    .map_err(api_error)
}

fn list_rules(e: &Events, ctx: &CallContext, i: ListRulesInput) -> R<ListRulesOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_rules(
            ctx.account.as_str(),
            &ctx.region,
            i.event_bus_name.as_deref(),
            i.name_prefix.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListRulesOutput {
        rules: p.items.into_iter().map(|r| rule_out(r, false)).collect(),
        next_token: p.next_token,
    })
}

fn delete_rule(e: &Events, ctx: &CallContext, i: DeleteRuleInput) -> R<Empty> {
    e.delete_rule(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        i.force.unwrap_or(false),
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

fn enable_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<Empty> {
    e.set_rule_enabled(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        true,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

fn disable_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<Empty> {
    e.set_rule_enabled(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        false,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

fn list_rule_names_by_target(
    e: &Events,
    ctx: &CallContext,
    i: ListRuleNamesByTargetInput,
) -> R<ListRuleNamesByTargetOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_rule_names_by_target(
            ctx.account.as_str(),
            &ctx.region,
            i.event_bus_name.as_deref(),
            &i.target_arn,
            &page,
        )
        .map_err(api_error)?;
    Ok(ListRuleNamesByTargetOutput {
        rule_names: p.items,
        next_token: p.next_token,
    })
}

fn put_targets(e: &Events, ctx: &CallContext, i: PutTargetsInput) -> R<TargetsResultOutput> {
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

fn remove_targets(e: &Events, ctx: &CallContext, i: RemoveTargetsInput) -> R<TargetsResultOutput> {
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

fn list_targets_by_rule(
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

fn test_event_pattern(
    e: &Events,
    _: &CallContext,
    i: TestEventPatternInput,
) -> R<TestEventPatternOutput> {
    e.test_event_pattern(&i.event_pattern, &i.event)
        .map(|result| TestEventPatternOutput { result })
        .map_err(api_error)
}

async fn put_events(e: &Events, ctx: &CallContext, i: PutEventsInput) -> R<PutEventsOutput> {
    if i.endpoint_id.is_some() {
        return Err(unsupported("EndpointId (global endpoints)"));
    }
    let entries: Vec<EventEntry> = i
        .entries
        .into_iter()
        .map(|x| EventEntry {
            time_millis: x.time.map(Timestamp::millis),
            source: x.source,
            detail_type: x.detail_type,
            detail: x.detail,
            resources: x.resources.unwrap_or_default(),
            event_bus_name: x.event_bus_name,
        })
        .collect();
    let results = e
        .put_events(ctx.account.as_str(), &ctx.region, &entries)
        .await
        .map_err(api_error)?;
    let mut failed = 0;
    let entries = results
        .into_iter()
        .map(|r| match r {
            EntryResult::Accepted { event_id } => PutEventsResultEntry {
                event_id: Some(event_id),
                error_code: None,
                error_message: None,
            },
            EntryResult::Failed { code, message } => {
                failed += 1;
                PutEventsResultEntry {
                    event_id: None,
                    error_code: Some(code),
                    error_message: Some(message),
                }
            }
        })
        .collect();
    Ok(PutEventsOutput {
        failed_entry_count: failed,
        entries,
    })
}

fn tag_resource(e: &Events, ctx: &CallContext, i: TagResourceInput) -> R<Empty> {
    e.tag_resource(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        tags_in(Some(i.tags)),
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

fn untag_resource(e: &Events, ctx: &CallContext, i: UntagResourceInput) -> R<Empty> {
    e.untag_resource(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &i.tag_keys,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

fn list_tags_for_resource(
    e: &Events,
    ctx: &CallContext,
    i: ListTagsForResourceInput,
) -> R<ListTagsForResourceOutput> {
    e.list_tags(ctx.account.as_str(), &ctx.region, &i.resource_arn)
        .map(|t| ListTagsForResourceOutput { tags: tags_out(t) })
        .map_err(api_error)
}

fn put_permission(e: &Events, ctx: &CallContext, i: PutPermissionInput) -> R<Empty> {
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

fn remove_permission(e: &Events, ctx: &CallContext, i: RemovePermissionInput) -> R<Empty> {
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

fn create_archive(e: &Events, ctx: &CallContext, i: CreateArchiveInput) -> R<ArchiveStateOutput> {
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    let input = openwatch_events::CreateArchiveInput {
        name: i.archive_name,
        event_source_arn: i.event_source_arn,
        description: i.description,
        event_pattern: i.event_pattern,
        retention_days: i.retention_days,
    };
    let a = e
        .create_archive(ctx.account.as_str(), &ctx.region, input)
        .map_err(api_error)?;
    Ok(ArchiveStateOutput {
        archive_arn: a.arn,
        state: "ENABLED".to_owned(),
        creation_time: Timestamp::from_millis(a.created_millis),
    })
}

fn describe_archive(e: &Events, ctx: &CallContext, i: ArchiveNameInput) -> R<ArchiveOut> {
    e.describe_archive(ctx.account.as_str(), &ctx.region, &i.archive_name)
        .map(|a| archive_out(a, true))
        .map_err(api_error)
}

fn list_archives(e: &Events, ctx: &CallContext, i: ListArchivesInput) -> R<ListArchivesOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_archives(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            i.event_source_arn.as_deref(),
            i.state.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListArchivesOutput {
        archives: p.items.into_iter().map(|a| archive_out(a, false)).collect(),
        next_token: p.next_token,
    })
}

fn update_archive(e: &Events, ctx: &CallContext, i: UpdateArchiveInput) -> R<ArchiveStateOutput> {
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    let a = e
        .update_archive(
            ctx.account.as_str(),
            &ctx.region,
            &i.archive_name,
            i.description.as_deref(),
            i.event_pattern.as_deref(),
            i.retention_days,
        )
        .map_err(api_error)?;
    Ok(ArchiveStateOutput {
        archive_arn: a.arn,
        state: "ENABLED".to_owned(),
        creation_time: Timestamp::from_millis(a.created_millis),
    })
}

fn delete_archive(e: &Events, ctx: &CallContext, i: ArchiveNameInput) -> R<Empty> {
    e.delete_archive(ctx.account.as_str(), &ctx.region, &i.archive_name)
        .map(|()| Empty {})
        .map_err(api_error)
}

fn start_replay(e: &Events, ctx: &CallContext, i: StartReplayInput) -> R<StartReplayOutput> {
    let input = openwatch_events::StartReplayInput {
        name: i.replay_name,
        description: i.description,
        event_source_arn: i.event_source_arn,
        event_start_millis: i.event_start_time.millis(),
        event_end_millis: i.event_end_time.millis(),
        destination_arn: i.destination.arn,
        filter_arns: i.destination.filter_arns.unwrap_or_default(),
    };
    let r = e
        .start_replay(ctx.account.as_str(), &ctx.region, input)
        .map_err(api_error)?;
    Ok(StartReplayOutput {
        replay_arn: r.arn,
        state: r.state.as_str().to_owned(),
        replay_start_time: Timestamp::from_millis(r.replay_start_millis),
    })
}

fn describe_replay(e: &Events, ctx: &CallContext, i: ReplayNameInput) -> R<ReplayOut> {
    e.describe_replay(ctx.account.as_str(), &ctx.region, &i.replay_name)
        .map(|r| replay_out(r, true))
        .map_err(api_error)
}

fn list_replays(e: &Events, ctx: &CallContext, i: ListReplaysInput) -> R<ListReplaysOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_replays(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            i.state.as_deref(),
            i.event_source_arn.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListReplaysOutput {
        replays: p.items.into_iter().map(|r| replay_out(r, false)).collect(),
        next_token: p.next_token,
    })
}

fn cancel_replay(e: &Events, ctx: &CallContext, i: ReplayNameInput) -> R<CancelReplayOutput> {
    let r = e
        .cancel_replay(ctx.account.as_str(), &ctx.region, &i.replay_name)
        .map_err(api_error)?;
    Ok(CancelReplayOutput {
        replay_arn: r.arn,
        state: r.state.as_str().to_owned(),
        state_reason: r.state_reason,
    })
}

fn create_connection(
    e: &Events,
    ctx: &CallContext,
    i: CreateConnectionInput,
) -> R<ConnectionStateOutput> {
    use openwatch_events::ConnectionAuth;
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if i.invocation_connectivity_parameters.is_some()
        || i.auth_parameters.connectivity_parameters.is_some()
    {
        return Err(unsupported(
            "Private connectivity (InvocationConnectivityParameters)",
        ));
    }
    if i.auth_parameters.invocation_http_parameters.is_some() {
        return Err(unsupported("InvocationHttpParameters"));
    }
    let a = i.auth_parameters;
    let auth = match i.authorization_type.as_str() {
        "API_KEY" => {
            let p = a.api_key_auth_parameters.ok_or_else(|| {
                ApiError::new(
                    400,
                    "ValidationException",
                    "ApiKeyAuthParameters are required for AuthorizationType API_KEY.",
                )
            })?;
            ConnectionAuth::ApiKey {
                name: p.api_key_name,
                value: p.api_key_value.unwrap_or_default(),
            }
        }
        "BASIC" => {
            let p = a.basic_auth_parameters.ok_or_else(|| {
                ApiError::new(
                    400,
                    "ValidationException",
                    "BasicAuthParameters are required for AuthorizationType BASIC.",
                )
            })?;
            ConnectionAuth::Basic {
                username: p.username,
                password: p.password.unwrap_or_default(),
            }
        }
        "OAUTH_CLIENT_CREDENTIALS" => {
            return Err(unsupported("AuthorizationType OAUTH_CLIENT_CREDENTIALS"));
        }
        other => {
            return Err(ApiError::new(
                400,
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{other}' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS]"
                ),
            ));
        }
    };
    let c = e
        .create_connection(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            auth,
        )
        .map_err(api_error)?;
    Ok(ConnectionStateOutput {
        connection_arn: c.arn,
        connection_state: "AUTHORIZED".to_owned(),
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
    })
}

fn describe_connection(e: &Events, ctx: &CallContext, i: NameInput) -> R<ConnectionOut> {
    e.describe_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|c| connection_out(c, true))
        .map_err(api_error)
}

fn list_connections(
    e: &Events,
    ctx: &CallContext,
    i: ListConnectionsInput,
) -> R<ListConnectionsOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_connections(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    // Every connection here is AUTHORIZED.
    let wanted = i
        .connection_state
        .as_deref()
        .is_none_or(|s| s == "AUTHORIZED");
    Ok(ListConnectionsOutput {
        connections: p
            .items
            .into_iter()
            .filter(|_| wanted)
            .map(|c| connection_out(c, false))
            .collect(),
        next_token: p.next_token.filter(|_| wanted),
    })
}

fn delete_connection(e: &Events, ctx: &CallContext, i: NameInput) -> R<ConnectionStateOutput> {
    let c = e
        .delete_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map_err(api_error)?;
    Ok(ConnectionStateOutput {
        connection_arn: c.arn,
        connection_state: "DELETING".to_owned(),
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
    })
}

fn create_api_destination(
    e: &Events,
    ctx: &CallContext,
    i: CreateApiDestinationInput,
) -> R<ApiDestinationStateOutput> {
    let d = e
        .create_api_destination(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            &i.connection_arn,
            &i.invocation_endpoint,
            &i.http_method,
            i.invocation_rate_limit_per_second,
        )
        .map_err(api_error)?;
    Ok(ApiDestinationStateOutput {
        api_destination_arn: d.arn,
        api_destination_state: "ACTIVE".to_owned(),
        creation_time: Timestamp::from_millis(d.created_millis),
        last_modified_time: Timestamp::from_millis(d.modified_millis),
    })
}

fn describe_api_destination(e: &Events, ctx: &CallContext, i: NameInput) -> R<ApiDestinationOut> {
    e.describe_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|d| destination_out(d, true))
        .map_err(api_error)
}

fn list_api_destinations(
    e: &Events,
    ctx: &CallContext,
    i: ListApiDestinationsInput,
) -> R<ListApiDestinationsOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_api_destinations(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            i.connection_arn.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListApiDestinationsOutput {
        api_destinations: p
            .items
            .into_iter()
            .map(|d| destination_out(d, false))
            .collect(),
        next_token: p.next_token,
    })
}

fn delete_api_destination(e: &Events, ctx: &CallContext, i: NameInput) -> R<Empty> {
    e.delete_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|()| Empty {})
        .map_err(api_error)
}
