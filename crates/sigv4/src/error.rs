//! Verification errors, their AWS message texts, and the coarse [`SigV4ErrorKind`]
//! that the wire layer maps to per-protocol error codes.

use std::fmt;

/// AWS's message for a signature that does not verify.
pub const SIGNATURE_DOES_NOT_MATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// The message that query-protocol services (CloudWatch's awsQuery, SNS, STS) send with
/// `MissingAuthenticationToken`. This is the `Display` text of
/// [`SigV4Error::MissingAuthenticationToken`].
pub const MISSING_AUTHENTICATION_TOKEN_MESSAGE: &str = "Request is missing Authentication Token";

/// The shorter message that JSON-protocol services send with
/// `MissingAuthenticationTokenException` (`{"message":"Missing Authentication Token"}`).
pub const MISSING_AUTHENTICATION_TOKEN_JSON_MESSAGE: &str = "Missing Authentication Token";

/// The coarse class of a [`SigV4Error`]. The wire crate maps each kind to the
/// protocol's error code; all of them are HTTP 403 at AWS.
///
/// | kind | awsQuery code | JSON / CBOR code |
/// |---|---|---|
/// | `MissingAuthentication` | `MissingAuthenticationToken` | `MissingAuthenticationTokenException` |
/// | `IncompleteSignature` | `IncompleteSignature` | `IncompleteSignatureException` |
/// | `SignatureDoesNotMatch` | `SignatureDoesNotMatch` | `InvalidSignatureException` |
/// | `RequestExpired` | `SignatureDoesNotMatch`* | `InvalidSignatureException`* |
///
/// \* Real CloudWatch/STS/Logs report clock skew ("Signature expired: …") under the
/// same code as a bad signature; a few services (EC2) use `RequestExpired`. The kind
/// is kept separate so the caller can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigV4ErrorKind {
    /// No `Authorization` header and no presigned (`X-Amz-Algorithm`) query parameters.
    MissingAuthentication,
    /// The authentication information is present but malformed or incomplete.
    IncompleteSignature,
    /// Well-formed, but the signature (or its scope) does not verify.
    SignatureDoesNotMatch,
    /// The request time is outside the allowed clock skew, or a presigned URL expired.
    RequestExpired,
}

/// Which required authentication parameters were absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MissingParts {
    /// `Credential` / `X-Amz-Credential`.
    pub credential: bool,
    /// `Signature` / `X-Amz-Signature`.
    pub signature: bool,
    /// `SignedHeaders` / `X-Amz-SignedHeaders`.
    pub signed_headers: bool,
    /// `X-Amz-Date` or `Date` header / `X-Amz-Date` query parameter.
    pub date: bool,
}

impl MissingParts {
    /// True when at least one part is missing.
    pub fn any(&self) -> bool {
        self.credential || self.signature || self.signed_headers || self.date
    }
}

/// Extra context for a signature mismatch, for server-side logs only (it is not
/// part of the message returned to clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MismatchDetail {
    /// The canonical request the server computed.
    pub canonical_request: String,
    /// The string to sign the server computed.
    pub string_to_sign: String,
}

