//! Space-delimited patterns: `[ip, user, ..., status = 4* && status != 403, bytes > 1000]`.
//!
//! How an event is split, as AWS documents it and as recorded `TestMetricFilter` responses show:
//! - fields are separated by runs of whitespace (spaces, tabs);
//! - `"..."` and `[...]` are single fields, their delimiters removed; an unterminated quote or bracket
//!   is an ordinary character;
//! - without `...`, a pattern of n fields needs at least n fields in the event, and the last field takes
//!   the rest of the line as written (`[w1=ERROR, w2]` on `ERROR request failed` gives
//!   `$w2 = "request failed"`);
//! - with `...` (at most one, anywhere), the fields before it bind from the start, the fields after it
//!   from the end, and `...` covers zero or more fields in between; `[]` is treated as `[...]`;
//! - extracted values are named `$name`, and unnamed fields, including those `...` covers, `$<position>`
//!   counting event fields from 1.
//!
//! A field's conditions may combine with `&&`, `||` and parentheses and may name other fields; a name no
//! field carries makes its comparison false.

use super::ast::{Comparison, Expr, Scalar, parse_expr};
use super::error::{ErrorKind, FilterPatternError};
use super::lexer::{Cursor, is_name_char, is_ws};

/// One comparison inside a field's condition.
#[derive(Debug, Clone)]
pub(crate) struct FieldCond {
    name: String,
    /// The slot carrying `name`, resolved after parsing.
    slot: Option<usize>,
    pub(crate) cmp: Comparison,
}

#[derive(Debug, Clone)]
pub(crate) enum Slot {
    Ellipsis,
    Field {
        name: Option<String>,
        cond: Option<Expr<FieldCond>>,
    },
}

/// A parsed space-delimited pattern.
#[derive(Debug, Clone)]
pub(crate) struct DelimitedPattern {
    pub(crate) slots: Vec<Slot>,
    ellipsis: Option<usize>,
}

