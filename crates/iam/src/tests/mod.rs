//! Facade tests: the store through `Iam`, durability across reopen, error paths, the key
//! directory and authorisation.

mod accounts_and_keys;
mod directory;
mod policies;
mod users;

use std::path::Path;
use std::sync::Arc;

use openwatch_storage::{Catalog, SimClock};
use openwatch_types::AccountId;

use crate::{Iam, IamError, PageRequest};

/// 2023-11-14T22:13:20Z
pub(crate) const T0: i64 = 1_700_000_000_000;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
    pub iam: Iam,
    pub clock: Arc<SimClock>,
}

pub(crate) fn open_at(
    path: &Path,
    clock: Arc<SimClock>,
) -> Result<Iam, Box<dyn std::error::Error>> {
    let catalog = Arc::new(Catalog::open(&path.join("catalog.redb"))?);
    Ok(Iam::open(catalog, clock)?)
}

pub(crate) fn fixture() -> Result<Fixture, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(SimClock::new(T0));
    let iam = open_at(dir.path(), clock.clone())?;
    Ok(Fixture { dir, iam, clock })
}

impl Fixture {
    /// Drops the `Iam` (and its catalog) and opens the same directory again.
    pub(crate) fn reopen(self) -> Result<Fixture, Box<dyn std::error::Error>> {
        let Fixture { dir, iam, clock } = self;
        drop(iam);
        let iam = open_at(dir.path(), clock.clone())?;
        Ok(Fixture { dir, iam, clock })
    }

    /// Creates the account `a`; returns its id.
    pub(crate) fn account(&self) -> Result<AccountId, Box<dyn std::error::Error>> {
        Ok(self.iam.create_account("a")?.0.id)
    }
}

pub(crate) fn all() -> PageRequest {
    PageRequest::first(1000)
}

/// Everything observable about some accounts, as text (to prove an error changed nothing).
pub(crate) fn snapshot(iam: &Iam, accounts: &[AccountId]) -> Result<String, IamError> {
    let mut out = format!("{:?}\n", iam.list_accounts()?);
    for &account in accounts {
        let root_keys = iam.list_access_keys(account, None, &all())?;
        out.push_str(&format!("{account} root keys {:?}\n", root_keys.items));
        for key in &root_keys.items {
            out.push_str(&format!("  lookup {:?}\n", iam.lookup(&key.access_key_id)));
        }
        for user in iam.list_users(account, None, &all())?.items {
            out.push_str(&format!("{user:?}\n"));
            let keys = iam.list_access_keys(account, Some(&user.user_name), &all())?;
            out.push_str(&format!("  keys {:?}\n", keys.items));
            for key in &keys.items {
                out.push_str(&format!("  lookup {:?}\n", iam.lookup(&key.access_key_id)));
            }
            for name in iam
                .list_user_policies(account, &user.user_name, &all())?
                .items
            {
                let p = iam.get_user_policy(account, &user.user_name, &name)?;
                out.push_str(&format!("  policy {name}: {}\n", p.policy_document));
            }
        }
    }
    Ok(out)
}

/// Asserts `result` failed with `code` (and, when given, exactly `message`).
pub(crate) fn assert_err<T: std::fmt::Debug>(
    result: Result<T, IamError>,
    code: &str,
    message: Option<&str>,
) {
    match result {
        Ok(v) => panic!("expected {code}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            if let Some(m) = message {
                assert_eq!(e.message(), m);
            }
        }
    }
}

pub(crate) const ALLOW_LOGS: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}"#;
