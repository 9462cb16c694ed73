//! The protocol-neutral value every wire format decodes into and encodes from.
//!
//! Each operation's input and output is a serde shape. Decoders (JSON, CBOR, query form) build a
//! [`Value`]; the shape is deserialized from it with [`from_value`]; the handler's output is turned
//! back into a [`Value`] with [`to_value`] and the encoder of the request's protocol writes it. So an
//! operation is written once and every protocol carries it.

mod base64;
mod de;
mod json;
pub(crate) use json::{WireJson, iso8601};
mod ser;
mod shapes;

pub use base64::{decode as base64_decode, encode as base64_encode};
pub use de::{DecodeError, from_value};
pub use ser::{EncodeError, to_value, to_value_omitting};
pub use shapes::{Blob, Timestamp};

/// Name serde sees for [`Timestamp`] so the value layer can recognise it.
pub(crate) const TIMESTAMP_NAME: &str = "$openwatch::Timestamp";
/// Name serde sees for [`Blob`].
pub(crate) const BLOB_NAME: &str = "$openwatch::Blob";

/// A decoded request or an encodable response, independent of the wire protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Blob(Vec<u8>),
    /// Seconds since the Unix epoch (fractional).
    Timestamp(f64),
    List(Vec<Value>),
    /// A structure: named members. Decoders produce this for every object.
    Struct(Vec<(String, Value)>),
    /// A map with data keys (query XML renders it as `entry`/`key`/`value`).
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The member `name` of a structure or map.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(m) | Value::Map(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Removes and returns the member `name` of a structure or map.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        match self {
            Value::Struct(m) | Value::Map(m) => {
                let i = m.iter().position(|(k, _)| k == name)?;
                Some(m.remove(i).1)
            }
            _ => None,
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// True for an empty structure, map or list, or null.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Struct(m) | Value::Map(m) => m.is_empty(),
            Value::List(l) => l.is_empty(),
            _ => false,
        }
    }

    /// An empty structure.
    pub fn empty() -> Value {
        Value::Struct(Vec::new())
    }

    /// Converts to JSON as the trail records it (timestamps as ISO-8601 strings, blobs as base64).
    pub fn to_json(&self) -> serde_json::Value {
        json::to_json(self)
    }
}
