//! SNS over awsquery: topics, `http` subscriptions, Publish and topic tags. The domain
//! (`openwatch-sns`) holds the state and delivers; this module maps shapes and errors.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_sns::{MessageAttribute, PublishRequest, Sns, SnsError, Subscription};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};

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

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTopicInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<Entry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_protection_policy: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicArnOutput {
    pub topic_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicArnInput {
    pub topic_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NextTokenInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTopicsOutput {
    pub topics: Vec<TopicArnOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributesOutput {
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetTopicAttributesInput {
    pub topic_arn: String,
    pub attribute_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_value: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeInput {
    pub topic_arn: String,
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<Entry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_subscription_arn: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionArnOutput {
    pub subscription_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSubscriptionInput {
    pub topic_arn: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticate_on_unsubscribe: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionArnInput {
    pub subscription_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSubscriptionsByTopicInput {
    pub topic_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionShape {
    pub subscription_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub topic_arn: String,
}

impl From<Subscription> for SubscriptionShape {
    fn from(s: Subscription) -> Self {
        SubscriptionShape {
            subscription_arn: s.listed_arn().to_owned(),
            owner: s.owner,
            protocol: s.protocol,
            endpoint: s.endpoint,
            topic_arn: s.topic_arn,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSubscriptionsOutput {
    pub subscriptions: Vec<SubscriptionShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageAttributeValue {
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageAttributeEntry {
    pub name: String,
    pub value: MessageAttributeValue,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_structure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_attributes: Option<Vec<MessageAttributeEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishOutput {
    pub message_id: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    pub resource_arn: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    pub resource_arn: String,
    #[serde(default)]
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceArnInput {
    pub resource_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOutput {
    pub tags: Vec<Tag>,
}

// --- handlers --------------------------------------------------------------------------------

fn tag_map(tags: Option<Vec<Tag>>) -> BTreeMap<String, String> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

fn create_topic(
    sns: &Sns,
    ctx: &CallContext,
    i: CreateTopicInput,
) -> Result<TopicArnOutput, SnsError> {
    if i.data_protection_policy.is_some() {
        return Err(SnsError::InvalidParameter(
            "Invalid parameter: DataProtectionPolicy is not supported by this server".into(),
        ));
    }
    let attributes: BTreeMap<String, String> = i
        .attributes
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect();
    let topic_arn = sns.create_topic(
        ctx.account.as_str(),
        &ctx.region,
        &i.name,
        &attributes,
        &tag_map(i.tags),
    )?;
    Ok(TopicArnOutput { topic_arn })
}

fn delete_topic(sns: &Sns, ctx: &CallContext, i: TopicArnInput) -> Result<Empty, SnsError> {
    sns.delete_topic(ctx.account.as_str(), &ctx.region, &i.topic_arn)?;
    Ok(Empty {})
}

fn list_topics(
    sns: &Sns,
    ctx: &CallContext,
    i: NextTokenInput,
) -> Result<ListTopicsOutput, SnsError> {
    let page = sns.list_topics(ctx.account.as_str(), &ctx.region, i.next_token.as_deref())?;
    Ok(ListTopicsOutput {
        topics: page
            .items
            .into_iter()
            .map(|topic_arn| TopicArnOutput { topic_arn })
            .collect(),
        next_token: page.next_token,
    })
}

fn get_topic_attributes(
    sns: &Sns,
    ctx: &CallContext,
    i: TopicArnInput,
) -> Result<AttributesOutput, SnsError> {
    Ok(AttributesOutput {
        attributes: sns.topic_attributes(ctx.account.as_str(), &ctx.region, &i.topic_arn)?,
    })
}

fn set_topic_attributes(
    sns: &Sns,
    ctx: &CallContext,
    i: SetTopicAttributesInput,
) -> Result<Empty, SnsError> {
    sns.set_topic_attribute(
        ctx.account.as_str(),
        &ctx.region,
        &i.topic_arn,
        &i.attribute_name,
        i.attribute_value.as_deref().unwrap_or_default(),
    )?;
    Ok(Empty {})
}

fn subscribe(
    sns: &Sns,
    ctx: &CallContext,
    i: SubscribeInput,
) -> Result<SubscriptionArnOutput, SnsError> {
    if i.attributes.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(SnsError::InvalidParameter(
            "Invalid parameter: Attributes: subscription attributes are not supported by this server"
                .into(),
        ));
    }
    let endpoint = i
        .endpoint
        .ok_or_else(|| SnsError::InvalidParameter("Invalid parameter: Endpoint".into()))?;
    let sub = sns.subscribe(
        ctx.account.as_str(),
        &ctx.region,
        &i.topic_arn,
        &i.protocol,
        &endpoint,
    )?;
    let subscription_arn = if sub.confirmed || i.return_subscription_arn == Some(true) {
        sub.arn
    } else {
        "pending confirmation".to_owned()
    };
    Ok(SubscriptionArnOutput { subscription_arn })
}

fn confirm_subscription(
    sns: &Sns,
    ctx: &CallContext,
    i: ConfirmSubscriptionInput,
) -> Result<SubscriptionArnOutput, SnsError> {
    let subscription_arn =
        sns.confirm_subscription(ctx.account.as_str(), &ctx.region, &i.topic_arn, &i.token)?;
    Ok(SubscriptionArnOutput { subscription_arn })
}

fn get_subscription_attributes(
    sns: &Sns,
    ctx: &CallContext,
    i: SubscriptionArnInput,
) -> Result<AttributesOutput, SnsError> {
    Ok(AttributesOutput {
        attributes: sns.subscription_attributes(
            ctx.account.as_str(),
            &ctx.region,
            &i.subscription_arn,
        )?,
    })
}

fn unsubscribe(sns: &Sns, ctx: &CallContext, i: SubscriptionArnInput) -> Result<Empty, SnsError> {
    sns.unsubscribe(ctx.account.as_str(), &ctx.region, &i.subscription_arn)?;
    Ok(Empty {})
}

fn list_subscriptions(
    sns: &Sns,
    ctx: &CallContext,
    i: NextTokenInput,
) -> Result<ListSubscriptionsOutput, SnsError> {
    let page = sns.list_subscriptions(
        ctx.account.as_str(),
        &ctx.region,
        None,
        i.next_token.as_deref(),
    )?;
    Ok(ListSubscriptionsOutput {
        subscriptions: page.items.into_iter().map(Into::into).collect(),
        next_token: page.next_token,
    })
}

fn list_subscriptions_by_topic(
    sns: &Sns,
    ctx: &CallContext,
    i: ListSubscriptionsByTopicInput,
) -> Result<ListSubscriptionsOutput, SnsError> {
    let page = sns.list_subscriptions(
        ctx.account.as_str(),
        &ctx.region,
        Some(&i.topic_arn),
        i.next_token.as_deref(),
    )?;
    Ok(ListSubscriptionsOutput {
        subscriptions: page.items.into_iter().map(Into::into).collect(),
        next_token: page.next_token,
    })
}

fn publish(sns: &Sns, ctx: &CallContext, i: PublishInput) -> Result<PublishOutput, SnsError> {
    let invalid = |m: &str| SnsError::InvalidParameter(m.to_owned());
    if i.phone_number.is_some() {
        return Err(invalid(
            "Invalid parameter: PhoneNumber: SMS is not supported by this server",
        ));
    }
    if i.message_group_id.is_some() || i.message_deduplication_id.is_some() {
        return Err(invalid(
            "Invalid parameter: MessageGroupId and MessageDeduplicationId apply only to FIFO topics",
        ));
    }
    let topic_arn = match (i.topic_arn, i.target_arn) {
        (Some(t), None) | (None, Some(t)) => t,
        (Some(_), Some(_)) => {
            return Err(invalid(
                "Invalid parameter: TopicArn or TargetArn Reason: Only one of them may be given",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
            ));
        }
    };
    let mut attributes = BTreeMap::new();
    for e in i.message_attributes.unwrap_or_default() {
        let value = match (e.value.string_value, e.value.binary_value) {
            (Some(s), _) | (None, Some(s)) => s,
            (None, None) => {
                return Err(SnsError::InvalidParameter(format!(
                    "Invalid parameter: MessageAttributes: The message attribute '{}' must contain non-empty message attribute value",
                    e.name
                )));
            }
        };
        attributes.insert(
            e.name,
            MessageAttribute {
                data_type: e.value.data_type,
                value,
            },
        );
    }
    let message_id = sns.publish(
        ctx.account.as_str(),
        &ctx.region,
        &topic_arn,
        &PublishRequest {
            message: i.message,
            subject: i.subject,
            message_structure: i.message_structure,
            attributes,
        },
    )?;
    Ok(PublishOutput { message_id })
}

fn tag_resource(sns: &Sns, ctx: &CallContext, i: TagResourceInput) -> Result<Empty, SnsError> {
    sns.tag(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &tag_map(Some(i.tags)),
    )?;
    Ok(Empty {})
}

fn untag_resource(sns: &Sns, ctx: &CallContext, i: UntagResourceInput) -> Result<Empty, SnsError> {
    sns.untag(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &i.tag_keys,
    )?;
    Ok(Empty {})
}

fn list_tags_for_resource(
    sns: &Sns,
    ctx: &CallContext,
    i: ResourceArnInput,
) -> Result<ListTagsOutput, SnsError> {
    let tags = sns.tags(ctx.account.as_str(), &ctx.region, &i.resource_arn)?;
    Ok(ListTagsOutput {
        tags: tags
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
    })
}

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
