//! Scheduled rules firing on the simulated clock.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::*;

#[test]
fn schedules_fire_on_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e,
        clock,
        sink,
    } = env(dir.path());
    let arn = e
        .put_rule(
            A,
            R,
            PutRuleInput {
                name: "tick".into(),
                schedule_expression: Some("rate(5 minutes)".into()),
                ..Default::default()
            },
        )
        .unwrap();
    e.put_targets(A, R, None, "tick", vec![target("lg", LOG_ARN)])
        .unwrap();
    assert_eq!(e.run_schedules().unwrap(), 0);
    clock.advance(Duration::from_secs(299));
    assert_eq!(e.run_schedules().unwrap(), 0);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_schedules().unwrap(), 1);
    assert_eq!(e.run_schedules().unwrap(), 0, "fires once per period");
    e.run_deliveries().unwrap();
    let got = sink.got.lock().clone();
    let ev: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(ev["source"], "aws.events");
    assert_eq!(ev["detail-type"], "Scheduled Event");
    assert_eq!(ev["resources"], json!([arn]));
    assert_eq!(ev["detail"], json!({}));
    assert_eq!(ev["time"], event::format_time(START + 300_000));
    // Disabled schedules do not fire.
    e.set_rule_enabled(A, R, None, "tick", false).unwrap();
    clock.advance(Duration::from_secs(600));
    assert_eq!(e.run_schedules().unwrap(), 0);
}
