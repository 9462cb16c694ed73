//! Server-side verification: [`parse`] a request's authentication data, then
//! [`Parsed::verify`] it against the caller's secret key.

use http::header::{AUTHORIZATION, DATE};
use http::{HeaderMap, HeaderValue, Method, Uri};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::canonical::{self, CanonicalParts, PathOptions};
use crate::error::{MismatchDetail, MissingParts, SigV4Error};
use crate::header::{self, ALGORITHM, Scope, TERMINATOR};
use crate::key::SigningKeyCache;
use crate::time;
use hmac::Mac;

/// AWS's clock-skew allowance for header-signed requests: 5 minutes either way.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 300;

/// Largest `X-Amz-Expires` accepted (7 days), as at AWS.
pub const MAX_PRESIGNED_EXPIRES_SECS: i64 = 604_800;

/// The literal payload hash for unsigned bodies.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// Tunables for [`Parsed::verify_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Allowed difference, in seconds, between the request time and the server
    /// clock, in either direction. AWS uses 300 (5 minutes).
    pub max_skew_secs: i64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_skew_secs: DEFAULT_MAX_SKEW_SECS,
        }
    }
}

/// Where the signature was carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Header,
    Presigned { expires_secs: Option<i64> },
}

/// The authentication data of one request, parsed and canonicalised but not yet
/// verified (that needs the secret key, looked up via [`Parsed::access_key_id`]).
#[derive(Debug, Clone)]
pub struct Parsed {
    form: Form,
    /// Raw credential: `AKID/date/region/service/terminator`.
    credential: String,
    access_key_id_len: usize,
    scope: Scope,
    terminator: String,
    request_time: i64,
    /// The decoded signature, `None` when it is not 64 hex digits (then it can
    /// never match, but the mismatch is reported by `verify` like any other).
    signature: Option<[u8; 32]>,
    session_token: Option<String>,
    content_sha256: Option<String>,
    signed_headers: String,
    /// The canonical request minus the payload hash, or the error that
    /// canonicalisation hit (reported by `verify`, so that `parse` alone can be
    /// used to read the credential even when a signed header is missing).
    canonical_prefix: Result<Vec<u8>, SigV4Error>,
}

/// Parses the SigV4 authentication of a request, from its `Authorization` header
/// or its presigned query parameters, and builds its canonical request.
///
/// Errors here are the ones AWS reports before looking at the key: no
/// authentication at all, incomplete or malformed parameters, an unparseable date,
/// `host` not signed. Signature, time and scope problems are reported by
/// [`Parsed::verify`].
///
/// The path is canonicalised the way every AWS service except S3 does it
/// (normalised, then percent-encoded again on top of the wire encoding).
pub fn parse(method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<Parsed, SigV4Error> {
    parse_with_options(method, uri, headers, PathOptions::default())
}

/// The presigned-URL parameters found in a query string (first value of each).
#[derive(Default)]
struct QueryAuth {
    algorithm: Option<String>,
    credential: Option<String>,
    date: Option<String>,
    signed_headers: Option<String>,
    signature: Option<String>,
    security_token: Option<String>,
    expires: Option<String>,
}

fn scan_query_auth(query: &str) -> QueryAuth {
    let mut qa = QueryAuth::default();
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        // Cheap pre-filter: `X-Amz-*`, possibly percent-encoded.
        if !(k.starts_with("X-Amz-") || k.contains('%')) {
            continue;
        }
        let key = canonical::decode_query_component(k);
        let slot = match &*key {
            "X-Amz-Algorithm" => &mut qa.algorithm,
            "X-Amz-Credential" => &mut qa.credential,
            "X-Amz-Date" => &mut qa.date,
            "X-Amz-SignedHeaders" => &mut qa.signed_headers,
            "X-Amz-Signature" => &mut qa.signature,
            "X-Amz-Security-Token" => &mut qa.security_token,
            "X-Amz-Expires" => &mut qa.expires,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(canonical::decode_query_component(v).into_owned());
        }
    }
    qa
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
}

fn host_is_signed(signed_headers: &str) -> bool {
    signed_headers
        .split(';')
        .any(|h| h.eq_ignore_ascii_case("host") || h == ":authority")
}

fn decode_signature(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok().map(|()| out)
}

