//! The dashboards of every account, in the catalog table `dashboards` (JSON values keyed
//! `account \n name`). Dashboards are global: one namespace per account, whatever the region a
//! call is made in, and their ARN (`arn:aws:cloudwatch::<account>:dashboard/<name>`) has no
//! region. Every change is one durable write transaction; reads go to the catalog.

use std::sync::Arc;

use openwatch_storage::{Catalog, Clock};
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::{DashboardsError, internal};

const DASHBOARDS: TableDefinition<&str, &[u8]> = TableDefinition::new("dashboards");

/// Longest dashboard name.
pub const MAX_NAME_LEN: usize = 255;
/// Most entries in one ListDashboards page.
pub const LIST_PAGE: usize = 1000;
/// Most names in one DeleteDashboards call.
pub const MAX_DELETE: usize = 100;

/// A stored dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub name: String,
    pub body: String,
    pub last_modified_ms: i64,
}

/// One `DashboardEntry` of ListDashboards.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardEntry {
    pub name: String,
    pub arn: String,
    pub last_modified_ms: i64,
    /// The body's size in bytes.
    pub size: u64,
}

/// A dashboard's ARN.
pub fn dashboard_arn(account: &str, name: &str) -> String {
    format!("arn:aws:cloudwatch::{account}:dashboard/{name}")
}

fn key(account: &str, name: &str) -> String {
    format!("{account}\n{name}")
}

fn not_found(name: &str) -> DashboardsError {
    DashboardsError::NotFound(format!("Dashboard {name} does not exist"))
}

/// Checks a DashboardName: 1–255 characters, `A-Z a-z 0-9 - _`.
pub fn check_name(name: &str) -> Result<(), DashboardsError> {
    if name.is_empty() {
        return Err(DashboardsError::MissingParameter(
            "The parameter DashboardName is required.".into(),
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(DashboardsError::InvalidParameterValue(
            "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).".into(),
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(DashboardsError::InvalidParameterValue(format!(
            "The value for field DashboardName must be at most {MAX_NAME_LEN} characters long."
        )));
    }
    Ok(())
}

/// The dashboards of every account.
#[derive(Debug)]
pub struct DashboardStore {
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
}

impl DashboardStore {
    /// Opens (creates) the table.
    pub fn open(catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Result<Self, DashboardsError> {
        let tx = catalog.db().begin_write().map_err(internal)?;
        tx.open_table(DASHBOARDS).map_err(internal)?;
        tx.commit().map_err(internal)?;
        Ok(DashboardStore { catalog, clock })
    }

    /// PutDashboard: validates the name and body, then creates or replaces the dashboard.
    pub fn put(&self, account: &str, name: &str, body: &str) -> Result<(), DashboardsError> {
        check_name(name)?;
        crate::body::validate(body)?;
        let d = Dashboard {
            name: name.to_owned(),
            body: body.to_owned(),
            last_modified_ms: self.clock.now_millis(),
        };
        let value = serde_json::to_vec(&d).map_err(internal)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(DASHBOARDS).map_err(internal)?;
            t.insert(key(account, name).as_str(), value.as_slice())
                .map_err(internal)?;
        }
        tx.commit().map_err(internal)
    }

    /// GetDashboard.
    pub fn get(&self, account: &str, name: &str) -> Result<Dashboard, DashboardsError> {
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(DASHBOARDS).map_err(internal)?;
        let Some(v) = t.get(key(account, name).as_str()).map_err(internal)? else {
            return Err(not_found(name));
        };
        serde_json::from_slice(v.value()).map_err(internal)
    }

    /// ListDashboards: by name, those starting with `prefix`, 1000 a page; the token is where
    /// the previous page stopped.
    pub fn list(
        &self,
        account: &str,
        prefix: Option<&str>,
        next_token: Option<&str>,
    ) -> Result<(Vec<DashboardEntry>, Option<String>), DashboardsError> {
        let prefix = prefix.unwrap_or_default();
        if prefix.len() > MAX_NAME_LEN
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(DashboardsError::InvalidParameterValue(
                "The value for field DashboardNamePrefix must be at most 255 characters of A-Z, a-z, 0-9, \".\", \"-\" and \"_\".".into(),
            ));
        }
        let after = match next_token {
            Some(t) => Some(decode_token(t)?),
            None => None,
        };
        let start = key(account, prefix);
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(DASHBOARDS).map_err(internal)?;
        let mut out = Vec::new();
        let mut more = false;
        for row in t.range(start.as_str()..).map_err(internal)? {
            let (k, v) = row.map_err(internal)?;
            let Some(name) = k
                .value()
                .strip_prefix(account)
                .and_then(|r| r.strip_prefix('\n'))
            else {
                break;
            };
            if !name.starts_with(prefix) {
                break;
            }
            if after.as_deref().is_some_and(|a| name <= a) {
                continue;
            }
            if out.len() == LIST_PAGE {
                more = true;
                break;
            }
            let d: Dashboard = serde_json::from_slice(v.value()).map_err(internal)?;
            out.push(DashboardEntry {
                arn: dashboard_arn(account, &d.name),
                size: d.body.len() as u64,
                last_modified_ms: d.last_modified_ms,
                name: d.name,
            });
        }
        let next = more
            .then(|| out.last().map(|e| encode_token(&e.name)))
            .flatten();
        Ok((out, next))
    }

    /// DeleteDashboards: all named dashboards, or none if one does not exist.
    pub fn delete(&self, account: &str, names: &[String]) -> Result<(), DashboardsError> {
        if names.is_empty() {
            return Err(DashboardsError::MissingParameter(
                "The parameter DashboardNames is required.".into(),
            ));
        }
        if names.len() > MAX_DELETE {
            return Err(DashboardsError::InvalidParameterValue(format!(
                "The collection DashboardNames must not have more than {MAX_DELETE} members."
            )));
        }
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(DASHBOARDS).map_err(internal)?;
            for name in names {
                if t.get(key(account, name).as_str())
                    .map_err(internal)?
                    .is_none()
                {
                    // Dropping the transaction uncommitted leaves every dashboard in place.
                    return Err(not_found(name));
                }
            }
            for name in names {
                t.remove(key(account, name).as_str()).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
    }
}

/// Pagination tokens: the last listed name, hex-encoded so clients treat it as opaque.
fn encode_token(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(t: &str) -> Result<String, DashboardsError> {
    let bad = || DashboardsError::InvalidNextToken("The service cannot find the token.".into());
    if t.is_empty() || !t.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..t.len())
        .step_by(2)
        .map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let name = bytes
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    check_name(&name).map_err(|_| bad())?;
    Ok(name)
}

#[cfg(test)]
mod tests;
