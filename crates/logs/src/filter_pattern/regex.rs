//! `%regex%` terms: AWS's restricted regular-expression syntax, validated and translated to the `regex`
//! crate.
//!
//! AWS ("Supported regular expressions (regex) syntax", CloudWatch Logs User Guide) allows only:
//! ASCII letters and digits; the symbols `: _ # = @ / ; , -`; the operators `^ $ ? [ ] { } | \ * + .`;
//! and the escapes `\d \D \s \S \w \W \xhh`. `(` and `)` are rejected (no sub-patterns), as are
//! multi-byte characters. `{m,n}` may omit either bound. Matching is a case-sensitive search anywhere in
//! the text (`%AUTHORIZED%` matches `UNAUTHORIZED`). The docs' own examples put a space inside a regex
//! (`%^shutting down%`), so a space is accepted too.

use regex::{Regex, RegexBuilder};

use super::error::{ErrorKind, FilterPatternError};
use super::lexer::Cursor;

/// AWS's message for a regex that does not compile.
pub(crate) const REGEX_COMPILE_MESSAGE: &str = "Failed to compile regular expression.";
/// Compiled-program size cap; a pattern over it is reported as not compiling.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Whitespace as `\s` matches it: tab, newline, vertical tab, form feed, carriage return, space.
const WS_CLASS: &str = r"\t\n\x0B\x0C\r ";
const WORD_CLASS: &str = "0-9A-Za-z_";

/// A compiled `%regex%` term.
#[derive(Debug, Clone)]
pub(crate) struct RegexTerm {
    regex: Regex,
    /// The regex as written between the `%`s (AWS syntax), for literal extraction.
    pub(crate) source: String,
}

impl RegexTerm {
    /// Whether the regex matches anywhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

fn is_symbol(c: char) -> bool {
    matches!(c, ':' | '_' | '#' | '=' | '@' | '/' | ';' | ',' | '-')
}

fn is_operator(c: char) -> bool {
    matches!(
        c,
        '^' | '$' | '?' | '[' | ']' | '{' | '}' | '|' | '\\' | '*' | '+' | '.'
    )
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_symbol(c) || is_operator(c) || c == ' '
}

/// Parses a `%...%` term at the cursor (which must be on the opening `%`).
pub(crate) fn parse_regex(cur: &mut Cursor<'_>) -> Result<RegexTerm, FilterPatternError> {
    let start = cur.pos();
    debug_assert_eq!(cur.peek(), Some('%'));
    cur.bump();
    let body_start = cur.pos();
    loop {
        match cur.peek() {
            None => return Err(cur.invalid_term(start)),
            Some('%') => break,
            Some('\\') => {
                cur.bump();
                match cur.peek() {
                    None => return Err(cur.invalid_term(start)),
                    Some(c) if c.is_ascii_alphanumeric() || is_symbol(c) || is_operator(c) => {
                        cur.bump();
                    }
                    Some(_) => return Err(cur.invalid_term(start)),
                }
            }
            Some(c) if is_allowed(c) => {
                cur.bump();
            }
            Some(_) => return Err(cur.invalid_term(start)),
        }
    }
    let source = &cur.src()[body_start..cur.pos()];
    cur.bump();
    let compile_error = |detail: String| {
        cur.err_at(
            start,
            ErrorKind::InvalidRegex,
            REGEX_COMPILE_MESSAGE,
            detail,
        )
    };
    if source.is_empty() {
        return Err(compile_error("empty regular expression".into()));
    }
    let translated = translate(source).map_err(compile_error)?;
    let regex = RegexBuilder::new(&translated)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let last = e.to_string();
            let last = last.lines().last().unwrap_or_default().to_string();
            compile_error(format!("%{source}%: {last}"))
        })?;
    Ok(RegexTerm {
        regex,
        source: source.to_string(),
    })
}

