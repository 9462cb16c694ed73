//! Serializing an operation's output shape into a [`Value`]. Absent optional members (`None`) are
//! left out, as every AWS protocol leaves them out.

use std::fmt;

use serde::ser::{self, Serialize};

use super::{BLOB_NAME, TIMESTAMP_NAME, Value};

/// The output shape could not be represented (a non-string map key, say): a bug, not bad input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot encode response: {0}")]
pub struct EncodeError(String);

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        EncodeError(msg.to_string())
    }
}

/// Turns an output shape into a [`Value`].
pub fn to_value<T: Serialize + ?Sized>(shape: &T) -> Result<Value, EncodeError> {
    shape.serialize(ValueSerializer::PLAIN)
}

/// Turns a shape into a [`Value`] without the structure members that `omit` names: each entry is
/// a member path (`"MetricData"`, or `"Entries/Detail"` for a member of every element of a list
/// member). Omitted members are never serialized, so leaving out a large payload costs nothing.
pub fn to_value_omitting<T: Serialize + ?Sized>(
    shape: &T,
    omit: &[&str],
) -> Result<Value, EncodeError> {
    shape.serialize(ValueSerializer { omit })
}

/// Serializes into a [`Value`], leaving out the member paths in `omit` (relative to this level).
#[derive(Clone, Copy)]
struct ValueSerializer<'p> {
    omit: &'p [&'p str],
}

impl ValueSerializer<'_> {
    const PLAIN: ValueSerializer<'static> = ValueSerializer { omit: &[] };
}

/// What `omit` says about member `key`: leave it out (`None`), or the paths below it.
fn below<'p>(omit: &[&'p str], key: &str) -> Option<Vec<&'p str>> {
    let mut rest = Vec::new();
    for path in omit {
        match path.strip_prefix(key) {
            Some("") => return None,
            Some(r) if r.starts_with('/') => rest.push(&r[1..]),
            _ => {}
        }
    }
    Some(rest)
}

impl<'p> ser::Serializer for ValueSerializer<'p> {
    type Ok = Value;
    type Error = EncodeError;
    type SerializeSeq = SeqBuilder<'p>;
    type SerializeTuple = SeqBuilder<'p>;
    type SerializeTupleStruct = SeqBuilder<'p>;
    type SerializeTupleVariant = ser::Impossible<Value, EncodeError>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder<'p>;
    type SerializeStructVariant = ser::Impossible<Value, EncodeError>;

