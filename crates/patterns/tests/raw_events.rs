//! The raw-bytes path against `serde_json`: which inputs are rejected, and that accepted ones match as the
//! parsed `Value` does (escapes, non-ASCII text, dotted keys, numbers, paths no rule names).

use openwatch_patterns::{Pattern, RuleSet};
use serde_json::Value;

fn rule_set() -> RuleSet<usize> {
    let patterns = [
        r#"{"k": ["é\"x"]}"#,
        r#"{"k": [{"prefix": "ü"}]}"#,
        r#"{"a": {"b": [{"suffix": "\\"}]}}"#,
        r#"{"n": [{"numeric": [">", 1, "<=", 5]}]}"#,
        r#"{"n": [{"numeric": [">=", 5]}], "k": [{"exists": true}]}"#,
        r#"{"n": [7.25]}"#,
        r#"{"a.b": ["\u0001\n"]}"#,
    ];
    let mut set = RuleSet::new();
    for (i, p) in patterns.iter().enumerate() {
        let p = Pattern::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        set.add(i, &p);
    }
    set
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

#[test]
fn accepted_events_match_like_parsed_ones() {
    let set = rule_set();
    let events: &[&[u8]] = &[
        br#"{"k": "\u00e9\"x"}"#,
        "{\"k\": \"é\\\"x\"}".as_bytes(),
        "{\"k\": \"über\", \"skip\": \"ça \\u00e7a \\ud83d\\ude00 😀\"}".as_bytes(),
        br#"{"a": {"b": "ends with \\"}, "zzz": {"deep": [1, {"x": "\\"}]}}"#,
        br#"{"a.b": "\u0001\n", "n": 3}"#,
        br#"{"a": {"b": "\u0001\n"}, "n": 5, "k": null}"#,
        br#"{"n": 7.25, "k": ["y", "\/"]}"#,
        br#"{"n": 725e-2}"#,
        br#"{"n": -0, "k": "x"}"#,
        "  {\"n\" : [ 2 , 6 ] , \"k\" : \"é\\\"x\" }  ".as_bytes(),
        "{\"k\": \"\\u00FC\", \"other\": \"ğğğğğğğğğğğğğğğğ\"}".as_bytes(),
    ];
    for e in events {
        let text = String::from_utf8_lossy(e);
        let value: Value = serde_json::from_slice(e).unwrap_or_else(|err| panic!("{text}: {err}"));
        let raw = set
            .matches_bytes(e)
            .unwrap_or_else(|err| panic!("{text}: {err}"));
        assert_eq!(sorted(raw), sorted(set.matches(&value)), "{text}");
    }
    // Spot checks that the cases above exercise real matches.
    assert_eq!(
        sorted(
            set.matches_bytes(br#"{"k": "\u00e9\"x"}"#)
                .unwrap_or_default()
        ),
        vec![0]
    );
    assert_eq!(
        sorted(set.matches_bytes(br#"{"n": 725e-2}"#).unwrap_or_default()),
        vec![5]
    );
    assert_eq!(
        sorted(
            set.matches_bytes(br#"{"a.b": "\u0001\n", "n": 3}"#)
                .unwrap_or_default()
        ),
        vec![3, 6]
    );
}

#[test]
fn malformed_events_are_rejected_wherever_they_are() {
    let set = rule_set();
    let bad: &[&[u8]] = &[
        b"{\"k\": \"\xff\"}",
        b"{\"skip\": \"\xc3\"}",
        b"{\"skip\": \"ok \xe2\x82\"}",
        b"{\"k\xc3\": 1}",
        b"{\"k\": \"a\nb\"}",
        b"{\"skip\": \"a\tb\"}",
        br#"{"skip": "\x"}"#,
        br#"{"skip": "\ud83d"}"#,
        br#"{"k": "\udc00"}"#,
        br#"{"skip": "\u12"}"#,
        br#"{"skip": "unterminated}"#,
        br#"{"k": tru}"#,
        br#"{"n": 01}"#,
        br#"{"n": 1.}"#,
        br#"{"k": "x"} x"#,
        b"{\"k\": \"x\"} \xc3\xa9",
        br#"{"k": "x",}"#,
        br#"{"n": 1e400}"#,
    ];
    for e in bad {
        let text = String::from_utf8_lossy(e);
        assert!(
            serde_json::from_slice::<Value>(e).is_err(),
            "serde accepts {text}"
        );
        assert!(set.matches_bytes(e).is_err(), "raw accepts {text}");
    }
    // Valid JSON that is not an object is not an event.
    assert!(set.matches_bytes(br#"["k"]"#).is_err());
    assert!(set.matches_bytes(b"7").is_err());
}
