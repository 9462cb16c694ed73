//! Schemas and their versions: CreateSchema, DescribeSchema, UpdateSchema, DeleteSchema,
//! DeleteSchemaVersion, ListSchemas, ListSchemaVersions, SearchSchemas, ExportSchema.

use crate::error::SchemasError;
use crate::export::openapi_to_draft4;
use crate::model::{AWS_REGISTRY, DISCOVERED_REGISTRY, Page, Schema, SchemaType, Tags, Version};
use crate::names::{
    check_description, check_schema_name, next_token, page_size, parse_token, schema_arn,
};
use crate::registries::read_only;
use crate::store::Change;
use crate::tags::check_tags;
use crate::validate::check_content;
use crate::{Core, State, key, schema_key};

/// CreateSchema's input.
#[derive(Debug, Clone, Default)]
pub struct CreateSchema {
    pub content: String,
    pub description: Option<String>,
    pub schema_type: String,
    pub tags: Tags,
}

/// UpdateSchema's input: absent members are left as they are.
#[derive(Debug, Clone, Default)]
pub struct UpdateSchema {
    pub client_token: Option<String>,
    pub content: Option<String>,
    pub description: Option<String>,
    pub schema_type: Option<String>,
}

fn parse_type(t: &str) -> Result<SchemaType, SchemasError> {
    SchemaType::parse(t).ok_or_else(|| {
        SchemasError::BadRequest(format!(
            "Invalid schema type {t}: it must be OpenApi3 or JSONSchemaDraft4."
        ))
    })
}

fn parse_version(name: &str, v: &str) -> Result<u64, SchemasError> {
    v.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| SchemasError::version_not_found(name, v))
}

impl State {
    /// Registry `registry` of `(account, region)` must exist (AWS's exists and is empty).
    fn check_registry(
        &self,
        account: &str,
        region: &str,
        registry: &str,
    ) -> Result<(), SchemasError> {
        if registry == AWS_REGISTRY
            || self
                .registries
                .contains_key(&key(account, region, registry))
        {
            Ok(())
        } else {
            Err(SchemasError::registry_not_found(registry))
        }
    }

    fn schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
    ) -> Result<&Schema, SchemasError> {
        self.check_registry(account, region, registry)?;
        self.schemas
            .get(&schema_key(account, region, registry, name))
            .ok_or_else(|| SchemasError::schema_not_found(name))
    }
}

