//! Recursive-descent parser for `AlarmRule` (grammar: or := and (OR and)*; and := not (AND not)*;
//! not := NOT not | atom; atom := ( or ) | TRUE | FALSE | FN ( name ); name quoted or bare).
//!
//! Errors follow AWS's `Error in AlarmRule [Unsupported token 'X' at char N]`, with
//! `, must be: ')'` when one token only fits; N is the 0-based character offset. A bare name is
//! one token (no spaces): AWS rejects `ALARM(My Alarm)` at `Alarm`, must be `)`.

use super::{Expr, MAX_DEPTH, RuleError, StateFn};

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

/// Characters that end a bare token.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

/// Parses a whole rule.
pub(super) fn parse(src: &str) -> Result<Expr, RuleError> {
    let mut p = Parser {
        src,
        pos: 0,
        depth: 0,
    };
    let expr = p.or()?;
    p.skip_ws();
    if p.pos < src.len() {
        return Err(p.unsupported(None));
    }
    Ok(expr)
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    /// The token at the current position: a parenthesis, a quote, or a bare run.
    fn token(&self) -> &str {
        let rest = self.rest();
        match rest.chars().next() {
            None => "",
            Some(c) if is_delimiter(c) => &rest[..c.len_utf8()],
            Some(_) => &rest[..rest.find(is_delimiter).unwrap_or(rest.len())],
        }
    }

    /// `Unsupported token` at the current position (or end of rule).
    fn unsupported(&self, must_be: Option<&'static str>) -> RuleError {
        let position = self.src[..self.pos].chars().count();
        let token = self.token();
        if token.is_empty() {
            RuleError::UnexpectedEnd { position, must_be }
        } else {
            RuleError::Syntax {
                token: token.to_owned(),
                position,
                must_be,
            }
        }
    }

    /// Consumes keyword `kw` if it is the next whole token.
    fn keyword(&mut self, kw: &str) -> bool {
        self.skip_ws();
        if self.token() == kw {
            self.pos += kw.len();
            true
        } else {
            false
        }
    }

    fn punct(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Result<(), RuleError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(RuleError::TooDeep)
        } else {
            Ok(())
        }
    }

    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, RuleError> {
        if self.keyword("NOT") {
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, RuleError> {
        if self.punct('(') {
            self.enter()?;
            let inner = self.or()?;
            self.depth -= 1;
            if !self.punct(')') {
                return Err(self.unsupported(Some(")")));
            }
            return Ok(inner);
        }
        if self.keyword("TRUE") {
            return Ok(Expr::Const(true));
        }
        if self.keyword("FALSE") {
            return Ok(Expr::Const(false));
        }
        let f = if self.keyword("ALARM") {
            StateFn::Alarm
        } else if self.keyword("OK") {
            StateFn::Ok
        } else if self.keyword("INSUFFICIENT_DATA") {
            StateFn::InsufficientData
        } else {
            return Err(self.unsupported(None));
        };
        if !self.punct('(') {
            return Err(self.unsupported(Some("(")));
        }
        let name = self.name()?;
        if !self.punct(')') {
            return Err(self.unsupported(Some(")")));
        }
        Ok(Expr::Test(f, name))
    }

    /// A bare token or a double-quoted name (which may hold spaces and parentheses).
    fn name(&mut self) -> Result<String, RuleError> {
        self.skip_ws();
        let src = self.src;
        let rest = &src[self.pos..];
        if let Some(quoted) = rest.strip_prefix('"') {
            return match quoted.find('"') {
                Some(end) if !quoted[..end].trim().is_empty() => {
                    self.pos += end + 2;
                    Ok(quoted[..end].to_owned())
                }
                _ => Err(self.unsupported(None)),
            };
        }
        let token = self.token();
        if token.is_empty() || token.starts_with(is_delimiter) {
            return Err(self.unsupported(None));
        }
        let name = token.to_owned();
        self.pos += name.len();
        Ok(name)
    }
}
