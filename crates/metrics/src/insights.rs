//! Metrics Insights queries in GetMetricData:
//! `SELECT FUNC(metric) FROM namespace | SCHEMA(namespace[, key…]) [WHERE …] [GROUP BY key, …]
//! [ORDER BY FUNC() [ASC|DESC]] [LIMIT n]` with FUNC one of AVG, SUM, MIN, MAX, COUNT, and WHERE
//! terms `key = 'v'`, `!=`/`<>`, `IN (…)`, `NOT IN (…)`, `LIKE 'pre%fix'`, combined with AND, OR,
//! NOT and parentheses. Candidate series come from the index (namespace and metric postings), at
//! most [`MAX_SERIES_SCANNED`]; each group is one result series, at most [`MAX_SERIES_RETURNED`].
//! A series lacking a `GROUP BY` key falls in the null group [`OTHER`]. Groups come in ascending
//! order of their values unless `ORDER BY FUNC()` ranks them by that function over each returned
//! series' datapoints ([`Func::over_points`]; any of the five, not only the selected one) — with
//! `LIMIT`, a "Top N". Quoted names and values take backslash escapes.

use std::collections::BTreeMap;

use crate::model::SeriesKey;
use crate::stats::Statistic;

/// Most series one query reads (AWS quota).
pub const MAX_SERIES_SCANNED: usize = 10_000;
/// Most series one query returns (AWS quota).
pub const MAX_SERIES_RETURNED: usize = 500;
/// How far back a query reads (AWS quota: two weeks).
pub const MAX_AGE_MILLIS: i64 = 14 * 24 * 3_600_000;
/// The value a series lacking a `GROUP BY` key is grouped under.
pub const OTHER: &str = "Other";

/// A parsed Insights query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub func: Func,
    pub metric: String,
    pub namespace: String,
    /// `SCHEMA(ns, keys…)`: only series whose dimension names are exactly these.
    pub schema: Option<Vec<String>>,
    pub filter: Option<Cond>,
    pub group_by: Vec<String>,
    /// `ORDER BY FUNC() DESC` → (func, descending).
    pub order_by: Option<(Func, bool)>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Avg,
    Sum,
    Min,
    Max,
    Count,
}

impl Func {
    fn parse(s: &str) -> Option<Func> {
        Some(match s.to_ascii_uppercase().as_str() {
            "AVG" => Func::Avg,
            "SUM" => Func::Sum,
            "MIN" => Func::Min,
            "MAX" => Func::Max,
            "COUNT" => Func::Count,
            _ => return None,
        })
    }

    /// `ORDER BY FUNC()`: the single value the function computes from a returned series'
    /// datapoints (`COUNT()` counts them); `None` for a series without datapoints.
    pub fn over_points(self, values: &[f64]) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        let sum: f64 = values.iter().sum();
        Some(match self {
            Func::Avg => sum / values.len() as f64,
            Func::Sum => sum,
            Func::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            Func::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Func::Count => values.len() as f64,
        })
    }

    /// The name of [`Func::statistic`] (`${PROP('Stat')}` of the query's series).
    pub fn stat_name(self) -> &'static str {
        match self {
            Func::Avg => "Average",
            Func::Sum => "Sum",
            Func::Min => "Minimum",
            Func::Max => "Maximum",
            Func::Count => "SampleCount",
        }
    }

    /// The statistic the function computes per period.
    pub fn statistic(self) -> Statistic {
        match self {
            Func::Avg => Statistic::Average,
            Func::Sum => Statistic::Sum,
            Func::Min => Statistic::Minimum,
            Func::Max => Statistic::Maximum,
            Func::Count => Statistic::SampleCount,
        }
    }
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    Like(String, String),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

