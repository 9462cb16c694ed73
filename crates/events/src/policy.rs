//! Event bus resource policies: the statements PutPermission writes, and the evaluation that lets
//! another account put events on a bus (PutEvents by bus ARN, or an event-bus target).
//!
//! Evaluation is the resource-policy subset EventBridge bus policies use: a matching `Deny` wins,
//! else a matching `Allow` grants. A statement matches when its `Action` covers `events:PutEvents`
//! (`events:*`, `*`), its `Resource` covers the bus ARN (exact or `*` glob), its `Principal` names
//! the sender (`"*"`, or `{"AWS": …}` with an account id, `arn:aws:iam::<account>:root` or `*`),
//! and its `Condition`, if any, holds. Only `StringEquals` on `aws:PrincipalAccount` can hold here:
//! this server has no organizations, so an `aws:PrincipalOrgID` condition never matches.

use serde_json::{Value, json};

use crate::error::EventsError;

/// The longest bus policy (10 KB).
pub const MAX_POLICY_BYTES: usize = 10 * 1024;
/// The only action PutPermission grants.
pub const PUT_EVENTS_ACTION: &str = "events:PutEvents";
/// Longest statement id.
pub const MAX_STATEMENT_ID: usize = 64;

/// PutPermission's condition member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub kind: String,
    pub key: String,
    pub value: String,
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(t) = text.strip_prefix(head) else {
                return false;
            };
            (0..=t.len())
                .filter(|i| t.is_char_boundary(*i))
                .any(|i| glob(rest, &t[i..]))
        }
    }
}

fn action_matches(v: Option<&Value>) -> bool {
    v.is_some_and(|v| {
        as_list(v).iter().filter_map(|a| a.as_str()).any(|a| {
            let a = a.to_ascii_lowercase();
            a == "*" || a == "events:*" || a == PUT_EVENTS_ACTION.to_ascii_lowercase()
        })
    })
}

fn resource_matches(v: Option<&Value>, arn: &str) -> bool {
    v.is_some_and(|v| {
        as_list(v)
            .iter()
            .filter_map(|r| r.as_str())
            .any(|r| glob(r, arn))
    })
}

fn principal_matches(v: Option<&Value>, account: &str) -> bool {
    let root = format!("arn:aws:iam::{account}:root");
    match v {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m.get("AWS").is_some_and(|aws| {
            as_list(aws)
                .iter()
                .filter_map(|p| p.as_str())
                .any(|p| p == "*" || p == account || p == root)
        }),
        _ => false,
    }
}

fn condition_holds(v: Option<&Value>, account: &str) -> bool {
    let Some(Value::Object(ops)) = v else {
        return v.is_none();
    };
    ops.iter().all(|(op, keys)| {
        let Value::Object(keys) = keys else {
            return false;
        };
        keys.iter().all(|(key, values)| {
            op == "StringEquals"
                && key.eq_ignore_ascii_case("aws:PrincipalAccount")
                && as_list(values).iter().any(|x| x.as_str() == Some(account))
        })
    })
}

/// Whether `policy` lets `account` put events on the bus `bus_arn`.
pub fn allows_put_events(policy: &str, account: &str, bus_arn: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = doc.get("Statement").map(as_list).unwrap_or_default();
    let mut allowed = false;
    for s in statements {
        let matches = action_matches(s.get("Action"))
            && resource_matches(s.get("Resource"), bus_arn)
            && principal_matches(s.get("Principal"), account)
            && condition_holds(s.get("Condition"), account);
        match s.get("Effect").and_then(Value::as_str) {
            Some("Deny") if matches => return false,
            Some("Allow") if matches => allowed = true,
            _ => {}
        }
    }
    allowed
}

/// Checks a policy given whole (PutPermission's `Policy`).
pub fn check_policy(policy: &str) -> Result<(), EventsError> {
    if policy.len() > MAX_POLICY_BYTES {
        return Err(too_long());
    }
    let doc: Value = serde_json::from_str(policy)
        .map_err(|_| EventsError::Validation("Policy is not valid JSON.".to_owned()))?;
    let statements = doc
        .get("Statement")
        .map(as_list)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| EventsError::Validation("Policy has no Statement.".to_owned()))?;
    for s in statements {
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => {
                return Err(EventsError::Validation(
                    "Every policy statement needs an Effect of Allow or Deny.".to_owned(),
                ));
            }
        }
    }
    Ok(())
}

fn too_long() -> EventsError {
    EventsError::PolicyLengthExceeded(format!(
        "The event bus policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes."
    ))
}

