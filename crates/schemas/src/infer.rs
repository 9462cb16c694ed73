//! Schema inference (pure): the [`Shape`] of an event's `detail`, merging shapes seen over time,
//! and rendering a shape as the OpenAPI 3 document of a discovered schema.
//!
//! Rules (what discovery promises):
//! - JSON kinds map to `boolean`, `integer` (a number with no fraction that fits `i64`), `number`,
//!   `string` (with `format: date-time` while every value seen parses as an RFC 3339 timestamp),
//!   `array` (`items` merged over every element; `{}` while only empty arrays were seen) and
//!   `object` (its own component, named by the property in PascalCase, `…Item` for array
//!   elements; a name already taken by a different shape gets `_1`, `_2`, … appended).
//! - Merging: properties are the union of those seen; `required` lists the properties present in
//!   every event seen; `integer` and `number` merge to `number`; `null` merges into any kind (a
//!   property only ever seen as `null` renders as `{}`); any other pair of different kinds renders
//!   as `{}` (any value).
//! - An event nested deeper than [`MAX_DEPTH`] levels is ignored, as AWS's discoverer does.
//! - The document: `openapi: 3.0.0`, `info.title` = the detail type in PascalCase, `paths: {}`,
//!   `components.schemas.AWSEvent` (the envelope, with `x-amazon-events-source` and
//!   `x-amazon-events-detail-type`) whose `detail` is a `$ref` to the component named like the title.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Deepest nesting discovery looks into; deeper events are ignored.
pub const MAX_DEPTH: usize = 255;

/// The inferred type of a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    Null,
    Boolean,
    Integer,
    Number,
    String {
        date_time: bool,
    },
    Array {
        items: Option<Box<Shape>>,
    },
    Object {
        properties: BTreeMap<String, Shape>,
        required: BTreeSet<String>,
    },
    /// Values of conflicting kinds were seen.
    Any,
}

/// Whether `s` is an RFC 3339 timestamp (`2019-02-26T19:42:21Z`, with offset or fraction).
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    (20..=35).contains(&b.len())
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && s.parse::<jiff::Timestamp>().is_ok()
}

/// The shape of `v`, or `None` if it nests deeper than [`MAX_DEPTH`].
pub fn infer(v: &Value) -> Option<Shape> {
    infer_at(v, 0)
}

fn infer_at(v: &Value, depth: usize) -> Option<Shape> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match v {
        Value::Null => Shape::Null,
        Value::Bool(_) => Shape::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() && n.as_i64().is_some() => Shape::Integer,
        Value::Number(_) => Shape::Number,
        Value::String(s) => Shape::String {
            date_time: is_date_time(s),
        },
        Value::Array(items) => {
            let mut merged: Option<Shape> = None;
            for item in items {
                let s = infer_at(item, depth + 1)?;
                merged = Some(match merged {
                    None => s,
                    Some(m) => merge(m, s),
                });
            }
            Shape::Array {
                items: merged.map(Box::new),
            }
        }
        Value::Object(m) => {
            let mut properties = BTreeMap::new();
            for (k, v) in m {
                properties.insert(k.clone(), infer_at(v, depth + 1)?);
            }
            let required = properties.keys().cloned().collect();
            Shape::Object {
                properties,
                required,
            }
        }
    })
}

/// The shape that describes values of both `a` and `b`.
pub fn merge(a: Shape, b: Shape) -> Shape {
    use Shape::*;
    match (a, b) {
        (Null, x) | (x, Null) => x,
        (Integer, Number) | (Number, Integer) => Number,
        (String { date_time: x }, String { date_time: y }) => String { date_time: x && y },
        (Array { items: None }, Array { items: x })
        | (Array { items: x }, Array { items: None }) => Array { items: x },
        (Array { items: Some(x) }, Array { items: Some(y) }) => Array {
            items: Some(Box::new(merge(*x, *y))),
        },
        (
            Object {
                properties: mut pa,
                required: ra,
            },
            Object {
                properties: pb,
                required: rb,
            },
        ) => {
            for (k, s) in pb {
                let merged = match pa.remove(&k) {
                    Some(old) => merge(old, s),
                    None => s,
                };
                pa.insert(k, merged);
            }
            Object {
                properties: pa,
                required: ra.intersection(&rb).cloned().collect(),
            }
        }
        (x, y) if x == y => x,
        _ => Any,
    }
}

