//! Access keys of the account root and of users.

use openwatch_types::AccountId;
use redb::{ReadableTable, WriteTransaction};

use super::limits::{ACCESS_KEYS_PER_USER, Violations};
use super::tables::{
    ACCESS_KEYS, KEYS_BY_OWNER, KeyRecord, ROOT_OWNER, USER_POLICIES, USERS, UserRecord, encode,
};
use super::{
    OwnerState, Store, ids, key_ids_of, owner_state, page_params, paginate, read_key, read_user,
};
use crate::IamError;
use crate::model::{AccessKey, AccessKeyMetadata, KeyStatus, Page, PageRequest, SecretKey};

/// Attempts at drawing an unused random access key id before giving up.
const KEY_ID_ATTEMPTS: usize = 64;

/// The owner named by an optional `UserName` (absent: the account root).
fn resolve_owner(
    users: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    account: AccountId,
    user: Option<&str>,
) -> Result<Option<UserRecord>, IamError> {
    match user {
        None => Ok(None),
        Some(name) => read_user(users, account, name)?
            .map(Some)
            .ok_or_else(|| IamError::no_such_user(name)),
    }
}

fn validate_user(user: Option<&str>, v: &mut Violations) {
    if let Some(name) = user {
        v.existing_user_name(name);
    }
}

impl Store {
    /// Adds a key for `user` (or the root) inside `tx`, enforcing the per-owner quota.
    pub(crate) fn insert_key(
        &self,
        tx: &WriteTransaction,
        account: AccountId,
        user: Option<&UserRecord>,
        now: i64,
    ) -> Result<(AccessKey, OwnerState), IamError> {
        let mut keys = tx.open_table(ACCESS_KEYS)?;
        let mut index = tx.open_table(KEYS_BY_OWNER)?;
        let owner = user.map_or(ROOT_OWNER, |u| u.user_id.as_str());
        if key_ids_of(&index, account, owner, "")?.len() >= ACCESS_KEYS_PER_USER {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
            )));
        }
        let mut akid = None;
        for _ in 0..KEY_ID_ATTEMPTS {
            let candidate = ids::new_access_key_id();
            if keys.get(candidate.as_str())?.is_none() {
                akid = Some(candidate);
                break;
            }
        }
        let akid = akid.ok_or_else(|| IamError::storage("no unused access key id found"))?;
        let rec = KeyRecord {
            account: account.as_str().to_owned(),
            owner: user.map(|u| u.user_id.clone()),
            secret: ids::new_secret(),
            status: KeyStatus::Active,
            created: now,
        };
        keys.insert(akid.as_str(), encode(&rec)?.as_slice())?;
        index.insert((account.as_str(), owner, akid.as_str()), ())?;
        let policies = tx.open_table(USER_POLICIES)?;
        let state = owner_state(&index, &keys, &policies, account, user.cloned())?;
        let key = AccessKey {
            user_name: user.map(|u| u.name.clone()),
            access_key_id: akid,
            status: rec.status,
            secret_access_key: SecretKey::new(rec.secret),
            create_date: rec.created,
        };
        Ok((key, state))
    }

    /// `CreateAccessKey`.
    pub(crate) fn create_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        now: i64,
    ) -> Result<(AccessKey, OwnerState), IamError> {
        let mut v = Violations::new();
        validate_user(user, &mut v);
        v.finish()?;
        let tx = self.db().begin_write()?;
        let out = {
            let users = tx.open_table(USERS)?;
            let owner = resolve_owner(&users, account, user)?;
            self.insert_key(&tx, account, owner.as_ref(), now)?
        };
        tx.commit()?;
        Ok(out)
    }

    /// Finds `akid` among the keys of the named owner, inside `tx`.
    fn owned_key(
        tx: &WriteTransaction,
        account: AccountId,
        user: Option<&str>,
        akid: &str,
    ) -> Result<(Option<UserRecord>, KeyRecord), IamError> {
        let users = tx.open_table(USERS)?;
        let owner = resolve_owner(&users, account, user)?;
        let keys = tx.open_table(ACCESS_KEYS)?;
        let rec = read_key(&keys, akid)?
            .filter(|k| {
                k.account == account.as_str()
                    && k.owner.as_deref() == owner.as_ref().map(|u| u.user_id.as_str())
            })
            .ok_or_else(|| IamError::no_such_key(akid))?;
        Ok((owner, rec))
    }

    /// `DeleteAccessKey`.
    pub(crate) fn delete_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        akid: &str,
    ) -> Result<(), IamError> {
        let mut v = Violations::new();
        validate_user(user, &mut v);
        v.access_key_id(akid).finish()?;
        let tx = self.db().begin_write()?;
        {
            let (_, rec) = Self::owned_key(&tx, account, user, akid)?;
            let mut keys = tx.open_table(ACCESS_KEYS)?;
            let mut index = tx.open_table(KEYS_BY_OWNER)?;
            keys.remove(akid)?;
            index.remove((account.as_str(), rec.owner_column(), akid))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// `UpdateAccessKey`.
    pub(crate) fn update_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        akid: &str,
        status: KeyStatus,
    ) -> Result<OwnerState, IamError> {
        let mut v = Violations::new();
        validate_user(user, &mut v);
        v.access_key_id(akid).finish()?;
        let tx = self.db().begin_write()?;
        let state = {
            let (owner, mut rec) = Self::owned_key(&tx, account, user, akid)?;
            rec.status = status;
            let mut keys = tx.open_table(ACCESS_KEYS)?;
            keys.insert(akid, encode(&rec)?.as_slice())?;
            let index = tx.open_table(KEYS_BY_OWNER)?;
            let policies = tx.open_table(USER_POLICIES)?;
            owner_state(&index, &keys, &policies, account, owner)?
        };
        tx.commit()?;
        Ok(state)
    }

    /// `ListAccessKeys` for a user, or for the root when `user` is `None`.
    pub(crate) fn list_access_keys(
        &self,
        account: AccountId,
        user: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AccessKeyMetadata>, IamError> {
        let mut v = Violations::new();
        validate_user(user, &mut v);
        v.finish()?;
        let (start, limit) = page_params(page)?;
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        let owner = resolve_owner(&users, account, user)?;
        let index = tx.open_table(KEYS_BY_OWNER)?;
        let keys = tx.open_table(ACCESS_KEYS)?;
        let owner_col = owner.as_ref().map_or(ROOT_OWNER, |u| u.user_id.as_str());
        let mut items = Vec::new();
        for akid in key_ids_of(&index, account, owner_col, &start)?
            .into_iter()
            .take(limit.saturating_add(1))
        {
            if let Some(rec) = read_key(&keys, &akid)? {
                let meta = AccessKeyMetadata {
                    user_name: owner.as_ref().map(|u| u.name.clone()),
                    access_key_id: akid.clone(),
                    status: rec.status,
                    create_date: rec.created,
                };
                items.push((akid, meta));
            }
        }
        Ok(paginate(items, limit))
    }
}
