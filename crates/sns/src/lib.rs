//! SNS: topics and subscriptions per `(account, region)` in the catalog (`sns_topics`,
//! `sns_subscriptions`), and a durable delivery queue (a WAL in `<data>/sns`) that POSTs
//! subscription confirmations and notifications to `http` endpoints, retrying failures.
//!
//! What is supported, and what is not:
//! - Standard topics only; FIFO topics (`.fifo` names, `FifoTopic`) are refused.
//! - The `http` protocol only: `https` needs a TLS client this server does not have, and the
//!   other protocols (email, sms, sqs, lambda…) have no target here; both are refused with
//!   `InvalidParameter`.
//! - Messages are **unsigned**: `SignatureVersion`, `Signature` and `SigningCertURL` are left out
//!   of the bodies, since a valid signature needs AWS's certificate. Receivers must not verify.
//! - A confirmation carries the `Token` but no `SubscribeURL`/`UnsubscribeURL` (this domain does
//!   not know the address clients reach the server at): the endpoint's owner confirms by calling
//!   `ConfirmSubscription` with the topic ARN and the token.
//! - Delivery follows AWS's default HTTP policy: the first attempt, then 3 retries 20 s apart
//!   (configurable through [`SnsOptions`]); a 2xx answer delivers, anything else is retried,
//!   and the delivery is dropped (with a warning) after the last retry.
//! - A topic's `DeliveryPolicy` is validated, stored and returned, but deliveries follow the
//!   fixed policy above, which `EffectiveDeliveryPolicy` reports.
//! - The topic `Policy` is stored and returned but not evaluated: a caller reaches only its own
//!   account's topics, and another account's topic ARN is an `AuthorizationError`.
//! - Subscription attributes (RawMessageDelivery, FilterPolicy, …) are not supported: Subscribe
//!   with `Attributes` is refused.

pub mod http;
pub mod testing;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use openwatch_storage::{Catalog, Clock, Wal, WalOptions};

const TOPICS: TableDefinition<&str, &[u8]> = TableDefinition::new("sns_topics");
const SUBSCRIPTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sns_subscriptions");

/// Items per page of ListTopics / ListSubscriptions.
pub const PAGE_SIZE: usize = 100;
/// Largest message AWS accepts (256 KiB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// At most this many tags per topic.
pub const MAX_TAGS: usize = 50;

/// An SNS error: the API's code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnsError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    TagLimitExceeded(String),
    /// A topic of another account: callers reach only their own account's topics.
    #[error("{0}")]
    AuthorizationError(String),
    #[error("{0}")]
    Internal(String),
}

impl SnsError {
    pub fn code(&self) -> &'static str {
        match self {
            SnsError::NotFound(_) => "NotFound",
            SnsError::InvalidParameter(_) => "InvalidParameter",
            SnsError::TagLimitExceeded(_) => "TagLimitExceeded",
            SnsError::AuthorizationError(_) => "AuthorizationError",
            SnsError::Internal(_) => "InternalError",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            SnsError::NotFound(_) => 404,
            SnsError::InvalidParameter(_) | SnsError::TagLimitExceeded(_) => 400,
            SnsError::AuthorizationError(_) => 403,
            SnsError::Internal(_) => 500,
        }
    }

    fn invalid(m: impl Into<String>) -> Self {
        SnsError::InvalidParameter(m.into())
    }

    fn topic_not_found() -> Self {
        SnsError::NotFound("Topic does not exist".into())
    }
}

fn internal(e: impl std::fmt::Display) -> SnsError {
    SnsError::Internal(e.to_string())
}

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

/// One HTTP POST waiting to be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Delivery {
    id: String,
    subscription_arn: String,
    endpoint: String,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum QueueRecord {
    Enqueue(Delivery),
    Done { id: String },
}

#[derive(Debug)]
struct Pending {
    delivery: Delivery,
    attempts: u32,
    next_at: i64,
}

