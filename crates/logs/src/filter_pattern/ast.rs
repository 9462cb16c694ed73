//! The parts JSON and space-delimited patterns share: comparison operators, right-hand values, boolean
//! expressions with `&&`/`||`/parentheses, and how a value compares with a field.

use super::error::FilterPatternError;
use super::lexer::{Cursor, is_bare_value_char, parse_number};
use super::regex::{RegexTerm, parse_regex};
use super::wildcard::Wildcard;

/// Deepest parenthesis nesting accepted in a condition expression (our bound; AWS documents none).
pub const MAX_NESTING: usize = 32;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    /// Parses `!=`, `<=`, `>=`, `=`, `<`, `>` at the cursor. `=!` is read as `!=` (the archived AWS
    /// guide's `[w1=!ERROR, w2]`).
    pub(crate) fn parse(cur: &mut Cursor<'_>) -> Option<Op> {
        let op = if cur.eat("!=") {
            Op::Ne
        } else if cur.eat("<=") {
            Op::Le
        } else if cur.eat(">=") {
            Op::Ge
        } else if cur.rest().starts_with("=!") && !cur.rest().starts_with("=!=") {
            cur.eat("=!");
            Op::Ne
        } else if cur.eat("=") {
            Op::Eq
        } else if cur.eat("<") {
            Op::Lt
        } else if cur.eat(">") {
            Op::Gt
        } else {
            return None;
        };
        Some(op)
    }

    fn is_relational(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    /// A quoted or bare string, possibly with `*` wildcards, compared with the field's text.
    Text(Wildcard),
    /// A bare numeric literal: compared numerically with numbers, and as text with strings.
    Number { value: f64, text: String },
    /// A `%regex%`, searched for in the field's text.
    Regex(RegexTerm),
}

/// A field value as the comparison sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar<'a> {
    /// A JSON string: never compared numerically.
    Str(&'a str),
    /// A JSON number, by its text as written in the event.
    Num(&'a str),
    /// A space-delimited field: compared numerically when it reads as a number.
    Token(&'a str),
}

impl<'a> Scalar<'a> {
    fn text(self) -> &'a str {
        match self {
            Scalar::Str(s) | Scalar::Num(s) | Scalar::Token(s) => s,
        }
    }

    fn number(self) -> Option<f64> {
        match self {
            Scalar::Str(_) => None,
            Scalar::Num(s) => s.parse().ok(),
            Scalar::Token(s) => parse_number(s),
        }
    }
}

/// One comparison: `op operand`.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub(crate) op: Op,
    pub(crate) operand: Operand,
}

impl Comparison {
    /// Parses `op value` at the cursor. Relational operators need a number (`{ $.v > "Alpha" }` is
    /// `Invalid character(s) in term '"Alpha"'` on AWS); a bare `null` is not a value.
    pub(crate) fn parse(
        cur: &mut Cursor<'_>,
        regex_count: &mut usize,
        terminators: &[char],
    ) -> Result<Comparison, FilterPatternError> {
        let op = Op::parse(cur)
            .ok_or_else(|| cur.syntax("expected a comparison operator (=, !=, <, <=, >, >=)"))?;
        cur.skip_ws();
        let start = cur.pos();
        let operand = match cur.peek() {
            Some('"') => Operand::Text(Wildcard::parse(cur.quoted()?)),
            Some('%') => {
                *regex_count += 1;
                Operand::Regex(parse_regex(cur)?)
            }
            Some(c) if is_bare_value_char(c) => {
                let text = cur.take_while(is_bare_value_char);
                match cur.peek() {
                    Some(c) if !super::lexer::is_ws(c) && !terminators.contains(&c) => {
                        return Err(cur.invalid_term(start));
                    }
                    _ => {}
                }
                if text.eq_ignore_ascii_case("null") {
                    return Err(cur.syntax_at(start, "null is not a comparable value; use IS NULL"));
                }
                match parse_number(text) {
                    Some(value) => Operand::Number {
                        value,
                        text: text.to_string(),
                    },
                    None => Operand::Text(Wildcard::parse(text)),
                }
            }
            Some('=' | '!' | '<' | '>') => {
                return Err(cur.syntax("unexpected operator where a value was expected"));
            }
            Some(_) => return Err(cur.invalid_term(start)),
            None => return Err(cur.syntax("expected a value after the operator")),
        };
        if op.is_relational() && !matches!(operand, Operand::Number { .. }) {
            let end = cur.pos();
            let term = &cur.src()[start..end];
            return Err(cur.err_at(
                start,
                super::error::ErrorKind::InvalidCharacter,
                format!("Invalid character(s) in term '{term}'"),
                "<, <=, > and >= compare numbers only",
            ));
        }
        Ok(Comparison { op, operand })
    }

