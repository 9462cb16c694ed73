//! The reference evaluation: a direct, unoptimised reading of the matching rules, used to check the [`crate::RuleSet`].

use std::borrow::Cow;

use serde_json::Value;

use crate::flatten::{consistent, merge};
use crate::matcher::{Leaf, SubRule};
use crate::numeric::Num;

struct RefField<'a> {
    path: String,
    leaf: Leaf<'a>,
    mem: Vec<(u32, u32)>,
}

fn collect<'a>(
    v: &'a Value,
    path: &str,
    stack: &mut Vec<(u32, u32)>,
    next: &mut u32,
    out: &mut Vec<RefField<'a>>,
) {
    let leaf = match v {
        Value::Object(o) => {
            for (k, child) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect(child, &p, stack, next, out);
            }
            return;
        }
        Value::Array(items) => {
            let id = *next;
            *next += 1;
            for (i, item) in items.iter().enumerate() {
                stack.push((id, i as u32));
                collect(item, path, stack, next, out);
                stack.pop();
            }
            return;
        }
        Value::String(s) => Leaf::Str(Cow::Borrowed(s)),
        Value::Number(n) => match Num::from_json(n) {
            Some(x) => Leaf::Num(x),
            None => return,
        },
        Value::Bool(b) => Leaf::Bool(*b),
        Value::Null => Leaf::Null,
    };
    out.push(RefField {
        path: path.to_string(),
        leaf,
        mem: stack.clone(),
    });
}

fn satisfied(rule: &SubRule, i: usize, mem: &[(u32, u32)], fields: &[RefField<'_>]) -> bool {
    let Some(c) = rule.constraints.get(i) else {
        return true;
    };
    let at_path = || {
        fields
            .iter()
            .filter(|f| f.path == c.path && consistent(mem, &f.mem))
    };
    if c.absent_ok && at_path().next().is_none() && satisfied(rule, i + 1, mem, fields) {
        return true;
    }
    at_path().any(|f| {
        c.matchers.iter().any(|m| m.matches(&f.leaf))
            && satisfied(rule, i + 1, &merge(mem, &f.mem), fields)
    })
}

/// Whether any sub-rule matches `event`.
pub(crate) fn matches(subrules: &[SubRule], event: &Value) -> bool {
    if !event.is_object() {
        return false;
    }
    let mut fields = Vec::new();
    collect(event, "", &mut Vec::new(), &mut 0, &mut fields);
    subrules.iter().any(|r| satisfied(r, 0, &[], &fields))
}
