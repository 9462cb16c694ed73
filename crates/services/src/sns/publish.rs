//! Publish: its shapes and handler.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use openwatch_sns::{MessageAttribute, PublishRequest, Sns, SnsError};
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
