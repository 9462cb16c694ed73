//! TagResource, UntagResource, ListTagsForResource.

use openwatch_schemas::{Schemas, Tags};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::{Empty, account, api_error, required};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
    #[serde(default, rename = "tags", skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct ListTagsForResourceOutput {
    pub tags: Tags,
}

pub fn tag_resource(
    s: &Schemas,
    ctx: &CallContext,
    input: TagResourceInput,
) -> Result<Empty, ApiError> {
    let arn = required(input.resource_arn, "ResourceArn")?;
    let tags = required(input.tags, "Tags")?;
    s.tag_resource(account(ctx), &ctx.region, &arn, tags)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub fn untag_resource(
    s: &Schemas,
    ctx: &CallContext,
    input: TagResourceInput,
) -> Result<Empty, ApiError> {
    let arn = required(input.resource_arn, "ResourceArn")?;
    let keys = required(input.tag_keys, "TagKeys")?;
    s.untag_resource(account(ctx), &ctx.region, &arn, &keys)
        .map(|()| Empty {})
        .map_err(api_error)
}

pub fn list_tags_for_resource(
    s: &Schemas,
    ctx: &CallContext,
    input: TagResourceInput,
) -> Result<ListTagsForResourceOutput, ApiError> {
    let arn = required(input.resource_arn, "ResourceArn")?;
    s.list_tags(account(ctx), &ctx.region, &arn)
        .map(|tags| ListTagsForResourceOutput { tags })
        .map_err(api_error)
}
