//! Reading an operation's input shape straight from an awsJson body, without building the
//! [`Value`] tree first: objects and arrays are streamed from serde_json's parser and member
//! names are matched in place.
//!
//! The result is exactly what `from_value(json::decode(body))` gives, errors included: every
//! scalar (and every object or array where the shape expects something else) is turned into a
//! [`Value`] exactly as `json::decode` would and handed to the [`Value`] deserializer, which holds
//! the protocol leniencies (numbers as timestamps, `"NaN"`, base64 blobs…); only objects and
//! arrays that the shape reads as structures, maps or lists are streamed. A read succeeds only
//! on a body [`validate`] accepts, so the pipeline checks a body only when its read fails.
//!
//! The shape's errors ([`DecodeError`]) cross serde_json's error type on the way out; the
//! original is kept aside in a [`Stash`] so it comes back unchanged.

use std::cell::Cell;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};

use crate::value::{BLOB_NAME, DecodeError, TIMESTAMP_NAME, Value};

/// Checks a body as `json::decode` would, without building anything; the same error.
pub fn validate(body: &[u8]) -> Result<(), String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    serde_json::from_slice::<Check>(body).map_err(|e| e.to_string())?;
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err(NOT_AN_OBJECT.into()),
    }
}

/// What `json::decode` says of a body that is not an object.
const NOT_AN_OBJECT: &str = "the request body must be a JSON object";

/// Parses everything `json::decode` parses (numbers included, whose range it checks), keeps
/// nothing.
struct Check;

impl<'de> de::Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Check, D::Error> {
        d.deserialize_any(CheckVisitor)
    }
}

struct CheckVisitor;

impl<'de> Visitor<'de> for CheckVisitor {
    type Value = Check;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_str<E>(self, _: &str) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_unit<E>(self) -> Result<Check, E> {
        Ok(Check)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Check, A::Error> {
        while seq.next_element::<Check>()?.is_some() {}
        Ok(Check)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
        while map.next_entry::<IgnoredAny, Check>()?.is_some() {}
        Ok(Check)
    }
}

/// Reads `T` from a body. It succeeds only on bodies that [`validate`] accepts (every member the
/// shape ignores is checked as `validate` checks it), so a body can be read first and checked
/// only when the read fails: then a body `validate` refuses is malformed, and for any other the
/// error is the shape's, the one `from_value(json::decode(body))` gives.
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return T::deserialize(Value::empty()),
        Some(b'{') => {}
        Some(_) => return Err(DecodeError::Invalid(NOT_AN_OBJECT.into())),
    }
    let stash = Stash::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    let t = T::deserialize(Lenient {
        de: &mut de,
        stash: &stash,
    })?;
    de.end().map_err(|e| stash.back(e))?;
    Ok(t)
}

/// The shape's own error while it travels as serde_json's.
#[derive(Default)]
struct Stash(Cell<Option<DecodeError>>);

impl Stash {
    /// Parks `e` and returns a stand-in of the outer error type.
    fn park<E: de::Error>(&self, e: DecodeError) -> E {
        let text = e.to_string();
        self.0.set(Some(e));
        E::custom(text)
    }

    /// The parked error, or `e` itself if none was parked.
    fn back<E: std::fmt::Display>(&self, e: E) -> DecodeError {
        self.0
            .take()
            .unwrap_or_else(|| DecodeError::Invalid(e.to_string()))
    }
}

