//! Destinations: PutDestination / PutDestinationPolicy / DescribeDestinations / DeleteDestination,
//! and the access-policy check cross-account PutSubscriptionFilter makes.
//!
//! A destination is one record in `logs_destinations`, keyed by (account, region, name). Its
//! `targetArn` must be a log group of any account and region of this server (this server has no
//! Kinesis stream or Firehose): the way to aggregate many accounts' and regions' logs in one
//! place. Its access policy is an IAM policy document (at most 5120 bytes) whose `Allow`
//! statements name sender accounts (`Principal: {"AWS": ["111122223333", ...]}`, account ids or
//! `arn:aws:iam::<account>:...` ARNs; `*` is not supported, as on AWS), the action
//! `logs:PutSubscriptionFilter` (or a wildcard covering it) and the destination's ARN (or a
//! wildcard). `Deny` statements win. A statement with a `Condition` cannot be evaluated here: it
//! never allows, and a `Deny` with a condition always denies.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::LogStore;
use super::catalog::{decode, encode};
use super::groups::{check_limit, invalid_token};
use super::subscriptions::destination_arn;
use crate::error::LogsError;
use crate::limits::MAX_DESCRIBE_LIMIT;
use crate::names::parse_group_arn;

/// Destinations by (account, region, name).
pub(crate) const DESTINATIONS: TableDefinition<(&str, &str, &str), &[u8]> =
    TableDefinition::new("logs_destinations");

/// Largest destination access policy, in bytes.
pub const MAX_ACCESS_POLICY_BYTES: usize = 5120;
/// Longest destination name.
pub const MAX_DESTINATION_NAME_LEN: usize = 512;

/// A destination as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DestinationRecord {
    pub account: String,
    pub region: String,
    pub name: String,
    pub target_arn: String,
    pub role_arn: String,
    pub access_policy: Option<String>,
    pub creation_time: i64,
}

/// A destination as PutDestination and DescribeDestinations report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub name: String,
    pub target_arn: String,
    pub role_arn: String,
    pub access_policy: Option<String>,
    pub arn: String,
    pub creation_time: i64,
}

/// A page of destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationPage {
    pub destinations: Vec<Destination>,
    pub next_token: Option<String>,
}

impl DestinationRecord {
    fn public(&self) -> Destination {
        Destination {
            name: self.name.clone(),
            target_arn: self.target_arn.clone(),
            role_arn: self.role_arn.clone(),
            access_policy: self.access_policy.clone(),
            arn: destination_arn(&self.region, &self.account, &self.name),
            creation_time: self.creation_time,
        }
    }
}

fn validate_destination_name(name: &str, member: &str) -> Result<(), LogsError> {
    let n = name.chars().count();
    if n == 0 || n > MAX_DESTINATION_NAME_LEN {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must have length between 1 and {MAX_DESTINATION_NAME_LEN}"
        )));
    }
    if name.contains([':', '*']) {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )));
    }
    Ok(())
}

fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// `*` and `?` wildcards, case-sensitive unless `fold` (IAM actions are case-insensitive).
fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if fold {
        (
            pattern.to_ascii_lowercase().chars().collect(),
            text.to_ascii_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The sender accounts a statement's principal names.
fn principal_accounts(statement: &Value) -> Vec<String> {
    let aws = statement.get("Principal").and_then(|p| p.get("AWS"));
    one_or_many(aws)
        .into_iter()
        .filter_map(Value::as_str)
        .filter_map(|p| match p.strip_prefix("arn:aws:iam::") {
            Some(rest) => rest.split(':').next().map(str::to_owned),
            None => Some(p.to_owned()),
        })
        .collect()
}

/// Validates an access policy document: JSON, statements with Effect, Principal (no `*`),
/// Action and Resource.
fn validate_policy(policy: &str) -> Result<(), LogsError> {
    if policy.len() > MAX_ACCESS_POLICY_BYTES {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value at 'accessPolicy' failed to satisfy constraint: Member must have length less than or equal to {MAX_ACCESS_POLICY_BYTES}"
        )));
    }
    let bad = |why: &str| LogsError::invalid(format!("Invalid access policy: {why}"));
    let doc: Value = serde_json::from_str(policy).map_err(|_| bad("not a JSON document"))?;
    let statements = one_or_many(doc.get("Statement"));
    if statements.is_empty() {
        return Err(bad("it has no Statement"));
    }
    for s in statements {
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => return Err(bad("each statement needs Effect Allow or Deny")),
        }
        let principal = s.get("Principal");
        if principal.is_some_and(|p| p.as_str() == Some("*"))
            || one_or_many(principal.and_then(|p| p.get("AWS")))
                .iter()
                .any(|v| v.as_str() == Some("*"))
        {
            return Err(bad(
                "`*` is not supported as a principal; list each sender account",
            ));
        }
        if principal_accounts(s).is_empty() {
            return Err(bad("each statement needs a Principal with AWS accounts"));
        }
        if one_or_many(s.get("Action")).is_empty() || one_or_many(s.get("Resource")).is_empty() {
            return Err(bad("each statement needs Action and Resource"));
        }
    }
    Ok(())
}

