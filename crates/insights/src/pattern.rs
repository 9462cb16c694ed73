//! `pattern` and `diff`: clustering messages into patterns whose variable tokens read `<*>`, with
//! counts and ratios, and comparing the clusters with an earlier period.
//!
//! Clustering: each message is split on whitespace; tokens holding a digit (ids, numbers, times,
//! addresses) are variables, and in `key=value` / `key:value` tokens only the value is. Messages
//! with the same masked tokens form one cluster; clusters of equal length that differ in at most
//! half of their positions (never the first token) then merge, the differing positions
//! becoming variables. As AWS documents for tokens whose type it cannot infer, the n-th variable
//! of a pattern reads `<Token-n>`.
//!
//! The output fields are the four AWS documents: `@pattern`, `@ratio`, `@sampleCount`,
//! `@severityLabel`. AWS documents no field names for `diff`'s comparison; the three it adds here
//! (`@previousSampleCount`, `@changeInSampleCount`, `@changePercentage`) are this server's.

use std::collections::HashMap;

use crate::ast::Expr;
use crate::eval::{Ctx, Row, eval};
use crate::exec::PREVIOUS_FIELD;
use crate::value::Value;

/// The fields `pattern` returns.
pub const PATTERN_FIELDS: &[&str] = &["@pattern", "@ratio", "@sampleCount", "@severityLabel"];
/// The fields `diff` adds to each pattern.
pub const DIFF_FIELDS: &[&str] = &[
    "@previousSampleCount",
    "@changeInSampleCount",
    "@changePercentage",
];

const VAR: &str = "<*>";

fn mask_token(t: &str) -> String {
    for sep in ['=', ':'] {
        if let Some((k, v)) = t.split_once(sep)
            && !k.is_empty()
            && !k.chars().any(|c| c.is_ascii_digit())
            && !v.is_empty()
        {
            return format!("{k}{sep}{}", mask_token(v));
        }
    }
    if t.chars().any(|c| c.is_ascii_digit()) {
        VAR.to_owned()
    } else {
        t.to_owned()
    }
}

fn tokens(msg: &str) -> Vec<String> {
    msg.split_whitespace().map(mask_token).collect()
}

fn severity(tokens: &[String]) -> &'static str {
    for t in tokens {
        let u = t
            .trim_matches(|c: char| !c.is_ascii_alphabetic())
            .to_ascii_uppercase();
        match u.as_str() {
            "FATAL" | "CRITICAL" => return "FATAL",
            "ERROR" | "ERR" => return "ERROR",
            "WARN" | "WARNING" => return "WARN",
            "INFO" => return "INFO",
            "DEBUG" => return "DEBUG",
            "TRACE" => return "TRACE",
            _ => {}
        }
    }
    "UNKNOWN"
}

struct Cluster {
    tokens: Vec<String>,
    count: u64,
    previous: u64,
}

/// Runs `pattern` over rows; with `diff`, rows marked as the earlier period are counted apart.
pub fn pattern(rows: &[Row], e: &Expr, ctx: &Ctx, diff: bool) -> Vec<Row> {
    let mut exact: HashMap<Vec<String>, (u64, u64)> = HashMap::new();
    for r in rows {
        let v = eval(e, r, ctx);
        if v.is_null() {
            continue;
        }
        let prev = r.get(PREVIOUS_FIELD).is_some();
        let entry = exact.entry(tokens(&v.text())).or_default();
        if prev {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    let mut exact: Vec<(Vec<String>, (u64, u64))> = exact.into_iter().collect();
    exact.sort_by(|a, b| (b.1.0 + b.1.1).cmp(&(a.1.0 + a.1.1)).then(a.0.cmp(&b.0)));
    let mut clusters: Vec<Cluster> = Vec::new();
    for (toks, (count, previous)) in exact {
        let similar = clusters.iter_mut().find(|c| {
            c.tokens.len() == toks.len()
                && c.tokens.first() == toks.first()
                && c.tokens.iter().zip(&toks).filter(|(a, b)| a != b).count() * 2 <= toks.len()
        });
        match similar {
            Some(c) => {
                for (a, b) in c.tokens.iter_mut().zip(&toks) {
                    if a != b {
                        *a = VAR.to_owned();
                    }
                }
                c.count += count;
                c.previous += previous;
            }
            None => clusters.push(Cluster {
                tokens: toks,
                count,
                previous,
            }),
        }
    }
    let total: u64 = clusters.iter().map(|c| c.count).sum();
    clusters.retain(|c| c.count > 0 || diff);
    clusters.sort_by(|a, b| b.count.cmp(&a.count).then(a.tokens.cmp(&b.tokens)));
    clusters
        .into_iter()
        .map(|c| {
            let mut row = Row::default();
            row.set("@pattern", Value::str(render(&c.tokens)));
            let ratio = if total == 0 {
                0.0
            } else {
                c.count as f64 / total as f64
            };
            row.set("@ratio", Value::Num(ratio));
            row.set("@sampleCount", Value::Num(c.count as f64));
            row.set("@severityLabel", Value::str(severity(&c.tokens)));
            if diff {
                add_diff(&mut row, c.count, c.previous);
            }
            row
        })
        .collect()
}

/// A cluster's tokens as AWS shows the pattern: each dynamic token reads `<Token-n>`, numbered
/// from 1 in the order the dynamic tokens appear (no type of data is inferred for them).
fn render(tokens: &[String]) -> String {
    let mut out = String::new();
    let mut n = 0;
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut rest = t.as_str();
        while let Some(at) = rest.find(VAR) {
            n += 1;
            out.push_str(&rest[..at]);
            out.push_str(&format!("<Token-{n}>"));
            rest = &rest[at + VAR.len()..];
        }
        out.push_str(rest);
    }
    out
}

fn add_diff(row: &mut Row, now: u64, before: u64) {
    row.set("@previousSampleCount", Value::Num(before as f64));
    row.set(
        "@changeInSampleCount",
        Value::Num(now as f64 - before as f64),
    );
    if before > 0 {
        row.set(
            "@changePercentage",
            Value::Num(((now as f64 - before as f64) / before as f64 * 100.0).round()),
        );
    }
}

/// `diff` without a preceding `pattern`: the comparison is over patterns of `@message`.
pub fn diff_rows(rows: Vec<Row>) -> Vec<Row> {
    let ctx = Ctx { now: 0 };
    pattern(&rows, &Expr::Field("@message".into()), &ctx, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_variables() {
        assert_eq!(
            tokens("user=42 took 17ms ok"),
            vec!["user=<*>", "took", "<*>", "ok"]
        );
    }
}
