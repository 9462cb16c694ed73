//! The Schema Registry tables of the catalog, JSON-encoded: `schemas_registries` keyed
//! `account \n region \n name`, `schemas_schemas` keyed `account \n region \n registry \n name`
//! (a schema's versions live in its record), `schemas_discoverers` keyed
//! `account \n region \n id`. Each change is one durable write transaction.

use std::sync::Arc;

use openwatch_storage::Catalog;
use openwatch_storage::catalog::{RecordTable, encode_record as encode, load_records, record_key};
use redb::TableDefinition;

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
    record_key(&[&k.0, &k.1, &k.2])
}

/// The catalog key of a schema.
pub fn key4(k: &SchemaKey) -> String {
    record_key(&[&k.0, &k.1, &k.2, &k.3])
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

/// The records of a table keyed `account \n region \n name`.
fn load3<T: serde::de::DeserializeOwned>(
    tx: &redb::ReadTransaction,
    table: RecordTable,
    what: &str,
) -> Result<Vec<(Key, T)>, SchemasError> {
    Ok(load_records::<T, 3>(tx, table, what)?
        .into_iter()
        .map(|([a, r, n], v)| ((a, r, n), v))
        .collect())
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
        let schemas = load_records::<Schema, 4>(&tx, SCHEMAS, "schema")?
            .into_iter()
            .map(|([a, r, g, n], s)| ((a, r, g, n), s))
            .collect();
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
