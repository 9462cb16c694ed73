//! Event bus operations: create, describe, list, update, delete.

use crate::error::EventsError;
use crate::limits::{MAX_DESCRIPTION, MAX_EVENT_BUSES};
use crate::model::{Bus, DEFAULT_BUS, Page, PageRequest, Tag};
use crate::names::{bus_arn, check_new_bus_name, paginate, resolve_bus};
use crate::store::Change;
use crate::tags::check_tags;
use crate::{Events, key};

pub(crate) fn check_description(d: Option<&str>) -> Result<(), EventsError> {
    match d {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => Err(EventsError::constraint(
            d,
            "description",
            &format!("Member must have length less than or equal to {MAX_DESCRIPTION}"),
        )),
        _ => Ok(()),
    }
}

fn default_bus(account: &str, region: &str) -> Bus {
    Bus {
        name: DEFAULT_BUS.to_owned(),
        arn: bus_arn(account, region, DEFAULT_BUS),
        description: None,
        created_millis: 0,
        modified_millis: 0,
        tags: Vec::new(),
        policy: None,
    }
}

impl Events {
    /// CreateEventBus.
    pub fn create_event_bus(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<Bus, EventsError> {
        check_new_bus_name(name)?;
        check_description(description)?;
        check_tags(&tags)?;
        let mut state = self.state.write();
        self.insert_bus(&mut state, account, region, name, description, tags, &[])
    }

    /// Stores a new bus (validated by the caller) with `extra` changes in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_bus(
        &self,
        state: &mut crate::State,
        account: &str,
        region: &str,
        name: &str,
        description: Option<&str>,
        tags: Vec<Tag>,
        extra: &[Change<'_>],
    ) -> Result<Bus, EventsError> {
        let k = key(account, region, name);
        if state.exists(&k) {
            return Err(EventsError::AlreadyExists(format!(
                "Event bus {name} already exists."
            )));
        }
        let custom = state
            .buses
            .iter()
            .filter(|(bk, b)| {
                bk.0 == account && bk.1 == region && bk.2 != DEFAULT_BUS && b.record.is_some()
            })
            .count();
        if custom >= MAX_EVENT_BUSES {
            return Err(EventsError::limit());
        }
        let now = self.clock.now_millis();
        let bus = Bus {
            name: name.to_owned(),
            arn: bus_arn(account, region, name),
            description: description.map(str::to_owned),
            created_millis: now,
            modified_millis: now,
            tags,
            policy: None,
        };
        let mut changes = vec![Change::PutBus(&k, &bus)];
        changes.extend_from_slice(extra);
        self.store.apply(&changes)?;
        state.buses.entry(k).or_default().record = Some(bus.clone());
        Ok(bus)
    }

    /// DescribeEventBus (`name` is a name or ARN; absent means the default bus).
    pub fn describe_event_bus(
        &self,
        account: &str,
        region: &str,
        name: Option<&str>,
    ) -> Result<Bus, EventsError> {
        let name = resolve_bus(account, region, name)?;
        let k = key(account, region, &name);
        let state = self.state.read();
        match state.bus(&k).and_then(|b| b.record.clone()) {
            Some(bus) => Ok(bus),
            None if name == DEFAULT_BUS => Ok(default_bus(account, region)),
            None => Err(EventsError::bus_not_found(&name)),
        }
    }

    /// ListEventBuses, sorted by name, the default bus included.
    pub fn list_event_buses(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Bus>, EventsError> {
        let state = self.state.read();
        let mut buses: Vec<Bus> = state
            .buses
            .iter()
            .filter(|(k, _)| k.0 == account && k.1 == region)
            .filter_map(|(_, b)| b.record.clone())
            .collect();
        if !buses.iter().any(|b| b.name == DEFAULT_BUS) {
            buses.push(default_bus(account, region));
        }
        drop(state);
        buses.retain(|b| prefix.is_none_or(|p| b.name.starts_with(p)));
        buses.sort_by(|a, b| a.name.cmp(&b.name));
        paginate(buses, |b| &b.name, page.limit, page.next_token.as_deref())
    }

    /// UpdateEventBus: changes the description (absent `name` means the default bus).
    pub fn update_event_bus(
        &self,
        account: &str,
        region: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Bus, EventsError> {
        let name = resolve_bus(account, region, name)?;
        check_description(description)?;
        let k = key(account, region, &name);
        let mut state = self.state.write();
        let current = state.bus_mut(&k)?;
        let mut bus = current
            .record
            .clone()
            .unwrap_or_else(|| default_bus(account, region));
        bus.description = description.map(str::to_owned);
        bus.modified_millis = self.clock.now_millis();
        self.store.apply(&[Change::PutBus(&k, &bus)])?;
        current.record = Some(bus.clone());
        Ok(bus)
    }

    /// DeleteEventBus: deletes a custom bus and its rules. Deleting a bus that does not exist
    /// succeeds, as in AWS; the default bus cannot be deleted.
    pub fn delete_event_bus(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), EventsError> {
        let name = resolve_bus(account, region, Some(name))?;
        if name == DEFAULT_BUS {
            return Err(EventsError::Validation(
                "Cannot delete event bus default.".to_owned(),
            ));
        }
        let k = key(account, region, &name);
        let mut state = self.state.write();
        if !state.exists(&k) {
            return Ok(());
        }
        self.store.apply(&[Change::DeleteBus(&k)])?;
        state.buses.remove(&k);
        Ok(())
    }
}

/// PutPermission's input.
#[derive(Debug, Clone, Default)]
pub struct PutPermissionInput {
    pub event_bus_name: Option<String>,
    pub action: Option<String>,
    pub principal: Option<String>,
    pub statement_id: Option<String>,
    pub condition: Option<crate::policy::Condition>,
    /// A whole policy, instead of the statement members.
    pub policy: Option<String>,
}

impl Events {
    fn change_policy(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        f: impl FnOnce(Option<&str>, &str) -> Result<Option<String>, EventsError>,
    ) -> Result<(), EventsError> {
        let name = resolve_bus(account, region, bus)?;
        let k = key(account, region, &name);
        let mut state = self.state.write();
        let current = state.bus_mut(&k)?;
        let mut record = current
            .record
            .clone()
            .unwrap_or_else(|| default_bus(account, region));
        record.policy = f(record.policy.as_deref(), &record.arn)?;
        record.modified_millis = self.clock.now_millis();
        self.store.apply(&[Change::PutBus(&k, &record)])?;
        current.record = Some(record);
        Ok(())
    }

    /// PutPermission: adds a statement letting an account (or `*`) put events on the bus, or
    /// replaces the whole policy.
    pub fn put_permission(
        &self,
        account: &str,
        region: &str,
        input: PutPermissionInput,
    ) -> Result<(), EventsError> {
        if let Some(policy) = input.policy {
            crate::policy::check_policy(&policy)?;
            return self.change_policy(account, region, input.event_bus_name.as_deref(), |_, _| {
                Ok(Some(policy))
            });
        }
        self.change_policy(
            account,
            region,
            input.event_bus_name.as_deref(),
            |current, arn| {
                let (sid, statement) = crate::policy::statement(
                    input.action.as_deref(),
                    input.principal.as_deref(),
                    input.statement_id.as_deref(),
                    input.condition.as_ref(),
                    arn,
                )?;
                crate::policy::add_statement(current, &sid, statement).map(Some)
            },
        )
    }

    /// RemovePermission: removes one statement, or the whole policy.
    pub fn remove_permission(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        statement_id: Option<&str>,
        remove_all: bool,
    ) -> Result<(), EventsError> {
        if remove_all {
            return self.change_policy(account, region, bus, |_, _| Ok(None));
        }
        let sid = statement_id.ok_or_else(|| {
            EventsError::Validation(
                "Parameter StatementId is required unless RemoveAllPermissions is true.".to_owned(),
            )
        })?;
        self.change_policy(account, region, bus, |current, _| {
            crate::policy::remove_statement(current, sid)
        })
    }

    /// Whether the bus `(account, region, bus)` lets `sender` put events on it: always for its own
    /// account, otherwise by its policy. `NotFound` if the bus does not exist.
    pub(crate) fn may_put(
        &self,
        account: &str,
        region: &str,
        bus: &str,
        sender: &str,
    ) -> Result<bool, EventsError> {
        may_put(&self.state.read(), account, region, bus, sender)
    }
}

/// [`Events::may_put`] under a lock the caller holds.
pub(crate) fn may_put(
    state: &crate::State,
    account: &str,
    region: &str,
    bus: &str,
    sender: &str,
) -> Result<bool, EventsError> {
    let k = key(account, region, bus);
    if !state.exists(&k) {
        return Err(EventsError::bus_not_found(bus));
    }
    if account == sender {
        return Ok(true);
    }
    let policy = state
        .bus(&k)
        .and_then(|b| b.record.as_ref())
        .and_then(|r| r.policy.as_deref());
    Ok(policy.is_some_and(|p| {
        crate::policy::allows_put_events(p, sender, &bus_arn(account, region, bus))
    }))
}
