//! Property tests: the parsers and the template engine never panic, and templates whose variables
//! sit in JSON value positions stay valid JSON.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::model::InputTransformer;
use crate::schedule::Schedule;
use crate::transform::{JsonPath, RuleContext, apply_transformer, check_transformer};

fn ctx() -> RuleContext<'static> {
    RuleContext {
        rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
        rule_name: "r",
        ingestion_time: "2025-01-01T00:00:00Z",
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
    ]
}

proptest! {
    #[test]
    fn schedule_parse_never_panics(text in ".{0,40}") {
        let _ = Schedule::parse(&text);
        let _ = Schedule::parse(&format!("cron({text})"));
        let _ = Schedule::parse(&format!("rate({text})"));
    }

    #[test]
    fn json_path_never_panics(text in "\\$[.\\[\\]'a-z0-9*]{0,20}") {
        if let Some(p) = JsonPath::parse(&text) {
            let _ = p.select(&json!({"a": [1, {"b": 2}], "c": {"d": "e"}}));
        }
    }

    #[test]
    fn template_never_panics(template in ".{0,60}") {
        let t = InputTransformer {
            input_paths_map: vec![("a".into(), "$.detail.a".into())],
            input_template: template,
        };
        let _ = apply_transformer(&t, &json!({"detail": {"a": "x\"y"}}), ctx());
    }

    #[test]
    fn value_positions_stay_valid_json(a in leaf(), b in leaf()) {
        let t = InputTransformer {
            input_paths_map: vec![
                ("a".into(), "$.detail.a".into()),
                ("b".into(), "$.detail.b".into()),
                ("m".into(), "$.detail.missing".into()),
            ],
            input_template: r#"{"a": <a>, "s": "<a> and <b>", "list": [<b>, <m>]}"#.into(),
        };
        prop_assert!(check_transformer(&t).is_ok());
        let event = json!({"detail": {"a": a.clone(), "b": b.clone()}});
        let out = apply_transformer(&t, &event, ctx());
        let v: Value = serde_json::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        prop_assert_eq!(&v["a"], &a);
        prop_assert_eq!(&v["list"][0], &b);
        prop_assert_eq!(&v["list"][1], &Value::Null);
    }
}
