//! ExportSchema: an OpenAPI 3 document as JSON Schema draft 4. The root is the `AWSEvent`
//! component if there is one (events), else the component named like `info.title`, else the only
//! component; the other components become `definitions` and every `#/components/schemas/X`
//! reference becomes `#/definitions/X` (`#` for the root). OpenAPI-only keywords are dropped and
//! `nullable: true` becomes a `null` alternative in `type`. Pure.

use serde_json::{Map, Value, json};

use crate::error::SchemasError;

/// The draft 4 meta-schema URI.
pub const DRAFT4: &str = "http://json-schema.org/draft-04/schema#";

const OPENAPI_ONLY: [&str; 8] = [
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

fn cannot(why: &str) -> SchemasError {
    SchemasError::BadRequest(format!(
        "The schema cannot be exported as JSONSchemaDraft4: {why}."
    ))
}

/// Converts a (validated) OpenAPI 3 document.
pub fn openapi_to_draft4(doc: &Value) -> Result<Value, SchemasError> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| cannot("it has no components.schemas"))?;
    let title = doc.pointer("/info/title").and_then(Value::as_str);
    let root = if schemas.contains_key("AWSEvent") {
        "AWSEvent".to_owned()
    } else if let Some(t) = title.filter(|t| schemas.contains_key(*t)) {
        t.to_owned()
    } else if schemas.len() == 1 {
        schemas.keys().next().cloned().unwrap_or_default()
    } else {
        return Err(cannot(
            "no component is named AWSEvent or like info.title, so the root is ambiguous",
        ));
    };
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT4));
    out.insert("title".into(), json!(root));
    if let Some(Value::Object(body)) = schemas.get(&root).map(|s| convert(s, &root)) {
        out.extend(body);
    }
    let definitions: Map<String, Value> = schemas
        .iter()
        .filter(|(k, _)| **k != root)
        .map(|(k, v)| (k.clone(), convert(v, &root)))
        .collect();
    if !definitions.is_empty() {
        out.insert("definitions".into(), Value::Object(definitions));
    }
    Ok(Value::Object(out))
}

fn convert(v: &Value, root: &str) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                if OPENAPI_ONLY.contains(&k.as_str()) {
                    continue;
                }
                let converted = match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => match r.strip_prefix("#/components/schemas/") {
                        Some(name) if name == root => json!("#"),
                        Some(name) => json!(format!("#/definitions/{name}")),
                        None => v.clone(),
                    },
                    // Property names and enum values are data, not schemas.
                    ("enum" | "required" | "default", _) => v.clone(),
                    ("properties" | "definitions" | "patternProperties", Value::Object(m)) => {
                        Value::Object(
                            m.iter()
                                .map(|(k, v)| (k.clone(), convert(v, root)))
                                .collect(),
                        )
                    }
                    _ => convert(v, root),
                };
                out.insert(k.clone(), converted);
            }
            if m.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(t)) = m.get("type")
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| convert(i, root)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::infer::{infer, render_openapi};
    use crate::model::SchemaType;
    use crate::validate::check_content;

    #[test]
    fn a_discovered_schema_exports_with_definitions() {
        let detail = json!({"id": "o-1", "customer": {"name": "n"}});
        let doc = render_openapi("shop", "Order Placed", &infer(&detail).unwrap());
        let out = openapi_to_draft4(&doc).unwrap();
        assert_eq!(out["$schema"], DRAFT4);
        assert_eq!(out["title"], "AWSEvent");
        assert_eq!(out["x-amazon-events-source"], "shop");
        assert_eq!(
            out["properties"]["detail"]["$ref"],
            "#/definitions/OrderPlaced"
        );
        assert_eq!(
            out["definitions"]["OrderPlaced"]["properties"]["customer"]["$ref"],
            "#/definitions/Customer"
        );
        assert!(out["definitions"].get("AWSEvent").is_none());
        // The export is itself valid draft 4 whose references resolve.
        check_content(SchemaType::JSONSchemaDraft4, &out.to_string()).unwrap();
    }

    #[test]
    fn root_choice_nullable_and_self_references() {
        let doc = json!({"openapi": "3.0.0", "info": {"title": "Node", "version": "1"},
            "components": {"schemas": {
                "Node": {"type": "object", "properties": {
                    "next": {"$ref": "#/components/schemas/Node"},
                    "label": {"type": "string", "nullable": true, "example": "x"},
                    "example": {"type": "boolean"},
                    "kind": {"type": "string", "enum": ["a", "b"]}}},
                "Other": {"type": "integer"}}}});
        let out = openapi_to_draft4(&doc).unwrap();
        assert_eq!(out["title"], "Node");
        assert_eq!(out["properties"]["next"]["$ref"], "#");
        assert_eq!(
            out["properties"]["label"],
            json!({"type": ["string", "null"]})
        );
        assert_eq!(out["properties"]["kind"]["enum"], json!(["a", "b"]));
        assert_eq!(out["properties"]["example"]["type"], "boolean");
        assert_eq!(out["definitions"]["Other"]["type"], "integer");

        let ambiguous = json!({"openapi": "3.0.0", "info": {"title": "T", "version": "1"},
            "components": {"schemas": {"A": {}, "B": {}}}});
        assert!(openapi_to_draft4(&ambiguous).is_err());
        let empty = json!({"openapi": "3.0.0", "info": {"title": "T", "version": "1"}});
        assert!(openapi_to_draft4(&empty).is_err());
    }
}
