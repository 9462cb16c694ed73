//! Pattern JSON → [`SubRule`]s, with EventBridge's validation and messages.

use serde_json::{Map, Value};

use crate::MAX_OR_COMBINATIONS;
use crate::cidr::{Cidr, parse_ip};
use crate::error::{ErrorKind, PatternError, operand, operator, structure};
use crate::matcher::{AnythingBut, Constraint, Exact, Matcher, SubRule, cmp_utf16, fold};
use crate::numeric::{Num, Range, check_pattern_number};
use crate::wildcard::Wildcard;

/// Hard cap on `$or` expansion in lenient mode, to bound memory.
const LENIENT_MAX_COMBINATIONS: usize = 100_000;

/// Field names that may not appear inside `$or` branches (event-ruler's reserved words).
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// How strictly to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mode {
    /// Apply EventBridge-only limits (numeric range/precision, `$or` combinations).
    pub strict: bool,
}

type Partial = Vec<(String, Constraint)>;

/// Parses a pattern object into its sub-rules.
pub(crate) fn parse_pattern(v: &Value, mode: Mode) -> Result<Vec<SubRule>, PatternError> {
    let Value::Object(obj) = v else {
        return Err(structure("Filter is not an object"));
    };
    let mut rules: Vec<Partial> = vec![Vec::new()];
    parse_object(obj, &mut Vec::new(), &mut rules, false, mode)?;
    Ok(rules
        .into_iter()
        .map(|r| {
            let mut constraints: Vec<Constraint> = r.into_iter().map(|(_, c)| c).collect();
            constraints.sort_by(|a, b| cmp_utf16(&a.path, &b.path));
            SubRule { constraints }
        })
        .collect())
}

fn parse_object(
    obj: &Map<String, Value>,
    path: &mut Vec<String>,
    rules: &mut Vec<Partial>,
    in_or: bool,
    mode: Mode,
) -> Result<(), PatternError> {
    if obj.is_empty() {
        return Err(structure("Empty objects are not allowed"));
    }
    for (key, value) in obj {
        if key == "$or" {
            parse_or(value, path, rules, mode)?;
            continue;
        }
        if in_or && RESERVED_IN_OR.contains(&key.as_str()) {
            return Err(structure(format!(
                "{key} is Ruler reserved fieldName which cannot be used inside $or."
            )));
        }
        match value {
            Value::Object(inner) => {
                path.push(key.clone());
                let r = parse_object(inner, path, rules, in_or, mode);
                path.pop();
                r?;
            }
            Value::Array(items) => {
                let mut full = path.join(".");
                if !full.is_empty() {
                    full.push('.');
                }
                full.push_str(key);
                let constraint = parse_leaf(&full, items, mode)?;
                for rule in rules.iter_mut() {
                    // Later definitions of the same path override earlier ones (event-ruler's default).
                    rule.retain(|(p, _)| p != &full);
                    rule.push((full.clone(), constraint.clone()));
                }
            }
            _ => {
                return Err(structure(format!(
                    "\"{key}\" must be an object or an array"
                )));
            }
        }
    }
    Ok(())
}

fn parse_or(
    value: &Value,
    path: &mut Vec<String>,
    rules: &mut Vec<Partial>,
    mode: Mode,
) -> Result<(), PatternError> {
    let Value::Array(branches) = value else {
        return Err(structure("It must be an Array followed with $or."));
    };
    let current = std::mem::take(rules);
    for branch in branches {
        let Value::Object(obj) = branch else {
            return Err(structure(
                "Only JSON object is allowed in array of $or relationship.",
            ));
        };
        let mut forked = current.clone();
        parse_object(obj, path, &mut forked, true, mode)?;
        rules.extend(forked);
        let limit = if mode.strict {
            MAX_OR_COMBINATIONS
        } else {
            LENIENT_MAX_COMBINATIONS
        };
        if rules.len() > limit {
            return Err(PatternError::new(
                ErrorKind::TooManyCombinations,
                format!(
                    "The event pattern expands to more than {limit} combinations of $or branches"
                ),
            ));
        }
    }
    if branches.len() < 2 {
        return Err(structure(
            "There must have at least 2 Objects in $or relationship.",
        ));
    }
    Ok(())
}

