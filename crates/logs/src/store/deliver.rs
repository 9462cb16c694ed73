//! Subscription delivery: a scheduler job ([`LogStore::deliver_subscriptions`]) that forwards
//! each subscription's matching events to its target log group, at least once.
//!
//! - Each subscription has a durable cursor: the last per-group sequence number it handled. A
//!   run reads the source group's events after the cursor in sequence (ingestion) order, from
//!   chunks and the head, at most [`DELIVERY_BATCH_EVENTS`] at a time.
//! - The WAL is synced before forwarding, so only acknowledged-durable events leave the group.
//! - Matching events (the filter pattern) are written into the target group with PutLogEvents'
//!   own path (so the target's metric filters, EMF and subscriptions apply) and waited on until
//!   durable; only then does the cursor advance, in one catalog transaction. A crash in between
//!   delivers the batch again (at-least-once); a restart loses nothing.
//! - Ingestion never waits for delivery: PutLogEvents only appends; this job reads behind it.
//! - A filter whose destination was deleted is disabled and skipped (its cursor stays where it
//!   was; re-enabling it by PutSubscriptionFilter moves it to the group's newest event). A
//!   destination whose target group is gone blocks delivery instead: events wait, cursor kept.
//!
//! **How events are written into the target group**: AWS hands a Kinesis/Firehose/Lambda target
//! a gzip `DATA_MESSAGE` envelope (owner, logGroup, logStream, subscriptionFilters, logEvents);
//! a log group target has no use for the envelope, so each event is written as itself, into the
//! stream
//! `<source account>/<source region>/<source group>/<source stream>` (created on first use,
//! truncated to 512 characters), with the message and timestamp unchanged. Events the target
//! rejects (older than 14 days, or past its retention) are dropped, as PutLogEvents reports them.
//! The target group's metric filters and subscriptions apply to them; Embedded Metric Format is
//! not extracted again (it was, in the source account).

use std::collections::BTreeMap;

use redb::ReadableTable;

use super::LogStore;
use super::catalog::{decode, encode};
use super::event::StoredEvent;
use super::ingest::InputEvent;
use super::subscriptions::{
    CURSORS, SUBSCRIPTIONS, SubscriptionFilter, TargetGroup, UNREACHABLE_DESTINATION,
    parse_destination_arn,
};
use crate::error::LogsError;
use crate::filter_pattern::FilterPattern;
use crate::limits::{
    EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS,
    MAX_LOG_STREAM_NAME_LEN,
};
use crate::names::parse_group_arn;

/// Most events one subscription reads per round.
pub const DELIVERY_BATCH_EVENTS: usize = 10_000;
/// Most rounds per subscription per run (so one busy subscription cannot starve the others).
pub const DELIVERY_MAX_ROUNDS: usize = 10;

/// What a delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events read after the cursors.
    pub examined: usize,
    /// Matching events written to targets.
    pub delivered: usize,
    /// Subscriptions whose target could not be reached (their cursor stays).
    pub blocked: usize,
    /// Subscriptions skipped because their destination was deleted.
    pub disabled: usize,
}

/// The target stream name for events of `(account, region, group, stream)`.
pub fn forwarded_stream_name(account: &str, region: &str, group: &str, stream: &str) -> String {
    let name = format!("{account}/{region}/{group}/{stream}");
    name.chars().take(MAX_LOG_STREAM_NAME_LEN).collect()
}

