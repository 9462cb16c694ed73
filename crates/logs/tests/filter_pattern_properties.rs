//! Property tests: parsing never panics on any input, matching never panics on any message, and a few
//! semantic invariants hold on random inputs.

use openwatch_logs::FilterPattern;
use openwatch_logs::filter_pattern::fuzz_parse_and_match;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Pattern-ish text: pieces of every pattern language glued together in random order.
fn pattern_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just("("),
        Just(")"),
        Just(" "),
        Just(","),
        Just("$.a"),
        Just("$.b[0]"),
        Just("$.*"),
        Just("$.c[*]"),
        Just(".d"),
        Just("$.['x.y']"),
        Just("="),
        Just("!="),
        Just(">"),
        Just("<="),
        Just("=!"),
        Just("&&"),
        Just("||"),
        Just("IS NULL"),
        Just("IS TRUE"),
        Just("NOT EXISTS"),
        Just("\"x y\""),
        Just("\""),
        Just("%a.c%"),
        Just("%[0-9]+%"),
        Just("%"),
        Just("\\"),
        Just("..."),
        Just("?"),
        Just("-"),
        Just("ERROR"),
        Just("1"),
        Just("-2.5e3"),
        Just("*"),
        Just("4*"),
        Just("w1"),
        Just("null"),
        Just("é"),
        Just("{,2}"),
        Just("\\d"),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-z0-9 *.\"]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-e]", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Event messages: free text, space-delimited lines, and JSON documents.
fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9 \"\\[\\]\t*.-]{0,40}",
        arb_json().prop_map(|v| v.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = FilterPattern::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_pattern_like_text(text in pattern_text()) {
        let _ = FilterPattern::parse(&text);
    }

    #[test]
    fn matching_never_panics(text in pattern_text(), msg in message()) {
        if let Ok(p) = FilterPattern::parse(&text) {
            let m = p.match_event(&msg);
            prop_assert_eq!(p.matches(&msg), m.is_some());
            if let Some(m) = m {
                let _ = m.extracted_values();
                let _ = m.value("$.a");
                let _ = m.value("$1");
            }
        }
    }

    #[test]
    fn fuzz_entry_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
        fuzz_parse_and_match(&data);
    }

    #[test]
    fn bare_term_is_substring(word in "[A-Za-z0-9_]{1,6}", msg in "[A-Za-z0-9_ ]{0,30}") {
        let p = FilterPattern::parse(&word).expect("a word is a term");
        prop_assert_eq!(p.matches(&msg), msg.contains(&word));
        let not = FilterPattern::parse(&format!("-{word}")).expect("an excluded term");
        prop_assert_eq!(not.matches(&msg), !msg.contains(&word));
    }

    #[test]
    fn quoted_prefix_wildcard(prefix in "[A-Za-z0-9]{0,4}", s in "[A-Za-z0-9]{0,8}") {
        let p = FilterPattern::parse(&format!("{{ $.v = \"{prefix}*\" }}")).expect("parses");
        let event = json!({ "v": s }).to_string();
        prop_assert_eq!(p.matches(&event), s.starts_with(&prefix));
    }

    #[test]
    fn numeric_comparison(x in -1000i32..1000, y in -1000i32..1000) {
        let event = json!({ "n": x }).to_string();
        for (op, expected) in [(">", x > y), (">=", x >= y), ("<", x < y), ("<=", x <= y), ("=", x == y), ("!=", x != y)] {
            let p = FilterPattern::parse(&format!("{{ $.n {op} {y} }}")).expect("parses");
            prop_assert_eq!(p.matches(&event), expected, "{} {} {}", x, op, y);
        }
    }

    #[test]
    fn delimited_fields_round_trip(words in prop::collection::vec("[a-z0-9]{1,6}", 1..8)) {
        let msg = words.join(" ");
        let names: Vec<String> = (0..words.len()).map(|i| format!("f{i}")).collect();
        let p = FilterPattern::parse(&format!("[{}]", names.join(", "))).expect("parses");
        let m = p.match_event(&msg).expect("as many fields as words");
        for (name, word) in names.iter().zip(&words) {
            prop_assert_eq!(m.value(&format!("${name}")), Some(word.clone()));
        }
    }
}
