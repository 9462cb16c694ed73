//! JSON rendering of a [`Value`] for the wire (epoch-second timestamps) and for the trail
//! (ISO-8601 timestamps, as CloudTrail writes request parameters).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{Value, base64};

/// Serializes a [`Value`] as AWS JSON protocols expect: timestamps as epoch seconds, blobs base64.
pub(crate) struct WireJson<'a>(pub &'a Value);

impl Serialize for WireJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => serialize_float(*f, s),
            Value::Str(t) => s.serialize_str(t),
            Value::Blob(b) => s.serialize_str(&base64::encode(b)),
            Value::Timestamp(t) => {
                if t.fract() == 0.0 && t.abs() < 9.0e15 {
                    s.serialize_i64(*t as i64)
                } else {
                    s.serialize_f64(*t)
                }
            }
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(&WireJson(v))?;
                }
                seq.end()
            }
            Value::Struct(m) | Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &WireJson(v))?;
                }
                map.end()
            }
        }
    }
}

/// JSON has no NaN or infinities: AWS JSON protocols send them as strings.
fn serialize_float<S: Serializer>(f: f64, s: S) -> Result<S::Ok, S::Error> {
    if f.is_nan() {
        s.serialize_str("NaN")
    } else if f == f64::INFINITY {
        s.serialize_str("Infinity")
    } else if f == f64::NEG_INFINITY {
        s.serialize_str("-Infinity")
    } else {
        s.serialize_f64(f)
    }
}

pub(crate) fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Blob(b) => J::String(base64::encode(b)),
        Value::Timestamp(t) => J::String(iso8601(*t)),
        Value::List(l) => J::Array(l.iter().map(to_json).collect()),
        Value::Struct(m) | Value::Map(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// ISO-8601 UTC text with milliseconds, as awsquery XML and CloudTrail write timestamps.
pub(crate) fn iso8601(secs: f64) -> String {
    let nanos = (secs * 1e9).round() as i128;
    match jiff::Timestamp::from_nanosecond(nanos) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}
