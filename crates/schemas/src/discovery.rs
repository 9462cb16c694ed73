//! Schema discovery off the request path: [`Schemas::observe`] filters and hashes on the caller's
//! thread and queues only new shapes; the `schemas-discovery` thread infers and stores them.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use parking_lot::{Mutex, RwLock};
use serde_json::Value;

use crate::error::SchemasError;
use crate::infer::{self, Shape};
use crate::model::{DISCOVERED_REGISTRY, Registry, Schema, SchemaType, Version};
use crate::names::{registry_arn, schema_arn};
use crate::store::Change;
use crate::{Core, MAX_SEEN, Schemas, key, schema_key};

/// Events waiting for inference; when full, new shapes are dropped (and seen again later).
pub const DISCOVERY_QUEUE: usize = 1024;
/// Versions a discovered schema keeps: older ones are deleted as new ones come (their numbers are
/// not reused), so events with ever-new fields cannot grow a record without bound.
pub const MAX_DISCOVERED_VERSIONS: usize = 100;

enum Job {
    Event {
        account: String,
        region: String,
        source: String,
        detail_type: String,
        detail: Value,
    },
    Flush(mpsc::Sender<()>),
}

/// The queue to the discovery thread.
#[derive(Debug)]
pub(crate) struct Discovery {
    tx: RwLock<Option<SyncSender<Job>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Discovery {
    pub(crate) fn start(core: Arc<Core>) -> Result<Discovery, SchemasError> {
        let (tx, rx) = mpsc::sync_channel(DISCOVERY_QUEUE);
        let worker = std::thread::Builder::new()
            .name("schemas-discovery".into())
            .spawn(move || run(&core, rx))
            .map_err(|e| SchemasError::Internal(format!("cannot start discovery: {e}")))?;
        Ok(Discovery {
            tx: RwLock::new(Some(tx)),
            worker: Mutex::new(Some(worker)),
        })
    }

    pub(crate) fn flush(&self) {
        let (ack, done) = mpsc::channel();
        let sent = self
            .tx
            .read()
            .as_ref()
            .is_some_and(|tx| tx.send(Job::Flush(ack)).is_ok());
        if sent {
            let _ = done.recv();
        }
    }

    pub(crate) fn stop(&self) {
        self.tx.write().take();
        if let Some(w) = self.worker.lock().take()
            && w.join().is_err()
        {
            tracing::error!("the schema discovery thread panicked");
        }
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(core: &Core, rx: Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        match job {
            Job::Flush(ack) => {
                let _ = ack.send(());
            }
            Job::Event {
                account,
                region,
                source,
                detail_type,
                detail,
            } => {
                let Some(shape) = infer::infer(&detail) else {
                    continue;
                };
                if let Err(e) = core.discover(&account, &region, &source, &detail_type, shape) {
                    tracing::warn!(%account, %region, %source, %detail_type, error = %e, "schema discovery failed");
                }
            }
        }
    }
}

fn seen_key(account: &str, region: &str, source: &str, detail_type: &str, shape: u64) -> u64 {
    infer::mix((account, region, source, detail_type, shape))
}

impl Schemas {
    /// Whether a started discoverer watches bus `bus` of `(account, region)`.
    pub fn watches(&self, account: &str, region: &str, bus: &str) -> bool {
        self.watch(account, region, bus).is_some()
    }

    /// An event bus `bus` of `(account, region)` accepted `event` (the full envelope). Cheap when
    /// no started discoverer watches the bus; never blocks on discovery.
    pub fn observe(&self, account: &str, region: &str, bus: &str, event: &Value) {
        let Some(cross_account) = self.watch(account, region, bus) else {
            return;
        };
        if !cross_account && event.get("account").and_then(Value::as_str) != Some(account) {
            return;
        }
        let field = |name: &str| event.get(name).and_then(Value::as_str);
        let (Some(source), Some(detail_type), Some(detail)) =
            (field("source"), field("detail-type"), event.get("detail"))
        else {
            return;
        };
        let Some(fp) = infer::fingerprint(detail) else {
            return;
        };
        let k = seen_key(account, region, source, detail_type, fp);
        {
            let mut seen = self.seen.lock();
            if seen.len() >= MAX_SEEN {
                seen.clear();
            }
            if !seen.insert(k) {
                return;
            }
        }
        let job = Job::Event {
            account: account.to_owned(),
            region: region.to_owned(),
            source: source.to_owned(),
            detail_type: detail_type.to_owned(),
            detail: detail.clone(),
        };
        let sent = match self.discovery.tx.read().as_ref() {
            Some(tx) => match tx.try_send(job) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    tracing::debug!("schema discovery queue full; event shape dropped for now");
                    false
                }
                Err(TrySendError::Disconnected(_)) => false,
            },
            None => false,
        };
        if !sent {
            self.seen.lock().remove(&k);
        }
    }
}

impl Core {
    /// Merges `shape` into the discovered schema of `(source, detail_type)`, writing a new version
    /// (and the `discovered-schemas` registry, if missing) when the merged shape changed.
    pub(crate) fn discover(
        &self,
        account: &str,
        region: &str,
        source: &str,
        detail_type: &str,
        shape: Shape,
    ) -> Result<(), SchemasError> {
        let name = infer::discovered_name(source, detail_type);
        let now = self.now();
        let rk = key(account, region, DISCOVERED_REGISTRY);
        let sk = schema_key(account, region, DISCOVERED_REGISTRY, &name);
        let mut state = self.state.write();
        let registry = match state.registries.get(&rk) {
            Some(_) => None,
            None => Some(Registry {
                name: DISCOVERED_REGISTRY.to_owned(),
                arn: registry_arn(account, region, DISCOVERED_REGISTRY),
                description: None,
                tags: Default::default(),
                created_millis: now,
            }),
        };
        let mut schema = match state.schemas.get(&sk) {
            Some(s) => s.clone(),
            None => Schema {
                registry: DISCOVERED_REGISTRY.to_owned(),
                name: name.clone(),
                arn: schema_arn(account, region, DISCOVERED_REGISTRY, &name),
                description: None,
                tags: Default::default(),
                last_modified_millis: now,
                versions: Vec::new(),
                last_version: 0,
                discovered: None,
                last_client_token: None,
            },
        };
        let merged = match schema.discovered.take() {
            Some(old) => {
                let merged = infer::merge(old.clone(), shape);
                if merged == old && !schema.versions.is_empty() {
                    return Ok(());
                }
                merged
            }
            None => shape,
        };
        let content = infer::render_openapi(source, detail_type, &merged).to_string();
        schema.last_version += 1;
        schema.versions.push(Version {
            version: schema.last_version,
            schema_type: SchemaType::OpenApi3,
            content,
            created_millis: now,
        });
        if schema.versions.len() > MAX_DISCOVERED_VERSIONS {
            let excess = schema.versions.len() - MAX_DISCOVERED_VERSIONS;
            schema.versions.drain(..excess);
        }
        schema.last_modified_millis = now;
        schema.discovered = Some(merged);
        let mut changes = Vec::with_capacity(2);
        if let Some(r) = &registry {
            changes.push(Change::PutRegistry(&rk, r));
        }
        changes.push(Change::PutSchema(&sk, &schema));
        self.store.apply(&changes)?;
        if let Some(r) = registry {
            state.registries.insert(rk, r);
        }
        tracing::info!(%account, %region, schema = %name, version = schema.last_version, "schema discovered");
        let created = schema.last_version == 1;
        state.schemas.insert(sk, schema.clone());
        drop(state);
        self.notify(account, region, &schema, created);
        Ok(())
    }
}
