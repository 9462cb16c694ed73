//! Property tests: the parser never panics, and the compiled `RuleSet` (both input paths) agrees with the
//! reference matcher on random rules and events.

use openwatch_patterns::{Pattern, RuleSet};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[a-z*\\\\.:/0-9 -]{0,8}".prop_map(Value::String),
        prop_oneof![
            Just("prefix"),
            Just("suffix"),
            Just("numeric"),
            Just("anything-but"),
            Just("exists"),
            Just("wildcard"),
            Just("cidr"),
            Just("equals-ignore-case"),
            Just("$or"),
            Just(">"),
            Just("<="),
            Just("10.0.0.0/8"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        "[a-c]{1,2}".prop_map(|s| s),
                        Just("prefix".to_string()),
                        Just("anything-but".to_string()),
                        Just("numeric".to_string()),
                        Just("exists".to_string()),
                        Just("$or".to_string()),
                        Just("wildcard".to_string()),
                        Just("cidr".to_string()),
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const KEYS: &[&str] = &["a", "b", "c", "a.b"];

fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..4).prop_map(|i| json!(i)),
        Just(json!(1.5)),
        Just(json!(2.0)),
        prop_oneof![
            Just("x"),
            Just("xy"),
            Just("yx"),
            Just("X"),
            Just(""),
            Just("10.0.0.1"),
            Just("10.1.0.1"),
            Just("abc"),
            Just("ABC"),
            Just("a*c")
        ]
        .prop_map(|s| json!(s)),
    ]
}

fn arb_event() -> impl Strategy<Value = Value> {
    let leaf = arb_scalar();
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 1..4).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    });
    prop::collection::vec((prop::sample::select(KEYS), value), 0..5).prop_map(|kv| {
        Value::Object(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

fn arb_matcher() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_scalar(),
        prop::sample::select(vec![
            json!({"prefix": "x"}),
            json!({"prefix": {"equals-ignore-case": "A"}}),
            json!({"suffix": "x"}),
            json!({"suffix": {"equals-ignore-case": "bc"}}),
            json!({"equals-ignore-case": "abc"}),
            json!({"wildcard": "*x*"}),
            json!({"wildcard": "a\\*c"}),
            json!({"numeric": [">", 0]}),
            json!({"numeric": [">=", -1, "<", 2]}),
            json!({"numeric": ["=", 1.5]}),
            json!({"exists": true}),
            json!({"exists": false}),
            json!({"cidr": "10.0.0.0/16"}),
            json!({"anything-but": "x"}),
            json!({"anything-but": [1, 2]}),
            json!({"anything-but": {"prefix": "x"}}),
            json!({"anything-but": {"suffix": ["x", "c"]}}),
            json!({"anything-but": {"equals-ignore-case": "abc"}}),
            json!({"anything-but": {"wildcard": "*y*"}}),
        ]),
    ]
}

fn arb_pattern() -> impl Strategy<Value = Value> {
    let leaf = prop::collection::vec(arb_matcher(), 1..3).prop_map(Value::Array);
    let node = leaf.prop_recursive(2, 12, 3, |inner| {
        prop::collection::vec((prop::sample::select(KEYS), inner), 1..3).prop_map(|kv| {
            Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>(),
            )
        })
    });
    let object =
        prop::collection::vec((prop::sample::select(KEYS), node.clone()), 1..3).prop_map(|kv| {
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>()
        });
    (
        object.clone(),
        prop::option::of(prop::collection::vec(object, 2..3)),
    )
        .prop_map(|(mut obj, or)| {
            if let Some(branches) = or {
                obj.insert(
                    "$or".into(),
                    Value::Array(branches.into_iter().map(Value::Object).collect()),
                );
            }
            Value::Object(obj)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(v in arb_json()) {
        let _ = Pattern::from_value(&v);
        let _ = Pattern::from_value_lenient(&v);
        let _ = Pattern::parse(&v.to_string());
    }

    #[test]
    fn parser_never_panics_on_text(s in "\\PC{0,64}") {
        let _ = Pattern::parse(&s);
    }

    #[test]
    fn raw_event_decoder_never_panics(s in "[{}\\[\\]\":,a-c0-9. \\\\tfnul-]{0,48}") {
        let mut set = RuleSet::new();
        if let Ok(p) = Pattern::parse(r#"{"a": [{"exists": true}], "b": {"c": ["x"]}}"#) {
            set.add(0, &p);
        }
        let _ = set.matches_bytes(s.as_bytes());
    }

    #[test]
    fn rule_set_agrees_with_reference(
        patterns in prop::collection::vec(arb_pattern(), 1..12),
        events in prop::collection::vec(arb_event(), 1..6),
    ) {
        let compiled: Vec<Pattern> = patterns.iter().filter_map(|p| Pattern::from_value_lenient(p).ok()).collect();
        let mut set = RuleSet::new();
        for (i, p) in compiled.iter().enumerate() {
            set.add(i, p);
        }
        for event in &events {
            let want: Vec<usize> =
                compiled.iter().enumerate().filter(|(_, p)| p.matches(event)).map(|(i, _)| i).collect();
            let mut got = set.matches(event);
            got.sort_unstable();
            prop_assert_eq!(&got, &want, "event {}", event);
            let bytes = serde_json::to_vec(event).unwrap_or_default();
            let mut raw = set.matches_bytes(&bytes).unwrap_or_default();
            raw.sort_unstable();
            prop_assert_eq!(&raw, &want, "raw event {}", event);
        }
        // Removing every other rule leaves exactly the others matching.
        for i in (0..compiled.len()).step_by(2) {
            set.remove(&i);
        }
        for event in &events {
            let want: Vec<usize> = compiled
                .iter()
                .enumerate()
                .filter(|(i, p)| i % 2 == 1 && p.matches(event))
                .map(|(i, _)| i)
                .collect();
            let mut got = set.matches(event);
            got.sort_unstable();
            prop_assert_eq!(&got, &want, "after removal, event {}", event);
        }
    }
}