/// Field values bound to slots for one event.
struct Bound<'m> {
    /// Per slot: (1-based field position, value); the ellipsis slot holds an empty placeholder.
    slots: Vec<(usize, &'m str)>,
    /// The fields `...` covers, with their positions.
    covered: Vec<(usize, &'m str)>,
}

impl DelimitedPattern {
    /// Parses `[ ... ]` at the cursor (on the `[`) through the end of the pattern.
    pub(crate) fn parse(
        cur: &mut Cursor<'_>,
        regex_count: &mut usize,
    ) -> Result<DelimitedPattern, FilterPatternError> {
        debug_assert_eq!(cur.peek(), Some('['));
        cur.bump();
        cur.skip_ws();
        let mut slots = Vec::new();
        let mut ellipsis = None;
        let mut names: Vec<String> = Vec::new();
        if cur.eat("]") {
            slots.push(Slot::Ellipsis);
            ellipsis = Some(0);
        } else {
            loop {
                cur.skip_ws();
                let start = cur.pos();
                let slot = Self::slot(cur, regex_count)?;
                let dup = match &slot {
                    Slot::Ellipsis if ellipsis.is_some() => Some("...".to_string()),
                    Slot::Ellipsis => {
                        ellipsis = Some(slots.len());
                        None
                    }
                    Slot::Field { name: Some(n), .. } if names.contains(n) => Some(n.clone()),
                    Slot::Field { name: Some(n), .. } => {
                        names.push(n.clone());
                        None
                    }
                    Slot::Field { name: None, .. } => None,
                };
                if let Some(d) = dup {
                    return Err(cur.err_at(
                        start,
                        ErrorKind::DuplicateField,
                        format!("Duplicate field '{d}'"),
                        format!("{d} appears more than once"),
                    ));
                }
                slots.push(slot);
                cur.skip_ws();
                if cur.eat(",") {
                    continue;
                }
                if cur.eat("]") {
                    break;
                }
                return Err(match cur.peek() {
                    None => cur.syntax("expected ']' to close the space-delimited pattern"),
                    Some(_) => cur.syntax("expected ',' or ']' after a field"),
                });
            }
        }
        cur.skip_ws();
        if !cur.at_end() {
            return Err(cur.syntax("unexpected text after the closing ']'"));
        }
        // Resolve the field each comparison names.
        let slot_of: Vec<Option<String>> = slots
            .iter()
            .map(|s| match s {
                Slot::Field { name, .. } => name.clone(),
                Slot::Ellipsis => None,
            })
            .collect();
        for slot in &mut slots {
            if let Slot::Field { cond: Some(e), .. } = slot {
                resolve(e, &slot_of);
            }
        }
        Ok(DelimitedPattern { slots, ellipsis })
    }

    fn slot(cur: &mut Cursor<'_>, regex_count: &mut usize) -> Result<Slot, FilterPatternError> {
        if cur.eat("...") {
            return Ok(Slot::Ellipsis);
        }
        if matches!(cur.peek(), Some(',' | ']')) {
            return Ok(Slot::Field {
                name: None,
                cond: None,
            });
        }
        let start = cur.pos();
        let name = cur.take_while(is_name_char);
        cur.skip_ws();
        if !name.is_empty() && matches!(cur.peek(), Some(',' | ']') | None) {
            return Ok(Slot::Field {
                name: Some(name.to_string()),
                cond: None,
            });
        }
        cur.set_pos(start);
        let expr = parse_expr(cur, &mut |cur: &mut Cursor<'_>| {
            cur.skip_ws();
            let at = cur.pos();
            let name = cur.take_while(is_name_char);
            if name.is_empty() {
                return Err(match cur.peek() {
                    Some(_) => cur.invalid_term(at),
                    None => cur.syntax("expected a field name"),
                });
            }
            cur.skip_ws();
            let cmp = Comparison::parse(cur, regex_count, &[',', ']', ')', '&', '|'])?;
            Ok(FieldCond {
                name: name.to_string(),
                slot: None,
                cmp,
            })
        })?;
        let name = expr.first_leaf().map(|c| c.name.clone());
        Ok(Slot::Field {
            name,
            cond: Some(expr),
        })
    }

    /// Whether the event satisfies the pattern.
    pub(crate) fn matches(&self, msg: &str) -> bool {
        self.bind(msg).is_some_and(|b| self.conditions_hold(&b))
    }

    /// The extracted fields (`name` without `$`, value) in pattern order, if the event matches.
    pub(crate) fn extract<'m>(&self, msg: &'m str) -> Option<Vec<(String, &'m str)>> {
        let b = self.bind(msg)?;
        if !self.conditions_hold(&b) {
            return None;
        }
        let mut out = Vec::with_capacity(b.slots.len() + b.covered.len());
        for (slot, &(pos, value)) in self.slots.iter().zip(&b.slots) {
            match slot {
                Slot::Ellipsis => out.extend(b.covered.iter().map(|&(p, v)| (p.to_string(), v))),
                Slot::Field { name: Some(n), .. } => out.push((n.clone(), value)),
                Slot::Field { name: None, .. } => out.push((pos.to_string(), value)),
            }
        }
        Some(out)
    }

    fn conditions_hold(&self, b: &Bound<'_>) -> bool {
        self.slots.iter().all(|slot| match slot {
            Slot::Field { cond: Some(e), .. } => e.eval(&mut |fc: &FieldCond| {
                fc.slot
                    .and_then(|i| b.slots.get(i))
                    .is_some_and(|&(_, v)| fc.cmp.test(Scalar::Token(v)))
            }),
            _ => true,
        })
    }

    fn bind<'m>(&self, msg: &'m str) -> Option<Bound<'m>> {
        let n = self.slots.len();
        match self.ellipsis {
            None => {
                let mut slots = Vec::with_capacity(n);
                let mut pos = 0;
                for k in 1..n {
                    let (_, v, end) = next_field(msg, pos)?;
                    slots.push((k, v));
                    pos = end;
                }
                slots.push((n, rest_of_line(msg, pos)?));
                Some(Bound {
                    slots,
                    covered: Vec::new(),
                })
            }
            Some(k) => {
                let mut fields = Vec::new();
                let mut pos = 0;
                while let Some((_, v, end)) = next_field(msg, pos) {
                    fields.push(v);
                    pos = end;
                }
                let t = fields.len();
                let after = n - 1 - k;
                if t < n - 1 {
                    return None;
                }
                let mut slots = Vec::with_capacity(n);
                slots.extend(fields[..k].iter().enumerate().map(|(i, &v)| (i + 1, v)));
                slots.push((0, ""));
                slots.extend(
                    fields[t - after..]
                        .iter()
                        .enumerate()
                        .map(|(j, &v)| (t - after + j + 1, v)),
                );
                let covered = fields[k..t - after]
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| (k + j + 1, v))
                    .collect();
                Some(Bound { slots, covered })
            }
        }
    }
}