impl Cond {
    /// Whether a series matches. A key the series lacks matches no equality, and `!=`/`NOT IN`
    /// only hold for series that have the key.
    pub fn matches(&self, key: &SeriesKey) -> bool {
        let get = |k: &str| {
            key.dimensions
                .iter()
                .find(|d| &*d.name == k)
                .map(|d| &*d.value)
        };
        match self {
            Cond::Eq(k, v) => get(k) == Some(v.as_str()),
            Cond::Ne(k, v) => get(k).is_some_and(|x| x != v),
            Cond::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Cond::Like(k, p) => get(k).is_some_and(|x| like(p, x)),
            Cond::Not(c) => match c.as_ref() {
                Cond::In(k, vs) => get(k).is_some_and(|x| !vs.iter().any(|v| v == x)),
                other => !other.matches(key),
            },
            Cond::And(a, b) => a.matches(key) && b.matches(key),
            Cond::Or(a, b) => a.matches(key) || b.matches(key),
        }
    }
}

/// SQL `LIKE` with `%` (any run) and `_` (one character).
fn like(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            // A backslash escapes the next character (`"Bytes\"In\""`).
            let mut text = String::new();
            i += 1;
            loop {
                let Some(&ch) = b.get(i) else {
                    return Err("unterminated string".into());
                };
                if ch == c {
                    break;
                }
                let at = if ch == b'\\' && i + 1 < b.len() {
                    i + 1
                } else {
                    i
                };
                let len = src[at..].chars().next().map_or(1, char::len_utf8);
                text.push_str(&src[at..at + len]);
                i = at + len;
            }
            out.push(if c == b'"' {
                Tok::Word(text)
            } else {
                Tok::Str(text)
            });
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num(
                src[start..i]
                    .parse()
                    .map_err(|_| "invalid number".to_owned())?,
            ));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'/' | b'.' | b'-' | b':'))
            {
                i += 1;
            }
            out.push(Tok::Word(src[start..i].to_owned()));
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let sym: &'static str = match (two, c) {
                ("!=", _) => "!=",
                ("<>", _) => "!=",
                (_, b'=') => "=",
                (_, b'(') => "(",
                (_, b')') => ")",
                (_, b',') => ",",
                _ => return Err(format!("unexpected character '{}'", c as char)),
            };
            i += if sym == "!=" { 2 } else { 1 };
            out.push(Tok::Sym(sym));
        }
    }
    Ok(out)
}

