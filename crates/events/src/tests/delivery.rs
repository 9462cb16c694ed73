//! PutEvents routing, delivery with retries and dead-lettering, crash recovery, internal events
//! and cross-account policies.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::*;

#[tokio::test]
async fn put_events_routes_through_rule_sets_and_buses() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, sink, ..
    } = env(dir.path());
    e.create_event_bus(A, R, "orders", None, vec![]).unwrap();
    // default bus --(rule "fwd")--> orders bus --(rule "log")--> log group sink.
    e.put_rule(
        A,
        R,
        rule(
            "fwd",
            r#"{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}"#,
        ),
    )
    .unwrap();
    e.put_targets(
        A,
        R,
        None,
        "fwd",
        vec![target(
            "bus",
            "arn:aws:events:us-east-1:123456789012:event-bus/orders",
        )],
    )
    .unwrap();
    e.put_rule(
        A,
        R,
        PutRuleInput {
            event_bus_name: Some("orders".into()),
            ..rule("log", r#"{"detail-type":["Order Placed"]}"#)
        },
    )
    .unwrap();
    let mut t = target("lg", LOG_ARN);
    t.input_transformer = Some(InputTransformer {
        input_paths_map: vec![
            ("total".into(), "$.detail.total".into()),
            ("src".into(), "$.source".into()),
        ],
        input_template:
            r#"{"t": <total>, "msg": "<src> sold <total>", "rule": "<aws.events.rule-name>"}"#
                .into(),
    });
    e.put_targets(A, R, Some("orders"), "log", vec![t]).unwrap();
    let results = e
        .put_events(
            A,
            R,
            &[
                entry("shop", json!({"total": 150})),
                entry("shop", json!({"total": 5})),
                EventEntry {
                    detail: Some("[]".into()),
                    ..entry("shop", json!({}))
                },
            ],
        )
        .await
        .unwrap();
    assert!(matches!(&results[0], EntryResult::Accepted { event_id } if event_id.len() == 36));
    assert!(matches!(&results[1], EntryResult::Accepted { .. }));
    assert!(matches!(&results[2], EntryResult::Failed { code, .. } if code == "MalformedDetail"));
    assert_eq!(
        e.pending_deliveries().len(),
        1,
        "only the big order matched"
    );
    let r1 = e.run_deliveries().unwrap();
    assert_eq!(r1.delivered, 1);
    assert_eq!(
        e.pending_deliveries().len(),
        1,
        "forwarded onto the orders bus"
    );
    let r2 = e.run_deliveries().unwrap();
    assert_eq!(r2.delivered, 1);
    let got = sink.got.lock().clone();
    assert_eq!(got.len(), 1);
    let payload: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(
        payload,
        json!({"t": 150, "msg": "shop sold 150", "rule": "log"})
    );
    // Disabled rules do not match.
    e.set_rule_enabled(A, R, None, "fwd", false).unwrap();
    e.put_events(A, R, &[entry("shop", json!({"total": 150}))])
        .await
        .unwrap();
    assert!(e.pending_deliveries().is_empty());
    // Request-level limits.
    let eleven: Vec<EventEntry> = (0..11).map(|_| entry("shop", json!({}))).collect();
    assert_eq!(
        e.put_events(A, R, &eleven).await.unwrap_err().code(),
        "ValidationException"
    );
    let huge = entry(
        "shop",
        json!({"x": "y".repeat(limits::MAX_PUT_EVENTS_BYTES)}),
    );
    assert_eq!(
        e.put_events(A, R, &[huge]).await.unwrap_err().to_string(),
        "Total size of the entries in the request is over the limit."
    );
    let missing_bus = EventEntry {
        event_bus_name: Some("nope".into()),
        ..entry("shop", json!({}))
    };
    let res = e.put_events(A, R, &[missing_bus]).await.unwrap();
    assert!(
        matches!(&res[0], EntryResult::Failed { code, message } if code == "ResourceNotFoundException" && message == "Event bus nope does not exist.")
    );
}