/// A hash of `v`'s structure (keys, kinds, date-time strings; not values, array lengths or key
/// order), so events of one shape are inferred once. `None` if deeper than [`MAX_DEPTH`].
pub fn fingerprint(v: &Value) -> Option<u64> {
    fingerprint_at(v, 0)
}

/// A fast, deterministic, non-cryptographic hasher (a folded multiply per 8-byte word) for
/// structural fingerprints: they only dedupe work, so a collision at worst delays discovery of a
/// shape until the set of seen shapes is cleared.
#[derive(Default)]
pub(crate) struct FoldHasher(u64);

const FOLD_SEED: u64 = 0x243f_6a88_85a3_08d3;
const FOLD_MUL: u64 = 0x5851_f42d_4c95_7f2d;

impl FoldHasher {
    /// Folded multiply (the low and high halves of a 128-bit product, xored), which carries every
    /// input bit into every output bit.
    fn add(&mut self, word: u64) {
        let x = u128::from(self.0 ^ word ^ FOLD_SEED) * u128::from(FOLD_MUL);
        self.0 = (x as u64) ^ ((x >> 64) as u64);
    }
}

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
        self.add(bytes.len() as u64);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // A final avalanche so that sums of fingerprints spread well.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

pub(crate) fn mix(parts: impl Hash) -> u64 {
    let mut h = FoldHasher::default();
    parts.hash(&mut h);
    h.finish()
}

fn fingerprint_at(v: &Value, depth: usize) -> Option<u64> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match v {
        Value::Null => 1,
        Value::Bool(_) => 2,
        Value::Number(n) if n.is_i64() || n.is_u64() && n.as_i64().is_some() => 3,
        Value::Number(_) => 4,
        Value::String(s) => {
            if is_date_time(s) {
                6
            } else {
                5
            }
        }
        Value::Array(items) => {
            let mut parts = items
                .iter()
                .map(|i| fingerprint_at(i, depth + 1))
                .collect::<Option<Vec<u64>>>()?;
            parts.sort_unstable();
            parts.dedup();
            mix((7u8, parts))
        }
        Value::Object(m) => {
            let mut sum = 0u64;
            for (k, v) in m {
                sum = sum.wrapping_add(mix((k, fingerprint_at(v, depth + 1)?)));
            }
            mix((8u8, sum, m.len()))
        }
    })
}

/// `Step Functions Execution Status Change` → `StepFunctionsExecutionStatusChange`: the words
/// (runs of ASCII letters and digits) with their first letter upper-cased. `Event` if none.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        out.push_str("Event");
    }
    out
}

/// The name discovery gives the schema of `(source, detail-type)`: `<source>@<DetailType>`, with
/// characters a schema name cannot hold replaced by `_`.
pub fn discovered_name(source: &str, detail_type: &str) -> String {
    let source: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{source}@{}", pascal_case(detail_type))
}

/// Components being named while rendering.
struct Components {
    schemas: Map<String, Value>,
}

impl Components {
    /// Adds `schema` under `name` (or `name_1`, … if taken by another schema); returns the name.
    fn add(&mut self, name: &str, schema: Value) -> String {
        let mut candidate = name.to_owned();
        let mut n = 0;
        loop {
            match self.schemas.get(&candidate) {
                None => {
                    self.schemas.insert(candidate.clone(), schema);
                    return candidate;
                }
                Some(existing) if *existing == schema => return candidate,
                Some(_) => {
                    n += 1;
                    candidate = format!("{name}_{n}");
                }
            }
        }
    }

    fn property(&mut self, name: &str, shape: &Shape) -> Value {
        match shape {
            Shape::Null | Shape::Any => json!({}),
            Shape::Boolean => json!({"type": "boolean"}),
            Shape::Integer => json!({"type": "integer"}),
            Shape::Number => json!({"type": "number"}),
            Shape::String { date_time: true } => json!({"type": "string", "format": "date-time"}),
            Shape::String { date_time: false } => json!({"type": "string"}),
            Shape::Array { items } => {
                let items = match items {
                    Some(s) => self.property(&format!("{name}Item"), s),
                    None => json!({}),
                };
                json!({"type": "array", "items": items})
            }
            Shape::Object { .. } => {
                let body = self.object(shape);
                let component = self.add(name, body);
                json!({"$ref": format!("#/components/schemas/{component}")})
            }
        }
    }

