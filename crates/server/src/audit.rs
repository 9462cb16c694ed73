//! The pipeline's audit events become CloudTrail records in the trail and, through
//! [`crate::links::ApiCallsToBus`], "AWS API Call via CloudTrail" events on the default bus.

use std::sync::Arc;

use openwatch_trail::{CloudTrailRecord, RecordInput, Resource, Trail, UserIdentity, strip_bulk};
use openwatch_wire::{AuditEvent, AuditSink};

use crate::links::ApiCallsToBus;

/// Hands every audited call to the trail's writer queue and to the API-call link's queue; neither
/// waits on storage.
pub struct TrailSink {
    pub trail: Arc<Trail>,
    pub bus: Option<Arc<ApiCallsToBus>>,
}

impl AuditSink for TrailSink {
    fn record(&self, e: AuditEvent) {
        // One record, one eventID: the trail and the bus event carry the same id.
        let record = CloudTrailRecord::new(record_input(e));
        if let Some(bus) = &self.bus {
            bus.offer(&record);
        }
        if !self.trail.record_event(record) {
            tracing::warn!("audit record dropped: the trail queue is full or closed");
        }
    }
}

/// The trail's record input for one audited call.
pub(crate) fn record_input(e: AuditEvent) -> RecordInput {
    let mut request_parameters = e.request_parameters;
    if let Some(params) = request_parameters.as_mut() {
        strip_bulk(&e.operation, params);
    }
    let account = e.caller.account.as_str().to_owned();
    RecordInput {
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
    #![allow(clippy::unwrap_used)]

    use super::*;
    use openwatch_storage::{Catalog, Clock, SimClock};
    use openwatch_types::AccountId;
    use openwatch_wire::{Caller, Service};

    #[test]
    fn trail_sink_feeds_the_trail_and_the_default_bus() {
        let dir = tempfile::tempdir().unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SimClock::new(1_764_399_960_000));
        let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
        let events = Arc::new(
            openwatch_events::Events::open(catalog, &dir.path().join("events"), clock.clone())
                .unwrap(),
        );
        let trail = Arc::new(
            Trail::open(
                &dir.path().join("trail"),
                clock.clone(),
                openwatch_trail::TrailOptions::default(),
            )
            .unwrap(),
        );
        let rule = openwatch_events::PutRuleInput {
            name: "all-iam".into(),
            event_pattern: Some(r#"{"source":["aws.iam"]}"#.into()),
            ..Default::default()
        };
        events.put_rule("111122223333", "eu-west-1", rule).unwrap();
        let target = openwatch_events::Target {
            id: "t".into(),
            arn: "arn:aws:events:eu-west-1:111122223333:event-bus/other".into(),
            role_arn: None,
            input: None,
            input_path: None,
            input_transformer: None,
            retry_policy: None,
            dead_letter_arn: None,
        };
        let failed = events
            .put_targets("111122223333", "eu-west-1", None, "all-iam", vec![target])
            .unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        let bus = Arc::new(crate::links::ApiCallsToBus::new(Arc::clone(&events)));
        let sink = TrailSink {
            trail: Arc::clone(&trail),
            bus: Some(Arc::clone(&bus)),
        };
        let caller = Caller::new(
            "AKIAEXAMPLE".into(),
            "secret".into(),
            AccountId::parse("111122223333").unwrap(),
            "IAMUser",
            "AIDAEXAMPLE".into(),
            "arn:aws:iam::111122223333:user/ops".into(),
            Some("ops".into()),
            Arc::new(()),
        );
        sink.record(AuditEvent {
            time_millis: clock.now_millis(),
            service: Service::Iam,
            operation: "DeleteUser".into(),
            region: "eu-west-1".into(),
            source_ip: std::net::IpAddr::from([127, 0, 0, 1]),
            user_agent: "test".into(),
            caller: Arc::new(caller),
            request_parameters: Some(serde_json::json!({"userName": "bob"})),
            response_elements: None,
            error_code: None,
            error_message: None,
            request_id: "r-1".into(),
            read_only: false,
            resources: vec![],
        });
        bus.drain();
        trail.flush().unwrap();
        assert_eq!(trail.stats().recorded, 1);
        let pending = events.pending_deliveries();
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert!(pending[0].payload.contains(r#""eventName":"DeleteUser""#));
        // The bus event carries the stored record's eventID.
        let page = trail
            .lookup_events("111122223333", "eu-west-1", &Default::default())
            .unwrap();
        let event_id = &page.events[0].event_id;
        assert!(
            pending[0]
                .payload
                .contains(&format!(r#""eventID":"{event_id}""#)),
            "{}",
            pending[0].payload
        );
    }

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
