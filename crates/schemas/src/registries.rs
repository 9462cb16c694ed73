//! Registries: CreateRegistry, DescribeRegistry, UpdateRegistry, DeleteRegistry,
//! ListRegistries. `aws.events`, AWS's registry, exists in every `(account, region)` and is
//! read-only; it holds no schemas here.

use crate::error::SchemasError;
use crate::model::{AWS_REGISTRY, DISCOVERED_REGISTRY, Page, Registry, Tags};
use crate::names::{
    check_description, check_registry_name, next_token, page_size, parse_token, registry_arn,
};
use crate::store::Change;
use crate::tags::check_tags;
use crate::{Core, key};

/// The AWS-owned registry as every account sees it.
pub(crate) fn aws_registry(account: &str, region: &str) -> Registry {
    Registry {
        name: AWS_REGISTRY.to_owned(),
        arn: registry_arn(account, region, AWS_REGISTRY),
        description: Some("Schemas for AWS events".to_owned()),
        tags: Tags::new(),
        created_millis: 0,
    }
}

/// The error for a change to the AWS-owned registry or its schemas.
pub(crate) fn read_only() -> SchemasError {
    SchemasError::Forbidden(format!(
        "Registry {AWS_REGISTRY} is managed by AWS and cannot be modified."
    ))
}

impl Core {
    /// CreateRegistry.
    pub fn create_registry(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<String>,
        tags: Tags,
    ) -> Result<Registry, SchemasError> {
        check_registry_name(name)?;
        check_description(description.as_deref())?;
        check_tags(&tags)?;
        if name == AWS_REGISTRY {
            return Err(SchemasError::Conflict(format!(
                "Registry with name {name} already exists."
            )));
        }
        if name.starts_with("aws.") {
            return Err(SchemasError::BadRequest(format!(
                "Invalid registry name {name}: the prefix aws. is reserved."
            )));
        }
        let k = key(account, region, name);
        let mut state = self.state.write();
        if state.registries.contains_key(&k) {
            return Err(SchemasError::Conflict(format!(
                "Registry with name {name} already exists."
            )));
        }
        let registry = Registry {
            name: name.to_owned(),
            arn: registry_arn(account, region, name),
            description,
            tags,
            created_millis: self.now(),
        };
        self.store.apply(&[Change::PutRegistry(&k, &registry)])?;
        state.registries.insert(k, registry.clone());
        Ok(registry)
    }

    /// DescribeRegistry.
    pub fn describe_registry(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Registry, SchemasError> {
        if name == AWS_REGISTRY {
            return Ok(aws_registry(account, region));
        }
        self.state
            .read()
            .registries
            .get(&key(account, region, name))
            .cloned()
            .ok_or_else(|| SchemasError::registry_not_found(name))
    }

    /// UpdateRegistry: the description (absent leaves it as it is).
    pub fn update_registry(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<String>,
    ) -> Result<Registry, SchemasError> {
        check_description(description.as_deref())?;
        if name == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = key(account, region, name);
        let mut state = self.state.write();
        let mut registry = state
            .registries
            .get(&k)
            .cloned()
            .ok_or_else(|| SchemasError::registry_not_found(name))?;
        if description.is_some() {
            registry.description = description;
        }
        self.store.apply(&[Change::PutRegistry(&k, &registry)])?;
        state.registries.insert(k, registry.clone());
        Ok(registry)
    }

    /// DeleteRegistry, with every schema in it.
    pub fn delete_registry(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), SchemasError> {
        if name == AWS_REGISTRY {
            return Err(read_only());
        }
        let k = key(account, region, name);
        let mut state = self.state.write();
        if !state.registries.contains_key(&k) {
            return Err(SchemasError::registry_not_found(name));
        }
        let victims: Vec<_> = state
            .schemas
            .keys()
            .filter(|s| s.0 == k.0 && s.1 == k.1 && s.2 == k.2)
            .cloned()
            .collect();
        let mut changes: Vec<Change<'_>> = victims.iter().map(Change::DeleteSchema).collect();
        changes.push(Change::DeleteRegistry(&k));
        self.store.apply(&changes)?;
        for v in &victims {
            state.schemas.remove(v);
        }
        state.registries.remove(&k);
        drop(state);
        if name == DISCOVERED_REGISTRY {
            self.seen.lock().clear();
        }
        Ok(())
    }

    /// ListRegistries, by name. `scope` is `Local` (yours), `AWS` (AWS's) or absent (both).
    pub fn list_registries(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        scope: Option<&str>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Registry>, SchemasError> {
        let size = page_size(limit)?;
        let after = token.map(parse_token).transpose()?;
        let (local, aws) = match scope {
            None => (true, true),
            Some("Local") => (true, false),
            Some("AWS") => (false, true),
            Some(s) => {
                return Err(SchemasError::BadRequest(format!(
                    "Invalid scope {s}: it must be Local or AWS."
                )));
            }
        };
        let state = self.state.read();
        let mut all: Vec<Registry> = Vec::new();
        if aws {
            all.push(aws_registry(account, region));
        }
        if local {
            all.extend(
                state
                    .registries
                    .iter()
                    .filter(|(k, _)| k.0 == account && k.1 == region)
                    .map(|(_, r)| r.clone()),
            );
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let mut items: Vec<Registry> = all
            .into_iter()
            .filter(|r| prefix.is_none_or(|p| r.name.starts_with(p)))
            .filter(|r| after.as_deref().is_none_or(|a| r.name.as_str() > a))
            .take(size + 1)
            .collect();
        let next_token = (items.len() > size).then(|| {
            items.truncate(size);
            next_token(&items[size - 1].name)
        });
        Ok(Page { items, next_token })
    }
}
