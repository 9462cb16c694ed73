//! The per-row commands' work: `fields` projections (with `jsonParse` results flattened under
//! their alias), `parse` (glob and regex), and `unnest`.

use crate::ast::{Expr, ParseKind, Projection};
use crate::eval::{Ctx, Row, eval};
use crate::value::Value;

pub(crate) fn project(p: &[Projection], row: &mut Row, ctx: &Ctx) {
    for x in p {
        if let Expr::Field(f) = &x.expr
            && *f == x.name
        {
            continue;
        }
        let v = eval(&x.expr, row, ctx);
        if let Expr::Call { name, .. } = &x.expr
            && name == "jsonparse"
            && let Value::Str(s) = &v
            && let Ok(j) = serde_json::from_str::<serde_json::Value>(s)
        {
            let mut n = 0;
            crate::discover::flatten(&x.name, &j, row, &mut n);
        }
        row.set(&x.name, v);
    }
}

pub(crate) fn parse_into(source: &Expr, kind: &ParseKind, row: &mut Row, ctx: &Ctx) {
    let text = eval(source, row, ctx);
    if text.is_null() {
        return;
    }
    let text = text.text();
    match kind {
        ParseKind::Glob { parts, names } => {
            if let Some(caps) = glob_match(&text, parts) {
                for (n, c) in names.iter().zip(caps) {
                    row.set(n, Value::str(c));
                }
            }
        }
        ParseKind::Regex { re, names } => {
            if let Some(c) = re.captures(&text) {
                for n in names {
                    if let Some(m) = c.name(n) {
                        row.set(n, Value::str(m.as_str()));
                    }
                }
            }
        }
    }
}

/// Matches a glob (literal `parts` around captures); each capture is the shortest text up to the
/// next literal (the last one runs to the end when the pattern ends with `*`).
pub fn glob_match<'t>(text: &'t str, parts: &[String]) -> Option<Vec<&'t str>> {
    let first = parts.first()?;
    let mut pos = if first.is_empty() {
        0
    } else {
        text.find(first.as_str())? + first.len()
    };
    let mut caps = Vec::with_capacity(parts.len() - 1);
    for (i, lit) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        if lit.is_empty() {
            if last {
                caps.push(&text[pos..]);
                pos = text.len();
            } else {
                caps.push("");
            }
            continue;
        }
        let at = text[pos..].find(lit.as_str())? + pos;
        caps.push(&text[pos..at]);
        pos = at + lit.len();
    }
    Some(caps)
}

pub(crate) fn unnest(row: &Row, field: &str, alias: &str) -> Vec<Row> {
    let prefix = format!("{field}.");
    let mut indexes: Vec<usize> = row
        .fields
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(prefix.as_str()))
        .filter_map(|rest| rest.split('.').next()?.parse::<usize>().ok())
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    if indexes.is_empty() {
        if let Some(Value::Str(s)) = row.get(field)
            && let Ok(serde_json::Value::Array(items)) =
                serde_json::from_str::<serde_json::Value>(s)
        {
            return items
                .iter()
                .map(|it| {
                    let mut r = row.clone();
                    let mut n = 0;
                    crate::discover::flatten(alias, it, &mut r, &mut n);
                    if !it.is_object() && !it.is_array() {
                        return r;
                    }
                    r.set(alias, Value::str(it.to_string()));
                    r
                })
                .collect();
        }
        return Vec::new();
    }
    indexes
        .into_iter()
        .map(|i| {
            let mut r = row.clone();
            let item = format!("{field}.{i}");
            let item_dot = format!("{item}.");
            let mut add: Vec<(String, Value)> = Vec::new();
            for (k, v) in &row.fields {
                if **k == *item {
                    add.push((alias.to_owned(), v.clone()));
                } else if let Some(sub) = k.strip_prefix(item_dot.as_str()) {
                    add.push((format!("{alias}.{sub}"), v.clone()));
                }
            }
            for (k, v) in add {
                r.set(&k, v);
            }
            r
        })
        .collect()
}
