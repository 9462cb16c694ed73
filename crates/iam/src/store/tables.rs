//! The IAM tables in the catalog and the records they hold (JSON-encoded values).
//!
//! | table | key | value |
//! |---|---|---|
//! | `iam_accounts` | account id | [`AccountRecord`] |
//! | `iam_users` | (account, lowercased user name) | [`UserRecord`] |
//! | `iam_access_keys` | access key id | [`KeyRecord`] |
//! | `iam_keys_by_owner` | (account, owner user id or `""` for the root, access key id) | () |
//! | `iam_user_policies` | (account, user id, policy name) | document text |
//!
//! Keys and policies belong to a user by its user id, so renaming a user touches one row.

use std::fmt;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::model::KeyStatus;

pub(crate) const ACCOUNTS: TableDefinition<&str, &[u8]> = TableDefinition::new("iam_accounts");
pub(crate) const USERS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("iam_users");
pub(crate) const ACCESS_KEYS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("iam_access_keys");
pub(crate) const KEYS_BY_OWNER: TableDefinition<(&str, &str, &str), ()> =
    TableDefinition::new("iam_keys_by_owner");
pub(crate) const USER_POLICIES: TableDefinition<(&str, &str, &str), &str> =
    TableDefinition::new("iam_user_policies");

/// The owner column value for the account root in `iam_keys_by_owner`.
pub(crate) const ROOT_OWNER: &str = "";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    pub name: String,
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub name: String,
    pub user_id: String,
    pub path: String,
    pub created: i64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    pub account: String,
    /// The owning user's id; `None` for the account root.
    pub owner: Option<String>,
    pub secret: String,
    pub status: KeyStatus,
    pub created: i64,
}

impl fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRecord")
            .field("account", &self.account)
            .field("owner", &self.owner)
            .field("secret", &"**redacted**")
            .field("status", &self.status)
            .field("created", &self.created)
            .finish()
    }
}

impl KeyRecord {
    pub(crate) fn owner_column(&self) -> &str {
        self.owner.as_deref().unwrap_or(ROOT_OWNER)
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, crate::IamError> {
    Ok(serde_json::to_vec(value)?)
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, crate::IamError> {
    Ok(serde_json::from_slice(bytes)?)
}
