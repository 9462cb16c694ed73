//! Property tests: missing-data mode is irrelevant without missing data, more breaching points
//! never leave ALARM, evaluation is transition-only, and the rule parser round-trips and never
//! panics.

use openwatch_alarms::{
    AlarmRule, AlarmState, ComparisonOperator, Datapoint, Evaluation, MetricAlarmConfig,
    TreatMissingData, decide, evaluate, evaluation_range_periods,
};
use proptest::prelude::*;

mod common;

const NOW_MS: i64 = 1_795_946_707_000;
const PERIOD_S: u32 = 60;

/// `common::config` over 60 s periods, on the Maximum, greater than or equal to 1.0.
fn config(m: u32, n: u32, treat: TreatMissingData) -> MetricAlarmConfig {
    MetricAlarmConfig {
        period_s: PERIOD_S,
        comparison: ComparisonOperator::GreaterThanOrEqualToThreshold,
        statistic: Some("Maximum".to_owned()),
        ..common::config(m, n, treat)
    }
}

/// Cells newest first: None = missing, Some(true) = breaching.
fn points(cells: &[Option<bool>]) -> Vec<Datapoint> {
    let p = i64::from(PERIOD_S) * 1000;
    let newest = NOW_MS / p * p - p;
    cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            c.map(|b| Datapoint::new(newest - i as i64 * p, if b { 2.0 } else { 0.0 }))
        })
        .collect()
}

fn alarm_shape() -> impl Strategy<Value = (u32, u32)> {
    (1u32..=6).prop_flat_map(|n| (1..=n, Just(n)))
}

proptest! {
    #[test]
    fn mode_irrelevant_without_missing_data((m, n) in alarm_shape(), bits in prop::collection::vec(any::<bool>(), 8)) {
        let cells: Vec<Option<bool>> = bits.into_iter().take(evaluation_range_periods(n)).map(Some).collect();
        let pts = points(&cells);
        let first = decide(&config(m, n, TreatMissingData::Missing), &pts, NOW_MS).state();
        prop_assert!(first.is_some());
        for &mode in TreatMissingData::ALL {
            prop_assert_eq!(decide(&config(m, n, mode), &pts, NOW_MS).state(), first);
        }
    }

    #[test]
    fn more_breaching_never_leaves_alarm(
        (m, n) in alarm_shape(),
        cells in prop::collection::vec(prop::option::of(any::<bool>()), 8),
        flip in 0usize..8,
    ) {
        let cells: Vec<Option<bool>> = cells.into_iter().take(evaluation_range_periods(n)).collect();
        let flip = flip % cells.len();
        prop_assume!(cells[flip] == Some(false));
        let mut worse = cells.clone();
        worse[flip] = Some(true);
        for &mode in TreatMissingData::ALL {
            let cfg = config(m, n, mode);
            let before = decide(&cfg, &points(&cells), NOW_MS).state();
            let after = decide(&cfg, &points(&worse), NOW_MS).state();
            if before == Some(AlarmState::Alarm) {
                prop_assert_eq!(after, Some(AlarmState::Alarm), "mode {}", mode);
            }
            if after == Some(AlarmState::Ok) {
                prop_assert_ne!(before, Some(AlarmState::Alarm));
            }
        }
    }

    #[test]
    fn transitions_only_on_change(
        (m, n) in alarm_shape(),
        cells in prop::collection::vec(prop::option::of(any::<bool>()), 8),
        mode in 0usize..4,
    ) {
        let cells: Vec<Option<bool>> = cells.into_iter().take(evaluation_range_periods(n)).collect();
        let cfg = config(m, n, TreatMissingData::ALL[mode]);
        let pts = points(&cells);
        for current in [AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData] {
            match (decide(&cfg, &pts, NOW_MS).state(), evaluate(&cfg, current, &pts, NOW_MS)) {
                (Some(s), Evaluation::Transition(t)) => {
                    prop_assert_ne!(s, current);
                    prop_assert_eq!((t.from, t.to), (current, s));
                    prop_assert!(serde_json::from_str::<serde_json::Value>(&t.reason_data).is_ok());
                }
                (Some(s), Evaluation::Unchanged) => prop_assert_eq!(s, current),
                (None, e) => prop_assert_eq!(e, Evaluation::Unchanged),
            }
        }
    }

    #[test]
    fn rule_parser_never_panics(s in "[A-Z_()\" a-z!]{0,60}") {
        let _ = AlarmRule::parse(&s);
    }

    #[test]
    fn rule_parser_never_panics_on_unicode(s in "\\PC{0,80}") {
        let _ = AlarmRule::parse(&s);
    }

    #[test]
    fn rule_round_trips(s in rule_text()) {
        let rule = AlarmRule::parse(&s).expect("generated rules are valid");
        let again = AlarmRule::parse(&rule.expr.to_string()).expect("canonical text parses");
        prop_assert_eq!(again.expr, rule.expr);
    }
}

fn rule_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("TRUE".to_owned()),
        Just("FALSE".to_owned()),
        (
            "(ALARM|OK|INSUFFICIENT_DATA)",
            "[a-z][a-z0-9 _.-]{0,8}[a-z]"
        )
            .prop_map(|(f, n)| format!("{f}(\"{n}\")")),
        ("(ALARM|OK)", "[a-z][a-z0-9_-]{0,8}").prop_map(|(f, n)| format!("{f}({n})")),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("NOT {e}")),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} AND {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} OR {b}")),
        ]
    })
}
