//! Tag shapes for TagResource/UntagResource/ListTagsForResource and the legacy
//! TagLogGroup/UntagLogGroup/ListTagsLogGroup operations, and the handlers of the first three,
//! which tag log groups and destinations (the taggable Logs resources) by ARN.

use std::collections::BTreeMap;

use openwatch_logs::LogStore;
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::api_error;
use super::resources::{Taggable, taggable_of_arn};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    pub resource_arn: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    pub resource_arn: String,
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceArnInput {
    pub resource_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagLogGroupInput {
    pub log_group_name: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagLogGroupInput {
    pub log_group_name: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsOutput {
    pub tags: BTreeMap<String, String>,
}

/// TagResource: adds or replaces tags of a log group or destination.
pub(super) fn tag_resource(
    s: &LogStore,
    ctx: &CallContext,
    i: TagResourceInput,
) -> Result<Empty, ApiError> {
    let (account, region) = (ctx.account.as_str(), ctx.region.as_str());
    match taggable_of_arn(ctx, &i.resource_arn)? {
        Taggable::Group(g) => s.tag_log_group(account, region, &g, i.tags),
        Taggable::Destination(d) => s.tag_destination(account, region, &d, i.tags),
    }
    .map(|()| Empty {})
    .map_err(api_error)
}

/// UntagResource: removes tags of a log group or destination by key.
pub(super) fn untag_resource(
    s: &LogStore,
    ctx: &CallContext,
    i: UntagResourceInput,
) -> Result<Empty, ApiError> {
    let (account, region) = (ctx.account.as_str(), ctx.region.as_str());
    match taggable_of_arn(ctx, &i.resource_arn)? {
        Taggable::Group(g) => s.untag_log_group(account, region, &g, &i.tag_keys),
        Taggable::Destination(d) => s.untag_destination(account, region, &d, &i.tag_keys),
    }
    .map(|()| Empty {})
    .map_err(api_error)
}

/// ListTagsForResource: the tags of a log group or destination.
pub(super) fn list_tags_for_resource(
    s: &LogStore,
    ctx: &CallContext,
    i: ResourceArnInput,
) -> Result<TagsOutput, ApiError> {
    let (account, region) = (ctx.account.as_str(), ctx.region.as_str());
    match taggable_of_arn(ctx, &i.resource_arn)? {
        Taggable::Group(g) => s.list_tags(account, region, &g),
        Taggable::Destination(d) => s.destination_tags(account, region, &d),
    }
    .map(|tags| TagsOutput { tags })
    .map_err(api_error)
}
