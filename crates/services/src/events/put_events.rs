//! PutEvents and TestEventPattern: their shapes and handlers.

use openwatch_events::{EntryResult, EventEntry, Events};
use openwatch_wire::{CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::{R, api_error, unsupported};

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

pub(super) fn test_event_pattern(
    e: &Events,
    _: &CallContext,
    i: TestEventPatternInput,
) -> R<TestEventPatternOutput> {
    e.test_event_pattern(&i.event_pattern, &i.event)
        .map(|result| TestEventPatternOutput { result })
        .map_err(api_error)
}

pub(super) async fn put_events(
    e: &Events,
    ctx: &CallContext,
    i: PutEventsInput,
) -> R<PutEventsOutput> {
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
    let (failed, entries) = result_entries(results);
    Ok(PutEventsOutput {
        failed_entry_count: failed,
        entries,
    })
}

/// The response entries for PutEvents' and PutPartnerEvents' per-entry results, and how many
/// failed.
pub(super) fn result_entries(results: Vec<EntryResult>) -> (usize, Vec<PutEventsResultEntry>) {
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
    (failed, entries)
}
