//! Typed errors for filter-pattern parsing, carrying CloudWatch Logs' `InvalidParameterException` text.
//!
//! The wording of each AWS message was taken from responses recorded against CloudWatch Logs
//! (`TestMetricFilter` and `FilterLogEvents`), e.g. `Invalid character(s) in term '*'` for `ERR*`,
//! `Duplicate field 'word'` for `[word, word]`, `Failed to compile regular expression.` for `%[abc%`.

use thiserror::Error;

/// AWS's catch-all message for a malformed pattern, as `PutMetricFilter`, `PutSubscriptionFilter` and
/// `TestMetricFilter` return it.
pub const INVALID_METRIC_FILTER_PATTERN: &str = "Invalid metric filter pattern";
/// AWS's catch-all message for a malformed pattern, as `FilterLogEvents` (and Live Tail) return it.
pub const INVALID_FILTER_PATTERN: &str = "Invalid filter pattern";

/// Why a pattern was rejected. Every kind maps to `InvalidParameterException` on the Logs API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Longer than [`super::MAX_PATTERN_LENGTH`] characters. (On the wire this is the request-shape
    /// length constraint; the API layer may render it as a validation error.)
    TooLong,
    /// A term holds characters the lexer does not accept (`Invalid character(s) in term '...'`).
    InvalidCharacter,
    /// The pattern is not well formed (`Invalid metric filter pattern`).
    Syntax,
    /// A space-delimited pattern names the same field twice, or has two `...`.
    DuplicateField,
    /// More than [`super::MAX_REGEX_PER_PATTERN`] `%regex%` terms.
    TooManyRegex,
    /// A JSON selector has more than [`super::MAX_WILDCARDS_PER_SELECTOR`] wildcard.
    SelectorWildcards,
    /// More than [`super::MAX_WILDCARD_SELECTORS_PER_PATTERN`] JSON selectors use a wildcard.
    PatternWildcards,
    /// A `%regex%` uses unsupported syntax or does not compile.
    InvalidRegex,
}

/// A malformed filter pattern.
///
/// `Display` gives AWS's message followed by where and what went wrong, for logs and tests; the Logs API
/// should return [`FilterPatternError::aws_message`] (or [`FilterPatternError::filter_log_events_message`]
/// for `FilterLogEvents`) as the `InvalidParameterException` message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} (at character {offset}: {detail})")]
pub struct FilterPatternError {
    kind: ErrorKind,
    message: String,
    offset: usize,
    detail: String,
}

impl FilterPatternError {
    pub(crate) fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        offset: usize,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            offset,
            detail: detail.into(),
        }
    }

    /// The classification of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// AWS's message, as `PutMetricFilter`, `PutSubscriptionFilter` and `TestMetricFilter` return it.
    pub fn aws_message(&self) -> &str {
        &self.message
    }

    /// AWS's message as `FilterLogEvents` returns it: the catch-all syntax error reads
    /// `Invalid filter pattern` there instead of `Invalid metric filter pattern`.
    pub fn filter_log_events_message(&self) -> &str {
        if self.kind == ErrorKind::Syntax {
            INVALID_FILTER_PATTERN
        } else {
            &self.message
        }
    }

    /// Zero-based character position in the pattern where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was expected or found there, in our words.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}
