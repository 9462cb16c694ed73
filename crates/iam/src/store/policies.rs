//! Inline user policies.

use openwatch_types::AccountId;

use super::limits::{
    POLICY_DOCUMENT_MAX_LEN, POLICY_DOCUMENT_PATTERN, USER_POLICY_SIZE_MAX, Violations,
    is_valid_policy_document, policy_size,
};
use super::tables::{ACCESS_KEYS, KEYS_BY_OWNER, USER_POLICIES, USERS};
use super::{OwnerState, Store, owner_state, page_params, paginate, policies_of, read_user};
use crate::IamError;
use crate::model::{Page, PageRequest, UserPolicy};
use crate::policy::Policy;

impl Store {
    /// `PutUserPolicy`: adds or replaces an inline policy after validating the document and the
    /// aggregate size quota.
    pub(crate) fn put_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<OwnerState, IamError> {
        Violations::new()
            .existing_user_name(user)
            .policy_name(policy_name)
            .length("policyDocument", document, 1, POLICY_DOCUMENT_MAX_LEN)
            .pattern(
                "policyDocument",
                document,
                is_valid_policy_document(document),
                POLICY_DOCUMENT_PATTERN,
            )
            .finish()?;
        let parsed = Policy::parse(document);
        let tx = self.db().begin_write()?;
        let state = {
            let users = tx.open_table(USERS)?;
            let rec =
                read_user(&users, account, user)?.ok_or_else(|| IamError::no_such_user(user))?;
            if let Err(e) = parsed {
                return Err(IamError::MalformedPolicyDocument(e.message().to_owned()));
            }
            let mut policies = tx.open_table(USER_POLICIES)?;
            let others: usize = policies_of(&policies, account, &rec.user_id, "", usize::MAX)?
                .iter()
                .filter(|(name, _)| name != policy_name)
                .map(|(_, doc)| policy_size(doc))
                .sum();
            if others + policy_size(document) > USER_POLICY_SIZE_MAX {
                return Err(IamError::LimitExceeded(format!(
                    "Maximum policy size of {USER_POLICY_SIZE_MAX} bytes exceeded for user {}",
                    rec.name
                )));
            }
            policies.insert(
                (account.as_str(), rec.user_id.as_str(), policy_name),
                document,
            )?;
            let index = tx.open_table(KEYS_BY_OWNER)?;
            let keys = tx.open_table(ACCESS_KEYS)?;
            owner_state(&index, &keys, &policies, account, Some(rec))?
        };
        tx.commit()?;
        Ok(state)
    }

    /// `GetUserPolicy`.
    pub(crate) fn get_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
    ) -> Result<UserPolicy, IamError> {
        Violations::new()
            .existing_user_name(user)
            .policy_name(policy_name)
            .finish()?;
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        let rec = read_user(&users, account, user)?.ok_or_else(|| IamError::no_such_user(user))?;
        let policies = tx.open_table(USER_POLICIES)?;
        let doc = redb::ReadableTable::get(
            &policies,
            (account.as_str(), rec.user_id.as_str(), policy_name),
        )?
        .map(|v| v.value().to_owned())
        .ok_or_else(|| IamError::no_such_user_policy(policy_name))?;
        Ok(UserPolicy {
            user_name: rec.name,
            policy_name: policy_name.to_owned(),
            policy_document: doc,
        })
    }

    /// `DeleteUserPolicy`.
    pub(crate) fn delete_user_policy(
        &self,
        account: AccountId,
        user: &str,
        policy_name: &str,
    ) -> Result<OwnerState, IamError> {
        Violations::new()
            .existing_user_name(user)
            .policy_name(policy_name)
            .finish()?;
        let tx = self.db().begin_write()?;
        let state = {
            let users = tx.open_table(USERS)?;
            let rec =
                read_user(&users, account, user)?.ok_or_else(|| IamError::no_such_user(user))?;
            let mut policies = tx.open_table(USER_POLICIES)?;
            if policies
                .remove((account.as_str(), rec.user_id.as_str(), policy_name))?
                .is_none()
            {
                return Err(IamError::no_such_user_policy(policy_name));
            }
            let index = tx.open_table(KEYS_BY_OWNER)?;
            let keys = tx.open_table(ACCESS_KEYS)?;
            owner_state(&index, &keys, &policies, account, Some(rec))?
        };
        tx.commit()?;
        Ok(state)
    }

    /// `ListUserPolicies`: policy names in name order.
    pub(crate) fn list_user_policies(
        &self,
        account: AccountId,
        user: &str,
        page: &PageRequest,
    ) -> Result<Page<String>, IamError> {
        Violations::new().existing_user_name(user).finish()?;
        let (start, limit) = page_params(page)?;
        let tx = self.db().begin_read()?;
        let users = tx.open_table(USERS)?;
        let rec = read_user(&users, account, user)?.ok_or_else(|| IamError::no_such_user(user))?;
        let policies = tx.open_table(USER_POLICIES)?;
        let items = policies_of(
            &policies,
            account,
            &rec.user_id,
            &start,
            limit.saturating_add(1),
        )?
        .into_iter()
        .map(|(name, _)| (name.clone(), name))
        .collect();
        Ok(paginate(items, limit))
    }
}
