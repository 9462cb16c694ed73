//! Client-side signing, for the benchmark harness, tests and tools. It shares the
//! canonicalisation code with the verifier; the tests cross-check it against the
//! `aws-sigv4` crate.

use http::header::{HOST, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use sha2::{Digest, Sha256};

use crate::canonical::{self, CanonicalParts, PathOptions};
use crate::header::{ALGORITHM, TERMINATOR};
use crate::key::{derive_signing_key, hmac_sha256};
use crate::time;
use crate::verify::UNSIGNED_PAYLOAD;

/// How the request body enters the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadSigning {
    /// Sign the SHA-256 of the body without sending `x-amz-content-sha256`
    /// (what the SDKs do for every service but S3).
    #[default]
    Hash,
    /// Sign the SHA-256 of the body and send it as `x-amz-content-sha256`.
    HashWithHeader,
    /// Sign the literal `UNSIGNED-PAYLOAD` and send it as `x-amz-content-sha256`.
    Unsigned,
}

/// Credentials, scope and time for [`sign_request`] / [`presign_uri`].
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Access key id.
    pub access_key_id: &'a str,
    /// Secret access key.
    pub secret_access_key: &'a str,
    /// Session token, sent as `X-Amz-Security-Token` and signed.
    pub session_token: Option<&'a str>,
    /// Region of the credential scope.
    pub region: &'a str,
    /// Signing name of the credential scope (`monitoring`, `logs`, …).
    pub service: &'a str,
    /// Signing time, Unix seconds.
    pub time_unix: i64,
    /// Body handling for [`sign_request`]. [`presign_uri`] ignores it and always
    /// signs the SHA-256 of the body, since a presigned URL has no header to declare
    /// anything else.
    pub payload: PayloadSigning,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// Neither a `Host` header nor an authority in the URI.
    #[error("the request has no Host header and its URI has no authority")]
    MissingHost,
    /// A value (credential, token, …) cannot be put in a header or URI.
    #[error("invalid value for {0}")]
    InvalidValue(&'static str),
}

/// Headers never signed (they are rewritten by proxies or added late), as in the AWS SDKs.
const UNSIGNED_HEADERS: [&str; 5] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "expect",
];

fn hex32(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

/// Also left out of presigned URLs (as the AWS SDKs do): the URL may be used by another agent.
const UNSIGNED_PRESIGNED_HEADERS: [&str; 2] = ["x-amz-user-agent", "x-amz-checksum-mode"];

/// Sorted, de-duplicated lowercase names to sign: every header present except
/// [`UNSIGNED_HEADERS`] and `also_unsigned`.
fn signed_header_list(headers: &HeaderMap, also_unsigned: &[&str]) -> String {
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !UNSIGNED_HEADERS.contains(n) && !also_unsigned.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(";")
}

fn header_value(s: &str, what: &'static str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(s).map_err(|_| SignError::InvalidValue(what))
}

fn signature(params: &SigningParams<'_>, amz_date: &str, canonical: &[u8]) -> String {
    let scope = format!(
        "{}/{}/{}/{TERMINATOR}",
        &amz_date[..8],
        params.region,
        params.service
    );
    let hash: [u8; 32] = Sha256::digest(canonical).into();
    let mut sts = Vec::with_capacity(128);
    canonical::write_string_to_sign(&mut sts, amz_date, &scope, &hash);
    let key = derive_signing_key(
        params.secret_access_key,
        &amz_date[..8],
        params.region,
        params.service,
    );
    hex32(&hmac_sha256(&key, &sts))
}

/// Signs a request with an `Authorization` header.
///
/// `uri` is the request target as it will be sent (already percent-encoded) and
/// should carry the authority unless `headers` has `Host`. Every header in
/// `headers` is signed except `authorization`, `user-agent`, `x-amzn-trace-id`,
/// `transfer-encoding` and `expect`. Returns the headers to add (replacing any of
/// the same name): `authorization`, `x-amz-date`, and as needed
/// `x-amz-security-token`, `x-amz-content-sha256` and `host` (when `headers` had
/// none, so that exactly the signed value is sent).
pub fn sign_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
) -> Result<Vec<(HeaderName, HeaderValue)>, SignError> {
    sign_with_path(method, uri, headers, body, params, PathOptions::default())
}

/// As [`sign_request`], with S3's path rules: the canonical URI is the request path encoded
/// once (each byte outside the unreserved set, `/` kept), with no dot-segment or `//` removal,
/// so object keys such as `exports/a//b/[x]` sign as S3 and S3-compatible stores expect.
/// Use [`PayloadSigning::HashWithHeader`] or [`PayloadSigning::Unsigned`]: S3 requires
/// `x-amz-content-sha256`.
pub fn sign_s3_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
) -> Result<Vec<(HeaderName, HeaderValue)>, SignError> {
    let s3 = PathOptions {
        normalize_path: false,
        double_encode_path: false,
    };
    sign_with_path(method, uri, headers, body, params, s3)
}

