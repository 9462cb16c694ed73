//! The CloudWatch Logs filter-pattern language, used by metric filters, subscription filters,
//! `FilterLogEvents`, Live Tail and `TestMetricFilter`.
//!
//! Three kinds of pattern, chosen by the first non-space character:
//! - `{` — a JSON pattern (`{ $.a.b = "x" && ($.c > 5 || $.d IS NULL) }`), see `json_pattern`;
//! - `[` — a space-delimited pattern (`[ip, user, ..., status = 4*, bytes > 1000]`), see `delimited`;
//! - anything else — a text pattern of terms (`ERROR -"Exiting" ?WARN`, `%regex%`), see `terms`.
//!
//! `%regex%` terms are allowed in all three (see `regex`). A pattern is compiled once by
//! [`FilterPattern::parse`]; matching never allocates for text patterns (terms are `memmem` finders) and
//! parses the event as JSON only for JSON patterns.
//!
//! Sources: the CloudWatch Logs User Guide pages "Filter pattern syntax for metric filters, subscription
//! filters, filter log events, and Live Tail", "Supported regular expressions (regex) syntax", "Using
//! filter patterns to match terms in JSON log events", the archived "Filter and Pattern Syntax" page, the
//! `PutMetricFilter`/`TestMetricFilter` API reference, and `TestMetricFilter` responses recorded against
//! AWS where the guide is silent (noted where used).
//!
//! **Architecture invariant**: pure code — no IO, no clocks.

mod ast;
mod delimited;
mod error;
mod json;
mod json_pattern;
mod lexer;
mod literals;
mod matcher;
mod regex;
mod selector;
mod terms;
mod wildcard;

use std::fmt;
use std::str::FromStr;

use delimited::DelimitedPattern;
use json_pattern::JsonPattern;
use lexer::Cursor;
use terms::TermPattern;

pub use ast::MAX_NESTING;
pub use error::{
    ErrorKind, FilterPatternError, INVALID_FILTER_PATTERN, INVALID_METRIC_FILTER_PATTERN,
};
pub use json::MAX_JSON_DEPTH;
pub use json_pattern::MAX_WILDCARD_SELECTORS_PER_PATTERN;
pub use literals::{Requirement, for_each_json_string};
pub use matcher::Match;
pub use selector::MAX_WILDCARDS_PER_SELECTOR;

/// Longest filter pattern, in characters (`filterPattern` length constraint of `PutMetricFilter`,
/// `PutSubscriptionFilter`, `FilterLogEvents`, `TestMetricFilter`).
pub const MAX_PATTERN_LENGTH: usize = 1024;
/// Most `%regex%` terms in one pattern ("a quota of two regular expression patterns within a single
/// filter pattern", `PutMetricFilter`).
pub const MAX_REGEX_PER_PATTERN: usize = 2;
/// Most filter patterns containing a regex per log group, across metric and subscription filters (AWS
/// quota; enforced by the log store, not here).
pub const MAX_REGEX_PATTERNS_PER_LOG_GROUP: usize = 5;

/// Which of the three pattern languages a pattern uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// Terms and phrases (including the empty pattern).
    Text,
    /// `{ ... }`.
    Json,
    /// `[ ... ]`.
    SpaceDelimited,
}

#[derive(Debug, Clone)]
enum Body {
    Text(TermPattern),
    Json(JsonPattern),
    Delimited(DelimitedPattern),
}

/// A compiled filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    body: Body,
    regex_count: usize,
}

impl FilterPattern {
    /// Parses and validates a pattern as `PutMetricFilter` / `TestMetricFilter` / `FilterLogEvents` do.
    pub fn parse(text: &str) -> Result<FilterPattern, FilterPatternError> {
        let len = text.chars().count();
        let cur = Cursor::new(text);
        if len > MAX_PATTERN_LENGTH {
            return Err(cur.err_at(
                text.char_indices().nth(MAX_PATTERN_LENGTH).map_or(0, |(i, _)| i),
                ErrorKind::TooLong,
                format!(
                    "Value at 'filterPattern' failed to satisfy constraint: Member must have length \
                     less than or equal to {MAX_PATTERN_LENGTH}"
                ),
                format!("the pattern is {len} characters long"),
            ));
        }
        let mut cur = cur;
        cur.skip_ws();
        let mut regex_count = 0;
        let body = match cur.peek() {
            Some('{') => Body::Json(JsonPattern::parse(&mut cur, &mut regex_count)?),
            Some('[') => Body::Delimited(DelimitedPattern::parse(&mut cur, &mut regex_count)?),
            _ => Body::Text(TermPattern::parse(&mut cur, &mut regex_count)?),
        };
        if regex_count > MAX_REGEX_PER_PATTERN {
            return Err(cur.err_at(
                0,
                ErrorKind::TooManyRegex,
                format!(
                    "Your input has exceeded the maximum of {MAX_REGEX_PER_PATTERN} regular \
                     expressions per filter pattern."
                ),
                format!("the pattern has {regex_count} %regex% terms"),
            ));
        }
        Ok(FilterPattern {
            text: text.to_string(),
            body,
            regex_count,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Which language the pattern uses.
    pub fn kind(&self) -> PatternKind {
        match self.body {
            Body::Text(_) => PatternKind::Text,
            Body::Json(_) => PatternKind::Json,
            Body::Delimited(_) => PatternKind::SpaceDelimited,
        }
    }

    /// How many `%regex%` terms the pattern holds (for the per-log-group regex quota).
    pub fn regex_count(&self) -> usize {
        self.regex_count
    }

    /// Whether the event message matches.
    pub fn matches(&self, message: &str) -> bool {
        match &self.body {
            Body::Text(t) => t.matches(message),
            Body::Json(j) => {
                looks_like_object(message) && json::parse(message).is_some_and(|v| j.matches(&v))
            }
            Body::Delimited(d) => d.matches(message),
        }
    }

    /// Matches the event and keeps what metric filters read from it (see [`Match`]).
    pub fn match_event<'m>(&self, message: &'m str) -> Option<Match<'m>> {
        match &self.body {
            Body::Text(t) => t.matches(message).then(Match::text),
            Body::Json(j) => {
                if !looks_like_object(message) {
                    return None;
                }
                let v = json::parse(message)?;
                j.matches(&v).then(|| Match::json(v))
            }
            Body::Delimited(d) => d.extract(message).map(Match::fields),
        }
    }

    /// Matches the event and resolves `selector` (`$.latency`, `$status`, `$3`) in it: `None` if the event
    /// does not match or the selector finds no string, number or boolean.
    pub fn extract(&self, message: &str, selector: &str) -> Option<String> {
        self.match_event(message)?.value(selector)
    }
}

/// Cheap pre-check before parsing: a JSON pattern only matches a JSON object.
fn looks_like_object(message: &str) -> bool {
    message.trim_start().starts_with('{')
}

impl PartialEq for FilterPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for FilterPattern {}

impl FromStr for FilterPattern {
    type Err = FilterPatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FilterPattern::parse(s)
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Fuzzing entry point: the first line of `data` is the pattern, the rest the event message. Parses,
/// matches and extracts; must never panic.
#[doc(hidden)]
pub fn fuzz_parse_and_match(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (pattern, message) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(p) = FilterPattern::parse(pattern) else {
        return;
    };
    let matched = p.matches(message);
    let m = p.match_event(message);
    debug_assert_eq!(
        matched,
        m.is_some(),
        "matches and match_event disagree on {pattern:?}"
    );
    if let Some(m) = m {
        let _ = m.extracted_values();
        let _ = m.value("$.a");
        let _ = m.value("$1");
    }
}