/// A SigV4 verification failure. `Display` is AWS's message text for the case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor presigned query parameters were sent
    /// (or the presigned `X-Amz-Algorithm` is not `AWS4-HMAC-SHA256`).
    #[error("{}", MISSING_AUTHENTICATION_TOKEN_MESSAGE)]
    MissingAuthenticationToken,

    /// The `Authorization` header lacks required parameters (or no date header was sent).
    #[error("{}", IncompleteHeader(missing, authorization))]
    IncompleteAuthorizationHeader {
        /// Which parts are missing.
        missing: MissingParts,
        /// The header value as received, echoed back like AWS does.
        authorization: String,
    },

    /// A presigned request lacks required query parameters.
    #[error("{}", IncompleteQuery(missing))]
    IncompleteQueryParameters {
        /// Which parts are missing.
        missing: MissingParts,
    },

    /// The `Authorization` header uses a scheme other than `AWS4-HMAC-SHA256`.
    #[error("Unsupported AWS 'algorithm': '{0}'.")]
    UnsupportedAlgorithm(String),

    /// An `Authorization` header parameter without `=`.
    #[error(
        "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'"
    )]
    MalformedAuthorizationParameter {
        /// The offending piece.
        pair: String,
        /// The whole header value.
        authorization: String,
    },

    /// The credential is not `keyid/date/region/service/term`.
    #[error(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{0}'"
    )]
    MalformedCredential(String),

    /// `X-Amz-Date` (or `Date`) could not be parsed.
    #[error(
        "Date must be in ISO-8601 'basic format'. Got '{0}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )]
    InvalidDate(String),

    /// `X-Amz-Expires` is not an integer in `1..=604800`.
    #[error("{0}")]
    InvalidExpires(String),

    /// `SignedHeaders` does not list `host`.
    #[error("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    HostNotSigned,

    /// Both an `Authorization` header and presigned query parameters were sent.
    #[error("{}", SIGNATURE_DOES_NOT_MATCH_MESSAGE)]
    ConflictingAuthentication,

    /// The credential scope is wrong: bad terminator, date not matching the
    /// request date, or (via [`crate::Parsed::check_scope`]) wrong region/service.
    /// Each entry is one AWS sentence; they are joined with a space.
    #[error("{}", .0.join(" "))]
    InvalidCredentialScope(Vec<String>),

    /// The request time is more than the allowed skew before the server's clock.
    #[error(
        "Signature expired: {} is now earlier than {} ({} - {}.)",
        Stamp(*request_time),
        Stamp(now.saturating_sub(*max_skew_secs)),
        Stamp(*now),
        Skew(*max_skew_secs)
    )]
    SignatureExpired {
        /// Request time, Unix seconds.
        request_time: i64,
        /// Server time, Unix seconds.
        now: i64,
        /// Allowed skew in seconds.
        max_skew_secs: i64,
    },

    /// The request time is more than the allowed skew after the server's clock.
    #[error(
        "Signature not yet current: {} is still later than {} ({} + {}.)",
        Stamp(*request_time),
        Stamp(now.saturating_add(*max_skew_secs)),
        Stamp(*now),
        Skew(*max_skew_secs)
    )]
    SignatureNotYetCurrent {
        /// Request time, Unix seconds.
        request_time: i64,
        /// Server time, Unix seconds.
        now: i64,
        /// Allowed skew in seconds.
        max_skew_secs: i64,
    },

    /// A presigned request is used after `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired")]
    PresignedRequestExpired {
        /// `X-Amz-Date`, Unix seconds.
        request_time: i64,
        /// `X-Amz-Expires`, seconds.
        expires_secs: i64,
        /// Server time, Unix seconds.
        now: i64,
    },

    /// The signature does not verify.
    #[error("{}", SIGNATURE_DOES_NOT_MATCH_MESSAGE)]
    SignatureDoesNotMatch(Option<Box<MismatchDetail>>),

    /// A header named in `SignedHeaders` is not in the request. AWS reports this as
    /// an ordinary mismatch; the name is kept for logs.
    #[error("{}", SIGNATURE_DOES_NOT_MATCH_MESSAGE)]
    MissingSignedHeader(String),

    /// `x-amz-content-sha256` is a SHA-256 that does not match the body received.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentSha256Mismatch,

    /// `x-amz-content-sha256` is neither a SHA-256 hex digest nor `UNSIGNED-PAYLOAD`
    /// (e.g. S3's chunked `STREAMING-…` modes, which these services do not support).
    #[error("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value, got '{0}'.")]
    UnsupportedContentSha256(String),
}

impl SigV4Error {
    /// The coarse class of this error.
    pub fn kind(&self) -> SigV4ErrorKind {
        use SigV4Error as E;
        match self {
            E::MissingAuthenticationToken => SigV4ErrorKind::MissingAuthentication,
            E::IncompleteAuthorizationHeader { .. }
            | E::IncompleteQueryParameters { .. }
            | E::UnsupportedAlgorithm(_)
            | E::MalformedAuthorizationParameter { .. }
            | E::MalformedCredential(_)
            | E::InvalidDate(_)
            | E::InvalidExpires(_)
            | E::UnsupportedContentSha256(_) => SigV4ErrorKind::IncompleteSignature,
            E::HostNotSigned
            | E::ConflictingAuthentication
            | E::InvalidCredentialScope(_)
            | E::SignatureDoesNotMatch(_)
            | E::MissingSignedHeader(_)
            | E::ContentSha256Mismatch => SigV4ErrorKind::SignatureDoesNotMatch,
            E::SignatureExpired { .. }
            | E::SignatureNotYetCurrent { .. }
            | E::PresignedRequestExpired { .. } => SigV4ErrorKind::RequestExpired,
        }
    }

