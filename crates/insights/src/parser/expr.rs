//! Expressions: precedence climbing from `or` down to primaries.

use super::{MAX_DEPTH, Parser, compile};
use crate::agg::is_aggregate;
use crate::ast::{BinOp, Expr};
use crate::error::QueryError;
use crate::functions::is_scalar;
use crate::lexer::Tok;
use crate::value::Value;

impl Parser<'_> {
    fn nest<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(QueryError::new(
                "expression nested too deeply",
                t.start,
                t.end,
            ));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Parses an expression.
    pub fn expr(&mut self) -> Result<Expr, QueryError> {
        self.nest(Self::or)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.and()?;
        while self.eat_word("or") {
            let r = self.and()?;
            l = Expr::Binary(BinOp::Or, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.not()?;
        while self.eat_word("and") {
            let r = self.not()?;
            l = Expr::Binary(BinOp::And, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.is_word("not") {
            self.bump();
            let e = self.nest(Self::not)?;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let l = self.additive()?;
        let op = match self.peek().tok {
            Tok::Eq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let r = self.additive()?;
            return Ok(Expr::Binary(op, Box::new(l), Box::new(r)));
        }
        let negated = self.is_word("not")
            && matches!(self.peek_at(1), Tok::Ident(w) if w.eq_ignore_ascii_case("like") || w.eq_ignore_ascii_case("in"));
        if negated {
            self.bump();
        }
        if self.eat(&Tok::Match) || self.eat_word("like") {
            let pattern = self.additive()?;
            return Ok(Expr::Like {
                expr: Box::new(l),
                pattern: Box::new(pattern),
                negated,
            });
        }
        if self.eat_word("in") {
            self.expect(&Tok::LBracket)?;
            let mut list = Vec::new();
            if !self.eat(&Tok::RBracket) {
                loop {
                    list.push(self.expr()?);
                    if self.eat(&Tok::RBracket) {
                        break;
                    }
                    self.expect(&Tok::Comma)?;
                }
            }
            return Ok(Expr::In {
                expr: Box::new(l),
                list,
                negated,
            });
        }
        if negated {
            return Err(self.unexpected());
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.multiplicative()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.multiplicative()?;
            l = Expr::Binary(op, Box::new(l), Box::new(r));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Mod,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.unary()?;
            l = Expr::Binary(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.eat(&Tok::Minus) {
            let e = self.nest(Self::unary)?;
            return Ok(match e {
                Expr::Lit(Value::Num(n)) => Expr::Lit(Value::Num(-n)),
                e => Expr::Neg(Box::new(e)),
            });
        }
        let base = self.primary()?;
        if self.eat(&Tok::Caret) {
            let exp = self.nest(Self::unary)?;
            return Ok(Expr::Binary(BinOp::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    pub(super) fn primary(&mut self) -> Result<Expr, QueryError> {
        let t = self.bump();
        Ok(match t.tok {
            Tok::Num(n) => Expr::Lit(Value::Num(n)),
            Tok::Str(s) => Expr::Lit(Value::str(s)),
            Tok::Duration { ms, months, .. } => Expr::Duration { ms, months },
            Tok::Regex(re) => Expr::Regex(compile(&re, t.start, t.end)?),
            Tok::Quoted(f) => Expr::Field(f),
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(&Tok::RParen)?;
                e
            }
            Tok::Ident(name) if self.peek().tok == Tok::LParen => {
                let lower = name.to_ascii_lowercase();
                if !is_aggregate(&lower) && !is_scalar(&lower) {
                    return Err(QueryError::new(
                        format!("unknown function {name}"),
                        t.start,
                        t.end,
                    ));
                }
                self.bump();
                let mut args = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        if lower == "count" && self.peek().tok == Tok::Star {
                            self.bump();
                            args.push(Expr::Star);
                        } else {
                            args.push(self.expr()?);
                        }
                        if self.eat(&Tok::RParen) {
                            break;
                        }
                        self.expect(&Tok::Comma)?;
                    }
                }
                let end = self.toks[self.i.saturating_sub(1)].end;
                crate::functions::check_arity(&lower, args.len())
                    .map_err(|m| QueryError::new(m, t.start, end))?;
                if is_aggregate(&lower) && args.iter().any(Expr::has_aggregate) {
                    return Err(QueryError::new(
                        "aggregate functions cannot be nested",
                        t.start,
                        end,
                    ));
                }
                Expr::Call {
                    name: lower,
                    args,
                    text: self.src.get(t.start..end).unwrap_or_default().to_owned(),
                }
            }
            Tok::Ident(name) => match name.to_ascii_lowercase().as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "and" | "or" | "by" | "as" | "in" | "like" | "desc" | "asc" => {
                    self.i -= 1;
                    return Err(self.unexpected());
                }
                _ => Expr::Field(name),
            },
            Tok::Eof => return Err(self.unexpected()),
            _ => {
                self.i -= 1;
                return Err(self.unexpected());
            }
        })
    }
}
