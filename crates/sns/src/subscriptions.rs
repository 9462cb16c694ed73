//! Subscriptions: Subscribe, ConfirmSubscription, Unsubscribe, their attributes and lists.

use std::collections::BTreeMap;

use serde_json::json;

use crate::delivery::delivery;
use crate::error::internal;
use crate::publish::iso_millis;
use crate::store::{SUBSCRIPTIONS, page};
use crate::{Page, Sns, SnsError, Subscription, http, parse_topic_arn};

pub(crate) const EFFECTIVE_SUBSCRIPTION_DELIVERY_POLICY: &str = r#"{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}"#;

pub(crate) fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Sns {
    pub(crate) fn subscriptions_of(&self, topic_arn: &str) -> Result<Vec<Subscription>, SnsError> {
        Ok(self
            .scan::<Subscription>(SUBSCRIPTIONS, &format!("{topic_arn}:"))?
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.topic_arn == topic_arn)
            .collect())
    }

    /// Subscribe: an `http` endpoint gets a pending subscription and a SubscriptionConfirmation
    /// POST. Subscribing the same endpoint again returns the existing subscription.
    pub fn subscribe(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Subscription, SnsError> {
        match protocol {
            "http" => {}
            "https" => {
                return Err(SnsError::invalid(
                    "Invalid parameter: Protocol Reason: https is not supported: this server has no TLS client; use http",
                ));
            }
            _ => {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: Protocol Reason: {protocol} is not supported by this server; use http"
                )));
            }
        }
        if http::HttpUrl::parse(endpoint).is_none() {
            return Err(SnsError::invalid(
                "Invalid parameter: Endpoint must be an http:// URL",
            ));
        }
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        if let Some(existing) = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.protocol == protocol && s.endpoint == endpoint)
        {
            return Ok(existing);
        }
        let sub = Subscription {
            arn: format!("{}:{}", topic.arn, uuid::Uuid::new_v4()),
            topic_arn: topic.arn.clone(),
            owner: account.to_owned(),
            protocol: protocol.to_owned(),
            endpoint: endpoint.to_owned(),
            token: token(),
            confirmed: false,
        };
        self.put_subscription(&sub)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "Type": "SubscriptionConfirmation",
            "MessageId": message_id,
            "Token": sub.token,
            "TopicArn": topic.arn,
            "Message": format!(
                "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, call ConfirmSubscription with this TopicArn and Token.",
                topic.arn
            ),
            "Timestamp": iso_millis(self.clock.now_millis()),
        });
        self.enqueue(vec![delivery(
            &sub,
            "SubscriptionConfirmation",
            &message_id,
            body.to_string(),
        )])?;
        Ok(sub)
    }

    /// ConfirmSubscription: the token sent to the endpoint confirms its subscription.
    pub fn confirm_subscription(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<String, SnsError> {
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        let mut sub = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.token == token)
            .ok_or_else(|| SnsError::invalid("Invalid token"))?;
        if !sub.confirmed {
            sub.confirmed = true;
            self.put_subscription(&sub)?;
        }
        Ok(sub.arn)
    }

    /// The subscription an ARN names, if its topic is in `(account, region)`.
    pub fn subscription(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Subscription, SnsError> {
        self.get::<Subscription>(SUBSCRIPTIONS, arn)?
            .filter(|s| {
                parse_topic_arn(&s.topic_arn).is_some_and(|(r, a, _)| r == region && a == account)
            })
            .ok_or_else(|| SnsError::NotFound("Subscription does not exist".into()))
    }

    /// GetSubscriptionAttributes.
    pub fn subscription_attributes(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let s = self.subscription(account, region, arn)?;
        Ok(BTreeMap::from([
            ("SubscriptionArn".to_owned(), s.arn.clone()),
            ("TopicArn".to_owned(), s.topic_arn.clone()),
            ("Owner".to_owned(), s.owner.clone()),
            ("Protocol".to_owned(), s.protocol.clone()),
            ("Endpoint".to_owned(), s.endpoint.clone()),
            ("PendingConfirmation".to_owned(), (!s.confirmed).to_string()),
            (
                "ConfirmationWasAuthenticated".to_owned(),
                "false".to_owned(),
            ),
            ("RawMessageDelivery".to_owned(), "false".to_owned()),
            (
                "EffectiveDeliveryPolicy".to_owned(),
                EFFECTIVE_SUBSCRIPTION_DELIVERY_POLICY.to_owned(),
            ),
        ]))
    }

    /// Unsubscribe.
    pub fn unsubscribe(&self, account: &str, region: &str, arn: &str) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let sub = self.subscription(account, region, arn)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut s = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            s.remove(sub.arn.as_str()).map_err(internal)?;
        }
        tx.commit().map_err(internal)?;
        if let Ok(mut topic) = self.topic(account, region, &sub.topic_arn) {
            topic.subscriptions_deleted += 1;
            self.put_topic(&topic)?;
        }
        Ok(())
    }

    /// ListSubscriptions of `(account, region)`, or of one topic.
    pub fn list_subscriptions(
        &self,
        account: &str,
        region: &str,
        topic_arn: Option<&str>,
        next_token: Option<&str>,
    ) -> Result<Page<Subscription>, SnsError> {
        let subs: Vec<Subscription> = match topic_arn {
            Some(arn) => {
                let topic = self.topic(account, region, arn)?;
                self.subscriptions_of(&topic.arn)?
            }
            None => self
                .scan::<Subscription>(SUBSCRIPTIONS, &format!("arn:aws:sns:{region}:{account}:"))?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
        };
        page(subs, next_token, |s| s.arn.clone())
    }
}
