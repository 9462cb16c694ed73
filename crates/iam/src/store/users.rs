//! IAM users.

use openwatch_types::AccountId;
use redb::ReadableTable;

use super::limits::{
    DEFAULT_PATH, PATH_MAX_LEN, PATH_PREFIX_PATTERN, USERS_PER_ACCOUNT, Violations,
    is_valid_path_prefix,
};
use super::tables::{ACCESS_KEYS, KEYS_BY_OWNER, USER_POLICIES, USERS, UserRecord, decode, encode};
use super::{
    OwnerState, Store, ids, key_ids_of, name_key, owner_state, page_params, paginate, policies_of,
    read_user,
};
use crate::IamError;
use crate::model::{Page, PageRequest, User, user_arn};

/// Builds the `User` shape from its record.
pub(crate) fn user_from(account: AccountId, rec: &UserRecord) -> User {
    User {
        path: rec.path.clone(),
        user_name: rec.name.clone(),
        user_id: rec.user_id.clone(),
        arn: user_arn(account, &rec.path, &rec.name),
        create_date: rec.created,
    }
}

fn already_exists(name: &str) -> IamError {
    IamError::EntityAlreadyExists(format!("User with name {name} already exists."))
}

impl Store {
    /// `CreateUser`.
    pub(crate) fn create_user(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
        now: i64,
    ) -> Result<User, IamError> {
        let mut v = Violations::new();
        v.new_user_name("userName", name);
        if let Some(p) = path {
            v.path("path", p);
        }
        v.finish()?;
        let tx = self.db().begin_write()?;
        let rec = {
            let mut users = tx.open_table(USERS)?;
            if read_user(&users, account, name)?.is_some() {
                return Err(already_exists(name));
            }
            let mut count = 0usize;
            for item in users.range((account.as_str(), "")..)? {
                let (k, _) = item?;
                if k.value().0 != account.as_str() {
                    break;
                }
                count += 1;
            }
            if count >= USERS_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for UsersPerAccount: {USERS_PER_ACCOUNT}"
                )));
            }
            let rec = UserRecord {
                name: name.to_owned(),
                user_id: ids::new_user_id(),
                path: path.unwrap_or(DEFAULT_PATH).to_owned(),
                created: now,
            };
            users.insert(
                (account.as_str(), name_key(name).as_str()),
                encode(&rec)?.as_slice(),
            )?;
            rec
        };
        tx.commit()?;
        Ok(user_from(account, &rec))
    }

    /// `GetUser` for a named user.
    pub(crate) fn get_user(&self, account: AccountId, name: &str) -> Result<User, IamError> {
        Violations::new().existing_user_name(name).finish()?;
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        read_user(&users, account, name)?
            .map(|rec| user_from(account, &rec))
            .ok_or_else(|| IamError::no_such_user(name))
    }

    /// `UpdateUser`: rename and/or move to another path. Keys and policies follow the user.
    pub(crate) fn update_user(
        &self,
        account: AccountId,
        name: &str,
        new_name: Option<&str>,
        new_path: Option<&str>,
    ) -> Result<(User, OwnerState), IamError> {
        let mut v = Violations::new();
        v.existing_user_name(name);
        if let Some(n) = new_name {
            v.new_user_name("newUserName", n);
        }
        if let Some(p) = new_path {
            v.path("newPath", p);
        }
        v.finish()?;
        let tx = self.db().begin_write()?;
        let (rec, state) = {
            let mut users = tx.open_table(USERS)?;
            let mut rec =
                read_user(&users, account, name)?.ok_or_else(|| IamError::no_such_user(name))?;
            let old_key = name_key(&rec.name);
            if let Some(n) = new_name {
                if name_key(n) != old_key && read_user(&users, account, n)?.is_some() {
                    return Err(already_exists(n));
                }
                rec.name = n.to_owned();
            }
            if let Some(p) = new_path {
                rec.path = p.to_owned();
            }
            users.remove((account.as_str(), old_key.as_str()))?;
            users.insert(
                (account.as_str(), name_key(&rec.name).as_str()),
                encode(&rec)?.as_slice(),
            )?;
            let index = tx.open_table(KEYS_BY_OWNER)?;
            let keys = tx.open_table(ACCESS_KEYS)?;
            let policies = tx.open_table(USER_POLICIES)?;
            let state = owner_state(&index, &keys, &policies, account, Some(rec.clone()))?;
            (rec, state)
        };
        tx.commit()?;
        Ok((user_from(account, &rec), state))
    }

    /// `DeleteUser`: refused while the user has access keys or inline policies.
    pub(crate) fn delete_user(&self, account: AccountId, name: &str) -> Result<(), IamError> {
        Violations::new().existing_user_name(name).finish()?;
        let tx = self.db().begin_write()?;
        {
            let mut users = tx.open_table(USERS)?;
            let rec =
                read_user(&users, account, name)?.ok_or_else(|| IamError::no_such_user(name))?;
            let index = tx.open_table(KEYS_BY_OWNER)?;
            if !key_ids_of(&index, account, &rec.user_id, "")?.is_empty() {
                return Err(IamError::DeleteConflict(
                    "Cannot delete entity, must delete access keys first.".into(),
                ));
            }
            let policies = tx.open_table(USER_POLICIES)?;
            if !policies_of(&policies, account, &rec.user_id, "", 1)?.is_empty() {
                return Err(IamError::DeleteConflict(
                    "Cannot delete entity, must delete policies first.".into(),
                ));
            }
            users.remove((account.as_str(), name_key(&rec.name).as_str()))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// `ListUsers`, in (case-insensitive) name order, filtered by path prefix.
    pub(crate) fn list_users(
        &self,
        account: AccountId,
        path_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<User>, IamError> {
        let mut v = Violations::new();
        if let Some(p) = path_prefix {
            v.length("pathPrefix", p, 1, PATH_MAX_LEN).pattern(
                "pathPrefix",
                p,
                is_valid_path_prefix(p),
                PATH_PREFIX_PATTERN,
            );
        }
        v.finish()?;
        let (start, limit) = page_params(page)?;
        let prefix = path_prefix.unwrap_or(DEFAULT_PATH);
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        let mut items = Vec::new();
        for item in users.range((account.as_str(), start.as_str())..)? {
            let (k, val) = item?;
            let (a, key) = k.value();
            if a != account.as_str() || items.len() > limit {
                break;
            }
            let rec: UserRecord = decode(val.value())?;
            if rec.path.starts_with(prefix) {
                items.push((key.to_owned(), user_from(account, &rec)));
            }
        }
        Ok(paginate(items, limit))
    }
}
