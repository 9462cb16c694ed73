//! JSON property selectors: `$.a.b`, `$.arr[0]`, `$.c[0][1]`, `$.['cluster.name']`, and one wildcard
//! (`$.arr[*]`, `$.*`) that stands for every element of an array or every member of an object.
//!
//! AWS: property names are alphanumeric with `-` and `_`; a name holding a period uses bracket notation;
//! "you can only use up to one wildcard selector in a property selector". A selector never looks through
//! an array implicitly: `$.nested.value` does not reach `{"nested":[{"value":1}]}`.

use super::error::{ErrorKind, FilterPatternError};
use super::json::Json;
use super::lexer::Cursor;

/// Most wildcards in one selector (AWS quota).
pub const MAX_WILDCARDS_PER_SELECTOR: usize = 1;

/// One step of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
    /// `*` or `[*]`: every child.
    Wildcard,
}

/// A parsed `$...` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selector {
    text: String,
    segments: Vec<Segment>,
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Selector {
    /// Parses a selector at the cursor (which must be on `$`).
    pub(crate) fn parse(cur: &mut Cursor<'_>) -> Result<Selector, FilterPatternError> {
        let start = cur.pos();
        if !cur.eat("$") {
            return Err(cur.syntax("expected a property selector starting with $"));
        }
        let mut segments = Vec::new();
        loop {
            match cur.peek() {
                Some('.') => {
                    cur.bump();
                    match cur.peek() {
                        Some('*') => {
                            cur.bump();
                            segments.push(Segment::Wildcard);
                        }
                        Some('[') => segments.push(Self::bracket(cur)?),
                        Some(c) if is_key_char(c) => {
                            segments.push(Segment::Key(cur.take_while(is_key_char).to_string()));
                        }
                        _ => return Err(cur.invalid_term(start)),
                    }
                }
                Some('[') => segments.push(Self::bracket(cur)?),
                _ => break,
            }
        }
        if segments.is_empty() {
            return Err(cur.syntax_at(start, "a selector needs a property after $, like $.name"));
        }
        let wildcards = segments.iter().filter(|s| **s == Segment::Wildcard).count();
        if wildcards > MAX_WILDCARDS_PER_SELECTOR {
            return Err(cur.err_at(
                start,
                ErrorKind::SelectorWildcards,
                "Your filter pattern has a JSON path selector that exceeds the maximum of 1 wildcard \
                 allowed per json selector.",
                format!("{} has {wildcards} wildcards", &cur.src()[start..cur.pos()]),
            ));
        }
        Ok(Selector {
            text: cur.src()[start..cur.pos()].to_string(),
            segments,
        })
    }

    /// Parses a whole string as a selector (as a metric value or dimension names it).
    pub(crate) fn parse_str(text: &str) -> Result<Selector, FilterPatternError> {
        let mut cur = Cursor::new(text);
        let sel = Self::parse(&mut cur)?;
        if !cur.at_end() {
            return Err(cur.invalid_term(0));
        }
        Ok(sel)
    }

    /// `[n]`, `[*]`, `['key']` or `["key"]` at the cursor.
    fn bracket(cur: &mut Cursor<'_>) -> Result<Segment, FilterPatternError> {
        let open = cur.pos();
        cur.bump();
        let seg = match cur.peek() {
            Some('*') => {
                cur.bump();
                Segment::Wildcard
            }
            Some(c) if c.is_ascii_digit() => {
                let digits = cur.take_while(|c| c.is_ascii_digit());
                let i = digits.parse().map_err(|_| {
                    cur.syntax_at(open, format!("array index {digits} is too large"))
                })?;
                Segment::Index(i)
            }
            Some(q @ ('\'' | '"')) => {
                cur.bump();
                let mut key = String::new();
                loop {
                    match cur.bump() {
                        None => return Err(cur.invalid_term(open)),
                        Some('\\') => match cur.bump() {
                            Some(c) => key.push(c),
                            None => return Err(cur.invalid_term(open)),
                        },
                        Some(c) if c == q => break,
                        Some(c) => key.push(c),
                    }
                }
                Segment::Key(key)
            }
            _ => return Err(cur.invalid_term(open)),
        };
        if !cur.eat("]") {
            return Err(cur.invalid_term(open));
        }
        Ok(seg)
    }

    /// The selector as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the selector has a wildcard (and so may select several values).
    pub(crate) fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Wildcard)
    }

    /// Every value the selector reaches from `root`, in document order.
    pub(crate) fn resolve<'s, 'a>(&self, root: &'s Json<'a>, out: &mut Vec<&'s Json<'a>>) {
        walk(root, &self.segments, out);
    }
}

fn walk<'s, 'a>(node: &'s Json<'a>, segments: &[Segment], out: &mut Vec<&'s Json<'a>>) {
    let Some((seg, rest)) = segments.split_first() else {
        out.push(node);
        return;
    };
    match seg {
        Segment::Key(k) => {
            if let Some(child) = node.get(k) {
                walk(child, rest, out);
            }
        }
        Segment::Index(i) => {
            if let Some(child) = node.index(*i) {
                walk(child, rest, out);
            }
        }
        Segment::Wildcard => node.for_each_child(&mut |child| walk(child, rest, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::json;
    use super::*;

    fn select(sel: &str, doc: &str) -> Vec<String> {
        let v = json::parse(doc).expect("json");
        let s = Selector::parse_str(sel).expect("selector");
        let mut out = Vec::new();
        s.resolve(&v, &mut out);
        out.iter().map(|j| format!("{j:?}")).collect()
    }

    #[test]
    fn segments() {
        let doc = r#"{"a":{"b":[10,{"c":"x"}]},"cluster.name":"c","m":[[0,1],[2,3]]}"#;
        assert_eq!(select("$.a.b[0]", doc), ["Num(\"10\")"]);
        assert_eq!(select("$.a.b[1].c", doc), ["Str(\"x\")"]);
        assert_eq!(select("$.['cluster.name']", doc), ["Str(\"c\")"]);
        assert_eq!(select("$[\"cluster.name\"]", doc), ["Str(\"c\")"]);
        assert_eq!(select("$.m[1][0]", doc), ["Num(\"2\")"]);
        assert_eq!(select("$.m[*][1]", doc).len(), 2);
        assert_eq!(select("$.*", doc).len(), 3);
        assert!(select("$.a.b.c", doc).is_empty());
        assert!(select("$.m[9]", doc).is_empty());
    }

    #[test]
    fn errors() {
        for (sel, msg) in [
            ("$..value", "Invalid character(s) in term '$..'"),
            ("$.arr[-1]", "Invalid character(s) in term '[-'"),
            ("$.arr[0:2]", "Invalid character(s) in term '[0:'"),
        ] {
            let e = Selector::parse_str(sel).expect_err(sel);
            assert_eq!(e.aws_message(), msg, "{sel}");
        }
        let e = Selector::parse_str("$.items[*].*").expect_err("two wildcards");
        assert_eq!(e.kind(), ErrorKind::SelectorWildcards);
        assert!(Selector::parse_str("$").is_err());
        assert!(Selector::parse_str("a.b").is_err());
    }
}