fn resolve(e: &mut Expr<FieldCond>, slot_of: &[Option<String>]) {
    match e {
        Expr::Leaf(fc) => {
            fc.slot = slot_of.iter().position(|n| n.as_deref() == Some(&fc.name));
        }
        Expr::And(xs) | Expr::Or(xs) => xs.iter_mut().for_each(|x| resolve(x, slot_of)),
    }
}

fn is_ws_byte(b: u8) -> bool {
    is_ws(char::from(b))
}

/// The next event field at or after byte `pos`: (start, value, end). `None` past the last field.
fn next_field(msg: &str, pos: usize) -> Option<(usize, &str, usize)> {
    let b = msg.as_bytes();
    let mut i = pos;
    while i < b.len() && is_ws_byte(b[i]) {
        i += 1;
    }
    if i >= b.len() {
        return None;
    }
    let close = match b[i] {
        b'"' => Some(b'"'),
        b'[' => Some(b']'),
        _ => None,
    };
    if let Some(close) = close
        && let Some(q) = memchr::memchr(close, &b[i + 1..])
    {
        let end = i + 1 + q;
        return Some((i, &msg[i + 1..end], end + 1));
    }
    let mut j = i;
    while j < b.len() && !is_ws_byte(b[j]) {
        j += 1;
    }
    Some((i, &msg[i..j], j))
}

/// The last field: the rest of the line from the next field on, as written; a single quoted or
/// bracketed field loses its delimiters.
fn rest_of_line(msg: &str, pos: usize) -> Option<&str> {
    let (start, value, end) = next_field(msg, pos)?;
    let rest = msg[start..].trim_end_matches(is_ws);
    if end >= start + rest.len() {
        Some(value)
    } else {
        Some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(msg: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((_, v, end)) = next_field(msg, pos) {
            out.push(v);
            pos = end;
        }
        out
    }

    #[test]
    fn splitting() {
        assert_eq!(
            fields(
                r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#
            ),
            [
                "127.0.0.1",
                "-",
                "frank",
                "10/Oct/2000:13:25:15 -0700",
                "GET /index.html HTTP/1.0",
                "404",
                "1534"
            ]
        );
        assert_eq!(fields("a\t b  c"), ["a", "b", "c"]);
        assert_eq!(
            fields(r#"ERROR "unterminated words"#),
            ["ERROR", "\"unterminated", "words"]
        );
        assert_eq!(fields("[open only"), ["[open", "only"]);
        assert!(fields("   ").is_empty());
    }

    #[test]
    fn rest_of_line_keeps_text() {
        assert_eq!(rest_of_line("x -  frank  ", 1), Some("-  frank"));
        assert_eq!(rest_of_line(r#"x "two words" "#, 1), Some("two words"));
        assert_eq!(rest_of_line("x   ", 1), None);
    }
}
