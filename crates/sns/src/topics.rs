//! Topics: ARNs and names, CreateTopic, DeleteTopic, ListTopics, topic attributes and tags.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::error::internal;
use crate::limits::check_tags;
use crate::policy::{parse_topic_policy, topic_effective_json};
use crate::store::{SUBSCRIPTIONS, TOPICS, key, page, resource_not_found};
use crate::{MAX_TAGS, Page, Sns, SnsError, Topic};

/// Parses `arn:aws:sns:<region>:<account>:<name>` into its parts.
pub fn parse_topic_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:sns:")?;
    let mut parts = rest.splitn(3, ':');
    let (region, account, name) = (parts.next()?, parts.next()?, parts.next()?);
    if region.is_empty() || account.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((region, account, name))
}

/// Validates a topic name as AWS does (standard topics only).
pub fn validate_topic_name(name: &str) -> Result<(), SnsError> {
    if name.ends_with(".fifo") {
        return Err(SnsError::invalid(
            "Invalid parameter: Topic Name: FIFO topics are not supported by this server",
        ));
    }
    if name.is_empty()
        || name.len() > 256
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(SnsError::invalid("Invalid parameter: Topic Name"));
    }
    Ok(())
}

pub(crate) fn default_policy(arn: &str, account: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

/// Checks a settable topic attribute; returns its canonical name.
pub(crate) fn check_attribute(name: &str, value: &str) -> Result<&'static str, SnsError> {
    match name {
        "DisplayName" => {
            if value.len() > 100 {
                return Err(SnsError::invalid(
                    "Invalid parameter: DisplayName: must be at most 100 characters",
                ));
            }
            Ok("DisplayName")
        }
        "Policy" => {
            if !value.is_empty()
                && !serde_json::from_str::<Value>(value).is_ok_and(|v| v.is_object())
            {
                return Err(SnsError::invalid(
                    "Invalid parameter: Policy: not a JSON object",
                ));
            }
            Ok("Policy")
        }
        "DeliveryPolicy" => {
            if !value.is_empty() {
                parse_topic_policy(value)?;
            }
            Ok("DeliveryPolicy")
        }
        "SignatureVersion" => {
            if value != "1" && value != "2" {
                return Err(SnsError::invalid(
                    "Invalid parameter: SignatureVersion: must be 1 or 2",
                ));
            }
            Ok("SignatureVersion")
        }
        "FifoTopic" | "ContentBasedDeduplication" if value.eq_ignore_ascii_case("true") => {
            Err(SnsError::invalid(
                "Invalid parameter: Attributes Reason: FIFO topics are not supported by this server",
            ))
        }
        "FifoTopic" | "ContentBasedDeduplication" => Ok("FifoTopic"),
        _ => Err(SnsError::invalid(format!(
            "Invalid parameter: AttributeName: {name} is not a supported attribute"
        ))),
    }
}

impl Sns {
    /// The topic an ARN names, if it is in `(account, region)`.
    pub fn topic(&self, account: &str, region: &str, arn: &str) -> Result<Topic, SnsError> {
        let (r, a, name) =
            parse_topic_arn(arn).ok_or_else(|| SnsError::invalid("Invalid parameter: TopicArn"))?;
        if a != account {
            return Err(SnsError::AuthorizationError(format!(
                "User in account {account} is not authorized to access {arn}: topics of other accounts are not shared on this server"
            )));
        }
        if r != region {
            return Err(SnsError::topic_not_found());
        }
        self.get(TOPICS, &key(account, region, name))?
            .ok_or_else(SnsError::topic_not_found)
    }

