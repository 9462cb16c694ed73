//! The metric-math expression grammar: numbers, strings, query ids, function calls, unary `-` and
//! `NOT`, and binary operators by precedence (lowest first): `OR`/`||`, `AND`/`&&`, comparisons
//! (`== != < <= > >=`), `+ -`, `* /`, `^` (right-associative).

use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Str(String),
    /// A query id, or a bare word argument such as `REPEAT`.
    Ident(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// A syntax error with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.at)
    }
}

/// Longest expression accepted (AWS quota).
pub const MAX_EXPRESSION_LEN: usize = 2_048;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Word(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, m: &str| ParseError {
        at,
        message: m.to_owned(),
    };
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let n = src[start..i]
                .parse::<f64>()
                .map_err(|_| err(start, "invalid number"))?;
            out.push((start, Tok::Num(n)));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((start, Tok::Word(src[start..i].to_owned())));
            continue;
        }
        if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            if i >= b.len() {
                return Err(err(start, "unterminated string"));
            }
            out.push((start, Tok::Str(src[start + 1..i].to_owned())));
            i += 1;
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let op: Option<&'static str> = match two {
            "==" => Some("=="),
            "!=" => Some("!="),
            "<=" => Some("<="),
            ">=" => Some(">="),
            "&&" => Some("&&"),
            "||" => Some("||"),
            _ => None,
        };
        if let Some(op) = op {
            out.push((start, Tok::Op(op)));
            i += 2;
            continue;
        }
        let tok = match c {
            b'+' => Tok::Op("+"),
            b'-' => Tok::Op("-"),
            b'*' => Tok::Op("*"),
            b'/' => Tok::Op("/"),
            b'^' => Tok::Op("^"),
            b'<' => Tok::Op("<"),
            b'>' => Tok::Op(">"),
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b',' => Tok::Comma,
            _ => return Err(err(start, "unexpected character")),
        };
        out.push((start, tok));
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
}

fn binary_op(t: &Tok) -> Option<(Op, u8)> {
    Some(match t {
        Tok::Word(w) if w.eq_ignore_ascii_case("OR") => (Op::Or, 1),
        Tok::Op("||") => (Op::Or, 1),
        Tok::Word(w) if w.eq_ignore_ascii_case("AND") => (Op::And, 2),
        Tok::Op("&&") => (Op::And, 2),
        Tok::Op("==") => (Op::Eq, 3),
        Tok::Op("!=") => (Op::Ne, 3),
        Tok::Op("<") => (Op::Lt, 3),
        Tok::Op("<=") => (Op::Le, 3),
        Tok::Op(">") => (Op::Gt, 3),
        Tok::Op(">=") => (Op::Ge, 3),
        Tok::Op("+") => (Op::Add, 4),
        Tok::Op("-") => (Op::Sub, 4),
        Tok::Op("*") => (Op::Mul, 5),
        Tok::Op("/") => (Op::Div, 5),
        Tok::Op("^") => (Op::Pow, 7),
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |(a, _)| *a)
    }

    fn err<T>(&self, m: &str) -> Result<T, ParseError> {
        Err(ParseError {
            at: self.at(),
            message: m.to_owned(),
        })
    }

    fn expr(&mut self, min: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.peek().and_then(binary_op) {
            if prec < min {
                break;
            }
            self.pos += 1;
            // `^` is right-associative; the rest associate to the left.
            let next = if op == Op::Pow { prec } else { prec + 1 };
            let rhs = self.expr(next)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some(Tok::Op("-")) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.expr(6)?)))
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("NOT") => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.expr(3)?)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let Some((_, t)) = self.toks.get(self.pos).cloned() else {
            return self.err("unexpected end of expression");
        };
        self.pos += 1;
        match t {
            Tok::Num(n) => Ok(Expr::Number(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                let e = self.expr(0)?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.err("expected )");
                }
                self.pos += 1;
                Ok(e)
            }
            Tok::Word(w) => {
                if self.peek() != Some(&Tok::LParen) {
                    return Ok(Expr::Ident(w));
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                    return Ok(Expr::Call(w.to_ascii_uppercase(), args));
                }
                loop {
                    args.push(self.expr(0)?);
                    match self.peek() {
                        Some(Tok::Comma) => self.pos += 1,
                        Some(Tok::RParen) => {
                            self.pos += 1;
                            return Ok(Expr::Call(w.to_ascii_uppercase(), args));
                        }
                        _ => return self.err("expected , or )"),
                    }
                }
            }
            _ => {
                self.pos -= 1;
                self.err("unexpected token")
            }
        }
    }
}

/// Parses a metric-math expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.len() > MAX_EXPRESSION_LEN {
        return Err(ParseError {
            at: MAX_EXPRESSION_LEN,
            message: format!("expression longer than {MAX_EXPRESSION_LEN} characters"),
        });
    }
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        len: src.len(),
    };
    let e = p.expr(0)?;
    if p.pos != p.toks.len() {
        return p.err("unexpected token");
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_associativity() {
        let e = parse("a + b * 2 ^ 3 ^ 2").ok();
        let n = |v: f64| Box::new(Expr::Number(v));
        let id = |s: &str| Box::new(Expr::Ident(s.into()));
        assert_eq!(
            e,
            Some(Expr::Binary(
                Op::Add,
                id("a"),
                Box::new(Expr::Binary(
                    Op::Mul,
                    id("b"),
                    Box::new(Expr::Binary(
                        Op::Pow,
                        n(2.0),
                        Box::new(Expr::Binary(Op::Pow, n(3.0), n(2.0)))
                    ))
                ))
            ))
        );
        assert!(parse("FILL(m1, REPEAT)").is_ok());
        assert!(parse("IF(m1 > 10 AND NOT m2 == 0, m1, 0)").is_ok());
        assert!(parse("SUM(METRICS(\"cpu\"))").is_ok());
        assert!(parse("(m1 + ").is_err());
        assert!(parse("m1 $ m2").is_err());
    }
}