/// Rewrites AWS regex syntax into `regex`-crate syntax: ASCII-only `\d \w \s` classes, `{,n}` bounds,
/// and literal `}` / nested `[` escaped. Assumes [`parse_regex`] already checked the character set.
fn translate(src: &str) -> Result<String, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() * 2);
    let mut in_class = false;
    let mut class_first = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let e = *chars.get(i + 1).ok_or("trailing backslash")?;
            i += 2;
            match e {
                'd' if in_class => out.push_str("0-9"),
                'w' if in_class => out.push_str(WORD_CLASS),
                's' if in_class => out.push_str(WS_CLASS),
                'd' => out.push_str("[0-9]"),
                'w' => out.push_str(&format!("[{WORD_CLASS}]")),
                's' => out.push_str(&format!("[{WS_CLASS}]")),
                'D' => out.push_str("[^0-9]"),
                'W' => out.push_str(&format!("[^{WORD_CLASS}]")),
                'S' => out.push_str(&format!("[^{WS_CLASS}]")),
                'x' => {
                    let hex: String = chars.iter().skip(i).take(2).collect();
                    if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        return Err(format!(
                            "\\x must be followed by two hex digits, not {hex:?}"
                        ));
                    }
                    out.push_str("\\x");
                    out.push_str(&hex);
                    i += 2;
                }
                e if e.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(e);
                }
                e => return Err(format!("unsupported escape \\{e}")),
            }
            class_first = false;
            continue;
        }
        if in_class {
            match c {
                ']' if !class_first => {
                    in_class = false;
                    out.push(']');
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if out.ends_with('-') => out.push_str("\\-"),
                _ => out.push(c),
            }
            class_first = false;
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                class_first = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            '{' => {
                let close = chars[i..]
                    .iter()
                    .position(|&x| x == '}')
                    .ok_or("unclosed repetition {")?;
                let body: String = chars[i + 1..i + close]
                    .iter()
                    .filter(|x| **x != ' ')
                    .collect();
                let (min, max) = match body.split_once(',') {
                    Some((min, max)) => (min, Some(max)),
                    None => (body.as_str(), None),
                };
                let digits = |s: &str| s.chars().all(|d| d.is_ascii_digit());
                if !digits(min) || !max.is_none_or(digits) || (min.is_empty() && max.is_none()) {
                    return Err(format!("invalid repetition {{{body}}}"));
                }
                out.push('{');
                out.push_str(if min.is_empty() { "0" } else { min });
                if let Some(max) = max {
                    out.push(',');
                    out.push_str(max);
                }
                out.push('}');
                i += close;
            }
            '}' => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    if in_class {
        return Err("unclosed character class [".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(src: &str) -> Result<RegexTerm, FilterPatternError> {
        let text = format!("%{src}%");
        let mut cur = Cursor::new(&text);
        parse_regex(&mut cur)
    }

    #[test]
    fn translation() {
        assert_eq!(translate(r"\d{1,3}").as_deref(), Ok("[0-9]{1,3}"));
        assert_eq!(translate(r"a{,5}").as_deref(), Ok("a{0,5}"));
        assert_eq!(translate(r"a{3, 5}").as_deref(), Ok("a{3,5}"));
        assert_eq!(translate(r"[\d\s]").as_deref(), Ok(r"[0-9\t\n\x0B\x0C\r ]"));
        assert_eq!(translate(r"[\D]").as_deref(), Ok("[[^0-9]]"));
        assert_eq!(translate(r"\x3A").as_deref(), Ok(r"\x3A"));
        assert!(translate(r"\q").is_err());
        assert!(translate(r"[abc").is_err());
    }

    #[test]
    fn ascii_classes() {
        let d = compile(r"^\d$").expect("compiles");
        assert!(d.is_match("7"));
        assert!(!d.is_match("٣"), "\\d is ASCII only");
        let w = compile(r"^\W+$").expect("compiles");
        assert!(w.is_match("é!"));
    }

    #[test]
    fn rejects_unsupported_characters() {
        for (src, term) in [
            ("hello!", "%hello!"),
            ("^(ERROR|WARN)", "%^("),
            ("café", "%café"),
            ("ERROR(?= 500)", "%ERROR("),
        ] {
            let e = compile(src).expect_err(src);
            assert_eq!(e.kind(), ErrorKind::InvalidCharacter);
            assert_eq!(
                e.aws_message(),
                format!("Invalid character(s) in term '{term}'")
            );
        }
        let e = compile("[abc").expect_err("unclosed class");
        assert_eq!(e.aws_message(), REGEX_COMPILE_MESSAGE);
    }
}
