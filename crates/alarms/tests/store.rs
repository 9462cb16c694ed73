//! The alarm store: catalog round trip and reopen, validation, SetAlarmState, history and
//! `evaluate_due` on a simulated clock with a fake datapoint source.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_alarms::Datapoint;
use openwatch_alarms::store::{
    AlarmsError, DatapointSource, HistoryItemType, HistoryQuery, MetricAlarm, PutMetricAlarm,
};
use openwatch_storage::SimClock;
use parking_lot::Mutex;

mod common;
use common::{T0, composite, fresh, open, request};

#[derive(Default)]
struct Fake(Mutex<Vec<Datapoint>>);

impl DatapointSource for Fake {
    fn datapoints(
        &self,
        _: &str,
        _: &str,
        _: &MetricAlarm,
        start: i64,
        end: i64,
    ) -> Result<Vec<Datapoint>, String> {
        Ok(self
            .0
            .lock()
            .iter()
            .filter(|d| d.timestamp_ms >= start && d.timestamp_ms < end)
            .copied()
            .collect())
    }
}

#[test]
fn round_trip_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0));
    {
        let store = open(dir.path(), &clock);
        store
            .put_metric_alarm("111122223333", "us-east-1", request("high-errors"))
            .unwrap();
        let a = store
            .alarm("111122223333", "us-east-1", "high-errors")
            .unwrap();
        assert_eq!(a.state_value, "INSUFFICIENT_DATA");
        assert_eq!(a.state_reason, "Unchecked: Initial alarm creation");
        assert_eq!(
            a.arn,
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:high-errors"
        );
        assert!(a.actions_enabled);
        clock.advance(std::time::Duration::from_secs(5));
        store
            .set_alarm_state(
                "111122223333",
                "us-east-1",
                "high-errors",
                "ALARM",
                "testing",
                Some(r#"{"a":1}"#),
            )
            .unwrap()
            .pop()
            .unwrap();
        store
            .set_actions_enabled("111122223333", "us-east-1", &["high-errors".into()], false)
            .unwrap();
        // Another account/region sees nothing.
        assert!(store.alarms("111122223333", "eu-west-1").is_empty());
    }
    let store = open(dir.path(), &clock);
    let a = store
        .alarm("111122223333", "us-east-1", "high-errors")
        .unwrap();
    assert_eq!(a.state_value, "ALARM");
    assert_eq!(a.state_reason, "testing");
    assert_eq!(a.state_reason_data.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(a.state_updated_ms, T0 + 5000);
    assert_eq!(a.state_transitioned_ms, T0 + 5000);
    assert_eq!(a.configuration_updated_ms, T0);
    assert!(!a.actions_enabled);
    assert_eq!(a.tags, vec![("team".to_owned(), "core".to_owned())]);
    let (items, next) = store
        .history(
            "111122223333",
            "us-east-1",
            &HistoryQuery {
                max_records: 100,
                ..HistoryQuery::default()
            },
        )
        .unwrap();
    assert!(next.is_none());
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].item_type, HistoryItemType::StateUpdate);
    assert_eq!(
        items[0].summary,
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    );
    assert_eq!(items[1].item_type, HistoryItemType::ConfigurationUpdate);
    assert_eq!(items[1].summary, "Alarm \"high-errors\" created");

    store
        .delete_alarms("111122223333", "us-east-1", &["high-errors".into()])
        .unwrap();
    drop(store);
    let store = open(dir.path(), &clock);
    assert!(store.alarms("111122223333", "us-east-1").is_empty());
}

#[test]
fn validation_and_not_found() {
    let (_dir, _clock, store) = fresh(T0);
    let bad = |f: fn(&mut PutMetricAlarm)| {
        let mut r = request("x");
        f(&mut r);
        store.put_metric_alarm("1", "r", r).unwrap_err()
    };
    assert_eq!(
        bad(|r| r.period = Some(45)),
        AlarmsError::InvalidParameterValue(
            "Period must be 10, 20, 30 or a multiple of 60 seconds.".into()
        )
    );
    assert_eq!(
        bad(|r| r.datapoints_to_alarm = Some(4)),
        AlarmsError::Validation(
            "DatapointsToAlarm must be less than or equal to EvaluationPeriods".into()
        )
    );
    assert!(matches!(
        bad(|r| r.extended_statistic = Some("p99".into())),
        AlarmsError::InvalidParameterCombination(_)
    ));
    assert!(matches!(
        bad(|r| r.statistic = None),
        AlarmsError::InvalidParameterCombination(_)
    ));
    assert!(matches!(
        bad(|r| r.threshold = None),
        AlarmsError::MissingParameter(_)
    ));
    assert!(store.alarms("1", "r").is_empty());
    assert!(matches!(
        store.delete_alarms("1", "r", &["nope".into()]),
        Err(AlarmsError::ResourceNotFound(_))
    ));
    assert!(matches!(
        store.set_alarm_state("1", "r", "nope", "OK", "x", None),
        Err(AlarmsError::ResourceNotFound(_))
    ));
}

