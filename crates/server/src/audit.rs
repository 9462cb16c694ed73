//! The pipeline's audit events become CloudTrail records in the trail.

use std::sync::Arc;

use openwatch_trail::{RecordInput, Resource, Trail, UserIdentity, strip_bulk};
use openwatch_wire::{AuditEvent, AuditSink};

/// Hands every audited call to the trail's writer queue.
pub struct TrailSink {
    pub trail: Arc<Trail>,
}

impl AuditSink for TrailSink {
    fn record(&self, e: AuditEvent) {
        let mut request_parameters = e.request_parameters;
        if let Some(params) = request_parameters.as_mut() {
            strip_bulk(&e.operation, params);
        }
        let account = e.caller.account.as_str().to_owned();
        let input = RecordInput {
            event_time_millis: e.time_millis,
            event_source: e.service.event_source().to_owned(),
            event_name: e.operation,
            aws_region: e.region,
            source_ip: e.source_ip.to_string(),
            user_agent: e.user_agent,
            identity: UserIdentity {
                type_: e.caller.identity_type.to_owned(),
                principal_id: e.caller.principal_id.clone(),
                arn: e.caller.arn.clone(),
                account_id: account.clone(),
                access_key_id: e.caller.access_key_id.clone(),
                user_name: e.caller.user_name.clone(),
                session_context: None,
            },
            request_parameters,
            response_elements: e.response_elements,
            error_code: e.error_code,
            error_message: e.error_message,
            request_id: e.request_id,
            read_only: e.read_only,
            resources: e
                .resources
                .into_iter()
                .map(|arn| Resource {
                    type_: resource_type(&arn).to_owned(),
                    account_id: account.clone(),
                    arn,
                })
                .collect(),
            recipient_account_id: account,
            api_version: Some(e.service.api_version().to_owned()),
            tls_details: None,
        };
        if !self.trail.record(input) {
            tracing::warn!("audit record dropped: the trail queue is full or closed");
        }
    }
}

/// The CloudFormation-style type CloudTrail gives a resource, from its ARN.
fn resource_type(arn: &str) -> &'static str {
    let mut parts = arn.splitn(6, ':');
    let service = parts.nth(2).unwrap_or("");
    let resource = parts.nth(2).unwrap_or("");
    let kind = resource.split(['/', ':']).next().unwrap_or("");
    match (service, kind) {
        ("iam", "user") => "AWS::IAM::User",
        ("iam", "role") => "AWS::IAM::Role",
        ("iam", "policy") => "AWS::IAM::Policy",
        ("logs", "log-group") => "AWS::Logs::LogGroup",
        ("cloudwatch", "alarm") => "AWS::CloudWatch::Alarm",
        ("cloudwatch", "dashboard") => "AWS::CloudWatch::Dashboard",
        ("events", "rule") => "AWS::Events::Rule",
        ("events", "event-bus") => "AWS::Events::EventBus",
        ("sns", _) => "AWS::SNS::Topic",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::resource_type;

    #[test]
    fn resource_types_follow_the_arn() {
        assert_eq!(
            resource_type("arn:aws:iam::123456789012:user/bob"),
            "AWS::IAM::User"
        );
        assert_eq!(
            resource_type("arn:aws:logs:us-east-1:123456789012:log-group:app"),
            "AWS::Logs::LogGroup"
        );
        assert_eq!(
            resource_type("arn:aws:sns:us-east-1:123456789012:alerts"),
            "AWS::SNS::Topic"
        );
        assert_eq!(resource_type("*"), "");
    }
}
