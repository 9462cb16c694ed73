//! API destination shapes and their Create/Describe/List/Update/Delete handlers.

use openwatch_events::{ApiDestinationUpdate, Events, PageRequest};
use openwatch_wire::{CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::Empty;
use super::connections::NameInput;
use super::errors::{R, api_error};

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

pub(super) fn destination_out(
    d: openwatch_events::ApiDestination,
    full: bool,
) -> ApiDestinationOut {
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

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateApiDestinationInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_rate_limit_per_second: Option<i64>,
}

pub(super) fn update_api_destination(
    e: &Events,
    ctx: &CallContext,
    i: UpdateApiDestinationInput,
) -> R<ApiDestinationStateOutput> {
    let d = e
        .update_api_destination(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            ApiDestinationUpdate {
                description: i.description,
                connection_arn: i.connection_arn,
                invocation_endpoint: i.invocation_endpoint,
                http_method: i.http_method,
                invocation_rate_limit_per_second: i.invocation_rate_limit_per_second,
            },
        )
        .map_err(api_error)?;
    Ok(ApiDestinationStateOutput {
        api_destination_arn: d.arn,
        api_destination_state: "ACTIVE".to_owned(),
        creation_time: Timestamp::from_millis(d.created_millis),
        last_modified_time: Timestamp::from_millis(d.modified_millis),
    })
}

pub(super) fn create_api_destination(
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

pub(super) fn describe_api_destination(
    e: &Events,
    ctx: &CallContext,
    i: NameInput,
) -> R<ApiDestinationOut> {
    e.describe_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|d| destination_out(d, true))
        .map_err(api_error)
}

pub(super) fn list_api_destinations(
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

pub(super) fn delete_api_destination(e: &Events, ctx: &CallContext, i: NameInput) -> R<Empty> {
    e.delete_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|()| Empty {})
        .map_err(api_error)
}
