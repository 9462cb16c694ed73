//! Subscription filters: PutSubscriptionFilter / DescribeSubscriptionFilters /
//! DeleteSubscriptionFilter, at most [`MAX_SUBSCRIPTION_FILTERS_PER_GROUP`] per log group.
//!
//! A filter is one record in `logs_subscriptions`, keyed by (group id, filter name); its delivery
//! cursor (the last per-group event sequence number handled) is a separate row in
//! `logs_subscription_cursors`, so that the delivery job and a concurrent PutSubscriptionFilter
//! never overwrite each other. A new filter's cursor starts at the group's newest event: like
//! AWS, a subscription delivers events ingested after it was created.
//!
//! The destination is either a CloudWatch Logs destination (`arn:aws:logs:<region>:<account>:
//! destination:<name>`, in the group's region as on AWS, of any account on this server whose
//! access policy allows the caller; its target group may be in any region) or
//! a log group of the caller's account (`arn:aws:logs:<region>:<account>:log-group:<name>`, any
//! region). Kinesis, Firehose and Lambda do not exist on this server: such ARNs fail as AWS fails
//! for a destination it cannot reach.
//!
//! A filter whose destination was deleted is `disabled` (see `destinations`): it is still listed
//! but delivers nothing; replacing it (PutSubscriptionFilter with its name) enables it again with
//! its cursor moved to the group's newest event, so the events it skipped are not sent late.

use openwatch_iam::ConditionContext;
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::LogStore;
use super::catalog::{decode, encode};
use super::destinations::{AccessPolicy, DESTINATIONS, DestinationRecord, Subscriber};
use super::groups::{check_limit, invalid_token};
use crate::error::LogsError;
use crate::filter_pattern::FilterPattern;
use crate::limits::MAX_DESCRIBE_LIMIT;
use crate::names::{parse_group_arn, validate_filter_name, validate_group_name};

/// Subscription filters by (group id, filter name).
pub(crate) const SUBSCRIPTIONS: TableDefinition<(u64, &str), &[u8]> =
    TableDefinition::new("logs_subscriptions");
/// Delivery cursors by (group id, filter name): the last group sequence number handled.
pub(crate) const CURSORS: TableDefinition<(u64, &str), u64> =
    TableDefinition::new("logs_subscription_cursors");

/// Most subscription filters on one log group.
pub const MAX_SUBSCRIPTION_FILTERS_PER_GROUP: usize = 2;
/// The `distribution` values PutSubscriptionFilter accepts.
pub const DISTRIBUTIONS: [&str; 2] = ["Random", "ByLogStream"];

/// The message AWS gives when it cannot deliver to a subscription's destination.
pub(crate) const UNREACHABLE_DESTINATION: &str =
    "Could not deliver test message to specified destination. Check if the destination is valid.";

/// A subscription filter as DescribeSubscriptionFilters reports it (and the catalog holds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionFilter {
    pub name: String,
    pub log_group_name: String,
    pub pattern: String,
    pub destination_arn: String,
    pub role_arn: Option<String>,
    /// `ByLogStream` unless `Random` was given.
    pub distribution: String,
    pub creation_time: i64,
    /// The group's (account, region): where the filter lives.
    pub account: String,
    pub region: String,
    /// Set when the filter's destination was deleted: it delivers nothing until replaced.
    #[serde(default)]
    pub disabled: bool,
}

/// A page of subscription filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionFilterPage {
    pub filters: Vec<SubscriptionFilter>,
    pub next_token: Option<String>,
}

/// PutSubscriptionFilter's request.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilterInput {
    pub group: String,
    pub name: String,
    pub pattern: String,
    pub destination_arn: String,
    pub role_arn: Option<String>,
    pub distribution: Option<String>,
    /// The caller's ARN, for another account's destination policy (`None`: the account root).
    pub caller_arn: Option<String>,
    /// The request's condition keys, for another account's destination policy.
    pub context: ConditionContext,
}

/// Where a subscription's events go: a log group `(account, region, name)`.
pub(crate) type TargetGroup = (String, String, String);

/// The parts of `arn:aws:logs:<region>:<account>:destination:<name>`.
pub fn parse_destination_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(6, ':');
    let _partition = parts.next()?;
    if parts.next()? != "logs" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    if parts.next()? != "destination" {
        return None;
    }
    let name = parts.next()?;
    (!region.is_empty() && !account.is_empty() && !name.is_empty())
        .then_some((region, account, name))
}

/// A destination's ARN.
pub fn destination_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:destination:{name}")
}

