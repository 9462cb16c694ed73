//! Log event shapes and the PutLogEvents, GetLogEvents and FilterLogEvents handlers.

use std::sync::Arc;

use openwatch_logs::{FilterPattern, FilterQuery, GetQuery, InputEvent, LogStore};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::errors::{api_error, invalid};
use super::resources::group_of;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputLogEvent {
    pub timestamp: i64,
    pub message: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutLogEventsInput {
    pub log_group_name: String,
    pub log_stream_name: String,
    pub log_events: Vec<InputLogEvent>,
    /// Accepted and ignored, as AWS does now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedLogEventsInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_new_log_event_start_index: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_old_log_event_end_index: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_log_event_end_index: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutLogEventsOutput {
    pub next_sequence_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_log_events_info: Option<RejectedLogEventsInfo>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogEventsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_identifier: Option<String>,
    pub log_stream_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_from_head: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmask: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputLogEvent {
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogEventsOutput {
    pub events: Vec<OutputLogEvent>,
    pub next_forward_token: String,
    pub next_backward_token: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterLogEventsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interleaved: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmask: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilteredLogEvent {
    pub log_stream_name: String,
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
    pub event_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchedLogStream {
    pub log_stream_name: String,
    pub searched_completely: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterLogEventsOutput {
    pub events: Vec<FilteredLogEvent>,
    pub searched_log_streams: Vec<SearchedLogStream>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// PutLogEvents: the batch is durable when this answers; a head it left due for flushing is
/// flushed on a blocking thread ([`LogStore::run_wanted_flushes`]).
pub(super) async fn put_log_events(
    store: Arc<LogStore>,
    ctx: CallContext,
    input: PutLogEventsInput,
) -> Result<PutLogEventsOutput, ApiError> {
    let events = input
        .log_events
        .into_iter()
        .map(|e| InputEvent {
            timestamp: e.timestamp,
            message: e.message,
        })
        .collect();
    let r = store
        .put_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &input.log_group_name,
            &input.log_stream_name,
            events,
        )
        .await
        .map_err(api_error)?;
    if store.flush_wanted() {
        // Compressing a head into a chunk takes milliseconds: never on a request worker.
        tokio::task::spawn_blocking(move || {
            if let Err(e) = store.run_wanted_flushes() {
                tracing::warn!(error = %e, "flushing log heads failed");
            }
        });
    }
    Ok(PutLogEventsOutput {
        next_sequence_token: r.next_sequence_token,
        rejected_log_events_info: r.rejected.map(|r| RejectedLogEventsInfo {
            too_new_log_event_start_index: r.too_new_start_index,
            too_old_log_event_end_index: r.too_old_end_index,
            expired_log_event_end_index: r.expired_end_index,
        }),
    })
}

pub(super) fn get_log_events(
    store: &LogStore,
    ctx: &CallContext,
    input: GetLogEventsInput,
) -> Result<GetLogEventsOutput, ApiError> {
    let group = group_of(input.log_group_name, input.log_group_identifier)?;
    let page = store
        .get_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &group,
            &GetQuery {
                stream: input.log_stream_name,
                start_time: input.start_time,
                end_time: input.end_time,
                next_token: input.next_token,
                limit: input.limit,
                start_from_head: input.start_from_head.unwrap_or(false),
            },
        )
        .map_err(api_error)?;
    Ok(GetLogEventsOutput {
        events: page
            .events
            .into_iter()
            .map(|e| OutputLogEvent {
                timestamp: e.timestamp,
                message: e.message,
                ingestion_time: e.ingestion_time,
            })
            .collect(),
        next_forward_token: page.next_forward_token,
        next_backward_token: page.next_backward_token,
    })
}

pub(super) fn filter_log_events(
    store: &LogStore,
    ctx: &CallContext,
    input: FilterLogEventsInput,
) -> Result<FilterLogEventsOutput, ApiError> {
    let group = group_of(input.log_group_name, input.log_group_identifier)?;
    let pattern = match input.filter_pattern.as_deref() {
        None => None,
        Some(p) => {
            Some(FilterPattern::parse(p).map_err(|e| invalid(e.filter_log_events_message()))?)
        }
    };
    let page = store
        .filter_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &group,
            &FilterQuery {
                stream_names: input.log_stream_names,
                stream_prefix: input.log_stream_name_prefix,
                start_time: input.start_time,
                end_time: input.end_time,
                pattern,
                next_token: input.next_token,
                limit: input.limit,
            },
        )
        .map_err(api_error)?;
    Ok(FilterLogEventsOutput {
        events: page
            .events
            .into_iter()
            .map(|e| FilteredLogEvent {
                log_stream_name: e.log_stream_name,
                timestamp: e.timestamp,
                message: e.message,
                ingestion_time: e.ingestion_time,
                event_id: e.event_id,
            })
            .collect(),
        searched_log_streams: page
            .searched_streams
            .into_iter()
            .map(|(log_stream_name, searched_completely)| SearchedLogStream {
                log_stream_name,
                searched_completely,
            })
            .collect(),
        next_token: page.next_token,
    })
}
