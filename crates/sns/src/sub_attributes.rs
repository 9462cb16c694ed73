//! Subscription attributes: RawMessageDelivery, FilterPolicy, FilterPolicyScope and
//! DeliveryPolicy — their validation, GetSubscriptionAttributes and SetSubscriptionAttributes.

use std::collections::BTreeMap;

use crate::filter::{FilterScope, parse_policy};
use crate::policy::{RetryPolicy, effective, parse_subscription_policy};
use crate::{Sns, SnsError};

fn scope_of(attrs: &BTreeMap<String, String>) -> Result<FilterScope, SnsError> {
    attrs
        .get("FilterPolicyScope")
        .map_or(Ok(FilterScope::MessageAttributes), |s| {
            FilterScope::parse(s)
        })
}

/// Checks one attribute as SetSubscriptionAttributes takes it; an empty value removes
/// FilterPolicy or DeliveryPolicy. Returns the value to store (`None`: remove).
fn check_one(
    name: &str,
    value: &str,
    current: &BTreeMap<String, String>,
) -> Result<Option<String>, SnsError> {
    match name {
        "RawMessageDelivery" => match value.to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(Some(v.to_owned())),
            _ => Err(SnsError::invalid(format!(
                "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [{value}]. Must be true or false."
            ))),
        },
        "FilterPolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            parse_policy(value, scope_of(current)?)?;
            Ok(Some(value.to_owned()))
        }
        "FilterPolicyScope" => {
            let scope = FilterScope::parse(value)?;
            if let Some(p) = current.get("FilterPolicy") {
                parse_policy(p, scope)?;
            }
            Ok(Some(value.to_owned()))
        }
        "DeliveryPolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            parse_subscription_policy(value, &RetryPolicy::default())?;
            Ok(Some(value.to_owned()))
        }
        "RedrivePolicy" | "SubscriptionRoleArn" | "ReplayPolicy" => {
            Err(SnsError::invalid(format!(
                "Invalid parameter: Attributes Reason: {name} applies to protocols this server does not deliver to"
            )))
        }
        _ => Err(SnsError::invalid(format!(
            "Invalid parameter: AttributeName: {name} is not a valid subscription attribute"
        ))),
    }
}

/// Checks Subscribe's `Attributes`; returns them as stored.
pub(crate) fn check_subscription_attributes(
    attributes: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, SnsError> {
    let mut out = BTreeMap::new();
    // The scope first, so that the policy is checked against it.
    if let Some(scope) = attributes.get("FilterPolicyScope") {
        FilterScope::parse(scope)?;
        out.insert("FilterPolicyScope".to_owned(), scope.clone());
    }
    for (k, v) in attributes {
        if k == "FilterPolicyScope" {
            continue;
        }
        if let Some(v) = check_one(k, v, &out)? {
            out.insert(k.clone(), v);
        }
    }
    Ok(out)
}

impl Sns {
    /// GetSubscriptionAttributes.
    pub fn subscription_attributes(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let s = self.subscription(account, region, arn)?;
        let topic_policy = self
            .topic(account, region, &s.topic_arn)
            .ok()
            .and_then(|t| t.attributes.get("DeliveryPolicy").cloned());
        let policy = effective(
            topic_policy.as_deref(),
            s.attributes.get("DeliveryPolicy").map(String::as_str),
        );
        let mut out = BTreeMap::from([
            ("SubscriptionArn".to_owned(), s.arn.clone()),
            ("TopicArn".to_owned(), s.topic_arn.clone()),
            ("Owner".to_owned(), s.owner.clone()),
            ("Protocol".to_owned(), s.protocol.clone()),
            ("Endpoint".to_owned(), s.endpoint.clone()),
            ("PendingConfirmation".to_owned(), (!s.confirmed).to_string()),
            (
                "ConfirmationWasAuthenticated".to_owned(),
                s.confirmation_authenticated.to_string(),
            ),
            ("RawMessageDelivery".to_owned(), "false".to_owned()),
            (
                "EffectiveDeliveryPolicy".to_owned(),
                policy.effective_json(),
            ),
        ]);
        for (k, v) in &s.attributes {
            out.insert(k.clone(), v.clone());
        }
        if s.attributes.contains_key("FilterPolicy")
            && !s.attributes.contains_key("FilterPolicyScope")
        {
            out.insert("FilterPolicyScope".into(), "MessageAttributes".into());
        }
        Ok(out)
    }

    /// SetSubscriptionAttributes.
    pub fn set_subscription_attribute(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut sub = self.subscription(account, region, arn)?;
        match check_one(name, value, &sub.attributes)? {
            Some(v) => {
                sub.attributes.insert(name.to_owned(), v);
            }
            None => {
                sub.attributes.remove(name);
            }
        }
        self.put_subscription(&sub)
    }
}
