//! The EventBridge tables of the catalog: buses and rules (targets live in their rule's record),
//! JSON-encoded, keyed `account \n region \n bus [\n rule]`. Each change is one durable write
//! transaction.

use std::sync::Arc;

use openwatch_storage::Catalog;
use openwatch_storage::catalog::{RecordTable, encode_record as encode, load_records, record_key};
use redb::{ReadableTable, TableDefinition};

use crate::error::EventsError;
use crate::model::{ApiDestination, Archive, Bus, Connection, PartnerSource, Replay, Rule};

const BUSES: TableDefinition<&str, &[u8]> = TableDefinition::new("events_buses");
const RULES: TableDefinition<&str, &[u8]> = TableDefinition::new("events_rules");
const ARCHIVES: TableDefinition<&str, &[u8]> = TableDefinition::new("events_archives");
const REPLAYS: TableDefinition<&str, &[u8]> = TableDefinition::new("events_replays");
const CONNECTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("events_connections");
const DESTINATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("events_api_destinations");
/// Partner event sources, keyed `account \n region \n name` (the customer account).
const PARTNER_SOURCES: TableDefinition<&str, &[u8]> =
    TableDefinition::new("events_partner_sources");

/// `(account, region, name)` of an archive or replay.
pub type NameKey = (String, String, String);

/// `(account, region, bus)`.
pub type BusKey = (String, String, String);

fn bus_key(k: &BusKey) -> String {
    record_key(&[&k.0, &k.1, &k.2])
}

fn rule_key(k: &BusKey, rule: &str) -> String {
    record_key(&[&k.0, &k.1, &k.2, rule])
}

