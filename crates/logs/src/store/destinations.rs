//! Destinations: PutDestination / PutDestinationPolicy / DescribeDestinations / DeleteDestination,
//! their tags (TagResource / UntagResource / ListTagsForResource on destination ARNs), and the
//! access-policy check cross-account PutSubscriptionFilter makes ([`policy`]).
//!
//! A destination is one record in `logs_destinations`, keyed by (account, region, name), holding
//! its access policy and tags. Its `targetArn` must be a log group of any account and region of
//! this server (this server has no Kinesis stream or Firehose): the way to aggregate many
//! accounts' and regions' logs in one place.
//!
//! DeleteDestination, as AWS documents, "eventually disables all the subscription filters that
//! publish to it": in the same transaction every subscription filter naming the destination's
//! ARN is marked disabled; a disabled filter delivers nothing more (events it had not yet
//! delivered are not delivered) and stays listed until deleted or replaced. A destination of the
//! same name created later does not revive it; PutSubscriptionFilter on it does (from the
//! group's newest event, like a new filter).

mod policy;

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::LogStore;
use super::catalog::{decode, encode};
use super::groups::{check_limit, invalid_token};
use super::subscriptions::{SUBSCRIPTIONS, SubscriptionFilter, destination_arn};
use crate::error::LogsError;
use crate::limits::MAX_DESCRIBE_LIMIT;
use crate::model::Tags;
use crate::names::{check_tag_count, parse_group_arn, validate_tag_key, validate_tags};

pub use policy::MAX_ACCESS_POLICY_BYTES;
pub(crate) use policy::{AccessPolicy, Subscriber};

/// Destinations by (account, region, name).
pub(crate) const DESTINATIONS: TableDefinition<(&str, &str, &str), &[u8]> =
    TableDefinition::new("logs_destinations");

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
    #[serde(default)]
    pub tags: Tags,
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

impl LogStore {
    /// Creates or updates a destination (an existing one keeps its access policy and creation
    /// time; `tags` are added to its tags, replacing values of the same keys).
    /// `target_arn` must name an existing log group of this server.
    pub fn put_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        target_arn: &str,
        role_arn: &str,
        tags: Tags,
    ) -> Result<Destination, LogsError> {
        validate_destination_name(name, "destinationName")?;
        if role_arn.is_empty() {
            return Err(LogsError::invalid(
                "1 validation error detected: Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        validate_tags(&tags)?;
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
            let mut merged = old.as_ref().map(|o| o.tags.clone()).unwrap_or_default();
            merged.extend(tags);
            check_tag_count(merged.len())?;
            let rec = DestinationRecord {
                account: account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
                target_arn: target_arn.to_owned(),
                role_arn: role_arn.to_owned(),
                access_policy: old.as_ref().and_then(|o| o.access_policy.clone()),
                creation_time: old.as_ref().map_or(now, |o| o.creation_time),
                tags: merged,
            };
            table.insert((account, region, name), encode(&rec)?.as_slice())?;
            rec
        };
        tx.commit()?;
        Ok(rec.public())
    }

    /// Sets a destination's access policy (validated whole first: see [`policy`]).
    /// `force_update` is accepted: AWS asks for it when a policy moves from account ids to an
    /// organization id, to confirm the senders' filters were updated; this server has no
    /// organizations and no sender-side role to update, so it changes nothing here.
    pub fn put_destination_policy(
        &self,
        account: &str,
        region: &str,
        name: &str,
        policy: &str,
        _force_update: bool,
    ) -> Result<(), LogsError> {
        validate_destination_name(name, "destinationName")?;
        AccessPolicy::parse(policy)?;
        self.update_destination(account, region, name, |rec| {
            rec.access_policy = Some(policy.to_owned());
            Ok(())
        })
    }

    /// Applies `change` to a destination's record in one transaction.
    fn update_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        change: impl FnOnce(&mut DestinationRecord) -> Result<(), LogsError>,
    ) -> Result<(), LogsError> {
        let tx = self.catalog.db().begin_write()?;
        {
            let mut table = tx.open_table(DESTINATIONS)?;
            let mut rec: DestinationRecord = table
                .get((account, region, name))?
                .map(|v| decode(v.value()))
                .transpose()?
                .ok_or_else(destination_not_found)?;
            change(&mut rec)?;
            table.insert((account, region, name), encode(&rec)?.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes a destination and, in the same transaction, disables every subscription filter
    /// that publishes to it (see the module documentation).
    pub fn delete_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_destination_name(name, "destinationName")?;
        let arn = destination_arn(region, account, name);
        let tx = self.catalog.db().begin_write()?;
        {
            let mut table = tx.open_table(DESTINATIONS)?;
            let removed = table.remove((account, region, name))?.is_some();
            if !removed {
                return Err(destination_not_found());
            }
            let mut subs = tx.open_table(SUBSCRIPTIONS)?;
            let mut disabled = Vec::new();
            for row in subs.iter()? {
                let (k, v) = row?;
                let mut f: SubscriptionFilter = decode(v.value())?;
                if f.destination_arn == arn && !f.disabled {
                    f.disabled = true;
                    let (gid, fname) = k.value();
                    disabled.push(((gid, fname.to_owned()), f));
                }
            }
            for ((gid, fname), f) in disabled {
                subs.insert((gid, fname.as_str()), encode(&f)?.as_slice())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds or replaces tags of one of the caller's destinations (at most 50 in all).
    pub fn tag_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        tags: Tags,
    ) -> Result<(), LogsError> {
        validate_tags(&tags)?;
        self.retag_destination((account, region, name), tags, &[])
    }

    /// Removes tags of a destination by key (unknown keys are ignored).
    pub fn untag_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        keys: &[String],
    ) -> Result<(), LogsError> {
        keys.iter().try_for_each(|k| validate_tag_key(k))?;
        self.retag_destination((account, region, name), Tags::new(), keys)
    }

    /// Removes `remove`, then adds `add`, to a destination's tags, in one transaction.
    fn retag_destination(
        &self,
        (account, region, name): (&str, &str, &str),
        add: Tags,
        remove: &[String],
    ) -> Result<(), LogsError> {
        self.update_destination(account, region, name, |rec| {
            rec.tags.retain(|k, _| !remove.contains(k));
            rec.tags.extend(add);
            check_tag_count(rec.tags.len())
        })
    }

    /// A destination's tags.
    pub fn destination_tags(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Tags, LogsError> {
        self.destination_record(account, region, name)?
            .map(|r| r.tags)
            .ok_or_else(destination_not_found)
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
