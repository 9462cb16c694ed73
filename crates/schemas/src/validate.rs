//! Checks that schema content is a document of its declared type: an OpenAPI 3 document whose
//! `components.schemas` are schema objects, or a JSON Schema draft 4 document. Local `$ref`s must
//! resolve. Pure.

use serde_json::{Map, Value};

use crate::error::SchemasError;
use crate::model::SchemaType;

const JSON_SCHEMA_TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

fn bad(kind: SchemaType, why: impl std::fmt::Display) -> SchemasError {
    SchemasError::BadRequest(format!("Invalid {} schema content: {why}", kind.as_str()))
}

/// Parses and checks `content` as a document of `kind`; returns the parsed document.
pub fn check_content(kind: SchemaType, content: &str) -> Result<Value, SchemasError> {
    if content.is_empty() || content.chars().count() > crate::names::MAX_CONTENT {
        return Err(SchemasError::BadRequest(format!(
            "Content must be between 1 and {} characters long.",
            crate::names::MAX_CONTENT
        )));
    }
    let doc: Value =
        serde_json::from_str(content).map_err(|e| bad(kind, format!("not valid JSON ({e})")))?;
    let Value::Object(root) = &doc else {
        return Err(bad(kind, "the document must be a JSON object"));
    };
    match kind {
        SchemaType::OpenApi3 => check_openapi(root, &doc)?,
        SchemaType::JSONSchemaDraft4 => {
            if let Some(s) = root.get("$schema")
                && !s.is_string()
            {
                return Err(bad(kind, "$schema must be a string"));
            }
            check_schema(kind, &doc, "#", &doc)?;
        }
    }
    Ok(doc)
}

fn check_openapi(root: &Map<String, Value>, doc: &Value) -> Result<(), SchemasError> {
    let kind = SchemaType::OpenApi3;
    let version = root
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(kind, "the openapi member (3.x.y) is required"))?;
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() != 3 || parts[0] != "3" || !parts.iter().all(|p| p.parse::<u32>().is_ok()) {
        return Err(bad(kind, format!("openapi version {version} is not 3.x.y")));
    }
    let info = root
        .get("info")
        .and_then(Value::as_object)
        .ok_or_else(|| bad(kind, "the info object is required"))?;
    for member in ["title", "version"] {
        if !info.get(member).is_some_and(Value::is_string) {
            return Err(bad(kind, format!("info.{member} must be a string")));
        }
    }
    if let Some(p) = root.get("paths")
        && !p.is_object()
    {
        return Err(bad(kind, "paths must be an object"));
    }
    if let Some(components) = root.get("components") {
        let components = components
            .as_object()
            .ok_or_else(|| bad(kind, "components must be an object"))?;
        if let Some(schemas) = components.get("schemas") {
            let schemas = schemas
                .as_object()
                .ok_or_else(|| bad(kind, "components.schemas must be an object"))?;
            for (name, s) in schemas {
                check_schema(kind, s, &format!("components.schemas.{name}"), doc)?;
            }
        }
    }
    Ok(())
}

