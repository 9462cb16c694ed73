//! EventBridge: event buses, rules with the event-pattern language, targets and delivery.
//!
//! [`Events`] owns every bus, rule and target of every `(account, region)`: metadata in the catalog
//! (tables `events_buses`, `events_rules`), a compiled [`openwatch_patterns::RuleSet`] per bus kept
//! in memory and updated on every rule change, and a write-ahead-logged delivery [`queue`]. PutEvents
//! matches an event against its bus's enabled rules and queues one delivery per matched target,
//! durably, before it answers; [`Events::run_deliveries`] (a scheduler job) delivers with retries,
//! backoff and dead-lettering, and [`Events::run_schedules`] fires scheduled rules on the clock.
//!
//! Targets: another event bus on this server is delivered to by the domain itself; every other
//! kind goes through a [`TargetSink`] the server registers, so this crate depends on no other
//! domain. **Architecture Invariant**: this crate knows nothing of HTTP or the wire.

pub mod archive;
pub mod error;
pub mod event;
/// Outbound HTTP (shared with SNS).
pub use openwatch_outbound as http;
pub mod limits;
pub mod model;
pub mod names;
pub mod policy;
pub mod queue;
pub mod schedule;
mod store;
pub mod transform;

mod archives;
mod buses;
mod connections;
mod delivery;
mod destinations;
mod ingest;
mod oauth;
mod observe;
mod partners;
mod rules;
mod tags;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use openwatch_patterns::{Pattern, RuleSet};
use parking_lot::RwLock;

pub use archives::{ArchiveInfo, CreateArchiveInput, StartReplayInput};
pub use buses::PutPermissionInput;
pub use connections::ConnectionUpdate;
pub use delivery::{DeliveryReport, DeliveryRequest, TargetSink};
pub use destinations::ApiDestinationUpdate;
pub use error::EventsError;
pub use event::{EntryResult, EventEntry};
pub use ingest::API_CALL_DETAIL_TYPE;
pub use model::{
    ApiDestination, Archive, Bus, Connection, ConnectionAuth, ConnectionState, DEFAULT_BUS,
    EventSourceState, HttpParameter, HttpParameters, InputTransformer, OAuthParameters, Page,
    PageRequest, PartnerSource, Replay, ReplayState, RetryPolicy, Rule, RuleState, Tag, Target,
};
pub use observe::BusObserver;
/// The storage types [`Events::open`] takes, so callers need not depend on the storage crate.
pub use openwatch_storage::{Catalog, Clock, SimClock, WalOptions};
pub use queue::{Delivery, Dropped};
pub use rules::{FailedTarget, PutRuleInput};
pub use schedule::Schedule;

use store::{BusKey, NameKey, Store};

/// A scheduled rule's timer.
#[derive(Debug)]
struct Timer {
    schedule: Schedule,
    anchor: i64,
    next: Option<i64>,
}

/// One bus in memory.
#[derive(Debug, Default)]
struct BusState {
    /// `None` for a default bus nothing has been stored about.
    record: Option<Bus>,
    rules: BTreeMap<String, Rule>,
    /// Enabled rules with an event pattern.
    matcher: RuleSet<String>,
    /// Enabled rules with a schedule.
    timers: BTreeMap<String, Timer>,
}

impl BusState {
    /// Brings the matcher and timers up to date with `rule` (after it was stored).
    fn index(&mut self, rule: &Rule, now: i64, reanchor: bool) {
        self.matcher.remove(&rule.name);
        if !rule.state.is_enabled() {
            self.timers.remove(&rule.name);
            return;
        }
        if let Some(text) = &rule.event_pattern {
            match Pattern::parse(text) {
                Ok(p) => self.matcher.add(rule.name.clone(), &p),
                Err(e) => {
                    tracing::warn!(rule = %rule.arn, error = %e, "stored event pattern no longer parses; rule ignored")
                }
            }
        }
        match rule.schedule_expression.as_deref().map(Schedule::parse) {
            Some(Ok(schedule)) => {
                let anchor = match self.timers.get(&rule.name) {
                    Some(t) if !reanchor => t.anchor,
                    _ if reanchor => now,
                    _ => rule.created_millis,
                };
                let next = schedule.next_after(anchor, now);
                self.timers.insert(
                    rule.name.clone(),
                    Timer {
                        schedule,
                        anchor,
                        next,
                    },
                );
            }
            Some(Err(e)) => {
                tracing::warn!(rule = %rule.arn, error = %e.reason, "stored schedule no longer parses");
                self.timers.remove(&rule.name);
            }
            None => {
                self.timers.remove(&rule.name);
            }
        }
    }

    fn unindex(&mut self, name: &str) {
        self.matcher.remove(&name.to_owned());
        self.timers.remove(name);
    }
}

/// An archive in memory, with its compiled pattern.
#[derive(Debug)]
struct ArchiveState {
    archive: Archive,
    pattern: Option<Pattern>,
}