/// Outcome of one [`Sns::run_deliveries`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retried: usize,
    pub dropped: usize,
    /// Deliveries whose subscription was removed (Unsubscribe, DeleteTopic) before they were made.
    pub discarded: usize,
}

/// The SNS domain.
pub struct Sns {
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    wal: Wal,
    /// Keyed by delivery id, which orders deliveries as they were enqueued.
    pending: Mutex<BTreeMap<String, Pending>>,
    /// The next delivery's sequence number (its id is the number, zero-padded).
    next_seq: Mutex<u64>,
    options: SnsOptions,
    /// Serializes the catalog's read-modify-write changes.
    write: Mutex<()>,
}

fn key(account: &str, region: &str, name: &str) -> String {
    format!("{account}\n{region}\n{name}")
}

/// Parses `arn:aws:sns:<region>:<account>:<name>` into its parts.
pub fn parse_topic_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:sns:")?;
    let mut parts = rest.splitn(3, ':');
    let (region, account, name) = (parts.next()?, parts.next()?, parts.next()?);
    if region.is_empty() || account.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((region, account, name))
}

/// Validates a topic name as AWS does (standard topics only).
pub fn validate_topic_name(name: &str) -> Result<(), SnsError> {
    if name.ends_with(".fifo") {
        return Err(SnsError::invalid(
            "Invalid parameter: Topic Name: FIFO topics are not supported by this server",
        ));
    }
    if name.is_empty()
        || name.len() > 256
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(SnsError::invalid("Invalid parameter: Topic Name"));
    }
    Ok(())
}

fn default_policy(arn: &str, account: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

const DEFAULT_EFFECTIVE_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;

const EFFECTIVE_SUBSCRIPTION_DELIVERY_POLICY: &str = r#"{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}"#;

/// Checks a settable topic attribute; returns its canonical name.
fn check_attribute(name: &str, value: &str) -> Result<&'static str, SnsError> {
    match name {
        "DisplayName" => {
            if value.len() > 100 {
                return Err(SnsError::invalid(
                    "Invalid parameter: DisplayName: must be at most 100 characters",
                ));
            }
            Ok("DisplayName")
        }
        "Policy" | "DeliveryPolicy" => {
            if !value.is_empty()
                && !serde_json::from_str::<Value>(value).is_ok_and(|v| v.is_object())
            {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: {name}: not a JSON object"
                )));
            }
            Ok(if name == "Policy" {
                "Policy"
            } else {
                "DeliveryPolicy"
            })
        }
        "FifoTopic" | "ContentBasedDeduplication" if value.eq_ignore_ascii_case("true") => {
            Err(SnsError::invalid(
                "Invalid parameter: Attributes Reason: FIFO topics are not supported by this server",
            ))
        }
        "FifoTopic" | "ContentBasedDeduplication" => Ok("FifoTopic"),
        _ => Err(SnsError::invalid(format!(
            "Invalid parameter: AttributeName: {name} is not a supported attribute"
        ))),
    }
}

