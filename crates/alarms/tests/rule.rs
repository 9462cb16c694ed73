//! Composite AlarmRule golden tests: parse (canonical form or error), evaluation, children,
//! cycles, composite transitions and actions suppression.

use std::collections::{BTreeMap, HashMap};

use openwatch_alarms::rule::{ChildState, MAX_CHILDREN, MAX_RULE_LENGTH, evaluate_composite};
use openwatch_alarms::{
    AlarmRule, AlarmState, Evaluation, RuleError, SuppressedBy, Suppression, SuppressorView,
    find_cycle, suppressed,
};

/// Parses `rule`; `expected` is the canonical text or `error: <message>`.
fn check(rule: &str, expected: &str) {
    let got = match AlarmRule::parse(rule) {
        Ok(r) => r.expr.to_string(),
        Err(e) => format!("error: {e}"),
    };
    assert_eq!(got, expected, "rule `{rule}`");
}

#[test]
fn parse_golden() {
    let table: &[(&str, &str)] = &[
        ("ALARM(CPU)", r#"ALARM("CPU")"#),
        (r#"ALARM("CPU high")"#, r#"ALARM("CPU high")"#),
        (
            "ALARM(CPU) AND NOT OK(Mem)",
            r#"(ALARM("CPU") AND NOT OK("Mem"))"#,
        ),
        (
            "ALARM(a) AND NOT OK(b) OR INSUFFICIENT_DATA(c)",
            r#"((ALARM("a") AND NOT OK("b")) OR INSUFFICIENT_DATA("c"))"#,
        ),
        (
            "ALARM(a) OR ALARM(b) AND ALARM(c)",
            r#"(ALARM("a") OR (ALARM("b") AND ALARM("c")))"#,
        ),
        (
            "(ALARM(a) OR ALARM(b)) AND ALARM(c)",
            r#"((ALARM("a") OR ALARM("b")) AND ALARM("c"))"#,
        ),
        ("NOT NOT TRUE", "NOT NOT TRUE"),
        ("  FALSE  ", "FALSE"),
        (
            "ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu)",
            r#"ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu")"#,
        ),
        ("ALARM( CPU )", r#"ALARM("CPU")"#),
        (
            r#"OK("with (parens) and spaces")"#,
            r#"OK("with (parens) and spaces")"#,
        ),
        ("", "error: AlarmRule must not be empty."),
        // AWS's own messages, as reported for CloudFormation deployments.
        (
            "()",
            "error: Error in AlarmRule [Unsupported token ')' at char 1]",
        ),
        (
            "(ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:SampleQueue Oldest Age Alarm) OR ALARM(x))",
            "error: Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']",
        ),
        (
            "ALARM(a) AND",
            "error: Error in AlarmRule [Unexpected end of rule at char 12]",
        ),
        (
            "ALARM(a",
            "error: Error in AlarmRule [Unexpected end of rule at char 7, must be: ')']",
        ),
        (
            "ALARM a",
            "error: Error in AlarmRule [Unsupported token 'a' at char 6, must be: '(']",
        ),
        (
            "ALARM()",
            "error: Error in AlarmRule [Unsupported token ')' at char 6]",
        ),
        (
            "ALARM(\"a)",
            "error: Error in AlarmRule [Unsupported token '\"' at char 6]",
        ),
        (
            "ALARM(\"  \")",
            "error: Error in AlarmRule [Unsupported token '\"' at char 6]",
        ),
        (
            "ALARMS(a)",
            "error: Error in AlarmRule [Unsupported token 'ALARMS' at char 0]",
        ),
        (
            "alarm(a)",
            "error: Error in AlarmRule [Unsupported token 'alarm' at char 0]",
        ),
        (
            "TRUE FALSE",
            "error: Error in AlarmRule [Unsupported token 'FALSE' at char 5]",
        ),
        (
            "(TRUE",
            "error: Error in AlarmRule [Unexpected end of rule at char 5, must be: ')']",
        ),
        (
            "ALARM(a) ANDOK(b)",
            "error: Error in AlarmRule [Unsupported token 'ANDOK' at char 9]",
        ),
    ];
    for (rule, expected) in table {
        check(rule, expected);
    }
}

#[test]
fn limits() {
    let long = format!("TRUE{}", " ".repeat(MAX_RULE_LENGTH - 3));
    assert_eq!(AlarmRule::parse(&long), Err(RuleError::TooLong));
    assert!(AlarmRule::parse(&long[..MAX_RULE_LENGTH]).is_ok());
    let rule = |n: usize| {
        (0..n)
            .map(|i| format!("ALARM(a{i})"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    assert_eq!(
        AlarmRule::parse(&rule(MAX_CHILDREN)).map(|r| r.children().len()),
        Ok(100)
    );
    assert_eq!(
        AlarmRule::parse(&rule(MAX_CHILDREN + 1)),
        Err(RuleError::TooManyChildren(101))
    );
    // Repeating a child does not count twice.
    assert!(AlarmRule::parse(&vec!["OK(x)"; 200].join(" AND ")).is_ok());
    let deep = format!("{}TRUE{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(AlarmRule::parse(&deep), Err(RuleError::TooDeep));
}

#[test]
fn evaluation_and_children() {
    let rule = AlarmRule::parse(
        "ALARM(cpu) AND NOT OK(\"mem\") OR INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:123456789012:alarm:disk)",
    )
    .expect("valid");
    assert_eq!(rule.child_names(), ["cpu", "mem", "disk"]);
    let states = |pairs: &[(&str, AlarmState)]| -> HashMap<String, AlarmState> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    let cases: &[(&[(&str, AlarmState)], AlarmState)] = &[
        (
            &[
                ("cpu", AlarmState::Alarm),
                ("mem", AlarmState::Alarm),
                ("disk", AlarmState::Ok),
            ],
            AlarmState::Alarm,
        ),
        (
            &[
                ("cpu", AlarmState::Alarm),
                ("mem", AlarmState::Ok),
                ("disk", AlarmState::Ok),
            ],
            AlarmState::Ok,
        ),
        (
            &[
                ("cpu", AlarmState::Ok),
                ("mem", AlarmState::Ok),
                ("disk", AlarmState::InsufficientData),
            ],
            AlarmState::Alarm,
        ),
        // Unknown children count as INSUFFICIENT_DATA.
        (
            &[("cpu", AlarmState::Ok), ("mem", AlarmState::Ok)],
            AlarmState::Alarm,
        ),
    ];
    for (pairs, want) in cases {
        let map = states(pairs);
        assert_eq!(rule.state(&|n| map.get(n).copied()), *want, "{pairs:?}");
    }
}

#[test]
fn cycles() {
    let rules = |pairs: &[(&str, &str)]| -> BTreeMap<String, AlarmRule> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), AlarmRule::parse(v).expect("valid")))
            .collect()
    };
    assert_eq!(
        find_cycle(&rules(&[("a", "ALARM(b)"), ("b", "ALARM(metric)")])),
        None
    );
    assert_eq!(
        find_cycle(&rules(&[
            ("a", "ALARM(b)"),
            ("b", "OK(c) OR TRUE"),
            ("c", "ALARM(a)")
        ])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        find_cycle(&rules(&[("self", "NOT ALARM(self)")])),
        Some(vec!["self".into(), "self".into()])
    );
    assert_eq!(
        find_cycle(&rules(&[(
            "x",
            "ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:x)"
        )])),
        Some(vec!["x".into(), "x".into()])
    );
    // A diamond is not a cycle.
    assert_eq!(
        find_cycle(&rules(&[
            ("top", "ALARM(l) AND ALARM(r)"),
            ("l", "ALARM(m)"),
            ("r", "ALARM(m)"),
            ("m", "TRUE")
        ])),
        None
    );
}

#[test]
fn composite_transition() {
    let rule = AlarmRule::parse("ALARM(cpu) OR ALARM(mem)").expect("valid");
    let child = |name: &str| -> Option<ChildState> {
        let (state, at) = match name {
            "cpu" => (AlarmState::Alarm, 1_795_946_400_000),
            "mem" => (AlarmState::Ok, 1_795_946_000_000),
            _ => return None,
        };
        Some(ChildState {
            arn: format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"),
            state,
            changed_at_ms: at,
        })
    };
    let Evaluation::Transition(t) = evaluate_composite(&rule, AlarmState::InsufficientData, &child)
    else {
        panic!("expected a transition");
    };
    assert_eq!(
        (t.from, t.to),
        (AlarmState::InsufficientData, AlarmState::Alarm)
    );
    assert_eq!(
        t.reason,
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu transitioned to ALARM at Sunday 29 November, 2026 10:00:00 UTC"
    );
    assert_eq!(
        t.reason_data,
        r#"{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu","state":{"value":"ALARM","timestamp":"2026-11-29T10:00:00.000+0000"}}]}"#
    );
    assert_eq!(
        evaluate_composite(&rule, AlarmState::Alarm, &child),
        Evaluation::Unchanged
    );
}

#[test]
fn suppression() {
    let s = Suppression {
        wait_period_s: 120,
        extension_period_s: 60,
    };
    let view = |state, previous, at| SuppressorView {
        state,
        previous_state: previous,
        changed_at_ms: at,
    };
    let t0 = 1_000_000;
    // (suppressor, composite changed at, now, expected)
    let table = [
        (
            view(AlarmState::Alarm, Some(AlarmState::Ok), t0),
            t0,
            t0 + 500_000,
            Some(SuppressedBy::Alarm),
        ),
        (
            view(AlarmState::Ok, None, 0),
            t0,
            t0 + 60_000,
            Some(SuppressedBy::WaitPeriod),
        ),
        (view(AlarmState::Ok, None, 0), t0, t0 + 120_000, None),
        (
            view(AlarmState::Ok, Some(AlarmState::Alarm), t0 + 10_000),
            t0,
            t0 + 30_000,
            Some(SuppressedBy::ExtensionPeriod),
        ),
        (
            view(AlarmState::Ok, Some(AlarmState::Alarm), t0 + 10_000),
            t0,
            t0 + 70_000,
            None,
        ),
        (
            view(AlarmState::InsufficientData, Some(AlarmState::Ok), t0 - 5),
            t0,
            t0 + 200_000,
            None,
        ),
    ];
    for (i, (sup, changed, now, want)) in table.into_iter().enumerate() {
        assert_eq!(suppressed(s, sup, changed, now), want, "row {i}");
    }
}
