//! Typed errors for event-pattern validation, each rendering EventBridge's `InvalidEventPatternException` text.

use thiserror::Error;

/// Prefix every EventBridge pattern validation message starts with.
pub const ERROR_PREFIX: &str = "Event pattern is not valid. Reason: ";

/// Why a pattern was rejected. `Display` gives the full EventBridge message
/// (`"Event pattern is not valid. Reason: ..."`); [`PatternError::reason`] gives the part after the prefix.
///
/// EventBridge appends a Jackson source location (`at [Source: ...; line: 1, column: 9]`) to parse-time
/// reasons; we do not reproduce that suffix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Event pattern is not valid. Reason: {reason}")]
pub struct PatternError {
    kind: ErrorKind,
    reason: String,
}

/// Coarse classification of a [`PatternError`], for callers that branch on the cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not JSON.
    Json,
    /// The pattern exceeds [`crate::MAX_PATTERN_LENGTH`].
    TooLong,
    /// Structural problem: not an object, empty object or array, leaf not an array, bad `$or`.
    Structure,
    /// Unknown operator or operator used where it is not allowed.
    Operator,
    /// An operator's operand has the wrong type or shape.
    Operand,
    /// A numeric value is out of range or too precise.
    NumericRange,
    /// A malformed CIDR or IP address.
    Cidr,
    /// A wildcard pattern is malformed or too complex.
    Wildcard,
    /// `$or` expands to too many combinations.
    TooManyCombinations,
}

impl PatternError {
    pub(crate) fn new(kind: ErrorKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }

    /// The classification of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The reason text, without the `Event pattern is not valid. Reason: ` prefix.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

pub(crate) fn structure(reason: impl Into<String>) -> PatternError {
    PatternError::new(ErrorKind::Structure, reason)
}

pub(crate) fn operator(reason: impl Into<String>) -> PatternError {
    PatternError::new(ErrorKind::Operator, reason)
}

pub(crate) fn operand(reason: impl Into<String>) -> PatternError {
    PatternError::new(ErrorKind::Operand, reason)
}

/// Errors from decoding an event given as raw JSON bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    /// The bytes are not a JSON object.
    #[error("event is not a valid JSON object at byte {0}")]
    Malformed(usize),
    /// Nesting deeper than [`crate::MAX_EVENT_DEPTH`].
    #[error("event nesting exceeds {0} levels")]
    TooDeep(usize),
}