    /// Whether `field op operand` holds.
    pub(crate) fn test(&self, field: Scalar<'_>) -> bool {
        match self.op {
            Op::Eq => self.equals(field),
            Op::Ne => !self.equals(field),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let (Operand::Number { value, .. }, Some(x)) = (&self.operand, field.number())
                else {
                    return false;
                };
                match self.op {
                    Op::Lt => x < *value,
                    Op::Le => x <= *value,
                    Op::Gt => x > *value,
                    _ => x >= *value,
                }
            }
        }
    }

    fn equals(&self, field: Scalar<'_>) -> bool {
        match &self.operand {
            Operand::Text(w) => w.is_match(field.text()),
            Operand::Regex(r) => r.is_match(field.text()),
            Operand::Number { value, text } => match field {
                Scalar::Str(s) => s == text,
                Scalar::Num(_) => field.number() == Some(*value),
                Scalar::Token(s) => match parse_number(s) {
                    Some(x) => x == *value,
                    None => s == text,
                },
            },
        }
    }
}

/// A boolean combination of leaves. `&&` binds tighter than `||`; parentheses group.
#[derive(Debug, Clone)]
pub(crate) enum Expr<L> {
    Leaf(L),
    And(Vec<Expr<L>>),
    Or(Vec<Expr<L>>),
}

impl<L> Expr<L> {
    /// Evaluates with `leaf` deciding each leaf, short-circuiting.
    pub(crate) fn eval(&self, leaf: &mut impl FnMut(&L) -> bool) -> bool {
        match self {
            Expr::Leaf(l) => leaf(l),
            Expr::And(xs) => xs.iter().all(|x| x.eval(leaf)),
            Expr::Or(xs) => xs.iter().any(|x| x.eval(leaf)),
        }
    }

    /// The leftmost leaf.
    pub(crate) fn first_leaf(&self) -> Option<&L> {
        match self {
            Expr::Leaf(l) => Some(l),
            Expr::And(xs) | Expr::Or(xs) => xs.first().and_then(Expr::first_leaf),
        }
    }
}

/// Parses `a && b || (c && d)` with `leaf` reading one leaf. Stops before anything that is not `&&`,
/// `||` or a closing parenthesis it opened; the caller checks what follows.
pub(crate) fn parse_expr<L>(
    cur: &mut Cursor<'_>,
    leaf: &mut impl FnMut(&mut Cursor<'_>) -> Result<L, FilterPatternError>,
) -> Result<Expr<L>, FilterPatternError> {
    parse_or(cur, leaf, 0)
}

fn parse_or<L>(
    cur: &mut Cursor<'_>,
    leaf: &mut impl FnMut(&mut Cursor<'_>) -> Result<L, FilterPatternError>,
    depth: usize,
) -> Result<Expr<L>, FilterPatternError> {
    let mut items = vec![parse_and(cur, leaf, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            break;
        }
        items.push(parse_and(cur, leaf, depth)?);
    }
    Ok(collapse(items, Expr::Or))
}

fn parse_and<L>(
    cur: &mut Cursor<'_>,
    leaf: &mut impl FnMut(&mut Cursor<'_>) -> Result<L, FilterPatternError>,
    depth: usize,
) -> Result<Expr<L>, FilterPatternError> {
    let mut items = vec![parse_primary(cur, leaf, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            break;
        }
        items.push(parse_primary(cur, leaf, depth)?);
    }
    Ok(collapse(items, Expr::And))
}

fn parse_primary<L>(
    cur: &mut Cursor<'_>,
    leaf: &mut impl FnMut(&mut Cursor<'_>) -> Result<L, FilterPatternError>,
    depth: usize,
) -> Result<Expr<L>, FilterPatternError> {
    cur.skip_ws();
    if cur.peek() != Some('(') {
        return leaf(cur).map(Expr::Leaf);
    }
    if depth >= MAX_NESTING {
        return Err(cur.syntax(format!(
            "parentheses nested deeper than {MAX_NESTING} levels"
        )));
    }
    let open = cur.pos();
    cur.bump();
    let inner = parse_or(cur, leaf, depth + 1)?;
    cur.skip_ws();
    if !cur.eat(")") {
        return Err(cur.syntax(format!(
            "expected ')' to close the '(' at character {}",
            cur.src()[..open].chars().count()
        )));
    }
    Ok(inner)
}

fn collapse<L>(mut items: Vec<Expr<L>>, wrap: fn(Vec<Expr<L>>) -> Expr<L>) -> Expr<L> {
    if items.len() == 1 {
        items.swap_remove(0)
    } else {
        wrap(items)
    }
}
