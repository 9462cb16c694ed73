//! Publish and PublishBatch: validating messages, then one Notification per confirmed
//! subscription whose filter policy the message passes (raw or in the signed JSON envelope),
//! enqueued durably before the call answers.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::delivery::{Delivery, delivery};
use crate::filter::{FilterScope, parse_policy, passes};
use crate::policy::effective;
use crate::{
    BatchEntry, BatchResult, MAX_MESSAGE_BYTES, MessageAttribute, PublishRequest, Sns, SnsError,
    Topic,
};

/// Most entries of one PublishBatch.
pub const MAX_BATCH_ENTRIES: usize = 10;

pub(crate) fn iso_millis(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

fn attr_error(name: &str, reason: &str) -> SnsError {
    SnsError::invalid(format!(
        "Invalid parameter: MessageAttributes Reason: The message attribute '{name}' {reason}"
    ))
}

/// Checks message attribute names, types and values as SNS does.
fn check_attributes(attributes: &BTreeMap<String, MessageAttribute>) -> Result<(), SnsError> {
    for (name, a) in attributes {
        let lower = name.to_ascii_lowercase();
        if name.is_empty()
            || name.len() > 256
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || name.starts_with('.')
            || name.ends_with('.')
            || name.contains("..")
        {
            return Err(attr_error(name, "has an invalid name"));
        }
        if lower.starts_with("aws.") || lower.starts_with("amazon.") {
            return Err(attr_error(name, "uses a reserved prefix"));
        }
        let (base, custom) = match a.data_type.split_once('.') {
            Some((b, c)) => (b, Some(c)),
            None => (a.data_type.as_str(), None),
        };
        if !matches!(base, "String" | "Number" | "Binary")
            || custom.is_some_and(|c| c.is_empty() || a.data_type.len() > 256)
        {
            return Err(attr_error(
                name,
                &format!("has an invalid message attribute type {}", a.data_type),
            ));
        }
        if a.value.is_empty() {
            return Err(attr_error(
                name,
                "must contain non-empty message attribute value",
            ));
        }
        match (base, custom) {
            ("String", Some("Array")) => {
                let ok = serde_json::from_str::<Value>(&a.value).is_ok_and(|v| {
                    v.as_array().is_some_and(|items| {
                        items
                            .iter()
                            .all(|i| !matches!(i, Value::Array(_) | Value::Object(_)))
                    })
                });
                if !ok {
                    return Err(attr_error(
                        name,
                        "has an invalid String.Array value: it must be a JSON array of strings, numbers, true, false or null",
                    ));
                }
            }
            ("Number", _) => {
                let ok = a.value.trim().parse::<f64>().is_ok_and(|f| {
                    f.is_finite() && (f == 0.0 || (1e-128..=1e126).contains(&f.abs()))
                }) && a.value.chars().filter(char::is_ascii_digit).count() <= 38;
                if !ok {
                    return Err(attr_error(
                        name,
                        &format!("has an invalid Number value {}", a.value),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The bytes SNS counts against the 256 KiB limit: message, attribute names, types and values.
fn message_size(req: &PublishRequest) -> usize {
    req.message.len()
        + req
            .attributes
            .iter()
            .map(|(k, a)| k.len() + a.data_type.len() + a.value.len())
            .sum::<usize>()
}

/// Validates a request; returns the per-protocol messages of a `json` structure.
fn validate(req: &PublishRequest) -> Result<Option<Map<String, Value>>, SnsError> {
    if req.message.is_empty() {
        return Err(SnsError::invalid("Invalid parameter: Empty message"));
    }
    if message_size(req) > MAX_MESSAGE_BYTES {
        return Err(SnsError::invalid("Invalid parameter: Message too long"));
    }
    if let Some(subject) = &req.subject
        && (subject.is_empty()
            || subject.chars().count() > 100
            || subject.chars().any(|c| c.is_control() || !c.is_ascii())
            || !subject
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c.is_ascii_punctuation()))
    {
        return Err(SnsError::invalid("Invalid parameter: Subject"));
    }
    check_attributes(&req.attributes)?;
    match req.message_structure.as_deref() {
        None => Ok(None),
        Some("json") => {
            let obj = serde_json::from_str::<Value>(&req.message)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .ok_or_else(|| {
                    SnsError::invalid(
                        "Invalid parameter: Message Structure - JSON message body failed to parse",
                    )
                })?;
            if !obj.get("default").is_some_and(Value::is_string) {
                return Err(SnsError::invalid(
                    "Invalid parameter: Message Structure - No default entry in JSON message body",
                ));
            }
            Ok(Some(obj))
        }
        Some(other) => Err(SnsError::invalid(format!(
            "Invalid parameter: MessageStructure: {other} is not json"
        ))),
    }
}

impl Sns {
    /// The deliveries of one validated message.
    fn deliveries(
        &self,
        topic: &Topic,
        req: &PublishRequest,
        structured: Option<&Map<String, Value>>,
        message_id: &str,
    ) -> Result<Vec<Delivery>, SnsError> {
        let now = iso_millis(self.clock.now_millis());
        let mut out = Vec::new();
        for sub in self.subscriptions_of(&topic.arn)? {
            if !sub.confirmed {
                continue;
            }
            let message = match structured {
                Some(obj) => obj
                    .get(&sub.protocol)
                    .or_else(|| obj.get("default"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                None => req.message.clone(),
            };
            if let Some(policy) = sub.attributes.get("FilterPolicy") {
                let scope = sub
                    .attributes
                    .get("FilterPolicyScope")
                    .and_then(|s| FilterScope::parse(s).ok())
                    .unwrap_or(FilterScope::MessageAttributes);
                let passed = parse_policy(policy, scope)
                    .is_ok_and(|p| passes(&p, scope, &message, &req.attributes));
                if !passed {
                    continue;
                }
            }
            let retry = effective(
                topic.attributes.get("DeliveryPolicy").map(String::as_str),
                sub.attributes.get("DeliveryPolicy").map(String::as_str),
            );
            let raw = sub
                .attributes
                .get("RawMessageDelivery")
                .is_some_and(|v| v == "true");
            let body = if raw {
                message
            } else {
                let mut body = Map::new();
                body.insert("Type".into(), "Notification".into());
                body.insert("MessageId".into(), message_id.into());
                body.insert("TopicArn".into(), topic.arn.clone().into());
                if let Some(s) = &req.subject {
                    body.insert("Subject".into(), s.clone().into());
                }
                body.insert("Message".into(), message.into());
                body.insert("Timestamp".into(), now.clone().into());
                body.insert(
                    "UnsubscribeURL".into(),
                    self.unsubscribe_url(&sub.arn).into(),
                );
                if !req.attributes.is_empty() {
                    let attrs: Map<String, Value> = req
                        .attributes
                        .iter()
                        .map(|(k, a)| (k.clone(), json!({"Type": a.data_type, "Value": a.value})))
                        .collect();
                    body.insert("MessageAttributes".into(), Value::Object(attrs));
                }
                self.sign_body(topic, body)?
            };
            out.push(delivery(&sub, "Notification", message_id, body, retry, raw));
        }
        Ok(out)
    }

    /// Publish: one Notification per confirmed subscription whose filter policy passes,
    /// durable before this returns. Returns the message id.
    pub fn publish(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        req: &PublishRequest,
    ) -> Result<String, SnsError> {
        let structured = validate(req)?;
        let topic = self.topic(account, region, topic_arn)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let deliveries = self.deliveries(&topic, req, structured.as_ref(), &message_id)?;
        self.enqueue(deliveries)?;
        Ok(message_id)
    }

    /// PublishBatch: up to 10 entries with distinct ids, 256 KiB in all; each entry is
    /// published or fails on its own. Every published entry is durable before this returns.
    pub fn publish_batch(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        entries: &[BatchEntry],
    ) -> Result<Vec<BatchResult>, SnsError> {
        if entries.is_empty() {
            return Err(SnsError::Batch(
                "EmptyBatchRequest",
                "The batch request doesn't contain any entries".into(),
            ));
        }
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(SnsError::Batch(
                "TooManyEntriesInBatchRequest",
                "The batch request contains more entries than permissible".into(),
            ));
        }
        let mut ids = BTreeSet::new();
        for e in entries {
            if e.id.is_empty()
                || e.id.len() > 80
                || !e
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(SnsError::Batch(
                    "InvalidBatchEntryId",
                    "The Id of a batch entry in a batch request doesn't abide by the specification"
                        .into(),
                ));
            }
            if !ids.insert(e.id.as_str()) {
                return Err(SnsError::Batch(
                    "BatchEntryIdsNotDistinct",
                    "Two or more batch entries in the request have the same Id".into(),
                ));
            }
        }
        if entries
            .iter()
            .map(|e| message_size(&e.request))
            .sum::<usize>()
            > MAX_MESSAGE_BYTES
        {
            return Err(SnsError::Batch(
                "BatchRequestTooLong",
                "The length of all the messages put together is more than the limit".into(),
            ));
        }
        let topic = self.topic(account, region, topic_arn)?;
        let mut results = Vec::with_capacity(entries.len());
        let mut deliveries = Vec::new();
        for e in entries {
            let outcome = validate(&e.request).and_then(|structured| {
                let message_id = uuid::Uuid::new_v4().to_string();
                let d = self.deliveries(&topic, &e.request, structured.as_ref(), &message_id)?;
                Ok((message_id, d))
            });
            match outcome {
                Ok((message_id, d)) => {
                    deliveries.extend(d);
                    results.push(BatchResult::Published {
                        id: e.id.clone(),
                        message_id,
                    });
                }
                Err(SnsError::Internal(m)) => return Err(SnsError::Internal(m)),
                Err(error) => results.push(BatchResult::Failed {
                    id: e.id.clone(),
                    error,
                }),
            }
        }
        self.enqueue(deliveries)?;
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(attrs: &[(&str, &str, &str)]) -> PublishRequest {
        PublishRequest {
            message: "m".into(),
            attributes: attrs
                .iter()
                .map(|(n, t, v)| {
                    (
                        (*n).to_owned(),
                        MessageAttribute {
                            data_type: (*t).to_owned(),
                            value: (*v).to_owned(),
                        },
                    )
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn attribute_rules() {
        for good in [
            ("a", "String", "x"),
            ("a.b-c_d", "String.custom", "x"),
            ("n", "Number", "-1.5e3"),
            ("arr", "String.Array", r#"["a",1,true,null]"#),
            ("bin", "Binary", "AAE="),
        ] {
            assert!(validate(&req(&[good])).is_ok(), "{good:?}");
        }
        for bad in [
            ("AWS.x", "String", "x"),
            ("amazon.x", "String", "x"),
            ("a..b", "String", "x"),
            (".a", "String", "x"),
            ("a b", "String", "x"),
            ("a", "Text", "x"),
            ("a", "String.", "x"),
            ("a", "String", ""),
            ("n", "Number", "abc"),
            ("n", "Number", "1e200"),
            ("arr", "String.Array", r#"["a",["b"]]"#),
            ("arr", "String.Array", "a"),
        ] {
            assert!(validate(&req(&[bad])).is_err(), "{bad:?}");
        }
        let mut r = req(&[]);
        r.subject = Some(" leading space".into());
        assert!(validate(&r).is_err());
        r.subject = Some("ok: fine".into());
        assert!(validate(&r).is_ok());
        r.message = "x".repeat(MAX_MESSAGE_BYTES);
        r.attributes = req(&[("a", "String", "x")]).attributes;
        assert!(validate(&r).is_err(), "attributes count toward the limit");
    }
}
