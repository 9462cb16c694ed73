//! `Iam`: the crate's facade — the durable store plus the in-memory key directory.

use std::sync::Arc;

use openwatch_storage::{Catalog, Clock};
use openwatch_types::AccountId;
use parking_lot::Mutex;

use crate::IamError;
use crate::directory::Directory;
use crate::model::{
    AccessKey, AccessKeyMetadata, Account, KeyStatus, Page, PageRequest, User, UserPolicy,
};
use crate::policy::{ConditionContext, Decision};
use crate::principal::Principal;
use crate::store::Store;

/// Accounts, users, access keys and policies, with a fast access-key lookup for every request.
///
/// Mutations are serialised: each commits its catalog transaction durably, then updates the key
/// directory before returning, so the next [`lookup`](Self::lookup) sees the change (a deleted
/// key is gone, a deactivated key is refused, a changed policy applies).
#[derive(Debug)]
pub struct Iam {
    store: Store,
    directory: Directory,
    clock: Arc<dyn Clock>,
    /// Orders (commit, directory update) pairs so the directory never goes back in time.
    writer: Mutex<()>,
}

impl Iam {
    /// Opens the IAM tables in `catalog` (creating them on first use) and loads every access key
    /// into the directory.
    pub fn open(catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Result<Iam, IamError> {
        let store = Store::open(catalog)?;
        let directory = Directory::default();
        for state in store.load_all()? {
            directory.apply(&state);
        }
        tracing::info!(keys = directory.len(), "iam: key directory loaded");
        Ok(Iam {
            store,
            directory,
            clock,
            writer: Mutex::new(()),
        })
    }

    #[cfg(test)]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The principal signing with an active access key `akid`, if any. Cheap: a shared lock and
    /// an `Arc` clone. Deleted, unknown and inactive keys give `None`.
    pub fn lookup(&self, akid: &str) -> Option<Arc<Principal>> {
        self.directory.get(akid)
    }

    /// May `principal` perform `action` on `resource` in this context? See
    /// [`Principal::authorize`].
    pub fn authorize(
        &self,
        principal: &Principal,
        action: &str,
        resource: &str,
        context: &ConditionContext,
    ) -> Decision {
        principal.authorize(action, resource, context)
    }

    /// Registers an in-memory-only key for the root of `account` (the server's `--dev` mode:
    /// account `000000000000`, key `test`/`test`). Never written to the catalog.
    pub fn register_ephemeral_key(&self, akid: &str, secret: &str, account: AccountId) {
        self.directory
            .insert(Principal::root(account, akid, secret));
    }

    // --- accounts -------------------------------------------------------------------------

    /// Creates an account (random unused 12-digit id not starting with 0) and its first root
    /// access key, whose secret is returned only here.
    pub fn create_account(&self, name: &str) -> Result<(Account, AccessKey), IamError> {
        let _w = self.writer.lock();
        let (account, key, state) = self.store.create_account(name, self.clock.now_millis())?;
        self.directory.apply(&state);
        Ok((account, key))
    }

    /// Every account, in id order.
    pub fn list_accounts(&self) -> Result<Vec<Account>, IamError> {
        self.store.list_accounts()
    }

    /// One account, if it exists.
    pub fn get_account(&self, id: AccountId) -> Result<Option<Account>, IamError> {
        self.store.get_account(id)
    }

    // --- users ----------------------------------------------------------------------------

    /// `CreateUser` (path defaults to `/`).
    pub fn create_user(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
    ) -> Result<User, IamError> {
        let _w = self.writer.lock();
        self.store
            .create_user(account, name, path, self.clock.now_millis())
    }

    /// `GetUser` for a named user (the caller's own user is resolved by the server).
    pub fn get_user(&self, account: AccountId, name: &str) -> Result<User, IamError> {
        self.store.get_user(account, name)
    }

    /// `UpdateUser`: new name and/or new path.
    pub fn update_user(
        &self,
        account: AccountId,
        name: &str,
        new_name: Option<&str>,
        new_path: Option<&str>,
    ) -> Result<User, IamError> {
        let _w = self.writer.lock();
        let (user, state) = self.store.update_user(account, name, new_name, new_path)?;
        self.directory.apply(&state);
        Ok(user)
    }

    /// `DeleteUser` (refused while the user has access keys or inline policies).
    pub fn delete_user(&self, account: AccountId, name: &str) -> Result<(), IamError> {
        let _w = self.writer.lock();
        self.store.delete_user(account, name)
    }

    /// `ListUsers`, in name order, optionally filtered by `PathPrefix`.
    pub fn list_users(
        &self,
        account: AccountId,
        path_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<User>, IamError> {
        self.store.list_users(account, path_prefix, page)
    }

    // --- access keys ----------------------------------------------------------------------

    /// `CreateAccessKey` for `user`, or for the account root when `None`.
    pub fn create_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
    ) -> Result<AccessKey, IamError> {
        let _w = self.writer.lock();
        let (key, state) = self
            .store
            .create_access_key(account, user, self.clock.now_millis())?;
        self.directory.apply(&state);
        Ok(key)
    }

    /// `DeleteAccessKey` of `user`, or of the account root when `None`.
    pub fn delete_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        akid: &str,
    ) -> Result<(), IamError> {
        let _w = self.writer.lock();
        self.store.delete_access_key(account, user, akid)?;
        self.directory.remove(akid);
        Ok(())
    }

    /// `UpdateAccessKey`: activate or deactivate a key (inactive keys are refused by
    /// [`lookup`](Self::lookup)).
    pub fn update_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        akid: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        let _w = self.writer.lock();
        let state = self.store.update_access_key(account, user, akid, status)?;
        self.directory.apply(&state);
        Ok(())
    }

    /// `ListAccessKeys` of `user`, or of the account root when `None` (when a user calls
    /// without `UserName`, the server passes the caller's own name).
    pub fn list_access_keys(
        &self,
        account: AccountId,
        user: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AccessKeyMetadata>, IamError> {
        self.store.list_access_keys(account, user, page)
    }

    // --- inline user policies -------------------------------------------------------------

    /// `PutUserPolicy`: `document` is the JSON text (URL-decoded), stored as given.
    pub fn put_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<(), IamError> {
        let _w = self.writer.lock();
        let state = self
            .store
            .put_user_policy(account, user, policy_name, document)?;
        self.directory.apply(&state);
        Ok(())
    }

    /// `GetUserPolicy`.
    pub fn get_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
    ) -> Result<UserPolicy, IamError> {
        self.store.get_user_policy(account, user, policy_name)
    }

    /// `DeleteUserPolicy`.
    pub fn delete_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
    ) -> Result<(), IamError> {
        let _w = self.writer.lock();
        let state = self.store.delete_user_policy(account, user, policy_name)?;
        self.directory.apply(&state);
        Ok(())
    }

    /// `ListUserPolicies`: the user's inline policy names, in name order.
    pub fn list_user_policies(
        &self,
        account: AccountId,
        user: &str,
        page: &PageRequest,
    ) -> Result<Page<String>, IamError> {
        self.store.list_user_policies(account, user, page)
    }
}
