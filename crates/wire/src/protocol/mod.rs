//! The AWS wire protocols: how a request body becomes a [`Value`] and how a result or an error
//! becomes a response body, for each protocol the real clients speak.

pub mod cbor;
pub mod cbor_de;
pub mod json;
pub mod json_de;
pub mod query;
pub mod rest;
pub mod scan;
pub mod xml;

use bytes::Bytes;

use crate::error::ApiError;
use crate::service::Service;
use crate::value::Value;

/// A wire protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `application/x-amz-json-1.0` with `X-Amz-Target` (CloudWatch from botocore).
    AwsJson10,
    /// `application/x-amz-json-1.1` with `X-Amz-Target` (Logs, Events, CloudTrail, Config).
    AwsJson11,
    /// Smithy RPC v2 CBOR (CloudWatch from aws-sdk-rust and aws-sdk-go-v2).
    RpcV2Cbor,
    /// Form-encoded `Action=…` requests with XML responses (SNS, STS, IAM, legacy CloudWatch).
    AwsQuery,
    /// REST with JSON bodies (the Schemas API).
    RestJson,
}

/// A rendered response: status, content type, extra headers and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Protocol {
    /// Decodes a request body (already un-gzipped) into a [`Value`].
    pub fn decode(self, body: &[u8]) -> Result<Value, String> {
        match self {
            Protocol::AwsJson10 | Protocol::AwsJson11 | Protocol::RestJson => json::decode(body),
            Protocol::RpcV2Cbor => cbor::decode(body),
            Protocol::AwsQuery => query::decode(body).map(|form| form.params),
        }
    }

    /// Whether request bodies of this protocol are read straight into input shapes
    /// ([`crate::Operation::prepare`]) after [`Protocol::validate`], without a [`Value`].
    pub fn reads_shapes_directly(self) -> bool {
        matches!(
            self,
            Protocol::RpcV2Cbor | Protocol::AwsJson10 | Protocol::AwsJson11
        )
    }

    /// Whether [`crate::Operation::prepare`] reads an input shape only from bodies that
    /// [`Protocol::validate`] accepts (CBOR and awsJson), so that the check can wait until a
    /// read fails: a successful read has checked the body on the way, and the body is walked once.
    pub fn read_checks_body(self) -> bool {
        matches!(
            self,
            Protocol::RpcV2Cbor | Protocol::AwsJson10 | Protocol::AwsJson11
        )
    }

    /// Checks a body as [`Protocol::decode`] would, without building anything; the error is the
    /// one `decode` returns. Only for protocols that [`Protocol::reads_shapes_directly`].
    pub fn validate(self, body: &[u8]) -> Result<(), String> {
        match self {
            Protocol::RpcV2Cbor => cbor::validate(body),
            Protocol::AwsJson10 | Protocol::AwsJson11 => json_de::validate(body),
            other => other.decode(body).map(drop),
        }
    }

    /// Renders a successful result.
    pub fn render_ok(
        self,
        service: Service,
        operation: &str,
        request_id: &str,
        out: &Value,
    ) -> Rendered {
        match self {
            Protocol::AwsJson10 => json::render_ok(out, json::CONTENT_TYPE_1_0),
            Protocol::AwsJson11 => json::render_ok(out, json::CONTENT_TYPE_1_1),
            Protocol::RestJson => json::render_ok(out, "application/json"),
            Protocol::RpcV2Cbor => cbor::render_ok(out),
            Protocol::AwsQuery => xml::render_ok(service, operation, request_id, out),
        }
    }

    /// Renders an error as this protocol and service expect.
    pub fn render_error(
        self,
        service: Option<Service>,
        request_id: &str,
        err: &ApiError,
    ) -> Rendered {
        let query_compatible = service.is_some_and(Service::query_compatible);
        match self {
            Protocol::AwsJson10 => {
                json::render_error(err, json::CONTENT_TYPE_1_0, query_compatible)
            }
            Protocol::AwsJson11 => {
                json::render_error(err, json::CONTENT_TYPE_1_1, query_compatible)
            }
            Protocol::RpcV2Cbor => cbor::render_error(err, query_compatible),
            Protocol::AwsQuery => xml::render_error(service, request_id, err),
            Protocol::RestJson => rest::render_error(err),
        }
    }
}

/// `x-amzn-query-error: <code>;<Sender|Receiver>`, which the SDKs match CloudWatch errors on.
pub(crate) fn query_error_header(err: &ApiError) -> (&'static str, String) {
    (
        "x-amzn-query-error",
        format!("{};{}", err.query_code(), err.fault.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validation_error() -> ApiError {
        ApiError::new(
            400,
            "InvalidParameterInput",
            "The dashboard body is invalid",
        )
        .with_detail(
            "dashboardValidationMessages",
            Value::List(vec![Value::Struct(vec![
                ("DataPath".into(), Value::Str("/widgets/0".into())),
                (
                    "Message".into(),
                    Value::Str("Should have required property 'type'".into()),
                ),
            ])]),
        )
    }

    #[test]
    fn error_details_are_rendered_by_every_protocol() {
        let err = validation_error();
        let json = Protocol::AwsJson10.render_error(Some(Service::CloudWatch), "r", &err);
        let body: serde_json::Value = serde_json::from_slice(&json.body).expect("json");
        assert_eq!(
            body["dashboardValidationMessages"][0]["DataPath"],
            "/widgets/0"
        );
        assert_eq!(body["message"], "The dashboard body is invalid");

        let cbor = Protocol::RpcV2Cbor.render_error(Some(Service::CloudWatch), "r", &err);
        let decoded = cbor::decode(&cbor.body).expect("cbor");
        let messages = decoded.get("dashboardValidationMessages").expect("member");
        assert!(matches!(messages, Value::List(items) if items.len() == 1));

        let xml = Protocol::AwsQuery.render_error(Some(Service::CloudWatch), "r", &err);
        let text = std::str::from_utf8(&xml.body).expect("utf8");
        assert!(
            text.contains(
                "<Message>The dashboard body is invalid</Message><dashboardValidationMessages><member>\
                 <DataPath>/widgets/0</DataPath>"
            ),
            "{text}"
        );
        assert!(text.contains("</dashboardValidationMessages></Error><RequestId>r</RequestId>"));

        let rest = Protocol::RestJson.render_error(Some(Service::Schemas), "r", &err);
        let body: serde_json::Value = serde_json::from_slice(&rest.body).expect("json");
        assert_eq!(
            body["dashboardValidationMessages"][0]["Message"],
            "Should have required property 'type'"
        );
    }

    #[test]
    fn errors_without_details_render_only_code_and_message() {
        let err = ApiError::new(400, "ValidationException", "bad");
        let json = Protocol::AwsJson11.render_error(Some(Service::Logs), "r", &err);
        let body: serde_json::Value = serde_json::from_slice(&json.body).expect("json");
        assert_eq!(body.as_object().map(|o| o.len()), Some(2));
    }
}
