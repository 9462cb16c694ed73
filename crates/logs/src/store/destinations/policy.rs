//! A destination's access policy: a resource-based IAM policy document (at most
//! [`MAX_ACCESS_POLICY_BYTES`]) that says which principals may call `logs:PutSubscriptionFilter`
//! against the destination.
//!
//! Each statement names its principals (`Principal` or `NotPrincipal`): `"*"` or
//! `{"AWS": "*"}` (anyone, usually narrowed by a `Condition` such as `aws:PrincipalOrgID`, as AWS's
//! organization example does), account ids or `arn:aws:iam::<account>:root` (any principal of
//! that account), or IAM user/role ARNs (that principal only). Other principal types (`Service`,
//! `Federated`, `CanonicalUser`) are accepted and never match a caller of this API. The rest of
//! the statement — `Effect`, `Action`/`NotAction`, `Resource`/`NotResource`, `Condition` — is
//! the IAM policy language and is validated and evaluated by `openwatch_iam::policy` (condition
//! operators, `…IfExists`, set qualifiers, policy variables). An explicit `Deny` wins; otherwise
//! an applicable `Allow` is needed.
//!
//! Condition keys supplied: what the request carries (see the Logs facade: `aws:SourceIp`,
//! `aws:UserAgent`, `aws:RequestedRegion`, `aws:PrincipalType`, `aws:userid`, `aws:username`) and,
//! always, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:CurrentTime` and `aws:EpochTime`,
//! and the destination's tags as `aws:ResourceTag/<key>` (the key AWS lists for the destination
//! resource type).
//! This server has no AWS Organizations, so `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths`
//! are never present (a `StringEquals` on them does not match; a negated operator does), and
//! `aws:SourceAccount` / `aws:SourceArn` are absent as on AWS when a principal calls directly.

use openwatch_iam::policy::{ConditionContext, Decision, Policy, Request, evaluate, keys};
use serde_json::{Map, Value};

use crate::error::LogsError;

/// Largest destination access policy, in bytes.
pub const MAX_ACCESS_POLICY_BYTES: usize = 5120;

/// The action an access policy is asked about.
pub(crate) const SUBSCRIBE_ACTION: &str = "logs:PutSubscriptionFilter";

/// Who calls PutSubscriptionFilter, as a destination's access policy sees them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subscriber {
    /// The caller's ARN (`arn:aws:iam::<account>:root` or an IAM user's); `None` stands for the
    /// account's root.
    pub arn: Option<String>,
    /// The request's condition keys. `aws:PrincipalAccount`, `aws:PrincipalArn` and the request
    /// time are filled in when absent.
    pub context: ConditionContext,
}

impl Subscriber {
    /// The caller's ARN (the account root's when none was given).
    pub(crate) fn arn_or_root(&self, account: &str) -> String {
        self.arn
            .clone()
            .unwrap_or_else(|| format!("arn:aws:iam::{account}:root"))
    }

    /// The condition context, with the keys this store always knows added.
    pub(crate) fn full_context(&self, account: &str, now_millis: i64) -> ConditionContext {
        let mut ctx = self.context.clone();
        if ctx.get(keys::PRINCIPAL_ACCOUNT).is_none() {
            ctx.insert(keys::PRINCIPAL_ACCOUNT, account);
        }
        if ctx.get(keys::PRINCIPAL_ARN).is_none() {
            ctx.insert(keys::PRINCIPAL_ARN, self.arn_or_root(account));
        }
        if ctx.get(keys::CURRENT_TIME).is_none() {
            ctx.set_request_time(now_millis);
        }
        ctx
    }
}

/// Whom a statement names.
#[derive(Debug)]
enum Principals {
    Anyone,
    /// Account ids (from ids and `:root` ARNs) and other principal ARNs.
    Listed {
        accounts: Vec<String>,
        arns: Vec<String>,
    },
}

impl Principals {
    fn contains(&self, account: &str, arn: &str) -> bool {
        match self {
            Principals::Anyone => true,
            Principals::Listed { accounts, arns } => {
                accounts.iter().any(|a| a == account) || arns.iter().any(|a| a == arn)
            }
        }
    }
}

#[derive(Debug)]
struct PolicyStatement {
    /// `NotPrincipal`: the statement applies to everyone *not* named.
    negated: bool,
    principals: Principals,
    /// The statement without its principal, as a one-statement IAM policy.
    body: Policy,
}

