//! What planning reads off the commands: the fields they name and define, and whether what
//! follows the per-event prefix can keep just the first rows.

use crate::ast::{Command, Expr, ParseKind, Projection};

/// Whether `e`'s value depends on nothing of the event but the non-system fields it names (no
/// `@` field, no function but `ispresent`: `bin` reads the event's time, aggregates read a
/// column by their text, `now()` the query's time), so on a row without those fields it is
/// the same for every event.
pub(super) fn reads_no_event_field(e: &Expr) -> bool {
    match e {
        Expr::Field(f) => !f.starts_with('@'),
        Expr::Lit(_) | Expr::Regex(_) | Expr::Duration { .. } | Expr::Star => true,
        Expr::Neg(x) | Expr::Not(x) => reads_no_event_field(x),
        Expr::Binary(_, a, b) => reads_no_event_field(a) && reads_no_event_field(b),
        Expr::Like { expr, pattern, .. } => {
            reads_no_event_field(expr) && reads_no_event_field(pattern)
        }
        Expr::In { expr, list, .. } => {
            reads_no_event_field(expr) && list.iter().all(reads_no_event_field)
        }
        Expr::Call { name, args, .. } => {
            name == "ispresent" && args.iter().all(reads_no_event_field)
        }
    }
}

/// Whether the commands after the prefix are an optional leading `sort`, then only `limit`s
/// and projections (so keeping the first rows by that order suffices).
pub(super) fn rest_is_sort_limit(rest: &[Command]) -> bool {
    rest.iter().enumerate().all(|(i, c)| match c {
        Command::Sort(_) => i == 0,
        Command::Limit(_) | Command::Fields(_) | Command::Display(_) => true,
        _ => false,
    })
}

/// Names that commands compute (aliases, `parse` captures, `unnest` aliases, `stats` columns).
pub(super) fn defined_names(cmds: &[Command]) -> Vec<String> {
    let mut out = Vec::new();
    let proj = |p: &[Projection], out: &mut Vec<String>| {
        for x in p {
            if !matches!(&x.expr, Expr::Field(f) if *f == x.name) {
                out.push(x.name.clone());
            }
        }
    };
    for c in cmds {
        match c {
            Command::Fields(p) | Command::Display(p) => proj(p, &mut out),
            Command::Stats { aggs, by } => {
                proj(aggs, &mut out);
                proj(by, &mut out);
                out.extend(aggs.iter().chain(by).map(|p| p.name.clone()));
            }
            Command::Parse {
                kind: ParseKind::Glob { names, .. } | ParseKind::Regex { names, .. },
                ..
            } => out.extend(names.iter().cloned()),
            Command::Unnest { alias, .. } => out.push(alias.clone()),
            _ => {}
        }
    }
    out
}

pub(super) fn command_fields(c: &Command, out: &mut Vec<String>) {
    let proj = |p: &[Projection], out: &mut Vec<String>| p.iter().for_each(|x| x.expr.fields(out));
    match c {
        Command::Fields(p) | Command::Display(p) => proj(p, out),
        Command::Filter(e) | Command::Pattern(e) => e.fields(out),
        Command::Stats { aggs, by } => {
            proj(aggs, out);
            proj(by, out);
        }
        Command::Sort(keys) => keys.iter().for_each(|(e, _)| e.fields(out)),
        Command::Parse { source, .. } => source.fields(out),
        Command::Dedup(es) => es.iter().for_each(|e| e.fields(out)),
        Command::Unnest { field, .. } => out.push(field.clone()),
        Command::Limit(_) | Command::Diff(_) => {}
    }
}
