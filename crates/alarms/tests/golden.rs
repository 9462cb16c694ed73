//! AWS's two documented missing-data tables as golden data, plus StateReason/StateReasonData
//! shapes. Every row runs through one `check()` helper for all four TreatMissingData modes.

use openwatch_alarms::{
    AlarmState, ComparisonOperator, Datapoint, Decision, Evaluation, LowSampleCount,
    MetricAlarmConfig, TreatMissingData, decide, evaluate, evaluation_range_periods,
};

/// 2026-11-29T10:05:00Z plus 7 seconds: the newest complete period starts at 10:00:00.
const NOW_MS: i64 = 1_795_946_707_000;

mod common;
use common::{PERIOD_S, config};

/// `0 - X - X` (oldest left, newest right) to datapoints ending at the newest complete period.
fn datapoints(pattern: &str) -> Vec<Datapoint> {
    let cells: Vec<&str> = pattern.split_whitespace().collect();
    let p = i64::from(PERIOD_S) * 1000;
    let newest = NOW_MS / p * p - p;
    let count = cells.len() as i64;
    cells
        .iter()
        .enumerate()
        .filter_map(|(i, cell)| {
            let ts = newest - (count - 1 - i as i64) * p;
            match *cell {
                "X" => Some(Datapoint::new(ts, 5.0)),
                "0" => Some(Datapoint::new(ts, 0.0)),
                "-" => None,
                other => panic!("bad cell {other}"),
            }
        })
        .collect()
}

fn parse_expected(s: &str) -> Option<AlarmState> {
    match s {
        "keep" => None,
        "OK" => Some(AlarmState::Ok),
        "ALARM" => Some(AlarmState::Alarm),
        "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
        other => panic!("bad expectation {other}"),
    }
}

/// Checks one row in every mode: the decision, and that `evaluate` yields a transition exactly
/// when the decided state differs from the current one ("keep" never transitions).
fn check(m: u32, n: u32, pattern: &str, expected: [&str; 4]) {
    let points = datapoints(pattern);
    for (mode, want) in TreatMissingData::ALL.iter().copied().zip(expected) {
        let cfg = config(m, n, mode);
        assert_eq!(
            pattern.split_whitespace().count(),
            evaluation_range_periods(n)
        );
        let want = parse_expected(want);
        let got = decide(&cfg, &points, NOW_MS).state();
        assert_eq!(got, want, "M={m} N={n} `{pattern}` mode {mode}");
        for current in [
            AlarmState::Ok,
            AlarmState::Alarm,
            AlarmState::InsufficientData,
        ] {
            let eval = evaluate(&cfg, current, &points, NOW_MS);
            match (want, eval.transition()) {
                (Some(to), Some(t)) if to != current => {
                    assert_eq!((t.from, t.to), (current, to), "`{pattern}` {mode}");
                    assert!(!t.reason.is_empty() && t.reason_data.starts_with('{'));
                }
                (Some(to), None) if to == current => {}
                (None, None) => {}
                (w, t) => panic!("`{pattern}` {mode} from {current}: want {w:?}, got {t:?}"),
            }
        }
    }
}

