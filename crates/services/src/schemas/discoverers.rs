//! CreateDiscoverer, DescribeDiscoverer, UpdateDiscoverer, DeleteDiscoverer, ListDiscoverers,
//! StartDiscoverer, StopDiscoverer.

use openwatch_schemas::{CreateDiscoverer, Discoverer, DiscovererState, Schemas, Tags};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::{Empty, account, api_error, required};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDiscovererInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account: Option<bool>,
    #[serde(default, rename = "tags", skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// CreateDiscoverer, DescribeDiscoverer and UpdateDiscoverer output; also a list entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiscovererOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub discoverer_arn: String,
    pub discoverer_id: String,
    pub source_arn: String,
    pub state: &'static str,
    pub cross_account: bool,
    #[serde(rename = "tags")]
    pub tags: Tags,
}

impl From<Discoverer> for DiscovererOutput {
    fn from(d: Discoverer) -> Self {
        DiscovererOutput {
            description: d.description,
            discoverer_arn: d.arn,
            discoverer_id: d.id,
            source_arn: d.source_arn,
            state: d.state.as_str(),
            cross_account: d.cross_account,
            tags: d.tags,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiscovererIdInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverer_id: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDiscovererInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDiscoverersInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverer_id_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn_prefix: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDiscoverersOutput {
    pub discoverers: Vec<DiscovererOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiscovererStateOutput {
    pub discoverer_id: String,
    pub state: &'static str,
}

pub fn create_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: CreateDiscovererInput,
) -> Result<DiscovererOutput, ApiError> {
    let create = CreateDiscoverer {
        source_arn: required(input.source_arn, "SourceArn")?,
        description: input.description,
        cross_account: input.cross_account,
        tags: input.tags.unwrap_or_default(),
    };
    s.create_discoverer(account(ctx), &ctx.region, create)
        .map(Into::into)
        .map_err(api_error)
}

pub fn describe_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: DiscovererIdInput,
) -> Result<DiscovererOutput, ApiError> {
    let id = required(input.discoverer_id, "DiscovererId")?;
    s.describe_discoverer(account(ctx), &ctx.region, &id)
        .map(Into::into)
        .map_err(api_error)
}

pub fn update_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: UpdateDiscovererInput,
) -> Result<DiscovererOutput, ApiError> {
    let id = required(input.discoverer_id, "DiscovererId")?;
    s.update_discoverer(
        account(ctx),
        &ctx.region,
        &id,
        input.description,
        input.cross_account,
    )
    .map(Into::into)
    .map_err(api_error)
}

pub fn delete_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: DiscovererIdInput,
) -> Result<Empty, ApiError> {
    let id = required(input.discoverer_id, "DiscovererId")?;
    s.delete_discoverer(account(ctx), &ctx.region, &id)
        .map(|()| Empty {})
        .map_err(api_error)
}

fn set_state(
    s: &Schemas,
    ctx: &CallContext,
    input: DiscovererIdInput,
    state: DiscovererState,
) -> Result<DiscovererStateOutput, ApiError> {
    let id = required(input.discoverer_id, "DiscovererId")?;
    let d = s
        .set_discoverer_state(account(ctx), &ctx.region, &id, state)
        .map_err(api_error)?;
    Ok(DiscovererStateOutput {
        discoverer_id: d.id,
        state: d.state.as_str(),
    })
}

pub fn start_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: DiscovererIdInput,
) -> Result<DiscovererStateOutput, ApiError> {
    set_state(s, ctx, input, DiscovererState::STARTED)
}

pub fn stop_discoverer(
    s: &Schemas,
    ctx: &CallContext,
    input: DiscovererIdInput,
) -> Result<DiscovererStateOutput, ApiError> {
    set_state(s, ctx, input, DiscovererState::STOPPED)
}

pub fn list_discoverers(
    s: &Schemas,
    ctx: &CallContext,
    input: ListDiscoverersInput,
) -> Result<ListDiscoverersOutput, ApiError> {
    let page = s
        .list_discoverers(
            account(ctx),
            &ctx.region,
            input.discoverer_id_prefix.as_deref(),
            input.source_arn_prefix.as_deref(),
            input.limit,
            input.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(ListDiscoverersOutput {
        discoverers: page.items.into_iter().map(Into::into).collect(),
        next_token: page.next_token,
    })
}
