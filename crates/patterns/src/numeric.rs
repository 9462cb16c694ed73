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
        Num::parse_bytes(text.as_bytes())
    }

    /// [`Num::parse`] on bytes. Plain integers (up to 18 digits) and plain decimals (up to 15 digits) are
    /// read directly: `serde_json` computes the latter as `digits / 10^decimals`, one correctly rounded
    /// division of exact operands, which is what this does too. Everything else goes through `serde_json`.
    pub fn parse_bytes(text: &[u8]) -> Option<Num> {
        if let Some(n) = Num::parse_plain(text) {
            return Some(n);
        }
        let text = std::str::from_utf8(text).ok()?;
        let n: serde_json::Number = serde_json::from_str(text).ok()?;
        Num::from_json(&n)
    }

    fn parse_plain(text: &[u8]) -> Option<Num> {
        let (negative, body) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, text),
        };
        let (int, frac) = match body.iter().position(|b| *b == b'.') {
            Some(dot) => (&body[..dot], Some(&body[dot + 1..])),
            None => (body, None),
        };
        let plain = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
        // JSON forbids leading zeros; leave every unusual spelling to serde_json.
        if !plain(int) || (int.len() > 1 && int[0] == b'0') {
            return None;
        }
        let digits = |d: &[u8]| d.iter().fold(0u64, |acc, c| acc * 10 + u64::from(c - b'0'));
        match frac {
            None => {
                if int.len() > 18 || (negative && int == b"0") {
                    return None;
                }
                let v = digits(int) as i64;
                let v = if negative { -v } else { v };
                Some(Num {
                    value: v as f64,
                    key: NumKey::Int(i128::from(v)),
                })
            }
            Some(frac) => {
                if !plain(frac) || int.len() + frac.len() > 15 {
                    return None;
                }
                let significand = digits(int) * POW10_INT[frac.len()] + digits(frac);
                let f = significand as f64 / POW10[frac.len()];
                Num::from_f64(if negative { -f } else { f })
            }
        }
    }
}

/// Exact powers of ten as doubles (`serde_json` divides by the same values).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];
const POW10_INT: [u64; 16] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
];

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

    /// The upper bound (unbounded is infinite).
    pub(crate) fn upper_value(&self) -> f64 {
        self.upper.map_or(f64::INFINITY, |(b, _)| b)
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
    fn plain_numbers_parse_as_serde_json_does() {
        let mut seed = 99u64;
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "7",
            "-7",
            "0.5",
            "-0.0",
            "10.25",
            "123456789012345678",
            "1234567890123456789",
            "0.1",
            "0.3",
            "2.675",
            "-33.3",
            "99999999999999.9",
            "0.000000000000001",
            "1e5",
            "01",
            "1.",
            ".5",
            "-",
            "1.2.3",
            "00.5",
            "1.5e3",
            "-00",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..5000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let int = (seed >> 20) % 100_000;
            let frac_len = ((seed >> 8) % 11) as usize;
            let frac = (seed >> 30) % 10u64.pow(frac_len as u32);
            let sign = if seed & 1 == 0 { "-" } else { "" };
            texts.push(if frac_len == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac:0frac_len$}")
            });
        }
        for t in &texts {
            let serde = serde_json::from_str::<serde_json::Number>(t)
                .ok()
                .and_then(|n| Num::from_json(&n));
            let ours = Num::parse(t);
            assert_eq!(
                ours.map(|n| (n.value.to_bits(), n.key)),
                serde.map(|n| (n.value.to_bits(), n.key)),
                "{t}"
            );
        }
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
