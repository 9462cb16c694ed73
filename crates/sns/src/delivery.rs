//! The durable delivery queue: enqueueing, attempting and retrying HTTP POSTs, compaction.

use serde::{Deserialize, Serialize};

use crate::error::internal;
use crate::store::SUBSCRIPTIONS;
use std::collections::BTreeMap;

use crate::policy::RetryPolicy;
use crate::{DeliveryReport, Sns, SnsError, Subscription, http};

/// One HTTP POST waiting to be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Delivery {
    pub(crate) id: String,
    pub(crate) subscription_arn: String,
    pub(crate) endpoint: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
    /// The retry schedule (the topic's and subscription's DeliveryPolicy when enqueued).
    #[serde(default)]
    pub(crate) policy: RetryPolicy,
    /// Made even though the subscription is gone (an UnsubscribeConfirmation).
    #[serde(default)]
    pub(crate) after_unsubscribe: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub(crate) enum QueueRecord {
    Enqueue(Delivery),
    /// A failed attempt: the retry count and when the next attempt is due, so that a restart
    /// keeps the schedule.
    Retry {
        id: String,
        attempts: u32,
        next_at: i64,
    },
    Done {
        id: String,
    },
}

#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) delivery: Delivery,
    pub(crate) attempts: u32,
    pub(crate) next_at: i64,
}

impl Sns {
    pub(crate) fn enqueue(&self, mut deliveries: Vec<Delivery>) -> Result<(), SnsError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        {
            let mut seq = self.next_seq.lock();
            for d in &mut deliveries {
                d.id = format!("{:020}", *seq);
                *seq += 1;
            }
        }
        let records: Vec<Vec<u8>> = deliveries
            .iter()
            .map(|d| serde_json::to_vec(&QueueRecord::Enqueue(d.clone())))
            .collect::<Result<_, _>>()
            .map_err(internal)?;
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let positions = self.wal.append_batch(&refs).map_err(internal)?;
        if let Some(last) = positions.last() {
            self.wal.wait_durable(*last).map_err(internal)?;
        }
        let now = self.clock.now_millis();
        let mut pending = self.pending.lock();
        for d in deliveries {
            pending.insert(
                d.id.clone(),
                Pending {
                    delivery: d,
                    attempts: 0,
                    next_at: now,
                },
            );
        }
        Ok(())
    }

    /// Deliveries waiting (first attempts and retries).
    pub fn pending_deliveries(&self) -> usize {
        self.pending.lock().len()
    }

    /// Makes every due delivery attempt (blocking HTTP). Called by the server's
    /// `sns-delivery` job; tests call it directly.
    pub fn run_deliveries(&self) -> Result<DeliveryReport, SnsError> {
        let now = self.clock.now_millis();
        let due: Vec<Delivery> = self
            .pending
            .lock()
            .values()
            .filter(|p| p.next_at <= now)
            .map(|p| p.delivery.clone())
            .collect();
        let mut report = DeliveryReport::default();
        // Deliveries made this run per subscription, for throttle policies.
        let mut made: BTreeMap<String, u32> = BTreeMap::new();
        for d in due {
            if !d.after_unsubscribe
                && self
                    .get::<Subscription>(SUBSCRIPTIONS, &d.subscription_arn)?
                    .is_none()
            {
                report.discarded += 1;
                self.finish(&d.id)?;
                continue;
            }
            if let Some(limit) = d.policy.max_receives_per_second {
                let n = made.entry(d.subscription_arn.clone()).or_default();
                if *n >= limit {
                    if let Some(p) = self.pending.lock().get_mut(&d.id) {
                        p.next_at = now + 1000;
                    }
                    report.throttled += 1;
                    continue;
                }
                *n += 1;
            }
            let outcome = match http::HttpUrl::parse_any(&d.endpoint) {
                Some(ep) => http::call("POST", &ep, &d.headers, d.body.as_bytes()),
                None => Err("the endpoint is not an http or https URL".into()),
            };
            let finished = match &outcome {
                Ok(status) if (200..300).contains(status) => {
                    report.delivered += 1;
                    true
                }
                _ => {
                    let mut pending = self.pending.lock();
                    let Some(p) = pending.get_mut(&d.id) else {
                        continue;
                    };
                    p.attempts += 1;
                    let attempts = p.attempts;
                    match d.policy.delay_before(attempts) {
                        None => {
                            tracing::warn!(
                                subscription = %d.subscription_arn,
                                outcome = ?outcome,
                                "SNS delivery failed after its last retry; dropped"
                            );
                            report.dropped += 1;
                            true
                        }
                        Some(delay_s) => {
                            tracing::debug!(subscription = %d.subscription_arn, outcome = ?outcome, delay_s, "SNS delivery will be retried");
                            p.next_at = now + (delay_s as i64) * 1000;
                            let record = QueueRecord::Retry {
                                id: d.id.clone(),
                                attempts,
                                next_at: p.next_at,
                            };
                            drop(pending);
                            let bytes = serde_json::to_vec(&record).map_err(internal)?;
                            self.wal.append(&bytes).map_err(internal)?;
                            report.retried += 1;
                            false
                        }
                    }
                }
            };
            if finished {
                self.finish(&d.id)?;
            }
        }
        self.purge_unsubscribed()?;
        self.compact()?;
        Ok(report)
    }

    /// Records that a delivery is over and forgets it.
    pub(crate) fn finish(&self, id: &str) -> Result<(), SnsError> {
        let record =
            serde_json::to_vec(&QueueRecord::Done { id: id.to_owned() }).map_err(internal)?;
        self.wal.append(&record).map_err(internal)?;
        self.pending.lock().remove(id);
        Ok(())
    }

    /// When nothing is pending, every segment but the active one holds only finished
    /// deliveries: rotate and delete them.
    pub(crate) fn compact(&self) -> Result<(), SnsError> {
        let pending = self.pending.lock();
        if !pending.is_empty() {
            return Ok(());
        }
        let segments = self.wal.segments();
        if segments.len() > 1 || segments.first().is_some_and(|s| s.bytes > 1024 * 1024) {
            self.wal.sync().map_err(internal)?;
            self.wal.rotate().map_err(internal)?;
            if let Some(last) = self.wal.segments().last() {
                self.wal.remove_segments_before(last.id).map_err(internal)?;
            }
        }
        Ok(())
    }
}

/// A POST to `sub`'s endpoint: `kind` is the `x-amz-sns-message-type`.
pub(crate) fn delivery(
    sub: &Subscription,
    kind: &str,
    message_id: &str,
    body: String,
    policy: RetryPolicy,
    raw: bool,
) -> Delivery {
    let mut headers = vec![
        ("x-amz-sns-message-type".to_owned(), kind.to_owned()),
        ("x-amz-sns-message-id".to_owned(), message_id.to_owned()),
        ("x-amz-sns-topic-arn".to_owned(), sub.topic_arn.clone()),
    ];
    if kind == "Notification" {
        headers.push(("x-amz-sns-subscription-arn".to_owned(), sub.arn.clone()));
    }
    if raw {
        headers.push(("x-amz-sns-rawdelivery".to_owned(), "true".to_owned()));
    }
    headers.push(("Content-Type".to_owned(), policy.content_type.clone()));
    headers.push((
        "User-Agent".to_owned(),
        "Amazon Simple Notification Service Agent".to_owned(),
    ));
    Delivery {
        // Assigned by `enqueue`.
        id: String::new(),
        subscription_arn: sub.arn.clone(),
        endpoint: sub.endpoint.clone(),
        headers,
        body,
        policy,
        after_unsubscribe: false,
    }
}