fn iso_millis(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Sns {
    /// Opens the domain: creates the tables and replays the delivery queue in `dir`.
    pub fn open(
        catalog: Arc<Catalog>,
        dir: &Path,
        clock: Arc<dyn Clock>,
        options: SnsOptions,
    ) -> Result<Sns, SnsError> {
        let tx = catalog.db().begin_write().map_err(internal)?;
        {
            tx.open_table(TOPICS).map_err(internal)?;
            tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        let wal = Wal::open(dir, WalOptions::default()).map_err(internal)?;
        let now = clock.now_millis();
        let mut pending = BTreeMap::new();
        let mut next_seq = 0u64;
        for record in wal.replay() {
            let (_, bytes) = record.map_err(internal)?;
            match serde_json::from_slice::<QueueRecord>(&bytes) {
                Ok(QueueRecord::Enqueue(d)) => {
                    if let Ok(seq) = d.id.parse::<u64>() {
                        next_seq = next_seq.max(seq + 1);
                    }
                    pending.insert(
                        d.id.clone(),
                        Pending {
                            delivery: d,
                            attempts: 0,
                            next_at: now,
                        },
                    );
                }
                Ok(QueueRecord::Done { id }) => {
                    pending.remove(&id);
                }
                Err(e) => tracing::warn!(error = %e, "skipping an unreadable SNS queue record"),
            }
        }
        Ok(Sns {
            catalog,
            clock,
            wal,
            pending: Mutex::new(pending),
            next_seq: Mutex::new(next_seq),
            options,
            write: Mutex::new(()),
        })
    }

    // --- catalog helpers ----------------------------------------------------------------------

    fn get<T: serde::de::DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        k: &str,
    ) -> Result<Option<T>, SnsError> {
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(table).map_err(internal)?;
        match t.get(k).map_err(internal)? {
            Some(v) => serde_json::from_slice(v.value())
                .map(Some)
                .map_err(internal),
            None => Ok(None),
        }
    }

    fn scan<T: serde::de::DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        prefix: &str,
    ) -> Result<Vec<(String, T)>, SnsError> {
        let tx = self.catalog.db().begin_read().map_err(internal)?;
        let t = tx.open_table(table).map_err(internal)?;
        let mut out = Vec::new();
        for item in t.range(prefix..).map_err(internal)? {
            let (k, v) = item.map_err(internal)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((
                k.value().to_owned(),
                serde_json::from_slice(v.value()).map_err(internal)?,
            ));
        }
        Ok(out)
    }

    fn put_topic(&self, topic: &Topic) -> Result<(), SnsError> {
        let bytes = serde_json::to_vec(topic).map_err(internal)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(TOPICS).map_err(internal)?;
            t.insert(
                key(&topic.account, &topic.region, &topic.name).as_str(),
                bytes.as_slice(),
            )
            .map_err(internal)?;
        }
        tx.commit().map_err(internal)
    }

    fn put_subscription(&self, sub: &Subscription) -> Result<(), SnsError> {
        let bytes = serde_json::to_vec(sub).map_err(internal)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            t.insert(sub.arn.as_str(), bytes.as_slice())
                .map_err(internal)?;
        }
        tx.commit().map_err(internal)
    }

    /// The topic an ARN names, if it is in `(account, region)`.
    pub fn topic(&self, account: &str, region: &str, arn: &str) -> Result<Topic, SnsError> {
        let (r, a, name) =
            parse_topic_arn(arn).ok_or_else(|| SnsError::invalid("Invalid parameter: TopicArn"))?;
        if a != account {
            return Err(SnsError::AuthorizationError(format!(
                "User in account {account} is not authorized to access {arn}: topics of other accounts are not shared on this server"
            )));
        }
        if r != region {
            return Err(SnsError::topic_not_found());
        }
        self.get(TOPICS, &key(account, region, name))?
            .ok_or_else(SnsError::topic_not_found)
    }

    fn subscriptions_of(&self, topic_arn: &str) -> Result<Vec<Subscription>, SnsError> {
        Ok(self
            .scan::<Subscription>(SUBSCRIPTIONS, &format!("{topic_arn}:"))?
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.topic_arn == topic_arn)
            .collect())
    }

    // --- topics -------------------------------------------------------------------------------

    /// CreateTopic: idempotent for the same name (and the same attributes and tags).
    pub fn create_topic(
        &self,
        account: &str,
        region: &str,
        name: &str,
        attributes: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        validate_topic_name(name)?;
        let mut attrs = BTreeMap::new();
        for (k, v) in attributes {
            let canonical = check_attribute(k, v)?;
            if canonical != "FifoTopic" {
                attrs.insert(canonical.to_owned(), v.clone());
            }
        }
        check_tags(tags)?;
        let _w = self.write.lock();
        if let Some(existing) = self.get::<Topic>(TOPICS, &key(account, region, name))? {
            let same_attrs = attrs
                .iter()
                .all(|(k, v)| existing.attributes.get(k) == Some(v));
            let same_tags = tags.iter().all(|(k, v)| existing.tags.get(k) == Some(v));
            if !same_attrs {
                return Err(SnsError::invalid(
                    "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if !same_tags {
                return Err(SnsError::invalid(
                    "Invalid parameter: Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(existing.arn);
        }
        let arn = format!("arn:aws:sns:{region}:{account}:{name}");
        let topic = Topic {
            account: account.to_owned(),
            region: region.to_owned(),
            name: name.to_owned(),
            arn: arn.clone(),
            attributes: attrs,
            tags: tags.clone(),
            subscriptions_deleted: 0,
        };
        self.put_topic(&topic)?;
        Ok(arn)
    }

    /// DeleteTopic: removes the topic and its subscriptions. A missing topic is not an error.
    pub fn delete_topic(&self, account: &str, region: &str, arn: &str) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let topic = match self.topic(account, region, arn) {
            Ok(t) => t,
            Err(SnsError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let subs = self.subscriptions_of(&topic.arn)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(TOPICS).map_err(internal)?;
            t.remove(key(account, region, &topic.name).as_str())
                .map_err(internal)?;
            let mut s = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            for sub in subs {
                s.remove(sub.arn.as_str()).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
    }

    /// ListTopics: ARNs in name order, [`PAGE_SIZE`] per page.
    pub fn list_topics(
        &self,
        account: &str,
        region: &str,
        next_token: Option<&str>,
    ) -> Result<Page<String>, SnsError> {
        let topics: Vec<Topic> = self
            .scan::<Topic>(TOPICS, &key(account, region, ""))?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        page(
            topics.into_iter().map(|t| t.arn).collect(),
            next_token,
            |a| a.clone(),
        )
    }

    /// GetTopicAttributes: the stored attributes plus the computed ones.
    pub fn topic_attributes(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let topic = self.topic(account, region, arn)?;
        let subs = self.subscriptions_of(&topic.arn)?;
        let confirmed = subs.iter().filter(|s| s.confirmed).count();
        let mut out = BTreeMap::new();
        out.insert("TopicArn".into(), topic.arn.clone());
        out.insert("Owner".into(), topic.account.clone());
        out.insert("Policy".into(), default_policy(&topic.arn, &topic.account));
        out.insert("DisplayName".into(), String::new());
        out.insert(
            "EffectiveDeliveryPolicy".into(),
            DEFAULT_EFFECTIVE_DELIVERY_POLICY.into(),
        );
        out.insert("SubscriptionsConfirmed".into(), confirmed.to_string());
        out.insert(
            "SubscriptionsPending".into(),
            (subs.len() - confirmed).to_string(),
        );
        out.insert(
            "SubscriptionsDeleted".into(),
            topic.subscriptions_deleted.to_string(),
        );
        for (k, v) in &topic.attributes {
            if !(k == "Policy" && v.is_empty()) {
                out.insert(k.clone(), v.clone());
            }
        }
        Ok(out)
    }

    /// SetTopicAttributes: DisplayName, Policy or DeliveryPolicy (an empty value resets it).
    pub fn set_topic_attribute(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut topic = self.topic(account, region, arn)?;
        let canonical = check_attribute(name, value)?;
        if canonical == "FifoTopic" {
            return Err(SnsError::invalid(
                "Invalid parameter: AttributeName: FifoTopic cannot be changed",
            ));
        }
        if value.is_empty() {
            topic.attributes.remove(canonical);
        } else {
            topic
                .attributes
                .insert(canonical.to_owned(), value.to_owned());
        }
        self.put_topic(&topic)
    }

    /// The tags of a topic.
    pub fn tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        self.topic(account, region, arn)
            .map(|t| t.tags)
            .map_err(resource_not_found)
    }

    /// TagResource: adds or replaces tags (at most [`MAX_TAGS`] in all).
    pub fn tag(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), SnsError> {
        check_tags(tags)?;
        let _w = self.write.lock();
        let mut topic = self
            .topic(account, region, arn)
            .map_err(resource_not_found)?;
        topic.tags.extend(tags.clone());
        if topic.tags.len() > MAX_TAGS {
            return Err(SnsError::TagLimitExceeded(
                "Could not complete request: tag quota of per resource exceeded".into(),
            ));
        }
        self.put_topic(&topic)
    }

    /// UntagResource.
    pub fn untag(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut topic = self
            .topic(account, region, arn)
            .map_err(resource_not_found)?;
        for k in keys {
            topic.tags.remove(k);
        }
        self.put_topic(&topic)
    }

    // --- subscriptions ------------------------------------------------------------------------

    /// Subscribe: an `http` endpoint gets a pending subscription and a SubscriptionConfirmation
    /// POST. Subscribing the same endpoint again returns the existing subscription.
    pub fn subscribe(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Subscription, SnsError> {
        match protocol {
            "http" => {}
            "https" => {
                return Err(SnsError::invalid(
                    "Invalid parameter: Protocol Reason: https is not supported: this server has no TLS client; use http",
                ));
            }
            _ => {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: Protocol Reason: {protocol} is not supported by this server; use http"
                )));
            }
        }
        if http::parse_endpoint(endpoint).is_none() {
            return Err(SnsError::invalid(
                "Invalid parameter: Endpoint must be an http:// URL",
            ));
        }
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        if let Some(existing) = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.protocol == protocol && s.endpoint == endpoint)
        {
            return Ok(existing);
        }
        let sub = Subscription {
            arn: format!("{}:{}", topic.arn, uuid::Uuid::new_v4()),
            topic_arn: topic.arn.clone(),
            owner: account.to_owned(),
            protocol: protocol.to_owned(),
            endpoint: endpoint.to_owned(),
            token: token(),
            confirmed: false,
        };
        self.put_subscription(&sub)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "Type": "SubscriptionConfirmation",
            "MessageId": message_id,
            "Token": sub.token,
            "TopicArn": topic.arn,
            "Message": format!(
                "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, call ConfirmSubscription with this TopicArn and Token.",
                topic.arn
            ),
            "Timestamp": iso_millis(self.clock.now_millis()),
        });
        self.enqueue(vec![delivery(
            &sub,
            "SubscriptionConfirmation",
            &message_id,
            body.to_string(),
        )])?;
        Ok(sub)
    }

    /// ConfirmSubscription: the token sent to the endpoint confirms its subscription.
    pub fn confirm_subscription(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<String, SnsError> {
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        let mut sub = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.token == token)
            .ok_or_else(|| SnsError::invalid("Invalid token"))?;
        if !sub.confirmed {
            sub.confirmed = true;
            self.put_subscription(&sub)?;
        }
        Ok(sub.arn)
    }

    /// The subscription an ARN names, if its topic is in `(account, region)`.
    pub fn subscription(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Subscription, SnsError> {
        self.get::<Subscription>(SUBSCRIPTIONS, arn)?
            .filter(|s| {
                parse_topic_arn(&s.topic_arn).is_some_and(|(r, a, _)| r == region && a == account)
            })
            .ok_or_else(|| SnsError::NotFound("Subscription does not exist".into()))
    }

    /// GetSubscriptionAttributes.
    pub fn subscription_attributes(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let s = self.subscription(account, region, arn)?;
        Ok(BTreeMap::from([
            ("SubscriptionArn".to_owned(), s.arn.clone()),
            ("TopicArn".to_owned(), s.topic_arn.clone()),
            ("Owner".to_owned(), s.owner.clone()),
            ("Protocol".to_owned(), s.protocol.clone()),
            ("Endpoint".to_owned(), s.endpoint.clone()),
            ("PendingConfirmation".to_owned(), (!s.confirmed).to_string()),
            (
                "ConfirmationWasAuthenticated".to_owned(),
                "false".to_owned(),
            ),
            ("RawMessageDelivery".to_owned(), "false".to_owned()),
            (
                "EffectiveDeliveryPolicy".to_owned(),
                EFFECTIVE_SUBSCRIPTION_DELIVERY_POLICY.to_owned(),
            ),
        ]))
    }

    /// Unsubscribe.
    pub fn unsubscribe(&self, account: &str, region: &str, arn: &str) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let sub = self.subscription(account, region, arn)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut s = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            s.remove(sub.arn.as_str()).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        if let Ok(mut topic) = self.topic(account, region, &sub.topic_arn) {
            topic.subscriptions_deleted += 1;
            self.put_topic(&topic)?;
        }
        Ok(())
    }

    /// ListSubscriptions of `(account, region)`, or of one topic.
    pub fn list_subscriptions(
        &self,
        account: &str,
        region: &str,
        topic_arn: Option<&str>,
        next_token: Option<&str>,
    ) -> Result<Page<Subscription>, SnsError> {
        let subs: Vec<Subscription> = match topic_arn {
            Some(arn) => {
                let topic = self.topic(account, region, arn)?;
                self.subscriptions_of(&topic.arn)?
            }
            None => self
                .scan::<Subscription>(SUBSCRIPTIONS, &format!("arn:aws:sns:{region}:{account}:"))?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
        };
        page(subs, next_token, |s| s.arn.clone())
    }

    // --- publish and delivery -----------------------------------------------------------------

    /// Publish: one Notification per confirmed subscription, durable before this returns.
    /// Returns the message id.
    pub fn publish(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        req: &PublishRequest,
    ) -> Result<String, SnsError> {
        if req.message.is_empty() {
            return Err(SnsError::invalid("Invalid parameter: Empty message"));
        }
        if req.message.len() > MAX_MESSAGE_BYTES {
            return Err(SnsError::invalid("Invalid parameter: Message too long"));
        }
        if let Some(subject) = &req.subject
            && (subject.is_empty()
                || subject.chars().count() > 100
                || subject.chars().any(|c| c.is_control() || !c.is_ascii()))
        {
            return Err(SnsError::invalid("Invalid parameter: Subject"));
        }
        let structured: Option<serde_json::Map<String, Value>> = match req
            .message_structure
            .as_deref()
        {
            None => None,
            Some("json") => {
                let obj = serde_json::from_str::<Value>(&req.message)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .ok_or_else(|| {
                        SnsError::invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
                    })?;
                if !obj.get("default").is_some_and(Value::is_string) {
                    return Err(SnsError::invalid(
                        "Invalid parameter: Message Structure - No default entry in JSON message body",
                    ));
                }
                Some(obj)
            }
            Some(other) => {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: MessageStructure: {other} is not json"
                )));
            }
        };
        for (name, attr) in &req.attributes {
            let base = attr.data_type.split('.').next().unwrap_or_default();
            if !matches!(base, "String" | "Number" | "Binary") || name.is_empty() {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: MessageAttributes: {name} has an invalid type {}",
                    attr.data_type
                )));
            }
        }
        let topic = self.topic(account, region, topic_arn)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let now = iso_millis(self.clock.now_millis());
        let subs = self.subscriptions_of(&topic.arn)?;
        let mut deliveries = Vec::new();
        for sub in subs.iter().filter(|s| s.confirmed) {
            let message = match &structured {
                Some(obj) => obj
                    .get(&sub.protocol)
                    .or_else(|| obj.get("default"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                None => req.message.clone(),
            };
            let mut body = serde_json::Map::new();
            body.insert("Type".into(), "Notification".into());
            body.insert("MessageId".into(), message_id.clone().into());
            body.insert("TopicArn".into(), topic.arn.clone().into());
            if let Some(s) = &req.subject {
                body.insert("Subject".into(), s.clone().into());
            }
            body.insert("Message".into(), message.into());
            body.insert("Timestamp".into(), now.clone().into());
            if !req.attributes.is_empty() {
                let attrs: serde_json::Map<String, Value> = req
                    .attributes
                    .iter()
                    .map(|(k, a)| (k.clone(), json!({"Type": a.data_type, "Value": a.value})))
                    .collect();
                body.insert("MessageAttributes".into(), Value::Object(attrs));
            }
            deliveries.push(delivery(
                sub,
                "Notification",
                &message_id,
                Value::Object(body).to_string(),
            ));
        }
        self.enqueue(deliveries)?;
        Ok(message_id)
    }

    fn enqueue(&self, mut deliveries: Vec<Delivery>) -> Result<(), SnsError> {
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
        for d in due {
            if self
                .get::<Subscription>(SUBSCRIPTIONS, &d.subscription_arn)?
                .is_none()
            {
                report.discarded += 1;
                self.finish(&d.id)?;
                continue;
            }
            let outcome = match http::parse_endpoint(&d.endpoint) {
                Some(ep) => http::post(&ep, &d.headers, d.body.as_bytes()),
                None => Err("the endpoint is not an http URL".into()),
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
                    if p.attempts > self.options.max_retries {
                        tracing::warn!(
                            subscription = %d.subscription_arn,
                            outcome = ?outcome,
                            "SNS delivery failed after its last retry; dropped"
                        );
                        report.dropped += 1;
                        true
                    } else {
                        tracing::debug!(subscription = %d.subscription_arn, outcome = ?outcome, "SNS delivery will be retried");
                        p.next_at = now + self.options.retry_delay_ms;
                        report.retried += 1;
                        false
                    }
                }
            };
            if finished {
                self.finish(&d.id)?;
            }
        }
        self.compact()?;
        Ok(report)
    }

    /// Records that a delivery is over and forgets it.
    fn finish(&self, id: &str) -> Result<(), SnsError> {
        let record =
            serde_json::to_vec(&QueueRecord::Done { id: id.to_owned() }).map_err(internal)?;
        self.wal.append(&record).map_err(internal)?;
        self.pending.lock().remove(id);
        Ok(())
    }

    /// When nothing is pending, every segment but the active one holds only finished
    /// deliveries: rotate and delete them.
    fn compact(&self) -> Result<(), SnsError> {
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

    /// Flushes the delivery queue.
    pub fn close(&self) -> Result<(), SnsError> {
        self.wal.close().map_err(internal)
    }
}

