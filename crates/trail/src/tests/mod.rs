//! Tests of the trail: record JSON, lookups, pagination, retention, persistence and crashes.

mod durability;
mod golden;
mod lookups;
mod perf;
mod validation;

use std::sync::Arc;

use openwatch_storage::SimClock;
use serde_json::json;

use crate::{RecordInput, Resource, Trail, TrailOptions, UserIdentity};

/// 2026-11-28T12:00:00Z.
pub(crate) const T0: i64 = 1_795_867_200_000;
pub(crate) const ACCOUNT: &str = "111122223333";
pub(crate) const REGION: &str = "us-east-1";

pub(crate) fn iam_user(name: &str, key: &str) -> UserIdentity {
    UserIdentity {
        type_: "IAMUser".into(),
        principal_id: format!("AIDA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        account_id: ACCOUNT.into(),
        access_key_id: key.into(),
        user_name: Some(name.into()),
        session_context: None,
    }
}

pub(crate) fn root(key: &str) -> UserIdentity {
    UserIdentity {
        type_: "Root".into(),
        principal_id: ACCOUNT.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
        account_id: ACCOUNT.into(),
        access_key_id: key.into(),
        user_name: None,
        session_context: None,
    }
}

/// A CloudWatch Logs call by alice at `time`.
pub(crate) fn input(time: i64, name: &str) -> RecordInput {
    RecordInput {
        event_time_millis: time,
        event_source: "logs.amazonaws.com".into(),
        event_name: name.into(),
        aws_region: REGION.into(),
        source_ip: "192.0.2.10".into(),
        user_agent: "aws-cli/2.15.0".into(),
        identity: iam_user("alice", "AKIAALICE"),
        request_parameters: Some(json!({"logGroupName": "app"})),
        response_elements: None,
        error_code: None,
        error_message: None,
        request_id: format!("req-{time}"),
        read_only: name.starts_with("Describe") || name.starts_with("Get"),
        resources: vec![Resource {
            arn: format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"),
            account_id: ACCOUNT.into(),
            type_: "AWS::Logs::LogGroup".into(),
        }],
        recipient_account_id: ACCOUNT.into(),
        api_version: None,
        tls_details: None,
    }
}

/// A trail over an in-memory log with a simulated clock at `T0 + 1 h`.
pub(crate) fn memory_trail() -> (Trail, Arc<SimClock>) {
    let clock = Arc::new(SimClock::new(T0 + 3_600_000));
    let trail = Trail::with_log(
        Arc::new(crate::MemoryLog::new()),
        clock.clone(),
        TrailOptions::default(),
    )
    .expect("open memory trail");
    (trail, clock)
}