    fn serialize_bool(self, v: bool) -> Result<Value, EncodeError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, EncodeError> {
        Ok(Value::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, EncodeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, EncodeError> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, EncodeError> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, EncodeError> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, EncodeError> {
        Ok(Value::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, EncodeError> {
        Ok(Value::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, EncodeError> {
        Ok(Value::Blob(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, EncodeError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, EncodeError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, EncodeError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, EncodeError> {
        Ok(Value::Struct(Vec::new()))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, EncodeError> {
        Ok(Value::Str(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Value, EncodeError> {
        let inner = v.serialize(self)?;
        if name == TIMESTAMP_NAME {
            return match inner {
                Value::Float(f) => Ok(Value::Timestamp(f)),
                Value::Int(i) => Ok(Value::Timestamp(i as f64)),
                other => Err(EncodeError(format!("timestamp holds {other:?}"))),
            };
        }
        if name == BLOB_NAME {
            return Ok(inner);
        }
        Ok(inner)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, EncodeError> {
        Ok(Value::Struct(vec![(
            variant.to_owned(),
            v.serialize(ValueSerializer::PLAIN)?,
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder<'p>, EncodeError> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0)), self))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder<'p>, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder<'p>, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(EncodeError(format!(
            "tuple variant of {name} is not a wire shape"
        )))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, EncodeError> {
        Ok(MapBuilder {
            members: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<StructBuilder<'p>, EncodeError> {
        Ok(StructBuilder(Vec::with_capacity(len), self.omit))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(EncodeError(format!(
            "struct variant of {name} is not a wire shape"
        )))
    }
}

/// A list's elements; the omitted paths apply to every element.
struct SeqBuilder<'p>(Vec<Value>, ValueSerializer<'p>);

impl ser::SerializeSeq for SeqBuilder<'_> {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), EncodeError> {
        self.0.push(v.serialize(self.1)?);
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder<'_> {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, EncodeError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder<'_> {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, EncodeError> {
        ser::SerializeSeq::end(self)
    }
}

struct MapBuilder {
    members: Vec<(String, Value)>,
    key: Option<String>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), EncodeError> {
        match k.serialize(ValueSerializer::PLAIN)? {
            Value::Str(s) => {
                self.key = Some(s);
                Ok(())
            }
            other => Err(EncodeError(format!("map key {other:?} is not a string"))),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), EncodeError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| EncodeError("map value without a key".into()))?;
        self.members
            .push((key, v.serialize(ValueSerializer::PLAIN)?));
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(Value::Map(self.members))
    }
}

/// A structure's members and the member paths to leave out.
struct StructBuilder<'p>(Vec<(String, Value)>, &'p [&'p str]);

impl ser::SerializeStruct for StructBuilder<'_> {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), EncodeError> {
        let v = if self.1.is_empty() {
            v.serialize(ValueSerializer::PLAIN)?
        } else {
            match below(self.1, key) {
                None => return Ok(()),
                Some(rest) => v.serialize(ValueSerializer { omit: &rest })?,
            }
        };
        if v != Value::Null {
            self.0.push((key.to_owned(), v));
        }
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(Value::Struct(self.0))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::value::{Blob, Timestamp, from_value};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Shape {
        name: String,
        count: Option<i32>,
        when: Option<Timestamp>,
        data: Option<Blob>,
        tags: Option<Vec<String>>,
        attributes: Option<std::collections::BTreeMap<String, String>>,
    }

    #[test]
    fn shapes_round_trip_and_drop_absent_members() {
        let shape = Shape {
            name: "n".into(),
            count: None,
            when: Some(Timestamp(1.5)),
            data: Some(Blob(vec![1, 2])),
            tags: Some(vec!["a".into()]),
            attributes: Some([("k".to_owned(), "v".to_owned())].into()),
        };
        let v = to_value(&shape).expect("encodes");
        assert_eq!(
            v,
            Value::Struct(vec![
                ("Name".into(), Value::Str("n".into())),
                ("When".into(), Value::Timestamp(1.5)),
                ("Data".into(), Value::Blob(vec![1, 2])),
                ("Tags".into(), Value::List(vec![Value::Str("a".into())])),
                (
                    "Attributes".into(),
                    Value::Map(vec![("k".into(), Value::Str("v".into()))])
                ),
            ])
        );
        assert_eq!(from_value::<Shape>(v).expect("decodes"), shape);
    }

    #[test]
    fn query_text_is_read_leniently() {
        let v = Value::Struct(vec![
            ("Name".into(), Value::Str("n".into())),
            ("Count".into(), Value::Str("42".into())),
            ("When".into(), Value::Str("2024-01-01T00:00:00Z".into())),
            ("Data".into(), Value::Str("AQI=".into())),
            ("Tags".into(), Value::Str(String::new())),
        ]);
        let shape: Shape = from_value(v).expect("decodes");
        assert_eq!(shape.count, Some(42));
        assert_eq!(shape.when, Some(Timestamp(1_704_067_200.0)));
        assert_eq!(shape.data, Some(Blob(vec![1, 2])));
        assert_eq!(shape.tags, Some(vec![]));
    }

    #[test]
    fn missing_members_are_named() {
        let err = from_value::<Shape>(Value::Struct(vec![])).expect_err("Name is required");
        assert_eq!(err, crate::value::DecodeError::MissingField("Name".into()));
    }
}