#[test]
fn missing_data_tables() {
    // (M, N, datapoints, [missing, ignore, breaching, notBreaching])
    let table: &[(u32, u32, &str, [&str; 4])] = &[
        // Table 1: DatapointsToAlarm = EvaluationPeriods = 3.
        (3, 3, "0 - X - X", ["OK", "OK", "OK", "OK"]),
        (3, 3, "0 - - - -", ["OK", "OK", "OK", "OK"]),
        (
            3,
            3,
            "- - - - -",
            ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"],
        ),
        (3, 3, "0 X X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
        (
            3,
            3,
            "- - - - X",
            ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"],
        ),
        (3, 3, "X - - - -", ["ALARM", "keep", "ALARM", "OK"]),
        // Table 2: DatapointsToAlarm = 2, EvaluationPeriods = 3.
        (2, 3, "0 - X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
        (2, 3, "0 0 X 0 X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
        (2, 3, "0 - X - -", ["OK", "OK", "ALARM", "OK"]),
        (2, 3, "- - - - 0", ["OK", "OK", "ALARM", "OK"]),
        (
            2,
            3,
            "- - - - X",
            ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"],
        ),
    ];
    for &(m, n, pattern, expected) in table {
        check(m, n, pattern, expected);
    }
}

fn transition(cfg: &MetricAlarmConfig, from: AlarmState, pattern: &str) -> (String, String) {
    match evaluate(cfg, from, &datapoints(pattern), NOW_MS) {
        Evaluation::Transition(t) => (t.reason, t.reason_data),
        Evaluation::Unchanged => panic!("no transition for `{pattern}`"),
    }
}

#[test]
fn reason_to_alarm() {
    let cfg = config(3, 3, TreatMissingData::Missing);
    let (reason, data) = transition(&cfg, AlarmState::Ok, "0 0 X X X");
    assert_eq!(
        reason,
        "Threshold Crossed: 3 out of the last 3 datapoints [5.0 (29/11/26 10:00:00), \
         5.0 (29/11/26 09:55:00), 5.0 (29/11/26 09:50:00)] were greater than the threshold (1.0) \
         (minimum 3 datapoints for OK -> ALARM transition)."
    );
    assert_eq!(
        data,
        r#"{"version":"1.0","queryDate":"2026-11-29T10:05:07.000+0000","startDate":"2026-11-29T09:50:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[0.0,0.0,5.0,5.0,5.0],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2026-11-29T10:00:00.000+0000","value":5.0},{"timestamp":"2026-11-29T09:55:00.000+0000","value":5.0},{"timestamp":"2026-11-29T09:50:00.000+0000","value":5.0}]}"#
    );
}

#[test]
fn reason_to_ok_and_classic_and_filled() {
    let cfg = config(2, 3, TreatMissingData::Missing);
    let (reason, _) = transition(&cfg, AlarmState::Alarm, "0 0 X 0 0");
    assert_eq!(
        reason,
        "Threshold Crossed: 2 out of the last 3 datapoints [0.0 (29/11/26 10:00:00), \
         0.0 (29/11/26 09:55:00)] were not greater than the threshold (1.0) \
         (minimum 2 datapoints for ALARM -> OK transition)."
    );
    let classic = MetricAlarmConfig {
        datapoints_to_alarm: None,
        evaluation_periods: 1,
        ..cfg.clone()
    };
    let (reason, _) = transition(&classic, AlarmState::Alarm, "X X 0");
    assert_eq!(
        reason,
        "Threshold Crossed: 1 datapoint [0.0 (29/11/26 10:00:00)] was not greater than the threshold (1.0)."
    );
    let breaching = config(3, 3, TreatMissingData::Breaching);
    let (reason, data) = transition(&breaching, AlarmState::Ok, "- - - - -");
    assert_eq!(
        reason,
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]."
    );
    assert!(
        data.contains(r#""evaluatedDatapoints":[{"timestamp":"2026-11-29T10:00:00.000+0000"}"#),
        "{data}"
    );
    let (reason, _) = transition(
        &config(3, 3, TreatMissingData::Missing),
        AlarmState::Ok,
        "- - - - X",
    );
    assert_eq!(reason, "Insufficient Data: 2 datapoints were unknown.");
}

#[test]
fn band_operators_compare_per_point_bounds() {
    let mut cfg = config(1, 1, TreatMissingData::Missing);
    cfg.threshold = None;
    cfg.comparison = ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold;
    let p = i64::from(PERIOD_S) * 1000;
    let newest = NOW_MS / p * p - p;
    let band = |v: f64| Datapoint {
        lower: Some(1.0),
        upper: Some(3.0),
        ..Datapoint::new(newest, v)
    };
    for (value, want) in [
        (0.5, AlarmState::Alarm),
        (2.0, AlarmState::Ok),
        (3.5, AlarmState::Alarm),
    ] {
        assert_eq!(
            decide(&cfg, &[band(value)], NOW_MS).state(),
            Some(want),
            "{value}"
        );
    }
    cfg.comparison = ComparisonOperator::GreaterThanUpperThreshold;
    assert_eq!(
        decide(&cfg, &[band(0.5)], NOW_MS).state(),
        Some(AlarmState::Ok)
    );
    // Without the band the point cannot be compared: it is missing.
    assert_eq!(
        decide(&cfg, &[Datapoint::new(newest, 9.0)], NOW_MS).state(),
        Some(AlarmState::InsufficientData)
    );
}

#[test]
fn low_sample_percentiles() {
    let mut cfg = config(1, 1, TreatMissingData::Missing);
    cfg.statistic = Some("p99".to_owned());
    let p = i64::from(PERIOD_S) * 1000;
    let newest = NOW_MS / p * p - p;
    let point = |samples: f64| Datapoint {
        sample_count: Some(samples),
        ..Datapoint::new(newest, 5.0)
    };
    // p99 needs 10 / (1 - 0.99) = 1000 samples.
    assert_eq!(
        decide(&cfg, &[point(999.0)], NOW_MS).state(),
        Some(AlarmState::Alarm)
    );
    cfg.evaluate_low_sample_count = LowSampleCount::Ignore;
    assert_eq!(decide(&cfg, &[point(999.0)], NOW_MS), Decision::Keep);
    assert_eq!(
        decide(&cfg, &[point(1000.0)], NOW_MS).state(),
        Some(AlarmState::Alarm)
    );
    // p10 needs 10 / 0.1 = 100 samples.
    cfg.statistic = Some("p10".to_owned());
    assert_eq!(decide(&cfg, &[point(99.0)], NOW_MS), Decision::Keep);
    assert_eq!(
        decide(&cfg, &[point(100.0)], NOW_MS).state(),
        Some(AlarmState::Alarm)
    );
}

#[test]
fn unaligned_timestamps_land_in_their_period() {
    // Two points 30 s into their periods, N = 3 with `breaching`: one filled period, not two.
    let cfg = config(3, 3, TreatMissingData::Breaching);
    let mut points = datapoints("- - - 0 X");
    for p in &mut points {
        p.timestamp_ms += 30_000;
    }
    let Decision::Set(v) = decide(&cfg, &points, NOW_MS) else {
        panic!("decided")
    };
    assert_eq!(
        (v.state, v.evaluated.len(), v.filled),
        (AlarmState::Ok, 3, 1)
    );
    let stamps: Vec<i64> = v.evaluated.iter().map(|e| e.timestamp_ms).collect();
    let p = 300_000;
    let newest = NOW_MS / p * p - p;
    assert_eq!(stamps, [newest, newest - p, newest - 2 * p]);
    assert!(v.evaluated[2].point.is_none() && v.evaluated[2].breaching);
}
