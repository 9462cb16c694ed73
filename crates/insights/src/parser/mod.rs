//! The recursive-descent parser: tokens to [`Query`], with the span of the first error.
//!
//! Precedence, lowest first: `or`; `and`; `not`; comparisons (`= != < <= > >=`, `like`, `=~`,
//! `in`, `not in`, `not like`); `+ -`; `* / %`; unary `-`; `^`; primaries.

use regex::Regex;

use crate::ast::{Command, DiffPeriod, Expr, ParseKind, Projection, Query, Source};
use crate::error::QueryError;
use crate::lexer::{Tok, Token, lex};

mod expr;

/// The most commands a query may hold (a bound on work, far above real queries).
pub const MAX_COMMANDS: usize = 100;
/// The deepest expression nesting accepted (keeps recursion bounded).
pub const MAX_DEPTH: usize = 64;
/// The longest `limit` accepted (AWS's cap on returned rows).
pub const MAX_LIMIT: usize = 10_000;

/// Parses a query string.
pub fn parse(src: &str) -> Result<Query, QueryError> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        i: 0,
        depth: 0,
    };
    p.query()
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn unexpected(&self) -> QueryError {
        let t = self.peek();
        if t.tok == Tok::Eof {
            return QueryError::new("unexpected end of query", t.start, t.end);
        }
        let text = self.src.get(t.start..t.end).unwrap_or_default();
        QueryError::new(format!("unexpected symbol found {text}"), t.start, t.end)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(x) if x.eq_ignore_ascii_case(w))
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.is_word(w);
        if yes {
            self.bump();
        }
        yes
    }

    fn eat(&mut self, t: &Tok) -> bool {
        let yes = &self.peek().tok == t;
        if yes {
            self.bump();
        }
        yes
    }

    fn expect(&mut self, t: &Tok) -> Result<(), QueryError> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn at_command_end(&self) -> bool {
        matches!(self.peek().tok, Tok::Pipe | Tok::Eof)
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        let mut source = None;
        if self.is_word("source") {
            source = Some(self.source()?);
            if !self.eat(&Tok::Pipe) && self.peek().tok != Tok::Eof {
                return Err(self.unexpected());
            }
        }
        let mut commands = Vec::new();
        if self.peek().tok == Tok::Eof {
            if source.is_some() {
                return Ok(Query { source, commands });
            }
            return Err(self.unexpected());
        }
        loop {
            if commands.len() >= MAX_COMMANDS {
                let t = self.peek();
                return Err(QueryError::new("too many commands", t.start, t.end));
            }
            commands.push(self.command()?);
            match self.peek().tok {
                Tok::Eof => break,
                Tok::Pipe => {
                    self.bump();
                }
                _ => return Err(self.unexpected()),
            }
        }
        let stats = commands
            .iter()
            .filter(|c| matches!(c, Command::Stats { .. }))
            .count();
        if stats > 2 {
            return Err(QueryError::new(
                "a query can contain at most two stats commands",
                0,
                self.src.len(),
            ));
        }
        Ok(Query { source, commands })
    }

    fn source(&mut self) -> Result<Source, QueryError> {
        self.bump();
        if !self.eat_word("logGroups") {
            return Err(self.unexpected());
        }
        self.expect(&Tok::LParen)?;
        let mut src = Source::default();
        while !self.eat(&Tok::RParen) {
            let key = match self.bump().tok {
                Tok::Ident(k) => k,
                _ => return Err(self.unexpected_prev()),
            };
            self.expect(&Tok::Colon)?;
            let values = self.source_values()?;
            match key.to_ascii_lowercase().as_str() {
                "nameprefix" => src.name_prefixes = values,
                "class" => src.class = values.into_iter().next(),
                "accountidentifiers" => src.account_identifiers = values,
                _ => return Err(self.unexpected_prev()),
            }
            self.eat(&Tok::Comma);
        }
        Ok(src)
    }

    fn unexpected_prev(&self) -> QueryError {
        let t = &self.toks[self.i.saturating_sub(1)];
        let text = self.src.get(t.start..t.end).unwrap_or_default();
        QueryError::new(format!("unexpected symbol found {text}"), t.start, t.end)
    }

    fn source_values(&mut self) -> Result<Vec<String>, QueryError> {
        let mut out = Vec::new();
        if self.eat(&Tok::LBracket) {
            while !self.eat(&Tok::RBracket) {
                match self.bump().tok {
                    Tok::Str(s) | Tok::Ident(s) => out.push(s),
                    _ => return Err(self.unexpected_prev()),
                }
                self.eat(&Tok::Comma);
            }
        } else {
            match self.bump().tok {
                Tok::Str(s) | Tok::Ident(s) => out.push(s),
                _ => return Err(self.unexpected_prev()),
            }
        }
        Ok(out)
    }

    fn command(&mut self) -> Result<Command, QueryError> {
        let t = self.peek().clone();
        let Tok::Ident(word) = &t.tok else {
            return Err(self.unexpected());
        };
        self.bump();
        let cmd = match word.to_ascii_lowercase().as_str() {
            "fields" => Command::Fields(self.projections(false)?),
            "display" => Command::Display(self.projections(false)?),
            "filter" => {
                let e = self.expr()?;
                no_aggregate(&e, t.start, self.src)?;
                Command::Filter(e)
            }
            "stats" => self.stats()?,
            "sort" => {
                let mut keys = Vec::new();
                loop {
                    let e = self.expr()?;
                    let desc = if self.eat_word("desc") {
                        true
                    } else {
                        self.eat_word("asc");
                        false
                    };
                    keys.push((e, desc));
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                Command::Sort(keys)
            }
            "limit" => {
                let nt = self.bump();
                match nt.tok {
                    Tok::Num(n) if n >= 1.0 && n.fract() == 0.0 && n <= MAX_LIMIT as f64 => {
                        Command::Limit(n as usize)
                    }
                    Tok::Num(_) => {
                        return Err(QueryError::new(
                            format!("limit must be between 1 and {MAX_LIMIT}"),
                            nt.start,
                            nt.end,
                        ));
                    }
                    _ => return Err(self.unexpected_prev()),
                }
            }
            "parse" => self.parse_cmd()?,
            "dedup" => {
                let mut fields = Vec::new();
                loop {
                    fields.push(self.expr()?);
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                Command::Dedup(fields)
            }
            "pattern" => {
                let e = if self.at_command_end() {
                    Expr::Field("@message".into())
                } else {
                    self.expr()?
                };
                Command::Pattern(e)
            }
            "diff" => {
                let p = if self.eat_word("previousDay") {
                    DiffPeriod::Day
                } else if self.eat_word("previousWeek") {
                    DiffPeriod::Week
                } else if self.eat_word("previousMonth") {
                    DiffPeriod::Month
                } else {
                    DiffPeriod::Previous
                };
                Command::Diff(p)
            }
            "unnest" => {
                let field = self.field_name()?;
                let alias = if self.eat_word("into") || self.eat_word("as") {
                    self.field_name()?
                } else {
                    field.clone()
                };
                Command::Unnest { field, alias }
            }
            _ => {
                self.i -= 1;
                return Err(self.unexpected());
            }
        };
        if !self.at_command_end() {
            return Err(self.unexpected());
        }
        Ok(cmd)
    }

    fn field_name(&mut self) -> Result<String, QueryError> {
        match self.bump().tok {
            Tok::Ident(s) | Tok::Quoted(s) => Ok(s),
            _ => Err(self.unexpected_prev()),
        }
    }

    fn stats(&mut self) -> Result<Command, QueryError> {
        let start = self.peek().start;
        let aggs = self.projections(true)?;
        for (i, a) in aggs.iter().enumerate() {
            let mut refs = Vec::new();
            a.expr.fields(&mut refs);
            let on_earlier =
                !refs.is_empty() && refs.iter().all(|r| aggs[..i].iter().any(|p| p.name == *r));
            if !a.expr.has_aggregate() && !on_earlier {
                return Err(QueryError::new(
                    format!("{} is not an aggregate function", a.name),
                    start,
                    self.peek().start,
                ));
            }
        }
        let mut by = Vec::new();
        if self.eat_word("by") {
            by = self.projections(false)?;
            for b in &by {
                no_aggregate(&b.expr, start, self.src)?;
            }
        }
        Ok(Command::Stats { aggs, by })
    }

    fn parse_cmd(&mut self) -> Result<Command, QueryError> {
        let source = match &self.peek().tok {
            Tok::Str(_) | Tok::Regex(_) => Expr::Field("@message".into()),
            _ => self.primary()?,
        };
        let pt = self.bump();
        match pt.tok {
            Tok::Str(glob) => {
                let parts: Vec<String> = glob.split('*').map(str::to_owned).collect();
                if !self.eat_word("as") {
                    return Err(self.unexpected());
                }
                let mut names = Vec::new();
                loop {
                    names.push(self.field_name()?);
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                if names.len() != parts.len() - 1 {
                    return Err(QueryError::new(
                        format!(
                            "the pattern has {} wildcards but {} field names",
                            parts.len() - 1,
                            names.len()
                        ),
                        pt.start,
                        self.peek().start,
                    ));
                }
                Ok(Command::Parse {
                    source,
                    kind: ParseKind::Glob { parts, names },
                })
            }
            Tok::Regex(re) => {
                let re = compile(&re, pt.start, pt.end)?;
                let names: Vec<String> = re.capture_names().flatten().map(str::to_owned).collect();
                if names.is_empty() {
                    return Err(QueryError::new(
                        "the regular expression has no named capture groups",
                        pt.start,
                        pt.end,
                    ));
                }
                Ok(Command::Parse {
                    source,
                    kind: ParseKind::Regex { re, names },
                })
            }
            _ => Err(self.unexpected_prev()),
        }
    }

    fn projections(&mut self, in_stats: bool) -> Result<Vec<Projection>, QueryError> {
        let mut out = Vec::new();
        loop {
            let start = self.peek().start;
            let expr = self.expr()?;
            let end = self.toks[self.i.saturating_sub(1)].end;
            if !in_stats {
                no_aggregate(&expr, start, self.src)?;
            }
            let name = if self.eat_word("as") {
                self.field_name()?
            } else {
                match &expr {
                    Expr::Field(f) => f.clone(),
                    _ => self
                        .src
                        .get(start..end)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                }
            };
            out.push(Projection { expr, name });
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        Ok(out)
    }
}

fn compile(re: &str, start: usize, end: usize) -> Result<Regex, QueryError> {
    regex::RegexBuilder::new(re)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| QueryError::new(format!("invalid regular expression /{re}/"), start, end))
}

fn no_aggregate(e: &Expr, start: usize, src: &str) -> Result<(), QueryError> {
    if e.has_aggregate() {
        return Err(QueryError::new(
            "aggregate functions are only allowed in stats",
            start,
            src.len(),
        ));
    }
    Ok(())
}