/// A parsed, validated access policy.
#[derive(Debug)]
pub(crate) struct AccessPolicy {
    statements: Vec<PolicyStatement>,
}

fn bad(why: impl std::fmt::Display) -> LogsError {
    LogsError::invalid(format!("Invalid access policy: {why}"))
}

fn strings(v: &Value) -> Result<Vec<&str>, LogsError> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().ok_or_else(|| bad("principals must be strings")))
            .collect(),
        _ => Err(bad("principals must be a string or a list of strings")),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn read_principals(v: &Value) -> Result<Principals, LogsError> {
    if v.as_str() == Some("*") {
        return Ok(Principals::Anyone);
    }
    let map = v
        .as_object()
        .ok_or_else(|| bad("Principal must be \"*\" or an object such as {\"AWS\": [...]}"))?;
    if map.is_empty() {
        return Err(bad("Principal names no principal"));
    }
    let (mut accounts, mut arns) = (Vec::new(), Vec::new());
    for (kind, value) in map {
        let items = strings(value)?;
        if kind != "AWS" {
            // Service, Federated, CanonicalUser: valid, but never a caller of this API.
            continue;
        }
        for p in items {
            if p == "*" {
                return Ok(Principals::Anyone);
            }
            if is_account_id(p) {
                accounts.push(p.to_owned());
                continue;
            }
            let parts: Vec<&str> = p.splitn(6, ':').collect();
            match parts.as_slice() {
                ["arn", _, "iam", "", acct, "root"] if is_account_id(acct) => {
                    accounts.push((*acct).to_owned());
                }
                ["arn", _, "iam" | "sts", "", acct, rest]
                    if is_account_id(acct) && !rest.is_empty() =>
                {
                    arns.push(p.to_owned());
                }
                _ => {
                    return Err(bad(format!(
                        "invalid principal in policy: \"AWS\" : \"{p}\""
                    )));
                }
            }
        }
    }
    Ok(Principals::Listed { accounts, arns })
}