impl Core {
    /// CreateSchema: version 1.
    pub fn create_schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        input: CreateSchema,
    ) -> Result<Schema, SchemasError> {
        check_schema_name(name)?;
        let kind = parse_type(&input.schema_type)?;
        check_description(input.description.as_deref())?;
        check_tags(&input.tags)?;
        check_content(kind, &input.content)?;
        if registry == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = schema_key(account, region, registry, name);
        let mut state = self.state.write();
        state.check_registry(account, region, registry)?;
        if state.schemas.contains_key(&k) {
            return Err(SchemasError::Conflict(format!(
                "Schema with name {name} already exists."
            )));
        }
        let now = self.now();
        let schema = Schema {
            registry: registry.to_owned(),
            name: name.to_owned(),
            arn: schema_arn(account, region, registry, name),
            description: input.description,
            tags: input.tags,
            last_modified_millis: now,
            versions: vec![Version {
                version: 1,
                schema_type: kind,
                content: input.content,
                created_millis: now,
            }],
            last_version: 1,
            discovered: None,
            last_client_token: None,
        };
        self.store.apply(&[Change::PutSchema(&k, &schema)])?;
        state.schemas.insert(k, schema.clone());
        drop(state);
        self.notify(account, region, &schema, true);
        Ok(schema)
    }

    /// DescribeSchema: the version asked for, or the latest.
    pub fn describe_schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        version: Option<&str>,
    ) -> Result<(Schema, Version), SchemasError> {
        let state = self.state.read();
        let schema = state.schema(account, region, registry, name)?;
        let v = match version {
            Some(v) => schema
                .version(parse_version(name, v)?)
                .ok_or_else(|| SchemasError::version_not_found(name, v))?,
            None => schema
                .latest()
                .ok_or_else(|| SchemasError::schema_not_found(name))?,
        };
        Ok((schema.clone(), v.clone()))
    }

    /// UpdateSchema: new content or type makes a new version; a description alone does not.
    /// A repeated `ClientTokenId` returns the schema unchanged.
    pub fn update_schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        input: UpdateSchema,
    ) -> Result<(Schema, Version), SchemasError> {
        if input
            .client_token
            .as_deref()
            .is_some_and(|t| t.chars().count() > 36)
        {
            return Err(SchemasError::BadRequest(
                "ClientTokenId must be at most 36 characters long.".to_owned(),
            ));
        }
        check_description(input.description.as_deref())?;
        let kind = input.schema_type.as_deref().map(parse_type).transpose()?;
        if registry == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = schema_key(account, region, registry, name);
        let mut state = self.state.write();
        let mut schema = state.schema(account, region, registry, name)?.clone();
        let latest = schema
            .latest()
            .cloned()
            .ok_or_else(|| SchemasError::schema_not_found(name))?;
        if input.client_token.is_some() && input.client_token == schema.last_client_token {
            return Ok((schema, latest));
        }
        let kind = kind.unwrap_or(latest.schema_type);
        if input.content.is_none() && kind != latest.schema_type {
            return Err(SchemasError::BadRequest(
                "Changing the schema type requires new content of that type.".to_owned(),
            ));
        }
        if let Some(c) = &input.content {
            check_content(kind, c)?;
        }
        let now = self.now();
        let mut versioned = false;
        if let Some(content) = input.content
            && (content != latest.content || kind != latest.schema_type)
        {
            versioned = true;
            schema.last_version += 1;
            schema.versions.push(Version {
                version: schema.last_version,
                schema_type: kind,
                content,
                created_millis: now,
            });
            // A hand-edited discovered schema is no longer the merge of what was seen.
            schema.discovered = None;
        }
        if input.description.is_some() {
            schema.description = input.description;
        }
        if input.client_token.is_some() {
            schema.last_client_token = input.client_token;
        }
        schema.last_modified_millis = now;
        self.store.apply(&[Change::PutSchema(&k, &schema)])?;
        let latest = schema
            .latest()
            .cloned()
            .ok_or_else(|| SchemasError::Internal("schema without versions".into()))?;
        state.schemas.insert(k, schema.clone());
        drop(state);
        if versioned {
            self.notify(account, region, &schema, false);
        }
        Ok((schema, latest))
    }

    /// DeleteSchema: every version.
    pub fn delete_schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
    ) -> Result<(), SchemasError> {
        if registry == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = schema_key(account, region, registry, name);
        let mut state = self.state.write();
        state.schema(account, region, registry, name)?;
        self.store.apply(&[Change::DeleteSchema(&k)])?;
        state.schemas.remove(&k);
        drop(state);
        if registry == DISCOVERED_REGISTRY {
            self.seen.lock().clear();
        }
        Ok(())
    }

    /// DeleteSchemaVersion: any version but the latest (delete the schema to remove that).
    pub fn delete_schema_version(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        version: &str,
    ) -> Result<(), SchemasError> {
        if registry == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = schema_key(account, region, registry, name);
        let mut state = self.state.write();
        let mut schema = state.schema(account, region, registry, name)?.clone();
        let n = parse_version(name, version)?;
        if schema.version(n).is_none() {
            return Err(SchemasError::version_not_found(name, version));
        }
        if schema.latest().is_some_and(|l| l.version == n) {
            return Err(SchemasError::BadRequest(format!(
                "Version {version} is the latest version of schema {name} and cannot be deleted; delete the schema instead."
            )));
        }
        schema.versions.retain(|v| v.version != n);
        schema.last_modified_millis = self.now();
        self.store.apply(&[Change::PutSchema(&k, &schema)])?;
        state.schemas.insert(k, schema);
        Ok(())
    }

    /// The schemas of a registry matching `keep`, a page at a time, by name.
    fn page_schemas(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        limit: Option<i64>,
        token: Option<&str>,
        keep: impl Fn(&Schema) -> bool,
    ) -> Result<Page<Schema>, SchemasError> {
        let size = page_size(limit)?;
        let after = token.map(parse_token).transpose()?;
        let state = self.state.read();
        state.check_registry(account, region, registry)?;
        let start = schema_key(account, region, registry, after.as_deref().unwrap_or(""));
        let mut items: Vec<Schema> = state
            .schemas
            .range(start..)
            .take_while(|(k, _)| k.0 == account && k.1 == region && k.2 == registry)
            .filter(|(k, _)| after.as_deref().is_none_or(|a| k.3.as_str() > a))
            .map(|(_, s)| s)
            .filter(|s| keep(s))
            .take(size + 1)
            .cloned()
            .collect();
        let next_token = (items.len() > size).then(|| {
            items.truncate(size);
            next_token(&items[size - 1].name)
        });
        Ok(Page { items, next_token })
    }

    /// ListSchemas.
    pub fn list_schemas(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        prefix: Option<&str>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Schema>, SchemasError> {
        self.page_schemas(account, region, registry, limit, token, |s| {
            prefix.is_none_or(|p| s.name.starts_with(p))
        })
    }

    /// SearchSchemas: schemas whose name, description or latest content contains every keyword
    /// (whitespace-separated, case-insensitive).
    pub fn search_schemas(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        keywords: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Schema>, SchemasError> {
        let words: Vec<String> = keywords.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Err(SchemasError::BadRequest(
                "Keywords must not be empty.".to_owned(),
            ));
        }
        self.page_schemas(account, region, registry, limit, token, |s| {
            let text = format!(
                "{}\n{}\n{}",
                s.name,
                s.description.as_deref().unwrap_or(""),
                s.latest().map_or("", |v| v.content.as_str())
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
    }

    /// ListSchemaVersions: oldest first.
    pub fn list_schema_versions(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<(Schema, Page<Version>), SchemasError> {
        let size = page_size(limit)?;
        let after = token
            .map(parse_token)
            .transpose()?
            .map(|t| {
                t.parse::<u64>().map_err(|_| {
                    SchemasError::BadRequest("The NextToken provided is invalid.".to_owned())
                })
            })
            .transpose()?;
        let state = self.state.read();
        let schema = state.schema(account, region, registry, name)?;
        let mut items: Vec<Version> = schema
            .versions
            .iter()
            .filter(|v| after.is_none_or(|a| v.version > a))
            .take(size + 1)
            .cloned()
            .collect();
        let next_token = (items.len() > size).then(|| {
            items.truncate(size);
            next_token(&items[size - 1].version.to_string())
        });
        Ok((schema.clone(), Page { items, next_token }))
    }

    /// ExportSchema: the version as JSON Schema draft 4 (the only export type).
    pub fn export_schema(
        &self,
        account: &str,
        region: &str,
        registry: &str,
        name: &str,
        version: Option<&str>,
        export_type: &str,
    ) -> Result<(Schema, Version, String), SchemasError> {
        if export_type != SchemaType::JSONSchemaDraft4.as_str() {
            return Err(SchemasError::BadRequest(format!(
                "Invalid export type {export_type}: only JSONSchemaDraft4 is supported."
            )));
        }
        let (schema, v) = self.describe_schema(account, region, registry, name, version)?;
        let content = match v.schema_type {
            SchemaType::JSONSchemaDraft4 => v.content.clone(),
            SchemaType::OpenApi3 => {
                let doc = check_content(SchemaType::OpenApi3, &v.content)?;
                openapi_to_draft4(&doc)?.to_string()
            }
        };
        Ok((schema, v, content))
    }
}
