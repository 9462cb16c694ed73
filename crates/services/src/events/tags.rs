//! Tag shapes and the TagResource, UntagResource and ListTagsForResource handlers.

use openwatch_events::{Events, Tag as DomainTag};
use openwatch_wire::CallContext;
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::{R, api_error};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

pub(super) fn tags_in(tags: Option<Vec<Tag>>) -> Vec<DomainTag> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| DomainTag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

pub(super) fn tags_out(tags: Vec<DomainTag>) -> Vec<Tag> {
    tags.into_iter()
        .map(|t| Tag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct TagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct UntagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    #[serde(rename = "TagKeys")]
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ListTagsForResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceOutput {
    pub tags: Vec<Tag>,
}

pub(super) fn tag_resource(e: &Events, ctx: &CallContext, i: TagResourceInput) -> R<Empty> {
    e.tag_resource(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        tags_in(Some(i.tags)),
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

pub(super) fn untag_resource(e: &Events, ctx: &CallContext, i: UntagResourceInput) -> R<Empty> {
    e.untag_resource(
        ctx.account.as_str(),
        &ctx.region,
        &i.resource_arn,
        &i.tag_keys,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

pub(super) fn list_tags_for_resource(
    e: &Events,
    ctx: &CallContext,
    i: ListTagsForResourceInput,
) -> R<ListTagsForResourceOutput> {
    e.list_tags(ctx.account.as_str(), &ctx.region, &i.resource_arn)
        .map(|t| ListTagsForResourceOutput { tags: tags_out(t) })
        .map_err(api_error)
}
