//! Discoverers: CreateDiscoverer, DescribeDiscoverer, UpdateDiscoverer, DeleteDiscoverer,
//! ListDiscoverers, StartDiscoverer, StopDiscoverer. One discoverer per bus, with the id
//! `events-event-bus-<bus>`; the owner's `discovered-schemas` registry is created with it.

use crate::error::SchemasError;
use crate::model::{DISCOVERED_REGISTRY, Discoverer, DiscovererState, Page, Registry, Tags};
use crate::names::{
    SOURCE_ARN_LEN, check_description, discoverer_arn, next_token, page_size, parse_bus_arn,
    parse_token, registry_arn,
};
use crate::store::Change;
use crate::tags::check_tags;
use crate::{Core, key};

/// CreateDiscoverer's input.
#[derive(Debug, Clone, Default)]
pub struct CreateDiscoverer {
    pub source_arn: String,
    pub description: Option<String>,
    /// Default true.
    pub cross_account: Option<bool>,
    pub tags: Tags,
}

impl Core {
    /// CreateDiscoverer: started at once.
    pub fn create_discoverer(
        &self,
        account: &str,
        region: &str,
        input: CreateDiscoverer,
    ) -> Result<Discoverer, SchemasError> {
        let arn = input.source_arn.as_str();
        let (min, max) = SOURCE_ARN_LEN;
        if arn.len() < min || arn.len() > max {
            return Err(SchemasError::BadRequest(format!(
                "SourceArn must be between {min} and {max} characters long."
            )));
        }
        check_description(input.description.as_deref())?;
        check_tags(&input.tags)?;
        let (bus_region, bus_account, bus) = parse_bus_arn(arn).ok_or_else(|| {
            SchemasError::BadRequest(format!("SourceArn {arn} is not an event bus ARN."))
        })?;
        if bus_region != region || bus_account != account {
            return Err(SchemasError::BadRequest(format!(
                "SourceArn {arn} must name an event bus of account {account} in {region}."
            )));
        }
        if let Some(dir) = self.buses.get()
            && !dir.bus_exists(account, region, bus)
        {
            return Err(SchemasError::BadRequest(format!(
                "Event bus {bus} does not exist."
            )));
        }
        let id = format!("events-event-bus-{bus}");
        let k = key(account, region, &id);
        let now = self.now();
        let mut state = self.state.write();
        if state.discoverers.contains_key(&k) {
            return Err(SchemasError::Conflict(format!(
                "Discoverer for SourceArn {arn} already exists."
            )));
        }
        let discoverer = Discoverer {
            arn: discoverer_arn(account, region, &id),
            id,
            source_arn: arn.to_owned(),
            bus: bus.to_owned(),
            description: input.description,
            state: DiscovererState::STARTED,
            cross_account: input.cross_account.unwrap_or(true),
            tags: input.tags,
            created_millis: now,
        };
        let rk = key(account, region, DISCOVERED_REGISTRY);
        let registry = (!state.registries.contains_key(&rk)).then(|| Registry {
            name: DISCOVERED_REGISTRY.to_owned(),
            arn: registry_arn(account, region, DISCOVERED_REGISTRY),
            description: None,
            tags: Tags::new(),
            created_millis: now,
        });
        let mut changes = vec![Change::PutDiscoverer(&k, &discoverer)];
        if let Some(r) = &registry {
            changes.push(Change::PutRegistry(&rk, r));
        }
        self.store.apply(&changes)?;
        if let Some(r) = registry {
            state.registries.insert(rk, r);
        }
        state.discoverers.insert(k, discoverer.clone());
        drop(state);
        self.reindex();
        Ok(discoverer)
    }

    /// DescribeDiscoverer.
    pub fn describe_discoverer(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<Discoverer, SchemasError> {
        self.state
            .read()
            .discoverers
            .get(&key(account, region, id))
            .cloned()
            .ok_or_else(|| SchemasError::discoverer_not_found(id))
    }

    /// Applies `f` to a stored discoverer and stores the result.
    fn change_discoverer(
        &self,
        account: &str,
        region: &str,
        id: &str,
        f: impl FnOnce(&mut Discoverer),
    ) -> Result<Discoverer, SchemasError> {
        let k = key(account, region, id);
        let mut state = self.state.write();
        let mut d = state
            .discoverers
            .get(&k)
            .cloned()
            .ok_or_else(|| SchemasError::discoverer_not_found(id))?;
        f(&mut d);
        self.store.apply(&[Change::PutDiscoverer(&k, &d)])?;
        state.discoverers.insert(k, d.clone());
        drop(state);
        self.reindex();
        Ok(d)
    }

    /// UpdateDiscoverer: description and cross-account discovery (absent members are kept).
    pub fn update_discoverer(
        &self,
        account: &str,
        region: &str,
        id: &str,
        description: Option<String>,
        cross_account: Option<bool>,
    ) -> Result<Discoverer, SchemasError> {
        check_description(description.as_deref())?;
        self.change_discoverer(account, region, id, |d| {
            if description.is_some() {
                d.description = description;
            }
            if let Some(c) = cross_account {
                d.cross_account = c;
            }
        })
    }

    /// StartDiscoverer / StopDiscoverer.
    pub fn set_discoverer_state(
        &self,
        account: &str,
        region: &str,
        id: &str,
        state: DiscovererState,
    ) -> Result<Discoverer, SchemasError> {
        self.change_discoverer(account, region, id, |d| d.state = state)
    }

    /// DeleteDiscoverer (its discovered schemas stay).
    pub fn delete_discoverer(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<(), SchemasError> {
        let k = key(account, region, id);
        let mut state = self.state.write();
        if !state.discoverers.contains_key(&k) {
            return Err(SchemasError::discoverer_not_found(id));
        }
        self.store.apply(&[Change::DeleteDiscoverer(&k)])?;
        state.discoverers.remove(&k);
        drop(state);
        self.reindex();
        Ok(())
    }

    /// ListDiscoverers, by id.
    pub fn list_discoverers(
        &self,
        account: &str,
        region: &str,
        id_prefix: Option<&str>,
        source_arn_prefix: Option<&str>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Discoverer>, SchemasError> {
        let size = page_size(limit)?;
        let after = token.map(parse_token).transpose()?;
        let state = self.state.read();
        let mut items: Vec<Discoverer> = state
            .discoverers
            .iter()
            .filter(|(k, _)| k.0 == account && k.1 == region)
            .map(|(_, d)| d)
            .filter(|d| id_prefix.is_none_or(|p| d.id.starts_with(p)))
            .filter(|d| source_arn_prefix.is_none_or(|p| d.source_arn.starts_with(p)))
            .filter(|d| after.as_deref().is_none_or(|a| d.id.as_str() > a))
            .take(size + 1)
            .cloned()
            .collect();
        let next_token = (items.len() > size).then(|| {
            items.truncate(size);
            next_token(&items[size - 1].id)
        });
        Ok(Page { items, next_token })
    }
}
