//! The Schema Registry tables of the catalog, JSON-encoded: `schemas_registries` keyed
//! `account \n region \n name`, `schemas_schemas` keyed `account \n region \n registry \n name`
//! (a schema's versions live in its record), `schemas_discoverers` keyed
//! `account \n region \n id`. Each change is one durable write transaction.

use std::sync::Arc;

use openwatch_storage::Catalog;
use redb::{ReadableTable, TableDefinition};

use crate::error::SchemasError;
use crate::model::{Discoverer, Registry, Schema};

const REGISTRIES: TableDefinition<&str, &[u8]> = TableDefinition::new("schemas_registries");
const SCHEMAS: TableDefinition<&str, &[u8]> = TableDefinition::new("schemas_schemas");
const DISCOVERERS: TableDefinition<&str, &[u8]> = TableDefinition::new("schemas_discoverers");

/// `(account, region, name)` of a registry or discoverer.
pub type Key = (String, String, String);
/// `(account, region, registry, schema)`.
pub type SchemaKey = (String, String, String, String);

/// The catalog key of a registry or discoverer.
pub fn key3(k: &Key) -> String {
    format!("{}\n{}\n{}", k.0, k.1, k.2)
}

/// The catalog key of a schema.
pub fn key4(k: &SchemaKey) -> String {
    format!("{}\n{}\n{}\n{}", k.0, k.1, k.2, k.3)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> SchemasError {
    SchemasError::Internal(format!("catalog {what} record is corrupt: {e}"))
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, SchemasError> {
    serde_json::to_vec(v).map_err(|e| SchemasError::Internal(format!("encode: {e}")))
}

/// A change to apply in one transaction.
#[derive(Debug)]
pub enum Change<'a> {
    PutRegistry(&'a Key, &'a Registry),
    DeleteRegistry(&'a Key),
    PutSchema(&'a SchemaKey, &'a Schema),
    DeleteSchema(&'a SchemaKey),
    PutDiscoverer(&'a Key, &'a Discoverer),
    DeleteDiscoverer(&'a Key),
}

/// Everything stored, as loaded at open.
#[derive(Debug, Default)]
pub struct Loaded {
    pub registries: Vec<(Key, Registry)>,
    pub schemas: Vec<(SchemaKey, Schema)>,
    pub discoverers: Vec<(Key, Discoverer)>,
}

/// The tables.
#[derive(Debug, Clone)]
pub struct Store {
    catalog: Arc<Catalog>,
}

fn load3<T: serde::de::DeserializeOwned>(
    tx: &redb::ReadTransaction,
    table: TableDefinition<&str, &[u8]>,
    what: &str,
) -> Result<Vec<(Key, T)>, SchemasError> {
    let mut out = Vec::new();
    for item in tx.open_table(table)?.iter()? {
        let (k, v) = item?;
        let parts: Vec<&str> = k.value().split('\n').collect();
        let [a, r, n] = parts[..] else {
            return Err(corrupt(what, k.value()));
        };
        let value: T = serde_json::from_slice(v.value()).map_err(|e| corrupt(what, e))?;
        out.push(((a.to_owned(), r.to_owned(), n.to_owned()), value));
    }
    Ok(out)
}

impl Store {
    /// Opens the tables, creating them if needed.
    pub fn open(catalog: Arc<Catalog>) -> Result<Store, SchemasError> {
        let tx = catalog.db().begin_write()?;
        {
            tx.open_table(REGISTRIES)?;
            tx.open_table(SCHEMAS)?;
            tx.open_table(DISCOVERERS)?;
        }
        tx.commit()?;
        Ok(Store { catalog })
    }

    /// Loads every record.
    pub fn load(&self) -> Result<Loaded, SchemasError> {
        let tx = self.catalog.db().begin_read()?;
        let mut schemas = Vec::new();
        for item in tx.open_table(SCHEMAS)?.iter()? {
            let (k, v) = item?;
            let parts: Vec<&str> = k.value().split('\n').collect();
            let [a, r, g, n] = parts[..] else {
                return Err(corrupt("schema", k.value()));
            };
            let s: Schema = serde_json::from_slice(v.value()).map_err(|e| corrupt("schema", e))?;
            schemas.push(((a.to_owned(), r.to_owned(), g.to_owned(), n.to_owned()), s));
        }
        Ok(Loaded {
            registries: load3(&tx, REGISTRIES, "registry")?,
            schemas,
            discoverers: load3(&tx, DISCOVERERS, "discoverer")?,
        })
    }

    /// Applies changes atomically and durably.
    pub fn apply(&self, changes: &[Change<'_>]) -> Result<(), SchemasError> {
        let tx = self.catalog.db().begin_write()?;
        {
            let mut registries = tx.open_table(REGISTRIES)?;
            let mut schemas = tx.open_table(SCHEMAS)?;
            let mut discoverers = tx.open_table(DISCOVERERS)?;
            for c in changes {
                match c {
                    Change::PutRegistry(k, r) => {
                        registries.insert(key3(k).as_str(), encode(r)?.as_slice())?;
                    }
                    Change::DeleteRegistry(k) => {
                        registries.remove(key3(k).as_str())?;
                    }
                    Change::PutSchema(k, s) => {
                        schemas.insert(key4(k).as_str(), encode(s)?.as_slice())?;
                    }
                    Change::DeleteSchema(k) => {
                        schemas.remove(key4(k).as_str())?;
                    }
                    Change::PutDiscoverer(k, d) => {
                        discoverers.insert(key3(k).as_str(), encode(d)?.as_slice())?;
                    }
                    Change::DeleteDiscoverer(k) => {
                        discoverers.remove(key3(k).as_str())?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