    fn object(&mut self, shape: &Shape) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!("object"));
        if let Shape::Object {
            properties,
            required,
        } = shape
        {
            if !required.is_empty() {
                out.insert("required".into(), json!(required));
            }
            if !properties.is_empty() {
                let mut props = Map::new();
                for (k, s) in properties {
                    props.insert(k.clone(), self.property(&pascal_case(k), s));
                }
                out.insert("properties".into(), Value::Object(props));
            }
        }
        Value::Object(out)
    }
}

/// The OpenAPI 3 document of the events of `(source, detail_type)` whose details have `detail`.
pub fn render_openapi(source: &str, detail_type: &str, detail: &Shape) -> Value {
    let title = pascal_case(detail_type);
    let mut c = Components {
        schemas: Map::new(),
    };
    // The envelope takes its name first so that no detail component can.
    c.schemas.insert("AWSEvent".into(), json!({}));
    let body = c.object(detail);
    let detail_name = c.add(&title, body);
    let envelope = json!({
        "type": "object",
        "required": ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"],
        "x-amazon-events-detail-type": detail_type,
        "x-amazon-events-source": source,
        "properties": {
            "detail": {"$ref": format!("#/components/schemas/{detail_name}")},
            "account": {"type": "string"},
            "detail-type": {"type": "string"},
            "id": {"type": "string"},
            "region": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}},
            "source": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "version": {"type": "string"}
        }
    });
    c.schemas.insert("AWSEvent".into(), envelope);
    json!({
        "openapi": "3.0.0",
        "info": {"version": "1.0.0", "title": title},
        "paths": {},
        "components": {"schemas": Value::Object(c.schemas)}
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn step_functions_detail() -> Value {
        json!({
            "executionArn": "arn:aws:states:us-east-1:012345678912:execution:sm:run",
            "name": "execution-name",
            "status": "FAILED",
            "startDate": 1551225146847u64,
            "input": "{}",
            "output": null
        })
    }

    #[test]
    fn names() {
        assert_eq!(
            pascal_case("Step Functions Execution Status Change"),
            "StepFunctionsExecutionStatusChange"
        );
        assert_eq!(
            pascal_case("EC2 Instance State-change Notification"),
            "EC2InstanceStateChangeNotification"
        );
        assert_eq!(pascal_case("!!"), "Event");
        assert_eq!(
            discovered_name("my.app", "order placed"),
            "my.app@OrderPlaced"
        );
        assert_eq!(discovered_name("a/b:c", "X"), "a_b_c@X");
    }

    #[test]
    fn infers_the_documented_step_functions_example() {
        let shape = infer(&step_functions_detail()).unwrap();
        let doc = render_openapi(
            "aws.states",
            "Step Functions Execution Status Change",
            &shape,
        );
        assert_eq!(doc["openapi"], "3.0.0");
        assert_eq!(doc["info"]["title"], "StepFunctionsExecutionStatusChange");
        let schemas = &doc["components"]["schemas"];
        let env = &schemas["AWSEvent"];
        assert_eq!(env["x-amazon-events-source"], "aws.states");
        assert_eq!(
            env["x-amazon-events-detail-type"],
            "Step Functions Execution Status Change"
        );
        assert_eq!(
            env["properties"]["detail"]["$ref"],
            "#/components/schemas/StepFunctionsExecutionStatusChange"
        );
        assert_eq!(env["properties"]["time"]["format"], "date-time");
        let d = &schemas["StepFunctionsExecutionStatusChange"];
        assert_eq!(d["type"], "object");
        assert_eq!(d["properties"]["startDate"]["type"], "integer");
        assert_eq!(d["properties"]["status"]["type"], "string");
        assert_eq!(d["properties"]["output"], json!({}));
        assert_eq!(
            d["required"],
            json!([
                "executionArn",
                "input",
                "name",
                "output",
                "startDate",
                "status"
            ])
        );
    }

    #[test]
    fn nested_objects_and_arrays_become_components() {
        let v = json!({
            "order": {"id": "o-1", "total": 12.5, "at": "2026-11-29T12:00:00Z"},
            "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2, "gift": true}],
            "tags": [],
        });
        let doc = render_openapi("shop", "Order Placed", &infer(&v).unwrap());
        let s = &doc["components"]["schemas"];
        let top = &s["OrderPlaced"];
        assert_eq!(
            top["properties"]["order"]["$ref"],
            "#/components/schemas/Order"
        );
        assert_eq!(
            top["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/ItemsItem"
        );
        assert_eq!(
            top["properties"]["tags"],
            json!({"type": "array", "items": {}})
        );
        assert_eq!(s["Order"]["properties"]["total"]["type"], "number");
        assert_eq!(s["Order"]["properties"]["at"]["format"], "date-time");
        // gift was in one element only: known, not required.
        assert_eq!(s["ItemsItem"]["required"], json!(["qty", "sku"]));
        assert_eq!(s["ItemsItem"]["properties"]["gift"]["type"], "boolean");
    }

    #[test]
    fn a_component_name_taken_by_another_shape_gets_a_suffix() {
        let v = json!({"a": {"x": {"k": 1}}, "b": {"x": {"k": "s"}}});
        let doc = render_openapi("s", "T", &infer(&v).unwrap());
        let s = &doc["components"]["schemas"];
        assert_eq!(s["A"]["properties"]["x"]["$ref"], "#/components/schemas/X");
        assert_eq!(
            s["B"]["properties"]["x"]["$ref"],
            "#/components/schemas/X_1"
        );
        assert_eq!(s["X_1"]["properties"]["k"]["type"], "string");
    }

    #[test]
    fn merging_rules() {
        let a = infer(&json!({"n": 1, "s": "x", "o": null, "only_a": true})).unwrap();
        let b = infer(&json!({"n": 1.5, "s": "y", "o": {"k": 1}})).unwrap();
        let m = merge(a.clone(), b);
        let Shape::Object {
            properties,
            required,
        } = &m
        else {
            panic!("object expected")
        };
        assert_eq!(properties["n"], Shape::Number);
        assert!(matches!(properties["o"], Shape::Object { .. }));
        assert!(properties.contains_key("only_a"));
        assert!(!required.contains("only_a"));
        assert!(required.contains("n"));
        // Merging is idempotent: the same events add nothing.
        assert_eq!(merge(m.clone(), m.clone()), m);
        assert_eq!(merge(a.clone(), a.clone()), a);
        assert_eq!(merge(Shape::Boolean, Shape::Integer), Shape::Any);
        let dt = Shape::String { date_time: true };
        let plain = Shape::String { date_time: false };
        assert_eq!(merge(dt, plain.clone()), plain);
    }

    #[test]
    fn fingerprints_ignore_values_order_and_lengths() {
        let a = fingerprint(&json!({"a": 1, "b": ["x", "y"]})).unwrap();
        let b = fingerprint(&json!({"b": ["z"], "a": 7})).unwrap();
        let c = fingerprint(&json!({"a": 1.5, "b": ["x"]})).unwrap();
        let d = fingerprint(&json!({"a": 1, "b": ["x"], "c": null})).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn fingerprints_of_one_key_objects_do_not_collide() {
        // Regression: a length folded into a padded word once made `field108` hash like `field10`.
        let mut seen = std::collections::HashMap::new();
        for i in 0..5_000 {
            let mut d = json!({});
            d[format!("field{i}")] = json!(1);
            let f = fingerprint(&d).unwrap();
            assert_eq!(seen.insert(f, i), None, "field{i}");
        }
    }

    #[test]
    fn too_deep_is_ignored() {
        let mut v = json!(1);
        for _ in 0..300 {
            v = json!({ "n": v });
        }
        assert!(infer(&v).is_none());
        assert!(fingerprint(&v).is_none());
        let mut ok = json!(1);
        for _ in 0..100 {
            ok = json!([ok]);
        }
        assert!(infer(&ok).is_some());
    }
}
