//! Subscriptions: Subscribe (with the SubscriptionConfirmation handshake), ConfirmSubscription,
//! Unsubscribe (with its UnsubscribeConfirmation) and the lists.

use std::collections::BTreeMap;

use crate::delivery::delivery;
use crate::error::internal;
use crate::policy::effective;
use crate::store::{SUBSCRIPTIONS, UNSUBSCRIBED, page};
use crate::sub_attributes::check_subscription_attributes;
use crate::{Page, Sns, SnsError, Subscription, Topic, http, parse_topic_arn};

/// How long a confirmation token is accepted (AWS: three days).
pub const TOKEN_LIFETIME_MS: i64 = 3 * 86_400_000;

pub(crate) fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn invalid_token() -> SnsError {
    SnsError::invalid("Invalid token")
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

    /// Queues a signed SubscriptionConfirmation or UnsubscribeConfirmation to `sub`.
    fn send_confirmation(
        &self,
        topic: &Topic,
        sub: &Subscription,
        kind: &str,
        token: &str,
    ) -> Result<(), SnsError> {
        let message_id = uuid::Uuid::new_v4().to_string();
        let body = self.confirmation_body(topic, kind, &message_id, token, &sub.arn)?;
        let policy = effective(
            topic.attributes.get("DeliveryPolicy").map(String::as_str),
            sub.attributes.get("DeliveryPolicy").map(String::as_str),
        );
        let mut d = delivery(sub, kind, &message_id, body, policy, false);
        d.after_unsubscribe = kind == "UnsubscribeConfirmation";
        self.enqueue(vec![d])
    }

    /// Subscribe without attributes (see [`Sns::subscribe_with_attributes`]).
    pub fn subscribe(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Subscription, SnsError> {
        self.subscribe_with_attributes(
            account,
            region,
            topic_arn,
            protocol,
            endpoint,
            &BTreeMap::new(),
        )
    }

    /// Subscribe: an `http` or `https` endpoint gets a pending subscription and a signed
    /// SubscriptionConfirmation whose SubscribeURL (or ConfirmSubscription with its token)
    /// confirms it. Subscribing the same endpoint again returns the existing subscription (and
    /// sends a pending one a new confirmation).
    pub fn subscribe_with_attributes(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<Subscription, SnsError> {
        let url = match protocol {
            "http" => http::HttpUrl::parse(endpoint),
            "https" => http::HttpUrl::parse_https(endpoint),
            _ => {
                return Err(SnsError::invalid(format!(
                    "Invalid parameter: Protocol Reason: {protocol} is not supported by this server; use http or https"
                )));
            }
        };
        if url.is_none() {
            return Err(SnsError::invalid(format!(
                "Invalid parameter: Endpoint Reason: must be an {protocol}:// URL"
            )));
        }
        let attributes = check_subscription_attributes(attributes)?;
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        let now = self.clock.now_millis();
        if let Some(mut existing) = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.protocol == protocol && s.endpoint == endpoint)
        {
            if attributes
                .iter()
                .any(|(k, v)| existing.attributes.get(k) != Some(v))
            {
                return Err(SnsError::invalid(
                    "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
                ));
            }
            if !existing.confirmed {
                existing.token_expires_ms = now + TOKEN_LIFETIME_MS;
                self.put_subscription(&existing)?;
                self.send_confirmation(
                    &topic,
                    &existing,
                    "SubscriptionConfirmation",
                    &existing.token,
                )?;
            }
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
            token_expires_ms: now + TOKEN_LIFETIME_MS,
            confirmation_authenticated: false,
            authenticate_on_unsubscribe: false,
            attributes,
        };
        self.put_subscription(&sub)?;
        self.send_confirmation(&topic, &sub, "SubscriptionConfirmation", &sub.token)?;
        Ok(sub)
    }

    /// ConfirmSubscription by an authenticated caller, without AuthenticateOnUnsubscribe.
    pub fn confirm_subscription(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<String, SnsError> {
        self.confirm_subscription_as(account, region, topic_arn, token, true, false)
    }

    /// ConfirmSubscription: a token sent to the endpoint (in a SubscriptionConfirmation, or in
    /// the UnsubscribeConfirmation of a removed subscription, which it restores) confirms the
    /// subscription while it is at most three days old. `authenticated` is whether the call
    /// was signed; only then is `authenticate_on_unsubscribe` honoured.
    pub fn confirm_subscription_as(
        &self,
        account: &str,
        region: &str,
        topic_arn: &str,
        token: &str,
        authenticated: bool,
        authenticate_on_unsubscribe: bool,
    ) -> Result<String, SnsError> {
        let _w = self.write.lock();
        let topic = self.topic(account, region, topic_arn)?;
        let now = self.clock.now_millis();
        let found = self
            .subscriptions_of(&topic.arn)?
            .into_iter()
            .find(|s| s.token == token);
        let (mut sub, restored) = match found {
            Some(s) => (s, false),
            None => match self.get::<Subscription>(UNSUBSCRIBED, token)? {
                Some(s) if s.topic_arn == topic.arn => (s, true),
                _ => return Err(invalid_token()),
            },
        };
        if sub.confirmed && !restored {
            return Ok(sub.arn);
        }
        if now > sub.token_expires_ms {
            return Err(invalid_token());
        }
        sub.confirmed = true;
        sub.confirmation_authenticated = authenticated;
        sub.authenticate_on_unsubscribe = authenticated && authenticate_on_unsubscribe;
        let bytes = serde_json::to_vec(&sub).map_err(internal)?;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut t = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            t.insert(sub.arn.as_str(), bytes.as_slice())
                .map_err(internal)?;
            if restored {
                let mut u = tx.open_table(UNSUBSCRIBED).map_err(internal)?;
                u.remove(token).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)?;
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

    /// Unsubscribe by an authenticated caller.
    pub fn unsubscribe(&self, account: &str, region: &str, arn: &str) -> Result<(), SnsError> {
        self.unsubscribe_as(account, region, arn, true)
    }

    /// Unsubscribe. An unauthenticated call (the UnsubscribeURL) is refused for subscriptions
    /// confirmed with `AuthenticateOnUnsubscribe`. A confirmed endpoint gets a signed
    /// UnsubscribeConfirmation whose SubscribeURL restores the subscription for three days.
    pub fn unsubscribe_as(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        authenticated: bool,
    ) -> Result<(), SnsError> {
        let _w = self.write.lock();
        let mut sub = self.subscription(account, region, arn)?;
        if !authenticated && sub.authenticate_on_unsubscribe {
            return Err(SnsError::AuthorizationError(
                "This subscription was confirmed with AuthenticateOnUnsubscribe: Unsubscribe needs an authenticated request".into(),
            ));
        }
        let topic = self.topic(account, region, &sub.topic_arn).ok();
        let goodbye = sub.confirmed && topic.is_some();
        let restore_token = token();
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut s = tx.open_table(SUBSCRIPTIONS).map_err(internal)?;
            s.remove(sub.arn.as_str()).map_err(internal)?;
            if goodbye {
                sub.token_expires_ms = self.clock.now_millis() + TOKEN_LIFETIME_MS;
                let bytes = serde_json::to_vec(&sub).map_err(internal)?;
                let mut u = tx.open_table(UNSUBSCRIBED).map_err(internal)?;
                u.insert(restore_token.as_str(), bytes.as_slice())
                    .map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)?;
        if let Some(mut topic) = topic {
            topic.subscriptions_deleted += 1;
            self.put_topic(&topic)?;
            if goodbye {
                self.send_confirmation(&topic, &sub, "UnsubscribeConfirmation", &restore_token)?;
            }
        }
        Ok(())
    }

    /// Forgets removed subscriptions whose restore token has expired.
    pub(crate) fn purge_unsubscribed(&self) -> Result<(), SnsError> {
        let now = self.clock.now_millis();
        let expired: Vec<String> = self
            .scan::<Subscription>(UNSUBSCRIBED, "")?
            .into_iter()
            .filter(|(_, s)| s.token_expires_ms < now)
            .map(|(k, _)| k)
            .collect();
        if expired.is_empty() {
            return Ok(());
        }
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        {
            let mut u = tx.open_table(UNSUBSCRIBED).map_err(internal)?;
            for k in &expired {
                u.remove(k.as_str()).map_err(internal)?;
            }
        }
        tx.commit().map_err(internal)
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
