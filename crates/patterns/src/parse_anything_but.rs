//! Parsing of `anything-but` operands: values, lists, and nested prefix / suffix / equals-ignore-case / wildcard.

use serde_json::Value;

use crate::error::{PatternError, operand, operator, structure};
use crate::matcher::{AnythingBut, Matcher, fold};
use crate::parse::{Mode, anything_but_numbers};
use crate::wildcard::Wildcard;

const VALUE_SHAPE: &str = "Value of anything-but must be an array or single string/number value.";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Nested {
    Prefix,
    Suffix,
    IgnoreCase,
    Wildcard,
}

impl Nested {
    fn wrong_type(self) -> PatternError {
        operand(match self {
            Nested::IgnoreCase => {
                "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
            }
            Nested::Wildcard => "wildcard match pattern must be a string",
            Nested::Prefix | Nested::Suffix => "prefix/suffix match pattern must be a string",
        })
    }
}

/// Parses the operand of `anything-but`.
pub(crate) fn parse(val: &Value, mode: Mode) -> Result<Matcher, PatternError> {
    match val {
        Value::Object(inner) => {
            let Some((op, v)) = inner.iter().next() else {
                return Err(structure("Anything-But expression name not found"));
            };
            let nested = match op.as_str() {
                "prefix" => Nested::Prefix,
                "suffix" => Nested::Suffix,
                "equals-ignore-case" => Nested::IgnoreCase,
                "wildcard" => Nested::Wildcard,
                other => {
                    return Err(operator(format!(
                        "Unsupported anything-but pattern: {other}"
                    )));
                }
            };
            let texts: Vec<&String> = match v {
                Value::String(s) => vec![s],
                Value::Number(_) => return Err(nested.wrong_type()),
                Value::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        match item {
                            Value::String(s) => out.push(s),
                            _ => return Err(nested.wrong_type()),
                        }
                    }
                    out
                }
                _ => return Err(operand(VALUE_SHAPE)),
            };
            if inner.len() > 1 {
                return Err(operand("Too many elements in numeric expression"));
            }
            if matches!(nested, Nested::Prefix | Nested::Suffix)
                && texts.iter().any(|t| t.is_empty())
            {
                return Err(operand("Null prefix/suffix not allowed"));
            }
            Ok(match nested {
                Nested::Prefix => Matcher::AnythingButPrefix(texts.into_iter().cloned().collect()),
                Nested::Suffix => Matcher::AnythingButSuffix(texts.into_iter().cloned().collect()),
                Nested::IgnoreCase => Matcher::AnythingButIgnoreCase(
                    texts.into_iter().map(|t| fold(t).into_owned()).collect(),
                ),
                Nested::Wildcard => {
                    let mut ws = Vec::with_capacity(texts.len());
                    for t in texts {
                        ws.push(Wildcard::parse(t)?);
                    }
                    Matcher::AnythingButWildcard(ws)
                }
            })
        }
        Value::String(s) => Ok(Matcher::AnythingBut(AnythingBut::Strings(vec![s.clone()]))),
        Value::Number(n) => Ok(Matcher::AnythingBut(anything_but_numbers(&[n], mode)?)),
        Value::Array(items) => {
            let mut strings = Vec::new();
            let mut numbers = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => strings.push(s.clone()),
                    Value::Number(n) => numbers.push(n),
                    _ => {
                        return Err(operand(
                            "Inside anything but list, start|null|boolean is not supported.",
                        ));
                    }
                }
            }
            if strings.is_empty() == numbers.is_empty() {
                return Err(operand(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                ));
            }
            if numbers.is_empty() {
                Ok(Matcher::AnythingBut(AnythingBut::Strings(strings)))
            } else {
                Ok(Matcher::AnythingBut(anything_but_numbers(&numbers, mode)?))
            }
        }
        _ => Err(operand(VALUE_SHAPE)),
    }
}
