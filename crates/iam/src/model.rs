//! The entities IAM operations return: accounts, users, access keys, inline policies, pages.

use std::fmt;

use openwatch_types::{AccountId, PARTITION};
use serde::{Deserialize, Serialize};

/// An OpenWatch account (the tenant every piece of data belongs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account id.
    pub id: AccountId,
    /// A human name for the account.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub create_date: i64,
}

impl Account {
    /// The ARN of the account's root user, `arn:aws:iam::<account>:root`.
    pub fn root_arn(&self) -> String {
        root_arn(self.id)
    }
}

/// `arn:aws:iam::<account>:root`.
pub fn root_arn(account: AccountId) -> String {
    format!("arn:{PARTITION}:iam::{account}:root")
}

/// `arn:aws:iam::<account>:user<path><name>`.
pub fn user_arn(account: AccountId, path: &str, name: &str) -> String {
    format!("arn:{PARTITION}:iam::{account}:user{path}{name}")
}

/// An IAM user (the `User` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's path, `/` by default.
    pub path: String,
    /// The user's name, with the case it was created with.
    pub user_name: String,
    /// The stable unique id, `AIDA` + 17 characters.
    pub user_id: String,
    /// `arn:aws:iam::<account>:user<path><name>`.
    pub arn: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub create_date: i64,
}

/// Whether an access key may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyStatus {
    /// The key signs requests.
    Active,
    /// The key is kept but refused.
    Inactive,
}

impl KeyStatus {
    /// `Active` or `Inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }

    /// Parses a `Status` parameter; anything else is IAM's `ValidationError`.
    pub fn parse(text: &str) -> Result<KeyStatus, crate::IamError> {
        match text {
            "Active" => Ok(KeyStatus::Active),
            "Inactive" => Ok(KeyStatus::Inactive),
            other => {
                let mut violations = crate::store::limits::Violations::new();
                violations.enumeration("status", other, false, crate::store::limits::STATUS_ENUM);
                Err(violations.finish().err().unwrap_or_else(|| {
                    crate::IamError::InvalidInput(format!("Invalid access key status {other}"))
                }))
            }
        }
    }
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret access key. Its `Debug` and `Display` never show the secret; use
/// [`expose`](Self::expose) where the secret is really needed (signature checks, the one response
/// that returns it).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    pub(crate) fn new(secret: String) -> Self {
        SecretKey(secret)
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(**redacted**)")
    }
}

/// A newly created access key, with its secret (the `AccessKey` shape; returned only once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The owning user's name; `None` for a key of the account root.
    pub user_name: Option<String>,
    /// `AKIA` + 16 characters.
    pub access_key_id: String,
    /// Active or Inactive.
    pub status: KeyStatus,
    /// The 40-character secret.
    pub secret_access_key: SecretKey,
    /// Creation time, milliseconds since the Unix epoch.
    pub create_date: i64,
}

/// An access key without its secret (the `AccessKeyMetadata` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyMetadata {
    /// The owning user's name; `None` for a key of the account root.
    pub user_name: Option<String>,
    /// The key id.
    pub access_key_id: String,
    /// Active or Inactive.
    pub status: KeyStatus,
    /// Creation time, milliseconds since the Unix epoch.
    pub create_date: i64,
}

/// An inline user policy (`GetUserPolicy`'s result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPolicy {
    /// The user's name.
    pub user_name: String,
    /// The policy's name.
    pub policy_name: String,
    /// The document as it was given (URL-decoded JSON; the wire layer URL-encodes it again).
    pub policy_document: String,
}

/// Pagination parameters (`Marker`, `MaxItems`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// The `Marker` from a previous truncated page.
    pub marker: Option<String>,
    /// 1–1000; 100 when absent.
    pub max_items: Option<i64>,
}

impl PageRequest {
    /// The first page with at most `max_items` items.
    pub fn first(max_items: i64) -> Self {
        PageRequest {
            marker: None,
            max_items: Some(max_items),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub is_truncated: bool,
    /// The marker for the next page, when truncated.
    pub marker: Option<String>,
}
