//! Events entering a bus: PutEvents, internal events from other domains, forwarded events from
//! bus targets, and TestEventPattern. Matching uses the bus's compiled rule set; each matched
//! target gets one queued delivery with its input already derived.

use openwatch_patterns::Pattern;
use openwatch_storage::Position;
use serde_json::Value;

use crate::archives::archive_items;
use crate::buses::may_put;
use crate::error::EventsError;
use crate::event::{
    self, EntryResult, Envelope, EventEntry, REQUIRED_EVENT_FIELDS, check_entry, entries_too_large,
};
use crate::limits::{
    DEFAULT_MAX_EVENT_AGE_SECONDS, DEFAULT_MAX_RETRY_ATTEMPTS, MAX_PUT_EVENTS_ENTRIES,
};
use crate::model::{DEFAULT_BUS, Rule, RuleState, Target};

/// The detail-type of API calls recorded by the trail.
pub const API_CALL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";
use crate::names::resolve_bus_anywhere;
use crate::queue::Delivery;
use crate::transform::{JsonPath, RuleContext, apply_transformer};
use crate::{BusState, Events, key};

/// What `target` receives for `event`.
pub(crate) fn target_input(
    target: &Target,
    rule: &Rule,
    event: &Value,
    ingestion_time: &str,
) -> String {
    if let Some(input) = &target.input {
        return input.clone();
    }
    if let Some(path) = &target.input_path {
        return JsonPath::parse(path)
            .and_then(|p| p.select(event))
            .unwrap_or(Value::Null)
            .to_string();
    }
    if let Some(t) = &target.input_transformer {
        let ctx = RuleContext {
            rule_arn: &rule.arn,
            rule_name: &rule.name,
            ingestion_time,
        };
        return apply_transformer(t, event, ctx);
    }
    event.to_string()
}

/// One delivery per target of `rule`.
pub(crate) fn deliveries_for(
    rule: &Rule,
    event: &Value,
    event_id: &str,
    account: &str,
    region: &str,
    now: i64,
    out: &mut Vec<Delivery>,
) {
    let ingestion_time = event::format_time(now);
    for t in &rule.targets {
        let policy = t.retry_policy.unwrap_or(crate::model::RetryPolicy {
            maximum_retry_attempts: None,
            maximum_event_age_in_seconds: None,
        });
        out.push(Delivery {
            id: 0,
            account: account.to_owned(),
            region: region.to_owned(),
            rule_arn: rule.arn.clone(),
            target_id: t.id.clone(),
            target_arn: t.arn.clone(),
            event_id: event_id.to_owned(),
            payload: target_input(t, rule, event, &ingestion_time),
            enqueued_millis: now,
            attempts: 0,
            next_attempt_millis: now,
            max_retry_attempts: policy
                .maximum_retry_attempts
                .unwrap_or(DEFAULT_MAX_RETRY_ATTEMPTS),
            max_age_seconds: policy
                .maximum_event_age_in_seconds
                .unwrap_or(DEFAULT_MAX_EVENT_AGE_SECONDS),
            dead_letter_arn: t.dead_letter_arn.clone(),
            last_error: None,
        });
    }
}

/// Whose rules an event is routed by, and when.
#[derive(Debug, Clone, Copy)]
struct Routing<'a> {
    /// The bus owner.
    account: &'a str,
    region: &'a str,
    now: i64,
    only: Option<&'a [String]>,
    /// A read-only API call recorded by the trail: only rules in the
    /// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state receive it.
    read_only_api_call: bool,
}

/// How an event enters a bus.
#[derive(Debug, Clone, Copy)]
enum Mode<'a> {
    /// New: routed and archived.
    Live { read_only_api_call: bool },
    /// Replayed from an archive to these rules (all if `None`); not archived again.
    Replay(Option<&'a [String]>),
}

/// Matches `event` against the bus's enabled rules (only those in `only`, if given) and collects
/// the deliveries.
fn route(bus: &BusState, event: &Value, event_id: &str, at: Routing<'_>, out: &mut Vec<Delivery>) {
    let Routing {
        account,
        region,
        now,
        only,
        read_only_api_call,
    } = at;
    let mut matched = bus.matcher.matches(event);
    matched.sort();
    for name in matched {
        if only.is_some_and(|names| !names.contains(&name)) {
            continue;
        }
        if let Some(rule) = bus.rules.get(&name)
            && rule.state.is_enabled()
            && (!read_only_api_call
                || rule.state == RuleState::EnabledWithAllCloudTrailManagementEvents)
        {
            deliveries_for(rule, event, event_id, account, region, now, out);
        }
    }
}