struct P {
    t: Vec<Tok>,
    i: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }

    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k)) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, k: &str) -> Result<(), String> {
        self.keyword(k)
            .then_some(())
            .ok_or_else(|| format!("expected {k}"))
    }

    fn sym(&mut self, s: &str) -> bool {
        if self.peek()
            == Some(&Tok::Sym(match s {
                "(" => "(",
                ")" => ")",
                "," => ",",
                "=" => "=",
                _ => "!=",
            }))
        {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn word(&mut self) -> Result<String, String> {
        match self.t.get(self.i).cloned() {
            Some(Tok::Word(w)) => {
                self.i += 1;
                Ok(w)
            }
            _ => Err("expected a name".into()),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        match self.t.get(self.i).cloned() {
            Some(Tok::Str(s)) => {
                self.i += 1;
                Ok(s)
            }
            _ => Err("expected a quoted value".into()),
        }
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut c = self.and()?;
        while self.keyword("OR") {
            c = Cond::Or(Box::new(c), Box::new(self.and()?));
        }
        Ok(c)
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut c = self.not()?;
        while self.keyword("AND") {
            c = Cond::And(Box::new(c), Box::new(self.not()?));
        }
        Ok(c)
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.keyword("NOT") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.sym("(") {
            let c = self.or()?;
            if !self.sym(")") {
                return Err("expected )".into());
            }
            return Ok(c);
        }
        let key = self.word()?;
        if self.sym("=") {
            return Ok(Cond::Eq(key, self.string()?));
        }
        if self.sym("!=") {
            return Ok(Cond::Ne(key, self.string()?));
        }
        if self.keyword("LIKE") {
            return Ok(Cond::Like(key, self.string()?));
        }
        let negated = self.keyword("NOT");
        if self.keyword("IN") {
            if !self.sym("(") {
                return Err("expected (".into());
            }
            let mut vs = vec![self.string()?];
            while self.sym(",") {
                vs.push(self.string()?);
            }
            if !self.sym(")") {
                return Err("expected )".into());
            }
            let c = Cond::In(key, vs);
            return Ok(if negated { Cond::Not(Box::new(c)) } else { c });
        }
        Err(format!("expected an operator after {key}"))
    }
}

/// True if `text` is an Insights query rather than metric math.
pub fn is_insights(text: &str) -> bool {
    let t = text.trim_start();
    t.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("SELECT"))
        && t[6..].starts_with(|c: char| c.is_ascii_whitespace())
}

/// Parses an Insights query.
pub fn parse(text: &str) -> Result<Query, String> {
    let mut p = P {
        t: lex(text)?,
        i: 0,
    };
    p.expect_kw("SELECT")?;
    let func_name = p.word()?;
    let func = Func::parse(&func_name).ok_or_else(|| format!("unknown function {func_name}"))?;
    if !p.sym("(") {
        return Err("expected (".into());
    }
    let metric = p.word()?;
    if !p.sym(")") {
        return Err("expected )".into());
    }
    p.expect_kw("FROM")?;
    let (namespace, schema) = if p.keyword("SCHEMA") {
        if !p.sym("(") {
            return Err("expected (".into());
        }
        let ns = p.word()?;
        let mut keys = Vec::new();
        while p.sym(",") {
            keys.push(p.word()?);
        }
        if !p.sym(")") {
            return Err("expected )".into());
        }
        (ns, Some(keys))
    } else {
        (p.word()?, None)
    };
    let filter = if p.keyword("WHERE") {
        Some(p.or()?)
    } else {
        None
    };
    let mut group_by = Vec::new();
    if p.keyword("GROUP") {
        p.expect_kw("BY")?;
        group_by.push(p.word()?);
        while p.sym(",") {
            group_by.push(p.word()?);
        }
    }
    let mut order_by = None;
    if p.keyword("ORDER") {
        p.expect_kw("BY")?;
        let f = p.word()?;
        let f = Func::parse(&f).ok_or_else(|| format!("unknown function {f}"))?;
        if !(p.sym("(") && p.sym(")")) {
            return Err("expected ()".into());
        }
        let desc = if p.keyword("DESC") {
            true
        } else {
            p.keyword("ASC");
            false
        };
        order_by = Some((f, desc));
    }
    let mut limit = None;
    if p.keyword("LIMIT") {
        match p.t.get(p.i) {
            Some(Tok::Num(n))
                if *n >= 1.0 && *n <= MAX_SERIES_RETURNED as f64 && n.fract() == 0.0 =>
            {
                limit = Some(*n as usize);
                p.i += 1;
            }
            _ => {
                return Err(format!(
                    "LIMIT needs a whole number from 1 to {MAX_SERIES_RETURNED}"
                ));
            }
        }
    }
    if p.i != p.t.len() {
        return Err("unexpected text after the query".into());
    }
    Ok(Query {
        func,
        metric,
        namespace,
        schema,
        filter,
        group_by,
        order_by,
        limit,
    })
}

/// The group of a series under `GROUP BY`: its value of each key, [`OTHER`] for a key it lacks
/// (CloudWatch's null group).
pub fn group_of(q: &Query, key: &SeriesKey) -> Vec<String> {
    q.group_by
        .iter()
        .map(|g| {
            key.dimensions
                .iter()
                .find(|d| *d.name == **g)
                .map_or_else(|| OTHER.to_owned(), |d| d.value.to_string())
        })
        .collect()
}

/// Whether a series is in the query's FROM and WHERE.
pub fn selects(q: &Query, key: &SeriesKey) -> bool {
    *key.namespace == *q.namespace
        && *key.metric_name == *q.metric
        && q.schema.as_ref().is_none_or(|keys| {
            key.dimensions.len() == keys.len()
                && keys
                    .iter()
                    .all(|k| key.dimensions.iter().any(|d| *d.name == **k))
        })
        && q.filter.as_ref().is_none_or(|c| c.matches(key))
}

/// Groups in output order.
pub type Groups<T> = BTreeMap<Vec<String>, T>;

#[cfg(test)]
#[path = "insights_tests.rs"]
mod tests;