fn sign_with_path(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
    path_options: PathOptions,
) -> Result<Vec<(HeaderName, HeaderValue)>, SignError> {
    let amz_date_buf = time::format_amz_date(params.time_unix);
    let amz_date = time::amz_date_str(&amz_date_buf);
    let payload_hash = match params.payload {
        PayloadSigning::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
        _ => hex::encode(Sha256::digest(body)),
    };

    let mut added: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(5);
    if !headers.contains_key(HOST) {
        let authority = uri.authority().ok_or(SignError::MissingHost)?;
        added.push((HOST, header_value(authority.as_str(), "host")?));
    }
    added.push((
        HeaderName::from_static("x-amz-date"),
        header_value(amz_date, "x-amz-date")?,
    ));
    if let Some(token) = params.session_token {
        added.push((
            HeaderName::from_static("x-amz-security-token"),
            header_value(token, "session token")?,
        ));
    }
    if params.payload != PayloadSigning::Hash {
        added.push((
            HeaderName::from_static("x-amz-content-sha256"),
            header_value(&payload_hash, "payload hash")?,
        ));
    }

    let mut all = headers.clone();
    for (name, value) in &added {
        all.insert(name.clone(), value.clone());
    }
    let signed_headers = signed_header_list(&all, &[]);

    let mut canonical = Vec::with_capacity(512);
    canonical::write_canonical_prefix(
        &mut canonical,
        &CanonicalParts {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query(),
            headers: &all,
            authority: None,
            signed_headers: &signed_headers,
            exclude_query_param: None,
            path_options,
        },
    )
    .map_err(|_| SignError::InvalidValue("headers"))?;
    canonical.extend_from_slice(payload_hash.as_bytes());

    let authorization = format!(
        "{ALGORITHM} Credential={}/{}/{}/{}/{TERMINATOR}, SignedHeaders={signed_headers}, Signature={}",
        params.access_key_id,
        &amz_date[..8],
        params.region,
        params.service,
        signature(params, amz_date, &canonical),
    );
    added.insert(
        0,
        (
            http::header::AUTHORIZATION,
            header_value(&authorization, "authorization")?,
        ),
    );
    Ok(added)
}

fn push_param(out: &mut String, key: &str, value: &str) {
    let mut buf = Vec::with_capacity(key.len() + value.len() + 8);
    buf.push(if out.contains('?') { b'&' } else { b'?' });
    canonical::push_encoded(&mut buf, key.as_bytes(), false);
    buf.push(b'=');
    canonical::push_encoded(&mut buf, value.as_bytes(), false);
    // Percent-encoding output is ASCII.
    out.push_str(&String::from_utf8_lossy(&buf));
}

/// Presigns a request: returns `uri` with the `X-Amz-*` query parameters added.
/// `host` and every header in `headers` (except the unsigned ones, and
/// `x-amz-user-agent` / `x-amz-checksum-mode`) are signed; the
/// payload hash is that of `body` (empty for a typical GET).
pub fn presign_uri(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
    expires_secs: u32,
) -> Result<Uri, SignError> {
    let amz_date_buf = time::format_amz_date(params.time_unix);
    let amz_date = time::amz_date_str(&amz_date_buf);
    let mut all = headers.clone();
    if !all.contains_key(HOST) {
        let authority = uri.authority().ok_or(SignError::MissingHost)?;
        all.insert(HOST, header_value(authority.as_str(), "host")?);
    }
    let signed_headers = signed_header_list(&all, &UNSIGNED_PRESIGNED_HEADERS);

    let mut target = uri.path().to_owned();
    if let Some(q) = uri.query() {
        target.push('?');
        target.push_str(q);
    }
    let credential = format!(
        "{}/{}/{}/{}/{TERMINATOR}",
        params.access_key_id,
        &amz_date[..8],
        params.region,
        params.service
    );
    push_param(&mut target, "X-Amz-Algorithm", ALGORITHM);
    push_param(&mut target, "X-Amz-Credential", &credential);
    push_param(&mut target, "X-Amz-Date", amz_date);
    push_param(&mut target, "X-Amz-Expires", &expires_secs.to_string());
    push_param(&mut target, "X-Amz-SignedHeaders", &signed_headers);
    if let Some(token) = params.session_token {
        push_param(&mut target, "X-Amz-Security-Token", token);
    }

    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target.as_str(), None),
    };
    // A presigned URL carries no payload-hash header, so (outside S3) the body hash
    // is always what is signed.
    let payload_hash = hex::encode(Sha256::digest(body));
    let mut canonical = Vec::with_capacity(512);
    canonical::write_canonical_prefix(
        &mut canonical,
        &CanonicalParts {
            method: method.as_str(),
            path,
            query,
            headers: &all,
            authority: None,
            signed_headers: &signed_headers,
            exclude_query_param: None,
            path_options: PathOptions::default(),
        },
    )
    .map_err(|_| SignError::InvalidValue("headers"))?;
    canonical.extend_from_slice(payload_hash.as_bytes());
    let sig = signature(params, amz_date, &canonical);
    push_param(&mut target, "X-Amz-Signature", &sig);

    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(target.parse().map_err(|_| SignError::InvalidValue("uri"))?);
    Uri::from_parts(parts).map_err(|_| SignError::InvalidValue("uri"))
}
