//! The compiled form of one pattern: sub-rules of per-path constraints, and single-value matching.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::cidr::{Cidr, Ip, parse_ip};
use crate::numeric::{Num, NumKey, Range};
use crate::wildcard::Wildcard;

/// A scalar taken from an event (strings may be borrowed or unescaped).
#[derive(Debug, Clone, PartialEq)]
pub enum Leaf<'a> {
    /// A JSON string.
    Str(Cow<'a, str>),
    /// A JSON number.
    Num(Num),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// An exact value from a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Exact {
    /// A string; `ip` is set when it is an IP literal, which then matches any spelling of that address.
    Str {
        /// The text.
        text: String,
        /// The address, when `text` is an IP literal.
        ip: Option<Ip>,
    },
    /// A number, compared by value.
    Num(NumKey),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Values excluded by a plain `anything-but`.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// Excluded strings.
    Strings(Vec<String>),
    /// Excluded numbers.
    Numbers(Vec<NumKey>),
}

/// One element of a leaf array.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// An exact value.
    Exact(Exact),
    /// `{"prefix": "..."}`.
    Prefix(String),
    /// `{"prefix": {"equals-ignore-case": "..."}}` (stored case-folded).
    PrefixIgnoreCase(String),
    /// `{"suffix": "..."}`.
    Suffix(String),
    /// `{"suffix": {"equals-ignore-case": "..."}}` (stored case-folded).
    SuffixIgnoreCase(String),
    /// `{"equals-ignore-case": "..."}` (stored case-folded).
    EqualsIgnoreCase(String),
    /// `{"wildcard": "..."}`.
    Wildcard(Wildcard),
    /// `{"numeric": [...]}`.
    Numeric(Range),
    /// `{"cidr": "..."}`.
    Cidr(Cidr),
    /// `{"exists": true}`.
    Exists,
    /// `{"anything-but": value or list}`.
    AnythingBut(AnythingBut),
    /// `{"anything-but": {"prefix": ...}}`.
    AnythingButPrefix(Vec<String>),
    /// `{"anything-but": {"suffix": ...}}`.
    AnythingButSuffix(Vec<String>),
    /// `{"anything-but": {"equals-ignore-case": ...}}` (stored case-folded).
    AnythingButIgnoreCase(Vec<String>),
    /// `{"anything-but": {"wildcard": ...}}`.
    AnythingButWildcard(Vec<Wildcard>),
}

/// Case folding used by every `equals-ignore-case` form: per-character simple lowercase.
pub fn fold(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => out.push(l),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

impl Matcher {
    /// Whether this matcher accepts the event value `leaf`.
    pub fn matches(&self, leaf: &Leaf<'_>) -> bool {
        match (self, leaf) {
            (Matcher::Exact(e), _) => exact_matches(e, leaf),
            (Matcher::Exists, _) => true,
            (Matcher::Prefix(p), Leaf::Str(s)) => s.starts_with(p.as_str()),
            (Matcher::Suffix(p), Leaf::Str(s)) => s.ends_with(p.as_str()),
            (Matcher::PrefixIgnoreCase(p), Leaf::Str(s)) => fold(s).starts_with(p.as_str()),
            (Matcher::SuffixIgnoreCase(p), Leaf::Str(s)) => fold(s).ends_with(p.as_str()),
            (Matcher::EqualsIgnoreCase(p), Leaf::Str(s)) => fold(s) == p.as_str(),
            (Matcher::Wildcard(w), Leaf::Str(s)) => w.matches(s),
            (Matcher::Numeric(r), Leaf::Num(n)) => r.contains(n.value),
            (Matcher::Cidr(c), Leaf::Str(s)) => parse_ip(s).is_some_and(|ip| c.contains(ip)),
            (Matcher::AnythingBut(AnythingBut::Strings(set)), Leaf::Str(s)) => {
                !set.iter().any(|x| x == s)
            }
            (Matcher::AnythingBut(AnythingBut::Numbers(set)), Leaf::Num(n)) => {
                !set.contains(&n.key)
            }
            (Matcher::AnythingBut(_), _) => true,
            (Matcher::AnythingButPrefix(set), Leaf::Str(s)) => {
                !set.iter().any(|p| s.starts_with(p.as_str()))
            }
            (Matcher::AnythingButSuffix(set), Leaf::Str(s)) => {
                !set.iter().any(|p| s.ends_with(p.as_str()))
            }
            (Matcher::AnythingButIgnoreCase(set), Leaf::Str(s)) => {
                let f = fold(s);
                !set.iter().any(|p| p.as_str() == f)
            }
            (Matcher::AnythingButWildcard(set), Leaf::Str(s)) => !set.iter().any(|w| w.matches(s)),
            (
                Matcher::AnythingButPrefix(_)
                | Matcher::AnythingButSuffix(_)
                | Matcher::AnythingButIgnoreCase(_)
                | Matcher::AnythingButWildcard(_),
                _,
            ) => true,
            _ => false,
        }
    }
}

fn exact_matches(e: &Exact, leaf: &Leaf<'_>) -> bool {
    match (e, leaf) {
        (Exact::Str { ip: Some(ip), .. }, Leaf::Str(s)) => parse_ip(s) == Some(*ip),
        (Exact::Str { text, ip: None }, Leaf::Str(s)) => text == s,
        (Exact::Num(k), Leaf::Num(n)) => *k == n.key,
        (Exact::Bool(a), Leaf::Bool(b)) => a == b,
        (Exact::Null, Leaf::Null) => true,
        _ => false,
    }
}

/// All conditions on one flattened path within a sub-rule: matches if any matcher accepts a value
/// at the path, or (when `absent_ok`) no array-consistent value exists at the path.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The dotted path (`detail.state`); keys containing dots are indistinguishable from nesting.
    pub path: String,
    /// Value matchers (ORed).
    pub matchers: Vec<Matcher>,
    /// The leaf array contained `{"exists": false}`.
    pub absent_ok: bool,
}

/// One `$or` branch combination: all constraints must hold, sorted by path (UTF-16 order, like event-ruler).
#[derive(Debug, Clone, PartialEq)]
pub struct SubRule {
    /// Constraints in evaluation order.
    pub constraints: Vec<Constraint>,
}

/// Compares strings as Java does (UTF-16 code units), which fixes event-ruler's key order.
pub(crate) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}
