//! Decoding: `Content-Encoding` undone, then the operation name and input read from the body
//! as the request's protocol lays them out.

use std::io::Read as _;

use bytes::Bytes;
use http::{HeaderMap, Method};

use super::route::Route;
use super::{Input, MAX_BODY, MAX_DECODED_BODY, Pipeline, header_str};
use crate::error::ApiError;
use crate::operation::Operation;
use crate::protocol::{Protocol, query};
use crate::service::Service;
use crate::value::{DecodeError, Value};

impl Pipeline {
    /// Reads the operation name and input value from the body as the protocol lays them out.
    pub(super) fn decode(
        &self,
        parts: &http::request::Parts,
        route: &Route,
        service: Service,
        body: &Bytes,
    ) -> Result<(String, Input), ApiError> {
        let protocol = route.protocol;
        match protocol {
            Protocol::AwsQuery => {
                let source = if parts.method == Method::GET {
                    parts.uri.query().unwrap_or("").as_bytes()
                } else {
                    body
                };
                let form = query::decode(source)
                    .map_err(|m| service.decode_error(DecodeError::Invalid(m)))?;
                let action = form
                    .action
                    .ok_or_else(|| ApiError::new(400, "MissingAction", "Missing Action"))?;
                Ok((action, Input::Value(form.params)))
            }
            Protocol::RestJson => {
                let (index, labels) = route.rest.clone().unwrap_or_default();
                let (_, rest_route) = self
                    .registry
                    .rest_routes()
                    .nth(index)
                    .ok_or_else(|| ApiError::internal("rest route index out of range"))?;
                let body = if body.is_empty() {
                    Value::empty()
                } else {
                    protocol
                        .decode(body)
                        .map_err(|m| service.decode_error(DecodeError::Invalid(m)))?
                };
                let value = rest_route.bind(labels, parts.uri.query(), body);
                Ok((rest_route.operation.to_owned(), Input::Value(value)))
            }
            p if p.reads_shapes_directly() => {
                // CBOR and awsJson bodies are checked by the read itself ([`read_input`]).
                if !p.read_checks_body() {
                    check(p, service, body)?;
                }
                Ok((
                    route.operation.clone().unwrap_or_default(),
                    Input::Wire(p, body.clone()),
                ))
            }
            _ => {
                let value = protocol
                    .decode(body)
                    .map_err(|m| service.decode_error(DecodeError::Invalid(m)))?;
                Ok((
                    route.operation.clone().unwrap_or_default(),
                    Input::Value(value),
                ))
            }
        }
    }
}

/// Reads a body the decode step left unread into `op`'s input shape ([`Input::Read`]). Where the
/// read checks the body ([`Protocol::read_checks_body`]) and does not succeed, the body is checked
/// now: a malformed body gets the error the decode step gives for it, before anything else.
pub(super) fn read_input(
    op: &Operation,
    service: Service,
    input: Input,
) -> Result<Input, ApiError> {
    let Input::Wire(p, body) = input else {
        return Ok(input);
    };
    let read = op.prepare(p, &body);
    if p.read_checks_body() && !matches!(read, Some(Ok(_))) {
        check(p, service, &body)?;
    }
    Ok(match read {
        Some(read) => Input::Read(p, body, read),
        None => Input::Wire(p, body),
    })
}

/// For a request whose operation is unknown: a malformed body's error comes first, as it does
/// for bodies checked when they are decoded.
pub(super) fn check_unread(service: Service, input: &Input) -> Result<(), ApiError> {
    match input {
        Input::Wire(p, body) if p.read_checks_body() => check(*p, service, body),
        _ => Ok(()),
    }
}

/// [`Protocol::validate`], its message as the service's malformed-input error.
fn check(protocol: Protocol, service: Service, body: &[u8]) -> Result<(), ApiError> {
    protocol
        .validate(body)
        .map_err(|m| service.decode_error(DecodeError::Invalid(m)))
}

/// Undoes `Content-Encoding: gzip` (boto3 compresses large PutMetricData bodies).
pub(super) fn decode_content_encoding(headers: &HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let encodings = header_str(headers, "content-encoding").unwrap_or("");
    if encodings.is_empty() || encodings.eq_ignore_ascii_case("identity") {
        return Ok(body);
    }
    if !encodings.trim().eq_ignore_ascii_case("gzip") {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!("Content-Encoding {encodings:?} is not supported; use gzip or none"),
        ));
    }
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(MAX_DECODED_BODY));
    let mut decoder = flate2::read::GzDecoder::new(&body[..]).take(MAX_DECODED_BODY as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| {
        ApiError::new(
            400,
            "MalformedInput",
            format!("The gzip request body could not be decompressed: {e}"),
        )
    })?;
    if out.len() > MAX_DECODED_BODY {
        return Err(too_large());
    }
    Ok(Bytes::from(out))
}

pub(super) fn too_large() -> ApiError {
    ApiError::new(
        413,
        "RequestEntityTooLarge",
        format!(
            "Request body is larger than the limit of {MAX_BODY} bytes ({MAX_DECODED_BODY} bytes decompressed)"
        ),
    )
}
