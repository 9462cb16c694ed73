//! Literals an event must contain for a pattern to match it, so a store can skip chunks (token
//! filters) and events (`memmem` prefilters) that cannot match before running the full matcher.
//!
//! The derivation is conservative: every event the pattern matches satisfies the [`Requirement`]
//! (no false negatives); an event satisfying it may still not match.
//! - text patterns: every plain term is required (a `%regex%` term by the literals any match of it
//!   must start with or contain); `?` alternatives give one clause of which one must occur; `-` terms
//!   give nothing;
//! - JSON and space-delimited patterns: the literal segments of `=` conditions with a string value
//!   (`{ $.level = "ERROR" }`, `[..., status = "4*", ...]`), combined along `&&` (all) and `||` (one
//!   of each side); numbers compare numerically (`= 404` matches `404.0`) and give nothing, nor do
//!   `!=`, relational operators, `IS`, `NOT EXISTS`.
//!
//! A JSON string value is compared after its escapes are decoded (`"\u0045RROR"` is `ERROR`), so the
//! literals of a JSON pattern occur in the event's *decoded* strings, not necessarily in its raw text;
//! [`Requirement::raw`] says which. [`for_each_json_string`] gives the decoded strings.

use super::ast::{Comparison, Expr, Op, Operand};
use super::delimited::Slot;
use super::json::{self, Json};
use super::json_pattern::Test;
use super::regex::RegexTerm;
use super::terms::Term;
use super::{Body, FilterPattern};

/// What an event must contain to match a pattern: every clause holds, and a clause holds when any of
/// its literals occurs. No clause means nothing is known (every event may match).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    /// Clauses (AND) of alternative literals (OR); no clause is empty or holds an empty literal.
    pub clauses: Vec<Vec<String>>,
    /// Whether the literals occur in the raw message (text and space-delimited patterns). When
    /// false (JSON patterns) they occur in the message's JSON-decoded strings, which equal raw text
    /// when the message holds no backslash.
    pub raw: bool,
}

impl Requirement {
    /// Whether nothing is required.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The longest literal that is a clause on its own (a literal every matching event contains).
    pub fn anchor(&self) -> Option<&str> {
        self.clauses
            .iter()
            .filter(|c| c.len() == 1)
            .map(|c| c[0].as_str())
            .max_by_key(|l| l.len())
    }
}

type Cnf = Vec<Vec<String>>;

/// Keeps only clauses that say something (no empty literal, at least one literal).
fn clause(lits: Vec<String>) -> Cnf {
    if lits.is_empty() || lits.iter().any(String::is_empty) {
        Vec::new()
    } else {
        vec![lits]
    }
}

/// One of the children holds: a single clause made of one clause of each child (the most
/// selective: longest shortest literal). Nothing if any child requires nothing.
fn any_of(children: Vec<Cnf>) -> Cnf {
    let mut union = Vec::new();
    for child in children {
        let best = child.into_iter().max_by_key(|c| {
            (
                c.iter().map(String::len).min().unwrap_or(0),
                usize::MAX - c.len(),
            )
        });
        match best {
            Some(c) => union.extend(c),
            None => return Vec::new(),
        }
    }
    union.sort();
    union.dedup();
    clause(union)
}

fn expr_cnf<L>(e: &Expr<L>, leaf: &impl Fn(&L) -> Cnf) -> Cnf {
    match e {
        Expr::Leaf(l) => leaf(l),
        Expr::And(xs) => xs.iter().flat_map(|x| expr_cnf(x, leaf)).collect(),
        Expr::Or(xs) => any_of(xs.iter().map(|x| expr_cnf(x, leaf)).collect()),
    }
}

fn comparison_cnf(c: &Comparison) -> Cnf {
    if c.op != Op::Eq {
        return Vec::new();
    }
    match &c.operand {
        // The field equals the value: each literal segment between stars is in it.
        Operand::Text(w) => w
            .segments
            .iter()
            .filter(|s| !s.is_empty())
            .flat_map(|s| clause(vec![s.clone()]))
            .collect(),
        Operand::Regex(r) => regex_cnf(r),
        Operand::Number { .. } => Vec::new(),
    }
}

fn regex_cnf(r: &RegexTerm) -> Cnf {
    regex_literals(&r.source).map_or_else(Vec::new, clause)
}

fn term_cnf(t: &Term) -> Cnf {
    match t {
        Term::Literal(f) => match std::str::from_utf8(f.needle()) {
            Ok(s) => clause(vec![s.to_string()]),
            Err(_) => Vec::new(),
        },
        Term::Regex(r) => regex_cnf(r),
    }
}

impl FilterPattern {
    /// The literals an event must contain for this pattern to match it (see [`Requirement`]).
    pub fn requirement(&self) -> Requirement {
        let (clauses, raw) = match &self.body {
            Body::Text(t) => {
                let cnf = if !t.required.is_empty() || !t.excluded.is_empty() {
                    t.required.iter().flat_map(term_cnf).collect()
                } else {
                    any_of(t.optional.iter().map(term_cnf).collect())
                };
                (cnf, true)
            }
            Body::Json(j) => (
                expr_cnf(
                    &j.expr,
                    &|cond: &super::json_pattern::Condition| match &cond.test {
                        Test::Compare(c) => comparison_cnf(c),
                        _ => Vec::new(),
                    },
                ),
                false,
            ),
            Body::Delimited(d) => {
                let cnf = d
                    .slots
                    .iter()
                    .flat_map(|s| match s {
                        Slot::Field { cond: Some(e), .. } => {
                            expr_cnf(e, &|fc: &super::delimited::FieldCond| {
                                comparison_cnf(&fc.cmp)
                            })
                        }
                        _ => Vec::new(),
                    })
                    .collect();
                (cnf, true)
            }
        };
        let mut clauses: Cnf = clauses;
        clauses.sort();
        clauses.dedup();
        Requirement { clauses, raw }
    }
}