impl LogStore {
    /// Delivers every subscription's pending events (a scheduler job).
    pub fn deliver_subscriptions(&self) -> Result<DeliveryReport, LogsError> {
        let mut report = DeliveryReport::default();
        for (group_id, sub, mut cursor) in self.all_subscriptions()? {
            let source = {
                let state = self.state.read();
                state.by_id.get(&group_id).cloned()
            };
            let Some(source) = source else {
                // The group was deleted: so is its subscription.
                self.forget_subscription(group_id, &sub.name)?;
                continue;
            };
            if sub.disabled {
                report.disabled += 1;
                continue;
            }
            if self.destination_deleted(&sub.destination_arn)? {
                // Deleted between the filter's check and its creation: disabled, as
                // DeleteDestination disables the filters it finds.
                self.disable_subscription(group_id, &sub.name, &sub.destination_arn)?;
                report.disabled += 1;
                continue;
            }
            let target = match self.resolve_target(&sub.destination_arn) {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(filter = %sub.name, error = %e, "subscription target unreachable; will retry");
                    report.blocked += 1;
                    continue;
                }
            };
            let pattern = match FilterPattern::parse(&sub.pattern) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(filter = %sub.name, error = %e.aws_message(), "stored subscription pattern no longer parses");
                    report.blocked += 1;
                    continue;
                }
            };
            for _ in 0..DELIVERY_MAX_ROUNDS {
                let (events, names) = self.events_after(group_id, cursor, DELIVERY_BATCH_EVENTS)?;
                let Some(last) = events.last().map(|e| e.seq) else {
                    break;
                };
                let full = events.len() >= DELIVERY_BATCH_EVENTS;
                // Everything read was appended before this sync: after it, all of it is durable.
                self.wal.sync()?;
                report.examined += events.len();
                let mut by_stream: BTreeMap<String, Vec<InputEvent>> = BTreeMap::new();
                for e in events {
                    if !pattern.matches(&e.message) {
                        continue;
                    }
                    let stream = names.get(&e.stream).map_or("", String::as_str);
                    by_stream
                        .entry(forwarded_stream_name(
                            &source.0, &source.1, &source.2, stream,
                        ))
                        .or_default()
                        .push(InputEvent {
                            timestamp: e.timestamp,
                            message: e.message,
                        });
                }
                for (stream, events) in by_stream {
                    report.delivered += self.forward(&target, &stream, events)?;
                }
                self.advance_cursor(group_id, &sub.name, last)?;
                cursor = last;
                if !full {
                    break;
                }
            }
        }
        Ok(report)
    }

    /// Whether `arn` names a CloudWatch Logs destination that no longer exists.
    fn destination_deleted(&self, arn: &str) -> Result<bool, LogsError> {
        match parse_destination_arn(arn) {
            Some((region, account, name)) => {
                Ok(self.destination_record(account, region, name)?.is_none())
            }
            None => Ok(false),
        }
    }

    /// The log group a subscription's destination ARN writes into now.
    pub(crate) fn resolve_target(&self, arn: &str) -> Result<TargetGroup, LogsError> {
        if let Some((region, account, name)) = parse_destination_arn(arn) {
            let dest = self
                .destination_record(account, region, name)?
                .ok_or_else(|| LogsError::invalid(UNREACHABLE_DESTINATION))?;
            return self.target_of(&dest);
        }
        let (region, account, name) =
            parse_group_arn(arn).ok_or_else(|| LogsError::invalid(UNREACHABLE_DESTINATION))?;
        self.state.read().group(account, region, name)?;
        Ok((account.to_owned(), region.to_owned(), name.to_owned()))
    }

    /// Up to `max` events of a group with a sequence number above `cursor`, in sequence order,
    /// with the names of their streams.
    fn events_after(
        &self,
        group_id: u64,
        cursor: u64,
        max: usize,
    ) -> Result<(Vec<StoredEvent>, std::collections::HashMap<u64, String>), LogsError> {
        let (dir, mut chunks, head, names) = {
            let state = self.state.read();
            let Some(g) = state.by_id.get(&group_id).and_then(|k| state.groups.get(k)) else {
                return Ok((Vec::new(), Default::default()));
            };
            let chunks: Vec<_> = g
                .chunks
                .values()
                .filter(|c| c.max_seq > cursor)
                .cloned()
                .collect();
            let head: Vec<StoredEvent> =
                g.head.iter().filter(|e| e.seq > cursor).cloned().collect();
            (g.dir(&self.dir), chunks, head, g.stream_names.clone())
        };
        // Chunks hold consecutive flushes' events: sequence ranges increase with flush order.
        chunks.sort_by_key(|c| c.min_seq);
        let mut out = Vec::new();
        for c in &chunks {
            if out.len() >= max {
                break;
            }
            if let Some(raw) = self.cache.get(&dir, c.id)? {
                out.extend(
                    raw.headers
                        .iter()
                        .filter(|h| h.seq > cursor)
                        .map(|h| raw.event(h)),
                );
            }
        }
        out.extend(head);
        out.sort_by_key(|e| e.seq);
        out.dedup_by_key(|e| e.seq);
        out.truncate(max);
        Ok((out, names))
    }

    /// Writes events into a target stream (creating it), in PutLogEvents-sized chronological
    /// batches, each durable before returning. Returns how many the target accepted.
    fn forward(
        &self,
        target: &TargetGroup,
        stream: &str,
        mut events: Vec<InputEvent>,
    ) -> Result<usize, LogsError> {
        let (account, region, group) = target;
        match self.create_log_stream(account, region, group, stream) {
            Ok(()) | Err(LogsError::AlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
        events.sort_by_key(|e| e.timestamp);
        let mut accepted = 0;
        let mut batch: Vec<InputEvent> = Vec::new();
        let mut bytes = 0;
        for e in events {
            let size = e.message.len() + EVENT_OVERHEAD_BYTES;
            let span_too_long = batch
                .first()
                .is_some_and(|f| e.timestamp - f.timestamp > MAX_BATCH_SPAN_MS);
            if !batch.is_empty()
                && (batch.len() >= MAX_BATCH_EVENTS
                    || bytes + size > MAX_BATCH_BYTES
                    || span_too_long)
            {
                accepted += self.put_forwarded(target, stream, std::mem::take(&mut batch))?;
                bytes = 0;
            }
            bytes += size;
            batch.push(e);
        }
        if !batch.is_empty() {
            accepted += self.put_forwarded(target, stream, batch)?;
        }
        Ok(accepted)
    }

    fn put_forwarded(
        &self,
        (account, region, group): &TargetGroup,
        stream: &str,
        batch: Vec<InputEvent>,
    ) -> Result<usize, LogsError> {
        match self.put_forwarded_blocking(account, region, group, stream, batch) {
            Ok(r) => Ok(r.accepted),
            // The target group or stream went away meanwhile: nothing to write into any more.
            Err(LogsError::NotFound(m)) => {
                tracing::warn!(%group, %stream, message = %m, "subscription target vanished; events dropped");
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }

    /// Every subscription filter with its group id and cursor.
    pub(crate) fn all_subscriptions(
        &self,
    ) -> Result<Vec<(u64, SubscriptionFilter, u64)>, LogsError> {
        let tx = self.catalog.db().begin_read()?;
        let subs = match tx.open_table(SUBSCRIPTIONS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let cursors = tx.open_table(CURSORS)?;
        let mut out = Vec::new();
        for row in subs.iter()? {
            let (k, v) = row?;
            let (gid, name) = k.value();
            let cursor = cursors.get((gid, name))?.map_or(0, |c| c.value());
            out.push((gid, decode(v.value())?, cursor));
        }
        Ok(out)
    }

    /// Records that a subscription handled every event up to `seq` (if it still exists).
    pub(crate) fn advance_cursor(
        &self,
        group_id: u64,
        name: &str,
        seq: u64,
    ) -> Result<(), LogsError> {
        let tx = self.catalog.db().begin_write()?;
        {
            let exists = tx
                .open_table(SUBSCRIPTIONS)?
                .get((group_id, name))?
                .is_some();
            let mut cursors = tx.open_table(CURSORS)?;
            let current = cursors.get((group_id, name))?.map_or(0, |c| c.value());
            if exists && seq > current {
                cursors.insert((group_id, name), seq)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a subscription disabled (its destination is gone), if it still names `arn`.
    pub(crate) fn disable_subscription(
        &self,
        group_id: u64,
        name: &str,
        arn: &str,
    ) -> Result<(), LogsError> {
        let tx = self.catalog.db().begin_write()?;
        {
            let mut subs = tx.open_table(SUBSCRIPTIONS)?;
            let current: Option<SubscriptionFilter> = subs
                .get((group_id, name))?
                .map(|v| decode(v.value()))
                .transpose()?;
            if let Some(mut f) = current.filter(|f| f.destination_arn == arn) {
                f.disabled = true;
                subs.insert((group_id, name), encode(&f)?.as_slice())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes the subscriptions of a deleted group.
    pub(crate) fn forget_subscription(&self, group_id: u64, name: &str) -> Result<(), LogsError> {
        let tx = self.catalog.db().begin_write()?;
        {
            tx.open_table(SUBSCRIPTIONS)?.remove((group_id, name))?;
            tx.open_table(CURSORS)?.remove((group_id, name))?;
        }
        tx.commit()?;
        Ok(())
    }
}
