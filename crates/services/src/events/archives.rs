//! Archive and replay shapes and their Create/Describe/List/Update/Delete, Start/Cancel handlers.

use openwatch_events::{Events, PageRequest};
use openwatch_wire::{CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::{R, api_error, unsupported};

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

pub(super) fn archive_out(i: openwatch_events::ArchiveInfo, full: bool) -> ArchiveOut {
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

pub(super) fn replay_out(r: openwatch_events::Replay, full: bool) -> ReplayOut {
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

pub(super) fn create_archive(
    e: &Events,
    ctx: &CallContext,
    i: CreateArchiveInput,
) -> R<ArchiveStateOutput> {
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

pub(super) fn describe_archive(
    e: &Events,
    ctx: &CallContext,
    i: ArchiveNameInput,
) -> R<ArchiveOut> {
    e.describe_archive(ctx.account.as_str(), &ctx.region, &i.archive_name)
        .map(|a| archive_out(a, true))
        .map_err(api_error)
}

pub(super) fn list_archives(
    e: &Events,
    ctx: &CallContext,
    i: ListArchivesInput,
) -> R<ListArchivesOutput> {
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

pub(super) fn update_archive(
    e: &Events,
    ctx: &CallContext,
    i: UpdateArchiveInput,
) -> R<ArchiveStateOutput> {
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

pub(super) fn delete_archive(e: &Events, ctx: &CallContext, i: ArchiveNameInput) -> R<Empty> {
    e.delete_archive(ctx.account.as_str(), &ctx.region, &i.archive_name)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub(super) fn start_replay(
    e: &Events,
    ctx: &CallContext,
    i: StartReplayInput,
) -> R<StartReplayOutput> {
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

pub(super) fn describe_replay(e: &Events, ctx: &CallContext, i: ReplayNameInput) -> R<ReplayOut> {
    e.describe_replay(ctx.account.as_str(), &ctx.region, &i.replay_name)
        .map(|r| replay_out(r, true))
        .map_err(api_error)
}

pub(super) fn list_replays(
    e: &Events,
    ctx: &CallContext,
    i: ListReplaysInput,
) -> R<ListReplaysOutput> {
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

pub(super) fn cancel_replay(
    e: &Events,
    ctx: &CallContext,
    i: ReplayNameInput,
) -> R<CancelReplayOutput> {
    let r = e
        .cancel_replay(ctx.account.as_str(), &ctx.region, &i.replay_name)
        .map_err(api_error)?;
    Ok(CancelReplayOutput {
        replay_arn: r.arn,
        state: r.state.as_str().to_owned(),
        state_reason: r.state_reason,
    })
}
