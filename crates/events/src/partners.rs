//! Partner event sources. The partner side: CreatePartnerEventSource (a source named
//! `aws.partner/<partner>/<...>` for one customer account, PENDING), ListPartnerEventSources,
//! DescribePartnerEventSource, ListPartnerEventSourceAccounts, DeletePartnerEventSource and
//! PutPartnerEvents. The customer side: ListEventSources, DescribeEventSource,
//! ActivateEventSource, DeactivateEventSource, and CreateEventBus with an EventSourceName (the
//! partner bus, named as the source; creating it activates the source).
//!
//! Any account of this server may act as a partner; a source belongs to the partner account
//! that created it, and only that account may put events with it as `Source`. PutPartnerEvents
//! routes each entry to the partner bus of every customer account whose source of that name is
//! ACTIVE; events for a PENDING source, or one whose bus was deleted, are accepted and dropped,
//! as AWS does for a source nobody listens to.

use serde_json::Value;

use crate::error::EventsError;
use crate::event::{EntryResult, Envelope, EventEntry, entries_too_large, envelope};
use crate::limits::MAX_BUS_NAME;
use crate::model::{Bus, EventSourceState, Page, PageRequest, PartnerSource, Tag};
use crate::names::{in_scope, paginate};
use crate::store::Change;
use crate::{Events, key};

/// Most entries in one PutPartnerEvents request.
pub const MAX_PUT_PARTNER_EVENTS_ENTRIES: usize = 20;
/// Most partner event sources one partner account may create per region.
pub const MAX_PARTNER_SOURCES: usize = 1000;

/// Validates a partner event source name: `aws.partner(/[.\-_A-Za-z0-9]+){2,}`, 1–256 chars.
pub fn check_source_name(name: &str, member: &str) -> Result<(), EventsError> {
    if name.is_empty() || name.len() > MAX_BUS_NAME {
        return Err(EventsError::constraint(
            name,
            member,
            &format!("Member must have length between 1 and {MAX_BUS_NAME}"),
        ));
    }
    let segments: Vec<&str> = name
        .strip_prefix("aws.partner/")
        .map(|r| r.split('/').collect())
        .unwrap_or_default();
    let ok = segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        });
    if !ok {
        return Err(EventsError::constraint(
            name,
            member,
            "Member must satisfy regular expression pattern: aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}",
        ));
    }
    Ok(())
}

fn check_account(account: &str) -> Result<(), EventsError> {
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EventsError::constraint(
            account,
            "account",
            "Member must satisfy regular expression pattern: \\d{12}",
        ));
    }
    Ok(())
}

fn source_not_found(name: &str) -> EventsError {
    EventsError::NotFound(format!("Event source {name} does not exist."))
}

/// The ARN AWS gives an event source (no account: the name is global to the partner).
pub fn source_arn(region: &str, name: &str) -> String {
    format!("arn:aws:events:{region}::event-source/{name}")
}

impl Events {
    /// CreatePartnerEventSource, called by the partner account.
    pub fn create_partner_event_source(
        &self,
        partner: &str,
        region: &str,
        name: &str,
        account: &str,
    ) -> Result<PartnerSource, EventsError> {
        check_source_name(name, "name")?;
        check_account(account)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        if let Some(existing) = state.partner_sources.get(&k) {
            let by = if existing.partner_account == partner {
                ""
            } else {
                " (created by another partner)"
            };
            return Err(EventsError::AlreadyExists(format!(
                "Event source {name} already exists for account {account}{by}."
            )));
        }
        if state
            .partner_sources
            .iter()
            .any(|(sk, s)| sk.2 == name && sk.1 == region && s.partner_account != partner)
        {
            return Err(EventsError::AlreadyExists(format!(
                "Event source {name} belongs to another partner."
            )));
        }
        let mine = state
            .partner_sources
            .iter()
            .filter(|(sk, s)| sk.1 == region && s.partner_account == partner)
            .count();
        if mine >= MAX_PARTNER_SOURCES {
            return Err(EventsError::limit());
        }
        let s = PartnerSource {
            name: name.to_owned(),
            arn: source_arn(region, name),
            account: account.to_owned(),
            partner_account: partner.to_owned(),
            state: EventSourceState::Pending,
            created_millis: self.clock.now_millis(),
        };
        self.store.apply(&[Change::PutPartnerSource(&k, &s)])?;
        state.partner_sources.insert(k, s.clone());
        Ok(s)
    }

