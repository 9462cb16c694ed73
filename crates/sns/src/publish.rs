//! Publish: building one Notification per confirmed subscription and enqueueing them.

use serde_json::{Value, json};

use crate::delivery::delivery;
use crate::{MAX_MESSAGE_BYTES, PublishRequest, Sns, SnsError};

pub(crate) fn iso_millis(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

impl Sns {
    /// Publish: one Notification per confirmed subscription, durable before this returns.
    /// Returns the message id.
    pub fn publish(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        req: &PublishRequest,
    ) -> Result<String, SnsError> {
        if req.message.is_empty() {
            return Err(SnsError::invalid("Invalid parameter: Empty message"));
        }
        if req.message.len() > MAX_MESSAGE_BYTES {
            return Err(SnsError::invalid("Invalid parameter: Message too long"));
        }
        if let Some(subject) = &req.subject
            && (subject.is_empty()
                || subject.chars().count() > 100
                || subject.chars().any(|c| c.is_control() || !c.is_ascii()))
        {
            return Err(SnsError::invalid("Invalid parameter: Subject"));
        }
        let structured: Option<serde_json::Map<String, Value>> = match req
            .message_structure
            .as_deref()
        {
            None => None,
            Some("json") => {
                let obj = serde_json::from_str::<Value>(&req.message)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .ok_or_else(|| {
                        SnsError::invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
                    })?;
                if !obj.get("default").is_some_and(Value::is_string) {
                    return Err(SnsError::invalid(
                        "Invalid parameter: Message Structure - No default entry in JSON message body",
                    ));
                }
                Some(obj)
            }
            Some(other) => {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: MessageStructure: {other} is not json"
                )));
            }
        };
        for (name, attr) in &req.attributes {
            let base = attr.data_type.split('.').next().unwrap_or_default();
            if !matches!(base, "String" | "Number" | "Binary") || name.is_empty() {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: MessageAttributes: {name} has an invalid type {}",
                    attr.data_type
                )));
            }
        }
        let topic = self.topic(account, region, topic_arn)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let now = iso_millis(self.clock.now_millis());
        let subs = self.subscriptions_of(&topic.arn)?;
        let mut deliveries = Vec::new();
        for sub in subs.iter().filter(|s| s.confirmed) {
            let message = match &structured {
                Some(obj) => obj
                    .get(&sub.protocol)
                    .or_else(|| obj.get("default"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                None => req.message.clone(),
            };
            let mut body = serde_json::Map::new();
            body.insert("Type".into(), "Notification".into());
            body.insert("MessageId".into(), message_id.clone().into());
            body.insert("TopicArn".into(), topic.arn.clone().into());
            if let Some(s) = &req.subject {
                body.insert("Subject".into(), s.clone().into());
            }
            body.insert("Message".into(), message.into());
            body.insert("Timestamp".into(), now.clone().into());
            if !req.attributes.is_empty() {
                let attrs: serde_json::Map<String, Value> = req
                    .attributes
                    .iter()
                    .map(|(k, a)| (k.clone(), json!({"Type": a.data_type, "Value": a.value})))
                    .collect();
                body.insert("MessageAttributes".into(), Value::Object(attrs));
            }
            deliveries.push(delivery(
                sub,
                "Notification",
                &message_id,
                Value::Object(body).to_string(),
            ));
        }
        self.enqueue(deliveries)?;
        Ok(message_id)
    }
}
