//! EventBridge targets that are SNS topics: a [`TargetSink`] that publishes each delivery's input
//! (the event JSON, or what the target's Input/InputPath/InputTransformer made of it) as the
//! message of a topic of the rule's account, through `Sns::publish`. A publish is durable in the
//! SNS queue before the delivery counts as done; a refusal (missing topic, another account's
//! topic, a message over SNS's size limit) fails the delivery, which the events domain retries
//! per the target's RetryPolicy and then dead-letters.

use std::sync::Arc;

use openwatch_events::{DeliveryRequest, TargetSink};
use openwatch_sns::{PublishRequest, Sns, parse_topic_arn};

/// Publishes EventBridge deliveries to SNS topics.
pub struct SnsTopicTarget {
    pub sns: Arc<Sns>,
}

impl TargetSink for SnsTopicTarget {
    fn accepts(&self, arn: &str) -> bool {
        parse_topic_arn(arn).is_some()
    }

    fn deliver(&self, request: &DeliveryRequest<'_>) -> Result<(), String> {
        let (region, account, _) = parse_topic_arn(request.target_arn)
            .ok_or_else(|| format!("not a topic ARN: {}", request.target_arn))?;
        if account != request.account {
            return Err(format!(
                "topic {} belongs to another account than rule {}",
                request.target_arn, request.rule_arn
            ));
        }
        let message = PublishRequest {
            message: request.payload.to_owned(),
            ..PublishRequest::default()
        };
        self.sns
            .publish(account, region, request.target_arn, &message)
            .map(|_message_id| ())
            .map_err(|e| format!("publish to {} failed: {e}", request.target_arn))
    }
}