fn parse_leaf(path: &str, items: &[Value], mode: Mode) -> Result<Constraint, PatternError> {
    let mut matchers = Vec::with_capacity(items.len());
    let mut absent_ok = false;
    for item in items {
        match item {
            Value::Object(expr) => match parse_expression(expr, mode)? {
                Some(m) => matchers.push(m),
                None => absent_ok = true,
            },
            Value::String(s) => matchers.push(Matcher::Exact(Exact::Str {
                text: s.clone(),
                ip: parse_ip(s),
            })),
            Value::Number(n) => match Num::from_json(n) {
                Some(num) => matchers.push(Matcher::Exact(Exact::Num(num.key))),
                None => {
                    return Err(operand(
                        "Match value must be String, number, true, false, or null",
                    ));
                }
            },
            Value::Bool(b) => matchers.push(Matcher::Exact(Exact::Bool(*b))),
            Value::Null => matchers.push(Matcher::Exact(Exact::Null)),
            Value::Array(_) => {
                return Err(operand(
                    "Match value must be String, number, true, false, or null",
                ));
            }
        }
    }
    if items.is_empty() {
        return Err(structure("Empty arrays are not allowed"));
    }
    Ok(Constraint {
        path: path.to_string(),
        matchers,
        absent_ok,
    })
}

/// The text Jackson reports for a token (used in some messages).
fn token_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Object(_) => "{".into(),
        Value::Array(_) => "[".into(),
    }
}

fn single_key(obj: &Map<String, Value>, missing: &str) -> Result<(String, Value), PatternError> {
    match obj.iter().next() {
        Some((k, v)) => Ok((k.clone(), v.clone())),
        None => Err(structure(missing.to_string())),
    }
}

fn only_one_key(obj: &Map<String, Value>, msg: &str) -> Result<(), PatternError> {
    if obj.len() > 1 {
        Err(structure(msg.to_string()))
    } else {
        Ok(())
    }
}

const ONE_KEY: &str = "Only one key allowed in match expression";
const TOO_MANY: &str = "Too many elements in numeric expression";

/// Parses `{op: operand}`; `Ok(None)` means `{"exists": false}`.
fn parse_expression(
    expr: &Map<String, Value>,
    mode: Mode,
) -> Result<Option<Matcher>, PatternError> {
    let (op, val) = single_key(expr, "Match expression name not found")?;
    let m = match op.as_str() {
        "prefix" | "suffix" => {
            let is_prefix = op == "prefix";
            match &val {
                Value::String(s) => {
                    only_one_key(expr, ONE_KEY)?;
                    if is_prefix {
                        Matcher::Prefix(s.clone())
                    } else {
                        Matcher::Suffix(s.clone())
                    }
                }
                Value::Object(inner) => {
                    let name = if is_prefix { "Prefix" } else { "Suffix" };
                    let (iop, ival) =
                        single_key(inner, &format!("{name} expression name not found"))?;
                    if iop != "equals-ignore-case" {
                        return Err(operator(format!("Unsupported {op} pattern: {iop}")));
                    }
                    let Value::String(s) = ival else {
                        return Err(operand("equals-ignore-case match pattern must be a string"));
                    };
                    only_one_key(inner, ONE_KEY)?;
                    only_one_key(expr, ONE_KEY)?;
                    let f = fold(&s).into_owned();
                    if is_prefix {
                        Matcher::PrefixIgnoreCase(f)
                    } else {
                        Matcher::SuffixIgnoreCase(f)
                    }
                }
                _ => return Err(operand(format!("{op} match pattern must be a string"))),
            }
        }
        "equals-ignore-case" => {
            let Value::String(s) = &val else {
                return Err(operand("equals-ignore-case match pattern must be a string"));
            };
            only_one_key(expr, ONE_KEY)?;
            Matcher::EqualsIgnoreCase(fold(s).into_owned())
        }
        "wildcard" => {
            let Value::String(s) = &val else {
                return Err(operand("wildcard match pattern must be a string"));
            };
            let w = Wildcard::parse(s)?;
            only_one_key(expr, ONE_KEY)?;
            Matcher::Wildcard(w)
        }
        "numeric" => {
            let Value::Array(items) = &val else {
                return Err(operand("Value of numeric must be an array."));
            };
            let r = parse_numeric(items, mode)?;
            only_one_key(expr, TOO_MANY)?;
            Matcher::Numeric(r)
        }
        "exists" => {
            let b = match val {
                Value::Bool(b) => b,
                _ => {
                    return Err(operand(
                        "exists match pattern must be either true or false.",
                    ));
                }
            };
            only_one_key(expr, ONE_KEY)?;
            if !b {
                return Ok(None);
            }
            Matcher::Exists
        }
        "cidr" => {
            let Value::String(s) = &val else {
                return Err(operand("prefix match pattern must be a string"));
            };
            let c = Cidr::parse(s)?;
            only_one_key(expr, ONE_KEY)?;
            Matcher::Cidr(c)
        }
        "anything-but" => {
            let m = crate::parse_anything_but::parse(&val, mode)?;
            only_one_key(expr, TOO_MANY)?;
            m
        }
        other => return Err(operator(format!("Unrecognized match type {other}"))),
    };
    Ok(Some(m))
}

