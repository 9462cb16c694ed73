//! Partner event sources: the partner's operations (CreatePartnerEventSource,
//! ListPartnerEventSources, DescribePartnerEventSource, ListPartnerEventSourceAccounts,
//! DeletePartnerEventSource, PutPartnerEvents; the caller's account is the partner) and the
//! customer's (ListEventSources, DescribeEventSource, ActivateEventSource,
//! DeactivateEventSource). Partner buses are made by CreateEventBus with EventSourceName.

use openwatch_events::{EventEntry, Events, PageRequest, PartnerSource};
use openwatch_wire::{CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::{R, api_error};
use super::put_events::result_entries;
use super::{Empty, PutEventsResultEntry};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartnerSourceInput {
    pub name: String,
    pub account: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatePartnerEventSourceOutput {
    pub event_source_arn: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SourceNameInput {
    pub name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartnerEventSourcesInput {
    pub name_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartnerEventSourceOut {
    pub arn: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartnerEventSourcesOutput {
    pub partner_event_sources: Vec<PartnerEventSourceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartnerEventSourceAccountsInput {
    pub event_source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartnerEventSourceAccountOut {
    pub account: String,
    pub creation_time: Timestamp,
    pub state: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartnerEventSourceAccountsOutput {
    pub partner_event_source_accounts: Vec<PartnerEventSourceAccountOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventSourcesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSourceOut {
    pub arn: String,
    pub created_by: String,
    pub creation_time: Timestamp,
    pub name: String,
    pub state: String,
}

fn source_out(s: PartnerSource) -> EventSourceOut {
    EventSourceOut {
        created_by: s.created_by().to_owned(),
        arn: s.arn,
        creation_time: Timestamp::from_millis(s.created_millis),
        name: s.name,
        state: s.state.as_str().to_owned(),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventSourcesOutput {
    pub event_sources: Vec<EventSourceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutPartnerEventsRequestEntry {
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
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutPartnerEventsInput {
    pub entries: Vec<PutPartnerEventsRequestEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutPartnerEventsOutput {
    pub failed_entry_count: usize,
    pub entries: Vec<PutEventsResultEntry>,
}

fn page(limit: Option<i32>, next_token: Option<String>) -> PageRequest {
    PageRequest { limit, next_token }
}

pub(super) fn create_partner_event_source(
    e: &Events,
    ctx: &CallContext,
    i: PartnerSourceInput,
) -> R<CreatePartnerEventSourceOutput> {
    e.create_partner_event_source(ctx.account.as_str(), &ctx.region, &i.name, &i.account)
        .map(|s| CreatePartnerEventSourceOutput {
            event_source_arn: s.arn,
        })
        .map_err(api_error)
}

pub(super) fn list_partner_event_sources(
    e: &Events,
    ctx: &CallContext,
    i: ListPartnerEventSourcesInput,
) -> R<ListPartnerEventSourcesOutput> {
    let p = e
        .list_partner_event_sources(
            ctx.account.as_str(),
            &ctx.region,
            &i.name_prefix,
            &page(i.limit, i.next_token),
        )
        .map_err(api_error)?;
    Ok(ListPartnerEventSourcesOutput {
        partner_event_sources: p
            .items
            .into_iter()
            .map(|s| PartnerEventSourceOut {
                arn: s.arn,
                name: s.name,
            })
            .collect(),
        next_token: p.next_token,
    })
}

pub(super) fn describe_partner_event_source(
    e: &Events,
    ctx: &CallContext,
    i: SourceNameInput,
) -> R<PartnerEventSourceOut> {
    e.describe_partner_event_source(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|s| PartnerEventSourceOut {
            arn: s.arn,
            name: s.name,
        })
        .map_err(api_error)
}

pub(super) fn list_partner_event_source_accounts(
    e: &Events,
    ctx: &CallContext,
    i: ListPartnerEventSourceAccountsInput,
) -> R<ListPartnerEventSourceAccountsOutput> {
    let p = e
        .list_partner_event_source_accounts(
            ctx.account.as_str(),
            &ctx.region,
            &i.event_source_name,
            &page(i.limit, i.next_token),
        )
        .map_err(api_error)?;
    Ok(ListPartnerEventSourceAccountsOutput {
        partner_event_source_accounts: p
            .items
            .into_iter()
            .map(|s| PartnerEventSourceAccountOut {
                account: s.account,
                creation_time: Timestamp::from_millis(s.created_millis),
                state: s.state.as_str().to_owned(),
            })
            .collect(),
        next_token: p.next_token,
    })
}

pub(super) fn delete_partner_event_source(
    e: &Events,
    ctx: &CallContext,
    i: PartnerSourceInput,
) -> R<Empty> {
    e.delete_partner_event_source(ctx.account.as_str(), &ctx.region, &i.name, &i.account)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub(super) fn list_event_sources(
    e: &Events,
    ctx: &CallContext,
    i: ListEventSourcesInput,
) -> R<ListEventSourcesOutput> {
    let p = e
        .list_event_sources(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            &page(i.limit, i.next_token),
        )
        .map_err(api_error)?;
    Ok(ListEventSourcesOutput {
        event_sources: p.items.into_iter().map(source_out).collect(),
        next_token: p.next_token,
    })
}

pub(super) fn describe_event_source(
    e: &Events,
    ctx: &CallContext,
    i: SourceNameInput,
) -> R<EventSourceOut> {
    e.describe_event_source(ctx.account.as_str(), &ctx.region, &i.name)
        .map(source_out)
        .map_err(api_error)
}

pub(super) fn activate_event_source(e: &Events, ctx: &CallContext, i: SourceNameInput) -> R<Empty> {
    e.set_event_source_active(ctx.account.as_str(), &ctx.region, &i.name, true)
        .map(|_| Empty {})
        .map_err(api_error)
}

pub(super) fn deactivate_event_source(
    e: &Events,
    ctx: &CallContext,
    i: SourceNameInput,
) -> R<Empty> {
    e.set_event_source_active(ctx.account.as_str(), &ctx.region, &i.name, false)
        .map(|_| Empty {})
        .map_err(api_error)
}

pub(super) async fn put_partner_events(
    e: &Events,
    ctx: &CallContext,
    i: PutPartnerEventsInput,
) -> R<PutPartnerEventsOutput> {
    let entries: Vec<EventEntry> = i
        .entries
        .into_iter()
        .map(|x| EventEntry {
            time_millis: x.time.map(Timestamp::millis),
            source: x.source,
            detail_type: x.detail_type,
            detail: x.detail,
            resources: x.resources.unwrap_or_default(),
            event_bus_name: None,
        })
        .collect();
    let results = e
        .put_partner_events(ctx.account.as_str(), &ctx.region, &entries)
        .await
        .map_err(api_error)?;
    let (failed, entries) = result_entries(results);
    Ok(PutPartnerEventsOutput {
        failed_entry_count: failed,
        entries,
    })
}

/// The event source an input names (`Name` or `EventSourceName`), for authorization.
fn event_source_resource(ctx: &CallContext, input: &openwatch_wire::Value) -> String {
    let name = input
        .get("Name")
        .or_else(|| input.get("EventSourceName"))
        .and_then(openwatch_wire::Value::as_str)
        .unwrap_or("*");
    format!("arn:aws:events:{}::event-source/{name}", ctx.region)
}

macro_rules! sync_op {
    ($registry:expr, $events:expr, $name:literal, $f:ident, $read_only:expr, $resource:expr) => {{
        let events = std::sync::Arc::clone(&$events);
        let mut op = openwatch_wire::Operation::new(
            openwatch_wire::Service::Events,
            $name,
            move |ctx: CallContext, input| {
                let events = std::sync::Arc::clone(&events);
                async move { $f(&events, &ctx, input) }
            },
        );
        if $read_only {
            op = op.read_only();
        }
        if $resource {
            op = op.resource(event_source_resource);
        }
        $registry.add(op);
    }};
}

/// Registers the partner and event-source operations.
pub(super) fn register(registry: &mut openwatch_wire::Registry, events: &std::sync::Arc<Events>) {
    sync_op!(
        registry,
        events,
        "CreatePartnerEventSource",
        create_partner_event_source,
        false,
        true
    );
    sync_op!(
        registry,
        events,
        "ListPartnerEventSources",
        list_partner_event_sources,
        true,
        false
    );
    sync_op!(
        registry,
        events,
        "DescribePartnerEventSource",
        describe_partner_event_source,
        true,
        true
    );
    sync_op!(
        registry,
        events,
        "ListPartnerEventSourceAccounts",
        list_partner_event_source_accounts,
        true,
        true
    );
    sync_op!(
        registry,
        events,
        "DeletePartnerEventSource",
        delete_partner_event_source,
        false,
        true
    );
    sync_op!(
        registry,
        events,
        "ListEventSources",
        list_event_sources,
        true,
        false
    );
    sync_op!(
        registry,
        events,
        "DescribeEventSource",
        describe_event_source,
        true,
        true
    );
    sync_op!(
        registry,
        events,
        "ActivateEventSource",
        activate_event_source,
        false,
        true
    );
    sync_op!(
        registry,
        events,
        "DeactivateEventSource",
        deactivate_event_source,
        false,
        true
    );
    let e = std::sync::Arc::clone(events);
    registry.add(openwatch_wire::Operation::new(
        openwatch_wire::Service::Events,
        "PutPartnerEvents",
        move |ctx: CallContext, input: PutPartnerEventsInput| {
            let events = std::sync::Arc::clone(&e);
            async move { put_partner_events(&events, &ctx, input).await }
        },
    ));
}