    /// CreateTopic: idempotent for the same name (and the same attributes and tags).
    pub fn create_topic(
        &self,
        account: &str,
        region: &str,
        name: &str,
        attributes: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        validate_topic_name(name)?;
        let mut attrs = BTreeMap::new();
        for (k, v) in attributes {
            let canonical = check_attribute(k, v)?;
            if canonical != "FifoTopic" {
                attrs.insert(canonical.to_owned(), v.clone());
            }
        }
        check_tags(tags)?;
        let _w = self.write.lock();
        if let Some(existing) = self.get::<Topic>(TOPICS, &key(account, region, name))? {
            let same_attrs = attrs
                .iter()
                .all(|(k, v)| existing.attributes.get(k) == Some(v));
            let same_tags = tags.iter().all(|(k, v)| existing.tags.get(k) == Some(v));
            if !same_attrs {
                return Err(SnsError::invalid(
                    "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if !same_tags {
                return Err(SnsError::invalid(
                    "Invalid parameter: Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(existing.arn);
        }
        let arn = format!("arn:aws:sns:{region}:{account}:{name}");
        let topic = Topic {
            account: account.to_owned(),
            region: region.to_owned(),
            name: name.to_owned(),
            arn: arn.clone(),
            attributes: attrs,
            tags: tags.clone(),
            subscriptions_deleted: 0,
        };
        self.put_topic(&topic)?;
        Ok(arn)
    }

    /// DeleteTopic: removes the topic and its subscriptions. A missing topic is not an error.
    pub fn delete_topic(&self, account: &str, region: &str, arn: &str) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let topic = match self.topic(account, region, arn) {
            Ok(t) => t,
            Err(SnsError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let subs = self.subscriptions_of(&topic.arn)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(TOPICS).map_err(internal)?;
            t.remove(key(account, region, &topic.name).as_str())
                .map_err(internal)?;
            let mut s = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            for sub in subs {
                s.remove(sub.arn.as_str()).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
    }

    /// ListTopics: ARNs in name order, [`PAGE_SIZE`](crate::PAGE_SIZE) per page.
    pub fn list_topics(
        &self,
        account: &str,
        region: &str,
        next_token: Option<&str>,
    ) -> Result<Page<String>, SnsError> {
        let topics: Vec<Topic> = self
            .scan::<Topic>(TOPICS, &key(account, region, ""))?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        page(
            topics.into_iter().map(|t| t.arn).collect(),
            next_token,
            |a| a.clone(),
        )
    }

    /// GetTopicAttributes: the stored attributes plus the computed ones.
    pub fn topic_attributes(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let topic = self.topic(account, region, arn)?;
        let subs = self.subscriptions_of(&topic.arn)?;
        let confirmed = subs.iter().filter(|s| s.confirmed).count();
        let mut out = BTreeMap::new();
        out.insert("TopicArn".into(), topic.arn.clone());
        out.insert("Owner".into(), topic.account.clone());
        out.insert("Policy".into(), default_policy(&topic.arn, &topic.account));
        out.insert("DisplayName".into(), String::new());
        let (policy, locked) = topic
            .attributes
            .get("DeliveryPolicy")
            .and_then(|p| parse_topic_policy(p).ok())
            .unwrap_or_default();
        out.insert(
            "EffectiveDeliveryPolicy".into(),
            topic_effective_json(&policy, locked),
        );
        out.insert("SignatureVersion".into(), "1".into());
        out.insert("SubscriptionsConfirmed".into(), confirmed.to_string());
        out.insert(
            "SubscriptionsPending".into(),
            (subs.len() - confirmed).to_string(),
        );
        out.insert(
            "SubscriptionsDeleted".into(),
            topic.subscriptions_deleted.to_string(),
        );
        for (k, v) in &topic.attributes {
            if !(k == "Policy" && v.is_empty()) {
                out.insert(k.clone(), v.clone());
            }
        }
        Ok(out)
    }

    /// SetTopicAttributes: DisplayName, Policy, DeliveryPolicy (an empty value resets them) or
    /// SignatureVersion.
    pub fn set_topic_attribute(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut topic = self.topic(account, region, arn)?;
        let canonical = check_attribute(name, value)?;
        if canonical == "FifoTopic" {
            return Err(SnsError::invalid(
                "Invalid parameter: AttributeName: FifoTopic cannot be changed",
            ));
        }
        if value.is_empty() {
            topic.attributes.remove(canonical);
        } else {
            topic
                .attributes
                .insert(canonical.to_owned(), value.to_owned());
        }
        self.put_topic(&topic)
    }

    /// The tags of a topic.
    pub fn tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        self.topic(account, region, arn)
            .map(|t| t.tags)
            .map_err(resource_not_found)
    }

    /// TagResource: adds or replaces tags (at most [`MAX_TAGS`] in all).
    pub fn tag(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), SnsError> {
        check_tags(tags)?;
        let _w = self.write.lock();
        let mut topic = self
            .topic(account, region, arn)
            .map_err(resource_not_found)?;
        topic.tags.extend(tags.clone());
        if topic.tags.len() > MAX_TAGS {
            return Err(SnsError::TagLimitExceeded(
                "Could not complete request: tag quota of per resource exceeded".into(),
            ));
        }
        self.put_topic(&topic)
    }

    /// UntagResource.
    pub fn untag(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut topic = self
            .topic(account, region, arn)
            .map_err(resource_not_found)?;
        for k in keys {
            topic.tags.remove(k);
        }
        self.put_topic(&topic)
    }
}
