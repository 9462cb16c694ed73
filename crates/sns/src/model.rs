//! The stored and exchanged types: options, topics, subscriptions, publish requests, pages.

use std::collections::BTreeMap;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Signer, SnsError};

/// How the domain is set up.
#[derive(Debug, Clone)]
pub struct SnsOptions {
    /// The base URL clients reach the server at (no trailing `/`): `SubscribeURL`,
    /// `UnsubscribeURL` and `SigningCertURL` start with it.
    pub public_url: String,
    /// The signing key and certificate; `None` loads them from the SNS directory (made there on
    /// first start).
    pub signer: Option<Arc<Signer>>,
}

impl Default for SnsOptions {
    fn default() -> Self {
        SnsOptions {
            public_url: "http://127.0.0.1:4599".to_owned(),
            signer: None,
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
    /// When the confirmation token stops being accepted (milliseconds).
    #[serde(default)]
    pub token_expires_ms: i64,
    /// ConfirmSubscription was called with a signature.
    #[serde(default)]
    pub confirmation_authenticated: bool,
    /// Only an authenticated caller may unsubscribe (`AuthenticateOnUnsubscribe`).
    #[serde(default)]
    pub authenticate_on_unsubscribe: bool,
    /// Settable attributes: RawMessageDelivery, FilterPolicy, FilterPolicyScope, DeliveryPolicy.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
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

/// One entry of PublishBatch.
#[derive(Debug, Clone, Default)]
pub struct BatchEntry {
    pub id: String,
    pub request: PublishRequest,
}

/// The outcome of one PublishBatch entry: its message id, or an error.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchResult {
    Published { id: String, message_id: String },
    Failed { id: String, error: SnsError },
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
    /// Deliveries postponed by the subscription's throttle policy.
    pub throttled: usize,
}
