//! Picking a few top-level fields out of a JSON object without building the whole document:
//! wanted keys' values are deserialized, every other value is skipped unallocated.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// The values of the `wanted` top-level keys of the JSON object `text` (in `wanted`'s order;
/// `None` if absent), or `None` if `text` is not a JSON object.
pub fn pick(text: &str, wanted: &[&str]) -> Option<Vec<Option<serde_json::Value>>> {
    let mut out = vec![None; wanted.len()];
    let mut de = serde_json::Deserializer::from_str(text);
    Picker {
        wanted,
        out: &mut out,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(out)
}

struct Picker<'w, 'o> {
    wanted: &'w [&'w str],
    out: &'o mut Vec<Option<serde_json::Value>>,
}

impl<'de> DeserializeSeed<'de> for Picker<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Which wanted key a map key is, if any.
struct KeySeed<'w>(&'w [&'w str]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|w| *w == v))
    }
}

impl<'de> Visitor<'de> for Picker<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(slot) = map.next_key_seed(KeySeed(self.wanted))? {
            match slot {
                Some(i) => self.out[i] = Some(map.next_value::<serde_json::Value>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Flattens the JSON object `text` into `row` in document order (`a.b`, `items.0.id`), at most
/// [`crate::discover::MAX_JSON_FIELDS`] fields; `false` if `text` is not a JSON object.
pub fn flatten_ordered(text: &str, row: &mut crate::eval::Row) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut n = 0usize;
    let ok = Flat {
        prefix: String::new(),
        row,
        n: &mut n,
        top: true,
    }
    .deserialize(&mut de)
    .is_ok();
    ok && de.end().is_ok()
}

struct Flat<'r> {
    prefix: String,
    row: &'r mut crate::eval::Row,
    n: &'r mut usize,
    top: bool,
}

impl Flat<'_> {
    fn child(&mut self, key: &str) -> Flat<'_> {
        let prefix = if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        };
        Flat {
            prefix,
            row: self.row,
            n: self.n,
            top: false,
        }
    }

    fn leaf(self, v: crate::value::Value) {
        // A JSON key never replaces a system field (`@timestamp`, `@message`, …).
        if crate::discover::SYSTEM.contains(&self.prefix.as_str()) {
            return;
        }
        if *self.n < crate::discover::MAX_JSON_FIELDS {
            *self.n += 1;
            self.row.set(&self.prefix, v);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Flat<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.top {
            d.deserialize_map(self)
        } else {
            d.deserialize_any(self)
        }
    }
}

/// A map key as an owned string.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

impl<'de> Visitor<'de> for Flat<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key_seed(Key)? {
            map.next_value_seed(self.child(&k))?;
        }
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let key = i.to_string();
            if seq.next_element_seed(self.child(&key))?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.leaf(crate::value::Value::str(v));
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.leaf(crate::value::Value::str(if v { "true" } else { "false" }));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.leaf(crate::value::Value::Num(v as f64));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.leaf(crate::value::Value::Num(v as f64));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.leaf(crate::value::Value::Num(v));
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_top_level_values() {
        let got = pick(r#"{"a":1,"b":{"c":[1,2]},"d":"x\"y"}"#, &["d", "a", "zz"]);
        assert_eq!(
            got,
            Some(vec![
                Some(serde_json::json!("x\"y")),
                Some(serde_json::json!(1)),
                None
            ])
        );
        assert_eq!(pick("[1]", &["a"]), None);
        assert_eq!(pick(r#"{"a":1} trailing"#, &["a"]), None);
    }
}
