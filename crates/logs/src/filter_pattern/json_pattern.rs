//! JSON patterns: `{ SELECTOR OP VALUE }`, `IS NULL|TRUE|FALSE`, `NOT EXISTS`, combined with `&&`, `||`
//! and parentheses.
//!
//! Semantics, as AWS documents them and as recorded `TestMetricFilter` responses show:
//! - the event must be a JSON object, otherwise nothing matches (not even `NOT EXISTS`);
//! - `=`/`!=` and the relational operators look only at strings and numbers: a selector that reaches
//!   null, a boolean, an array or an object, or nothing, makes them false (`!=` included);
//! - a quoted or bare-word value compares with the text (a number by its text as written: `= "1"` matches
//!   `1` but not `1.0`); a bare numeric value compares numerically with numbers (`= 1` matches `1.0`,
//!   `1e0`) and textually with strings (`"1"`, not `"1.0"`); `<`, `<=`, `>`, `>=` see numbers only;
//! - `IS NULL` holds for null (and, as recorded, for an array holding a null), `IS TRUE`/`IS FALSE` for
//!   booleans, `NOT EXISTS` when the selector reaches nothing (a null value exists);
//! - a wildcard selector holds when any value it reaches satisfies the condition; conditions are judged
//!   independently (`$.items[*].a = 1 && $.items[*].b = 2` may use different elements).

use super::ast::{Comparison, Expr, Scalar, parse_expr};
use super::error::{ErrorKind, FilterPatternError};
use super::json::Json;
use super::lexer::{Cursor, is_ws};
use super::selector::Selector;

/// Most selectors with a wildcard in one pattern (AWS quota).
pub const MAX_WILDCARD_SELECTORS_PER_PATTERN: usize = 3;

/// What a condition checks about the values its selector reaches.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Compare(Comparison),
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
}

/// `selector test`.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) selector: Selector,
    pub(crate) test: Test,
}

/// A parsed JSON pattern.
#[derive(Debug, Clone)]
pub(crate) struct JsonPattern {
    pub(crate) expr: Expr<Condition>,
}

/// Consumes `word` (ASCII case-insensitive) if it stands alone at the cursor.
fn eat_keyword(cur: &mut Cursor<'_>, word: &str) -> bool {
    let rest = cur.rest();
    let Some(head) = rest.get(..word.len()) else {
        return false;
    };
    let boundary = rest[word.len()..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_');
    if head.eq_ignore_ascii_case(word) && boundary {
        cur.eat(head);
        true
    } else {
        false
    }
}

/// `Invalid character(s) in term '...'` for the run of non-space characters at the cursor.
fn invalid_run(cur: &mut Cursor<'_>) -> FilterPatternError {
    let start = cur.pos();
    cur.take_while(|c| !is_ws(c) && c != '$');
    let end = cur.pos();
    if end == start {
        return cur.syntax("unexpected end of pattern");
    }
    let term = &cur.src()[start..end];
    cur.err_at(
        start,
        ErrorKind::InvalidCharacter,
        format!("Invalid character(s) in term '{term}'"),
        format!("{term:?} is not part of a JSON condition"),
    )
}

impl JsonPattern {
    /// Parses `{ ... }` at the cursor (on the `{`) through the end of the pattern.
    pub(crate) fn parse(
        cur: &mut Cursor<'_>,
        regex_count: &mut usize,
    ) -> Result<JsonPattern, FilterPatternError> {
        debug_assert_eq!(cur.peek(), Some('{'));
        cur.bump();
        let mut wildcard_selectors = 0usize;
        let expr = parse_expr(cur, &mut |cur: &mut Cursor<'_>| {
            let cond = Self::condition(cur, regex_count)?;
            wildcard_selectors += usize::from(cond.selector.has_wildcard());
            Ok(cond)
        })?;
        cur.skip_ws();
        if !cur.eat("}") {
            return Err(match cur.peek() {
                None => cur.syntax("expected '}' to close the JSON pattern"),
                Some(_) => cur.syntax("expected &&, || or '}' after a condition"),
            });
        }
        cur.skip_ws();
        if !cur.at_end() {
            return Err(cur.syntax("unexpected text after the closing '}'"));
        }
        if wildcard_selectors > MAX_WILDCARD_SELECTORS_PER_PATTERN {
            return Err(cur.err_at(
                0,
                ErrorKind::PatternWildcards,
                "Your input has exceeded the maximum of 3 JSON wildcard selectors allowed per filter \
                 pattern.",
                format!("{wildcard_selectors} selectors use a wildcard"),
            ));
        }
        Ok(JsonPattern { expr })
    }

    fn condition(
        cur: &mut Cursor<'_>,
        regex_count: &mut usize,
    ) -> Result<Condition, FilterPatternError> {
        cur.skip_ws();
        match cur.peek() {
            Some('$') => {}
            Some('"') => {
                cur.quoted()?;
                cur.skip_ws();
                return Err(invalid_run(cur));
            }
            _ => return Err(invalid_run(cur)),
        }
        let selector = Selector::parse(cur)?;
        cur.skip_ws();
        let test = if eat_keyword(cur, "IS") {
            cur.skip_ws();
            if eat_keyword(cur, "NULL") {
                Test::IsNull
            } else if eat_keyword(cur, "TRUE") {
                Test::IsTrue
            } else if eat_keyword(cur, "FALSE") {
                Test::IsFalse
            } else {
                return Err(invalid_run(cur));
            }
        } else if eat_keyword(cur, "NOT") {
            cur.skip_ws();
            if !eat_keyword(cur, "EXISTS") {
                return Err(cur.syntax("expected EXISTS after NOT"));
            }
            Test::NotExists
        } else if cur.peek().is_some_and(|c| c.is_alphabetic()) {
            return Err(cur.syntax(format!(
                "expected an operator, IS or NOT EXISTS after {}",
                selector.as_str()
            )));
        } else {
            Test::Compare(Comparison::parse(cur, regex_count, &['}', ')', '&', '|'])?)
        };
        Ok(Condition { selector, test })
    }

    /// Whether the parsed event satisfies the pattern.
    pub(crate) fn matches(&self, root: &Json<'_>) -> bool {
        if !matches!(root, Json::Obj(_)) {
            return false;
        }
        let mut nodes = Vec::new();
        self.expr.eval(&mut |cond: &Condition| {
            nodes.clear();
            cond.selector.resolve(root, &mut nodes);
            holds(&cond.test, &nodes)
        })
    }
}

fn holds(test: &Test, nodes: &[&Json<'_>]) -> bool {
    match test {
        Test::Compare(c) => nodes.iter().any(|n| match n {
            Json::Str(s) => c.test(Scalar::Str(s)),
            Json::Num(t) => c.test(Scalar::Num(t)),
            _ => false,
        }),
        Test::IsNull => nodes.iter().any(|n| match n {
            Json::Null => true,
            Json::Arr(items) => items.contains(&Json::Null),
            _ => false,
        }),
        Test::IsTrue => nodes.iter().any(|n| **n == Json::Bool(true)),
        Test::IsFalse => nodes.iter().any(|n| **n == Json::Bool(false)),
        Test::NotExists => nodes.is_empty(),
    }
}
