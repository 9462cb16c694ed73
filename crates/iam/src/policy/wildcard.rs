//! Wildcard patterns: `*` (any run of characters, including none) and `?` (exactly one character),
//! optionally with policy variables (`${aws:username}`), compiled once when a policy is parsed.
//!
//! Matching is the classic greedy algorithm with one backtrack point (the last `*`), which is exact
//! because every other token matches a fixed number of characters. It allocates only when a
//! pattern holds variables (to resolve them once per match).

use std::fmt;

use super::context::Lookup;

/// How a pattern's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PatternOptions {
    /// `*` and `?` are wildcards (otherwise literal characters).
    pub wildcards: bool,
    /// `${…}` policy variables are substituted (policy version 2012-10-17 only).
    pub variables: bool,
    /// Characters compare case-insensitively.
    pub fold_case: bool,
}

/// A compiled wildcard pattern.
#[derive(Clone, PartialEq)]
pub(crate) struct Pattern {
    toks: Vec<Tok>,
    vars: Vec<VarRef>,
    fold_case: bool,
    source: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// One literal character (already case-folded when the pattern folds case).
    Lit(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
    /// A policy variable, by index into `Pattern::vars`; matches its value literally.
    Var(usize),
}

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Debug, Clone, PartialEq)]
struct VarRef {
    /// Lowercased context key.
    key: String,
    default: Option<String>,
}

/// Folds a character for case-insensitive comparison (one character to one character).
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

impl Pattern {
    /// Compiles `source` under `opts`.
    pub(crate) fn compile(source: &str, opts: PatternOptions) -> Pattern {
        let mut toks = Vec::with_capacity(source.len());
        let mut vars = Vec::new();
        let lit = |c: char| Tok::Lit(if opts.fold_case { fold(c) } else { c });
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if opts.variables
                && rest.starts_with("${")
                && let Some(end) = rest.find('}')
            {
                let inner = rest[2..end].trim();
                let consumed = end + 1;
                match inner {
                    "*" | "?" | "$" => {
                        toks.extend(inner.chars().map(lit));
                        rest = &rest[consumed..];
                        continue;
                    }
                    _ => {
                        if let Some(var) = parse_var(inner) {
                            toks.push(Tok::Var(vars.len()));
                            vars.push(var);
                            rest = &rest[consumed..];
                            continue;
                        }
                    }
                }
            }
            match c {
                '*' if opts.wildcards => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                }
                '?' if opts.wildcards => toks.push(Tok::One),
                other => toks.push(lit(other)),
            }
            rest = &rest[c.len_utf8()..];
        }
        toks.shrink_to_fit();
        Pattern {
            toks,
            vars,
            fold_case: opts.fold_case,
            source: source.to_owned(),
        }
    }

    /// Whether `text` matches the whole pattern. Variables are resolved through `lookup`; a
    /// variable whose key is absent (and has no default) or is multi-valued makes the match fail.
    pub(crate) fn matches(&self, text: &str, lookup: &Lookup<'_>) -> bool {
        if self.vars.is_empty() {
            return match_toks(&self.toks, &[], text, self.fold_case);
        }
        let mut values: Vec<&str> = Vec::with_capacity(self.vars.len());
        for var in &self.vars {
            let resolved = match lookup.get(&var.key) {
                Some([single]) => Some(single.as_str()),
                Some([]) | None => var.default.as_deref(),
                Some(_) => None,
            };
            match resolved {
                Some(v) => values.push(v),
                None => return false,
            }
        }
        match_toks(&self.toks, &values, text, self.fold_case)
    }

    /// Matches without any variable context (variables then fall back to their defaults).
    #[cfg(test)]
    pub(crate) fn matches_plain(&self, text: &str) -> bool {
        self.matches(text, &Lookup::empty())
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// Parses the inside of `${…}`: `key` or `key, 'default'`.
fn parse_var(inner: &str) -> Option<VarRef> {
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (k.trim(), Some(d.to_owned()))
        }
        None => (inner, None),
    };
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '/' | '.'));
    valid.then(|| VarRef {
        key: key.to_ascii_lowercase(),
        default,
    })
}

fn next_char(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|s| s.chars().next())
}

/// Matches `value` literally at byte offset `at` of `text`; returns the offset after it.
fn match_literal(value: &str, text: &str, at: usize, fold_case: bool) -> Option<usize> {
    let tail = text.get(at..)?;
    if !fold_case {
        return tail.starts_with(value).then_some(at + value.len());
    }
    let mut chars = tail.char_indices();
    for want in value.chars() {
        let (_, got) = chars.next()?;
        if fold(want) != fold(got) {
            return None;
        }
    }
    Some(match chars.next() {
        Some((i, _)) => at + i,
        None => text.len(),
    })
}

fn match_toks(toks: &[Tok], values: &[&str], text: &str, fold_case: bool) -> bool {
    let mut pi = 0usize;
    let mut ti = 0usize;
    // (token index after the last star, text offset that star currently extends to)
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if let Some(tok) = toks.get(pi) {
            let step = match tok {
                Tok::Star => {
                    pi += 1;
                    backtrack = Some((pi, ti));
                    continue;
                }
                Tok::One => next_char(text, ti).map(|c| ti + c.len_utf8()),
                Tok::Lit(want) => next_char(text, ti)
                    .filter(|&got| {
                        if fold_case {
                            *want == fold(got)
                        } else {
                            *want == got
                        }
                    })
                    .map(|c| ti + c.len_utf8()),
                Tok::Var(i) => values
                    .get(*i)
                    .and_then(|v| match_literal(v, text, ti, fold_case)),
            };
            if let Some(next) = step {
                ti = next;
                pi += 1;
                continue;
            }
        } else if ti == text.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more character, or fail.
        let Some((bp, bt)) = backtrack else {
            return false;
        };
        let Some(c) = next_char(text, bt) else {
            return false;
        };
        let extended = bt + c.len_utf8();
        backtrack = Some((bp, extended));
        pi = bp;
        ti = extended;
    }
}
