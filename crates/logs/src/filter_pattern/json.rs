//! A small strict JSON reader for log events. It borrows from the message, keeps numbers as written
//! (so `"1"` and `1` but not `1.0` are textually equal, as on AWS), lets the last duplicate key win
//! (`{"v":1,"v":2}` has `v = 2` on AWS), and gives up past [`MAX_JSON_DEPTH`] levels.

use std::borrow::Cow;
use std::collections::HashSet;

/// Deepest nesting of arrays and objects read; deeper events are treated as not JSON.
pub const MAX_JSON_DEPTH: usize = 128;

/// A parsed JSON value borrowing from the event text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    /// A number, exactly as written.
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in document order, duplicates included; lookups take the last.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The member `key` of an object (the last one if repeated).
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Element `i` of an array.
    pub(crate) fn index(&self, i: usize) -> Option<&Json<'a>> {
        match self {
            Json::Arr(items) => items.get(i),
            _ => None,
        }
    }

    /// Every element of an array, or every member value of an object (one per distinct key).
    pub(crate) fn for_each_child<'s>(&'s self, f: &mut impl FnMut(&'s Json<'a>)) {
        match self {
            Json::Arr(items) => items.iter().for_each(f),
            Json::Obj(members) => {
                // Linear even for huge objects: find the members a later duplicate overrides first.
                let mut seen = HashSet::with_capacity(members.len());
                let mut live = vec![false; members.len()];
                for (i, (k, _)) in members.iter().enumerate().rev() {
                    live[i] = seen.insert(k.as_ref());
                }
                members
                    .iter()
                    .zip(live)
                    .filter(|(_, live)| *live)
                    .for_each(|((_, v), _)| f(v));
            }
            _ => {}
        }
    }

    /// The text of a string or number; `true`/`false` for booleans; `None` for null, arrays and objects.
    pub(crate) fn scalar_text(&self) -> Option<Cow<'a, str>> {
        match self {
            Json::Str(s) => Some(s.clone()),
            Json::Num(n) => Some(Cow::Borrowed(n)),
            Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }
}

/// Parses `text` as one JSON value surrounded by optional whitespace.
pub(crate) fn parse(text: &str) -> Option<Json<'_>> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str, v: Json<'a>) -> Option<Json<'a>> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Some(v)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        match *self.b.get(self.i)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Json::Str),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}') {
            return Some(Json::Obj(members));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            let v = self.value(depth)?;
            members.push((key, v));
            self.ws();
            if self.eat(b',') {
                continue;
            }
            return self.eat(b'}').then_some(Json::Obj(members));
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Some(Json::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            if self.eat(b',') {
                continue;
            }
            return self.eat(b']').then_some(Json::Arr(items));
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.i;
        self.eat(b'-');
        if self.eat(b'0') {
            if self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
        } else if self.digits() == 0 {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(Json::Num(&self.s[start..self.i]))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    /// Reads a string at the opening quote; borrows when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Borrowed(&self.s[start..self.i - 1]));
                }
                b'\\' => break,
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    let esc = *self.b.get(self.i)?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => {
                    // Copy the run up to the next quote or backslash in one go.
                    let run_start = self.i;
                    while self
                        .b
                        .get(self.i)
                        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
                    {
                        self.i += 1;
                    }
                    out.push_str(&self.s[run_start..self.i]);
                }
            }
        }
    }

    /// After `\u`: one code unit, or a surrogate pair. A lone surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.b[self.i..].starts_with(b"\\u") {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(c);
            }
            self.i = save;
        }
        Some(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_borrows() {
        let v =
            parse(r#" {"a": [1, -2.5e3, "x\"y", true, null], "b": {"c": "d"}} "#).expect("json");
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")),
            Some(&Json::Str("d".into()))
        );
        let a = v.get("a").expect("a");
        assert_eq!(a.index(1), Some(&Json::Num("-2.5e3")));
        assert_eq!(a.index(2), Some(&Json::Str(r#"x"y"#.into())));
        assert!(matches!(a.index(2), Some(Json::Str(Cow::Owned(_)))));
    }

    #[test]
    fn last_duplicate_wins() {
        let v = parse(r#"{"v":1,"v":2}"#).expect("json");
        assert_eq!(v.get("v"), Some(&Json::Num("2")));
        let mut n = 0;
        v.for_each_child(&mut |_| n += 1);
        assert_eq!(n, 1);
    }

    #[test]
    fn rejects_invalid() {
        for s in [
            "",
            "{",
            "{broken",
            "not JSON",
            "[1,]",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{'a':1}",
            "{} x",
            "\"\u{1}\"",
            "[-]",
            "{\"a\" 1}",
            "tru",
        ] {
            assert!(parse(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn depth_limit() {
        let deep = "[".repeat(MAX_JSON_DEPTH + 1) + &"]".repeat(MAX_JSON_DEPTH + 1);
        assert!(parse(&deep).is_none());
        let ok = "[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH);
        assert!(parse(&ok).is_some());
    }

    #[test]
    fn unicode_escapes() {
        let v = parse(r#""\u00e9\ud83d\ude00\ud800""#).expect("json");
        assert_eq!(v, Json::Str("é😀\u{FFFD}".into()));
    }
}