fn delivery(sub: &Subscription, kind: &str, message_id: &str, body: String) -> Delivery {
    let mut headers = vec![
        ("x-amz-sns-message-type".to_owned(), kind.to_owned()),
        ("x-amz-sns-message-id".to_owned(), message_id.to_owned()),
        ("x-amz-sns-topic-arn".to_owned(), sub.topic_arn.clone()),
    ];
    if kind == "Notification" {
        headers.push(("x-amz-sns-subscription-arn".to_owned(), sub.arn.clone()));
    }
    headers.push((
        "Content-Type".to_owned(),
        "text/plain; charset=UTF-8".to_owned(),
    ));
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
    }
}

fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), SnsError> {
    if tags.len() > MAX_TAGS {
        return Err(SnsError::TagLimitExceeded(
            "Could not complete request: tag quota of per resource exceeded".into(),
        ));
    }
    for (k, v) in tags {
        if k.is_empty()
            || k.chars().count() > 128
            || v.chars().count() > 256
            || k.starts_with("aws:")
        {
            return Err(SnsError::invalid(format!("Invalid parameter: Tags: {k}")));
        }
    }
    Ok(())
}

fn resource_not_found(e: SnsError) -> SnsError {
    match e {
        SnsError::NotFound(_) => SnsError::NotFound("Resource does not exist".into()),
        e => e,
    }
}

/// Pages `items` (already in order) after the item whose key is `token`.
fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    key_of: impl Fn(&T) -> String,
) -> Result<Page<T>, SnsError> {
    let start = match token {
        None | Some("") => 0,
        Some(t) => items
            .iter()
            .position(|i| key_of(i).as_str() > t)
            .unwrap_or(items.len()),
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let next_token = if rest.len() > PAGE_SIZE {
        rest.truncate(PAGE_SIZE);
        rest.last().map(&key_of)
    } else {
        None
    };
    Ok(Page {
        items: rest,
        next_token,
    })
}
