//! Golden matching cases for the documented semantics, each checked through the reference matcher,
//! the compiled `RuleSet` and the raw-bytes path.

use openwatch_patterns::{Pattern, RuleSet};
use serde_json::Value;

fn check(pattern: &str, event: &str, expected: bool) {
    let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let ev: Value = serde_json::from_str(event).unwrap_or_else(|e| panic!("{event}: {e}"));
    assert_eq!(p.matches(&ev), expected, "reference: {pattern} vs {event}");
    let mut set = RuleSet::new();
    set.add("r", &p);
    assert_eq!(
        set.matches(&ev) == vec!["r"],
        expected,
        "ruleset: {pattern} vs {event}"
    );
    let raw = set.matches_bytes(event.as_bytes()).map(|v| v == vec!["r"]);
    assert_eq!(raw, Ok(expected), "raw: {pattern} vs {event}");
}

#[test]
fn exact_values_by_type() {
    check(r#"{"a": [5]}"#, r#"{"a": 5}"#, true);
    check(r#"{"a": [300]}"#, r#"{"a": 3.0e2}"#, true);
    check(r#"{"a": [5]}"#, r#"{"a": "5"}"#, false);
    check(r#"{"a": ["5"]}"#, r#"{"a": 5}"#, false);
    check(r#"{"a": [true]}"#, r#"{"a": "true"}"#, false);
    check(r#"{"a": [true]}"#, r#"{"a": true}"#, true);
    check(r#"{"a": [null]}"#, r#"{"a": null}"#, true);
    check(r#"{"a": [null]}"#, r#"{}"#, false);
    check(r#"{"a": [""]}"#, r#"{"a": ""}"#, true);
    check(r#"{"a": [""]}"#, r#"{"a": null}"#, false);
    check(r#"{"a": ["x"]}"#, r#"{"a": {"b": "x"}}"#, false);
    check(r#"{"a": ["10.0.0.1"]}"#, r#"{"a": "010.0.0.1"}"#, true);
    check(r#"{"a": ["::0"]}"#, r#"{"a": "0:0:0:0:0:0:0:0"}"#, true);
}

#[test]
fn string_operators() {
    check(r#"{"a": [{"prefix": "ab"}]}"#, r#"{"a": "abc"}"#, true);
    check(r#"{"a": [{"prefix": "ab"}]}"#, r#"{"a": 123}"#, false);
    check(
        r#"{"a": [{"prefix": {"equals-ignore-case": "EVENTB"}}]}"#,
        r#"{"a": "EventBridge"}"#,
        true,
    );
    check(r#"{"a": [{"suffix": ".png"}]}"#, r#"{"a": "x.PNG"}"#, false);
    check(
        r#"{"a": [{"suffix": {"equals-ignore-case": ".png"}}]}"#,
        r#"{"a": "x.PNG"}"#,
        true,
    );
    check(
        r#"{"a": [{"equals-ignore-case": "alice"}]}"#,
        r#"{"a": "ALICE"}"#,
        true,
    );
    check(
        r#"{"a": [{"equals-ignore-case": "straße"}]}"#,
        r#"{"a": "STRAßE"}"#,
        true,
    );
    check(
        r#"{"a": [{"wildcard": "dir/*.png"}]}"#,
        r#"{"a": "dir/x/y.png"}"#,
        true,
    );
    check(
        r#"{"a": [{"wildcard": "dir/\\*.png"}]}"#,
        r#"{"a": "dir/x.png"}"#,
        false,
    );
    check(
        r#"{"a": [{"wildcard": "dir/\\*.png"}]}"#,
        r#"{"a": "dir/*.png"}"#,
        true,
    );
}

#[test]
fn anything_but() {
    check(r#"{"a": [{"anything-but": "x"}]}"#, r#"{"a": "y"}"#, true);
    check(r#"{"a": [{"anything-but": "x"}]}"#, r#"{"a": "x"}"#, false);
    check(r#"{"a": [{"anything-but": "x"}]}"#, r#"{}"#, false);
    check(
        r#"{"a": [{"anything-but": [1, 2]}]}"#,
        r#"{"a": 2.0}"#,
        false,
    );
    check(
        r#"{"a": [{"anything-but": [1, 2]}]}"#,
        r#"{"a": "2"}"#,
        true,
    );
    check(
        r#"{"a": [{"anything-but": {"prefix": "init"}}]}"#,
        r#"{"a": "initializing"}"#,
        false,
    );
    check(
        r#"{"a": [{"anything-but": {"suffix": [".txt", ".md"]}}]}"#,
        r#"{"a": "x.md"}"#,
        false,
    );
    check(
        r#"{"a": [{"anything-but": {"equals-ignore-case": ["A", "b"]}}]}"#,
        r#"{"a": "B"}"#,
        false,
    );
    check(
        r#"{"a": [{"anything-but": {"wildcard": "*/lib/*"}}]}"#,
        r#"{"a": "/usr/lib/x"}"#,
        false,
    );
    check(
        r#"{"a": [{"anything-but": "x"}]}"#,
        r#"{"a": ["x", "y"]}"#,
        true,
    );
}

#[test]
fn numeric_and_cidr() {
    check(
        r#"{"a": [{"numeric": [">", 0, "<=", 5]}]}"#,
        r#"{"a": 5}"#,
        true,
    );
    check(
        r#"{"a": [{"numeric": [">", 0, "<=", 5]}]}"#,
        r#"{"a": 0}"#,
        false,
    );
    check(r#"{"a": [{"numeric": [">", 0]}]}"#, r#"{"a": "7"}"#, false);
    check(
        r#"{"a": [{"numeric": ["=", 3.018e2]}]}"#,
        r#"{"a": 301.8}"#,
        true,
    );
    check(
        r#"{"a": [{"numeric": [">=", 100.00001]}]}"#,
        r#"{"a": 100}"#,
        false,
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/24"}]}"#,
        r#"{"a": "10.0.0.255"}"#,
        true,
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/24"}]}"#,
        r#"{"a": "10.0.1.0"}"#,
        false,
    );
    check(
        r#"{"a": [{"cidr": "2001:db8::/32"}]}"#,
        r#"{"a": "2001:db8:ffff::1"}"#,
        true,
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/8"}]}"#,
        r#"{"a": "not an ip"}"#,
        false,
    );
}

#[test]
fn exists() {
    check(r#"{"a": [{"exists": true}]}"#, r#"{"a": null}"#, true);
    check(r#"{"a": [{"exists": true}]}"#, r#"{"a": []}"#, false);
    check(r#"{"a": [{"exists": false}]}"#, r#"{"a": []}"#, true);
    check(r#"{"a": [{"exists": true}]}"#, r#"{"a": {"b": 1}}"#, false);
    check(r#"{"a": [{"exists": false}]}"#, r#"{"b": 1}"#, true);
    check(
        r#"{"a": [{"exists": false}], "b": [1]}"#,
        r#"{"b": 1}"#,
        true,
    );
    check(r#"{"a": [{"exists": false}, "x"]}"#, r#"{"a": "x"}"#, true);
    check(r#"{"a": [{"exists": false}, "x"]}"#, r#"{"a": "y"}"#, false);
}

#[test]
fn arrays_and_consistency() {
    check(
        r#"{"tags": ["admin"]}"#,
        r#"{"tags": ["user", "admin"]}"#,
        true,
    );
    check(
        r#"{"d": {"a": [1], "b": [2]}}"#,
        r#"{"d": [{"a": 1}, {"b": 2}]}"#,
        false,
    );
    check(
        r#"{"d": {"a": [1], "b": [2]}}"#,
        r#"{"d": [{"a": 1}, {"a": 1, "b": 2}]}"#,
        true,
    );
    check(
        r#"{"d": {"a": [{"exists": true}], "b": [{"exists": false}]}}"#,
        r#"{"d": [{"a": 1}, {"b": 2}]}"#,
        true,
    );
    check(
        r#"{"d": {"a": [{"exists": true}], "b": [{"exists": false}]}}"#,
        r#"{"d": [{"a": 1, "b": 2}]}"#,
        false,
    );
    check(r#"{"x": [1]}"#, r#"{"x": [[1, 2], [3]]}"#, true);
}

#[test]
fn or_and_dotted_keys() {
    check(
        r#"{"$or": [{"a": ["1"]}, {"b": ["2"]}], "c": ["3"]}"#,
        r#"{"b": "2", "c": "3"}"#,
        true,
    );
    check(
        r#"{"$or": [{"a": ["1"]}, {"b": ["2"]}], "c": ["3"]}"#,
        r#"{"b": "2", "c": "4"}"#,
        false,
    );
    check(
        r#"{"$or": [{"source": ["aws.ec2"]}, {"source": ["aws.s3"]}]}"#,
        r#"{"source": "my.app"}"#,
        false,
    );
    check(
        r#"{"d": {"$or": [{"x": [1]}, {"y": [{"numeric": ["<", 0]}]}]}}"#,
        r#"{"d": {"y": -1}}"#,
        true,
    );
    // event-ruler flattens both sides to dotted paths, so a dotted key and nesting are the same field.
    check(r#"{"c.count": [5]}"#, r#"{"c.count": 5}"#, true);
    check(r#"{"c.count": [5]}"#, r#"{"c": {"count": 5}}"#, true);
    check(r#"{"c": {"count": [5]}}"#, r#"{"c.count": 5}"#, true);
}

#[test]
fn rule_set_bookkeeping() {
    let a = Pattern::parse(r#"{"source": ["x"]}"#).unwrap_or_else(|e| panic!("{e}"));
    let b = Pattern::parse(r#"{"source": [{"prefix": "x"}]}"#).unwrap_or_else(|e| panic!("{e}"));
    let ev: Value = serde_json::json!({"source": "xy"});
    let mut set = RuleSet::new();
    set.add(1, &a);
    set.add(2, &b);
    assert_eq!(set.len(), 2);
    assert_eq!(set.matches(&ev), vec![2]);
    set.add(1, &b);
    let mut got = set.matches(&ev);
    got.sort_unstable();
    assert_eq!(got, vec![1, 2]);
    assert!(set.remove(&2));
    assert!(!set.remove(&2));
    assert_eq!(set.matches(&ev), vec![1]);
    set.remove(&1);
    assert!(set.is_empty());
    assert!(set.matches(&ev).is_empty());
    assert!(set.matches_bytes(b"[1]").is_err());
    assert!(set.matches_bytes(b"{\"a\": ").is_err());
}
