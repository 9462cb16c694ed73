//! A cursor over the pattern text: character classes, quoted strings, and error construction with
//! AWS's wording at the current position.

use super::error::{ErrorKind, FilterPatternError, INVALID_METRIC_FILTER_PATTERN};

/// Reads a pattern left to right. Positions are byte offsets into the pattern; errors report characters.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    pub(crate) fn src(&self) -> &'a str {
        self.src
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        debug_assert!(self.src.is_char_boundary(pos));
        self.pos = pos;
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consumes `s` if the rest starts with it.
    pub(crate) fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    /// Consumes characters while `f` holds and returns them.
    pub(crate) fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.src[start..self.pos]
    }

    fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.src.len());
        self.src
            .char_indices()
            .take_while(|(i, _)| *i < byte)
            .count()
    }

    /// An error of `kind` with AWS's `message` at byte position `at`.
    pub(crate) fn err_at(
        &self,
        at: usize,
        kind: ErrorKind,
        message: impl Into<String>,
        detail: impl Into<String>,
    ) -> FilterPatternError {
        FilterPatternError::new(kind, message, self.char_offset(at), detail)
    }

    /// AWS's catch-all `Invalid metric filter pattern` at the current position.
    pub(crate) fn syntax(&self, detail: impl Into<String>) -> FilterPatternError {
        self.syntax_at(self.pos, detail)
    }

    pub(crate) fn syntax_at(&self, at: usize, detail: impl Into<String>) -> FilterPatternError {
        self.err_at(at, ErrorKind::Syntax, INVALID_METRIC_FILTER_PATTERN, detail)
    }

    /// `Invalid character(s) in term '<term>'`, where the term runs from `start` through the character at
    /// the cursor (or to the end of the pattern), as AWS reports it (`ERR*` gives `'*'`, `%hello!%` gives
    /// `'%hello!'`).
    pub(crate) fn invalid_term(&self, start: usize) -> FilterPatternError {
        let end = match self.peek() {
            Some(c) => self.pos + c.len_utf8(),
            None => self.src.len(),
        };
        let term = &self.src[start.min(end)..end];
        self.err_at(
            start,
            ErrorKind::InvalidCharacter,
            format!("Invalid character(s) in term '{term}'"),
            match self.peek() {
                Some(c) => format!("unexpected {c:?} in {term:?}"),
                None => format!("{term:?} is not terminated"),
            },
        )
    }

    /// Reads a double-quoted string at the cursor and returns its raw content (escapes unprocessed).
    /// A backslash escapes the next character. An unterminated string is an invalid term.
    pub(crate) fn quoted(&mut self) -> Result<&'a str, FilterPatternError> {
        let start = self.pos;
        debug_assert_eq!(self.peek(), Some('"'));
        self.pos += 1;
        let content_start = self.pos;
        loop {
            match self.bump() {
                None => {
                    self.pos = self.src.len();
                    return Err(self.invalid_term(start));
                }
                Some('\\') => {
                    self.bump();
                }
                Some('"') => return Ok(&self.src[content_start..self.pos - 1]),
                Some(_) => {}
            }
        }
    }
}

/// Whitespace that separates pattern tokens and log-event fields.
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

/// Characters of an unquoted term in a text pattern: letters, digits and `_` (AWS: "terms that include
/// characters other than alphanumeric or underscore must be placed inside double quotes").
pub(crate) fn is_term_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters of an unquoted value in a JSON or space-delimited condition: ASCII letters and digits, `_`,
/// and the punctuation AWS's own examples use unquoted (`123.123.*`, `*.html*`, `4*`, `-1`, `+1000`,
/// `1e-3`), plus `:` and `/`.
pub(crate) fn is_bare_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | '+' | ':' | '/')
}

/// Characters of a space-delimited field name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Resolves `\"` and `\\` in quoted content; other backslashes are kept as written.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a number the way filter patterns write them: an optional sign, digits with an optional
/// fraction, and an optional exponent (`500`, `-1`, `+1000`, `55.5`, `10e-3`, `1e+3`). `inf`/`NaN`
/// spellings are not numbers.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let v: f64 = s.trim_start_matches('+').parse().ok()?;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for (s, v) in [
            ("500", 500.0),
            ("-1", -1.0),
            ("+1000", 1000.0),
            ("55.5", 55.5),
            ("10e-3", 0.01),
            ("1e+3", 1000.0),
            ("10e3", 10000.0),
            (".5", 0.5),
            ("5.", 5.0),
        ] {
            assert_eq!(parse_number(s), Some(v), "{s}");
        }
        for s in [
            "",
            "+",
            "-",
            ".",
            "e3",
            "1e",
            "inf",
            "NaN",
            "1.2.3",
            "123.123.*",
            "1e400",
            "0x10",
        ] {
            assert_eq!(parse_number(s), None, "{s}");
        }
    }

    #[test]
    fn unescape_keeps_unknown_escapes() {
        assert_eq!(unescape(r#"a\"b\\c\*d"#), r#"a"b\c\*d"#);
    }
}
