//! The alarm store's seams and state kept over time: the evaluated period boundary across a
//! reopen, tags, SetAlarmState handing its changes to the registered `AlarmActions`, and
//! composite actions suppression (wait and extension periods) on a simulated clock.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_alarms::store::{
    AlarmActions, AlarmStore, AlarmsError, DatapointSource, MetricAlarm, PutCompositeAlarm,
    PutMetricAlarm, StateChange,
};
use openwatch_alarms::{Datapoint, SuppressedBy};
use openwatch_storage::{Clock, SimClock};
use parking_lot::Mutex;

mod common;
use common::{T0, composite, fresh, open};

const ACCT: &str = "111122223333";
const REGION: &str = "us-east-1";

/// The common request, without dimensions and over one period.
fn request(name: &str) -> PutMetricAlarm {
    PutMetricAlarm {
        dimensions: Vec::new(),
        evaluation_periods: Some(1),
        ..common::request(name)
    }
}

/// Counts datapoint reads: each read is one evaluation.
#[derive(Default)]
struct Counting(Mutex<usize>);

impl DatapointSource for Counting {
    fn datapoints(
        &self,
        _: &str,
        _: &str,
        _: &MetricAlarm,
        _: i64,
        _: i64,
    ) -> Result<Vec<Datapoint>, String> {
        *self.0.lock() += 1;
        Ok(Vec::new())
    }
}

#[test]
fn evaluated_boundary_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0 + 5_000));
    let source = Counting::default();
    {
        let store = open(dir.path(), &clock);
        store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
        store.evaluate_due(clock.now_millis(), &source);
        assert_eq!(*source.0.lock(), 1);
    }
    // Same period after a restart: not evaluated again.
    clock.advance(Duration::from_secs(20));
    let store = open(dir.path(), &clock);
    store.evaluate_due(clock.now_millis(), &source);
    assert_eq!(*source.0.lock(), 1);
    // The next period is evaluated once.
    clock.advance(Duration::from_secs(60));
    store.evaluate_due(clock.now_millis(), &source);
    store.evaluate_due(clock.now_millis(), &source);
    assert_eq!(*source.0.lock(), 2);
    // A new configuration is evaluated at once, even across a reopen.
    store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
    drop(store);
    let store = open(dir.path(), &clock);
    store.evaluate_due(clock.now_millis(), &source);
    assert_eq!(*source.0.lock(), 3);
    // A deleted and recreated alarm starts afresh.
    store.delete_alarms(ACCT, REGION, &["a".into()]).unwrap();
    store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
    drop(store);
    let store = open(dir.path(), &clock);
    store.evaluate_due(clock.now_millis(), &source);
    assert_eq!(*source.0.lock(), 4);
}

