//! The stored and exchanged types: options, topics, subscriptions, publish requests, pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Delivery tuning; the defaults are AWS's default HTTP delivery policy.
#[derive(Debug, Clone, Copy)]
pub struct SnsOptions {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay between attempts, in milliseconds.
    pub retry_delay_ms: i64,
}

impl Default for SnsOptions {
    fn default() -> Self {
        SnsOptions {
            max_retries: 3,
            retry_delay_ms: 20_000,
        }
    }
}

/// A topic as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub account: String,
    pub region: String,
    pub name: String,
    pub arn: String,
    /// Settable attributes: DisplayName, Policy, DeliveryPolicy.
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub subscriptions_deleted: u64,
}

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub token: String,
    pub confirmed: bool,
}

impl Subscription {
    /// The ARN as the List operations show it: `PendingConfirmation` until confirmed.
    pub fn listed_arn(&self) -> &str {
        if self.confirmed {
            &self.arn
        } else {
            "PendingConfirmation"
        }
    }
}

/// A message attribute of Publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageAttribute {
    pub data_type: String,
    pub value: String,
}

/// What Publish takes.
#[derive(Debug, Clone, Default)]
pub struct PublishRequest {
    pub message: String,
    pub subject: Option<String>,
    /// `json`: `message` is a JSON object with a `default` member and optional per-protocol ones.
    pub message_structure: Option<String>,
    pub attributes: BTreeMap<String, MessageAttribute>,
}

/// A page of items and the token of the next.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Outcome of one [`Sns::run_deliveries`](crate::Sns::run_deliveries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retried: usize,
    pub dropped: usize,
    /// Deliveries whose subscription was removed (Unsubscribe, DeleteTopic) before they were made.
    pub discarded: usize,
}
