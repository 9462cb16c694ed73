//! Identity-policy documents: parsing, IAM's validation (with its error messages) and the
//! compiled form that evaluation uses.
//!
//! Validation runs in IAM's order so the first error reported is the one IAM reports:
//! JSON/grammar ("Syntax errors in policy."), a `Principal` in an identity policy, legacy parsing
//! (effect case, date values, resource shapes), statement id uniqueness, presence of actions and
//! resources, resource ARN format, and action/condition-key vendor prefixes.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value};

use super::condition::{Condition, Family, Operator};
use super::time::parse_date_millis;
use super::wildcard::{Pattern, PatternOptions};

/// The current policy language version; policy variables are substituted only under it.
pub const POLICY_VERSION_2012_10_17: &str = "2012-10-17";
/// The legacy policy language version (no policy variables).
pub const POLICY_VERSION_2008_10_17: &str = "2008-10-17";

/// Any grammar error: invalid JSON, unknown or mistyped element, unknown condition operator.
pub const MSG_SYNTAX: &str = "Syntax errors in policy.";
/// An identity policy named a principal.
pub const MSG_PRINCIPAL: &str = "Policy document should not specify a principal.";
/// IAM's legacy parser rejected the document (effect case, date values, resource shape).
pub const MSG_LEGACY: &str = "The policy failed legacy parsing";
/// Two statements share a `Sid`.
pub const MSG_SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
/// A `Sid` holds characters other than ASCII letters and digits.
pub const MSG_SID_ALNUM: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
/// A statement has neither `Action` nor `NotAction` (or an empty list).
pub const MSG_NO_ACTIONS: &str = "Policy statement must contain actions.";
/// A statement has neither `Resource` nor `NotResource` (or an empty list).
pub const MSG_NO_RESOURCES: &str = "Policy statement must contain resources.";
/// An action or condition key without a `vendor:` prefix.
pub const MSG_VENDOR: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
/// An action with more than one `:`.
pub const MSG_ONE_COLON: &str = "Actions/Condition can contain only one colon.";
/// A resource ARN without a service part.
pub const MSG_RESOURCE_VENDOR: &str =
    "Resource vendor must be fully qualified and cannot contain regexes.";

const TOP_LEVEL_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_ELEMENTS: &[&str] = &["Principal", "NotPrincipal"];

/// A policy document IAM would reject; the message is IAM's `MalformedPolicyDocument` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    message: String,
}

impl PolicyError {
    fn new(message: impl Into<String>) -> Self {
        PolicyError {
            message: message.into(),
        }
    }

    /// IAM's message for this error.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// The policy language version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `2008-10-17`, also the meaning of a document without `Version`.
    V2008_10_17,
    /// `2012-10-17`.
    V2012_10_17,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The statement grants the request.
    Allow,
    /// The statement refuses the request, whatever else allows it.
    Deny,
}

/// `Action`/`Resource` (match any) or `NotAction`/`NotResource` (match none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Clause {
    Only(Vec<Pattern>),
    Not(Vec<Pattern>),
}

/// A parsed, validated identity policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    version: PolicyVersion,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// One compiled statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    pub(crate) actions: Clause,
    pub(crate) resources: Clause,
    pub(crate) conditions: Vec<Condition>,
}

impl Statement {
    /// The statement id, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Allow or Deny.
    pub fn effect(&self) -> Effect {
        self.effect
    }
}

impl Policy {
    /// Parses and validates an identity-policy document (the JSON text, already URL-decoded).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let doc: Value = serde_json::from_str(text).map_err(|_| PolicyError::new(MSG_SYNTAX))?;
        let raw = RawPolicy::read(&doc)?;
        raw.validate()?;
        Ok(raw.compile())
    }

    /// A policy that denies every action on every resource (used to fail closed when a stored
    /// document can no longer be parsed).
    pub fn deny_all() -> Policy {
        let all = |fold_case| {
            vec![Pattern::compile(
                "*",
                PatternOptions {
                    wildcards: true,
                    variables: false,
                    fold_case,
                },
            )]
        };
        Policy {
            version: PolicyVersion::V2012_10_17,
            id: None,
            statements: vec![Statement {
                sid: None,
                effect: Effect::Deny,
                actions: Clause::Only(all(true)),
                resources: Clause::Only(all(false)),
                conditions: Vec::new(),
            }],
        }
    }

    /// The declared language version.
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// The document's `Id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

/// A statement's grammar-checked elements, before validation and compilation.
struct RawStatement<'a> {
    sid: Option<&'a str>,
    effect: &'a str,
    /// (`NotAction`?, values)
    actions: Option<(bool, Vec<&'a str>)>,
    /// (`NotResource`?, values)
    resources: Option<(bool, Vec<&'a str>)>,
    conditions: Vec<(Operator, &'a str, Vec<String>)>,
}

struct RawPolicy<'a> {
    version: Option<&'a str>,
    id: Option<&'a str>,
    statements: Vec<RawStatement<'a>>,
}

fn syntax() -> PolicyError {
    PolicyError::new(MSG_SYNTAX)
}

fn string_or_list(value: &Value) -> Result<Vec<&str>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(syntax))
            .collect(),
        _ => Err(syntax()),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn condition_values(value: &Value) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| scalar_text(v).ok_or_else(syntax))
            .collect(),
        other => scalar_text(other).map(|s| vec![s]).ok_or_else(syntax),
    }
}

