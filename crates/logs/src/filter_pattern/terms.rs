//! Text patterns: `ERROR`, `"INTERNAL SERVER ERROR"`, `ERROR -ARGUMENTS`, `?ERROR ?WARN`, `%regex%`.
//!
//! AWS semantics (user guide, "Using filter patterns to match terms in unstructured log events", and
//! recorded `TestMetricFilter` responses):
//! - a term matches when it occurs anywhere in the message, case-sensitively: a substring match, not a
//!   word match (`ERROR` matches `TERROR REQUEST`, `ERROR_ARGUMENTS`, `Exiting with ERRORCODE: -1`);
//! - several terms must all occur, in any order; a quoted phrase must occur as written;
//! - `-term` must not occur; `?term` terms are alternatives, at least one must occur, but they are
//!   ignored when the pattern has any plain or `-` term (`?ERROR ?ARGUMENTS REQUEST` is `REQUEST`);
//! - unquoted terms are letters, digits and `_`; anything else must be quoted (`ERR*` is
//!   `Invalid character(s) in term '*'`);
//! - the empty pattern matches every event. The guide says `" "` "matches everything"; recorded
//!   responses show it is the phrase of one space (messages without a space do not match), which is
//!   what this implementation does, and `""` matches every event.

use memchr::memmem::Finder;

use super::error::FilterPatternError;
use super::lexer::{Cursor, is_term_char, unescape};
use super::regex::{RegexTerm, parse_regex};

#[derive(Debug, Clone)]
pub(crate) enum Term {
    /// Boxed: a finder is a few hundred bytes.
    Literal(Box<Finder<'static>>),
    Regex(RegexTerm),
}

impl Term {
    fn occurs_in(&self, msg: &str) -> bool {
        match self {
            Term::Literal(f) => f.find(msg.as_bytes()).is_some(),
            Term::Regex(r) => r.is_match(msg),
        }
    }
}

/// A parsed text pattern.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermPattern {
    pub(crate) required: Vec<Term>,
    pub(crate) excluded: Vec<Term>,
    pub(crate) optional: Vec<Term>,
}

impl TermPattern {
    /// Parses the whole pattern as terms.
    pub(crate) fn parse(
        cur: &mut Cursor<'_>,
        regex_count: &mut usize,
    ) -> Result<TermPattern, FilterPatternError> {
        let mut p = TermPattern::default();
        loop {
            cur.skip_ws();
            if cur.at_end() {
                break;
            }
            let start = cur.pos();
            let list = if cur.eat("?") {
                &mut p.optional
            } else if cur.eat("-") {
                &mut p.excluded
            } else {
                &mut p.required
            };
            let term = match cur.peek() {
                Some('"') => {
                    let raw = cur.quoted()?;
                    Term::Literal(Box::new(Finder::new(unescape(raw).as_bytes()).into_owned()))
                }
                Some('%') => {
                    *regex_count += 1;
                    Term::Regex(parse_regex(cur)?)
                }
                Some(c) if is_term_char(c) => {
                    let word = cur.take_while(is_term_char);
                    Term::Literal(Box::new(Finder::new(word.as_bytes()).into_owned()))
                }
                _ => return Err(cur.invalid_term(start)),
            };
            list.push(term);
        }
        Ok(p)
    }

    /// Whether the message satisfies the pattern.
    pub(crate) fn matches(&self, msg: &str) -> bool {
        if !self.required.is_empty() || !self.excluded.is_empty() {
            self.required.iter().all(|t| t.occurs_in(msg))
                && !self.excluded.iter().any(|t| t.occurs_in(msg))
        } else if !self.optional.is_empty() {
            self.optional.iter().any(|t| t.occurs_in(msg))
        } else {
            true
        }
    }
}