fn parse_expires(s: &str) -> Result<i64, SigV4Error> {
    let n: i64 = s.parse().map_err(|_| {
        SigV4Error::InvalidExpires(format!("X-Amz-Expires should be a number, got '{s}'"))
    })?;
    if n < 1 {
        return Err(SigV4Error::InvalidExpires(
            "X-Amz-Expires must be non-negative".into(),
        ));
    }
    if n > MAX_PRESIGNED_EXPIRES_SECS {
        return Err(SigV4Error::InvalidExpires(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800".into(),
        ));
    }
    Ok(n)
}

/// The authentication values of a request, from whichever place carried them.
struct Extracted {
    form: Form,
    credential: String,
    signed_headers: String,
    signature: String,
    date_raw: String,
    /// The date came from `X-Amz-Date` (basic format only) rather than `Date`.
    date_is_amz: bool,
    session_token: Option<String>,
}

/// Rules 6a–6e of AWS's error ordering: the `Authorization` header form.
fn from_header(value: &HeaderValue, headers: &HeaderMap) -> Result<Extracted, SigV4Error> {
    let value = String::from_utf8_lossy(value.as_bytes());
    let raw = header::split_authorization(&value)?;
    let (date_raw, date_is_amz) = match header_str(headers, X_AMZ_DATE) {
        Some(d) => (Some(d), true),
        None => (header_str(headers, DATE.as_str()), false),
    };
    let mut missing = raw.missing();
    missing.date = date_raw.is_none();
    let (Some(credential), Some(signed_headers), Some(signature), Some(date_raw)) =
        (raw.credential, raw.signed_headers, raw.signature, date_raw)
    else {
        return Err(SigV4Error::IncompleteAuthorizationHeader {
            missing,
            authorization: value.into_owned(),
        });
    };
    Ok(Extracted {
        form: Form::Header,
        credential: credential.to_owned(),
        signed_headers: signed_headers.to_owned(),
        signature: signature.to_owned(),
        date_raw: date_raw.into_owned(),
        date_is_amz,
        session_token: header_str(headers, X_AMZ_SECURITY_TOKEN).map(|t| t.into_owned()),
    })
}

/// Rules 7a–7d: the presigned query form (the algorithm was already checked).
fn from_query(query_auth: QueryAuth, headers: &HeaderMap) -> Result<Extracted, SigV4Error> {
    let QueryAuth {
        credential,
        date,
        signed_headers,
        signature,
        security_token,
        expires,
        ..
    } = query_auth;
    let missing = MissingParts {
        credential: credential.is_none(),
        signature: signature.is_none(),
        signed_headers: signed_headers.is_none(),
        date: date.is_none(),
    };
    let (Some(credential), Some(signed_headers), Some(signature), Some(date_raw)) =
        (credential, signed_headers, signature, date)
    else {
        return Err(SigV4Error::IncompleteQueryParameters { missing });
    };
    let expires_secs = expires.as_deref().map(parse_expires).transpose()?;
    Ok(Extracted {
        form: Form::Presigned { expires_secs },
        credential,
        signed_headers,
        signature,
        date_raw,
        date_is_amz: true,
        session_token: security_token
            .or_else(|| header_str(headers, X_AMZ_SECURITY_TOKEN).map(|t| t.into_owned())),
    })
}

/// [`parse`] with an explicit canonical-URI mode; only AWS's test suite needs the
/// S3 mode.
#[doc(hidden)]
pub fn parse_with_options(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    path_options: PathOptions,
) -> Result<Parsed, SigV4Error> {
    // An empty `Authorization` header counts as none.
    let auth_header = headers
        .get(AUTHORIZATION)
        .filter(|v| !v.as_bytes().iter().all(|b| *b == b' ' || *b == b'\t'));
    let query_auth = uri.query().map(scan_query_auth).unwrap_or_default();

    // Rule 5: exactly one of the two forms.
    let Extracted {
        form,
        credential,
        signed_headers,
        signature,
        date_raw,
        date_is_amz,
        session_token,
    } = match (auth_header, query_auth.algorithm.as_deref()) {
        (Some(_), Some(_)) => return Err(SigV4Error::ConflictingAuthentication),
        (None, None) => return Err(SigV4Error::MissingAuthenticationToken),
        (None, Some(alg)) if alg != ALGORITHM => {
            return Err(SigV4Error::MissingAuthenticationToken);
        }
        (Some(value), None) => from_header(value, headers)?,
        (None, Some(_)) => from_query(query_auth, headers)?,
    };

    let cred = header::parse_credential(&credential)?;
    if !host_is_signed(&signed_headers) {
        return Err(SigV4Error::HostNotSigned);
    }
    let request_time = if date_is_amz {
        time::parse_amz_date(&date_raw)
    } else {
        time::parse_any_date(&date_raw)
    }
    .ok_or_else(|| SigV4Error::InvalidDate(date_raw.clone()))?;

    let scope = Scope {
        date: cred.date.to_owned(),
        region: cred.region.to_owned(),
        service: cred.service.to_owned(),
    };
    let terminator = cred.terminator.to_owned();
    let access_key_id_len = cred.access_key_id.len();

    let mut prefix = Vec::with_capacity(256 + signed_headers.len() * 2 + uri.path().len());
    let canonical_prefix = canonical::write_canonical_prefix(
        &mut prefix,
        &CanonicalParts {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query(),
            headers,
            authority: uri.authority().map(|a| a.as_str()),
            signed_headers: &signed_headers,
            exclude_query_param: matches!(form, Form::Presigned { .. })
                .then_some("X-Amz-Signature"),
            path_options,
        },
    )
    .map(|()| prefix);

    Ok(Parsed {
        form,
        access_key_id_len,
        scope,
        terminator,
        request_time,
        signature: decode_signature(&signature),
        session_token,
        content_sha256: header_str(headers, X_AMZ_CONTENT_SHA256).map(|v| v.into_owned()),
        signed_headers,
        canonical_prefix,
        credential,
    })
}