#[test]
fn tags_on_metric_and_composite_alarms() {
    let (_dir, _clock, store) = fresh(T0);
    store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
    store
        .put_composite_alarm(ACCT, REGION, composite("c", "ALARM(a)"))
        .unwrap();
    let arn = format!("arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:a");
    assert_eq!(
        store.list_tags(ACCT, REGION, &arn).unwrap(),
        vec![("team".to_owned(), "core".to_owned())]
    );
    store
        .tag_resource(
            ACCT,
            REGION,
            &arn,
            &[
                ("team".into(), "edge".into()),
                ("env".into(), "prod".into()),
            ],
        )
        .unwrap();
    assert_eq!(
        store.list_tags(ACCT, REGION, &arn).unwrap(),
        vec![
            ("team".to_owned(), "edge".to_owned()),
            ("env".to_owned(), "prod".to_owned())
        ]
    );
    store
        .untag_resource(ACCT, REGION, &arn, &["team".into(), "absent".into()])
        .unwrap();
    assert_eq!(store.list_tags(ACCT, REGION, &arn).unwrap().len(), 1);
    // Updating the alarm keeps its tags (Tags are only used at creation).
    store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
    assert_eq!(
        store.list_tags(ACCT, REGION, &arn).unwrap(),
        vec![("env".to_owned(), "prod".to_owned())]
    );
    let carn = format!("arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:c");
    store
        .tag_resource(ACCT, REGION, &carn, &[("k".into(), "v".into())])
        .unwrap();
    assert_eq!(store.list_tags(ACCT, REGION, &carn).unwrap().len(), 1);

    // Errors change nothing.
    let e = store
        .tag_resource(ACCT, REGION, &arn, &[("aws:owner".into(), "x".into())])
        .unwrap_err();
    assert!(matches!(e, AlarmsError::InvalidParameterValue(_)), "{e:?}");
    let e = store
        .tag_resource(ACCT, REGION, &arn, &[(String::new(), "x".into())])
        .unwrap_err();
    assert!(matches!(e, AlarmsError::InvalidParameterValue(_)), "{e:?}");
    let e = store
        .tag_resource(ACCT, REGION, &arn, &[("k".into(), "v".repeat(257))])
        .unwrap_err();
    assert!(matches!(e, AlarmsError::InvalidParameterValue(_)), "{e:?}");
    let many: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
    let e = store.tag_resource(ACCT, REGION, &arn, &many).unwrap_err();
    assert!(matches!(e, AlarmsError::InvalidParameterValue(_)), "{e:?}");
    assert_eq!(store.list_tags(ACCT, REGION, &arn).unwrap().len(), 1);
    for missing in [
        format!("arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:nope"),
        format!("arn:aws:cloudwatch:eu-west-1:{ACCT}:alarm:a"),
        format!("arn:aws:cloudwatch:{REGION}:{ACCT}:insight-rule/r"),
        format!("arn:aws:cloudwatch::{ACCT}:dashboard/d"),
    ] {
        let e = store.list_tags(ACCT, REGION, &missing).unwrap_err();
        assert!(
            matches!(e, AlarmsError::ResourceNotFoundException(_)),
            "{missing}: {e:?}"
        );
    }
    assert!(matches!(
        store.list_tags(ACCT, REGION, "not-an-arn"),
        Err(AlarmsError::InvalidParameterValue(_))
    ));
    // Bad tags on creation are refused.
    let mut bad = request("b");
    bad.tags = vec![("aws:x".into(), "y".into())];
    assert!(store.put_metric_alarm(ACCT, REGION, bad).is_err());
    assert!(store.alarm(ACCT, REGION, "b").is_none());
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<(String, String)>>);

impl AlarmActions for Recorder {
    fn execute(&self, store: &AlarmStore, change: &StateChange) {
        // The runner may read the store: no lock is held.
        assert!(
            store
                .alarm(&change.account, &change.region, &change.name)
                .is_some()
                || store
                    .composite(&change.account, &change.region, &change.name)
                    .is_some()
        );
        self.0
            .lock()
            .push((change.name.clone(), change.state.value.clone()));
    }
}

#[test]
fn set_alarm_state_hands_changes_to_the_actions() {
    let (_dir, _clock, store) = fresh(T0);
    let recorder = Arc::new(Recorder::default());
    store.set_actions(Arc::clone(&recorder) as Arc<dyn AlarmActions>);
    store.put_metric_alarm(ACCT, REGION, request("a")).unwrap();
    store
        .put_composite_alarm(ACCT, REGION, composite("c", "ALARM(a)"))
        .unwrap();
    // The composite's evaluation at creation (INSUFFICIENT_DATA -> OK) runs its OK actions.
    assert_eq!(*recorder.0.lock(), vec![("c".into(), "OK".into())]);
    store
        .set_alarm_state(ACCT, REGION, "a", "ALARM", "testing", None)
        .unwrap();
    assert_eq!(
        recorder.0.lock()[1..],
        [("a".into(), "ALARM".into()), ("c".into(), "ALARM".into())]
    );
    // Same state again: no transition, no actions.
    store
        .set_alarm_state(ACCT, REGION, "a", "ALARM", "again", None)
        .unwrap();
    assert_eq!(recorder.0.lock().len(), 3);
}

fn suppressed_composite(store: &AlarmStore, wait: i64, extension: i64) {
    for name in ["child", "suppressor"] {
        store.put_metric_alarm(ACCT, REGION, request(name)).unwrap();
    }
    store
        .put_composite_alarm(
            ACCT,
            REGION,
            PutCompositeAlarm {
                actions_suppressor: Some("suppressor".into()),
                actions_suppressor_wait_period: Some(wait),
                actions_suppressor_extension_period: Some(extension),
                ..composite("c", "ALARM(child)")
            },
        )
        .unwrap();
}

