//! Fixtures shared by the alarm store's integration tests (each test binary uses a part).
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_alarms::store::{AlarmStore, PutCompositeAlarm, PutMetricAlarm};
use openwatch_alarms::{ComparisonOperator, LowSampleCount, MetricAlarmConfig, TreatMissingData};
use openwatch_storage::{Catalog, Clock, SimClock};

/// 2026-01-01T00:00:00Z, a period boundary.
pub const T0: i64 = 1_767_225_600_000;

/// A single-metric alarm on `App/Errors` (Host=a), Sum over 3 periods of 60 s > 5, tagged.
pub fn request(name: &str) -> PutMetricAlarm {
    PutMetricAlarm {
        name: name.into(),
        namespace: Some("App".into()),
        metric_name: Some("Errors".into()),
        dimensions: vec![("Host".into(), "a".into())],
        statistic: Some("Sum".into()),
        period: Some(60),
        evaluation_periods: Some(3),
        threshold: Some(5.0),
        comparison_operator: Some("GreaterThanThreshold".into()),
        tags: vec![("team".into(), "core".into())],
        ..PutMetricAlarm::default()
    }
}

/// A composite alarm with `rule` and nothing else.
pub fn composite(name: &str, rule: &str) -> PutCompositeAlarm {
    PutCompositeAlarm {
        name: name.into(),
        alarm_rule: Some(rule.into()),
        ..PutCompositeAlarm::default()
    }
}

/// Opens (or reopens) the store kept in `dir`.
pub fn open(dir: &std::path::Path, clock: &Arc<SimClock>) -> AlarmStore {
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    AlarmStore::open(catalog, Arc::clone(clock) as Arc<dyn Clock>).unwrap()
}

/// A store in a new directory on a simulated clock at `now_ms`.
pub fn fresh(now_ms: i64) -> (tempfile::TempDir, Arc<SimClock>, AlarmStore) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(now_ms));
    let store = open(dir.path(), &clock);
    (dir, clock, store)
}

/// The period of [`config`], in seconds.
pub const PERIOD_S: u32 = 300;

/// An `m` out of `n` alarm on the Average over [`PERIOD_S`], greater than 1.0.
pub fn config(m: u32, n: u32, treat: TreatMissingData) -> MetricAlarmConfig {
    MetricAlarmConfig {
        period_s: PERIOD_S,
        evaluation_periods: n,
        datapoints_to_alarm: Some(m),
        threshold: Some(1.0),
        comparison: ComparisonOperator::GreaterThanThreshold,
        treat_missing_data: treat,
        evaluate_low_sample_count: LowSampleCount::Evaluate,
        statistic: Some("Average".to_owned()),
    }
}
