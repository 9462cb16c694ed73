//! Publish and PublishBatch: their shapes and handlers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use openwatch_sns::{BatchEntry, BatchResult, MessageAttribute, PublishRequest, Sns, SnsError};
use openwatch_wire::CallContext;

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

pub(super) fn publish(
    sns: &Sns,
    ctx: &CallContext,
    i: PublishInput,
) -> Result<PublishOutput, SnsError> {
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
    let attributes = attribute_map(i.message_attributes)?;
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

/// Message attributes as the domain takes them.
fn attribute_map(
    entries: Option<Vec<MessageAttributeEntry>>,
) -> Result<BTreeMap<String, MessageAttribute>, SnsError> {
    let mut attributes = BTreeMap::new();
    for e in entries.unwrap_or_default() {
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
    Ok(attributes)
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchRequestEntry {
    pub id: String,
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

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchInput {
    pub topic_arn: String,
    #[serde(default)]
    pub publish_batch_request_entries: Vec<PublishBatchRequestEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchResultEntry {
    pub id: String,
    pub message_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchResultErrorEntry {
    pub id: String,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchOutput {
    pub successful: Vec<PublishBatchResultEntry>,
    pub failed: Vec<BatchResultErrorEntry>,
}

pub(super) fn publish_batch(
    sns: &Sns,
    ctx: &CallContext,
    i: PublishBatchInput,
) -> Result<PublishBatchOutput, SnsError> {
    let mut entries = Vec::with_capacity(i.publish_batch_request_entries.len());
    let mut failed = Vec::new();
    for e in i.publish_batch_request_entries {
        let fifo_only = e.message_group_id.is_some() || e.message_deduplication_id.is_some();
        match attribute_map(e.message_attributes) {
            Err(err) => failed.push((e.id, err)),
            Ok(_) if fifo_only => failed.push((
                e.id,
                SnsError::InvalidParameter(
                    "Invalid parameter: MessageGroupId and MessageDeduplicationId apply only to FIFO topics"
                        .into(),
                ),
            )),
            Ok(attributes) => entries.push(BatchEntry {
                id: e.id,
                request: PublishRequest {
                    message: e.message,
                    subject: e.subject,
                    message_structure: e.message_structure,
                    attributes,
                },
            }),
        }
    }
    // Request-level checks (count, ids) see every entry, including those failed here.
    let mut all = entries;
    all.extend(failed.iter().map(|(id, _)| BatchEntry {
        id: id.clone(),
        request: PublishRequest {
            message: String::new(),
            ..Default::default()
        },
    }));
    let results = sns.publish_batch(ctx.account.as_str(), &ctx.region, &i.topic_arn, &all)?;
    let mut out = PublishBatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for r in results {
        match r {
            BatchResult::Published { id, message_id } => {
                out.successful
                    .push(PublishBatchResultEntry { id, message_id });
            }
            BatchResult::Failed { id, error } => {
                let error = failed
                    .iter()
                    .position(|(f, _)| *f == id)
                    .map(|p| failed.remove(p).1)
                    .unwrap_or(error);
                out.failed.push(BatchResultErrorEntry {
                    id,
                    code: error.code().to_owned(),
                    message: error.to_string(),
                    sender_fault: error.status() < 500,
                });
            }
        }
    }
    Ok(out)
}