#[test]
fn evaluate_due_transitions_once_per_period() {
    let (_dir, clock, store) = fresh(T0);
    store
        .put_metric_alarm("1", "r", request("high-errors"))
        .unwrap();
    let source = Fake::default();
    // Three breaching minutes: T0, T0+1m, T0+2m.
    for i in 0..3 {
        source.0.lock().push(Datapoint::new(T0 + i * 60_000, 10.0));
    }
    let now = T0 + 3 * 60_000 + 10_000;
    clock.set(now);
    let changes = store.evaluate_due(now, &source);
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!(c.state.value, "ALARM");
    assert_eq!(c.previous.value, "INSUFFICIENT_DATA");
    assert!(
        c.state
            .reason
            .starts_with("Threshold Crossed: 3 datapoints [10.0 ("),
        "{}",
        c.state.reason
    );
    let detail = c.event_detail();
    assert_eq!(detail["alarmName"], "high-errors");
    assert_eq!(detail["state"]["value"], "ALARM");
    assert_eq!(detail["previousState"]["value"], "INSUFFICIENT_DATA");
    assert_eq!(
        detail["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"]["Host"],
        "a"
    );
    // Not due again within the same period.
    assert!(store.evaluate_due(now + 20_000, &source).is_empty());
    // Data goes below the threshold: OK at the next boundary.
    source.0.lock().push(Datapoint::new(T0 + 3 * 60_000, 1.0));
    source.0.lock().push(Datapoint::new(T0 + 4 * 60_000, 1.0));
    source.0.lock().push(Datapoint::new(T0 + 5 * 60_000, 1.0));
    let later = T0 + 6 * 60_000 + 10_000;
    clock.set(later);
    let changes = store.evaluate_due(later, &source);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].state.value, "OK");
    let a = store.alarm("1", "r", "high-errors").unwrap();
    assert_eq!(a.state_value, "OK");
    assert_eq!(a.state_transitioned_ms, later);
    let (items, _) = store
        .history(
            "1",
            "r",
            &HistoryQuery {
                item_type: Some(HistoryItemType::StateUpdate),
                ascending: true,
                max_records: 1,
                ..HistoryQuery::default()
            },
        )
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].summary,
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    );
    let data: serde_json::Value = serde_json::from_str(&items[0].data).unwrap();
    assert_eq!(data["newState"]["stateValue"], "ALARM");
    assert_eq!(data["newState"]["stateReasonData"]["statistic"], "Sum");

    // History retention: two weeks later the items are hidden and deleted.
    clock.set(later + 15 * 86_400_000);
    let all = HistoryQuery {
        max_records: 100,
        ..HistoryQuery::default()
    };
    assert!(store.history("1", "r", &all).unwrap().0.is_empty());
    assert_eq!(store.run_retention().unwrap(), 3);
}

#[test]
fn composite_alarms_follow_their_children() {
    let (dir, clock, store) = fresh(T0);
    store.put_metric_alarm("1", "r", request("cpu")).unwrap();
    store.put_metric_alarm("1", "r", request("mem")).unwrap();
    // Evaluated at creation: both children INSUFFICIENT_DATA, so the rule is false → OK.
    let changes = store
        .put_composite_alarm("1", "r", composite("svc", "ALARM(cpu) AND NOT OK(mem)"))
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].state.value, "OK");
    assert_eq!(changes[0].alarm_type, "CompositeAlarm");
    // A composite of the composite.
    store
        .put_composite_alarm("1", "r", composite("top", "ALARM(svc)"))
        .unwrap();

    clock.advance(std::time::Duration::from_secs(60));
    let changes = store
        .set_alarm_state("1", "r", "cpu", "ALARM", "test", None)
        .unwrap();
    let names: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.name.as_str(), c.state.value.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![("cpu", "ALARM"), ("svc", "ALARM"), ("top", "ALARM")]
    );
    let svc = &changes[1];
    assert!(
        svc.state
            .reason
            .starts_with("arn:aws:cloudwatch:r:1:alarm:cpu transitioned to ALARM at "),
        "{}",
        svc.state.reason
    );
    assert_eq!(
        svc.event_detail()["configuration"]["alarmRule"],
        "ALARM(cpu) AND NOT OK(mem)"
    );

    // Cycles and name clashes are refused.
    let err = store
        .put_composite_alarm("1", "r", composite("svc", "ALARM(top)"))
        .unwrap_err();
    assert!(matches!(err, AlarmsError::Validation(_)), "{err:?}");
    assert!(matches!(
        store.put_composite_alarm("1", "r", composite("cpu", "TRUE")),
        Err(AlarmsError::InvalidParameterValue(_))
    ));
    assert!(matches!(
        store.put_composite_alarm("1", "r", composite("bad", "ALARM(")),
        Err(AlarmsError::Validation(_))
    ));

    // Reopen keeps composites and their state.
    drop(store);
    let store = open(dir.path(), &clock);
    let svc = store.composite("1", "r", "svc").unwrap();
    assert_eq!(svc.state_value, "ALARM");
    assert_eq!(store.composites("1", "r").len(), 2);
    let (items, _) = store
        .history(
            "1",
            "r",
            &HistoryQuery {
                alarm_name: Some("svc".into()),
                alarm_types: vec!["CompositeAlarm".into()],
                max_records: 100,
                ..HistoryQuery::default()
            },
        )
        .unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    store
        .delete_alarms("1", "r", &["top".into(), "svc".into()])
        .unwrap();
    assert!(store.composites("1", "r").is_empty());
}