impl Parsed {
    /// The access key id from the credential.
    pub fn access_key_id(&self) -> &str {
        &self.credential[..self.access_key_id_len]
    }

    /// The credential scope (date, region, service).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The request time (from `X-Amz-Date`, else `Date`), in Unix seconds.
    pub fn request_time_unix(&self) -> i64 {
        self.request_time
    }

    /// The session token (`X-Amz-Security-Token` header, or query parameter for
    /// presigned requests), if any. Validating it is the caller's job.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// Whether the signature came in the query string rather than the `Authorization` header.
    pub fn is_presigned(&self) -> bool {
        matches!(self.form, Form::Presigned { .. })
    }

    /// `X-Amz-Expires` of a presigned request, if given.
    pub fn presigned_expires_secs(&self) -> Option<i64> {
        match self.form {
            Form::Presigned { expires_secs } => expires_secs,
            Form::Header => None,
        }
    }

    /// The `SignedHeaders` list as sent.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// Checks the credential scope against the region and/or service this endpoint
    /// serves (`None` accepts any), with AWS's messages:
    /// "Credential should be scoped to a valid region, not 'eu-west-1'." and
    /// "Credential should be scoped to correct service: 'logs'.".
    pub fn check_scope(
        &self,
        region: Option<&str>,
        service: Option<&str>,
    ) -> Result<(), SigV4Error> {
        let mut problems = Vec::new();
        if region.is_some_and(|r| r != self.scope.region) {
            problems.push(format!(
                "Credential should be scoped to a valid region, not '{}'.",
                self.scope.region
            ));
        }
        if let Some(s) = service.filter(|s| *s != self.scope.service) {
            problems.push(format!(
                "Credential should be scoped to correct service: '{s}'."
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SigV4Error::InvalidCredentialScope(problems))
        }
    }

    /// Checks the time window and the signature with the default options (5-minute
    /// skew). `body` is the raw request body exactly as received (still compressed
    /// if `Content-Encoding: gzip`: the signature covers the bytes on the wire).
    pub fn verify(
        &self,
        secret_access_key: &str,
        body: &[u8],
        now_unix_secs: i64,
        keys: &SigningKeyCache,
    ) -> Result<(), SigV4Error> {
        self.verify_with(
            secret_access_key,
            body,
            now_unix_secs,
            keys,
            &VerifyOptions::default(),
        )
    }

    /// [`Parsed::verify`] with explicit options.
    ///
    /// Order of checks, following AWS: request time (skew, presigned expiry), then
    /// credential scope (terminator, date matching the request date), then the
    /// payload hash and the signature. The signature comparison is constant-time.
    pub fn verify_with(
        &self,
        secret_access_key: &str,
        body: &[u8],
        now_unix_secs: i64,
        keys: &SigningKeyCache,
        options: &VerifyOptions,
    ) -> Result<(), SigV4Error> {
        self.check_time(now_unix_secs, options.max_skew_secs)?;
        self.check_scope_shape()?;
        let prefix = self.canonical_prefix.as_ref().map_err(Clone::clone)?;
        let payload_hash = self.payload_hash(body)?;
        let canonical_hash: [u8; 32] = {
            let mut h = Sha256::new();
            h.update(prefix);
            h.update(payload_hash.as_bytes());
            h.finalize().into()
        };
        let amz_date = time::format_amz_date(self.request_time);
        let scope = self.credential_scope();
        let mut sts = Vec::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
        canonical::write_string_to_sign(
            &mut sts,
            time::amz_date_str(&amz_date),
            scope,
            &canonical_hash,
        );
        let mut mac = keys.signer(
            secret_access_key,
            &self.scope.date,
            &self.scope.region,
            &self.scope.service,
        );
        mac.update(&sts);
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        let ok = match &self.signature {
            Some(given) => bool::from(given.ct_eq(&expected)),
            None => false,
        };
        if ok {
            Ok(())
        } else {
            let mut canonical_request = String::from_utf8_lossy(prefix).into_owned();
            canonical_request.push_str(&payload_hash);
            Err(SigV4Error::SignatureDoesNotMatch(Some(Box::new(
                MismatchDetail {
                    canonical_request,
                    string_to_sign: String::from_utf8_lossy(&sts).into_owned(),
                },
            ))))
        }
    }

    fn credential_scope(&self) -> &str {
        // `AKID/` is followed by `date/region/service/terminator`.
        self.credential
            .get(self.access_key_id_len + 1..)
            .unwrap_or_default()
    }

    fn check_time(&self, now: i64, max_skew_secs: i64) -> Result<(), SigV4Error> {
        let t = self.request_time;
        if t > now.saturating_add(max_skew_secs) {
            return Err(SigV4Error::SignatureNotYetCurrent {
                request_time: t,
                now,
                max_skew_secs,
            });
        }
        match self.form {
            Form::Presigned {
                expires_secs: Some(expires_secs),
            } => {
                if now > t.saturating_add(expires_secs) {
                    return Err(SigV4Error::PresignedRequestExpired {
                        request_time: t,
                        expires_secs,
                        now,
                    });
                }
            }
            _ => {
                if t < now.saturating_sub(max_skew_secs) {
                    return Err(SigV4Error::SignatureExpired {
                        request_time: t,
                        now,
                        max_skew_secs,
                    });
                }
            }
        }
        Ok(())
    }

    fn check_scope_shape(&self) -> Result<(), SigV4Error> {
        let mut problems = Vec::new();
        if self.terminator != TERMINATOR {
            problems.push(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
                self.terminator
            ));
        }
        let amz_date = time::format_amz_date(self.request_time);
        let amz_date = time::amz_date_str(&amz_date);
        if self.scope.date != amz_date[..8] {
            problems.push(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
                self.scope.date,
                &amz_date[..8],
                amz_date
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SigV4Error::InvalidCredentialScope(problems))
        }
    }

