//! Topic operations: their shapes and handlers (CreateTopic … SetTopicAttributes, tags).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use openwatch_sns::{Sns, SnsError};
use openwatch_wire::CallContext;

use super::{Empty, Entry, Tag};

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

pub(super) fn tag_map(tags: Option<Vec<Tag>>) -> BTreeMap<String, String> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

pub(super) fn create_topic(
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

pub(super) fn delete_topic(
    sns: &Sns,
    ctx: &CallContext,
    i: TopicArnInput,
) -> Result<Empty, SnsError> {
    sns.delete_topic(ctx.account.as_str(), &ctx.region, &i.topic_arn)?;
    Ok(Empty {})
}

pub(super) fn list_topics(
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

pub(super) fn get_topic_attributes(
    sns: &Sns,
    ctx: &CallContext,
    i: TopicArnInput,
) -> Result<AttributesOutput, SnsError> {
    Ok(AttributesOutput {
        attributes: sns.topic_attributes(ctx.account.as_str(), &ctx.region, &i.topic_arn)?,
    })
}

pub(super) fn set_topic_attributes(
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

pub(super) fn tag_resource(
    sns: &Sns,
    ctx: &CallContext,
    i: TagResourceInput,
) -> Result<Empty, SnsError> {
    sns.tag(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &tag_map(Some(i.tags)),
    )?;
    Ok(Empty {})
}

pub(super) fn untag_resource(
    sns: &Sns,
    ctx: &CallContext,
    i: UntagResourceInput,
) -> Result<Empty, SnsError> {
    sns.untag(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &i.tag_keys,
    )?;
    Ok(Empty {})
}

pub(super) fn list_tags_for_resource(
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
