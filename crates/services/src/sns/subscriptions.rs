//! Subscription operations: their shapes and handlers (Subscribe … ListSubscriptionsByTopic).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use openwatch_sns::{Sns, SnsError, Subscription};
use openwatch_wire::CallContext;

use super::{AttributesOutput, Empty, Entry, NextTokenInput};

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
pub struct SetSubscriptionAttributesInput {
    pub subscription_arn: String,
    pub attribute_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_value: Option<String>,
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

pub(super) fn subscribe(
    sns: &Sns,
    ctx: &CallContext,
    i: SubscribeInput,
) -> Result<SubscriptionArnOutput, SnsError> {
    let attributes: BTreeMap<String, String> = i
        .attributes
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect();
    let endpoint = i
        .endpoint
        .ok_or_else(|| SnsError::InvalidParameter("Invalid parameter: Endpoint".into()))?;
    let sub = sns.subscribe_with_attributes(
        ctx.account.as_str(),
        &ctx.region,
        &i.topic_arn,
        &i.protocol,
        &endpoint,
        &attributes,
    )?;
    let subscription_arn = if sub.confirmed || i.return_subscription_arn == Some(true) {
        sub.arn
    } else {
        "pending confirmation".to_owned()
    };
    Ok(SubscriptionArnOutput { subscription_arn })
}

/// Also reached unsigned, as the SubscribeURL of a confirmation message.
pub(super) fn confirm_subscription(
    sns: &Sns,
    ctx: &CallContext,
    i: ConfirmSubscriptionInput,
) -> Result<SubscriptionArnOutput, SnsError> {
    let authenticate_on_unsubscribe = match i.authenticate_on_unsubscribe.as_deref() {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(SnsError::InvalidParameter(format!(
                "Invalid parameter: AuthenticateOnUnsubscribe: {v} is not true or false"
            )));
        }
    };
    let subscription_arn = sns.confirm_subscription_as(
        ctx.account.as_str(),
        &ctx.region,
        &i.topic_arn,
        &i.token,
        !ctx.caller.is_anonymous(),
        authenticate_on_unsubscribe,
    )?;
    Ok(SubscriptionArnOutput { subscription_arn })
}

pub(super) fn get_subscription_attributes(
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

pub(super) fn unsubscribe(
    sns: &Sns,
    ctx: &CallContext,
    i: SubscriptionArnInput,
) -> Result<Empty, SnsError> {
    sns.unsubscribe_as(
        ctx.account.as_str(),
        &ctx.region,
        &i.subscription_arn,
        !ctx.caller.is_anonymous(),
    )?;
    Ok(Empty {})
}

pub(super) fn set_subscription_attributes(
    sns: &Sns,
    ctx: &CallContext,
    i: SetSubscriptionAttributesInput,
) -> Result<Empty, SnsError> {
    sns.set_subscription_attribute(
        ctx.account.as_str(),
        &ctx.region,
        &i.subscription_arn,
        &i.attribute_name,
        i.attribute_value.as_deref().unwrap_or_default(),
    )?;
    Ok(Empty {})
}

pub(super) fn list_subscriptions(
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

pub(super) fn list_subscriptions_by_topic(
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
