//! Tags on registries, schemas and discoverers: TagResource, UntagResource,
//! ListTagsForResource.

use crate::error::SchemasError;
use crate::model::Tags;
use crate::names::{MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS, Resource, parse_arn};
use crate::store::Change;
use crate::{Core, key, schema_key};

/// Validates a tag map.
pub(crate) fn check_tags(tags: &Tags) -> Result<(), SchemasError> {
    if tags.len() > MAX_TAGS {
        return Err(SchemasError::BadRequest(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    for (k, v) in tags {
        let n = k.chars().count();
        if n == 0 || n > MAX_TAG_KEY {
            return Err(SchemasError::BadRequest(format!(
                "Tag key {k} must be between 1 and {MAX_TAG_KEY} characters long."
            )));
        }
        if k.starts_with("aws:") {
            return Err(SchemasError::BadRequest(format!(
                "Tag key {k} uses the reserved prefix aws:."
            )));
        }
        if v.chars().count() > MAX_TAG_VALUE {
            return Err(SchemasError::BadRequest(format!(
                "Tag value of {k} must be at most {MAX_TAG_VALUE} characters long."
            )));
        }
    }
    Ok(())
}

fn not_found(arn: &str) -> SchemasError {
    SchemasError::NotFound(format!("Resource {arn} does not exist."))
}

impl Core {
    /// Applies `f` to the tags of the resource `arn` names and stores the result.
    fn change_tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        f: impl FnOnce(&mut Tags) -> Result<(), SchemasError>,
    ) -> Result<(), SchemasError> {
        let resource = parse_arn(account, region, arn).ok_or_else(|| not_found(arn))?;
        let mut state = self.state.write();
        match resource {
            Resource::Registry(name) => {
                let k = key(account, region, &name);
                let mut r = state
                    .registries
                    .get(&k)
                    .cloned()
                    .ok_or_else(|| not_found(arn))?;
                f(&mut r.tags)?;
                self.store.apply(&[Change::PutRegistry(&k, &r)])?;
                state.registries.insert(k, r);
            }
            Resource::Schema(registry, name) => {
                let k = schema_key(account, region, &registry, &name);
                let mut s = state
                    .schemas
                    .get(&k)
                    .cloned()
                    .ok_or_else(|| not_found(arn))?;
                f(&mut s.tags)?;
                self.store.apply(&[Change::PutSchema(&k, &s)])?;
                state.schemas.insert(k, s);
            }
            Resource::Discoverer(id) => {
                let k = key(account, region, &id);
                let mut d = state
                    .discoverers
                    .get(&k)
                    .cloned()
                    .ok_or_else(|| not_found(arn))?;
                f(&mut d.tags)?;
                self.store.apply(&[Change::PutDiscoverer(&k, &d)])?;
                state.discoverers.insert(k, d);
            }
        }
        Ok(())
    }

    /// TagResource: adds or replaces tags.
    pub fn tag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        tags: Tags,
    ) -> Result<(), SchemasError> {
        check_tags(&tags)?;
        self.change_tags(account, region, arn, |t| {
            t.extend(tags);
            check_tags(t)
        })
    }

    /// UntagResource: removes the keys (absent keys are ignored).
    pub fn untag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<(), SchemasError> {
        if keys.is_empty() {
            return Err(SchemasError::BadRequest(
                "TagKeys must not be empty.".to_owned(),
            ));
        }
        self.change_tags(account, region, arn, |t| {
            for k in keys {
                t.remove(k);
            }
            Ok(())
        })
    }

    /// ListTagsForResource.
    pub fn list_tags(&self, account: &str, region: &str, arn: &str) -> Result<Tags, SchemasError> {
        let resource = parse_arn(account, region, arn).ok_or_else(|| not_found(arn))?;
        let state = self.state.read();
        let tags = match resource {
            Resource::Registry(name) => state
                .registries
                .get(&key(account, region, &name))
                .map(|r| r.tags.clone()),
            Resource::Schema(registry, name) => state
                .schemas
                .get(&schema_key(account, region, &registry, &name))
                .map(|s| s.tags.clone()),
            Resource::Discoverer(id) => state
                .discoverers
                .get(&key(account, region, &id))
                .map(|d| d.tags.clone()),
        };
        tags.ok_or_else(|| not_found(arn))
    }
}