/// What the shape asked for, replayed on the [`Value`] deserializer for a scalar.
#[derive(Clone, Copy)]
enum Kind {
    Any,
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    Char,
    Str,
    Bytes,
    Unit,
    UnitStruct(&'static str),
    Newtype(&'static str),
    Seq,
    Map,
    Struct(&'static str, &'static [&'static str]),
    Enum(&'static str, &'static [&'static str]),
}

impl Kind {
    /// Runs the request on the [`Value`] deserializer, as the Value path would.
    fn on_value<'de, V: Visitor<'de>>(self, value: Value, v: V) -> Result<V::Value, DecodeError> {
        match self {
            Kind::Any => value.deserialize_any(v),
            Kind::Bool => value.deserialize_bool(v),
            Kind::I8 => value.deserialize_i8(v),
            Kind::I16 => value.deserialize_i16(v),
            Kind::I32 => value.deserialize_i32(v),
            Kind::I64 => value.deserialize_i64(v),
            Kind::U8 => value.deserialize_u8(v),
            Kind::U16 => value.deserialize_u16(v),
            Kind::U32 => value.deserialize_u32(v),
            Kind::U64 => value.deserialize_u64(v),
            Kind::F32 => value.deserialize_f32(v),
            Kind::F64 => value.deserialize_f64(v),
            Kind::Char => value.deserialize_char(v),
            Kind::Str => value.deserialize_string(v),
            Kind::Bytes => value.deserialize_byte_buf(v),
            Kind::Unit => value.deserialize_unit(v),
            Kind::UnitStruct(n) => value.deserialize_unit_struct(n, v),
            Kind::Newtype(n) => value.deserialize_newtype_struct(n, v),
            Kind::Seq => value.deserialize_seq(v),
            Kind::Map => value.deserialize_map(v),
            Kind::Struct(n, f) => value.deserialize_struct(n, f, v),
            Kind::Enum(n, vs) => value.deserialize_enum(n, vs, v),
        }
    }

    fn streams_objects(self) -> bool {
        matches!(self, Kind::Any | Kind::Map | Kind::Struct(..))
    }

    fn streams_arrays(self) -> bool {
        matches!(self, Kind::Any | Kind::Seq)
    }
}

/// The shape's deserializer over serde_json's.
struct Lenient<'s, D> {
    de: D,
    stash: &'s Stash,
}

impl<'de, D: Deserializer<'de>> Lenient<'_, D> {
    fn drive<V: Visitor<'de>>(self, kind: Kind, v: V) -> Result<V::Value, DecodeError> {
        let stash = self.stash;
        self.de
            .deserialize_any(Adapter { kind, v, stash })
            .map_err(|e| stash.back(e))
    }
}

macro_rules! driven {
    ($($method:ident => $kind:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.drive($kind, v)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lenient<'_, D> {
    type Error = DecodeError;

    driven!(
        deserialize_any => Kind::Any,
        deserialize_bool => Kind::Bool,
        deserialize_i8 => Kind::I8,
        deserialize_i16 => Kind::I16,
        deserialize_i32 => Kind::I32,
        deserialize_i64 => Kind::I64,
        deserialize_u8 => Kind::U8,
        deserialize_u16 => Kind::U16,
        deserialize_u32 => Kind::U32,
        deserialize_u64 => Kind::U64,
        deserialize_f32 => Kind::F32,
        deserialize_f64 => Kind::F64,
        deserialize_char => Kind::Char,
        deserialize_str => Kind::Str,
        deserialize_string => Kind::Str,
        deserialize_identifier => Kind::Str,
        deserialize_bytes => Kind::Bytes,
        deserialize_byte_buf => Kind::Bytes,
        deserialize_unit => Kind::Unit,
        deserialize_seq => Kind::Seq,
        deserialize_map => Kind::Map,
    );

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        // serde_json: `null` → none, anything else → some(the same parser).
        let stash = self.stash;
        self.de
            .deserialize_option(OptionAdapter { v, stash })
            .map_err(|e| stash.back(e))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.drive(Kind::UnitStruct(name), v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        if name == TIMESTAMP_NAME || name == BLOB_NAME {
            return self.drive(Kind::Newtype(name), v);
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.drive(Kind::Seq, v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.drive(Kind::Seq, v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.drive(Kind::Struct(name, fields), v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.drive(Kind::Enum(name, variants), v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        // Parsed as `validate` parses it (serde_json's own skipping lets out-of-range numbers,
        // lone surrogates and invalid UTF-8 through), so that a read succeeds only on bodies
        // `validate` accepts.
        let stash = self.stash;
        self.de
            .deserialize_any(CheckVisitor)
            .map_err(|e| stash.back(e))?;
        v.visit_unit()
    }
}

/// Receives what serde_json parsed and hands it to the shape's visitor the Value path's way.
struct Adapter<'s, V> {
    kind: Kind,
    v: V,
    stash: &'s Stash,
}

impl<V> Adapter<'_, V> {
    fn scalar<'de, E: de::Error>(self, value: Value) -> Result<V::Value, E>
    where
        V: Visitor<'de>,
    {
        let stash = self.stash;
        self.kind.on_value(value, self.v).map_err(|e| stash.park(e))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Adapter<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.scalar(Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<V::Value, E> {
        self.scalar(Value::Int(i))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<V::Value, E> {
        self.scalar(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<V::Value, E> {
        self.scalar(Value::Float(f))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        if matches!(self.kind, Kind::Str) {
            // What `Value::Str(..).deserialize_string` does, without the copy.
            let stash = self.stash;
            return self.v.visit_str(s).map_err(|e| stash.park(e));
        }
        self.scalar(Value::Str(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<V::Value, E> {
        self.scalar(Value::Str(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.scalar(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.scalar(Value::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let stash = self.stash;
        if self.kind.streams_objects() {
            return self
                .v
                .visit_map(Members { map, stash })
                .map_err(|e| stash.park(e));
        }
        let value: Value = de::Deserialize::deserialize(MapAccessDeserializer::new(map))?;
        self.scalar(value)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let stash = self.stash;
        if self.kind.streams_arrays() {
            return self
                .v
                .visit_seq(Elements { seq, stash })
                .map_err(|e| stash.park(e));
        }
        let value: Value = de::Deserialize::deserialize(SeqAccessDeserializer::new(seq))?;
        self.scalar(value)
    }
}

/// `deserialize_option` on serde_json: none, or some over the same parser.
struct OptionAdapter<'s, V> {
    v: V,
    stash: &'s Stash,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionAdapter<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        let stash = self.stash;
        self.v.visit_none().map_err(|e| stash.park(e))
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        let stash = self.stash;
        self.v
            .visit_some(Lenient { de: d, stash })
            .map_err(|e| stash.park(e))
    }
}

/// Hands a seed the shape's deserializer instead of serde_json's.
struct Seed<'s, S> {
    seed: S,
    stash: &'s Stash,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        let stash = self.stash;
        self.seed
            .deserialize(Lenient { de: d, stash })
            .map_err(|e| stash.park(e))
    }
}

/// A streamed object.
struct Members<'s, A> {
    map: A,
    stash: &'s Stash,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Members<'_, A> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let stash = self.stash;
        self.map
            .next_key_seed(Seed { seed, stash })
            .map_err(|e| stash.back(e))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        let stash = self.stash;
        self.map
            .next_value_seed(Seed { seed, stash })
            .map_err(|e| stash.back(e))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A streamed array.
struct Elements<'s, A> {
    seq: A,
    stash: &'s Stash,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Elements<'_, A> {
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        let stash = self.stash;
        self.seq
            .next_element_seed(Seed { seed, stash })
            .map_err(|e| stash.back(e))
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}
