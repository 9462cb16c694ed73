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

mod delivery;
mod error;
/// Outbound HTTP (shared with EventBridge API destinations).
pub use openwatch_outbound as http;
mod limits;
mod model;
mod publish;
mod store;
mod subscriptions;
pub mod testing;
mod topics;

pub use error::SnsError;
pub use limits::{MAX_MESSAGE_BYTES, MAX_TAGS, PAGE_SIZE};
pub use model::{
    DeliveryReport, MessageAttribute, Page, PublishRequest, SnsOptions, Subscription, Topic,
};
pub use store::Sns;
pub use topics::{parse_topic_arn, validate_topic_name};
