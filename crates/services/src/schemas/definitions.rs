//! CreateSchema, DescribeSchema, UpdateSchema, DeleteSchema, DeleteSchemaVersion, ListSchemas,
//! ListSchemaVersions, SearchSchemas, ExportSchema, GetDiscoveredSchema.

use openwatch_schemas::names::iso8601;
use openwatch_schemas::{CreateSchema, Schema, Schemas, Tags, UpdateSchema, Version};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::{Empty, account, api_error, required};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSchemaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "tags", skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

/// CreateSchema and UpdateSchema output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub last_modified: String,
    pub schema_arn: String,
    pub schema_name: String,
    pub schema_version: String,
    #[serde(rename = "tags")]
    pub tags: Tags,
    pub r#type: String,
    pub version_created_date: String,
}

/// DescribeSchema output: [`SchemaOutput`] with the content.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSchemaOutput {
    pub content: String,
    #[serde(flatten)]
    pub schema: SchemaOutput,
}

fn output(s: &Schema, v: &Version) -> SchemaOutput {
    SchemaOutput {
        description: s.description.clone(),
        last_modified: iso8601(s.last_modified_millis),
        schema_arn: s.arn.clone(),
        schema_name: s.name.clone(),
        schema_version: v.version.to_string(),
        tags: s.tags.clone(),
        r#type: v.schema_type.as_str().to_owned(),
        version_created_date: iso8601(v.created_millis),
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateSchemaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSchemasInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaSummary {
    pub last_modified: String,
    pub schema_arn: String,
    pub schema_name: String,
    #[serde(rename = "tags")]
    pub tags: Tags,
    pub version_count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSchemasOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub schemas: Vec<SchemaSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaVersionSummary {
    pub schema_arn: String,
    pub schema_name: String,
    pub schema_version: String,
    pub r#type: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSchemaVersionsOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub schema_versions: Vec<SchemaVersionSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchSchemaVersionSummary {
    pub created_date: String,
    pub schema_version: String,
    pub r#type: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchSchemaSummary {
    pub registry_name: String,
    pub schema_arn: String,
    pub schema_name: String,
    pub schema_versions: Vec<SearchSchemaVersionSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchSchemasOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub schemas: Vec<SearchSchemaSummary>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportSchemaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportSchemaOutput {
    pub content: String,
    pub schema_arn: String,
    pub schema_name: String,
    pub schema_version: String,
    pub r#type: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDiscoveredSchemaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDiscoveredSchemaOutput {
    pub content: String,
}

fn names(registry: Option<String>, schema: Option<String>) -> Result<(String, String), ApiError> {
    Ok((
        required(registry, "RegistryName")?,
        required(schema, "SchemaName")?,
    ))
}

pub fn create_schema(
    s: &Schemas,
    ctx: &CallContext,
    input: CreateSchemaInput,
) -> Result<SchemaOutput, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let create = CreateSchema {
        content: required(input.content, "Content")?,
        description: input.description,
        schema_type: required(input.r#type, "Type")?,
        tags: input.tags.unwrap_or_default(),
    };
    let schema = s
        .create_schema(account(ctx), &ctx.region, &registry, &name, create)
        .map_err(api_error)?;
    let v = schema
        .latest()
        .ok_or_else(|| ApiError::internal("created schema without a version"))?;
    Ok(output(&schema, v))
}

pub fn describe_schema(
    s: &Schemas,
    ctx: &CallContext,
    input: SchemaInput,
) -> Result<DescribeSchemaOutput, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let (schema, v) = s
        .describe_schema(
            account(ctx),
            &ctx.region,
            &registry,
            &name,
            input.schema_version.as_deref(),
        )
        .map_err(api_error)?;
    Ok(DescribeSchemaOutput {
        content: v.content.clone(),
        schema: output(&schema, &v),
    })
}

pub fn update_schema(
    s: &Schemas,
    ctx: &CallContext,
    input: UpdateSchemaInput,
) -> Result<SchemaOutput, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let update = UpdateSchema {
        client_token: input.client_token_id,
        content: input.content,
        description: input.description,
        schema_type: input.r#type,
    };
    let (schema, v) = s
        .update_schema(account(ctx), &ctx.region, &registry, &name, update)
        .map_err(api_error)?;
    Ok(output(&schema, &v))
}

pub fn delete_schema(
    s: &Schemas,
    ctx: &CallContext,
    input: SchemaInput,
) -> Result<Empty, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    s.delete_schema(account(ctx), &ctx.region, &registry, &name)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub fn delete_schema_version(
    s: &Schemas,
    ctx: &CallContext,
    input: SchemaInput,
) -> Result<Empty, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let version = required(input.schema_version, "SchemaVersion")?;
    s.delete_schema_version(account(ctx), &ctx.region, &registry, &name, &version)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub fn list_schemas(
    s: &Schemas,
    ctx: &CallContext,
    input: ListSchemasInput,
) -> Result<ListSchemasOutput, ApiError> {
    let registry = required(input.registry_name, "RegistryName")?;
    let page = s
        .list_schemas(
            account(ctx),
            &ctx.region,
            &registry,
            input.schema_name_prefix.as_deref(),
            input.limit,
            input.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(ListSchemasOutput {
        next_token: page.next_token,
        schemas: page
            .items
            .into_iter()
            .map(|s| SchemaSummary {
                last_modified: iso8601(s.last_modified_millis),
                version_count: s.versions.len() as u64,
                schema_arn: s.arn,
                schema_name: s.name,
                tags: s.tags,
            })
            .collect(),
    })
}

pub fn search_schemas(
    s: &Schemas,
    ctx: &CallContext,
    input: ListSchemasInput,
) -> Result<SearchSchemasOutput, ApiError> {
    let registry = required(input.registry_name, "RegistryName")?;
    let keywords = required(input.keywords, "Keywords")?;
    let page = s
        .search_schemas(
            account(ctx),
            &ctx.region,
            &registry,
            &keywords,
            input.limit,
            input.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(SearchSchemasOutput {
        next_token: page.next_token,
        schemas: page
            .items
            .into_iter()
            .map(|s| SearchSchemaSummary {
                registry_name: s.registry.clone(),
                schema_arn: s.arn.clone(),
                schema_name: s.name.clone(),
                schema_versions: s
                    .versions
                    .iter()
                    .map(|v| SearchSchemaVersionSummary {
                        created_date: iso8601(v.created_millis),
                        schema_version: v.version.to_string(),
                        r#type: v.schema_type.as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

pub fn list_schema_versions(
    s: &Schemas,
    ctx: &CallContext,
    input: ListSchemasInput,
) -> Result<ListSchemaVersionsOutput, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let (schema, page) = s
        .list_schema_versions(
            account(ctx),
            &ctx.region,
            &registry,
            &name,
            input.limit,
            input.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(ListSchemaVersionsOutput {
        next_token: page.next_token,
        schema_versions: page
            .items
            .into_iter()
            .map(|v| SchemaVersionSummary {
                schema_arn: schema.arn.clone(),
                schema_name: schema.name.clone(),
                schema_version: v.version.to_string(),
                r#type: v.schema_type.as_str().to_owned(),
            })
            .collect(),
    })
}

pub fn export_schema(
    s: &Schemas,
    ctx: &CallContext,
    input: ExportSchemaInput,
) -> Result<ExportSchemaOutput, ApiError> {
    let (registry, name) = names(input.registry_name, input.schema_name)?;
    let export_type = required(input.r#type, "Type")?;
    let (schema, v, content) = s
        .export_schema(
            account(ctx),
            &ctx.region,
            &registry,
            &name,
            input.schema_version.as_deref(),
            &export_type,
        )
        .map_err(api_error)?;
    Ok(ExportSchemaOutput {
        content,
        schema_arn: schema.arn,
        schema_name: schema.name,
        schema_version: v.version.to_string(),
        r#type: export_type,
    })
}

pub fn get_discovered_schema(
    _: &Schemas,
    _: &CallContext,
    input: GetDiscoveredSchemaInput,
) -> Result<GetDiscoveredSchemaOutput, ApiError> {
    let events = required(input.events, "Events")?;
    let kind = required(input.r#type, "Type")?;
    openwatch_schemas::sample::discovered_schema(&events, &kind)
        .map(|content| GetDiscoveredSchemaOutput { content })
        .map_err(api_error)
}