/// Validates PutPermission's statement members and builds the statement.
pub fn statement(
    action: Option<&str>,
    principal: Option<&str>,
    statement_id: Option<&str>,
    condition: Option<&Condition>,
    bus_arn: &str,
) -> Result<(String, Value), EventsError> {
    let action = action
        .ok_or_else(|| EventsError::Validation("Parameter Action is required.".to_owned()))?;
    if action != PUT_EVENTS_ACTION {
        return Err(EventsError::Validation(format!(
            "Provided value in parameter 'action' is not supported. Only {PUT_EVENTS_ACTION} is supported."
        )));
    }
    let principal = principal
        .ok_or_else(|| EventsError::Validation("Parameter Principal is required.".to_owned()))?;
    if principal != "*" && !(principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(EventsError::constraint(
            principal,
            "principal",
            "Member must satisfy regular expression pattern: (\\d{12}|\\*)",
        ));
    }
    let sid = statement_id
        .ok_or_else(|| EventsError::Validation("Parameter StatementId is required.".to_owned()))?;
    if sid.is_empty()
        || sid.len() > MAX_STATEMENT_ID
        || !sid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(EventsError::constraint(
            sid,
            "statementId",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+",
        ));
    }
    let principal_value = if principal == "*" {
        json!("*")
    } else {
        json!({"AWS": format!("arn:aws:iam::{principal}:root")})
    };
    let mut s = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_value,
        "Action": action,
        "Resource": bus_arn,
    });
    if let Some(c) = condition {
        if c.kind != "StringEquals" || c.key != "aws:PrincipalOrgID" {
            return Err(EventsError::Validation(
                "Condition must have Type StringEquals and Key aws:PrincipalOrgID.".to_owned(),
            ));
        }
        s["Condition"] = json!({ "StringEquals": { "aws:PrincipalOrgID": c.value } });
    }
    Ok((sid.to_owned(), s))
}

/// Adds (or replaces, by Sid) a statement in `policy`.
pub fn add_statement(
    policy: Option<&str>,
    sid: &str,
    statement: Value,
) -> Result<String, EventsError> {
    let mut doc: Value = policy
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    let mut statements: Vec<Value> = doc
        .get("Statement")
        .map(|s| as_list(s).into_iter().cloned().collect())
        .unwrap_or_default();
    statements.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(sid));
    statements.push(statement);
    doc["Statement"] = Value::Array(statements);
    let text = doc.to_string();
    if text.len() > MAX_POLICY_BYTES {
        return Err(too_long());
    }
    Ok(text)
}

/// Removes statement `sid`; `None` if the policy becomes empty.
pub fn remove_statement(policy: Option<&str>, sid: &str) -> Result<Option<String>, EventsError> {
    let not_found =
        || EventsError::NotFound("Statement with the provided id does not exist.".to_owned());
    let mut doc: Value = policy
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(not_found)?;
    let statements: Vec<Value> = doc
        .get("Statement")
        .map(|s| as_list(s).into_iter().cloned().collect())
        .unwrap_or_default();
    let before = statements.len();
    let kept: Vec<Value> = statements
        .into_iter()
        .filter(|s| s.get("Sid").and_then(Value::as_str) != Some(sid))
        .collect();
    if kept.len() == before {
        return Err(not_found());
    }
    if kept.is_empty() {
        return Ok(None);
    }
    doc["Statement"] = Value::Array(kept);
    Ok(Some(doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/default";

    #[test]
    fn statements_grant_and_revoke() {
        let (sid, s) = statement(
            Some("events:PutEvents"),
            Some("111122223333"),
            Some("one"),
            None,
            BUS,
        )
        .expect("ok");
        let p = add_statement(None, &sid, s).expect("fits");
        assert!(allows_put_events(&p, "111122223333", BUS));
        assert!(!allows_put_events(&p, "444455556666", BUS));
        assert!(!allows_put_events(
            &p,
            "111122223333",
            "arn:aws:events:us-east-1:123456789012:event-bus/other"
        ));
        let (sid2, s2) = statement(
            Some("events:PutEvents"),
            Some("*"),
            Some("org"),
            Some(&Condition {
                kind: "StringEquals".into(),
                key: "aws:PrincipalOrgID".into(),
                value: "o-1".into(),
            }),
            BUS,
        )
        .expect("ok");
        let p2 = add_statement(Some(&p), &sid2, s2).expect("fits");
        assert!(
            !allows_put_events(&p2, "444455556666", BUS),
            "no organizations here"
        );
        let p3 = remove_statement(Some(&p2), "one")
            .expect("found")
            .expect("one left");
        assert!(!allows_put_events(&p3, "111122223333", BUS));
        assert!(remove_statement(Some(&p3), "one").is_err());
        assert_eq!(remove_statement(Some(&p3), "org").expect("found"), None);
    }

    #[test]
    fn whole_policies_with_deny_and_globs() {
        let p = r#"{"Statement":[
            {"Effect":"Allow","Principal":"*","Action":["events:*"],"Resource":"arn:aws:events:us-east-1:123456789012:event-bus/*"},
            {"Effect":"Deny","Principal":{"AWS":["999999999999"]},"Action":"events:PutEvents","Resource":"*"}]}"#;
        check_policy(p).expect("valid");
        assert!(allows_put_events(p, "111122223333", BUS));
        assert!(!allows_put_events(p, "999999999999", BUS));
        let cond = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}}"#;
        assert!(allows_put_events(cond, "111122223333", BUS));
        assert!(!allows_put_events(cond, "222211113333", BUS));
        assert!(check_policy("{}").is_err());
        assert!(check_policy(r#"{"Statement":[{"Effect":"Maybe"}]}"#).is_err());
        assert!(statement(Some("events:PutRule"), Some("*"), Some("x"), None, BUS).is_err());
        assert!(statement(Some("events:PutEvents"), Some("12"), Some("x"), None, BUS).is_err());
        assert!(
            statement(
                Some("events:PutEvents"),
                Some("*"),
                Some("bad id"),
                None,
                BUS
            )
            .is_err()
        );
    }

    #[test]
    fn glob_matching() {
        assert!(glob("*", "anything"));
        assert!(glob("arn:*:bus/*", "arn:x:bus/y"));
        assert!(!glob("arn:*:bus/z", "arn:x:bus/y"));
        assert!(glob("a*c*e", "abcde"));
    }
}