#[tokio::test]
async fn retries_back_off_then_dead_letter() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e,
        clock,
        sink,
    } = env(dir.path());
    sink.fail.store(true, Ordering::SeqCst);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    let mut t = target("lg", LOG_ARN);
    t.retry_policy = Some(RetryPolicy {
        maximum_retry_attempts: Some(2),
        maximum_event_age_in_seconds: None,
    });
    t.dead_letter_arn = Some("arn:aws:sqs:us-east-1:123456789012:dlq".into());
    e.put_targets(A, R, None, "r", vec![t]).unwrap();
    e.put_events(A, R, &[entry("shop", json!({"a": 1}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    // Not due again until the backoff has passed.
    assert_eq!(e.run_deliveries().unwrap(), DeliveryReport::default());
    clock.advance(Duration::from_millis(crate::delivery::backoff_ms(1) as u64));
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_millis(crate::delivery::backoff_ms(2) as u64));
    assert_eq!(e.run_deliveries().unwrap().dropped, 1);
    assert!(e.pending_deliveries().is_empty());
    let dead = e.dead_letters();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].dead_lettered);
    assert!(
        dead[0]
            .reason
            .contains("MaximumRetryAttempts (2) exhausted"),
        "{}",
        dead[0].reason
    );
    assert_eq!(
        sink.got.lock()[0].0,
        "arn:aws:sqs:us-east-1:123456789012:dlq"
    );
}

#[tokio::test]
async fn event_age_limit_drops() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e,
        clock,
        sink,
    } = env(dir.path());
    sink.fail.store(true, Ordering::SeqCst);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    let mut t = target("lg", LOG_ARN);
    t.retry_policy = Some(RetryPolicy {
        maximum_retry_attempts: None,
        maximum_event_age_in_seconds: Some(60),
    });
    e.put_targets(A, R, None, "r", vec![t]).unwrap();
    e.put_events(A, R, &[entry("shop", json!({}))])
        .await
        .unwrap();
    e.run_deliveries().unwrap();
    clock.advance(Duration::from_secs(61));
    assert_eq!(e.run_deliveries().unwrap().dropped, 1);
    assert!(!e.dead_letters()[0].dead_lettered);
    assert!(
        e.dead_letters()[0]
            .reason
            .contains("MaximumEventAgeInSeconds")
    );
}

#[tokio::test]
async fn queue_and_rules_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(START));
    {
        let Env { events: e, .. } = open(dir.path(), clock.clone());
        e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
            .unwrap();
        e.put_targets(A, R, None, "r", vec![target("lg", LOG_ARN)])
            .unwrap();
        e.put_events(
            A,
            R,
            &[
                entry("shop", json!({"n": 1})),
                entry("shop", json!({"n": 2})),
            ],
        )
        .await
        .unwrap();
        // Dropped without close: what PutEvents acknowledged is already in the log.
    }
    let Env {
        events: e, sink, ..
    } = open(dir.path(), clock.clone());
    assert_eq!(e.pending_deliveries().len(), 2);
    assert_eq!(e.describe_rule(A, R, None, "r").unwrap().targets.len(), 1);
    assert_eq!(e.run_deliveries().unwrap().delivered, 2);
    assert_eq!(sink.got.lock().len(), 2);
    // Delivered ones stay delivered after another reopen; compaction keeps only live state.
    e.put_events(A, R, &[entry("shop", json!({"n": 3}))])
        .await
        .unwrap();
    assert!(e.queue.compact(true).unwrap());
    drop(e);
    let Env { events: e, .. } = open(dir.path(), clock);
    let pending = e.pending_deliveries();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].payload.contains("\"n\":3"));
    // The rule set was rebuilt from the catalog: matching still works.
    e.put_events(A, R, &[entry("shop", json!({"n": 4}))])
        .await
        .unwrap();
    assert_eq!(e.pending_deliveries().len(), 2);
}

#[test]
fn internal_events_enter_the_default_bus() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, sink, ..
    } = env(dir.path());
    e.put_rule(
        A,
        R,
        rule(
            "alarms",
            r#"{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"]}"#,
        ),
    )
    .unwrap();
    let mut t = target("lg", LOG_ARN);
    t.input_path = Some("$.detail.state".into());
    e.put_targets(A, R, None, "alarms", vec![t]).unwrap();
    e.put_internal(
        A,
        R,
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        json!({"state": {"value": "ALARM"}}),
        &[],
    )
    .unwrap();
    e.run_deliveries().unwrap();
    assert_eq!(sink.got.lock()[0].1, r#"{"value":"ALARM"}"#);
}

