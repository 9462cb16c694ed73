//! Subscription filter policies: validation with SNS's limits, and matching a message's
//! attributes (`FilterPolicyScope` `MessageAttributes`, the default) or its JSON body
//! (`MessageBody`).
//!
//! The policy language is EventBridge's (exact strings, numbers, `prefix`, `suffix`,
//! `equals-ignore-case`, `anything-but`, `numeric`, `exists`, `cidr`, `$or`), so
//! `openwatch-patterns` parses and matches it. What differs from EventBridge:
//! - SNS limits: at most 5 keys (distinct leaf paths), at most 150 value combinations (for each
//!   `$or` branch, the product of the leaf arrays' lengths; summed over branches), 256 KB of
//!   JSON; every number within ±1,000,000,000 with at most 5 decimals.
//! - `wildcard` / `anything-but wildcard` are EventBridge-only and refused.
//! - Attribute policies may not nest objects. A message's attributes become one JSON object:
//!   `String` (and `String.*`) values are strings, `Number` values numbers, `String.Array`
//!   values the array they hold; `Binary` attributes are never matched.
//! - A `MessageBody` policy matches only messages whose body is a JSON object.

use std::collections::{BTreeMap, BTreeSet};

use openwatch_patterns::Pattern;
use serde_json::{Map, Value};

use crate::{MessageAttribute, SnsError};

/// Most keys a policy may name.
pub const MAX_FILTER_KEYS: usize = 5;
/// Most value combinations a policy may expand to.
pub const MAX_FILTER_COMBINATIONS: usize = 150;
/// Largest policy, in bytes.
pub const MAX_FILTER_POLICY_BYTES: usize = 256 * 1024;

/// What a filter policy is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterScope {
    MessageAttributes,
    MessageBody,
}

impl FilterScope {
    /// Parses the `FilterPolicyScope` attribute value.
    pub fn parse(s: &str) -> Result<FilterScope, SnsError> {
        match s {
            "MessageAttributes" => Ok(FilterScope::MessageAttributes),
            "MessageBody" => Ok(FilterScope::MessageBody),
            _ => Err(SnsError::invalid(
                "Invalid parameter: FilterPolicyScope: Invalid filter policy scope, supported values are MessageAttributes and MessageBody",
            )),
        }
    }
}

fn invalid(m: impl std::fmt::Display) -> SnsError {
    SnsError::invalid(format!("Invalid parameter: FilterPolicy: {m}"))
}