    /// For a signature mismatch computed by [`crate::Parsed::verify`], the canonical
    /// request and string to sign the server used (for debug logging).
    pub fn mismatch_detail(&self) -> Option<&MismatchDetail> {
        match self {
            SigV4Error::SignatureDoesNotMatch(Some(d)) => Some(d),
            _ => None,
        }
    }
}

/// Formats Unix seconds as `YYYYMMDDTHHMMSSZ`.
struct Stamp(i64);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::time::amz_date_str(&crate::time::format_amz_date(
            self.0,
        )))
    }
}

/// Formats a skew the way AWS does (`5 min`, `15 min`), falling back to seconds.
struct Skew(i64);

impl fmt::Display for Skew {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 60 == 0 {
            write!(f, "{} min", self.0 / 60)
        } else {
            write!(f, "{} sec", self.0)
        }
    }
}

struct IncompleteHeader<'a>(&'a MissingParts, &'a String);

impl fmt::Display for IncompleteHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        let parts = [
            (
                m.credential,
                "Authorization header requires 'Credential' parameter.",
            ),
            (
                m.signature,
                "Authorization header requires 'Signature' parameter.",
            ),
            (
                m.signed_headers,
                "Authorization header requires 'SignedHeaders' parameter.",
            ),
            (
                m.date,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            ),
        ];
        for (missing, text) in parts {
            if missing {
                write!(f, "{text} ")?;
            }
        }
        write!(f, "Authorization={}", self.1)
    }
}

struct IncompleteQuery<'a>(&'a MissingParts);

impl fmt::Display for IncompleteQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        let parts = [
            (m.credential, "X-Amz-Credential"),
            (m.signature, "X-Amz-Signature"),
            (m.signed_headers, "X-Amz-SignedHeaders"),
            (m.date, "X-Amz-Date"),
        ];
        for (missing, name) in parts {
            if missing {
                write!(f, "AWS query-string parameters must include '{name}'. ")?;
            }
        }
        f.write_str("Re-examine the query-string parameters.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_skew_messages_match_aws() {
        // 20150830T123600Z = 1440938160; AWS's documented example.
        let e = SigV4Error::SignatureExpired {
            request_time: 1_440_938_160,
            now: 1_440_938_160 + 900,
            max_skew_secs: 300,
        };
        assert_eq!(
            e.to_string(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z (20150830T125100Z - 5 min.)"
        );
        assert_eq!(e.kind(), SigV4ErrorKind::RequestExpired);
        let e = SigV4Error::SignatureNotYetCurrent {
            request_time: 1_440_938_160 + 900,
            now: 1_440_938_160,
            max_skew_secs: 300,
        };
        assert_eq!(
            e.to_string(),
            "Signature not yet current: 20150830T125100Z is still later than 20150830T124100Z (20150830T123600Z + 5 min.)"
        );
    }

    #[test]
    fn incomplete_messages_match_aws() {
        let e = SigV4Error::IncompleteAuthorizationHeader {
            missing: MissingParts {
                credential: true,
                signature: true,
                signed_headers: true,
                date: true,
            },
            authorization: "Basic xxx".into(),
        };
        assert_eq!(
            e.to_string(),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Basic xxx"
        );
        assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);
        let e = SigV4Error::IncompleteQueryParameters {
            missing: MissingParts {
                signature: true,
                ..Default::default()
            },
        };
        assert_eq!(
            e.to_string(),
            "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."
        );
        assert_eq!(
            SigV4Error::MissingAuthenticationToken.to_string(),
            "Request is missing Authentication Token"
        );
        assert_eq!(
            SigV4Error::SignatureDoesNotMatch(None).to_string(),
            SIGNATURE_DOES_NOT_MATCH_MESSAGE
        );
    }
}