#[derive(Debug, Default)]
struct State {
    buses: BTreeMap<BusKey, BusState>,
    archives: BTreeMap<NameKey, ArchiveState>,
    replays: BTreeMap<NameKey, Replay>,
    connections: BTreeMap<NameKey, Connection>,
    destinations: BTreeMap<NameKey, ApiDestination>,
    partner_sources: BTreeMap<NameKey, PartnerSource>,
}

/// Subdirectory of the events directory holding the delivery queue.
pub const QUEUE_DIR: &str = "queue";
/// Subdirectory of the events directory holding the archive log.
pub const ARCHIVE_DIR: &str = "archive";

fn key(account: &str, region: &str, bus: &str) -> BusKey {
    (account.to_owned(), region.to_owned(), bus.to_owned())
}

impl State {
    fn exists(&self, k: &BusKey) -> bool {
        k.2 == DEFAULT_BUS || self.buses.get(k).is_some_and(|b| b.record.is_some())
    }

    fn bus(&self, k: &BusKey) -> Option<&BusState> {
        self.buses.get(k)
    }

    /// The bus, created in memory if it is a default bus; `NotFound` otherwise.
    fn bus_mut(&mut self, k: &BusKey) -> Result<&mut BusState, EventsError> {
        if !self.exists(k) {
            return Err(EventsError::bus_not_found(&k.2));
        }
        Ok(self.buses.entry(k.clone()).or_default())
    }
}

/// The EventBridge domain.
pub struct Events {
    store: Store,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    queue: queue::Queue,
    archive_log: archive::ArchiveLog,
    /// Calls made per API destination in the current second: `(second, count)`.
    rate: parking_lot::Mutex<std::collections::HashMap<String, (i64, u32)>>,
    /// OAuth access tokens by connection ARN.
    tokens: oauth::TokenCache,
    sinks: RwLock<Vec<Arc<dyn TargetSink>>>,
    /// Told of every accepted event (schema discovery).
    observer: observe::Observer,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("buses", &self.state.read().buses.len())
            .finish_non_exhaustive()
    }
}

impl Events {
    /// Opens the domain: loads buses, rules, archives and replays from the catalog and recovers
    /// the delivery queue (`<dir>/queue`) and the archive log (`<dir>/archive`); the server gives
    /// `DataDir::subdir("events")` as `dir`.
    pub fn open(
        catalog: Arc<Catalog>,
        dir: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<Events, EventsError> {
        Self::open_with(catalog, dir, clock, WalOptions::default())
    }

    /// As [`Events::open`], with chosen WAL options.
    pub fn open_with(
        catalog: Arc<Catalog>,
        dir: &Path,
        clock: Arc<dyn Clock>,
        wal: WalOptions,
    ) -> Result<Events, EventsError> {
        let store = Store::open(catalog)?;
        let store::Loaded {
            buses,
            rules,
            archives,
            replays,
            connections,
            destinations,
            partner_sources,
        } = store.load()?;
        let now = clock.now_millis();
        let mut state = State::default();
        for (k, bus) in buses {
            state.buses.entry(k).or_default().record = Some(bus);
        }
        for (k, rule) in rules {
            let bus = state.buses.entry(k).or_default();
            bus.index(&rule, now, false);
            bus.rules.insert(rule.name.clone(), rule);
        }
        for (k, archive) in archives {
            let pattern = archive
                .event_pattern
                .as_deref()
                .and_then(|p| Pattern::parse(p).ok());
            state.archives.insert(k, ArchiveState { archive, pattern });
        }
        state.replays = replays.into_iter().collect();
        state.connections = connections.into_iter().collect();
        state.destinations = destinations.into_iter().collect();
        state.partner_sources = partner_sources.into_iter().collect();
        let queue = queue::Queue::open(&dir.join(QUEUE_DIR), wal)?;
        let archive_log = archive::ArchiveLog::open(&dir.join(ARCHIVE_DIR), wal, |k| {
            state.archives.get(k).map(|a| a.archive.retention_days)
        })?;
        Ok(Events {
            store,
            clock,
            state: RwLock::new(state),
            queue,
            archive_log,
            rate: parking_lot::Mutex::new(std::collections::HashMap::new()),
            tokens: oauth::TokenCache::default(),
            sinks: RwLock::new(Vec::new()),
            observer: observe::Observer::default(),
        })
    }

    /// Registers a sink for target kinds other than event buses (log groups, topics…).
    pub fn add_sink(&self, sink: Arc<dyn TargetSink>) {
        self.sinks.write().push(sink);
    }

    /// Deliveries waiting to be made.
    pub fn pending_deliveries(&self) -> Vec<Delivery> {
        self.queue.pending()
    }

    /// Deliveries given up on (retries or event age exhausted), oldest first, bounded.
    pub fn dead_letters(&self) -> Vec<Dropped> {
        self.queue.dropped()
    }

    /// Flushes and closes the delivery queue and the archive log.
    pub fn close(&self) -> Result<(), EventsError> {
        let archive = self.archive_log.close();
        self.queue.close()?;
        archive
    }
}
