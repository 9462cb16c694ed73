//! Archives, replays and archive retention.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::*;

#[tokio::test]
async fn archives_keep_events_and_replays_send_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(START));
    let bus_arn = "arn:aws:events:us-east-1:123456789012:event-bus/default";
    {
        let Env { events: e, .. } = open(dir.path(), clock.clone());
        let archive =
            |name: &str, bus: &str, pattern: Option<&str>, days: Option<i64>| CreateArchiveInput {
                name: name.into(),
                event_source_arn: bus.into(),
                description: Some("all shop events".into()),
                event_pattern: pattern.map(str::to_owned),
                retention_days: days,
            };
        let a = e
            .create_archive(
                A,
                R,
                archive("shop", bus_arn, Some(r#"{"source":["shop"]}"#), Some(1)),
            )
            .unwrap();
        assert_eq!(a.arn, "arn:aws:events:us-east-1:123456789012:archive/shop");
        let dup = e.create_archive(A, R, archive("shop", bus_arn, None, None));
        assert_eq!(dup.unwrap_err().code(), "ResourceAlreadyExistsException");
        let nope = "arn:aws:events:us-east-1:123456789012:event-bus/nope";
        let missing = e.create_archive(A, R, archive("x", nope, None, None));
        assert_eq!(
            missing.unwrap_err().to_string(),
            "Event bus nope does not exist."
        );
        let bad = e.create_archive(A, R, archive("x", bus_arn, Some("{\"a\":1}"), None));
        assert_eq!(bad.unwrap_err().code(), "InvalidEventPatternException");
        // Three events before any rule exists; one is not from the shop.
        e.put_events(
            A,
            R,
            &[
                entry("shop", json!({"n": 1})),
                entry("other", json!({"n": 2})),
            ],
        )
        .await
        .unwrap();
        clock.advance(Duration::from_secs(60));
        e.put_events(A, R, &[entry("shop", json!({"n": 3}))])
            .await
            .unwrap();
        let info = e.describe_archive(A, R, "shop").unwrap();
        assert_eq!(info.event_count, 2);
        assert!(info.size_bytes > 0);
    }
    // The archive survives a restart.
    let Env {
        events: e,
        sink,
        clock,
    } = open(dir.path(), clock);
    assert_eq!(e.describe_archive(A, R, "shop").unwrap().event_count, 2);
    // A rule created afterwards gets the archived events through a replay of the first minute.
    let rule_arn = e
        .put_rule(A, R, rule("late", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "late", vec![target("lg", LOG_ARN)])
        .unwrap();
    e.put_rule(A, R, rule("other-rule", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(
        A,
        R,
        None,
        "other-rule",
        vec![target(
            "lg2",
            "arn:aws:logs:us-east-1:123456789012:log-group:other",
        )],
    )
    .unwrap();
    let replay = e
        .start_replay(
            A,
            R,
            StartReplayInput {
                name: "first-minute".into(),
                description: None,
                event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/shop".into(),
                event_start_millis: START - 1,
                event_end_millis: START + 30_000,
                destination_arn: bus_arn.into(),
                filter_arns: vec![rule_arn],
            },
        )
        .unwrap();
    assert_eq!(replay.state, ReplayState::Starting);
    assert_eq!(
        e.list_replays(A, R, None, Some("STARTING"), None, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(e.run_replays().unwrap(), 1);
    let done = e.describe_replay(A, R, "first-minute").unwrap();
    assert_eq!(done.state, ReplayState::Completed);
    assert_eq!(done.event_last_replayed_millis, Some(START));
    assert_eq!(
        e.cancel_replay(A, R, "first-minute").unwrap_err().code(),
        "IllegalStatusException"
    );
    e.run_deliveries().unwrap();
    let got = sink.got.lock().clone();
    assert_eq!(
        got.len(),
        1,
        "only the filtered rule, only the first minute: {got:?}"
    );
    let ev: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(ev["detail"]["n"], 1);
    assert_eq!(ev["replay-name"], "first-minute");
    assert_eq!(
        e.describe_archive(A, R, "shop").unwrap().event_count,
        2,
        "replayed events are not archived again"
    );
    // Validation.
    let bad = StartReplayInput {
        name: "r2".into(),
        description: None,
        event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/shop".into(),
        event_start_millis: START,
        event_end_millis: START,
        destination_arn: bus_arn.into(),
        filter_arns: vec![],
    };
    assert_eq!(
        e.start_replay(A, R, bad.clone()).unwrap_err().code(),
        "ValidationException"
    );
    let other_bus = StartReplayInput {
        event_end_millis: START + 1,
        destination_arn: "arn:aws:events:us-east-1:123456789012:event-bus/x".into(),
        ..bad.clone()
    };
    assert!(
        e.start_replay(A, R, other_bus)
            .unwrap_err()
            .to_string()
            .contains("Cross event bus replay")
    );
    let missing = StartReplayInput {
        event_end_millis: START + 1,
        event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/none".into(),
        ..bad.clone()
    };
    assert_eq!(
        e.start_replay(A, R, missing).unwrap_err().to_string(),
        "Archive none does not exist."
    );
    // Cancel before it runs.
    let ok = StartReplayInput {
        event_end_millis: START + 1,
        ..bad
    };
    e.start_replay(A, R, ok).unwrap();
    assert_eq!(
        e.cancel_replay(A, R, "r2").unwrap().state,
        ReplayState::Cancelled
    );
    assert_eq!(e.run_replays().unwrap(), 0);
    // Retention: one day, then the events are gone.
    clock.advance(Duration::from_secs(86_400));
    e.run_archive_retention().unwrap();
    assert_eq!(e.describe_archive(A, R, "shop").unwrap().event_count, 0);
    // Update and delete.
    let up = e
        .update_archive(A, R, "shop", Some("new"), None, Some(0))
        .unwrap();
    assert_eq!(up.description.as_deref(), Some("new"));
    assert_eq!(up.retention_days, 0);
    assert_eq!(
        e.list_archives(A, R, Some("sh"), None, None, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    e.delete_archive(A, R, "shop").unwrap();
    assert_eq!(
        e.describe_archive(A, R, "shop").unwrap_err().code(),
        "ResourceNotFoundException"
    );
    assert_eq!(
        e.delete_archive(A, R, "shop").unwrap_err().code(),
        "ResourceNotFoundException"
    );
}
