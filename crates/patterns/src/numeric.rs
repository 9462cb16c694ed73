//! Numbers: canonical keys for exact matching (300 = 3.0e2), ranges for `numeric`, and their limits.

use crate::error::{ErrorKind, PatternError};

/// Largest magnitude a `numeric` / `anything-but` number may have (EventBridge docs:
/// "limited to values between -1.0e9 and +1.0e9 inclusive").
pub const NUMERIC_LIMIT: f64 = 1.0e9;
/// Digits allowed right of the decimal point in `numeric` / `anything-but` numbers.
pub const MAX_DECIMALS: usize = 6;

/// Canonical identity of a JSON number: integral values (however written) become `Int`,
/// everything else is keyed by its `f64` bits. `300`, `300.0` and `3.0e2` share one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumKey {
    /// An integral value.
    Int(i128),
    /// A non-integral value, as `f64` bits.
    Float(u64),
}

/// A number taken from a pattern or an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    /// The value as `f64`, used for range comparisons.
    pub value: f64,
    /// The canonical key, used for equality.
    pub key: NumKey,
}

impl Num {
    /// Converts a `serde_json` number.
    pub fn from_json(n: &serde_json::Number) -> Option<Num> {
        if let Some(i) = n.as_i64() {
            return Some(Num {
                value: i as f64,
                key: NumKey::Int(i128::from(i)),
            });
        }
        if let Some(u) = n.as_u64() {
            return Some(Num {
                value: u as f64,
                key: NumKey::Int(i128::from(u)),
            });
        }
        n.as_f64().and_then(Num::from_f64)
    }

    /// Converts a finite `f64`; `None` for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Num> {
        if !f.is_finite() {
            return None;
        }
        // 1e30 < 2^100: integral doubles below it convert to i128 exactly.
        let key = if f.fract() == 0.0 && f.abs() < 1e30 {
            NumKey::Int(f as i128)
        } else {
            NumKey::Float(f.to_bits())
        };
        Some(Num { value: f, key })
    }

    /// Parses JSON number text exactly as `serde_json` would, so raw-byte and `Value` paths agree.
    pub fn parse(text: &str) -> Option<Num> {
        let n: serde_json::Number = serde_json::from_str(text).ok()?;
        Num::from_json(&n)
    }
}

/// Formats a double the way Java's `Double.toString` does for the limits (`1.0E9`).
fn java_double(f: f64) -> String {
    let exp = f.abs().log10().floor() as i32;
    let mantissa = f / 10f64.powi(exp);
    format!("{mantissa:?}E{exp}")
}

/// Checks a pattern number used by `numeric` or `anything-but` against the documented range and precision.
pub(crate) fn check_pattern_number(f: f64) -> Result<(), PatternError> {
    if !(-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&f) {
        return Err(PatternError::new(
            ErrorKind::NumericRange,
            format!(
                "Value must be between {} and {}, inclusive",
                java_double(-NUMERIC_LIMIT),
                java_double(NUMERIC_LIMIT)
            ),
        ));
    }
    // Display prints the shortest round-tripping decimal without an exponent.
    let text = format!("{f}");
    let decimals = text.split_once('.').map_or(0, |(_, frac)| frac.len());
    if decimals > MAX_DECIMALS {
        return Err(PatternError::new(
            ErrorKind::NumericRange,
            "Only values upto 6 decimals are supported",
        ));
    }
    Ok(())
}

/// A numeric range `lower (op) x (op) upper`; `None` bounds are unbounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower bound and whether it is inclusive.
    pub lower: Option<(f64, bool)>,
    /// Upper bound and whether it is inclusive.
    pub upper: Option<(f64, bool)>,
}

impl Range {
    /// Whether `x` lies in the range.
    pub fn contains(&self, x: f64) -> bool {
        let lower_ok = match self.lower {
            None => true,
            Some((b, true)) => x >= b,
            Some((b, false)) => x > b,
        };
        let upper_ok = match self.upper {
            None => true,
            Some((b, true)) => x <= b,
            Some((b, false)) => x < b,
        };
        lower_ok && upper_ok
    }

    /// The lower bound for ordering (unbounded sorts first).
    pub(crate) fn lower_value(&self) -> f64 {
        self.lower.map_or(f64::NEG_INFINITY, |(b, _)| b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_numbers_share_a_key() {
        let a = Num::parse("300").map(|n| n.key);
        let b = Num::parse("3.0e2").map(|n| n.key);
        let c = Num::parse("300.0").map(|n| n.key);
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, Num::parse("300.5").map(|n| n.key));
        assert_eq!(
            Num::parse("-0").map(|n| n.key),
            Num::parse("0.0").map(|n| n.key)
        );
    }

    #[test]
    fn limits() {
        assert!(check_pattern_number(1.0e9).is_ok());
        assert!(check_pattern_number(0.000001).is_ok());
        let e = check_pattern_number(0.0000001)
            .err()
            .map(|e| e.reason().to_string());
        assert_eq!(
            e.as_deref(),
            Some("Only values upto 6 decimals are supported")
        );
        let e = check_pattern_number(1.5e9)
            .err()
            .map(|e| e.reason().to_string());
        assert_eq!(
            e.as_deref(),
            Some("Value must be between -1.0E9 and 1.0E9, inclusive")
        );
    }
}