    /// The sources `partner` created in `region` with `filter`, sorted by (name, account).
    fn partner_sources(
        &self,
        partner: &str,
        region: &str,
        filter: impl Fn(&PartnerSource) -> bool,
    ) -> Vec<PartnerSource> {
        let mut v: Vec<PartnerSource> = self
            .state
            .read()
            .partner_sources
            .iter()
            .filter(|(k, s)| k.1 == region && s.partner_account == partner && filter(s))
            .map(|(_, s)| s.clone())
            .collect();
        v.sort_by(|a, b| (&a.name, &a.account).cmp(&(&b.name, &b.account)));
        v
    }

    /// ListPartnerEventSources: the partner's source names starting with `prefix`, one item
    /// per name.
    pub fn list_partner_event_sources(
        &self,
        partner: &str,
        region: &str,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<PartnerSource>, EventsError> {
        let mut items = self.partner_sources(partner, region, |s| s.name.starts_with(prefix));
        items.dedup_by(|a, b| a.name == b.name);
        paginate(items, |s| &s.name, page.limit, page.next_token.as_deref())
    }

    /// DescribePartnerEventSource.
    pub fn describe_partner_event_source(
        &self,
        partner: &str,
        region: &str,
        name: &str,
    ) -> Result<PartnerSource, EventsError> {
        check_source_name(name, "name")?;
        self.partner_sources(partner, region, |s| s.name == name)
            .into_iter()
            .next()
            .ok_or_else(|| source_not_found(name))
    }

    /// ListPartnerEventSourceAccounts: the customer accounts of one of the partner's sources.
    pub fn list_partner_event_source_accounts(
        &self,
        partner: &str,
        region: &str,
        name: &str,
        page: &PageRequest,
    ) -> Result<Page<PartnerSource>, EventsError> {
        check_source_name(name, "eventSourceName")?;
        let items = self.partner_sources(partner, region, |s| s.name == name);
        if items.is_empty() {
            return Err(source_not_found(name));
        }
        paginate(
            items,
            |s| &s.account,
            page.limit,
            page.next_token.as_deref(),
        )
    }

    /// DeletePartnerEventSource: the customer's partner bus stays but receives nothing more.
    pub fn delete_partner_event_source(
        &self,
        partner: &str,
        region: &str,
        name: &str,
        account: &str,
    ) -> Result<(), EventsError> {
        check_source_name(name, "name")?;
        check_account(account)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        match state.partner_sources.get(&k) {
            Some(s) if s.partner_account == partner => {}
            _ => return Err(source_not_found(name)),
        }
        self.store.apply(&[Change::DeletePartnerSource(&k)])?;
        state.partner_sources.remove(&k);
        Ok(())
    }

    /// ListEventSources: the sources partners created for `account`.
    pub fn list_event_sources(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<PartnerSource>, EventsError> {
        let items: Vec<PartnerSource> =
            in_scope(&self.state.read().partner_sources, account, region, prefix)
                .map(|(_, s)| s.clone())
                .collect();
        paginate(items, |s| &s.name, page.limit, page.next_token.as_deref())
    }

    /// DescribeEventSource.
    pub fn describe_event_source(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<PartnerSource, EventsError> {
        check_source_name(name, "name")?;
        self.state
            .read()
            .partner_sources
            .get(&key(account, region, name))
            .cloned()
            .ok_or_else(|| source_not_found(name))
    }

    /// ActivateEventSource (PENDING → ACTIVE) or DeactivateEventSource (ACTIVE → PENDING).
    pub fn set_event_source_active(
        &self,
        account: &str,
        region: &str,
        name: &str,
        active: bool,
    ) -> Result<PartnerSource, EventsError> {
        check_source_name(name, "name")?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let old = state
            .partner_sources
            .get(&k)
            .cloned()
            .ok_or_else(|| source_not_found(name))?;
        let (from, to) = if active {
            (EventSourceState::Pending, EventSourceState::Active)
        } else {
            (EventSourceState::Active, EventSourceState::Pending)
        };
        if old.state != from {
            return Err(EventsError::InvalidState(format!(
                "Event source {name} is {}; it must be {} to be {}.",
                old.state.as_str(),
                from.as_str(),
                if active { "activated" } else { "deactivated" }
            )));
        }
        let s = PartnerSource { state: to, ..old };
        self.store.apply(&[Change::PutPartnerSource(&k, &s)])?;
        state.partner_sources.insert(k, s.clone());
        Ok(s)
    }

    /// CreateEventBus with an EventSourceName: the partner bus, named as its source, which
    /// becomes ACTIVE in the same transaction.
    pub fn create_partner_event_bus(
        &self,
        account: &str,
        region: &str,
        name: &str,
        event_source_name: &str,
        description: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<Bus, EventsError> {
        check_source_name(event_source_name, "eventSourceName")?;
        if name != event_source_name {
            return Err(EventsError::Validation(
                "Event bus name must match the event source name for partner event buses."
                    .to_owned(),
            ));
        }
        crate::buses::check_description(description)?;
        crate::tags::check_tags(&tags)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let source = state
            .partner_sources
            .get(&k)
            .cloned()
            .ok_or_else(|| source_not_found(name))?;
        let active = PartnerSource {
            state: EventSourceState::Active,
            ..source
        };
        let bus = self.insert_bus(
            &mut state,
            account,
            region,
            name,
            description,
            tags,
            &[Change::PutPartnerSource(&k, &active)],
        )?;
        state.partner_sources.insert(k, active);
        Ok(bus)
    }

    /// PutPartnerEvents, called by the partner account: each entry's Source must be one of its
    /// sources; returns once the deliveries are durable.
    pub async fn put_partner_events(
        &self,
        partner: &str,
        region: &str,
        entries: &[EventEntry],
    ) -> Result<Vec<EntryResult>, EventsError> {
        if entries.is_empty() || entries.len() > MAX_PUT_PARTNER_EVENTS_ENTRIES {
            return Err(EventsError::constraint(
                "[...]",
                "entries",
                &format!("Member must have length between 1 and {MAX_PUT_PARTNER_EVENTS_ENTRIES}"),
            ));
        }
        if entries_too_large(entries) {
            return Err(EventsError::Validation(
                "Total size of the entries in the request is over the limit.".to_owned(),
            ));
        }
        let now = self.clock.now_millis();
        let mut results = Vec::with_capacity(entries.len());
        let mut last = None;
        for e in entries {
            let (source, detail_type, detail) = match check_partner_entry(e) {
                Ok(parts) => parts,
                Err(failed) => {
                    results.push(failed);
                    continue;
                }
            };
            let customers: Vec<PartnerSource> =
                self.partner_sources(partner, region, |s| s.name == source);
            if customers.is_empty() {
                results.push(EntryResult::failed(
                    "NotAuthorizedForSourceException",
                    "Not authorized for the source.",
                ));
                continue;
            }
            let id = uuid::Uuid::new_v4().to_string();
            for c in customers
                .iter()
                .filter(|c| c.state == EventSourceState::Active)
            {
                let event = envelope(Envelope {
                    id: &id,
                    source: &source,
                    detail_type: &detail_type,
                    account: &c.account,
                    region,
                    time_millis: e.time_millis.unwrap_or(now),
                    resources: &e.resources,
                    detail: detail.clone(),
                });
                match self.ingest(&c.account, region, &source, &event) {
                    Ok(pos) => last = pos.or(last),
                    // The customer deleted the partner bus: nobody receives the event.
                    Err(EventsError::NotFound(_)) => {}
                    Err(err) => return Err(err),
                }
            }
            results.push(EntryResult::Accepted { event_id: id });
        }
        if let Some(pos) = last {
            self.queue.durable(pos).await?;
        }
        Ok(results)
    }
}

/// A partner entry's Source, DetailType and parsed Detail, or its per-entry error.
fn check_partner_entry(e: &EventEntry) -> Result<(String, String, Value), EntryResult> {
    let required = |member: &str, v: &Option<String>| match v.as_deref() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
        _ => Err(EntryResult::failed(
            "InvalidArgument",
            format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
        )),
    };
    let source = required("Source", &e.source)?;
    let detail_type = required("DetailType", &e.detail_type)?;
    let detail_text = required("Detail", &e.detail)?;
    match serde_json::from_str(&detail_text) {
        Ok(v @ Value::Object(_)) => Ok((source, detail_type, v)),
        _ => Err(EntryResult::failed(
            "MalformedDetail",
            "Detail is malformed.",
        )),
    }
}
