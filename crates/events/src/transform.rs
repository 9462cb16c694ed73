//! What a target receives: the event itself, a constant `Input`, the part of the event an
//! `InputPath` selects, or an `InputTransformer`'s template filled from the event.
//!
//! JSON paths are EventBridge's subset: `$`, `.name` (names may hold letters, digits, `-`, `_`, `/`
//! and other non-separator characters), `['name']`, `[n]` and the wildcards `.*` / `[*]`; a path
//! through a wildcard yields the array of what it reached.
//!
//! Template rules (AWS "input transformation"): `<var>` inside a JSON string is replaced by the
//! value's text, escaped for the string; outside a string by the value as JSON. A variable whose
//! path matched nothing becomes `null` (outside strings) or nothing (inside). The predefined
//! `<aws.events.event>` (the event without `detail`) and `<aws.events.event.json>` (the whole event)
//! are inserted as raw JSON; `<aws.events.rule-arn>`, `<aws.events.rule-name>` and
//! `<aws.events.event.ingestion-time>` as strings. Anything else in angle brackets is left as is.

use serde_json::Value;

use crate::error::EventsError;
use crate::limits::{MAX_INPUT_PATH_KEY, MAX_INPUT_PATHS, MAX_INPUT_TEMPLATE};
use crate::model::InputTransformer;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

/// A parsed JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    /// Parses a path in EventBridge's subset; `None` if it is not one.
    pub fn parse(text: &str) -> Option<JsonPath> {
        let mut rest = text.strip_prefix('$')?;
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                let name = &r[..end];
                if name.is_empty() {
                    return None;
                }
                steps.push(if name == "*" {
                    Step::Wildcard
                } else {
                    Step::Key(name.to_owned())
                });
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                let inner = &r[..end];
                let step = if inner == "*" {
                    Step::Wildcard
                } else if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|q| q.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|q| q.strip_suffix('"')))
                {
                    Step::Key(q.to_owned())
                } else {
                    Step::Index(inner.parse().ok()?)
                };
                steps.push(step);
                rest = &r[end + 1..];
            } else {
                return None;
            }
        }
        Some(JsonPath(steps))
    }

    /// What the path selects in `event`: `None` if nothing.
    pub fn select(&self, event: &Value) -> Option<Value> {
        let mut wild = false;
        let mut current = vec![event];
        for step in &self.0 {
            let mut next = Vec::new();
            for v in current {
                match (step, v) {
                    (Step::Key(k), Value::Object(m)) => next.extend(m.get(k)),
                    (Step::Index(i), Value::Array(a)) => next.extend(a.get(*i)),
                    (Step::Wildcard, Value::Object(m)) => next.extend(m.values()),
                    (Step::Wildcard, Value::Array(a)) => next.extend(a.iter()),
                    _ => {}
                }
            }
            wild |= *step == Step::Wildcard;
            current = next;
        }
        if wild {
            Some(Value::Array(current.into_iter().cloned().collect()))
        } else {
            current.first().map(|v| (*v).clone())
        }
    }
}

/// Predefined template variables.
pub const VAR_RULE_ARN: &str = "aws.events.rule-arn";
pub const VAR_RULE_NAME: &str = "aws.events.rule-name";
pub const VAR_INGESTION_TIME: &str = "aws.events.event.ingestion-time";
pub const VAR_EVENT: &str = "aws.events.event";
pub const VAR_EVENT_JSON: &str = "aws.events.event.json";

fn is_var_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Validates an `InputPath` (target member `member`).
pub fn check_input_path(path: &str) -> Result<(), EventsError> {
    JsonPath::parse(path).map(|_| ()).ok_or_else(|| {
        EventsError::Validation(format!("InputPath {path} is not a valid JSON path."))
    })
}

/// Validates an input transformer as PutTargets does.
pub fn check_transformer(t: &InputTransformer) -> Result<(), EventsError> {
    if t.input_paths_map.len() > MAX_INPUT_PATHS {
        return Err(EventsError::Validation(format!(
            "InputPathsMap has more than {MAX_INPUT_PATHS} entries."
        )));
    }
    for (key, path) in &t.input_paths_map {
        if key.is_empty() || key.len() > MAX_INPUT_PATH_KEY || !key.chars().all(is_var_char) {
            return Err(EventsError::Validation(format!(
                "InputPathsMap key {key} is not valid: keys are 1 to {MAX_INPUT_PATH_KEY} of [A-Za-z0-9_-]."
            )));
        }
        if JsonPath::parse(path).is_none() {
            return Err(EventsError::Validation(format!(
                "InputPathsMap value {path} for key {key} is not a valid JSON path."
            )));
        }
    }
    let len = t.input_template.chars().count();
    if len == 0 || len > MAX_INPUT_TEMPLATE {
        return Err(EventsError::Validation(format!(
            "InputTemplate must be 1 to {MAX_INPUT_TEMPLATE} characters."
        )));
    }
    Ok(())
}

/// The context predefined variables come from.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    pub ingestion_time: &'a str,
}

/// Escapes text for the inside of a JSON string.
fn escape_into(out: &mut String, text: &str) {
    let quoted = Value::String(text.to_owned()).to_string();
    out.push_str(&quoted[1..quoted.len() - 1]);
}

