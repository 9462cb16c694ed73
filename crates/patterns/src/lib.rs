//! EventBridge event patterns: validation with EventBridge's messages, a reference matcher, and a compiled
//! [`RuleSet`] that matches an event against all rules of a bus at a cost independent of the rule count.
//!
//! Semantics follow aws/event-ruler (the engine behind EventBridge):
//! - a pattern is flattened to dotted paths, so `{"a.b": [..]}` and `{"a": {"b": [..]}}` are the same
//!   constraint, and an event key containing a dot is indistinguishable from nesting;
//! - `$or` expands into sub-rules; a rule matches if any sub-rule does;
//! - within a sub-rule, the values chosen for different paths must come from the same element of every
//!   array they share ("array consistency"); `exists: false` is judged against the elements already chosen
//!   for paths that sort before it.
//!
//! **Architecture invariant**: this crate is pure (no IO, no clocks, no HTTP).

#![forbid(unsafe_code)]

mod cidr;
mod compile;
mod error;
mod flatten;
mod index;
mod intervals;
mod machine;
mod matcher;
mod numeric;
mod parse;
mod parse_anything_but;
mod raw;
mod reference;
mod scan;
mod table;
mod trie;
mod wildcard;

use serde_json::Value;

pub use cidr::{Cidr, Ip, parse_ip};
pub use compile::RuleSet;
pub use error::{ERROR_PREFIX, ErrorKind, EventError, PatternError};
pub use matcher::{AnythingBut, Constraint, Exact, Leaf, Matcher, SubRule, fold};
pub use numeric::{MAX_DECIMALS, NUMERIC_LIMIT, Num, NumKey, Range};
pub use wildcard::{MAX_WILDCARD_COMPLEXITY, Wildcard};

/// Longest event pattern EventBridge accepts by default, in characters (the adjustable
/// "Event pattern size" quota).
pub const MAX_PATTERN_LENGTH: usize = 2048;
/// Most sub-rules a pattern may expand to through `$or` (EventBridge documents 1,000 combinations).
pub const MAX_OR_COMBINATIONS: usize = 1000;
/// Deepest event nesting the matcher walks; deeper events do not match.
pub const MAX_EVENT_DEPTH: usize = 256;

/// A validated, parsed event pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    subrules: Vec<SubRule>,
}

impl Pattern {
    /// Parses and validates pattern text as EventBridge's PutRule / TestEventPattern do.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        if text.chars().count() > MAX_PATTERN_LENGTH {
            return Err(PatternError::new(
                ErrorKind::TooLong,
                format!(
                    "Event pattern exceeds the maximum length of {MAX_PATTERN_LENGTH} characters"
                ),
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            PatternError::new(ErrorKind::Json, format!("Filter is not valid JSON: {e}"))
        })?;
        Self::build(&value, true)
    }

    /// Validates an already-parsed pattern with EventBridge's rules (the length limit is applied to the
    /// compact serialisation).
    pub fn from_value(value: &Value) -> Result<Pattern, PatternError> {
        let len = serde_json::to_string(value).map_or(0, |s| s.chars().count());
        if len > MAX_PATTERN_LENGTH {
            return Err(PatternError::new(
                ErrorKind::TooLong,
                format!(
                    "Event pattern exceeds the maximum length of {MAX_PATTERN_LENGTH} characters"
                ),
            ));
        }
        Self::build(value, true)
    }

    /// Accepts everything aws/event-ruler accepts: skips EventBridge-only limits (pattern length, numeric
    /// range and precision, the 1,000-combination `$or` limit). Used for conformance data recorded from
    /// event-ruler; user-facing APIs should use [`Pattern::parse`].
    pub fn from_value_lenient(value: &Value) -> Result<Pattern, PatternError> {
        Self::build(value, false)
    }

    fn build(value: &Value, strict: bool) -> Result<Pattern, PatternError> {
        let subrules = parse::parse_pattern(value, parse::Mode { strict })?;
        debug_assert!(!subrules.is_empty());
        Ok(Pattern { subrules })
    }

    /// The `$or`-expanded sub-rules.
    pub fn sub_rules(&self) -> &[SubRule] {
        &self.subrules
    }

    /// Reference evaluation against an event (any JSON value; non-objects never match).
    pub fn matches(&self, event: &Value) -> bool {
        reference::matches(&self.subrules, event)
    }
}
