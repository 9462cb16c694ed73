//! Durable IAM state in the catalog: accounts, users, access keys and inline user policies.
//!
//! Every mutation validates its input first, then runs as one redb write transaction that commits
//! durably before the call returns; any error before the commit leaves the catalog unchanged.
//! Mutations that change what a key may do return the owner's new [`OwnerState`], read inside the
//! same transaction, so the in-memory key directory can be brought up to date.

mod accounts;
mod ids;
mod keys;
pub mod limits;
mod policies;
pub(crate) mod tables;
mod users;

use std::sync::Arc;

use openwatch_storage::Catalog;
use openwatch_types::AccountId;
use redb::{ReadableTable, ReadableTableMetadata};

pub use ids::{
    ACCESS_KEY_ID_PREFIX, ACCESS_KEY_ID_RANDOM_LEN, ACCOUNT_ID_MAX, ACCOUNT_ID_MIN,
    SECRET_ACCESS_KEY_LEN, USER_ID_PREFIX, USER_ID_RANDOM_LEN,
};
pub(crate) use tables::{KeyRecord, UserRecord};

use crate::IamError;
use crate::model::{Page, PageRequest};
use limits::{DEFAULT_MAX_ITEMS, Violations};
use tables::{ACCESS_KEYS, ACCOUNTS, KEYS_BY_OWNER, ROOT_OWNER, USER_POLICIES, USERS, decode};

/// Everything the key directory needs about one key owner (the root or a user): its active and
/// inactive keys and its inline policy documents.
#[derive(Debug, Clone)]
pub(crate) struct OwnerState {
    pub account: AccountId,
    /// `None` for the account root.
    pub user: Option<UserRecord>,
    pub keys: Vec<(String, KeyRecord)>,
    /// (policy name, document)
    pub policies: Vec<(String, String)>,
}

/// The IAM tables of a catalog.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    catalog: Arc<Catalog>,
}

/// The lowercased form under which a user name is unique (IAM names ignore case).
pub(crate) fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Encodes a pagination marker (the key of the first item of the next page).
pub(crate) fn encode_marker(next_key: &str) -> String {
    hex::encode(next_key)
}

/// Decodes a marker produced by [`encode_marker`].
pub(crate) fn decode_marker(marker: Option<&str>) -> Result<String, IamError> {
    match marker {
        None => Ok(String::new()),
        Some(m) => hex::decode(m)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| IamError::InvalidInput(format!("Invalid Marker: {m}"))),
    }
}

/// Validates paging parameters; returns (start key, page size).
pub(crate) fn page_params(page: &PageRequest) -> Result<(String, usize), IamError> {
    Violations::new()
        .page(page.marker.as_deref(), page.max_items)
        .finish()?;
    let start = decode_marker(page.marker.as_deref())?;
    let limit = page
        .max_items
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(DEFAULT_MAX_ITEMS);
    Ok((start, limit))
}

/// Cuts `items` (at most `limit + 1`, in key order) into a page.
pub(crate) fn paginate<T>(mut items: Vec<(String, T)>, limit: usize) -> Page<T> {
    let next = (items.len() > limit).then(|| {
        let rest = items.split_off(limit);
        rest.into_iter().next().map(|(k, _)| encode_marker(&k))
    });
    let marker = next.flatten();
    Page {
        is_truncated: marker.is_some(),
        marker,
        items: items.into_iter().map(|(_, v)| v).collect(),
    }
}

