//! SNS over awsquery: topics, `http` subscriptions, Publish and topic tags. The domain
//! (`openwatch-sns`) holds the state and delivers; this module maps shapes and errors.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_sns::{Sns, SnsError};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};

mod publish;
mod subscriptions;
mod topics;

use publish::publish;
pub use publish::{MessageAttributeEntry, MessageAttributeValue, PublishInput, PublishOutput};
pub use subscriptions::{
    ConfirmSubscriptionInput, ListSubscriptionsByTopicInput, ListSubscriptionsOutput,
    SubscribeInput, SubscriptionArnInput, SubscriptionArnOutput, SubscriptionShape,
};
use subscriptions::{
    confirm_subscription, get_subscription_attributes, list_subscriptions,
    list_subscriptions_by_topic, subscribe, unsubscribe,
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

macro_rules! handler {
    ($sns:expr, $f:ident) => {{
        let sns = Arc::clone(&$sns);
        move |ctx, input| {
            let sns = Arc::clone(&sns);
            async move { $f(&sns, &ctx, input).map_err(api_error) }
        }
    }};
}

pub fn register(registry: &mut Registry, sns: Arc<Sns>) {
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
        ),
    ));
    registry.add(op(
        false,
        Operation::new(s, "Unsubscribe", handler!(sns, unsubscribe)),
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
