//! The `Sns` handle: opening it, its catalog tables and helpers, paging, and closing.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use redb::TableDefinition;

use openwatch_storage::catalog::{decode_record, put_record, record_key};
use openwatch_storage::{Catalog, Clock, Wal, WalOptions};

use crate::delivery::{Pending, QueueRecord};
use crate::error::internal;
use crate::{PAGE_SIZE, Page, Signer, SnsError, SnsOptions, Subscription, Topic};

pub(crate) const TOPICS: TableDefinition<&str, &[u8]> = TableDefinition::new("sns_topics");
pub(crate) const SUBSCRIPTIONS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("sns_subscriptions");
/// Subscriptions removed by Unsubscribe, keyed by the token of their UnsubscribeConfirmation
/// (its SubscribeURL restores them until the token expires).
pub(crate) const UNSUBSCRIBED: TableDefinition<&str, &[u8]> =
    TableDefinition::new("sns_unsubscribed");

/// The SNS domain.
pub struct Sns {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wal: Wal,
    /// Keyed by delivery id, which orders deliveries as they were enqueued.
    pub(crate) pending: Mutex<BTreeMap<String, Pending>>,
    /// The next delivery's sequence number (its id is the number, zero-padded).
    pub(crate) next_seq: Mutex<u64>,
    pub(crate) signer: Arc<Signer>,
    /// Base of SubscribeURL, UnsubscribeURL and SigningCertURL (no trailing `/`).
    pub(crate) public_url: String,
    /// Serializes the catalog's read-modify-write changes.
    pub(crate) write: Mutex<()>,
}

pub(crate) fn key(account: &str, region: &str, name: &str) -> String {
    record_key(&[account, region, name])
}

impl Sns {
    /// Opens the domain: creates the tables and replays the delivery queue in `dir`.
    pub fn open(
        catalog: Arc<Catalog>,
        dir: &Path,
        clock: Arc<dyn Clock>,
        options: SnsOptions,
    ) -> Result<Sns, SnsError> {
        let tx = catalog.db().begin_write().map_err(internal)?;
        {
            tx.open_table(TOPICS).map_err(internal)?;
            tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            tx.open_table(UNSUBSCRIBED).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        std::fs::create_dir_all(dir).map_err(internal)?;
        let signer = match options.signer {
            Some(s) => s,
            None => Arc::new(Signer::load_or_create(
                dir,
                clock.now_millis().div_euclid(1000),
            )?),
        };
        let wal = Wal::open(dir, WalOptions::default()).map_err(internal)?;
        let now = clock.now_millis();
        let mut pending = BTreeMap::new();
        let mut next_seq = 0u64;
        for record in wal.replay() {
            let (_, bytes) = record.map_err(internal)?;
            match serde_json::from_slice::<QueueRecord>(&bytes) {
                Ok(QueueRecord::Enqueue(d)) => {
                    if let Ok(seq) = d.id.parse::<u64>() {
                        next_seq = next_seq.max(seq + 1);
                    }
                    pending.insert(
                        d.id.clone(),
                        Pending {
                            delivery: d,
                            attempts: 0,
                            next_at: now,
                        },
                    );
                }
                Ok(QueueRecord::Retry {
                    id,
                    attempts,
                    next_at,
                }) => {
                    if let Some(p) = pending.get_mut(&id) {
                        p.attempts = attempts;
                        p.next_at = next_at;
                    }
                }
                Ok(QueueRecord::Done { id }) => {
                    pending.remove(&id);
                }
                Err(e) => tracing::warn!(error = %e, "skipping an unreadable SNS queue record"),
            }
        }
        Ok(Sns {
            catalog,
            clock,
            wal,
            pending: Mutex::new(pending),
            next_seq: Mutex::new(next_seq),
            signer,
            public_url: options.public_url.trim_end_matches('/').to_owned(),
            write: Mutex::new(()),
        })
    }

    // --- catalog helpers ----------------------------------------------------------------------

    pub(crate) fn get<T: serde::de::DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        k: &str,
    ) -> Result<Option<T>, SnsError> {
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(table).map_err(internal)?;
        match t.get(k).map_err(internal)? {
            Some(v) => decode_record(v.value(), "SNS").map(Some).map_err(internal),
            None => Ok(None),
        }
    }

    pub(crate) fn scan<T: serde::de::DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        prefix: &str,
    ) -> Result<Vec<(String, T)>, SnsError> {
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(table).map_err(internal)?;
        let mut out = Vec::new();
        for item in t.range(prefix..).map_err(internal)? {
            let (k, v) = item.map_err(internal)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((
                k.value().to_owned(),
                decode_record(v.value(), "SNS").map_err(internal)?,
            ));
        }
        Ok(out)
    }

    pub(crate) fn put_topic(&self, topic: &Topic) -> Result<(), SnsError> {
        let k = key(&topic.account, &topic.region, &topic.name);
        self.put(TOPICS, &k, topic)
    }

    pub(crate) fn put_subscription(&self, sub: &Subscription) -> Result<(), SnsError> {
        self.put(SUBSCRIPTIONS, &sub.arn, sub)
    }

    /// Writes one record durably.
    fn put<T: serde::Serialize>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        k: &str,
        value: &T,
    ) -> Result<(), SnsError> {
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(table).map_err(internal)?;
            put_record(&mut t, k, value).map_err(internal)?;
        }
        tx.commit().map_err(internal)
    }

    /// Flushes the delivery queue.
    pub fn close(&self) -> Result<(), SnsError> {
        self.wal.close().map_err(internal)
    }
}

pub(crate) fn resource_not_found(e: SnsError) -> SnsError {
    match e {
        SnsError::NotFound(_) => SnsError::NotFound("Resource does not exist".into()),
        e => e,
    }
}

/// Pages `items` (already in order) after the item whose key is `token`.
pub(crate) fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    key_of: impl Fn(&T) -> String,
) -> Result<Page<T>, SnsError> {
    let start = match token {
        None | Some("") => 0,
        Some(t) => items
            .iter()
            .position(|i| key_of(i).as_str() > t)
            .unwrap_or(items.len()),
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let next_token = if rest.len() > PAGE_SIZE {
        rest.truncate(PAGE_SIZE);
        rest.last().map(&key_of)
    } else {
        None
    };
    Ok(Page {
        items: rest,
        next_token,
    })
}
