//! awsquery XML responses: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` and
//! `<ErrorResponse>`; lists as `<member>`, maps as `<entry><key/><value/></entry>`.

use std::fmt::Write as _;

use bytes::Bytes;

use super::Rendered;
use crate::error::ApiError;
use crate::service::Service;
use crate::value::{Value, base64_encode, iso8601};

pub const CONTENT_TYPE: &str = "text/xml";

/// Whether the operation's model has an output shape. Every such output has a result wrapper
/// that clients parse even when it is empty (botocore fails with a `KeyError` on a
/// `DeleteDashboardsResponse` without `DeleteDashboardsResult`); operations without an output
/// shape answer with `ResponseMetadata` alone. The lists are the models' operations without
/// `output` (CloudWatch 2010-08-01, SNS 2010-03-31, IAM 2010-05-08; STS has none).
fn has_output_shape(service: Service, operation: &str) -> bool {
    let without_output: &[&str] = match service {
        Service::CloudWatch => &[
            "DeleteAlarmMuteRule",
            "DeleteAlarms",
            "DisableAlarmActions",
            "EnableAlarmActions",
            "PutAlarmMuteRule",
            "PutCompositeAlarm",
            "PutMetricAlarm",
            "PutMetricData",
            "SetAlarmState",
        ],
        Service::Sns => &[
            "AddPermission",
            "DeleteEndpoint",
            "DeletePlatformApplication",
            "DeleteTopic",
            "PutDataProtectionPolicy",
            "RemovePermission",
            "SetEndpointAttributes",
            "SetPlatformApplicationAttributes",
            "SetSubscriptionAttributes",
            "SetTopicAttributes",
            "Unsubscribe",
        ],
        Service::Iam => &[
            "DeleteAccessKey",
            "DeleteUser",
            "DeleteUserPolicy",
            "PutUserPolicy",
            "UpdateAccessKey",
        ],
        _ => &[],
    };
    !without_output.contains(&operation)
}

pub fn render_ok(service: Service, operation: &str, request_id: &str, out: &Value) -> Rendered {
    let mut x = String::with_capacity(256);
    let _ = write!(
        x,
        "<{operation}Response xmlns=\"{}\">",
        service.xml_namespace()
    );
    if !out.is_empty() || has_output_shape(service, operation) {
        let _ = write!(x, "<{operation}Result>");
        members(out, &mut x);
        let _ = write!(x, "</{operation}Result>");
    }
    let _ = write!(
        x,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{operation}Response>",
        escape(request_id)
    );
    Rendered {
        status: 200,
        content_type: CONTENT_TYPE,
        headers: Vec::new(),
        body: Bytes::from(x),
    }
}

pub fn render_error(service: Option<Service>, request_id: &str, err: &ApiError) -> Rendered {
    let ns = service.map_or("", Service::xml_namespace);
    let mut x = String::with_capacity(256);
    if ns.is_empty() {
        x.push_str("<ErrorResponse>");
    } else {
        let _ = write!(x, "<ErrorResponse xmlns=\"{ns}\">");
    }
    let _ = write!(
        x,
        "<Error><Type>{}</Type><Code>{}</Code><Message>{}</Message>",
        err.fault.as_str(),
        escape(err.query_code()),
        escape(&err.message),
    );
    // The error shape's other members sit beside `Message`, where the SDKs read modeled errors.
    for (name, value) in &err.details {
        element(name, value, &mut x);
    }
    let _ = write!(
        x,
        "</Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(request_id)
    );
    Rendered {
        status: err.status,
        content_type: CONTENT_TYPE,
        headers: Vec::new(),
        body: Bytes::from(x),
    }
}

/// Writes the members of a structure (or the entries of a map) as child elements.
fn members(v: &Value, x: &mut String) {
    match v {
        Value::Struct(m) => {
            for (k, v) in m {
                element(k, v, x);
            }
        }
        Value::Map(m) => entries(m, x),
        other => scalar(other, x),
    }
}

fn entries(m: &[(String, Value)], x: &mut String) {
    for (k, v) in m {
        x.push_str("<entry><key>");
        x.push_str(&escape(k));
        x.push_str("</key>");
        element("value", v, x);
        x.push_str("</entry>");
    }
}

fn element(name: &str, v: &Value, x: &mut String) {
    let _ = write!(x, "<{name}>");
    match v {
        Value::List(items) => {
            for item in items {
                element("member", item, x);
            }
        }
        Value::Struct(_) => members(v, x),
        Value::Map(m) => entries(m, x),
        other => scalar(other, x),
    }
    let _ = write!(x, "</{name}>");
}

fn scalar(v: &Value, x: &mut String) {
    match v {
        Value::Null => {}
        Value::Bool(b) => x.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(x, "{i}");
        }
        Value::Float(f) => {
            if f.is_nan() {
                x.push_str("NaN");
            } else if f.is_infinite() {
                x.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" });
            } else {
                let _ = write!(x, "{f}");
            }
        }
        Value::Str(s) => x.push_str(&escape(s)),
        Value::Blob(b) => x.push_str(&base64_encode(b)),
        Value::Timestamp(t) => x.push_str(&iso8601(*t)),
        Value::List(_) | Value::Struct(_) | Value::Map(_) => members(v, x),
    }
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'', '\r']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(service: Service, operation: &str) -> String {
        let rendered = render_ok(service, operation, "req-1", &Value::empty());
        String::from_utf8(rendered.body.to_vec()).expect("utf-8")
    }

    #[test]
    fn an_empty_output_keeps_its_result_wrapper() {
        for (service, operation) in [
            (Service::CloudWatch, "DeleteDashboards"),
            (Service::CloudWatch, "TagResource"),
            (Service::CloudWatch, "DeleteAnomalyDetector"),
            (Service::Sns, "UntagResource"),
        ] {
            let x = body(service, operation);
            assert!(
                x.contains(&format!("<{operation}Result></{operation}Result>")),
                "{operation}: {x}"
            );
        }
    }

    #[test]
    fn an_operation_without_output_has_response_metadata_only() {
        for (service, operation) in [
            (Service::CloudWatch, "PutMetricData"),
            (Service::CloudWatch, "SetAlarmState"),
            (Service::Sns, "DeleteTopic"),
            (Service::Iam, "DeleteUser"),
        ] {
            let x = body(service, operation);
            assert!(!x.contains("Result>"), "{operation}: {x}");
            assert!(x.contains("<RequestId>req-1</RequestId>"), "{x}");
        }
    }
}
