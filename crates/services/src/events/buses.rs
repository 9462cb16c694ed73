//! Event bus shapes and the Create/Describe/List/Update/DeleteEventBus handlers.

use openwatch_events::{Bus, Events, PageRequest};
use openwatch_wire::{CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::{R, api_error, unsupported};
use super::tags::{Tag, tags_in};
use super::{DeadLetterConfig, Empty};

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

pub(super) fn bus_out(b: Bus) -> EventBus {
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

pub(super) fn create_event_bus(
    e: &Events,
    ctx: &CallContext,
    i: CreateEventBusInput,
) -> R<CreateEventBusOutput> {
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if i.dead_letter_config.is_some() {
        return Err(unsupported("DeadLetterConfig on an event bus"));
    }
    let bus = match i.event_source_name.as_deref() {
        // A partner event bus, named as the partner event source it receives.
        Some(source) => e.create_partner_event_bus(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            source,
            i.description.as_deref(),
            tags_in(i.tags),
        ),
        None => e.create_event_bus(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            tags_in(i.tags),
        ),
    }
    .map_err(api_error)?;
    Ok(CreateEventBusOutput {
        event_bus_arn: bus.arn,
        description: bus.description,
    })
}

pub(super) fn describe_event_bus(e: &Events, ctx: &CallContext, i: BusNameInput) -> R<EventBus> {
    e.describe_event_bus(ctx.account.as_str(), &ctx.region, i.name.as_deref())
        .map(bus_out)
        .map_err(api_error)
}

pub(super) fn list_event_buses(
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

pub(super) fn update_event_bus(
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

pub(super) fn delete_event_bus(e: &Events, ctx: &CallContext, i: DeleteEventBusInput) -> R<Empty> {
    e.delete_event_bus(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|()| Empty {})
        .map_err(api_error)
}