type UsersTable = (&'static str, &'static str);
type OwnerIndex = (&'static str, &'static str, &'static str);

pub(crate) fn read_user(
    users: &impl ReadableTable<UsersTable, &'static [u8]>,
    account: AccountId,
    name: &str,
) -> Result<Option<UserRecord>, IamError> {
    match users.get((account.as_str(), name_key(name).as_str()))? {
        Some(v) => Ok(Some(decode(v.value())?)),
        None => Ok(None),
    }
}

/// Key ids of one owner, in key-id order, starting at `start`.
pub(crate) fn key_ids_of(
    index: &impl ReadableTable<OwnerIndex, ()>,
    account: AccountId,
    owner: &str,
    start: &str,
) -> Result<Vec<String>, IamError> {
    let mut out = Vec::new();
    for item in index.range((account.as_str(), owner, start)..)? {
        let (k, _) = item?;
        let (a, o, akid) = k.value();
        if a != account.as_str() || o != owner {
            break;
        }
        out.push(akid.to_owned());
    }
    Ok(out)
}

/// Inline policies of one user, in name order, starting at `start`, at most `limit`.
pub(crate) fn policies_of(
    policies: &impl ReadableTable<OwnerIndex, &'static str>,
    account: AccountId,
    user_id: &str,
    start: &str,
    limit: usize,
) -> Result<Vec<(String, String)>, IamError> {
    let mut out = Vec::new();
    for item in policies.range((account.as_str(), user_id, start)..)? {
        let (k, v) = item?;
        let (a, u, name) = k.value();
        if a != account.as_str() || u != user_id || out.len() >= limit {
            break;
        }
        out.push((name.to_owned(), v.value().to_owned()));
    }
    Ok(out)
}

pub(crate) fn read_key(
    keys: &impl ReadableTable<&'static str, &'static [u8]>,
    akid: &str,
) -> Result<Option<KeyRecord>, IamError> {
    match keys.get(akid)? {
        Some(v) => Ok(Some(decode(v.value())?)),
        None => Ok(None),
    }
}

/// Reads an owner's complete state.
pub(crate) fn owner_state(
    index: &impl ReadableTable<OwnerIndex, ()>,
    keys: &impl ReadableTable<&'static str, &'static [u8]>,
    policies: &impl ReadableTable<OwnerIndex, &'static str>,
    account: AccountId,
    user: Option<UserRecord>,
) -> Result<OwnerState, IamError> {
    let owner = user.as_ref().map_or(ROOT_OWNER, |u| u.user_id.as_str());
    let mut key_records = Vec::new();
    for akid in key_ids_of(index, account, owner, "")? {
        if let Some(rec) = read_key(keys, &akid)? {
            key_records.push((akid, rec));
        }
    }
    let docs = match &user {
        Some(u) => policies_of(policies, account, &u.user_id, "", usize::MAX)?,
        None => Vec::new(),
    };
    Ok(OwnerState {
        account,
        user,
        keys: key_records,
        policies: docs,
    })
}

impl Store {
    /// Opens the IAM tables, creating them on first use.
    pub(crate) fn open(catalog: Arc<Catalog>) -> Result<Store, IamError> {
        let tx = catalog.db().begin_write()?;
        {
            tx.open_table(ACCOUNTS)?;
            tx.open_table(USERS)?;
            tx.open_table(ACCESS_KEYS)?;
            tx.open_table(KEYS_BY_OWNER)?;
            tx.open_table(USER_POLICIES)?;
        }
        tx.commit()?;
        Ok(Store { catalog })
    }

    pub(crate) fn db(&self) -> &redb::Database {
        self.catalog.db()
    }

    /// The state of every key owner that has at least one key (for building the directory).
    pub(crate) fn load_all(&self) -> Result<Vec<OwnerState>, IamError> {
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        let keys = tx.open_table(ACCESS_KEYS)?;
        let index = tx.open_table(KEYS_BY_OWNER)?;
        let policies = tx.open_table(USER_POLICIES)?;
        let mut users_by_id = std::collections::HashMap::new();
        for item in users.iter()? {
            let (_, v) = item?;
            let rec: UserRecord = decode(v.value())?;
            users_by_id.insert(rec.user_id.clone(), rec);
        }
        let mut owners: Vec<(AccountId, String)> = Vec::new();
        for item in index.iter()? {
            let (k, _) = item?;
            let (account, owner, _) = k.value();
            let Ok(account) = AccountId::parse(account) else {
                tracing::warn!(account, "iam: skipping keys of a malformed account id");
                continue;
            };
            if owners.last() != Some(&(account, owner.to_owned())) {
                owners.push((account, owner.to_owned()));
            }
        }
        let mut out = Vec::with_capacity(owners.len());
        for (account, owner) in owners {
            let user = if owner == ROOT_OWNER {
                None
            } else {
                match users_by_id.get(&owner) {
                    Some(u) => Some(u.clone()),
                    None => {
                        tracing::warn!(%account, owner, "iam: keys of a missing user ignored");
                        continue;
                    }
                }
            };
            out.push(owner_state(&index, &keys, &policies, account, user)?);
        }
        tracing::debug!(
            owners = out.len(),
            keys = keys.len()?,
            "iam: loaded key owners"
        );
        Ok(out)
    }
}
