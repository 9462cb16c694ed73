//! The EventBridge Schema Registry: registries, schemas with numbered versions, discoverers, tags
//! and schema discovery.
//!
//! Everything lives in the catalog (`schemas_registries`, `schemas_schemas` — a schema's versions
//! in its record — and `schemas_discoverers`) and in memory; every change is validated in full,
//! then written in one durable transaction, then applied in memory, so bad input changes nothing
//! and anything acknowledged survives a crash.
//!
//! Discovery: the server tells [`Schemas::observe`] of every event a bus accepts. With no started
//! discoverer that is one atomic load. Otherwise an event whose `(source, detail-type, shape)` was
//! not seen before (a structural hash, [`infer::fingerprint`]) is queued, bounded, to the
//! `schemas-discovery` thread, which infers its shape ([`infer`]), merges it into the stored one
//! and writes a new version of `<source>@<DetailType>` in the owner's `discovered-schemas`
//! registry only when the merged shape changed. **Architecture Invariant**: this crate knows no
//! other domain and nothing of HTTP; inference, validation and export are pure.

pub mod error;
pub mod export;
pub mod infer;
pub mod model;
pub mod names;
pub mod sample;
pub mod validate;

mod discoverers;
pub mod discovery;
mod registries;
mod schemas;
mod store;
mod tags;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, RwLock};

pub use discoverers::CreateDiscoverer;
pub use error::SchemasError;
pub use model::{
    AWS_REGISTRY, DISCOVERED_REGISTRY, Discoverer, DiscovererState, Page, Registry, Schema,
    SchemaType, Tags, Version,
};
/// The storage types [`Schemas::open`] takes.
pub use openwatch_storage::{Catalog, Clock, SimClock};
pub use schemas::{CreateSchema, UpdateSchema};

use store::{Key, SchemaKey, Store};

/// Tells whether an event bus exists (the server implements it over EventBridge), so a
/// discoverer can only be created on a real bus.
pub trait BusDirectory: Send + Sync {
    fn bus_exists(&self, account: &str, region: &str, bus: &str) -> bool;
}

/// Told of each new schema version, after it is stored (the server publishes EventBridge's
/// "Schema Created" and "Schema Version Created" events from it).
pub trait SchemaEvents: Send + Sync {
    /// `created` is true for a schema's first version.
    fn version_created(
        &self,
        account: &str,
        region: &str,
        schema: &Schema,
        version: &Version,
        created: bool,
    );
}

#[derive(Debug, Default)]
struct State {
    registries: BTreeMap<Key, Registry>,
    schemas: BTreeMap<SchemaKey, Schema>,
    discoverers: BTreeMap<Key, Discoverer>,
}

/// A bus a started discoverer watches: `(account, region, bus, cross_account)`.
type Watch = (String, String, String, bool);

/// Most `(source, detail-type, shape)` hashes remembered before the set is cleared.
const MAX_SEEN: usize = 100_000;

/// The registry itself: state, storage and the discovery index. [`Schemas`] derefs to it.
pub struct Core {
    store: Store,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    /// Buses with a started discoverer.
    watching: RwLock<Vec<Watch>>,
    watching_count: AtomicUsize,
    /// Hashes of `(account, region, source, detail-type, shape)` already sent to discovery.
    seen: Mutex<HashSet<u64>>,
    buses: OnceLock<Arc<dyn BusDirectory>>,
    notify: OnceLock<Arc<dyn SchemaEvents>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.state.read();
        f.debug_struct("Schemas")
            .field("registries", &s.registries.len())
            .field("schemas", &s.schemas.len())
            .field("discoverers", &s.discoverers.len())
            .finish_non_exhaustive()
    }
}

/// The Schema Registry domain, with its discovery thread.
#[derive(Debug)]
pub struct Schemas {
    core: Arc<Core>,
    discovery: discovery::Discovery,
}

impl std::ops::Deref for Schemas {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}

fn key(account: &str, region: &str, name: &str) -> Key {
    (account.to_owned(), region.to_owned(), name.to_owned())
}

fn schema_key(account: &str, region: &str, registry: &str, name: &str) -> SchemaKey {
    (
        account.to_owned(),
        region.to_owned(),
        registry.to_owned(),
        name.to_owned(),
    )
}

impl Schemas {
    /// Opens the domain: loads every registry, schema and discoverer and starts the discovery
    /// thread.
    pub fn open(catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Result<Schemas, SchemasError> {
        let store = Store::open(catalog)?;
        let loaded = store.load()?;
        let state = State {
            registries: loaded.registries.into_iter().collect(),
            schemas: loaded.schemas.into_iter().collect(),
            discoverers: loaded.discoverers.into_iter().collect(),
        };
        let core = Arc::new(Core {
            store,
            clock,
            state: RwLock::new(state),
            watching: RwLock::new(Vec::new()),
            watching_count: AtomicUsize::new(0),
            seen: Mutex::new(HashSet::new()),
            buses: OnceLock::new(),
            notify: OnceLock::new(),
        });
        core.reindex();
        let discovery = discovery::Discovery::start(Arc::clone(&core))?;
        Ok(Schemas { core, discovery })
    }

    /// Waits until every event observed so far has been through discovery (tests, shutdown).
    pub fn flush_discovery(&self) {
        self.discovery.flush();
    }

    /// Stops the discovery thread after it has worked off its queue.
    pub fn close(&self) {
        self.discovery.stop();
    }
}

impl Core {
    /// Sets the directory CreateDiscoverer checks buses against. Only the first call counts.
    pub fn set_bus_directory(&self, buses: Arc<dyn BusDirectory>) {
        if self.buses.set(buses).is_err() {
            tracing::warn!("a bus directory is already set; the new one is ignored");
        }
    }

    /// Sets who is told of new schema versions. Only the first call counts.
    pub fn set_schema_events(&self, sink: Arc<dyn SchemaEvents>) {
        if self.notify.set(sink).is_err() {
            tracing::warn!("a schema event sink is already set; the new one is ignored");
        }
    }

    /// Tells the sink, if any, of the latest version of `schema` (call with no lock held).
    fn notify(&self, account: &str, region: &str, schema: &Schema, created: bool) {
        if let (Some(sink), Some(v)) = (self.notify.get(), schema.latest()) {
            sink.version_created(account, region, schema, v, created);
        }
    }

    fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Rebuilds the list of watched buses from the started discoverers.
    fn reindex(&self) {
        let list: Vec<Watch> = self
            .state
            .read()
            .discoverers
            .iter()
            .filter(|(_, d)| d.state == DiscovererState::STARTED)
            .map(|((a, r, _), d)| (a.clone(), r.clone(), d.bus.clone(), d.cross_account))
            .collect();
        let n = list.len();
        *self.watching.write() = list;
        self.watching_count.store(n, Ordering::Release);
        // A started or changed discoverer sees every shape again.
        self.seen.lock().clear();
    }

    /// Whether a started discoverer watches the bus, and if so whether it takes events from
    /// other accounts.
    fn watch(&self, account: &str, region: &str, bus: &str) -> Option<bool> {
        if self.watching_count.load(Ordering::Acquire) == 0 {
            return None;
        }
        self.watching
            .read()
            .iter()
            .find(|(a, r, b, _)| a == account && r == region && b == bus)
            .map(|w| w.3)
    }
}

#[cfg(test)]
mod tests;