const B: &str = "210987654321";

#[tokio::test]
async fn cross_account_needs_the_bus_policy() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, sink, ..
    } = env(dir.path());
    // Account B's default bus logs what it receives.
    e.put_rule(B, R, rule("in", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(B, R, None, "in", vec![target("lg", LOG_ARN)])
        .unwrap();
    let b_bus = "arn:aws:events:us-east-1:210987654321:event-bus/default";
    // Account A forwards to it.
    e.put_rule(A, R, rule("out", r#"{"source":["shop"]}"#))
        .unwrap();
    assert!(
        e.put_targets(A, R, None, "out", vec![target("b", b_bus)])
            .unwrap()
            .is_empty()
    );
    // Without a policy: the direct PutEvents is denied per entry, the target delivery fails.
    let direct = EventEntry {
        event_bus_name: Some(b_bus.into()),
        ..entry("shop", json!({"n": 1}))
    };
    let res = e
        .put_events(A, R, std::slice::from_ref(&direct))
        .await
        .unwrap();
    assert!(
        matches!(&res[0], EntryResult::Failed { code, .. } if code == "AccessDeniedException"),
        "{res:?}"
    );
    e.put_events(A, R, &[entry("shop", json!({"n": 2}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    // B allows A.
    e.put_permission(
        B,
        R,
        PutPermissionInput {
            action: Some("events:PutEvents".into()),
            principal: Some(A.into()),
            statement_id: Some("allow-a".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let policy = e.describe_event_bus(B, R, None).unwrap().policy.unwrap();
    assert!(
        policy.contains("arn:aws:iam::123456789012:root"),
        "{policy}"
    );
    let res = e.put_events(A, R, &[direct]).await.unwrap();
    assert!(matches!(&res[0], EntryResult::Accepted { .. }), "{res:?}");
    // The direct event is on B's bus now; the retried forward goes through after its backoff.
    e.run_deliveries().unwrap();
    let got = sink.got.lock().clone();
    assert_eq!(got.len(), 1);
    let ev: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(ev["account"], A, "the event keeps its sender's account");
    e.remove_permission(B, R, None, Some("allow-a"), false)
        .unwrap();
    assert_eq!(
        e.remove_permission(B, R, None, Some("allow-a"), false)
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    assert!(e.describe_event_bus(B, R, None).unwrap().policy.is_none());
    let res = e
        .put_events(
            A,
            R,
            &[EventEntry {
                event_bus_name: Some(b_bus.into()),
                ..entry("shop", json!({}))
            }],
        )
        .await
        .unwrap();
    assert!(matches!(&res[0], EntryResult::Failed { code, .. } if code == "AccessDeniedException"));
}

#[test]
fn api_calls_reach_rules_by_state() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, sink, ..
    } = env(dir.path());
    let pattern = r#"{"detail-type":["AWS API Call via CloudTrail"],"source":["aws.events"]}"#;
    e.put_rule(A, R, rule("writes", pattern)).unwrap();
    e.put_targets(A, R, None, "writes", vec![target("w", LOG_ARN)])
        .unwrap();
    e.put_rule(
        A,
        R,
        PutRuleInput {
            state: Some("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS".into()),
            ..rule("all", pattern)
        },
    )
    .unwrap();
    e.put_targets(
        A,
        R,
        None,
        "all",
        vec![target(
            "a",
            "arn:aws:logs:us-east-1:123456789012:log-group:all",
        )],
    )
    .unwrap();
    e.put_api_call(A, R, "aws.events", json!({"eventName": "PutRule"}), false)
        .unwrap();
    e.put_api_call(
        A,
        R,
        "aws.events",
        json!({"eventName": "DescribeRule"}),
        true,
    )
    .unwrap();
    e.run_deliveries().unwrap();
    let got = sink.got.lock().clone();
    let to = |arn: &str| got.iter().filter(|(t, _)| t == arn).count();
    assert_eq!(to(LOG_ARN), 1, "the plain rule gets only the mutating call");
    assert_eq!(to("arn:aws:logs:us-east-1:123456789012:log-group:all"), 2);
}