/// A composite (wait 120 s, extension 180 s) whose child has just gone into ALARM: its
/// actions are held back by the wait period.
fn child_in_alarm_within_wait_period(store: &AlarmStore) {
    suppressed_composite(store, 120, 180);
    set(store, "child", "ALARM");
    assert_eq!(
        store.composite_actions_suppressed(ACCT, REGION, "c"),
        Some(SuppressedBy::WaitPeriod)
    );
}

/// What holds back the actions of composite `c`, if any are pending.
fn pending(store: &AlarmStore) -> Option<String> {
    let c = store.composite(ACCT, REGION, "c").unwrap();
    c.pending_actions.map(|p| p.suppressed_by)
}

fn set(store: &AlarmStore, name: &str, state: &str) {
    store
        .set_alarm_state(ACCT, REGION, name, state, "test", None)
        .unwrap();
}

#[test]
fn wait_period_delays_then_releases_actions() {
    let (_dir, clock, store) = fresh(T0);
    child_in_alarm_within_wait_period(&store);
    assert_eq!(pending(&store).as_deref(), Some("WaitPeriod"));
    clock.advance(Duration::from_secs(119));
    assert!(store.release_suppressed(clock.now_millis()).is_empty());
    clock.advance(Duration::from_secs(1));
    let released = store.release_suppressed(clock.now_millis());
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].name, "c");
    assert_eq!(released[0].state.value, "ALARM");
    assert_eq!(released[0].state.timestamp_ms, clock.now_millis());
    // CloudWatch's event for it: same state, the previous one marked as suppressed.
    let detail = released[0].event_detail();
    assert_eq!(detail["previousState"]["value"], "ALARM");
    assert_eq!(detail["previousState"]["actionsSuppressedBy"], "WaitPeriod");
    assert_eq!(
        detail["previousState"]["actionsSuppressedReason"],
        "Actions suppressed by WaitPeriod"
    );
    assert!(detail["state"].get("actionsSuppressedBy").is_none());
    assert_eq!(detail["configuration"]["actionsSuppressorWaitPeriod"], 120);
    // Released once; the runner then finds nothing suppressed.
    assert!(store.release_suppressed(clock.now_millis()).is_empty());
    assert_eq!(store.composite_actions_suppressed(ACCT, REGION, "c"), None);
    assert_eq!(pending(&store), None);
}

#[test]
fn suppressor_in_alarm_then_extension_period() {
    let (_dir, clock, store) = fresh(T0);
    child_in_alarm_within_wait_period(&store);
    // The suppressor goes into ALARM during the wait period: suppressed for as long as it is.
    clock.advance(Duration::from_secs(60));
    set(&store, "suppressor", "ALARM");
    clock.advance(Duration::from_secs(600));
    assert!(store.release_suppressed(clock.now_millis()).is_empty());
    assert_eq!(pending(&store).as_deref(), Some("Alarm"));
    // It leaves ALARM: the extension period holds the actions 180 s more.
    set(&store, "suppressor", "OK");
    clock.advance(Duration::from_secs(179));
    assert!(store.release_suppressed(clock.now_millis()).is_empty());
    assert_eq!(pending(&store).as_deref(), Some("ExtensionPeriod"));
    clock.advance(Duration::from_secs(1));
    assert_eq!(store.release_suppressed(clock.now_millis()).len(), 1);
}

#[test]
fn a_new_transition_drops_pending_actions() {
    let (_dir, clock, store) = fresh(T0);
    suppressed_composite(&store, 120, 0);
    set(&store, "child", "ALARM");
    assert!(
        store
            .composite_actions_suppressed(ACCT, REGION, "c")
            .is_some()
    );
    clock.advance(Duration::from_secs(30));
    set(&store, "child", "OK");
    assert_eq!(pending(&store), None);
    clock.advance(Duration::from_secs(300));
    assert!(store.release_suppressed(clock.now_millis()).is_empty());
    // Without a suppressor in ALARM and no wait period, nothing is suppressed.
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &clock);
    suppressed_composite(&store, 0, 0);
    set(&store, "child", "ALARM");
    assert_eq!(store.composite_actions_suppressed(ACCT, REGION, "c"), None);
}