    /// The payload hash that goes into the canonical request.
    fn payload_hash(&self, body: &[u8]) -> Result<String, SigV4Error> {
        let computed = || hex::encode(Sha256::digest(body));
        match self.content_sha256.as_deref() {
            None => Ok(computed()),
            Some(UNSIGNED_PAYLOAD) => Ok(UNSIGNED_PAYLOAD.to_owned()),
            Some(declared)
                if declared.len() == 64 && declared.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                // The client signed its declared hash; make sure the body is the one it hashed.
                if declared.eq_ignore_ascii_case(&computed()) {
                    Ok(declared.to_owned())
                } else {
                    Err(SigV4Error::ContentSha256Mismatch)
                }
            }
            Some(other) => Err(SigV4Error::UnsupportedContentSha256(other.to_owned())),
        }
    }

    /// The full canonical request the server computes for this request and body.
    #[doc(hidden)]
    pub fn canonical_request_string(&self, body: &[u8]) -> Result<String, SigV4Error> {
        let prefix = self.canonical_prefix.as_ref().map_err(Clone::clone)?;
        let mut out = String::from_utf8_lossy(prefix).into_owned();
        out.push_str(&self.payload_hash(body)?);
        Ok(out)
    }

    /// The string to sign the server computes for this request and body.
    #[doc(hidden)]
    pub fn string_to_sign_string(&self, body: &[u8]) -> Result<String, SigV4Error> {
        let prefix = self.canonical_prefix.as_ref().map_err(Clone::clone)?;
        let mut h = Sha256::new();
        h.update(prefix);
        h.update(self.payload_hash(body)?.as_bytes());
        let hash: [u8; 32] = h.finalize().into();
        let amz_date = time::format_amz_date(self.request_time);
        let mut out = Vec::with_capacity(128);
        canonical::write_string_to_sign(
            &mut out,
            time::amz_date_str(&amz_date),
            self.credential_scope(),
            &hash,
        );
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}
