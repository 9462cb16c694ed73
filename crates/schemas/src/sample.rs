//! GetDiscoveredSchema: the schema discovery would infer from up to ten sample events.

use serde_json::Value;

use crate::error::SchemasError;
use crate::export::openapi_to_draft4;
use crate::infer::{self, Shape};
use crate::model::SchemaType;

/// Most sample events (`__listOfGetDiscoveredSchemaVersionItemInput`: 1–10).
pub const MAX_SAMPLE_EVENTS: usize = 10;

/// Infers the schema of `events` (JSON event envelopes of one source and detail type) as a
/// document of `schema_type`.
pub fn discovered_schema(events: &[String], schema_type: &str) -> Result<String, SchemasError> {
    let kind = SchemaType::parse(schema_type).ok_or_else(|| {
        SchemasError::BadRequest(format!(
            "Invalid schema type {schema_type}: it must be OpenApi3 or JSONSchemaDraft4."
        ))
    })?;
    if events.is_empty() || events.len() > MAX_SAMPLE_EVENTS {
        return Err(SchemasError::BadRequest(format!(
            "Events must hold between 1 and {MAX_SAMPLE_EVENTS} events."
        )));
    }
    let mut kind_of_event: Option<(String, String)> = None;
    let mut shape: Option<Shape> = None;
    for (i, text) in events.iter().enumerate() {
        let bad = |why: &str| SchemasError::BadRequest(format!("Event {i} is invalid: {why}."));
        if text.is_empty() || text.chars().count() > crate::names::MAX_CONTENT {
            return Err(bad("an event has 1 to 100000 characters"));
        }
        let event: Value = serde_json::from_str(text).map_err(|_| bad("not valid JSON"))?;
        let field = |name: &str| event.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(source), Some(detail_type)) = (field("source"), field("detail-type")) else {
            return Err(bad("an event needs source and detail-type strings"));
        };
        let detail = event
            .get("detail")
            .filter(|d| d.is_object())
            .ok_or_else(|| bad("an event needs a detail object"))?;
        match &kind_of_event {
            None => kind_of_event = Some((source, detail_type)),
            Some(k) if *k == (source, detail_type) => {}
            Some(_) => {
                return Err(bad("all events must have the same source and detail-type"));
            }
        }
        let s = infer::infer(detail).ok_or_else(|| bad("it nests deeper than 255 levels"))?;
        shape = Some(match shape {
            None => s,
            Some(old) => infer::merge(old, s),
        });
    }
    let (Some((source, detail_type)), Some(shape)) = (kind_of_event, shape) else {
        return Err(SchemasError::BadRequest("No events given.".to_owned()));
    };
    let doc = infer::render_openapi(&source, &detail_type, &shape);
    Ok(match kind {
        SchemaType::OpenApi3 => doc.to_string(),
        SchemaType::JSONSchemaDraft4 => openapi_to_draft4(&doc)?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn infers_from_samples_and_refuses_mixed_kinds() {
        let e = |dt: &str, detail: &str| {
            format!(r#"{{"source":"shop","detail-type":"{dt}","detail":{detail}}}"#)
        };
        let out = discovered_schema(
            &[
                e("Order Placed", r#"{"a":1}"#),
                e("Order Placed", r#"{"b":"x"}"#),
            ],
            "OpenApi3",
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&out).unwrap();
        let props = &doc["components"]["schemas"]["OrderPlaced"]["properties"];
        assert_eq!(props["a"]["type"], "integer");
        assert_eq!(props["b"]["type"], "string");
        let draft4 = discovered_schema(&[e("Order Placed", "{}")], "JSONSchemaDraft4").unwrap();
        assert!(draft4.contains("draft-04"));
        for bad in [
            vec![e("A", "{}"), e("B", "{}")],
            vec![],
            vec!["{}".to_owned()],
            vec![e("A", "[1]")],
            vec![e("A", "{}"); 11],
        ] {
            assert!(discovered_schema(&bad, "OpenApi3").is_err());
        }
        assert!(discovered_schema(&[e("A", "{}")], "Avro").is_err());
    }
}
