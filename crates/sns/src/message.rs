//! The JSON documents SNS POSTs (Notification, SubscriptionConfirmation,
//! UnsubscribeConfirmation), signed, and the URLs they carry.

use serde_json::{Map, Value};

use crate::signing::string_to_sign;
use crate::{Sns, SnsError, Topic};

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Sns {
    /// The path the signing certificate is served at (unauthenticated GET).
    pub fn signing_cert_path(&self) -> String {
        format!("/sns/{}", self.signer.cert_file_name())
    }

    /// The signing certificate (PEM), as served at [`Sns::signing_cert_path`].
    pub fn signing_cert_pem(&self) -> String {
        self.signer.cert_pem()
    }

    pub(crate) fn signing_cert_url(&self) -> String {
        format!("{}{}", self.public_url, self.signing_cert_path())
    }

    pub(crate) fn subscribe_url(&self, topic_arn: &str, token: &str) -> String {
        format!(
            "{}/?Action=ConfirmSubscription&TopicArn={}&Token={}",
            self.public_url,
            encode(topic_arn),
            encode(token)
        )
    }

    pub(crate) fn unsubscribe_url(&self, subscription_arn: &str) -> String {
        format!(
            "{}/?Action=Unsubscribe&SubscriptionArn={}",
            self.public_url,
            encode(subscription_arn)
        )
    }

    /// Adds `SignatureVersion`, `Signature` and `SigningCertURL` (the topic's
    /// `SignatureVersion`, 1 unless set to 2) and serializes the document.
    pub(crate) fn sign_body(
        &self,
        topic: &Topic,
        mut body: Map<String, Value>,
    ) -> Result<String, SnsError> {
        let version: u8 = match topic.attributes.get("SignatureVersion").map(String::as_str) {
            Some("2") => 2,
            _ => 1,
        };
        let text = string_to_sign(&body)
            .ok_or_else(|| SnsError::Internal("unsigned message type".into()))?;
        body.insert("SignatureVersion".into(), version.to_string().into());
        body.insert("Signature".into(), self.signer.sign(version, &text)?.into());
        body.insert("SigningCertURL".into(), self.signing_cert_url().into());
        Ok(Value::Object(body).to_string())
    }

    /// A signed SubscriptionConfirmation or UnsubscribeConfirmation.
    pub(crate) fn confirmation_body(
        &self,
        topic: &Topic,
        kind: &str,
        message_id: &str,
        token: &str,
        subscription_arn: &str,
    ) -> Result<String, SnsError> {
        let message = if kind == "SubscriptionConfirmation" {
            format!(
                "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
                topic.arn
            )
        } else {
            format!(
                "You have chosen to deactivate subscription {subscription_arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
            )
        };
        let mut body = Map::new();
        body.insert("Type".into(), kind.into());
        body.insert("MessageId".into(), message_id.into());
        body.insert("Token".into(), token.into());
        body.insert("TopicArn".into(), topic.arn.clone().into());
        body.insert("Message".into(), message.into());
        body.insert(
            "SubscribeURL".into(),
            self.subscribe_url(&topic.arn, token).into(),
        );
        body.insert(
            "Timestamp".into(),
            crate::publish::iso_millis(self.clock.now_millis()).into(),
        );
        self.sign_body(topic, body)
    }
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn percent_encoding() {
        assert_eq!(
            encode("arn:aws:sns:us-east-1:1:t"),
            "arn%3Aaws%3Asns%3Aus-east-1%3A1%3At"
        );
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