/// Reads the clause named `name` or `not_name` (both present is a syntax error).
fn clause<'a>(
    st: &'a Map<String, Value>,
    name: &str,
    not_name: &str,
) -> Result<Option<(bool, Vec<&'a str>)>, PolicyError> {
    match (st.get(name), st.get(not_name)) {
        (Some(_), Some(_)) => Err(syntax()),
        (Some(v), None) => Ok(Some((false, string_or_list(v)?))),
        (None, Some(v)) => Ok(Some((true, string_or_list(v)?))),
        (None, None) => Ok(None),
    }
}

impl<'a> RawStatement<'a> {
    fn read(value: &'a Value) -> Result<Self, PolicyError> {
        let st = value.as_object().ok_or_else(syntax)?;
        if PRINCIPAL_ELEMENTS.iter().any(|p| st.contains_key(*p)) {
            return Err(PolicyError::new(MSG_PRINCIPAL));
        }
        if st.keys().any(|k| !STATEMENT_ELEMENTS.contains(&k.as_str())) {
            return Err(syntax());
        }
        let effect = st
            .get("Effect")
            .and_then(Value::as_str)
            .ok_or_else(syntax)?;
        if !effect.eq_ignore_ascii_case("allow") && !effect.eq_ignore_ascii_case("deny") {
            return Err(syntax());
        }
        let sid = match st.get("Sid") {
            None => None,
            Some(v) => Some(v.as_str().ok_or_else(syntax)?),
        };
        let actions = clause(st, "Action", "NotAction")?;
        let resources = clause(st, "Resource", "NotResource")?;
        let mut conditions = Vec::new();
        if let Some(cond) = st.get("Condition") {
            for (op_name, block) in cond.as_object().ok_or_else(syntax)? {
                let block = block.as_object().ok_or_else(syntax)?;
                let mut entries = Vec::with_capacity(block.len());
                for (key, values) in block {
                    entries.push((key.as_str(), condition_values(values)?));
                }
                let Some(op) = Operator::parse(op_name) else {
                    if block.is_empty() {
                        continue;
                    }
                    return Err(syntax());
                };
                conditions.extend(entries.into_iter().map(|(k, v)| (op, k, v)));
            }
        }
        Ok(RawStatement {
            sid,
            effect,
            actions,
            resources,
            conditions,
        })
    }
}

