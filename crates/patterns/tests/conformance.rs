//! Conformance: the reference matcher and the compiled `RuleSet` agree with every recorded event-ruler case.

use openwatch_patterns::{Pattern, RuleSet};
use serde_json::Value;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/conformance/event-patterns/cases.jsonl"
);

struct Case {
    line: usize,
    pattern: Value,
    event: Value,
    expected: bool,
}

fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("reading {CASES}: {e}"));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let row: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("row {}: {e}", i + 1));
            Case {
                line: i + 1,
                pattern: row["pattern"].clone(),
                event: row["event"].clone(),
                expected: row["matches"]
                    .as_bool()
                    .unwrap_or_else(|| panic!("row {}: no matches flag", i + 1)),
            }
        })
        .collect()
}

/// Rows come from event-ruler, which skips EventBridge-only limits (pattern length, numeric range and
/// precision, the `$or` combination cap). A row that strict validation rejects is compiled leniently so
/// the matching semantics are still checked; such rows are counted and must stay rare.
fn compile(case: &Case, lenient_rows: &mut Vec<usize>) -> Pattern {
    match Pattern::from_value(&case.pattern) {
        Ok(p) => p,
        Err(strict) => {
            lenient_rows.push(case.line);
            Pattern::from_value_lenient(&case.pattern).unwrap_or_else(|e| {
                panic!(
                    "row {}: pattern rejected ({e}; strict: {strict}): {}",
                    case.line, case.pattern
                )
            })
        }
    }
}

#[test]
fn every_case_agrees_with_event_ruler() {
    let cases = load();
    assert_eq!(cases.len(), 3701, "expected 3,701 conformance rows");
    let mut failures = Vec::new();
    let mut lenient_rows = Vec::new();
    for case in &cases {
        let pattern = compile(case, &mut lenient_rows);
        let reference = pattern.matches(&case.event);
        let mut set = RuleSet::new();
        set.add(0u32, &pattern);
        let compiled = !set.matches(&case.event).is_empty();
        let raw =
            serde_json::to_vec(&case.event).map(|b| set.matches_bytes(&b).map(|v| !v.is_empty()));
        if reference != case.expected
            || compiled != case.expected
            || !matches!(raw, Ok(Ok(r)) if r == case.expected)
        {
            failures.push(format!(
                "row {}: expected {} reference {} ruleset {} raw {:?}\n  pattern {}\n  event {}",
                case.line, case.expected, reference, compiled, raw, case.pattern, case.event
            ));
        }
    }
    println!(
        "{} / {} rows agree; {} rows compiled leniently: {:?}",
        cases.len() - failures.len(),
        cases.len(),
        lenient_rows.len(),
        lenient_rows
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        lenient_rows.len() <= 5,
        "too many rows needed the lenient compile path: {lenient_rows:?}"
    );
}

#[test]
fn one_ruleset_with_all_patterns_matches_like_individual_patterns() {
    // All distinct patterns in one RuleSet: each event must yield exactly the rules whose reference matches.
    let cases = load();
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut ignored = Vec::new();
    for case in &cases {
        if seen.insert(case.pattern.to_string()) {
            patterns.push(compile(case, &mut ignored));
        }
    }
    let mut set = RuleSet::new();
    for (i, p) in patterns.iter().enumerate() {
        set.add(i, p);
    }
    let mut events_seen = std::collections::HashSet::new();
    for case in &cases {
        if !events_seen.insert(case.event.to_string()) {
            continue;
        }
        let mut got = set.matches(&case.event);
        got.sort_unstable();
        let want: Vec<usize> = patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| p.matches(&case.event))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, want, "row {}: event {}", case.line, case.event);
    }
}
