//! The query lexer: tokens with their byte offsets, so syntax errors can name a position.
//!
//! `/` starts a regular expression where an operand is expected (after an operator, `(`, `,`,
//! `like`, `=~`, or a command name) and divides where an operand just ended.

use crate::error::QueryError;

/// A token's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name: a command, function, keyword or field (`@timestamp`, `userIdentity.arn`, `a.0.b`).
    Ident(String),
    /// A field name in backticks.
    Quoted(String),
    Str(String),
    Num(f64),
    /// A number with a time unit (`5m`, `30s`, `1h`), in milliseconds; `months` for `mo`/`q`/`y`.
    Duration {
        ms: i64,
        months: i64,
        text: String,
    },
    /// `/regex/` with its flags already applied (`(?i)` for a trailing `i`).
    Regex(String),
    Pipe,
    Comma,
    Colon,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    Eof,
}

/// A token and where it starts and ends (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '@' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '@' || c == '.' || c == '$'
}

/// Whether the previous token ends an operand (so `/` is division there). After `parse <field>`
/// a regex follows.
fn ends_operand(prev: Option<&Tok>, before: Option<&Tok>) -> bool {
    if matches!(before, Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("parse")) {
        return false;
    }
    match prev {
        Some(Tok::Ident(w)) => !matches!(
            w.to_ascii_lowercase().as_str(),
            "like" | "and" | "or" | "not" | "in" | "filter" | "parse" | "fields" | "display"
        ),
        Some(
            Tok::Quoted(_)
            | Tok::Str(_)
            | Tok::Num(_)
            | Tok::Duration { .. }
            | Tok::Regex(_)
            | Tok::RParen
            | Tok::RBracket,
        ) => true,
        _ => false,
    }
}

/// Splits `src` into tokens (comments, `#` to end of line, are skipped).
pub fn lex(src: &str) -> Result<Vec<Token>, QueryError> {
    let mut out: Vec<Token> = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let off = |i: usize| chars.get(i).map_or(src.len(), |c| c.0);
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
            continue;
        }
        let prev = out.last().map(|t| &t.tok);
        let before = out.len().checked_sub(2).map(|i| &out[i].tok);
        let simple = |t: Tok, n: usize| (t, n);
        let (tok, len) = match c {
            '|' => simple(Tok::Pipe, 1),
            ',' => simple(Tok::Comma, 1),
            ':' => simple(Tok::Colon, 1),
            '(' => simple(Tok::LParen, 1),
            ')' => simple(Tok::RParen, 1),
            '[' => simple(Tok::LBracket, 1),
            ']' => simple(Tok::RBracket, 1),
            '+' => simple(Tok::Plus, 1),
            '-' => simple(Tok::Minus, 1),
            '*' => simple(Tok::Star, 1),
            '%' => simple(Tok::Percent, 1),
            '^' => simple(Tok::Caret, 1),
            '=' if at(i + 1) == Some('~') => simple(Tok::Match, 2),
            '=' if at(i + 1) == Some('=') => simple(Tok::Eq, 2),
            '=' => simple(Tok::Eq, 1),
            '!' if at(i + 1) == Some('=') => simple(Tok::Ne, 2),
            '<' if at(i + 1) == Some('=') => simple(Tok::Le, 2),
            '<' if at(i + 1) == Some('>') => simple(Tok::Ne, 2),
            '<' => simple(Tok::Lt, 1),
            '>' if at(i + 1) == Some('=') => simple(Tok::Ge, 2),
            '>' => simple(Tok::Gt, 1),
            '/' if ends_operand(prev, before) => simple(Tok::Slash, 1),
            '/' => {
                let mut j = i + 1;
                let mut re = String::new();
                loop {
                    match at(j) {
                        None => {
                            return Err(QueryError::new(
                                "unterminated regular expression",
                                start,
                                src.len(),
                            ));
                        }
                        Some('\\') if at(j + 1) == Some('/') => {
                            re.push('/');
                            j += 2;
                        }
                        Some('\\') => {
                            re.push('\\');
                            if let Some(n) = at(j + 1) {
                                re.push(n);
                            }
                            j += 2;
                        }
                        Some('/') => break,
                        Some(ch) => {
                            re.push(ch);
                            j += 1;
                        }
                    }
                }
                j += 1;
                let mut flags = String::new();
                while let Some(f @ ('i' | 'm' | 's')) = at(j) {
                    if !flags.contains(f) {
                        flags.push(f);
                    }
                    j += 1;
                }
                if !flags.is_empty() {
                    re = format!("(?{flags}){re}");
                }
                (Tok::Regex(re), j - i)
            }
            '"' | '\'' => {
                let mut j = i + 1;
                let mut s = String::new();
                loop {
                    match at(j) {
                        None => {
                            return Err(QueryError::new(
                                "unterminated string literal",
                                start,
                                src.len(),
                            ));
                        }
                        Some('\\') => {
                            match at(j + 1) {
                                Some('n') => s.push('\n'),
                                Some('t') => s.push('\t'),
                                Some(n) => s.push(n),
                                None => {}
                            }
                            j += 2;
                        }
                        Some(q) if q == c => break,
                        Some(ch) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                (Tok::Str(s), j + 1 - i)
            }
            '`' => {
                let mut j = i + 1;
                let mut s = String::new();
                loop {
                    match at(j) {
                        None => {
                            return Err(QueryError::new(
                                "unterminated quoted field name",
                                start,
                                src.len(),
                            ));
                        }
                        Some('`') => break,
                        Some(ch) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                (Tok::Quoted(s), j + 1 - i)
            }
            d if d.is_ascii_digit()
                || (d == '.' && at(i + 1).is_some_and(|n| n.is_ascii_digit())) =>
            {
                let mut j = i;
                while at(j).is_some_and(|n| n.is_ascii_digit() || n == '.') {
                    j += 1;
                }
                if matches!(at(j), Some('e' | 'E'))
                    && at(j + 1).is_some_and(|n| n.is_ascii_digit() || n == '-' || n == '+')
                {
                    j += 2;
                    while at(j).is_some_and(|n| n.is_ascii_digit()) {
                        j += 1;
                    }
                }
                let num_text = &src[start..off(j)];
                let n: f64 = num_text.parse().map_err(|_| {
                    QueryError::new(format!("invalid number {num_text}"), start, off(j))
                })?;
                let mut k = j;
                while at(k).is_some_and(|n| n.is_ascii_alphabetic()) {
                    k += 1;
                }
                if k > j {
                    let unit = &src[off(j)..off(k)];
                    let text = src[start..off(k)].to_owned();
                    let (ms, months) = duration(n, unit).ok_or_else(|| {
                        QueryError::new(format!("unexpected symbol found {text}"), start, off(k))
                    })?;
                    (Tok::Duration { ms, months, text }, k - i)
                } else {
                    (Tok::Num(n), j - i)
                }
            }
            c if is_ident_start(c) => {
                let mut j = i + 1;
                while at(j).is_some_and(is_ident_char) {
                    j += 1;
                }
                (Tok::Ident(src[start..off(j)].to_owned()), j - i)
            }
            other => {
                return Err(QueryError::new(
                    format!("unexpected symbol found {other}"),
                    start,
                    start + other.len_utf8(),
                ));
            }
        };
        let end = off(i + len);
        out.push(Token { tok, start, end });
        i += len;
    }
    out.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
    });
    Ok(out)
}

