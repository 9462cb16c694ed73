//! Accounts and their root access keys.

use openwatch_types::AccountId;
use redb::ReadableTable;

use super::limits::{ACCOUNT_NAME_MAX_LEN, NAME_MIN_LEN, Violations};
use super::tables::{ACCOUNTS, AccountRecord, decode, encode};
use super::{OwnerState, Store, ids};
use crate::IamError;
use crate::model::{AccessKey, Account};

/// Attempts at drawing an unused random account id before giving up.
const ACCOUNT_ID_ATTEMPTS: usize = 64;

fn account_from(id: &str, rec: AccountRecord) -> Result<Account, IamError> {
    let id = AccountId::parse(id).map_err(IamError::storage)?;
    Ok(Account {
        id,
        name: rec.name,
        create_date: rec.created,
    })
}

impl Store {
    /// Creates an account with a random unused id and one root access key.
    pub(crate) fn create_account(
        &self,
        name: &str,
        now: i64,
    ) -> Result<(Account, AccessKey, OwnerState), IamError> {
        Violations::new()
            .length("accountName", name, NAME_MIN_LEN, ACCOUNT_NAME_MAX_LEN)
            .pattern(
                "accountName",
                name,
                !name.chars().any(char::is_control),
                r"[^\p{Cntrl}]+",
            )
            .finish()?;
        let tx = self.db().begin_write()?;
        let (account, key, state) = {
            let mut accounts = tx.open_table(ACCOUNTS)?;
            let mut id = None;
            for _ in 0..ACCOUNT_ID_ATTEMPTS {
                if let Some(candidate) = ids::new_account_id()
                    && accounts.get(candidate.as_str())?.is_none()
                {
                    id = Some(candidate);
                    break;
                }
            }
            let id = id.ok_or_else(|| IamError::storage("no unused account id found"))?;
            let rec = AccountRecord {
                name: name.to_owned(),
                created: now,
            };
            accounts.insert(id.as_str(), encode(&rec)?.as_slice())?;
            let (key, state) = self.insert_key(&tx, id, None, now)?;
            (account_from(id.as_str(), rec)?, key, state)
        };
        tx.commit()?;
        Ok((account, key, state))
    }

    /// Every account, in id order.
    pub(crate) fn list_accounts(&self) -> Result<Vec<Account>, IamError> {
        let tx = self.db().begin_read()?;
        let accounts = tx.open_table(ACCOUNTS)?;
        let mut out = Vec::new();
        for item in accounts.iter()? {
            let (k, v) = item?;
            out.push(account_from(k.value(), decode(v.value())?)?);
        }
        Ok(out)
    }

    /// One account, if it exists.
    pub(crate) fn get_account(&self, id: AccountId) -> Result<Option<Account>, IamError> {
        let tx = self.db().begin_read()?;
        let accounts = tx.open_table(ACCOUNTS)?;
        match accounts.get(id.as_str())? {
            Some(v) => Ok(Some(account_from(id.as_str(), decode(v.value())?)?)),
            None => Ok(None),
        }
    }
}
