//! Shared helpers for the filter-pattern tests: one `check` for (pattern, event, expected) tables.

#![allow(dead_code)]

use std::collections::BTreeMap;

use openwatch_logs::FilterPattern;

/// Parses `pattern`, panicking with the error if AWS would accept it but we do not.
pub fn pat(pattern: &str) -> FilterPattern {
    FilterPattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern:?} should parse: {e}"))
}

/// Asserts each (event, expected) row, and that `matches` and `match_event` agree.
pub fn check(pattern: &str, rows: &[(&str, bool)]) {
    let p = pat(pattern);
    for (event, expected) in rows {
        assert_eq!(
            p.matches(event),
            *expected,
            "pattern {pattern:?} on event {event:?}"
        );
        assert_eq!(
            p.match_event(event).is_some(),
            *expected,
            "match_event: pattern {pattern:?} on event {event:?}"
        );
    }
}

/// The indices of `corpus` the pattern matches.
pub fn matching(pattern: &str, corpus: &[&str]) -> Vec<usize> {
    let p = pat(pattern);
    let found: Vec<usize> = (0..corpus.len())
        .filter(|&i| p.matches(corpus[i]))
        .collect();
    let via_event: Vec<usize> = (0..corpus.len())
        .filter(|&i| p.match_event(corpus[i]).is_some())
        .collect();
    assert_eq!(
        found, via_event,
        "matches and match_event disagree for {pattern:?}"
    );
    found
}

/// `TestMetricFilter`'s `extractedValues` for one event (panics if it does not match).
pub fn extracted(pattern: &str, event: &str) -> BTreeMap<String, String> {
    pat(pattern)
        .match_event(event)
        .unwrap_or_else(|| panic!("{pattern:?} should match {event:?}"))
        .extracted_values()
}

/// Builds an extracted-values map from pairs.
pub fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// The AWS message of the error `pattern` is rejected with.
pub fn rejection(pattern: &str) -> String {
    match FilterPattern::parse(pattern) {
        Ok(_) => panic!("{pattern:?} should be rejected"),
        Err(e) => e.aws_message().to_string(),
    }
}
