//! Log group and retention policy shapes, and the DescribeLogGroups handler.

use std::collections::BTreeMap;

use openwatch_logs::{GroupQuery, LogStore};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::errors::api_error;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateLogGroupInput {
    pub log_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_class: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupNameInput {
    pub log_group_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogGroupsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_linked_accounts: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupShape {
    pub log_group_name: String,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<i32>,
    pub metric_filter_count: u32,
    pub arn: String,
    pub stored_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub log_group_class: String,
    pub log_group_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogGroupsOutput {
    pub log_groups: Vec<LogGroupShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutRetentionPolicyInput {
    pub log_group_name: String,
    pub retention_in_days: i32,
}

pub(super) fn group_shape(g: openwatch_logs::LogGroupInfo) -> LogGroupShape {
    LogGroupShape {
        arn: format!("{}:*", g.arn),
        log_group_arn: g.arn,
        log_group_name: g.name,
        creation_time: g.creation_time,
        retention_in_days: g.retention_in_days,
        metric_filter_count: g.metric_filter_count,
        stored_bytes: g.stored_bytes,
        kms_key_id: g.kms_key_id,
        log_group_class: g.log_group_class,
    }
}

pub(super) fn describe_log_groups(
    store: &LogStore,
    ctx: &CallContext,
    input: DescribeLogGroupsInput,
) -> Result<DescribeLogGroupsOutput, ApiError> {
    let page = store
        .describe_log_groups(
            ctx.account.as_str(),
            &ctx.region,
            &GroupQuery {
                prefix: input.log_group_name_prefix,
                pattern: input.log_group_name_pattern,
                limit: input.limit,
                next_token: input.next_token,
            },
        )
        .map_err(api_error)?;
    let class = input.log_group_class;
    Ok(DescribeLogGroupsOutput {
        log_groups: page
            .groups
            .into_iter()
            .filter(|g| class.as_ref().is_none_or(|c| *c == g.log_group_class))
            .map(group_shape)
            .collect(),
        next_token: page.next_token,
    })
}