/// Checks every number and operator of the policy; `nested` is whether objects may nest.
fn walk(v: &Value, in_leaf: bool, nested: bool) -> Result<(), SnsError> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::INFINITY);
            if !(-1.0e9..=1.0e9).contains(&f) {
                return Err(invalid(
                    "Numeric values must be between -1000000000 and 1000000000",
                ));
            }
            let text = n.to_string();
            if text
                .split_once('.')
                .is_some_and(|(_, d)| d.trim_end_matches(|c: char| !c.is_ascii_digit()).len() > 5)
            {
                return Err(invalid(
                    "Numeric values may have at most 5 digits after the decimal point",
                ));
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|i| walk(i, true, nested)),
        Value::Object(o) => {
            for (k, v) in o {
                if in_leaf && k == "wildcard" {
                    return Err(invalid("Unrecognized match type wildcard"));
                }
                if !in_leaf && k != "$or" && v.is_object() && !nested {
                    return Err(SnsError::invalid(
                        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
                    ));
                }
                walk(v, in_leaf, nested)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Validates a policy for `scope`; returns it parsed.
pub fn parse_policy(text: &str, scope: FilterScope) -> Result<Pattern, SnsError> {
    if text.len() > MAX_FILTER_POLICY_BYTES {
        return Err(invalid("Filter policy is too big"));
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("failed to parse JSON. {e}")))?;
    if !v.is_object() {
        return Err(invalid("Filter policy must be a JSON object"));
    }
    walk(&v, false, scope == FilterScope::MessageBody)?;
    let pattern = Pattern::from_value_lenient(&v).map_err(|e| invalid(e.reason()))?;
    let keys: BTreeSet<&str> = pattern
        .sub_rules()
        .iter()
        .flat_map(|r| r.constraints.iter().map(|c| c.path.as_str()))
        .collect();
    if keys.len() > MAX_FILTER_KEYS {
        return Err(invalid(format!(
            "Filter policy can not have more than {MAX_FILTER_KEYS} keys"
        )));
    }
    let mut combinations = 0usize;
    for rule in pattern.sub_rules() {
        let product = rule
            .constraints
            .iter()
            .fold(1usize, |acc, c| acc.saturating_mul(c.matchers.len().max(1)));
        combinations = combinations.saturating_add(product);
    }
    if combinations > MAX_FILTER_COMBINATIONS {
        return Err(invalid("Filter policy is too complex"));
    }
    Ok(pattern)
}

/// A message's attributes as the JSON document attribute policies match.
pub fn attributes_document(attributes: &BTreeMap<String, MessageAttribute>) -> Value {
    let mut doc = Map::new();
    for (name, a) in attributes {
        let base = a.data_type.split('.').next().unwrap_or_default();
        let value = match (base, a.data_type.as_str()) {
            (_, "String.Array") => match serde_json::from_str::<Value>(&a.value) {
                Ok(v @ Value::Array(_)) => v,
                _ => continue,
            },
            ("String", _) => Value::String(a.value.clone()),
            ("Number", _) => match serde_json::from_str::<Value>(a.value.trim()) {
                Ok(v @ Value::Number(_)) => v,
                _ => Value::String(a.value.clone()),
            },
            _ => continue,
        };
        doc.insert(name.clone(), value);
    }
    Value::Object(doc)
}

/// Whether a message passes a subscription's policy.
pub fn passes(
    pattern: &Pattern,
    scope: FilterScope,
    message: &str,
    attributes: &BTreeMap<String, MessageAttribute>,
) -> bool {
    match scope {
        FilterScope::MessageAttributes => pattern.matches(&attributes_document(attributes)),
        FilterScope::MessageBody => match serde_json::from_str::<Value>(message) {
            Ok(v @ Value::Object(_)) => pattern.matches(&v),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn attrs(items: &[(&str, &str, &str)]) -> BTreeMap<String, MessageAttribute> {
        items
            .iter()
            .map(|(n, t, v)| {
                (
                    (*n).to_owned(),
                    MessageAttribute {
                        data_type: (*t).to_owned(),
                        value: (*v).to_owned(),
                    },
                )
            })
            .collect()
    }

    fn check(policy: &str, scope: FilterScope, message: &str, a: &[(&str, &str, &str)]) -> bool {
        passes(
            &parse_policy(policy, scope).unwrap(),
            scope,
            message,
            &attrs(a),
        )
    }

    #[test]
    fn attribute_policies() {
        let s = FilterScope::MessageAttributes;
        let p = r#"{"store":["example_corp"],"price_usd":[{"numeric":[">=",100]}],
                    "event":[{"anything-but":["order_cancelled"]}]}"#;
        let good = [
            ("store", "String", "example_corp"),
            ("price_usd", "Number", "210.75"),
            ("event", "String", "order_placed"),
        ];
        assert!(check(p, s, "m", &good));
        let mut cheap = good;
        cheap[1] = ("price_usd", "Number", "99");
        assert!(!check(p, s, "m", &cheap));
        assert!(!check(p, s, "m", &[]));
        // String.Array: any element matches.
        let p = r#"{"sport":["rugby"]}"#;
        assert!(check(
            p,
            s,
            "m",
            &[("sport", "String.Array", r#"["soccer","rugby"]"#)]
        ));
        assert!(!check(
            p,
            s,
            "m",
            &[("sport", "String.Array", r#"["soccer"]"#)]
        ));
        // Binary attributes never match; exists false does.
        assert!(!check(p, s, "m", &[("sport", "Binary", "cnVnYnk=")]));
        assert!(check(r#"{"sport":[{"exists":false}]}"#, s, "m", &[]));
        // prefix, suffix, equals-ignore-case, cidr, $or.
        assert!(check(
            r#"{"a":[{"prefix":"ab"}]}"#,
            s,
            "m",
            &[("a", "String", "abc")]
        ));
        assert!(check(
            r#"{"a":[{"suffix":"bc"}]}"#,
            s,
            "m",
            &[("a", "String", "abc")]
        ));
        assert!(check(
            r#"{"a":[{"equals-ignore-case":"ABC"}]}"#,
            s,
            "m",
            &[("a", "String", "abc")]
        ));
        assert!(check(
            r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#,
            s,
            "m",
            &[("ip", "String", "10.0.0.7")]
        ));
        let or = r#"{"a":["x"],"$or":[{"b":["y"]},{"c":["z"]}]}"#;
        assert!(check(
            or,
            s,
            "m",
            &[("a", "String", "x"), ("c", "String", "z")]
        ));
        assert!(!check(or, s, "m", &[("a", "String", "x")]));
    }

    #[test]
    fn body_policies() {
        let s = FilterScope::MessageBody;
        let p = r#"{"order":{"status":["paid"]}}"#;
        assert!(check(p, s, r#"{"order":{"status":"paid"}}"#, &[]));
        assert!(!check(p, s, r#"{"order":{"status":"new"}}"#, &[]));
        assert!(!check(p, s, "not json", &[]));
    }

    #[test]
    fn limits_and_errors() {
        let a = FilterScope::MessageAttributes;
        let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
        let e = parse_policy(six, a).unwrap_err();
        assert!(e.to_string().contains("more than 5 keys"), "{e}");
        let values: Vec<String> = (0..13).map(|i| format!("\"{i}\"")).collect();
        let list = values.join(",");
        let complex = format!(r#"{{"a":[{list}],"b":[{list}]}}"#);
        assert!(
            parse_policy(&complex, a)
                .unwrap_err()
                .to_string()
                .contains("too complex")
        );
        let nested = r#"{"a":{"b":["1"]}}"#;
        assert!(
            parse_policy(nested, a)
                .unwrap_err()
                .to_string()
                .contains("nested")
        );
        assert!(parse_policy(nested, FilterScope::MessageBody).is_ok());
        for bad in [
            "[]",
            "nope",
            r#"{"a":"x"}"#,
            r#"{"a":[{"numeric":[">",1000000001]}]}"#,
            r#"{"a":[1.123456]}"#,
            r#"{"a":[{"wildcard":"*x"}]}"#,
            r#"{"a":[{"bogus":1}]}"#,
        ] {
            assert!(parse_policy(bad, a).is_err(), "{bad}");
        }
        assert!(FilterScope::parse("Body").is_err());
    }
}
