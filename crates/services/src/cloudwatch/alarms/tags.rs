//! TagResource, UntagResource and ListTagsForResource on alarms (metric and composite), the
//! CloudWatch resources this server has that AWS lets you tag.

use super::*;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    #[serde(default, rename = "ResourceARN")]
    pub resource_arn: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<TagShape>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    #[serde(default, rename = "ResourceARN")]
    pub resource_arn: Option<String>,
    #[serde(default)]
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceInput {
    #[serde(default, rename = "ResourceARN")]
    pub resource_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceOutput {
    pub tags: Vec<TagShape>,
}

fn tag_resource(
    store: &AlarmStore,
    ctx: &CallContext,
    input: TagResourceInput,
) -> Result<Empty, ApiError> {
    let arn = input.resource_arn.ok_or_else(|| missing("ResourceARN"))?;
    let tags = tag_pairs(Some(input.tags.ok_or_else(|| missing("Tags"))?));
    store
        .tag_resource(ctx.account.as_str(), &ctx.region, &arn, &tags)
        .map_err(alarms_error)?;
    Ok(Empty {})
}

fn untag_resource(
    store: &AlarmStore,
    ctx: &CallContext,
    input: UntagResourceInput,
) -> Result<Empty, ApiError> {
    let arn = input.resource_arn.ok_or_else(|| missing("ResourceARN"))?;
    let keys = input.tag_keys.ok_or_else(|| missing("TagKeys"))?;
    store
        .untag_resource(ctx.account.as_str(), &ctx.region, &arn, &keys)
        .map_err(alarms_error)?;
    Ok(Empty {})
}

fn list_tags_for_resource(
    store: &AlarmStore,
    ctx: &CallContext,
    input: ListTagsForResourceInput,
) -> Result<ListTagsForResourceOutput, ApiError> {
    let arn = input.resource_arn.ok_or_else(|| missing("ResourceARN"))?;
    let tags = store
        .list_tags(ctx.account.as_str(), &ctx.region, &arn)
        .map_err(alarms_error)?;
    Ok(ListTagsForResourceOutput {
        tags: tags
            .into_iter()
            .map(|(key, value)| TagShape { key, value })
            .collect(),
    })
}

/// The ARN authorization checks: the resource named in the input.
fn tagged_resource(_: &CallContext, input: &openwatch_wire::Value) -> String {
    input
        .get("ResourceARN")
        .and_then(openwatch_wire::Value::as_str)
        .unwrap_or("*")
        .to_owned()
}

pub(super) fn register(registry: &mut Registry, store: &Arc<AlarmStore>) {
    registry.add(operation("TagResource", store, tag_resource).resource(tagged_resource));
    registry.add(operation("UntagResource", store, untag_resource).resource(tagged_resource));
    registry.add(
        operation("ListTagsForResource", store, list_tags_for_resource)
            .read_only()
            .resource(tagged_resource),
    );
}
