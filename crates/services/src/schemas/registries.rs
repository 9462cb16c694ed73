//! CreateRegistry, DescribeRegistry, UpdateRegistry, DeleteRegistry, ListRegistries.

use openwatch_schemas::{Registry, Schemas, Tags};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::{Empty, account, api_error, required};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateRegistryInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "tags", skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// CreateRegistry, DescribeRegistry and UpdateRegistry output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegistryOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub registry_arn: String,
    pub registry_name: String,
    #[serde(rename = "tags")]
    pub tags: Tags,
}

impl From<Registry> for RegistryOutput {
    fn from(r: Registry) -> Self {
        RegistryOutput {
            description: r.description,
            registry_arn: r.arn,
            registry_name: r.name,
            tags: r.tags,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegistryNameInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateRegistryInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRegistriesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegistrySummary {
    pub registry_arn: String,
    pub registry_name: String,
    #[serde(rename = "tags")]
    pub tags: Tags,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRegistriesOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub registries: Vec<RegistrySummary>,
}

pub fn create_registry(
    s: &Schemas,
    ctx: &CallContext,
    input: CreateRegistryInput,
) -> Result<RegistryOutput, ApiError> {
    let name = required(input.registry_name, "RegistryName")?;
    s.create_registry(
        account(ctx),
        &ctx.region,
        &name,
        input.description,
        input.tags.unwrap_or_default(),
    )
    .map(Into::into)
    .map_err(api_error)
}

pub fn describe_registry(
    s: &Schemas,
    ctx: &CallContext,
    input: RegistryNameInput,
) -> Result<RegistryOutput, ApiError> {
    let name = required(input.registry_name, "RegistryName")?;
    s.describe_registry(account(ctx), &ctx.region, &name)
        .map(Into::into)
        .map_err(api_error)
}

pub fn update_registry(
    s: &Schemas,
    ctx: &CallContext,
    input: UpdateRegistryInput,
) -> Result<RegistryOutput, ApiError> {
    let name = required(input.registry_name, "RegistryName")?;
    s.update_registry(account(ctx), &ctx.region, &name, input.description)
        .map(Into::into)
        .map_err(api_error)
}

pub fn delete_registry(
    s: &Schemas,
    ctx: &CallContext,
    input: RegistryNameInput,
) -> Result<Empty, ApiError> {
    let name = required(input.registry_name, "RegistryName")?;
    s.delete_registry(account(ctx), &ctx.region, &name)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub fn list_registries(
    s: &Schemas,
    ctx: &CallContext,
    input: ListRegistriesInput,
) -> Result<ListRegistriesOutput, ApiError> {
    let page = s
        .list_registries(
            account(ctx),
            &ctx.region,
            input.registry_name_prefix.as_deref(),
            input.scope.as_deref(),
            input.limit,
            input.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(ListRegistriesOutput {
        next_token: page.next_token,
        registries: page
            .items
            .into_iter()
            .map(|r| RegistrySummary {
                registry_arn: r.arn,
                registry_name: r.name,
                tags: r.tags,
            })
            .collect(),
    })
}