/// Literals one of which every match of an AWS-syntax regex contains: per top-level alternative,
/// its longest run of characters that every match holds consecutively. `None` if an alternative has
/// no such run.
pub(crate) fn regex_literals(src: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut best = String::new();
    let mut cur = String::new();
    let commit = |cur: &mut String, best: &mut String| {
        if cur.len() > best.len() {
            *best = cur.clone();
        }
        cur.clear();
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i) else { break };
                i += 1;
                match e {
                    'x' => {
                        i += 2;
                        commit(&mut cur, &mut best);
                    }
                    e if e.is_ascii_punctuation() => cur.push(e),
                    _ => commit(&mut cur, &mut best),
                }
            }
            '[' => {
                commit(&mut cur, &mut best);
                // Skip the class: a `]` right after `[` or `[^` is literal.
                let mut first = true;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                while i < chars.len() {
                    match chars[i] {
                        '\\' => i += 2,
                        ']' if !first => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                    first = false;
                }
            }
            '?' | '*' | '{' => {
                // The previous atom may be absent: drop it from the run.
                cur.pop();
                commit(&mut cur, &mut best);
                if c == '{' {
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '+' => commit(&mut cur, &mut best),
            '.' | '^' | '$' => commit(&mut cur, &mut best),
            '|' => {
                commit(&mut cur, &mut best);
                if best.is_empty() {
                    return None;
                }
                out.push(std::mem::take(&mut best));
            }
            c => cur.push(c),
        }
    }
    commit(&mut cur, &mut best);
    if best.is_empty() {
        return None;
    }
    out.push(best);
    Some(out)
}

/// Calls `f` with every string (member names and values, escapes decoded) of `message` if it is a
/// JSON document; nothing otherwise.
pub fn for_each_json_string(message: &str, f: &mut dyn FnMut(&str)) {
    fn walk(v: &Json<'_>, f: &mut dyn FnMut(&str)) {
        match v {
            Json::Str(s) => f(s),
            Json::Arr(items) => items.iter().for_each(|x| walk(x, f)),
            Json::Obj(members) => {
                for (k, x) in members {
                    f(k);
                    walk(x, f);
                }
            }
            _ => {}
        }
    }
    if let Some(v) = json::parse(message) {
        walk(&v, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &str) -> Vec<Vec<String>> {
        FilterPattern::parse(p)
            .expect("pattern")
            .requirement()
            .clauses
    }

    fn lits(xs: &[&[&str]]) -> Vec<Vec<String>> {
        let mut v: Vec<Vec<String>> = xs
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn text_patterns() {
        assert_eq!(req("ERROR"), lits(&[&["ERROR"]]));
        assert_eq!(
            req(r#"ERROR "disk full" -WARN"#),
            lits(&[&["ERROR"], &["disk full"]])
        );
        assert_eq!(req("?ERROR ?WARN"), lits(&[&["ERROR", "WARN"]]));
        assert_eq!(req("?ERROR ?WARN REQ"), lits(&[&["REQ"]]));
        assert_eq!(req("-ERROR"), lits(&[]));
        assert_eq!(req(""), lits(&[]));
        assert_eq!(req(r#""""#), lits(&[]));
        assert_eq!(req("%ERR[0-9]+ code%"), lits(&[&[" code"]]));
        assert_eq!(req("?%a*% ?WARN"), lits(&[]));
        assert!(FilterPattern::parse("ERROR").expect("p").requirement().raw);
    }

    #[test]
    fn structured_patterns() {
        let j = FilterPattern::parse(r#"{ $.level = "ERROR" && $.code = 5 }"#).expect("p");
        assert_eq!(j.requirement().clauses, lits(&[&["ERROR"]]));
        assert!(!j.requirement().raw);
        assert_eq!(
            req(r#"{ $.a = "x*yz" || $.b = "WARN" }"#),
            lits(&[&["WARN", "yz"]])
        );
        assert_eq!(req(r#"{ $.a = "xyz" || $.b != "WARN" }"#), lits(&[]));
        assert_eq!(req(r#"{ $.a = %ab+c% }"#), lits(&[&["ab"]]));
        assert_eq!(
            req(r#"[ip, user, ..., status = "4*" && status != 404, bytes]"#),
            lits(&[&["4"]])
        );
        assert_eq!(req("[a = GET, b = 200]"), lits(&[&["GET"]]));
    }

    #[test]
    fn regex_runs() {
        let r = |s: &str| regex_literals(s);
        assert_eq!(r("abc"), Some(vec!["abc".into()]));
        assert_eq!(r("abc*d"), Some(vec!["ab".into()]));
        assert_eq!(r("ab?cdef"), Some(vec!["cdef".into()]));
        assert_eq!(r("a+bcd"), Some(vec!["bcd".into()]));
        assert_eq!(r(r"x\.y[0-9]{2,3}zz"), Some(vec!["x.y".into()]));
        assert_eq!(r("^GET|^POST"), Some(vec!["GET".into(), "POST".into()]));
        assert_eq!(r("GET|.*"), None);
        assert_eq!(r(r"[\]x]yy"), Some(vec!["yy".into()]));
        assert_eq!(r(r"\d\d\d"), None);
        assert_eq!(r(r"ab\x41cd"), Some(vec!["ab".into()]));
    }

    #[test]
    fn json_strings_are_decoded() {
        let mut seen = Vec::new();
        for_each_json_string(r#"{"level":"\u0045RROR","a":[1,"x\/y"]}"#, &mut |s| {
            seen.push(s.to_string())
        });
        assert_eq!(seen, vec!["level", "ERROR", "a", "x/y"]);
    }
}
