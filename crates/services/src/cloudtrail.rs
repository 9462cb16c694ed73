//! CloudTrail over JSON 1.1: LookupEvents over the account's event history.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_trail::{LookupError, LookupQuery, Trail};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupAttribute {
    pub attribute_key: String,
    pub attribute_value: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_attributes: Option<Vec<LookupAttribute>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventResource {
    pub resource_type: String,
    pub resource_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Event {
    pub event_id: String,
    pub event_name: String,
    pub read_only: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    pub event_time: Timestamp,
    pub event_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub resources: Vec<EventResource>,
    pub cloud_trail_event: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsOutput {
    pub events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub fn register(registry: &mut Registry, trail: Arc<Trail>) {
    registry.add(
        Operation::new(Service::CloudTrail, "LookupEvents", move |ctx, input| {
            let trail = Arc::clone(&trail);
            async move { lookup_events(&trail, ctx, input) }
        })
        .read_only(),
    );
}

fn lookup_events(
    trail: &Trail,
    ctx: CallContext,
    input: LookupEventsInput,
) -> Result<LookupEventsOutput, ApiError> {
    let query = LookupQuery {
        lookup_attributes: input
            .lookup_attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.attribute_key, a.attribute_value))
            .collect(),
        start_time: input.start_time.map(Timestamp::millis),
        end_time: input.end_time.map(Timestamp::millis),
        event_category: input.event_category,
        max_results: input.max_results,
        next_token: input.next_token,
    };
    let page = trail
        .lookup_events(ctx.account.as_str(), &ctx.region, &query)
        .map_err(lookup_error)?;
    Ok(LookupEventsOutput {
        events: page
            .events
            .into_iter()
            .map(|e| Event {
                event_id: e.event_id,
                event_name: e.event_name,
                read_only: e.read_only,
                access_key_id: e.access_key_id,
                event_time: Timestamp::from_millis(e.event_time_millis),
                event_source: e.event_source,
                username: e.username,
                resources: e
                    .resources
                    .into_iter()
                    .map(|(resource_type, resource_name)| EventResource {
                        resource_type,
                        resource_name,
                    })
                    .collect(),
                cloud_trail_event: e.cloudtrail_event,
            })
            .collect(),
        next_token: page.next_token,
    })
}

fn lookup_error(e: LookupError) -> ApiError {
    if e.is_client_error() {
        ApiError::new(400, e.code(), e.message().to_owned())
    } else {
        ApiError::internal(e.message())
    }
}