impl LogStore {
    /// Creates or replaces a subscription filter of a group in the caller's account.
    pub fn put_subscription_filter(
        &self,
        account: &str,
        region: &str,
        mut input: SubscriptionFilterInput,
    ) -> Result<(), LogsError> {
        validate_group_name(&input.group)?;
        validate_filter_name(&input.name)?;
        FilterPattern::parse(&input.pattern).map_err(|e| LogsError::invalid(e.aws_message()))?;
        if let Some(d) = &input.distribution
            && !DISTRIBUTIONS.contains(&d.as_str())
        {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value '{d}' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]"
            )));
        }
        if input.destination_arn.is_empty() {
            return Err(LogsError::invalid(
                "1 validation error detected: Value '' at 'destinationArn' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        let now = self.now();
        let (group_id, next_seq) = {
            let state = self.state.read();
            let g = state.group(account, region, &input.group)?;
            (g.rec.id, g.next_seq)
        };
        let subscriber = Subscriber {
            arn: input.caller_arn.take(),
            context: std::mem::take(&mut input.context),
        };
        self.check_destination(
            account,
            region,
            &input.group,
            &input.destination_arn,
            &subscriber,
        )?;
        let tx = self.catalog.db().begin_write()?;
        {
            // The destination may have been deleted since it was checked.
            if let Some((d_region, d_account, d_name)) =
                parse_destination_arn(&input.destination_arn)
                && tx
                    .open_table(DESTINATIONS)?
                    .get((d_account, d_region, d_name))?
                    .is_none()
            {
                return Err(LogsError::invalid(UNREACHABLE_DESTINATION));
            }
            let mut subs = tx.open_table(SUBSCRIPTIONS)?;
            let mut existing = Vec::new();
            for row in subs.range((group_id, "")..)? {
                let (k, _) = row?;
                let (gid, name) = k.value();
                if gid != group_id {
                    break;
                }
                existing.push(name.to_owned());
            }
            let replacing = existing.contains(&input.name);
            let mut restart_cursor = !replacing;
            let creation_time = if replacing {
                let old = subs
                    .get((group_id, input.name.as_str()))?
                    .map(|v| decode::<SubscriptionFilter>(v.value()))
                    .transpose()?;
                restart_cursor = old.as_ref().is_some_and(|o| o.disabled);
                old.map_or(now, |o| o.creation_time)
            } else {
                if existing.len() >= MAX_SUBSCRIPTION_FILTERS_PER_GROUP {
                    return Err(LogsError::LimitExceeded("Resource limit exceeded.".into()));
                }
                now
            };
            let rec = SubscriptionFilter {
                name: input.name.clone(),
                log_group_name: input.group.clone(),
                pattern: input.pattern,
                destination_arn: input.destination_arn,
                role_arn: input.role_arn,
                distribution: input
                    .distribution
                    .unwrap_or_else(|| "ByLogStream".to_owned()),
                creation_time,
                account: account.to_owned(),
                region: region.to_owned(),
                disabled: false,
            };
            subs.insert((group_id, input.name.as_str()), encode(&rec)?.as_slice())?;
            if restart_cursor {
                tx.open_table(CURSORS)?
                    .insert((group_id, input.name.as_str()), next_seq.saturating_sub(1))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Checks that a subscription of `(account, region, group)` created by `subscriber` may
    /// send to `arn`, and returns the log group the events will be written to.
    fn check_destination(
        &self,
        account: &str,
        region: &str,
        group: &str,
        arn: &str,
        subscriber: &Subscriber,
    ) -> Result<TargetGroup, LogsError> {
        if let Some((d_region, d_account, d_name)) = parse_destination_arn(arn) {
            // As on AWS, the destination is in the log group's region (its target may be in
            // any region).
            if d_region != region {
                return Err(LogsError::invalid(UNREACHABLE_DESTINATION));
            }
            let dest = self
                .destination_record(d_account, d_region, d_name)?
                .ok_or_else(|| LogsError::invalid(UNREACHABLE_DESTINATION))?;
            if d_account != account && !self.policy_allows(&dest, account, arn, subscriber) {
                return Err(LogsError::AccessDenied(format!(
                    "User with accountId: {account} is not authorized to perform: logs:PutSubscriptionFilter on resource: {arn}"
                )));
            }
            let target = self.target_of(&dest)?;
            self.check_no_loop(account, region, group, target.clone())?;
            return Ok(target);
        }
        if let Some((g_region, g_account, g_name)) = parse_group_arn(arn) {
            if g_account != account {
                return Err(LogsError::invalid(UNREACHABLE_DESTINATION));
            }
            self.state
                .read()
                .group(g_account, g_region, g_name)
                .map_err(|_| LogsError::invalid(UNREACHABLE_DESTINATION))?;
            let target = (g_account.to_owned(), g_region.to_owned(), g_name.to_owned());
            self.check_no_loop(account, region, group, target.clone())?;
            return Ok(target);
        }
        Err(LogsError::invalid(UNREACHABLE_DESTINATION))
    }

    /// Refuses a subscription whose events would come back into their own group, directly or
    /// through the subscriptions of the groups they are delivered to (a delivery loop would
    /// copy events forever).
    fn check_no_loop(
        &self,
        account: &str,
        region: &str,
        group: &str,
        target: TargetGroup,
    ) -> Result<(), LogsError> {
        let source = (account.to_owned(), region.to_owned(), group.to_owned());
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![target];
        while let Some(g) = todo.pop() {
            if g == source {
                return Err(LogsError::invalid(
                    "The subscription would deliver events back into their own log group (a delivery loop).",
                ));
            }
            if !seen.insert(g.clone()) {
                continue;
            }
            let group_id = {
                let state = self.state.read();
                match state.group(&g.0, &g.1, &g.2) {
                    Ok(x) => x.rec.id,
                    Err(_) => continue,
                }
            };
            for (_, f) in self.subscriptions_of(group_id)? {
                if f.disabled {
                    continue;
                }
                if let Ok(t) = self.resolve_target(&f.destination_arn) {
                    todo.push(t);
                }
            }
        }
        Ok(())
    }

    /// Whether `dest`'s access policy lets `subscriber` of `account` subscribe to it (`arn`);
    /// the destination's tags are the `aws:ResourceTag/<key>` condition keys. A stored policy
    /// that no longer parses allows nobody.
    fn policy_allows(
        &self,
        dest: &DestinationRecord,
        account: &str,
        arn: &str,
        subscriber: &Subscriber,
    ) -> bool {
        let Some(policy) = dest
            .access_policy
            .as_deref()
            .and_then(|p| AccessPolicy::parse(p).ok())
        else {
            return false;
        };
        let mut context = subscriber.full_context(account, self.now());
        for (k, v) in &dest.tags {
            context.insert(&format!("aws:ResourceTag/{k}"), v.clone());
        }
        policy.allows(account, &subscriber.arn_or_root(account), arn, &context)
    }

    /// The log group a destination writes into, if it still exists.
    pub(crate) fn target_of(&self, dest: &DestinationRecord) -> Result<TargetGroup, LogsError> {
        let (region, account, name) = parse_group_arn(&dest.target_arn)
            .ok_or_else(|| LogsError::invalid(UNREACHABLE_DESTINATION))?;
        let state = self.state.read();
        state
            .group(account, region, name)
            .map_err(|_| LogsError::invalid(UNREACHABLE_DESTINATION))?;
        Ok((account.to_owned(), region.to_owned(), name.to_owned()))
    }

    pub(crate) fn destination_record(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Option<DestinationRecord>, LogsError> {
        let tx = self.catalog.db().begin_read()?;
        let table = match tx.open_table(DESTINATIONS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        table
            .get((account, region, name))?
            .map(|v| decode(v.value()))
            .transpose()
    }

    /// Deletes a subscription filter (and its delivery cursor).
    pub fn delete_subscription_filter(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(group)?;
        validate_filter_name(name)?;
        let group_id = self.state.read().group(account, region, group)?.rec.id;
        let tx = self.catalog.db().begin_write()?;
        {
            let mut subs = tx.open_table(SUBSCRIPTIONS)?;
            let removed = subs.remove((group_id, name))?.is_some();
            if !removed {
                return Err(LogsError::NotFound(
                    "The specified subscription filter does not exist.".into(),
                ));
            }
            tx.open_table(CURSORS)?.remove((group_id, name))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Lists a group's subscription filters in name order.
    pub fn describe_subscription_filters(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name_prefix: Option<&str>,
        limit: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<SubscriptionFilterPage, LogsError> {
        validate_group_name(group)?;
        let limit = check_limit(limit, MAX_DESCRIBE_LIMIT)?;
        let after = match next_token {
            Some(t) => Some(t.strip_prefix("s/").ok_or_else(invalid_token)?.to_owned()),
            None => None,
        };
        let group_id = self.state.read().group(account, region, group)?.rec.id;
        let mut filters = Vec::new();
        let mut more = false;
        for (name, f) in self.subscriptions_of(group_id)? {
            if after.as_ref().is_some_and(|a| name.as_str() <= a.as_str()) {
                continue;
            }
            if name_prefix.is_some_and(|p| !name.starts_with(p)) {
                continue;
            }
            if filters.len() == limit {
                more = true;
                break;
            }
            filters.push(f);
        }
        let next_token = if more {
            filters.last().map(|f| format!("s/{}", f.name))
        } else {
            None
        };
        Ok(SubscriptionFilterPage {
            filters,
            next_token,
        })
    }

    /// A group's subscription filters by name.
    pub(crate) fn subscriptions_of(
        &self,
        group_id: u64,
    ) -> Result<Vec<(String, SubscriptionFilter)>, LogsError> {
        let tx = self.catalog.db().begin_read()?;
        let subs = match tx.open_table(SUBSCRIPTIONS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for row in subs.range((group_id, "")..)? {
            let (k, v) = row?;
            let (gid, name) = k.value();
            if gid != group_id {
                break;
            }
            out.push((name.to_owned(), decode(v.value())?));
        }
        Ok(out)
    }
}