/// A change to apply in one transaction.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    PutBus(&'a BusKey, &'a Bus),
    DeleteBus(&'a BusKey),
    PutRule(&'a BusKey, &'a Rule),
    DeleteRule(&'a BusKey, &'a str),
    PutArchive(&'a NameKey, &'a Archive),
    DeleteArchive(&'a NameKey),
    PutReplay(&'a NameKey, &'a Replay),
    PutConnection(&'a NameKey, &'a Connection),
    DeleteConnection(&'a NameKey),
    PutDestination(&'a NameKey, &'a ApiDestination),
    DeleteDestination(&'a NameKey),
    PutPartnerSource(&'a NameKey, &'a PartnerSource),
    DeletePartnerSource(&'a NameKey),
}

/// The tables.
#[derive(Debug, Clone)]
pub struct Store {
    catalog: Arc<Catalog>,
}

/// Everything stored, as loaded at open.
#[derive(Debug, Default)]
pub struct Loaded {
    pub buses: Vec<(BusKey, Bus)>,
    pub rules: Vec<(BusKey, Rule)>,
    pub archives: Vec<(NameKey, Archive)>,
    pub replays: Vec<(NameKey, Replay)>,
    pub connections: Vec<(NameKey, Connection)>,
    pub destinations: Vec<(NameKey, ApiDestination)>,
    pub partner_sources: Vec<(NameKey, PartnerSource)>,
}

/// The records of a table keyed `account \n region \n name`.
fn load_named<T: serde::de::DeserializeOwned>(
    tx: &redb::ReadTransaction,
    table: RecordTable,
    what: &str,
) -> Result<Vec<(NameKey, T)>, EventsError> {
    Ok(load_records::<T, 3>(tx, table, what)?
        .into_iter()
        .map(|([a, r, n], v)| ((a, r, n), v))
        .collect())
}

impl Store {
    /// Opens the tables, creating them if needed.
    pub fn open(catalog: Arc<Catalog>) -> Result<Store, EventsError> {
        let tx = catalog.db().begin_write()?;
        {
            tx.open_table(BUSES)?;
            tx.open_table(RULES)?;
            tx.open_table(ARCHIVES)?;
            tx.open_table(REPLAYS)?;
            tx.open_table(CONNECTIONS)?;
            tx.open_table(DESTINATIONS)?;
            tx.open_table(PARTNER_SOURCES)?;
        }
        tx.commit()?;
        Ok(Store { catalog })
    }

    /// Loads every bus and rule.
    pub fn load(&self) -> Result<Loaded, EventsError> {
        let tx = self.catalog.db().begin_read()?;
        let buses = load_named(&tx, BUSES, "bus")?;
        let rules = load_records::<Rule, 4>(&tx, RULES, "rule")?
            .into_iter()
            .map(|([a, r, b, _], rule)| ((a, r, b), rule))
            .collect();
        Ok(Loaded {
            buses,
            rules,
            archives: load_named(&tx, ARCHIVES, "archive")?,
            replays: load_named(&tx, REPLAYS, "replay")?,
            connections: load_named(&tx, CONNECTIONS, "connection")?,
            destinations: load_named(&tx, DESTINATIONS, "API destination")?,
            partner_sources: load_named(&tx, PARTNER_SOURCES, "partner event source")?,
        })
    }

    /// Applies changes atomically and durably.
    pub fn apply(&self, changes: &[Change<'_>]) -> Result<(), EventsError> {
        let tx = self.catalog.db().begin_write()?;
        {
            let mut buses = tx.open_table(BUSES)?;
            let mut rules = tx.open_table(RULES)?;
            let mut archives = tx.open_table(ARCHIVES)?;
            let mut replays = tx.open_table(REPLAYS)?;
            let mut connections = tx.open_table(CONNECTIONS)?;
            let mut destinations = tx.open_table(DESTINATIONS)?;
            let mut partner_sources = tx.open_table(PARTNER_SOURCES)?;
            for c in changes {
                match c {
                    Change::PutBus(k, bus) => {
                        buses.insert(bus_key(k).as_str(), encode(bus)?.as_slice())?;
                    }
                    Change::DeleteBus(k) => {
                        buses.remove(bus_key(k).as_str())?;
                        let prefix = format!("{}\n", bus_key(k));
                        let victims: Vec<String> = rules
                            .range(prefix.as_str()..)?
                            .map_while(|item| match item {
                                Ok((key, _)) if key.value().starts_with(&prefix) => {
                                    Some(Ok(key.value().to_owned()))
                                }
                                Ok(_) => None,
                                Err(e) => Some(Err(e)),
                            })
                            .collect::<Result<_, _>>()?;
                        for v in victims {
                            rules.remove(v.as_str())?;
                        }
                    }
                    Change::PutRule(k, rule) => {
                        rules.insert(rule_key(k, &rule.name).as_str(), encode(rule)?.as_slice())?;
                    }
                    Change::DeleteRule(k, name) => {
                        rules.remove(rule_key(k, name).as_str())?;
                    }
                    Change::PutArchive(k, a) => {
                        archives.insert(bus_key(k).as_str(), encode(a)?.as_slice())?;
                    }
                    Change::DeleteArchive(k) => {
                        archives.remove(bus_key(k).as_str())?;
                    }
                    Change::PutReplay(k, r) => {
                        replays.insert(bus_key(k).as_str(), encode(r)?.as_slice())?;
                    }
                    Change::PutConnection(k, c) => {
                        connections.insert(bus_key(k).as_str(), encode(c)?.as_slice())?;
                    }
                    Change::DeleteConnection(k) => {
                        connections.remove(bus_key(k).as_str())?;
                    }
                    Change::PutDestination(k, d) => {
                        destinations.insert(bus_key(k).as_str(), encode(d)?.as_slice())?;
                    }
                    Change::DeleteDestination(k) => {
                        destinations.remove(bus_key(k).as_str())?;
                    }
                    Change::PutPartnerSource(k, p) => {
                        partner_sources.insert(bus_key(k).as_str(), encode(p)?.as_slice())?;
                    }
                    Change::DeletePartnerSource(k) => {
                        partner_sources.remove(bus_key(k).as_str())?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
