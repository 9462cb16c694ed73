//! Shape types whose encoding differs by protocol: timestamps and blobs.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

use super::{BLOB_NAME, TIMESTAMP_NAME};

/// A point in time. JSON carries epoch seconds, CBOR tag 1, query ISO-8601 text.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// From milliseconds since the epoch.
    pub fn from_millis(ms: i64) -> Self {
        Timestamp(ms as f64 / 1000.0)
    }

    /// Milliseconds since the epoch (rounded towards negative infinity).
    pub fn millis(self) -> i64 {
        (self.0 * 1000.0).floor() as i64
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(TIMESTAMP_NAME, &self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if v.is_finite() {
                    Ok(Timestamp(v))
                } else {
                    Err(E::custom("timestamp is not a finite number"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                parse_timestamp_text(v)
                    .map(Timestamp)
                    .ok_or_else(|| E::custom(format!("invalid timestamp {v:?}")))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Timestamp, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_newtype_struct(TIMESTAMP_NAME, V)
    }
}

/// Parses ISO-8601 / RFC 3339 text (`2024-01-01T00:00:00Z`, with or without fraction or offset)
/// or a decimal number of epoch seconds, as the query protocol sends timestamps.
pub fn parse_timestamp_text(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return n.is_finite().then_some(n);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_nanosecond() as f64 / 1e9);
    }
    // Without an offset AWS reads the time as UTC.
    let dt: jiff::civil::DateTime = s.parse().ok()?;
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(ts.as_nanosecond() as f64 / 1e9)
}

/// Opaque bytes. JSON carries base64 text, CBOR a byte string, query base64 text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(BLOB_NAME, &serde_bytes_ref(&self.0))
    }
}

struct BytesRef<'a>(&'a [u8]);
fn serde_bytes_ref(b: &[u8]) -> BytesRef<'_> {
    BytesRef(b)
}
impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a blob")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                super::base64::decode(v)
                    .map(Blob)
                    .ok_or_else(|| E::custom("blob is not valid base64"))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Blob, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_newtype_struct(BLOB_NAME, V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_timestamps() {
        assert_eq!(
            parse_timestamp_text("2024-01-01T00:00:00Z"),
            Some(1_704_067_200.0)
        );
        assert_eq!(
            parse_timestamp_text("2024-01-01T00:00:00.5Z"),
            Some(1_704_067_200.5)
        );
        assert_eq!(
            parse_timestamp_text("2024-01-01T00:00:00"),
            Some(1_704_067_200.0)
        );
        assert_eq!(parse_timestamp_text("1704067200"), Some(1_704_067_200.0));
        assert_eq!(parse_timestamp_text("yesterday"), None);
    }
}
