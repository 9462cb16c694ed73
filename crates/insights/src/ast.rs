//! The query's syntax tree.

use regex::Regex;

use crate::value::Value;

/// A parsed query: optional `SOURCE` log groups, then commands in order.
#[derive(Debug, Clone)]
pub struct Query {
    pub source: Option<Source>,
    pub commands: Vec<Command>,
}

/// `SOURCE logGroups(namePrefix: [...], class: ..., accountIdentifiers: [...])`.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub name_prefixes: Vec<String>,
    pub class: Option<String>,
    pub account_identifiers: Vec<String>,
}

/// An expression with an output name (its alias or its source text).
#[derive(Debug, Clone)]
pub struct Projection {
    pub expr: Expr,
    pub name: String,
}

/// How `parse` extracts fields.
#[derive(Debug, Clone)]
pub enum ParseKind {
    /// A glob: literal parts around `*` captures, and the names of the captures.
    Glob {
        parts: Vec<String>,
        names: Vec<String>,
    },
    /// A regex with named groups (the names become fields).
    Regex { re: Regex, names: Vec<String> },
}

/// Which earlier period `diff` compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffPeriod {
    Previous,
    Day,
    Week,
    Month,
}

/// One command of the pipeline.
#[derive(Debug, Clone)]
pub enum Command {
    Fields(Vec<Projection>),
    Display(Vec<Projection>),
    Filter(Expr),
    Stats {
        aggs: Vec<Projection>,
        by: Vec<Projection>,
    },
    Sort(Vec<(Expr, bool)>),
    Limit(usize),
    Parse {
        source: Expr,
        kind: ParseKind,
    },
    Dedup(Vec<Expr>),
    Pattern(Expr),
    Diff(DiffPeriod),
    Unnest {
        field: String,
        alias: String,
    },
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
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

/// An expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Field(String),
    Lit(Value),
    /// A time span (`5m`): milliseconds and months.
    Duration {
        ms: i64,
        months: i64,
    },
    Regex(Regex),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x like "substr"` / `x like /re/` / `x =~ /re/`; `negated` for `not like`.
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// A function call; `text` is its source text (an aggregate's column name).
    Call {
        name: String,
        args: Vec<Expr>,
        text: String,
    },
    /// `count(*)`'s argument.
    Star,
}

impl Expr {
    /// Whether the expression contains an aggregate call.
    pub fn has_aggregate(&self) -> bool {
        match self {
            Expr::Call { name, args, .. } => {
                crate::agg::is_aggregate(name) || args.iter().any(Expr::has_aggregate)
            }
            Expr::Neg(e) | Expr::Not(e) => e.has_aggregate(),
            Expr::Binary(_, a, b) => a.has_aggregate() || b.has_aggregate(),
            Expr::Like { expr, pattern, .. } => expr.has_aggregate() || pattern.has_aggregate(),
            Expr::In { expr, list, .. } => {
                expr.has_aggregate() || list.iter().any(Expr::has_aggregate)
            }
            _ => false,
        }
    }

    /// Every field the expression reads.
    pub fn fields(&self, out: &mut Vec<String>) {
        match self {
            Expr::Field(f) => out.push(f.clone()),
            Expr::Call { args, .. } => args.iter().for_each(|a| a.fields(out)),
            Expr::Neg(e) | Expr::Not(e) => e.fields(out),
            Expr::Binary(_, a, b) => {
                a.fields(out);
                b.fields(out);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.fields(out);
                pattern.fields(out);
            }
            Expr::In { expr, list, .. } => {
                expr.fields(out);
                list.iter().for_each(|a| a.fields(out));
            }
            _ => {}
        }
    }
}