impl AccessPolicy {
    /// Parses and validates a policy document.
    pub(crate) fn parse(text: &str) -> Result<AccessPolicy, LogsError> {
        if text.is_empty() {
            return Err(LogsError::invalid(
                "1 validation error detected: Value '' at 'accessPolicy' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        if text.len() > MAX_ACCESS_POLICY_BYTES {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value at 'accessPolicy' failed to satisfy constraint: Member must have length less than or equal to {MAX_ACCESS_POLICY_BYTES}"
            )));
        }
        let doc: Value = serde_json::from_str(text).map_err(|_| bad("not a JSON document"))?;
        let top = doc.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let raw: Vec<&Value> = match top.get("Statement") {
            Some(Value::Array(items)) if !items.is_empty() => items.iter().collect(),
            Some(single @ Value::Object(_)) => vec![single],
            _ => return Err(bad("it has no Statement")),
        };
        let mut statements = Vec::with_capacity(raw.len());
        for s in raw {
            let mut body: Map<String, Value> = s
                .as_object()
                .ok_or_else(|| bad("each statement must be an object"))?
                .clone();
            let (negated, principal) = match (body.remove("Principal"), body.remove("NotPrincipal"))
            {
                (Some(p), None) => (false, p),
                (None, Some(p)) => (true, p),
                (Some(_), Some(_)) => {
                    return Err(bad(
                        "a statement cannot have both Principal and NotPrincipal",
                    ));
                }
                (None, None) => return Err(bad("each statement needs a Principal")),
            };
            let principals = read_principals(&principal)?;
            let mut one = Map::new();
            for key in ["Version", "Id"] {
                if let Some(v) = top.get(key) {
                    one.insert(key.to_owned(), v.clone());
                }
            }
            if let Some(k) = top
                .keys()
                .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
            {
                return Err(bad(format!("unknown element {k}")));
            }
            one.insert(
                "Statement".to_owned(),
                Value::Array(vec![Value::Object(body)]),
            );
            let body =
                Policy::parse(&Value::Object(one).to_string()).map_err(|e| bad(e.message()))?;
            statements.push(PolicyStatement {
                negated,
                principals,
                body,
            });
        }
        Ok(AccessPolicy { statements })
    }

    /// Whether the policy lets the principal `arn` of `account` subscribe to `resource` (the
    /// destination's ARN) in `context`.
    pub(crate) fn allows(
        &self,
        account: &str,
        arn: &str,
        resource: &str,
        context: &ConditionContext,
    ) -> bool {
        let request = Request {
            action: SUBSCRIBE_ACTION,
            resource,
            context,
        };
        let mut allowed = false;
        for st in &self.statements {
            if st.principals.contains(account, arn) == st.negated {
                continue;
            }
            match evaluate(std::slice::from_ref(&st.body), &request) {
                Decision::ExplicitDeny => return false,
                Decision::Allow => allowed = true,
                Decision::ImplicitDeny => {}
            }
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const ARN: &str = "arn:aws:logs:us-east-1:111111111111:destination:agg";
    const T: i64 = 1_764_000_000_000;

    fn allows(policy: &str, account: &str, sub: &Subscriber) -> bool {
        let p = AccessPolicy::parse(policy).unwrap_or_else(|e| panic!("{e}"));
        p.allows(
            account,
            &sub.arn_or_root(account),
            ARN,
            &sub.full_context(account, T),
        )
    }

    fn root() -> Subscriber {
        Subscriber::default()
    }

    #[test]
    fn listed_accounts_and_arns_are_allowed_and_deny_wins() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["222222222222","arn:aws:iam::333333333333:root","arn:aws:iam::444444444444:user/ship"]},"Action":"logs:PutSubscriptionFilter","Resource":"arn:aws:logs:us-east-1:111111111111:destination:*"}]}"#;
        assert!(allows(p, "222222222222", &root()));
        assert!(allows(p, "333333333333", &root()));
        assert!(!allows(p, "444444444444", &root()));
        let user = Subscriber {
            arn: Some("arn:aws:iam::444444444444:user/ship".into()),
            ..Subscriber::default()
        };
        assert!(allows(p, "444444444444", &user));
        assert!(!allows(p, "555555555555", &root()));
        let deny = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}"#;
        assert!(!allows(deny, "222222222222", &root()));
        let other_action = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:PutLogEvents","Resource":"*"}}"#;
        assert!(!allows(other_action, "222222222222", &root()));
        let other_dest = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"arn:aws:logs:us-east-1:111111111111:destination:other"}}"#;
        assert!(!allows(other_dest, "222222222222", &root()));
    }

    #[test]
    fn conditions_are_evaluated_with_the_callers_keys() {
        // AWS's organization example: nobody matches, this server has no organizations.
        let org = r#"{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":["logs:PutSubscriptionFilter","logs:PutAccountPolicy"],"Resource":"arn:aws:logs:us-east-1:111111111111:destination:agg","Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-1234567890"]}}}]}"#;
        assert!(!allows(org, "222222222222", &root()));
        let by_account = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"logs:PutSubscriptionFilter","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":["222222222222","333333333333"]}}}]}"#;
        assert!(allows(by_account, "222222222222", &root()));
        assert!(allows(by_account, "333333333333", &root()));
        assert!(!allows(by_account, "444444444444", &root()));
        let before = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:PutSubscriptionFilter","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2025-11-24T16:00:00Z"}}}]}"#;
        // T is 2025-11-24T16:00:00Z: not strictly before it.
        assert!(!allows(before, "222222222222", &root()));
        let after = before.replace("DateLessThan", "DateGreaterThanEquals");
        assert!(allows(&after, "222222222222", &root()));
        let ip = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"logs:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
        let mut inside = root();
        inside.context.insert(keys::SOURCE_IP, "10.1.2.3");
        let mut outside = root();
        outside.context.insert(keys::SOURCE_IP, "192.0.2.1");
        assert!(allows(ip, "222222222222", &inside));
        assert!(!allows(ip, "222222222222", &outside));
        let not_principal = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"222222222222"},"Action":"logs:*","Resource":"*"}]}"#;
        assert!(allows(not_principal, "222222222222", &root()));
        assert!(!allows(not_principal, "333333333333", &root()));
    }

    #[test]
    fn invalid_policies_are_refused() {
        for p in [
            "",
            "not json",
            "[]",
            r#"{"Statement":[]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Maybe","Principal":{"AWS":"222222222222"},"Action":"logs:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"12"},"Action":"logs:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*","Condition":{"Whatever":{"aws:x":"1"}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"PutSubscriptionFilter","Resource":"*"}]}"#,
            r#"{"Extra":1,"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"}]}"#,
        ] {
            assert!(AccessPolicy::parse(p).is_err(), "{p}");
        }
        let long = format!(
            r#"{{"Statement":[{{"Sid":"{}","Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"}}]}}"#,
            "a".repeat(MAX_ACCESS_POLICY_BYTES)
        );
        assert!(AccessPolicy::parse(&long).is_err());
    }
}
