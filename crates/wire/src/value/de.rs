//! Deserializing shapes from a [`Value`], leniently where protocols differ: the query protocol
//! carries every scalar as text, JSON carries timestamps as numbers and blobs as base64.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::{BLOB_NAME, TIMESTAMP_NAME, Value, base64, shapes::parse_timestamp_text};

/// Why a request could not be read into the operation's input shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// A required member is absent.
    #[error("missing required member {0}")]
    MissingField(String),
    /// A member has the wrong type or an unreadable value.
    #[error("{0}")]
    Invalid(String),
}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError::Invalid(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        DecodeError::MissingField(field.to_owned())
    }
}

/// Reads an operation's input shape from a decoded request.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    T::deserialize(value)
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Blob(_) => "a blob",
            Value::Timestamp(_) => "a timestamp",
            Value::List(_) => "a list",
            Value::Struct(_) | Value::Map(_) => "a structure",
        }
    }

    fn invalid(&self, expected: &str) -> DecodeError {
        match self {
            Value::Str(s) if s.len() <= 64 => {
                DecodeError::Invalid(format!("expected {expected}, found {s:?}"))
            }
            _ => DecodeError::Invalid(format!("expected {expected}, found {}", self.kind())),
        }
    }

    fn as_i64(&self) -> Result<i64, DecodeError> {
        match self {
            Value::Int(i) => Ok(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(*f as i64),
            Value::Str(s) => s.trim().parse().map_err(|_| self.invalid("an integer")),
            _ => Err(self.invalid("an integer")),
        }
    }

    fn as_f64(&self) -> Result<f64, DecodeError> {
        match self {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(f) => Ok(*f),
            Value::Timestamp(t) => Ok(*t),
            Value::Str(s) => match s.trim() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                t => t.parse().map_err(|_| self.invalid("a number")),
            },
            _ => Err(self.invalid("a number")),
        }
    }
}

macro_rules! int_method {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            let n = self.as_i64()?;
            let n = <$ty>::try_from(n)
                .map_err(|_| DecodeError::Invalid(format!("{n} is out of range")))?;
            v.$visit(n)
        }
    };
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(b),
            Value::Int(i) => v.visit_i64(i),
            Value::Float(f) | Value::Timestamp(f) => v.visit_f64(f),
            Value::Str(s) => v.visit_string(s),
            Value::Blob(b) => v.visit_byte_buf(b),
            Value::List(l) => v.visit_seq(Seq(l.into_iter())),
            Value::Struct(m) | Value::Map(m) => v.visit_map(Map::new(m)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match &self {
            Value::Bool(b) => v.visit_bool(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => v.visit_bool(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => v.visit_bool(false),
            _ => Err(self.invalid("a boolean")),
        }
    }

    int_method!(deserialize_i8, visit_i8, i8);
    int_method!(deserialize_i16, visit_i16, i16);
    int_method!(deserialize_i32, visit_i32, i32);
    int_method!(deserialize_i64, visit_i64, i64);
    int_method!(deserialize_u8, visit_u8, u8);
    int_method!(deserialize_u16, visit_u16, u16);
    int_method!(deserialize_u32, visit_u32, u32);
    int_method!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_f32(self.as_f64()? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_f64(self.as_f64()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Str(s) => v.visit_string(s),
            other => Err(other.invalid("a string")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_byte_buf(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Blob(b) => v.visit_byte_buf(b),
            Value::Str(s) => match base64::decode(&s) {
                Some(b) => v.visit_byte_buf(b),
                None => Err(DecodeError::Invalid("blob is not valid base64".into())),
            },
            other => Err(other.invalid("a blob")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Null => v.visit_none(),
            other => v.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        if name == TIMESTAMP_NAME {
            return match &self {
                Value::Timestamp(t) | Value::Float(t) => v.visit_f64(*t),
                Value::Int(i) => v.visit_f64(*i as f64),
                Value::Str(s) => match parse_timestamp_text(s) {
                    Some(t) => v.visit_f64(t),
                    None => Err(self.invalid("a timestamp")),
                },
                _ => Err(self.invalid("a timestamp")),
            };
        }
        if name == BLOB_NAME {
            return self.deserialize_byte_buf(v);
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::List(l) => v.visit_seq(Seq(l.into_iter())),
            // The query protocol sends `Member=` for an empty list.
            Value::Str(s) if s.is_empty() => v.visit_seq(Seq(Vec::new().into_iter())),
            Value::Null => v.visit_seq(Seq(Vec::new().into_iter())),
            other => Err(other.invalid("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Struct(m) | Value::Map(m) => v.visit_map(Map::new(m)),
            // The query protocol's `Attr.entry.N.key` / `.value` pairs arrive as a list.
            Value::List(l) => {
                let mut pairs = Vec::with_capacity(l.len());
                for entry in l {
                    let (mut key, mut value) = (None, None);
                    if let Value::Struct(members) = entry {
                        for (k, val) in members {
                            match k.as_str() {
                                "key" | "Key" | "Name" => key = Some(val),
                                "value" | "Value" => value = Some(val),
                                _ => {}
                            }
                        }
                    }
                    match (key, value) {
                        (Some(Value::Str(k)), Some(val)) => pairs.push((k, val)),
                        (Some(Value::Str(k)), None) => pairs.push((k, Value::Str(String::new()))),
                        _ => return Err(DecodeError::Invalid("malformed map entry".into())),
                    }
                }
                v.visit_map(Map::new(pairs))
            }
            Value::Str(s) if s.is_empty() => v.visit_map(Map::new(Vec::new())),
            other => Err(other.invalid("a structure")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            Value::Str(s) if s.is_empty() => v.visit_map(Map::new(Vec::new())),
            Value::List(_) => Err(self.invalid("a structure")),
            other => other.deserialize_map(v),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            Value::Str(s) => v.visit_enum(UnitVariant(s)),
            other => Err(other.invalid("a string")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }
}

impl IntoDeserializer<'_, DecodeError> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Seq {
    type Error = DecodeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        self.0.next().map(|v| seed.deserialize(v)).transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map {
    iter: std::vec::IntoIter<(String, Value)>,
    pending: Option<Value>,
}

impl Map {
    fn new(members: Vec<(String, Value)>) -> Self {
        Map {
            iter: members.into_iter(),
            pending: None,
        }
    }
}

impl<'de> MapAccess<'de> for Map {
    type Error = DecodeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.pending = Some(v);
                seed.deserialize(Value::Str(k)).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let v = self.pending.take().unwrap_or(Value::Null);
        seed.deserialize(v)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct UnitVariant(String);

impl<'de> EnumAccess<'de> for UnitVariant {
    type Error = DecodeError;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), DecodeError> {
        let name = Value::Str(self.0.clone());
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant {
    type Error = DecodeError;
    fn unit_variant(self) -> Result<(), DecodeError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, DecodeError> {
        Err(DecodeError::Invalid(format!(
            "unexpected value {:?}",
            self.0
        )))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, DecodeError> {
        Err(DecodeError::Invalid(format!(
            "unexpected value {:?}",
            self.0
        )))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, DecodeError> {
        Err(DecodeError::Invalid(format!(
            "unexpected value {:?}",
            self.0
        )))
    }
}

/// Builds a [`Value`] from any self-describing format (serde_json, ciborium).
impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Blob(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Blob(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            out.push((k, v));
        }
        Ok(Value::Struct(out))
    }
}
