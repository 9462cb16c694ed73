//! Subscription operations: their shapes and handlers (Subscribe … ListSubscriptionsByTopic).

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

pub(super) fn confirm_subscription(
    sns: &Sns,
    ctx: &CallContext,
    i: ConfirmSubscriptionInput,
) -> Result<SubscriptionArnOutput, SnsError> {
    let subscription_arn =
        sns.confirm_subscription(ctx.account.as_str(), &ctx.region, &i.topic_arn, &i.token)?;
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
    sns.unsubscribe(ctx.account.as_str(), &ctx.region, &i.subscription_arn)?;
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
