//! Query errors: a syntax or semantic error with the span it concerns.

use std::fmt;

/// An error in a query string, with the byte span it concerns. The API reports it as
/// `MalformedQueryException` with [`QueryError::aws_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    /// Byte offsets into the query string.
    pub start: usize,
    pub end: usize,
}

impl QueryError {
    /// An error about `start..end` of the query.
    pub fn new(message: impl Into<String>, start: usize, end: usize) -> Self {
        QueryError {
            message: message.into(),
            start,
            end,
        }
    }

    /// The line (1-based) and the character position in it (1-based) of the error's start.
    pub fn line_and_position(&self, query: &str) -> (usize, usize) {
        let before = query.get(..self.start.min(query.len())).unwrap_or(query);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (line, col + 1)
    }

    /// The message AWS answers with: `<what> at line <l> and position <p>`.
    pub fn aws_message(&self, query: &str) -> String {
        let (line, pos) = self.line_and_position(query);
        format!("{} at line {line} and position {pos}", self.message)
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {}..{})", self.message, self.start, self.end)
    }
}

impl std::error::Error for QueryError {}
