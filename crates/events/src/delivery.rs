//! Delivering queued events: the [`TargetSink`] seam for target kinds owned by other domains,
//! built-in delivery to event buses, retries with exponential backoff bounded by the target's
//! RetryPolicy, dead-lettering, and the firing of scheduled rules.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::destinations::{CallFailure, is_api_destination};
use crate::error::EventsError;
use crate::event::{self, Envelope};
use crate::ingest::deliveries_for;
use crate::names::{EventsResource, parse_arn};
use crate::queue::{Delivery, Dropped};
use crate::{BusState, Events};

/// Deliveries claimed at once by [`Events::run_deliveries`].
pub const DELIVERY_BATCH: usize = 1000;
/// Most deliveries attempted in one run (the rest wait for the next run).
pub const MAX_DELIVERIES_PER_RUN: usize = 100_000;
/// First retry delay; doubled per failed attempt up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: i64 = 1_000;
/// Longest delay between two attempts.
pub const MAX_BACKOFF_MS: i64 = 300_000;

/// One delivery as a sink sees it.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryRequest<'a> {
    /// The account and region of the rule that matched.
    pub account: &'a str,
    pub region: &'a str,
    pub rule_arn: &'a str,
    pub target_arn: &'a str,
    pub event_id: &'a str,
    /// The target's input (the event, or what Input/InputPath/InputTransformer made of it).
    pub payload: &'a str,
}

/// Delivers to a kind of target this crate does not own (log groups, SNS topics…). The server
/// registers sinks with [`Events::add_sink`]; PutTargets accepts an ARN only if a sink accepts it.
pub trait TargetSink: Send + Sync + 'static {
    /// Whether this sink delivers to `arn`.
    fn accepts(&self, arn: &str) -> bool;
    /// Delivers; an error is retried per the target's retry policy.
    fn deliver(&self, request: &DeliveryRequest<'_>) -> Result<(), String>;
}

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retried: usize,
    pub dropped: usize,
}

/// The delay before the attempt after `failures` failed ones.
pub fn backoff_ms(failures: u32) -> i64 {
    let exp = failures.saturating_sub(1).min(20);
    (FIRST_BACKOFF_MS << exp).min(MAX_BACKOFF_MS)
}

impl Events {
    fn deliver_to(&self, d: &Delivery, arn: &str) -> Result<(), CallFailure> {
        if is_api_destination(arn) {
            return self.call_api_destination(d, arn);
        }
        self.deliver_other(d, arn).map_err(CallFailure::Retry)
    }

