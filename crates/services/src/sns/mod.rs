//! SNS over awsquery: topics, `http` subscriptions and their attributes, Publish,
//! PublishBatch and topic tags. The domain (`openwatch-sns`) holds the state, signs and
//! delivers; this module maps shapes and errors. ConfirmSubscription and Unsubscribe are also
//! accepted as unsigned `GET`s (the SubscribeURL and UnsubscribeURL of SNS messages), and the
//! signing certificate is served unauthenticated at `Sns::signing_cert_path`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_sns::{Sns, SnsError};
use openwatch_types::AccountId;
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};

mod publish;
mod subscriptions;
mod topics;

pub use publish::{
    BatchResultErrorEntry, MessageAttributeEntry, MessageAttributeValue, PublishBatchInput,
    PublishBatchOutput, PublishBatchRequestEntry, PublishBatchResultEntry, PublishInput,
    PublishOutput,
};
use publish::{publish, publish_batch};
pub use subscriptions::{
    ConfirmSubscriptionInput, ListSubscriptionsByTopicInput, ListSubscriptionsOutput,
    SetSubscriptionAttributesInput, SubscribeInput, SubscriptionArnInput, SubscriptionArnOutput,
    SubscriptionShape,
};
use subscriptions::{
    confirm_subscription, get_subscription_attributes, list_subscriptions,
    list_subscriptions_by_topic, set_subscription_attributes, subscribe, unsubscribe,
};
pub use topics::{
    AttributesOutput, CreateTopicInput, ListTagsOutput, ListTopicsOutput, NextTokenInput,
    ResourceArnInput, SetTopicAttributesInput, TagResourceInput, TopicArnInput, TopicArnOutput,
    UntagResourceInput,
};
use topics::{
    create_topic, delete_topic, get_topic_attributes, list_tags_for_resource, list_topics,
    set_topic_attributes, tag_resource, untag_resource,
};

/// Maps an SNS domain error to the SNS API's error.
pub fn api_error(e: SnsError) -> ApiError {
    if e.status() >= 500 {
        ApiError::internal(e.to_string())
    } else {
        ApiError::new(e.status(), e.code(), e.to_string())
    }
}

// --- shapes ----------------------------------------------------------------------------------

/// A map entry as the query protocol sends it (`Attributes.entry.N.key/value`).
#[derive(Debug, Deserialize, Serialize)]
pub struct Entry {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct Empty {}

// --- registration ----------------------------------------------------------------------------

/// The topic an input names (by TopicArn, TargetArn, ResourceArn, a subscription's ARN or a new
/// topic's Name), or every topic of the account and region.
fn topic_resource(ctx: &CallContext, input: &Value) -> String {
    for member in ["TopicArn", "TargetArn", "ResourceArn"] {
        if let Some(arn) = input.get(member).and_then(Value::as_str) {
            return arn.to_owned();
        }
    }
    if let Some(arn) = input.get("SubscriptionArn").and_then(Value::as_str)
        && let Some((topic, _)) = arn.rsplit_once(':')
    {
        return topic.to_owned();
    }
    let name = input.get("Name").and_then(Value::as_str).unwrap_or("*");
    format!("arn:aws:sns:{}:{}:{name}", ctx.region, ctx.account)
}

/// The account and region of the ARN in `member` (`arn:aws:sns:<region>:<account>:…`), for
/// the unsigned `GET`s of ConfirmSubscription (TopicArn) and Unsubscribe (SubscriptionArn).
fn arn_scope(input: &Value, member: &str) -> Result<(AccountId, String), ApiError> {
    let arn = input.get(member).and_then(Value::as_str).unwrap_or("");
    let mut parts = arn.strip_prefix("arn:aws:sns:").unwrap_or("").split(':');
    match (
        parts.next(),
        parts.next().and_then(|a| AccountId::parse(a).ok()),
    ) {
        (Some(region), Some(account)) if !region.is_empty() => Ok((account, region.to_owned())),
        _ => Err(ApiError::new(
            400,
            "InvalidParameter",
            format!("Invalid parameter: {member}"),
        )),
    }
}

fn topic_scope(input: &Value) -> Result<(AccountId, String), ApiError> {
    arn_scope(input, "TopicArn")
}

fn subscription_scope(input: &Value) -> Result<(AccountId, String), ApiError> {
    arn_scope(input, "SubscriptionArn")
}

macro_rules! handler {
    ($sns:expr, $f:ident) => {{
        let sns = Arc::clone(&$sns);
        move |ctx, input| {
            let sns = Arc::clone(&sns);
            async move { $f(&sns, &ctx, input).map_err(api_error) }
        }
    }};
}

/// Registers the operations and the signing certificate (a public document).
pub fn register(registry: &mut Registry, sns: Arc<Sns>) {
    registry.add_public_document(
        sns.signing_cert_path(),
        "application/x-x509-ca-cert",
        sns.signing_cert_pem().into_bytes(),
    );
    let s = Service::Sns;
    let op = |read_only: bool, o: Operation| {
        let o = o.resource(topic_resource);
        if read_only { o.read_only() } else { o }
    };
    registry.add(op(
        false,
        Operation::new(s, "CreateTopic", handler!(sns, create_topic)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "DeleteTopic", handler!(sns, delete_topic)),
    ));
    registry.add(op(
        true,
        Operation::new(s, "ListTopics", handler!(sns, list_topics)),
    ));
    registry.add(op(
        true,
        Operation::new(s, "GetTopicAttributes", handler!(sns, get_topic_attributes)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "SetTopicAttributes", handler!(sns, set_topic_attributes)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "Subscribe", handler!(sns, subscribe)),
    ));
    registry.add(op(
        false,
        Operation::new(
            s,
            "ConfirmSubscription",
            handler!(sns, confirm_subscription),
        )
        .anonymous_get(topic_scope),
    ));
    registry.add(op(
        false,
        Operation::new(s, "Unsubscribe", handler!(sns, unsubscribe))
            .anonymous_get(subscription_scope),
    ));
    registry.add(op(
        false,
        Operation::new(
            s,
            "SetSubscriptionAttributes",
            handler!(sns, set_subscription_attributes),
        ),
    ));
    registry.add(op(
        true,
        Operation::new(
            s,
            "GetSubscriptionAttributes",
            handler!(sns, get_subscription_attributes),
        ),
    ));
    registry.add(op(
        true,
        Operation::new(s, "ListSubscriptions", handler!(sns, list_subscriptions)),
    ));
    registry.add(op(
        true,
        Operation::new(
            s,
            "ListSubscriptionsByTopic",
            handler!(sns, list_subscriptions_by_topic),
        ),
    ));
    registry.add(op(
        false,
        Operation::new(s, "Publish", handler!(sns, publish)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "PublishBatch", handler!(sns, publish_batch)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "TagResource", handler!(sns, tag_resource)),
    ));
    registry.add(op(
        false,
        Operation::new(s, "UntagResource", handler!(sns, untag_resource)),
    ));
    registry.add(op(
        true,
        Operation::new(
            s,
            "ListTagsForResource",
            handler!(sns, list_tags_for_resource),
        ),
    ));
}