/// A time unit as `bin()` and `datefloor()` take it: milliseconds, or months for `mo`, `q`, `y`.
fn duration(n: f64, unit: &str) -> Option<(i64, i64)> {
    let ms = |f: f64| Some(((n * f).round() as i64, 0));
    match unit {
        "ms" => ms(1.0),
        "s" | "sec" | "second" | "seconds" => ms(1000.0),
        "m" | "min" | "minute" | "minutes" => ms(60_000.0),
        "h" | "hr" | "hour" | "hours" => ms(3_600_000.0),
        "d" | "day" | "days" => ms(86_400_000.0),
        "w" | "week" | "weeks" => ms(7.0 * 86_400_000.0),
        "mo" | "month" | "months" => Some((0, n as i64)),
        "q" | "quarter" | "quarters" => Some((0, 3 * n as i64)),
        "y" | "year" | "years" => Some((0, 12 * n as i64)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        lex(s)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn regex_versus_division() {
        assert_eq!(
            kinds("a / 2"),
            vec![Tok::Ident("a".into()), Tok::Slash, Tok::Num(2.0), Tok::Eof]
        );
        assert_eq!(
            kinds("like /x\\/y/i"),
            vec![
                Tok::Ident("like".into()),
                Tok::Regex("(?i)x/y".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn durations_names_and_positions() {
        let t = lex("bin(5m) | a.b-1").unwrap_or_default();
        assert!(matches!(t[2].tok, Tok::Duration { ms: 300_000, .. }));
        assert_eq!(t[5].tok, Tok::Ident("a.b".into()));
        assert_eq!(t[5].start, 10);
        assert_eq!(t[6].tok, Tok::Minus);
        assert!(lex("fields \"abc").is_err());
    }
}
