//! CloudWatch Logs: the filter-pattern language (and, later, the log store).
//!
//! **Architecture invariant**: this crate is pure (no HTTP, no wire formats); IO stays at the edges.

pub mod filter_pattern;

pub use filter_pattern::{
    ErrorKind, FilterPattern, FilterPatternError, MAX_PATTERN_LENGTH, MAX_REGEX_PER_PATTERN, Match,
    PatternKind,
};