fn new_event_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Events {
    /// PutEvents: validates every entry, routes the valid ones, and returns once their deliveries
    /// are durable. A request-level error (entry count, total size) changes nothing.
    pub async fn put_events(
        &self,
        account: &str,
        region: &str,
        entries: &[EventEntry],
    ) -> Result<Vec<EntryResult>, EventsError> {
        if entries.is_empty() || entries.len() > MAX_PUT_EVENTS_ENTRIES {
            return Err(EventsError::constraint(
                "[...]",
                "entries",
                &format!("Member must have length between 1 and {MAX_PUT_EVENTS_ENTRIES}"),
            ));
        }
        if entries_too_large(entries) {
            return Err(EventsError::Validation(
                "Total size of the entries in the request is over the limit.".to_owned(),
            ));
        }
        let now = self.clock.now_millis();
        let mut results = Vec::with_capacity(entries.len());
        let mut deliveries = Vec::new();
        let mut archived = Vec::new();
        {
            let state = self.state.read();
            for e in entries {
                let (source, detail_type, detail) = match check_entry(e) {
                    Ok(parts) => parts,
                    Err(failed) => {
                        results.push(failed);
                        continue;
                    }
                };
                let (owner, bus) =
                    match resolve_bus_anywhere(account, region, e.event_bus_name.as_deref()) {
                        Ok(b) => b,
                        Err(err) => {
                            results.push(EntryResult::failed("InvalidArgument", err.to_string()));
                            continue;
                        }
                    };
                match may_put(&state, &owner, region, &bus, account) {
                    Ok(true) => {}
                    Ok(false) => {
                        results.push(EntryResult::failed(
                            "AccessDeniedException",
                            format!("Account {account} is not authorized to put events on event bus {bus} of account {owner}: the bus policy does not allow it."),
                        ));
                        continue;
                    }
                    Err(err) => {
                        results.push(EntryResult::failed(err.code(), err.to_string()));
                        continue;
                    }
                }
                let k = key(&owner, region, &bus);
                let id = new_event_id();
                let time_millis = e.time_millis.unwrap_or(now);
                let event = event::envelope(Envelope {
                    id: &id,
                    source: &source,
                    detail_type: &detail_type,
                    account,
                    region,
                    time_millis,
                    resources: &e.resources,
                    detail,
                });
                if let Some(b) = state.bus(&k) {
                    let at = Routing {
                        account: &owner,
                        region,
                        now,
                        only: None,
                        read_only_api_call: false,
                    };
                    route(b, &event, &id, at, &mut deliveries);
                }
                archive_items(
                    &state,
                    &owner,
                    region,
                    &bus,
                    &event,
                    time_millis,
                    &mut archived,
                );
                self.observe(&owner, region, &bus, &event);
                results.push(EntryResult::Accepted { event_id: id });
            }
        }
        let archived_at = self.archive_log.append(archived, now)?;
        let queued_at = self.queue.enqueue(deliveries)?;
        if let Some(pos) = archived_at {
            self.archive_log.durable(pos).await?;
        }
        if let Some(pos) = queued_at {
            self.queue.durable(pos).await?;
        }
        Ok(results)
    }

    /// Routes an already-shaped event on bus `bus` of `(account, region)`; returns the queue
    /// position to wait on, if anything was queued.
    pub(crate) fn ingest(
        &self,
        account: &str,
        region: &str,
        bus: &str,
        event: &Value,
    ) -> Result<Option<Position>, EventsError> {
        let mode = Mode::Live {
            read_only_api_call: false,
        };
        self.route_event(account, region, bus, event, mode)
    }

    /// Sends a replayed event to the rules `rules` of the bus (every rule if empty); replayed
    /// events are not archived again.
    pub(crate) fn replay_event(
        &self,
        account: &str,
        region: &str,
        bus: &str,
        event: &Value,
        rules: &[String],
    ) -> Result<(), EventsError> {
        let only = (!rules.is_empty()).then_some(rules);
        self.route_event(account, region, bus, event, Mode::Replay(only))
            .map(|_| ())
    }

    /// Routes, and unless it is replayed archives, an event on a bus.
    fn route_event(
        &self,
        account: &str,
        region: &str,
        bus: &str,
        event: &Value,
        mode: Mode<'_>,
    ) -> Result<Option<Position>, EventsError> {
        let now = self.clock.now_millis();
        let k = key(account, region, bus);
        let mut deliveries = Vec::new();
        let mut archived = Vec::new();
        {
            let state = self.state.read();
            if !state.exists(&k) {
                return Err(EventsError::bus_not_found(bus));
            }
            if let Some(b) = state.bus(&k) {
                let id = event.get("id").and_then(Value::as_str).unwrap_or_default();
                let (only, read_only_api_call) = match mode {
                    Mode::Live { read_only_api_call } => (None, read_only_api_call),
                    Mode::Replay(only) => (only, false),
                };
                let at = Routing {
                    account,
                    region,
                    now,
                    only,
                    read_only_api_call,
                };
                route(b, event, id, at, &mut deliveries);
            }
            if matches!(mode, Mode::Live { .. }) {
                let time = event
                    .get("time")
                    .and_then(Value::as_str)
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .map_or(now, |t| t.as_millisecond());
                archive_items(&state, account, region, bus, event, time, &mut archived);
                self.observe(account, region, bus, event);
            }
        }
        self.archive_log.append(archived, now)?;
        self.queue.enqueue(deliveries)
    }

    /// An event from another domain (alarm state change, API call recorded by the trail…) onto
    /// the default bus of `(account, region)`. Returns the event id. The deliveries are queued in
    /// the log (durable within the group-commit interval).
    pub fn put_internal(
        &self,
        account: &str,
        region: &str,
        source: &str,
        detail_type: &str,
        detail: Value,
        resources: &[String],
    ) -> Result<String, EventsError> {
        let id = new_event_id();
        let event = event::envelope(Envelope {
            id: &id,
            source,
            detail_type,
            account,
            region,
            time_millis: self.clock.now_millis(),
            resources,
            detail,
        });
        self.ingest(account, region, DEFAULT_BUS, &event)?;
        Ok(id)
    }

    /// Whether an event put on the default bus of `(account, region)` could reach anything (it
    /// has rule or archive state, or the observer watches it). Producers of internal events check
    /// it first to skip building events nothing would receive.
    pub fn default_bus_has_routes(&self, account: &str, region: &str) -> bool {
        self.state
            .read()
            .bus(&key(account, region, DEFAULT_BUS))
            .is_some()
            || self.observes(account, region, DEFAULT_BUS)
    }

    /// An API call recorded by the trail, as EventBridge delivers it: `source` is the service's
    /// (`aws.<service>`), detail-type "AWS API Call via CloudTrail", `detail` the CloudTrail
    /// record. Read-only calls reach only rules in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`
    /// state, as in AWS. Returns the event id.
    pub fn put_api_call(
        &self,
        account: &str,
        region: &str,
        source: &str,
        detail: Value,
        read_only: bool,
    ) -> Result<String, EventsError> {
        let id = new_event_id();
        let event = event::envelope(Envelope {
            id: &id,
            source,
            detail_type: API_CALL_DETAIL_TYPE,
            account,
            region,
            time_millis: self.clock.now_millis(),
            resources: &[],
            detail,
        });
        let mode = Mode::Live {
            read_only_api_call: read_only,
        };
        self.route_event(account, region, DEFAULT_BUS, &event, mode)?;
        Ok(id)
    }

    /// TestEventPattern.
    pub fn test_event_pattern(&self, pattern: &str, event: &str) -> Result<bool, EventsError> {
        let pattern =
            Pattern::parse(pattern).map_err(|e| EventsError::InvalidEventPattern(e.to_string()))?;
        let event: Value = serde_json::from_str(event)
            .ok()
            .filter(|v: &Value| {
                v.as_object()
                    .is_some_and(|m| REQUIRED_EVENT_FIELDS.iter().all(|f| m.contains_key(*f)))
            })
            .ok_or_else(|| EventsError::Validation("Parameter Event is not valid.".to_owned()))?;
        Ok(pattern.matches(&event))
    }
}