/// Resolves a local `#/a/b` reference.
fn resolve_pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Checks one schema object and the schemas nested in it.
fn check_schema(kind: SchemaType, s: &Value, at: &str, doc: &Value) -> Result<(), SchemasError> {
    let obj = match s {
        Value::Object(o) => o,
        _ => return Err(bad(kind, format!("{at} must be a schema object"))),
    };
    if let Some(r) = obj.get("$ref") {
        let r = r
            .as_str()
            .ok_or_else(|| bad(kind, format!("{at}.$ref must be a string")))?;
        if r.starts_with('#') && resolve_pointer(doc, r).is_none() {
            return Err(bad(kind, format!("{at}.$ref {r} does not resolve")));
        }
    }
    if let Some(t) = obj.get("type") {
        let ok = |t: &Value| {
            t.as_str().is_some_and(|t| {
                JSON_SCHEMA_TYPES.contains(&t)
                    && (kind == SchemaType::JSONSchemaDraft4 || t != "null")
            })
        };
        let valid = match t {
            Value::Array(ts) => {
                kind == SchemaType::JSONSchemaDraft4 && !ts.is_empty() && ts.iter().all(ok)
            }
            t => ok(t),
        };
        if !valid {
            return Err(bad(kind, format!("{at}.type {t} is not a valid type")));
        }
    }
    if let Some(req) = obj.get("required") {
        let valid = req
            .as_array()
            .is_some_and(|r| !r.is_empty() && r.iter().all(Value::is_string));
        if !valid {
            return Err(bad(
                kind,
                format!("{at}.required must be a non-empty array of strings"),
            ));
        }
    }
    for map in ["properties", "definitions", "patternProperties"] {
        if let Some(m) = obj.get(map) {
            let m = m
                .as_object()
                .ok_or_else(|| bad(kind, format!("{at}.{map} must be an object")))?;
            for (k, v) in m {
                check_schema(kind, v, &format!("{at}.{map}.{k}"), doc)?;
            }
        }
    }
    if let Some(items) = obj.get("items") {
        match items {
            Value::Array(list) if kind == SchemaType::JSONSchemaDraft4 => {
                for (i, v) in list.iter().enumerate() {
                    check_schema(kind, v, &format!("{at}.items.{i}"), doc)?;
                }
            }
            v => check_schema(kind, v, &format!("{at}.items"), doc)?,
        }
    }
    for list in ["allOf", "anyOf", "oneOf"] {
        if let Some(l) = obj.get(list) {
            let l = l
                .as_array()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| bad(kind, format!("{at}.{list} must be a non-empty array")))?;
            for (i, v) in l.iter().enumerate() {
                check_schema(kind, v, &format!("{at}.{list}.{i}"), doc)?;
            }
        }
    }
    for one in ["not", "additionalProperties"] {
        if let Some(v) = obj.get(one)
            && !v.is_boolean()
        {
            check_schema(kind, v, &format!("{at}.{one}"), doc)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const OPENAPI: &str = r##"{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Event"},"paths":{},
        "components":{"schemas":{"Event":{"type":"object","required":["name"],
        "properties":{"name":{"type":"string"},"child":{"$ref":"#/components/schemas/Child"}}},
        "Child":{"type":"object"}}}}"##;

    #[test]
    fn accepts_valid_documents() {
        assert!(check_content(SchemaType::OpenApi3, OPENAPI).is_ok());
        let draft4 = r##"{"$schema":"http://json-schema.org/draft-04/schema#","type":"object",
            "properties":{"a":{"type":["string","null"]},"b":{"$ref":"#/definitions/B"}},
            "definitions":{"B":{"type":"integer"}}}"##;
        assert!(check_content(SchemaType::JSONSchemaDraft4, draft4).is_ok());
    }

    #[test]
    fn refuses_invalid_documents() {
        let cases = [
            (SchemaType::OpenApi3, "not json"),
            (SchemaType::OpenApi3, "[]"),
            (
                SchemaType::OpenApi3,
                r#"{"info":{"title":"t","version":"1"}}"#,
            ),
            (
                SchemaType::OpenApi3,
                r#"{"openapi":"2.0","info":{"title":"t","version":"1"}}"#,
            ),
            (
                SchemaType::OpenApi3,
                r#"{"openapi":"3.0.0","info":{"title":"t"}}"#,
            ),
            (
                SchemaType::OpenApi3,
                r##"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"}}}}"##,
            ),
            (
                SchemaType::OpenApi3,
                r#"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"components":{"schemas":{"A":{"type":"null"}}}}"#,
            ),
            (SchemaType::JSONSchemaDraft4, r#"{"type":"text"}"#),
            (SchemaType::JSONSchemaDraft4, r#"{"required":[]}"#),
            (SchemaType::JSONSchemaDraft4, r#"{"properties":{"a":3}}"#),
            (SchemaType::JSONSchemaDraft4, ""),
        ];
        for (kind, content) in cases {
            let err = check_content(kind, content).unwrap_err();
            assert_eq!(err.code(), "BadRequestException", "{content}");
        }
    }
}