    /// Delivers to an event bus or through a sink.
    fn deliver_other(&self, d: &Delivery, arn: &str) -> Result<(), String> {
        if let Some(a) = parse_arn(arn)
            && let EventsResource::Bus(bus) = &a.resource
        {
            match self.may_put(&a.account, &a.region, bus, &d.account) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(format!(
                        "account {} is not authorized by the policy of event bus {arn}",
                        d.account
                    ));
                }
                Err(e) => return Err(e.to_string()),
            }
            let event: Value = serde_json::from_str(&d.payload)
                .map_err(|e| format!("the input for bus {arn} is not JSON: {e}"))?;
            let is_event = ["source", "detail-type", "detail"]
                .iter()
                .all(|f| event.get(*f).is_some());
            if !is_event {
                return Err(format!(
                    "the input for bus {arn} is not an event (needs source, detail-type and detail)"
                ));
            }
            return self
                .ingest(&a.account, &a.region, bus, &event)
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        let sinks = self.sinks.read().clone();
        let sink = sinks
            .iter()
            .find(|s| s.accepts(arn))
            .ok_or_else(|| format!("no deliverer for target {arn}"))?;
        sink.deliver(&DeliveryRequest {
            account: &d.account,
            region: &d.region,
            rule_arn: &d.rule_arn,
            target_arn: arn,
            event_id: &d.event_id,
            payload: &d.payload,
        })
    }

    fn give_up(&self, d: Delivery, reason: String) -> Result<(), EventsError> {
        let dead_lettered = match &d.dead_letter_arn {
            Some(dlq) => match self.deliver_to(&d, dlq) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(target = %d.target_arn, dlq = %dlq, error = ?e, "dead-letter delivery failed; event dropped");
                    false
                }
            },
            None => false,
        };
        tracing::warn!(target = %d.target_arn, rule = %d.rule_arn, event = %d.event_id, %reason, dead_lettered, "event delivery given up");
        self.queue.drop_delivery(Dropped {
            delivery: d,
            reason,
            dead_lettered,
        })
    }

    /// Delivers what is due: a scheduler job. Failed attempts are retried with exponential
    /// backoff until the target's MaximumRetryAttempts or MaximumEventAgeInSeconds is exhausted;
    /// then the delivery goes to the DeadLetterConfig queue (through a sink) or is dropped.
    pub fn run_deliveries(&self) -> Result<DeliveryReport, EventsError> {
        let now = self.clock.now_millis();
        let mut report = DeliveryReport::default();
        // Deliveries queued during this run (events forwarded to buses) wait for the next run.
        let before = self.queue.next_id();
        let mut attempted = 0;
        // API destinations that failed in this run are not called again until the next run, so
        // one unreachable endpoint cannot hold up every other delivery for its timeouts.
        let mut unreachable = HashSet::new();
        while attempted < MAX_DELIVERIES_PER_RUN {
            let batch = self.queue.take_due(now, DELIVERY_BATCH, before);
            if batch.is_empty() {
                break;
            }
            attempted += batch.len();
            for d in batch {
                self.attempt(d, now, &mut report, &mut unreachable)?;
            }
        }
        self.queue.compact(false)?;
        Ok(report)
    }

    /// One delivery attempt, and what follows from its outcome.
    fn attempt(
        &self,
        d: Delivery,
        now: i64,
        report: &mut DeliveryReport,
        unreachable: &mut HashSet<String>,
    ) -> Result<(), EventsError> {
        let age_ms = now.saturating_sub(d.enqueued_millis);
        if age_ms > i64::from(d.max_age_seconds) * 1000 {
            let reason = format!(
                "MaximumEventAgeInSeconds ({}) exceeded{}",
                d.max_age_seconds,
                d.last_error
                    .as_deref()
                    .map(|e| format!("; last error: {e}"))
                    .unwrap_or_default()
            );
            report.dropped += 1;
            return self.give_up(d, reason);
        }
        let outcome = if unreachable.contains(&d.target_arn) {
            Err(CallFailure::Retry(
                "the API destination failed earlier in this delivery run".to_owned(),
            ))
        } else {
            self.deliver_to(&d, &d.target_arn)
        };
        if matches!(outcome, Err(CallFailure::Retry(_))) && is_api_destination(&d.target_arn) {
            unreachable.insert(d.target_arn.clone());
        }
        match outcome {
            Ok(()) => {
                report.delivered += 1;
                self.queue.done(d.id)
            }
            Err(CallFailure::Throttled) => {
                // Over the destination's rate limit: not an attempt.
                report.retried += 1;
                let error = "throttled by InvocationRateLimitPerSecond".to_owned();
                self.queue.retry(d.id, d.attempts, now + 1000, error)
            }
            Err(CallFailure::Final(e)) => {
                report.dropped += 1;
                self.give_up(d, format!("not retryable: {e}"))
            }
            Err(CallFailure::Retry(e)) => {
                let failures = d.attempts + 1;
                if failures > d.max_retry_attempts {
                    let reason = format!(
                        "MaximumRetryAttempts ({}) exhausted; last error: {e}",
                        d.max_retry_attempts
                    );
                    report.dropped += 1;
                    self.give_up(d, reason)
                } else {
                    report.retried += 1;
                    self.queue
                        .retry(d.id, failures, now + backoff_ms(failures), e)
                }
            }
        }
    }

    /// Fires the scheduled rules that are due: a scheduler job. Each firing is AWS's "Scheduled
    /// Event" sent to the rule's targets; firings missed while the server was down are not caught
    /// up. Returns how many rules fired.
    pub fn run_schedules(&self) -> Result<usize, EventsError> {
        let now = self.clock.now_millis();
        let mut deliveries = Vec::new();
        let mut fired = 0;
        {
            let mut state = self.state.write();
            for ((account, region, _), bus) in state.buses.iter_mut() {
                let BusState { rules, timers, .. } = bus;
                for (name, timer) in timers.iter_mut() {
                    let Some(due) = timer.next.filter(|due| *due <= now) else {
                        continue;
                    };
                    if let Some(rule) = rules.get(name).filter(|r| r.state.is_enabled()) {
                        let id = uuid::Uuid::new_v4().to_string();
                        let event = event::envelope(Envelope {
                            id: &id,
                            source: "aws.events",
                            detail_type: "Scheduled Event",
                            account,
                            region,
                            time_millis: due,
                            resources: std::slice::from_ref(&rule.arn),
                            detail: json!({}),
                        });
                        deliveries_for(rule, &event, &id, account, region, now, &mut deliveries);
                        fired += 1;
                    }
                    timer.next = timer.schedule.next_after(timer.anchor, now);
                }
            }
        }
        if let Some(pos) = self.queue.enqueue(deliveries)? {
            self.queue.wait_durable(pos)?;
        }
        Ok(fired)
    }
}