/// Whether a destination's policy lets `account` subscribe to it (`arn`).
pub(crate) fn policy_allows(dest: &DestinationRecord, account: &str, arn: &str) -> bool {
    let Some(doc) = dest
        .access_policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
    else {
        return false;
    };
    let mut allowed = false;
    for s in one_or_many(doc.get("Statement")) {
        let applies = principal_accounts(s).iter().any(|a| a == account)
            && one_or_many(s.get("Action"))
                .iter()
                .filter_map(|a| a.as_str())
                .any(|a| glob(a, "logs:PutSubscriptionFilter", true))
            && one_or_many(s.get("Resource"))
                .iter()
                .filter_map(|r| r.as_str())
                .any(|r| glob(r, arn, false));
        if !applies {
            continue;
        }
        let conditional = s.get("Condition").is_some();
        match s.get("Effect").and_then(Value::as_str) {
            Some("Deny") => return false,
            Some("Allow") if !conditional => allowed = true,
            _ => {}
        }
    }
    allowed
}

impl LogStore {
    /// Creates or updates a destination (an existing one keeps its access policy and creation
    /// time). `target_arn` must name an existing log group of this server.
    pub fn put_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        target_arn: &str,
        role_arn: &str,
    ) -> Result<Destination, LogsError> {
        validate_destination_name(name, "destinationName")?;
        if role_arn.is_empty() {
            return Err(LogsError::invalid(
                "1 validation error detected: Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        let (t_region, t_account, t_name) = parse_group_arn(target_arn).ok_or_else(|| {
            LogsError::invalid(format!(
                "Invalid targetArn '{target_arn}': this server delivers to CloudWatch Logs log groups (arn:aws:logs:<region>:<account>:log-group:<name>)."
            ))
        })?;
        if self
            .state
            .read()
            .group(t_account, t_region, t_name)
            .is_err()
        {
            return Err(LogsError::invalid(format!(
                "The target log group {target_arn} does not exist."
            )));
        }
        let now = self.now();
        let tx = self.catalog.db().begin_write()?;
        let rec = {
            let mut table = tx.open_table(DESTINATIONS)?;
            let old: Option<DestinationRecord> = table
                .get((account, region, name))?
                .map(|v| decode(v.value()))
                .transpose()?;
            let rec = DestinationRecord {
                account: account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
                target_arn: target_arn.to_owned(),
                role_arn: role_arn.to_owned(),
                access_policy: old.as_ref().and_then(|o| o.access_policy.clone()),
                creation_time: old.as_ref().map_or(now, |o| o.creation_time),
            };
            table.insert((account, region, name), encode(&rec)?.as_slice())?;
            rec
        };
        tx.commit()?;
        Ok(rec.public())
    }

    /// Sets a destination's access policy. `force_update` is accepted (AWS uses it when moving a
    /// policy to organization ids, which this server does not have).
    pub fn put_destination_policy(
        &self,
        account: &str,
        region: &str,
        name: &str,
        policy: &str,
        _force_update: bool,
    ) -> Result<(), LogsError> {
        validate_destination_name(name, "destinationName")?;
        validate_policy(policy)?;
        let tx = self.catalog.db().begin_write()?;
        {
            let mut table = tx.open_table(DESTINATIONS)?;
            let mut rec: DestinationRecord = table
                .get((account, region, name))?
                .map(|v| decode(v.value()))
                .transpose()?
                .ok_or_else(destination_not_found)?;
            rec.access_policy = Some(policy.to_owned());
            table.insert((account, region, name), encode(&rec)?.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes a destination. Subscription filters that name it stop delivering (their events
    /// wait, as on AWS the filter's deliveries fail).
    pub fn delete_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_destination_name(name, "destinationName")?;
        let tx = self.catalog.db().begin_write()?;
        {
            let mut table = tx.open_table(DESTINATIONS)?;
            let removed = table.remove((account, region, name))?.is_some();
            if !removed {
                return Err(destination_not_found());
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Lists the caller's destinations in name order.
    pub fn describe_destinations(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        limit: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<DestinationPage, LogsError> {
        if let Some(p) = prefix {
            validate_destination_name(p, "DestinationNamePrefix")?;
        }
        let limit = check_limit(limit, MAX_DESCRIBE_LIMIT)?;
        let after = match next_token {
            Some(t) => Some(t.strip_prefix("d/").ok_or_else(invalid_token)?.to_owned()),
            None => None,
        };
        let tx = self.catalog.db().begin_read()?;
        let table = match tx.open_table(DESTINATIONS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => {
                return Ok(DestinationPage {
                    destinations: Vec::new(),
                    next_token: None,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let mut destinations = Vec::new();
        let mut more = false;
        for row in table.range((account, region, "")..)? {
            let (k, v) = row?;
            let (a, r, name) = k.value();
            if a != account || r != region {
                break;
            }
            if after.as_deref().is_some_and(|t| name <= t)
                || prefix.is_some_and(|p| !name.starts_with(p))
            {
                continue;
            }
            if destinations.len() == limit {
                more = true;
                break;
            }
            let rec: DestinationRecord = decode(v.value())?;
            destinations.push(rec.public());
        }
        let next_token = if more {
            destinations.last().map(|d| format!("d/{}", d.name))
        } else {
            None
        };
        Ok(DestinationPage {
            destinations,
            next_token,
        })
    }
}

fn destination_not_found() -> LogsError {
    LogsError::NotFound("The specified destination does not exist.".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(policy: &str) -> DestinationRecord {
        DestinationRecord {
            account: "111111111111".into(),
            region: "us-east-1".into(),
            name: "agg".into(),
            target_arn: "arn:aws:logs:us-east-1:111111111111:log-group:all".into(),
            role_arn: "arn:aws:iam::111111111111:role/r".into(),
            access_policy: Some(policy.into()),
            creation_time: 0,
        }
    }

    const ARN: &str = "arn:aws:logs:us-east-1:111111111111:destination:agg";

    #[test]
    fn policies_allow_listed_accounts_and_deny_wins() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["222222222222","arn:aws:iam::333333333333:root"]},"Action":"logs:PutSubscriptionFilter","Resource":"arn:aws:logs:us-east-1:111111111111:destination:*"}]}"#;
        validate_policy(p).unwrap_or_else(|e| panic!("{e}"));
        assert!(policy_allows(&dest(p), "222222222222", ARN));
        assert!(policy_allows(&dest(p), "333333333333", ARN));
        assert!(!policy_allows(&dest(p), "444444444444", ARN));
        let deny = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}"#;
        assert!(!policy_allows(&dest(deny), "222222222222", ARN));
        let other_action = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:PutLogEvents","Resource":"*"}}"#;
        assert!(!policy_allows(&dest(other_action), "222222222222", ARN));
    }

    #[test]
    fn invalid_policies_are_refused() {
        for p in [
            "not json",
            r#"{"Statement":[]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Maybe","Principal":{"AWS":"1"},"Action":"logs:*","Resource":"*"}]}"#,
        ] {
            assert!(validate_policy(p).is_err(), "{p}");
        }
    }

    #[test]
    fn glob_matches_wildcards() {
        assert!(glob("logs:*", "logs:PutSubscriptionFilter", true));
        assert!(glob(
            "LOGS:putsubscriptionfilter",
            "logs:PutSubscriptionFilter",
            true
        ));
        assert!(glob("a?c*", "abcdef", false));
        assert!(!glob("a*d", "abc", false));
    }
}