/// Fills an input template from `event`.
pub fn apply_transformer(t: &InputTransformer, event: &Value, ctx: RuleContext<'_>) -> String {
    let vars: Vec<(&str, Option<Value>)> = t
        .input_paths_map
        .iter()
        .map(|(k, p)| (k.as_str(), JsonPath::parse(p).and_then(|p| p.select(event))))
        .collect();
    let template = &t.input_template;
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            let name = &rest[1..end];
            if substitute(&mut out, name, &vars, event, ctx, in_string).is_some() {
                rest = &rest[end + 1..];
                escaped = false;
                continue;
            }
        }
        out.push(c);
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Writes variable `name`'s substitution; `None` if `name` is not a variable.
fn substitute(
    out: &mut String,
    name: &str,
    vars: &[(&str, Option<Value>)],
    event: &Value,
    ctx: RuleContext<'_>,
    in_string: bool,
) -> Option<()> {
    let value: Option<Value> = match name {
        VAR_EVENT_JSON => {
            out.push_str(&event.to_string());
            return Some(());
        }
        VAR_EVENT => {
            let mut e = event.clone();
            if let Value::Object(m) = &mut e {
                m.remove("detail");
            }
            out.push_str(&e.to_string());
            return Some(());
        }
        VAR_RULE_ARN => Some(Value::String(ctx.rule_arn.to_owned())),
        VAR_RULE_NAME => Some(Value::String(ctx.rule_name.to_owned())),
        VAR_INGESTION_TIME => Some(Value::String(ctx.ingestion_time.to_owned())),
        _ => vars.iter().find(|(k, _)| *k == name)?.1.clone(),
    };
    match (value, in_string) {
        (None, true) => {}
        (None, false) => out.push_str("null"),
        (Some(Value::String(s)), true) => escape_into(out, &s),
        (Some(v), true) => escape_into(out, &v.to_string()),
        (Some(v), false) => out.push_str(&v.to_string()),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ec2_event() -> Value {
        json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "123456789012",
            "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "n": 5, "tags": ["a", "b"]}
        })
    }

    fn ctx() -> RuleContext<'static> {
        RuleContext {
            rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
            rule_name: "r",
            ingestion_time: "2015-11-11T21:29:55Z",
        }
    }

    fn transform(paths: &[(&str, &str)], template: &str) -> String {
        let t = InputTransformer {
            input_paths_map: paths
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            input_template: template.to_owned(),
        };
        check_transformer(&t).expect("valid");
        apply_transformer(&t, &ec2_event(), ctx())
    }

    const PATHS: &[(&str, &str)] = &[
        ("instance", "$.detail.instance-id"),
        ("state", "$.detail.state"),
    ];

    #[test]
    fn string_template() {
        assert_eq!(
            transform(PATHS, "\"<instance> is in state <state>\""),
            "\"i-0123456789 is in state RUNNING\""
        );
    }

    #[test]
    fn json_template_quotes_and_values() {
        assert_eq!(
            transform(
                PATHS,
                r#"{"instance": <instance>, "state": [9, <state>, true], "msg": "<instance> is <state>"}"#
            ),
            r#"{"instance": "i-0123456789", "state": [9, "RUNNING", true], "msg": "i-0123456789 is RUNNING"}"#
        );
    }

    #[test]
    fn predefined_variables() {
        let out = transform(
            &[],
            r#"{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event>}"#,
        );
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["rule"], "r");
        assert_eq!(v["arn"], "arn:aws:events:us-east-1:123456789012:rule/r");
        assert_eq!(v["at"], "2015-11-11T21:29:55Z");
        assert_eq!(v["e"]["source"], "aws.ec2");
        assert!(v["e"].get("detail").is_none());
        let whole: Value =
            serde_json::from_str(&transform(&[], "<aws.events.event.json>")).expect("json");
        assert_eq!(whole, ec2_event());
    }

    #[test]
    fn missing_paths_objects_and_escaping() {
        let out = transform(
            &[
                ("missing", "$.detail.nope"),
                ("d", "$.detail"),
                ("tags", "$.detail.tags[1]"),
                ("all", "$.detail.tags[*]"),
            ],
            r#"{"m": <missing>, "ms": "x<missing>y", "d": <d>, "ds": "<d>", "t": <tags>, "all": <all>, "keep": "<b>bold</b>"}"#,
        );
        let v: Value = serde_json::from_str(&out).expect(&out);
        assert_eq!(v["m"], Value::Null);
        assert_eq!(v["ms"], "xy");
        assert_eq!(v["d"]["n"], 5);
        assert_eq!(
            serde_json::from_str::<Value>(v["ds"].as_str().expect("string")).expect("json"),
            ec2_event()["detail"]
        );
        assert_eq!(v["t"], "b");
        assert_eq!(v["all"], json!(["a", "b"]));
        assert_eq!(v["keep"], "<b>bold</b>");
    }

    #[test]
    fn escapes_quotes_in_values() {
        let mut e = ec2_event();
        e["detail"]["state"] = json!("say \"hi\"");
        let t = InputTransformer {
            input_paths_map: vec![("s".into(), "$.detail.state".into())],
            input_template: r#"{"s": "<s>"}"#.into(),
        };
        let out = apply_transformer(&t, &e, ctx());
        let v: Value = serde_json::from_str(&out).expect(&out);
        assert_eq!(v["s"], "say \"hi\"");
    }

    #[test]
    fn paths() {
        let e = ec2_event();
        assert_eq!(
            JsonPath::parse("$").and_then(|p| p.select(&e)),
            Some(e.clone())
        );
        assert_eq!(
            JsonPath::parse("$['detail']['state']").and_then(|p| p.select(&e)),
            Some(json!("RUNNING"))
        );
        assert_eq!(
            JsonPath::parse("$.resources[0]")
                .and_then(|p| p.select(&e))
                .map(|v| v.is_string()),
            Some(true)
        );
        for bad in ["detail", "$..a", "$.a[", "$.a[x]", "$."] {
            assert!(JsonPath::parse(bad).is_none(), "{bad}");
        }
        let bad_key = InputTransformer {
            input_paths_map: vec![("a.b".into(), "$.x".into())],
            input_template: "<a.b>".into(),
        };
        assert!(check_transformer(&bad_key).is_err());
    }
}
