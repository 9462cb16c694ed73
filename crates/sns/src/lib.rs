//! SNS: topics and subscriptions per `(account, region)` in the catalog (`sns_topics`,
//! `sns_subscriptions`, `sns_unsubscribed`), and a durable delivery queue (a WAL in
//! `<data>/sns`) that POSTs signed confirmations and notifications to `http(s)` endpoints,
//! retrying failures as the delivery policy says.
//!
//! What is supported, and what is not:
//! - Standard topics only; FIFO topics (`.fifo` names, `FifoTopic`) are refused.
//! - The `http` and `https` protocols (TLS through `openwatch-outbound`, which trusts the
//!   system store plus `OPENWATCH_EXTRA_CA_FILE`); the other protocols (email, sms, sqs,
//!   lambda…) have no target here and are refused with `InvalidParameter`.
//! - Messages are signed as SNS signs them (`SignatureVersion` 1, SHA1withRSA, or 2,
//!   SHA256withRSA, a topic attribute) with a key and self-signed certificate made on first
//!   start (`signing-key.der`, `signing-cert.der` in the SNS directory); `SigningCertURL`
//!   points at the PEM the server serves unauthenticated (see [`Sns::signing_cert_path`]).
//!   Verifiers that insist on an `sns.<region>.amazonaws.com` https certificate URL (some AWS
//!   SDK helpers) refuse it by design; a receiver that checks the signature with the served
//!   certificate (as `testing::verify_message` and `openssl dgst -verify` do) accepts it.
//! - Retry state (attempts, next attempt time) is logged in the queue, so a restart keeps the
//!   schedule; AWS's jitter is not applied.
//! - Subscribe sends a SubscriptionConfirmation with `Token` and `SubscribeURL` (an
//!   unauthenticated GET of ConfirmSubscription); tokens last three days. Unsubscribe sends an
//!   UnsubscribeConfirmation whose SubscribeURL restores the subscription.
//! - Subscription attributes: RawMessageDelivery, FilterPolicy (+ FilterPolicyScope, see
//!   [`filter`]) and DeliveryPolicy ([`policy`]); topic DeliveryPolicy and SignatureVersion.
//! - The topic `Policy` is stored and returned but not evaluated: a caller reaches only its own
//!   account's topics, and another account's topic ARN is an `AuthorizationError`.

mod delivery;
mod der;
mod error;
pub mod filter;
/// Outbound HTTP (shared with EventBridge API destinations).
pub use openwatch_outbound as http;
mod limits;
mod message;
mod model;
pub mod policy;
mod publish;
mod signing;
mod store;
mod sub_attributes;
mod subscriptions;
pub mod testing;
mod topics;

pub use der::{ParsedCertificate, parse_certificate};
pub use error::SnsError;
pub use limits::{MAX_MESSAGE_BYTES, MAX_TAGS, PAGE_SIZE};
pub use model::{
    BatchEntry, BatchResult, DeliveryReport, MessageAttribute, Page, PublishRequest, SnsOptions,
    Subscription, Topic,
};
pub use publish::MAX_BATCH_ENTRIES;
pub use signing::{Signer, string_to_sign};
pub use store::Sns;
pub use subscriptions::TOKEN_LIFETIME_MS;
pub use topics::{parse_topic_arn, validate_topic_name};
