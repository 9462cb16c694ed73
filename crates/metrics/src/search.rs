//! Search expressions of metric math's `SEARCH('{Namespace, Dim…} terms', 'Stat', Period)`:
//! an optional schema (namespace and the exact set of dimension names), then terms combined with
//! AND (also implicit between terms), OR, NOT and parentheses. A bare word or `"phrase"` matches
//! if it appears, ignoring case, in the namespace, metric name or any dimension name or value;
//! `Key=value` compares one property (`MetricName`, `Namespace` or a dimension name): a quoted
//! value must equal it, a bare one must appear in it, ignoring case.

use crate::model::SeriesKey;

/// A parsed search expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub namespace: Option<String>,
    pub schema_keys: Option<Vec<String>>,
    pub term: Option<Term>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Word(String),
    Property {
        key: String,
        value: String,
        exact: bool,
    },
    Not(Box<Term>),
    And(Box<Term>, Box<Term>),
    Or(Box<Term>, Box<Term>),
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

impl Term {
    pub fn matches(&self, k: &SeriesKey) -> bool {
        match self {
            Term::Word(w) => {
                contains_ci(&k.namespace, w)
                    || contains_ci(&k.metric_name, w)
                    || k.dimensions
                        .iter()
                        .any(|d| contains_ci(&d.name, w) || contains_ci(&d.value, w))
            }
            Term::Property { key, value, exact } => {
                let prop = match key.as_str() {
                    "MetricName" => Some(&*k.metric_name),
                    "Namespace" => Some(&*k.namespace),
                    _ => k
                        .dimensions
                        .iter()
                        .find(|d| *d.name == **key)
                        .map(|d| &*d.value),
                };
                prop.is_some_and(|p| {
                    if *exact {
                        p == value
                    } else {
                        contains_ci(p, value)
                    }
                })
            }
            Term::Not(t) => !t.matches(k),
            Term::And(a, b) => a.matches(k) && b.matches(k),
            Term::Or(a, b) => a.matches(k) || b.matches(k),
        }
    }
}

impl Search {
    pub fn matches(&self, k: &SeriesKey) -> bool {
        self.namespace.as_ref().is_none_or(|n| *k.namespace == **n)
            && self.schema_keys.as_ref().is_none_or(|keys| {
                k.dimensions.len() == keys.len()
                    && keys
                        .iter()
                        .all(|n| k.dimensions.iter().any(|d| *d.name == **n))
            })
            && self.term.as_ref().is_none_or(|t| t.matches(k))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String, bool),
    Eq,
    LParen,
    RParen,
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::LParen);
            }
            ')' => {
                chars.next();
                out.push(Tok::RParen);
            }
            '=' => {
                chars.next();
                out.push(Tok::Eq);
            }
            '"' => {
                chars.next();
                let mut t = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => t.push(c),
                        None => return Err("unterminated quote in search expression".into()),
                    }
                }
                out.push(Tok::Text(t, true));
            }
            _ => {
                let mut t = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '=' | '"') {
                        break;
                    }
                    t.push(c);
                    chars.next();
                }
                out.push(Tok::Text(t, false));
            }
        }
    }
    Ok(out)
}

struct P {
    t: Vec<Tok>,
    i: usize,
}

impl P {
    fn is_kw(&self, k: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Text(w, false)) if w == k)
    }

    fn or(&mut self) -> Result<Term, String> {
        let mut a = self.and()?;
        while self.is_kw("OR") {
            self.i += 1;
            a = Term::Or(Box::new(a), Box::new(self.and()?));
        }
        Ok(a)
    }

    fn and(&mut self) -> Result<Term, String> {
        let mut a = self.unary()?;
        loop {
            if self.is_kw("AND") {
                self.i += 1;
            } else if self.i >= self.t.len() || self.is_kw("OR") || self.t[self.i] == Tok::RParen {
                return Ok(a);
            }
            a = Term::And(Box::new(a), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Term, String> {
        if self.is_kw("NOT") {
            self.i += 1;
            return Ok(Term::Not(Box::new(self.unary()?)));
        }
        match self.t.get(self.i).cloned() {
            Some(Tok::LParen) => {
                self.i += 1;
                let t = self.or()?;
                if self.t.get(self.i) != Some(&Tok::RParen) {
                    return Err("expected ) in search expression".into());
                }
                self.i += 1;
                Ok(t)
            }
            Some(Tok::Text(w, quoted)) => {
                self.i += 1;
                if !quoted && self.t.get(self.i) == Some(&Tok::Eq) {
                    self.i += 1;
                    return match self.t.get(self.i).cloned() {
                        Some(Tok::Text(v, exact)) => {
                            self.i += 1;
                            Ok(Term::Property {
                                key: w,
                                value: v,
                                exact,
                            })
                        }
                        _ => Err(format!("expected a value after {w}=")),
                    };
                }
                Ok(Term::Word(w))
            }
            _ => Err("unexpected token in search expression".into()),
        }
    }
}

/// Parses a search expression.
pub fn parse(text: &str) -> Result<Search, String> {
    let text = text.trim();
    let (namespace, schema_keys, rest) = match text.strip_prefix('{') {
        Some(after) => {
            let end = after
                .find('}')
                .ok_or_else(|| "unterminated { in search expression".to_owned())?;
            let mut parts = after[..end]
                .split(',')
                .map(|p| p.trim().trim_matches('"').to_owned());
            let ns = parts.next().filter(|n| !n.is_empty());
            let keys: Vec<String> = parts.filter(|k| !k.is_empty()).collect();
            (ns, Some(keys), &after[end + 1..])
        }
        None => (None, None, text),
    };
    let toks = lex(rest)?;
    let term = if toks.is_empty() {
        None
    } else {
        let mut p = P { t: toks, i: 0 };
        let t = p.or()?;
        if p.i != p.t.len() {
            return Err("unexpected text in search expression".into());
        }
        Some(t)
    };
    if namespace.is_none() && term.is_none() {
        return Err("empty search expression".into());
    }
    Ok(Search {
        namespace,
        schema_keys,
        term,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dim;
    use std::sync::Arc;

    fn key(ns: &str, name: &str, dims: &[(&str, &str)]) -> SeriesKey {
        SeriesKey {
            account: Arc::from("1"),
            region: Arc::from("r"),
            namespace: Arc::from(ns),
            metric_name: Arc::from(name),
            dimensions: dims
                .iter()
                .map(|(n, v)| Dim {
                    name: Arc::from(*n),
                    value: Arc::from(*v),
                })
                .collect(),
        }
    }

    #[test]
    fn search_expressions_match() {
        let a = key("AWS/EC2", "CPUUtilization", &[("InstanceId", "i-1")]);
        let b = key("AWS/EC2", "NetworkIn", &[("InstanceId", "i-2")]);
        let c = key("App", "CPUUtilization", &[]);
        let m = |q: &str, k: &SeriesKey| parse(q).map(|s| s.matches(k)).unwrap_or(false);
        assert!(m("{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"", &a));
        assert!(!m("{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"", &b));
        assert!(!m("{AWS/EC2,InstanceId} cpu", &c));
        assert!(m("cpu", &c));
        assert!(m("cpu NOT App", &a));
        assert!(!m("cpu NOT App", &c));
        assert!(m("(network OR cpu) AND InstanceId=i-", &b));
        assert!(m("{App} CPUUtilization", &c));
        assert!(parse("").is_err());
        assert!(parse("{AWS/EC2").is_err());
    }
}