fn pattern_number(v: &Value, op: &str, mode: Mode) -> Result<f64, PatternError> {
    let Value::Number(n) = v else {
        return Err(operand(format!("Value of {op} must be numeric")));
    };
    let Some(num) = Num::from_json(n) else {
        return Err(operand(format!("Value of {op} must be numeric")));
    };
    if mode.strict {
        check_pattern_number(num.value)?;
    }
    Ok(num.value)
}

fn parse_numeric(items: &[Value], mode: Mode) -> Result<Range, PatternError> {
    let Some(first) = items.first() else {
        return Err(operand("Invalid member in numeric match: ]"));
    };
    let Value::String(op) = first else {
        return Err(operand(format!(
            "Invalid member in numeric match: {}",
            token_text(first)
        )));
    };
    let value_at = |i: usize, name: &str| -> Result<f64, PatternError> {
        match items.get(i) {
            Some(v) => pattern_number(v, name, mode),
            None => Err(operand(format!("Value of {name} must be numeric"))),
        }
    };
    match op.as_str() {
        "=" | "<" | "<=" => {
            let name = if op == "=" { "equals" } else { op.as_str() };
            let v = value_at(1, name)?;
            if items.len() > 2 {
                return Err(operand(TOO_MANY));
            }
            Ok(match op.as_str() {
                "=" => Range {
                    lower: Some((v, true)),
                    upper: Some((v, true)),
                },
                "<" => Range {
                    lower: None,
                    upper: Some((v, false)),
                },
                _ => Range {
                    lower: None,
                    upper: Some((v, true)),
                },
            })
        }
        ">" | ">=" => {
            let bottom = value_at(1, op)?;
            let lower = Some((bottom, op == ">="));
            let Some(second) = items.get(2) else {
                return Ok(Range { lower, upper: None });
            };
            let Value::String(op2) = second else {
                return Err(operand(format!(
                    "Bad value in numeric range: {}",
                    token_text(second)
                )));
            };
            if op2 != "<" && op2 != "<=" {
                return Err(operand(format!("Bad numeric range operator: {op2}")));
            }
            let top = value_at(3, op2)?;
            if items.len() > 4 {
                return Err(operand("Too many terms in numeric range expression"));
            }
            if top <= bottom {
                return Err(operand("Bottom must be less than top"));
            }
            Ok(Range {
                lower,
                upper: Some((top, op2 == "<=")),
            })
        }
        other => Err(operand(format!(
            "Unrecognized numeric range operator: {other}"
        ))),
    }
}

pub(crate) fn anything_but_numbers(
    nums: &[&serde_json::Number],
    mode: Mode,
) -> Result<AnythingBut, PatternError> {
    let mut keys = Vec::with_capacity(nums.len());
    for n in nums {
        let Some(num) = Num::from_json(n) else {
            return Err(operand(
                "Value of anything-but must be an array or single string/number value.",
            ));
        };
        if mode.strict {
            check_pattern_number(num.value)?;
        }
        keys.push(num.key);
    }
    Ok(AnythingBut::Numbers(keys))
}
