//! awsJson 1.0 and 1.1: JSON bodies, `{"__type": …, "message": …}` errors.

use bytes::Bytes;

use super::{Rendered, query_error_header};
use crate::error::ApiError;
use crate::value::{Value, WireJson};

pub const CONTENT_TYPE_1_0: &str = "application/x-amz-json-1.0";
pub const CONTENT_TYPE_1_1: &str = "application/x-amz-json-1.1";

/// Parses a JSON body; an empty body is an empty structure.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::empty());
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    match v {
        Value::Struct(_) => Ok(v),
        _ => Err("the request body must be a JSON object".into()),
    }
}

pub fn render_ok(out: &Value, content_type: &'static str) -> Rendered {
    let body = match out {
        Value::Null => b"{}".to_vec(),
        v => serde_json::to_vec(&WireJson(v)).unwrap_or_else(|_| b"{}".to_vec()),
    };
    Rendered {
        status: 200,
        content_type,
        headers: Vec::new(),
        body: Bytes::from(body),
    }
}

pub fn render_error(
    err: &ApiError,
    content_type: &'static str,
    query_compatible: bool,
) -> Rendered {
    let mut body = serde_json::json!({ "__type": err.code, "message": err.message });
    for (name, value) in &err.details {
        body[name.as_ref()] = serde_json::to_value(WireJson(value)).unwrap_or_default();
    }
    let mut headers = Vec::new();
    if query_compatible {
        headers.push(query_error_header(err));
    }
    Rendered {
        status: err.status,
        content_type,
        headers,
        body: Bytes::from(body.to_string()),
    }
}