impl<'a> RawPolicy<'a> {
    /// The grammar pass: every element known and of the right JSON type.
    fn read(doc: &'a Value) -> Result<Self, PolicyError> {
        let top = doc.as_object().ok_or_else(syntax)?;
        // A principal anywhere is reported as such, ahead of other grammar errors.
        if let Some(statements) = top.get("Statement") {
            let list: Vec<&Value> = match statements {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let has_principal = list.iter().any(|s| {
                s.as_object()
                    .is_some_and(|o| PRINCIPAL_ELEMENTS.iter().any(|p| o.contains_key(*p)))
            });
            if has_principal {
                return Err(PolicyError::new(MSG_PRINCIPAL));
            }
        }
        if top
            .keys()
            .any(|k| !TOP_LEVEL_ELEMENTS.contains(&k.as_str()))
        {
            return Err(syntax());
        }
        let version = match top.get("Version") {
            None => None,
            Some(v) => {
                let v = v.as_str().ok_or_else(syntax)?;
                if v != POLICY_VERSION_2012_10_17 && v != POLICY_VERSION_2008_10_17 {
                    return Err(syntax());
                }
                Some(v)
            }
        };
        let id = match top.get("Id") {
            None => None,
            Some(v) => Some(v.as_str().ok_or_else(syntax)?),
        };
        let statements = match top.get("Statement") {
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(RawStatement::read)
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => vec![RawStatement::read(single)?],
            _ => return Err(syntax()),
        };
        Ok(RawPolicy {
            version,
            id,
            statements,
        })
    }

    /// IAM's semantic checks, in IAM's order.
    fn validate(&self) -> Result<(), PolicyError> {
        // Legacy parsing: exact effect case, date values, resource shape.
        for st in &self.statements {
            if st.effect != "Allow" && st.effect != "Deny" {
                return Err(PolicyError::new(MSG_LEGACY));
            }
            for (op, _, values) in &st.conditions {
                if matches!(op.family, Family::Date(_))
                    && values.iter().any(|v| parse_date_millis(v).is_none())
                {
                    return Err(PolicyError::new(MSG_LEGACY));
                }
            }
            if let Some((_, resources)) = &st.resources
                && resources
                    .iter()
                    .any(|r| resource_format_error(r).is_none() && resource_fails_legacy(r))
            {
                return Err(PolicyError::new(MSG_LEGACY));
            }
        }
        let mut sids = HashSet::new();
        for sid in self.statements.iter().filter_map(|s| s.sid) {
            if !sid.is_empty() && !sids.insert(sid) {
                return Err(PolicyError::new(MSG_SID_UNIQUE));
            }
        }
        if self
            .statements
            .iter()
            .filter_map(|s| s.sid)
            .any(|sid| !sid.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(PolicyError::new(MSG_SID_ALNUM));
        }
        if self
            .statements
            .iter()
            .any(|s| s.actions.as_ref().is_none_or(|(_, v)| v.is_empty()))
        {
            return Err(PolicyError::new(MSG_NO_ACTIONS));
        }
        if self
            .statements
            .iter()
            .any(|s| s.resources.as_ref().is_none_or(|(_, v)| v.is_empty()))
        {
            return Err(PolicyError::new(MSG_NO_RESOURCES));
        }
        for st in &self.statements {
            if let Some((_, resources)) = &st.resources
                && let Some(e) = resources.iter().find_map(|r| resource_format_error(r))
            {
                return Err(PolicyError::new(e));
            }
        }
        for st in &self.statements {
            if let Some((_, actions)) = &st.actions
                && let Some(e) = actions.iter().find_map(|a| action_error(a))
            {
                return Err(PolicyError::new(e));
            }
        }
        if self
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .any(|(_, key, _)| !key.contains(':'))
        {
            return Err(PolicyError::new(MSG_VENDOR));
        }
        Ok(())
    }

    fn compile(self) -> Policy {
        let version = match self.version {
            Some(POLICY_VERSION_2012_10_17) => PolicyVersion::V2012_10_17,
            _ => PolicyVersion::V2008_10_17,
        };
        let variables = version == PolicyVersion::V2012_10_17;
        let compile_clause = |(not, items): (bool, Vec<&str>), opts: PatternOptions| {
            let patterns = items.iter().map(|s| Pattern::compile(s, opts)).collect();
            if not {
                Clause::Not(patterns)
            } else {
                Clause::Only(patterns)
            }
        };
        let statements = self
            .statements
            .into_iter()
            .map(|st| Statement {
                sid: st.sid.map(str::to_owned),
                effect: if st.effect == "Deny" {
                    Effect::Deny
                } else {
                    Effect::Allow
                },
                actions: compile_clause(
                    st.actions.unwrap_or((false, Vec::new())),
                    PatternOptions {
                        wildcards: true,
                        variables: false,
                        fold_case: true,
                    },
                ),
                resources: compile_clause(
                    st.resources.unwrap_or((false, Vec::new())),
                    PatternOptions {
                        wildcards: true,
                        variables,
                        fold_case: false,
                    },
                ),
                conditions: st
                    .conditions
                    .iter()
                    .map(|(op, key, values)| Condition::compile(*op, key, values, variables))
                    .collect(),
            })
            .collect();
        Policy {
            version,
            id: self.id.map(str::to_owned),
            statements,
        }
    }
}

/// IAM's resource-format error for `resource`, if any.
fn resource_format_error(resource: &str) -> Option<String> {
    if resource == "*" {
        return None;
    }
    let parts: Vec<&str> = resource.split(':').collect();
    if parts.len() < 2 || parts[0] != "arn" {
        return Some(format!(
            "Resource {resource} must be in ARN format or \"*\"."
        ));
    }
    let partition = parts[1];
    if partition != openwatch_types::PARTITION {
        let rest = &parts[2..];
        let part = |i: usize| rest.get(i).copied().unwrap_or("*");
        let arn1 = match rest.first() {
            Some(p) if !p.is_empty() || rest.len() > 1 => *p,
            _ => "*",
        };
        let arn4 = if rest.len() > 3 {
            rest[3..].join(":")
        } else {
            "*".to_owned()
        };
        return Some(format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{arn1}:{}:{}:{arn4}\".",
            part(1),
            part(2)
        ));
    }
    if parts.len() < 3 {
        return Some(MSG_RESOURCE_VENDOR.to_owned());
    }
    let region = parts.get(3).copied().unwrap_or("");
    match parts[2] {
        "iam" if !region.is_empty() => Some(format!(
            "IAM resource {resource} cannot contain region information."
        )),
        "s3" if !region.is_empty() => Some(format!(
            "Resource {resource} can not contain region information."
        )),
        _ => None,
    }
}

/// Whether IAM's legacy parser rejects a resource shape (empty service, or `::` in a short ARN).
fn resource_fails_legacy(resource: &str) -> bool {
    if resource == "*" {
        return false;
    }
    let colons = resource.matches(':').count();
    (colons < 5 && resource.contains("::")) || resource.split(':').nth(2) == Some("")
}

/// IAM's error for a malformed action name, if any.
fn action_error(action: &str) -> Option<String> {
    if action == "*" {
        return None;
    }
    let parts: Vec<&str> = action.split(':').collect();
    match parts.as_slice() {
        [_] => Some(MSG_VENDOR.to_owned()),
        [vendor, _] => {
            let valid = *vendor == "*"
                || vendor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            (!valid).then(|| format!("Vendor {vendor} is not valid"))
        }
        _ => Some(MSG_ONE_COLON.to_owned()),
    }
}
