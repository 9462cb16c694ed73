//! Buses, rules, targets, tags and TestEventPattern.
#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::*;

#[test]
fn buses_crud() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path()).events;
    let bus = e
        .create_event_bus(A, R, "orders", Some("order events"), vec![])
        .unwrap();
    assert_eq!(
        bus.arn,
        "arn:aws:events:us-east-1:123456789012:event-bus/orders"
    );
    let dup = e
        .create_event_bus(A, R, "orders", None, vec![])
        .unwrap_err();
    assert_eq!(dup.code(), "ResourceAlreadyExistsException");
    assert_eq!(dup.to_string(), "Event bus orders already exists.");
    assert_eq!(
        e.create_event_bus(A, R, "default", None, vec![])
            .unwrap_err()
            .code(),
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        e.create_event_bus(A, R, "a b", None, vec![])
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    let by_arn = e.describe_event_bus(A, R, Some(&bus.arn)).unwrap();
    assert_eq!(by_arn.description.as_deref(), Some("order events"));
    assert_eq!(e.describe_event_bus(A, R, None).unwrap().name, "default");
    assert_eq!(
        e.describe_event_bus(A, R, Some("nope"))
            .unwrap_err()
            .to_string(),
        "Event bus nope does not exist."
    );
    e.create_event_bus(A, R, "audit", None, vec![]).unwrap();
    let page = e
        .list_event_buses(
            A,
            R,
            None,
            &PageRequest {
                limit: Some(2),
                next_token: None,
            },
        )
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        ["audit", "default"]
    );
    let next = e
        .list_event_buses(
            A,
            R,
            None,
            &PageRequest {
                limit: Some(2),
                next_token: page.next_token,
            },
        )
        .unwrap();
    assert_eq!(
        next.items
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        ["orders"]
    );
    assert!(next.next_token.is_none());
    assert_eq!(
        e.list_event_buses(A, R, Some("or"), &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    // Another account sees only its default bus.
    assert_eq!(
        e.list_event_buses("210987654321", R, None, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        e.delete_event_bus(A, R, "default").unwrap_err().to_string(),
        "Cannot delete event bus default."
    );
    e.put_rule(
        A,
        R,
        PutRuleInput {
            event_bus_name: Some("orders".into()),
            ..rule("r", r#"{"source":["shop"]}"#)
        },
    )
    .unwrap();
    e.delete_event_bus(A, R, "orders").unwrap();
    e.delete_event_bus(A, R, "orders").unwrap();
    assert_eq!(
        e.list_rules(A, R, Some("orders"), None, &PageRequest::default())
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    let updated = e
        .update_event_bus(A, R, Some("audit"), Some("new"))
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("new"));
}

#[test]
fn rules_crud_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path()).events;
    let arn = e
        .put_rule(A, R, rule("r1", r#"{"source":["shop"]}"#))
        .unwrap();
    assert_eq!(arn, "arn:aws:events:us-east-1:123456789012:rule/r1");
    let bad = e
        .put_rule(A, R, rule("r2", r#"{"source":"shop"}"#))
        .unwrap_err();
    assert_eq!(bad.code(), "InvalidEventPatternException");
    assert!(
        bad.to_string()
            .starts_with("Event pattern is not valid. Reason: "),
        "{bad}"
    );
    let none = e
        .put_rule(
            A,
            R,
            PutRuleInput {
                name: "r3".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        none.to_string(),
        "Parameter(s) EventPattern or ScheduleExpression must be specified."
    );
    e.create_event_bus(A, R, "orders", None, vec![]).unwrap();
    let sched = PutRuleInput {
        name: "tick".into(),
        schedule_expression: Some("rate(5 minutes)".into()),
        event_bus_name: Some("orders".into()),
        ..Default::default()
    };
    assert_eq!(
        e.put_rule(A, R, sched.clone()).unwrap_err().to_string(),
        "ScheduleExpression is supported only on the default event bus."
    );
    let bad_sched = PutRuleInput {
        event_bus_name: None,
        schedule_expression: Some("rate(5 minute)".into()),
        ..sched
    };
    assert_eq!(
        e.put_rule(A, R, bad_sched).unwrap_err().to_string(),
        "Parameter ScheduleExpression is not valid."
    );
    assert_eq!(
        e.put_rule(
            A,
            R,
            PutRuleInput {
                state: Some("ON".into()),
                ..rule("r4", r#"{"a":[1]}"#)
            }
        )
        .unwrap_err()
        .code(),
        "ValidationException"
    );
    let r = e.describe_rule(A, R, None, "r1").unwrap();
    assert_eq!(r.state, RuleState::Enabled);
    assert_eq!(r.created_by, A);
    assert_eq!(
        e.describe_rule(A, R, None, "zz").unwrap_err().to_string(),
        "Rule zz does not exist on EventBus default."
    );
    let orders_arn = e
        .put_rule(
            A,
            R,
            PutRuleInput {
                event_bus_name: Some("orders".into()),
                ..rule("r1", r#"{"a":[1]}"#)
            },
        )
        .unwrap();
    assert_eq!(
        orders_arn,
        "arn:aws:events:us-east-1:123456789012:rule/orders/r1"
    );
    e.set_rule_enabled(A, R, None, "r1", false).unwrap();
    assert_eq!(
        e.describe_rule(A, R, None, "r1").unwrap().state,
        RuleState::Disabled
    );
    // Targets: limit, replace, list, delete refused while targets exist.
    let ts: Vec<Target> = (0..5).map(|i| target(&format!("t{i}"), LOG_ARN)).collect();
    assert!(e.put_targets(A, R, None, "r1", ts).unwrap().is_empty());
    let over = e
        .put_targets(A, R, None, "r1", vec![target("t9", LOG_ARN)])
        .unwrap_err();
    assert_eq!(over.code(), "LimitExceededException");
    assert_eq!(
        e.list_targets_by_rule(A, R, None, "r1", &PageRequest::default())
            .unwrap()
            .items
            .len(),
        5,
        "bad input changed nothing"
    );
    let failed = e
        .put_targets(
            A,
            R,
            None,
            "r1",
            vec![target(
                "t0",
                "arn:aws:lambda:us-east-1:123456789012:function:f",
            )],
        )
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].code, "ValidationException");
    let cross = e
        .put_targets(
            A,
            R,
            None,
            "r1",
            vec![target(
                "t0",
                "arn:aws:events:us-east-1:210987654321:event-bus/default",
            )],
        )
        .unwrap();
    assert!(
        cross.is_empty(),
        "another account's bus is a valid target; its policy is checked at delivery"
    );
    assert_eq!(
        e.list_rule_names_by_target(A, R, None, LOG_ARN, &PageRequest::default())
            .unwrap()
            .items,
        ["r1"]
    );
    assert_eq!(
        e.delete_rule(A, R, None, "r1", false)
            .unwrap_err()
            .to_string(),
        "Rule can't be deleted since it has targets."
    );
    let ids: Vec<String> = (0..5).map(|i| format!("t{i}")).collect();
    e.remove_targets(A, R, None, "r1", &ids, false).unwrap();
    e.delete_rule(A, R, None, "r1", false).unwrap();
    e.delete_rule(A, R, None, "r1", false).unwrap();
    let page = e
        .list_rules(A, R, None, None, &PageRequest::default())
        .unwrap();
    assert!(page.items.is_empty());
}

#[test]
fn tags_on_buses_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path()).events;
    let arn = e
        .put_rule(
            A,
            R,
            PutRuleInput {
                tags: vec![Tag {
                    key: "k".into(),
                    value: "v".into(),
                }],
                ..rule("r", r#"{"a":[1]}"#)
            },
        )
        .unwrap();
    e.tag_resource(
        A,
        R,
        &arn,
        vec![Tag {
            key: "team".into(),
            value: "x".into(),
        }],
    )
    .unwrap();
    assert_eq!(e.list_tags(A, R, &arn).unwrap().len(), 2);
    e.untag_resource(A, R, &arn, &["k".into()]).unwrap();
    assert_eq!(
        e.list_tags(A, R, &arn).unwrap(),
        [Tag {
            key: "team".into(),
            value: "x".into()
        }]
    );
    let default_arn = "arn:aws:events:us-east-1:123456789012:event-bus/default";
    e.tag_resource(
        A,
        R,
        default_arn,
        vec![Tag {
            key: "a".into(),
            value: "b".into(),
        }],
    )
    .unwrap();
    assert_eq!(e.list_tags(A, R, default_arn).unwrap().len(), 1);
    let missing = e
        .list_tags(A, R, "arn:aws:events:us-east-1:123456789012:rule/nope")
        .unwrap_err();
    assert_eq!(missing.code(), "ResourceNotFoundException");
    assert_eq!(
        e.list_tags(A, R, "not-an-arn").unwrap_err().code(),
        "ValidationException"
    );
}

#[test]
fn test_event_pattern_matches() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path()).events;
    let event = json!({"id":"1","account":A,"source":"shop","time":"2025-01-01T00:00:00Z","region":R,"resources":[],"detail-type":"x","detail":{"n":5}}).to_string();
    assert!(
        e.test_event_pattern(r#"{"detail":{"n":[{"numeric":[">",1]}]}}"#, &event)
            .unwrap()
    );
    assert!(
        !e.test_event_pattern(r#"{"source":["other"]}"#, &event)
            .unwrap()
    );
    assert_eq!(
        e.test_event_pattern(r#"{"source":"x"}"#, &event)
            .unwrap_err()
            .code(),
        "InvalidEventPatternException"
    );
    assert_eq!(
        e.test_event_pattern(r#"{"source":["x"]}"#, r#"{"source":"x"}"#)
            .unwrap_err()
            .to_string(),
        "Parameter Event is not valid."
    );
}
