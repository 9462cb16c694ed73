//! Malformed patterns: AWS's `InvalidParameterException` wording (as recorded from `TestMetricFilter`
//! and `FilterLogEvents`), the error kind, and a position that points at the problem.

mod common;

use common::rejection;
use openwatch_logs::filter_pattern::{
    ErrorKind, FilterPattern, INVALID_FILTER_PATTERN, INVALID_METRIC_FILTER_PATTERN,
    MAX_PATTERN_LENGTH,
};

fn error(pattern: &str) -> openwatch_logs::FilterPatternError {
    FilterPattern::parse(pattern).expect_err(pattern)
}

#[test]
fn recorded_messages() {
    for (pattern, message) in [
        ("ERR*", "Invalid character(s) in term '*'"),
        ("\"ERROR", "Invalid character(s) in term '\"ERROR'"),
        ("%^(ERROR|WARN)%", "Invalid character(s) in term '%^('"),
        ("%hello!%", "Invalid character(s) in term '%hello!'"),
        ("%café%", "Invalid character(s) in term '%café'"),
        ("%ERROR(?= 500)%", "Invalid character(s) in term '%ERROR('"),
        ("%[abc%", "Failed to compile regular expression."),
        ("{ $.v = null }", INVALID_METRIC_FILTER_PATTERN),
        ("{ $.v EXISTS }", INVALID_METRIC_FILTER_PATTERN),
        ("{ $.v IS NOT NULL }", "Invalid character(s) in term 'NOT'"),
        ("{ $.v == 1 }", INVALID_METRIC_FILTER_PATTERN),
        ("{ !($.v = 1) }", "Invalid character(s) in term '!('"),
        ("{ $.v > 0 AND $.v < 2 }", INVALID_METRIC_FILTER_PATTERN),
        ("{ \"v\": [1] }", "Invalid character(s) in term ':'"),
        (
            "{ $.v > \"Alpha\" }",
            "Invalid character(s) in term '\"Alpha\"'",
        ),
        (
            "{ $.v = %(Alpha|Beta)% }",
            "Invalid character(s) in term '%('",
        ),
        (
            "{ $.items[*].* = 1 }",
            "Your filter pattern has a JSON path selector that exceeds the maximum of 1 wildcard allowed per json selector.",
        ),
        (
            "{ $..value = \"hit\" }",
            "Invalid character(s) in term '$..'",
        ),
        (
            "{ $.arr[-1] = \"hit\" }",
            "Invalid character(s) in term '[-'",
        ),
        (
            "{ $.arr[0:2] = \"hit\" }",
            "Invalid character(s) in term '[0:'",
        ),
        (
            "{ $.arr[*] = \"hit\" || $.items[*].a = 1 || $.* = \"hit\" || $.matrix[*][0] = 0 }",
            "Your input has exceeded the maximum of 3 JSON wildcard selectors allowed per filter pattern.",
        ),
        (
            "{ $.v = %Alpha% || $.v = %Beta% || $.v = %Gamma% }",
            "Your input has exceeded the maximum of 2 regular expressions per filter pattern.",
        ),
        ("[..., status, ...]", "Duplicate field '...'"),
        ("[word, word]", "Duplicate field 'word'"),
    ] {
        assert_eq!(rejection(pattern), message, "{pattern:?}");
    }
}

#[test]
fn kinds() {
    for (pattern, kind) in [
        ("ERR*", ErrorKind::InvalidCharacter),
        ("{ $.v == 1 }", ErrorKind::Syntax),
        ("[a, a]", ErrorKind::DuplicateField),
        ("%a% %b% %c%", ErrorKind::TooManyRegex),
        ("[a=%a%, b=%b%, c=%c%]", ErrorKind::TooManyRegex),
        ("{ $.a[*].b[*] = 1 }", ErrorKind::SelectorWildcards),
        (
            "{ $.a[*]=1 || $.b[*]=1 || $.c[*]=1 || $.d[*]=1 }",
            ErrorKind::PatternWildcards,
        ),
        ("%a{2%", ErrorKind::InvalidRegex),
        (r"%\b%", ErrorKind::InvalidRegex),
        (r"%\1%", ErrorKind::InvalidRegex),
        ("%%", ErrorKind::InvalidRegex),
    ] {
        assert_eq!(error(pattern).kind(), kind, "{pattern:?}");
    }
    // Three wildcard selectors and two regexes are within the quotas.
    FilterPattern::parse("{ $.a[*]=1 || $.b[*]=1 || $.c[*]=%x% || $.d = %y% }")
        .expect("within quotas");
}

#[test]
fn filter_log_events_wording() {
    // FilterLogEvents says "Invalid filter pattern" where the metric-filter APIs say
    // "Invalid metric filter pattern"; specific messages are the same on both.
    let e = error("{ $.v == 1 }");
    assert_eq!(e.aws_message(), INVALID_METRIC_FILTER_PATTERN);
    assert_eq!(e.filter_log_events_message(), INVALID_FILTER_PATTERN);
    let e = error("[word, word]");
    assert_eq!(e.filter_log_events_message(), "Duplicate field 'word'");
}

#[test]
fn more_malformed_patterns() {
    for pattern in [
        "{",
        "{ }",
        "{ $.a = 1",
        "{ $.a = 1 } trailing",
        "{ $.a }",
        "{ $.a = }",
        "{ $.a = 1 && }",
        "{ ($.a = 1 }",
        "{ $.a IS MAYBE }",
        "{ $.a NOT THERE }",
        "{ $ = 1 }",
        "{ a = 1 }",
        "{ $.a = @x }",
        "{ $.a < abc }",
        "{ $.a[99999999999999999999999] = 1 }",
        "[",
        "[a",
        "[a b]",
        "[a = ]",
        "[= 1]",
        "[a > x]",
        "[a] x",
        "[a, ..., b, ...]",
        "-",
        "?",
        "ERROR:",
        "\"unterminated",
        "%unterminated",
        "%a(%",
        "%[a%",
    ] {
        let e = error(pattern);
        assert!(!e.aws_message().is_empty(), "{pattern:?}");
        assert!(
            e.offset() <= pattern.chars().count(),
            "{pattern:?}: offset {} past the end",
            e.offset()
        );
    }
}

#[test]
fn errors_say_where() {
    let e = error("{ $.a = 1 && $.b == 2 }");
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(e.offset(), 18, "points at the second '='");
    let shown = e.to_string();
    assert!(shown.starts_with(INVALID_METRIC_FILTER_PATTERN), "{shown}");
    assert!(shown.contains("at character 18"), "{shown}");

    let e = error("ERROR x*");
    assert_eq!(e.offset(), 7);
    assert!(e.detail().contains('*'), "{}", e.detail());
}

#[test]
fn length_limit() {
    let ok = "a".repeat(MAX_PATTERN_LENGTH);
    FilterPattern::parse(&ok).expect("1024 characters is allowed");
    let long = "é".repeat(MAX_PATTERN_LENGTH + 1);
    let e = error(&long);
    assert_eq!(e.kind(), ErrorKind::TooLong);
    assert!(e.aws_message().contains("1024"), "{}", e.aws_message());
}
