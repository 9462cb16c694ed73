//! Parsing of the `Authorization: AWS4-HMAC-SHA256 …` header and of credential
//! strings (`AKID/20150830/us-east-1/service/aws4_request`).

use crate::error::{MissingParts, SigV4Error};

/// The only signing algorithm accepted.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The credential-scope terminator.
pub const TERMINATOR: &str = "aws4_request";

/// The parsed parameters of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    credential: String,
    signed_headers: String,
    signature: String,
}

impl AuthorizationHeader {
    /// The raw `Credential` value (`AKID/date/region/service/aws4_request`).
    pub fn credential(&self) -> &str {
        &self.credential
    }
    /// The raw `SignedHeaders` value (`host;x-amz-date`).
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }
    /// The raw `Signature` value (64 lowercase hex digits when well formed).
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

/// The credential scope of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// `YYYYMMDD`.
    pub date: String,
    /// e.g. `us-east-1`.
    pub region: String,
    /// The signing name, e.g. `monitoring`, `logs`, `sts`.
    pub service: String,
}

/// A credential split into its five elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credential<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) date: &'a str,
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
    pub(crate) terminator: &'a str,
    /// Everything after the access key id: `date/region/service/terminator`.
    pub(crate) scope: &'a str,
}

/// Splits `AKID/date/region/service/term`; anything but exactly five elements is an error.
pub(crate) fn parse_credential(credential: &str) -> Result<Credential<'_>, SigV4Error> {
    let malformed = || SigV4Error::MalformedCredential(credential.to_owned());
    let (access_key_id, scope) = credential.split_once('/').ok_or_else(malformed)?;
    let mut it = scope.split('/');
    let (Some(date), Some(region), Some(service), Some(terminator), None) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return Err(malformed());
    };
    Ok(Credential {
        access_key_id,
        date,
        region,
        service,
        terminator,
        scope,
    })
}

/// The raw parameters found in an `Authorization` header, before checking that all are present.
#[derive(Debug, Default)]
pub(crate) struct RawAuthParams<'a> {
    pub(crate) credential: Option<&'a str>,
    pub(crate) signed_headers: Option<&'a str>,
    pub(crate) signature: Option<&'a str>,
}

impl RawAuthParams<'_> {
    pub(crate) fn missing(&self) -> MissingParts {
        MissingParts {
            credential: self.credential.is_none(),
            signature: self.signature.is_none(),
            signed_headers: self.signed_headers.is_none(),
            date: false,
        }
    }
}

/// Splits an `Authorization` header into its algorithm and `key=value` parameters.
///
/// Clients differ in separators (`, ` vs `,` vs bare spaces), so parameters are split
/// on any run of commas, spaces and tabs; none of the three values can contain
/// those characters. Unknown keys are ignored and a repeated key keeps its last value.
pub(crate) fn split_authorization(value: &str) -> Result<RawAuthParams<'_>, SigV4Error> {
    let trimmed = value.trim_matches(|c| c == ' ' || c == '\t');
    let (algorithm, rest) = match trimmed.find([' ', '\t']) {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, ""),
    };
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let mut params = RawAuthParams::default();
    for piece in rest.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
        let Some((key, val)) = piece.split_once('=') else {
            return Err(SigV4Error::MalformedAuthorizationParameter {
                pair: piece.to_owned(),
                authorization: value.to_owned(),
            });
        };
        match key {
            "Credential" => params.credential = Some(val),
            "SignedHeaders" => params.signed_headers = Some(val),
            "Signature" => params.signature = Some(val),
            _ => {}
        }
    }
    Ok(params)
}

/// Parses an `Authorization` header value of the form
/// `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=…`.
///
/// Pure and allocation-light; it never panics, whatever the input (fuzzed by
/// proptest). It checks shape only: the credential is not split here, and the
/// date header requirement is checked by [`crate::parse`].
pub fn parse_authorization_header(value: &str) -> Result<AuthorizationHeader, SigV4Error> {
    let params = split_authorization(value)?;
    match (params.credential, params.signed_headers, params.signature) {
        (Some(credential), Some(signed_headers), Some(signature)) => Ok(AuthorizationHeader {
            credential: credential.to_owned(),
            signed_headers: signed_headers.to_owned(),
            signature: signature.to_owned(),
        }),
        _ => Err(SigV4Error::IncompleteAuthorizationHeader {
            missing: params.missing(),
            authorization: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::SigV4ErrorKind;

    const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    #[test]
    fn parses_common_client_spellings() {
        for v in [
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/svc/aws4_request, SignedHeaders=host;x-amz-date, Signature={SIG}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/svc/aws4_request,SignedHeaders=host;x-amz-date,Signature={SIG}"
            ),
            format!(
                "  AWS4-HMAC-SHA256   Credential=AKID/20150830/us-east-1/svc/aws4_request SignedHeaders=host;x-amz-date\tSignature={SIG} "
            ),
            format!(
                "AWS4-HMAC-SHA256 Signature={SIG}, Credential=AKID/20150830/us-east-1/svc/aws4_request, SignedHeaders=host;x-amz-date, Extra=1"
            ),
        ] {
            let h = parse_authorization_header(&v).unwrap();
            assert_eq!(h.credential(), "AKID/20150830/us-east-1/svc/aws4_request");
            assert_eq!(h.signed_headers(), "host;x-amz-date");
            assert_eq!(h.signature(), SIG);
        }
    }

    #[test]
    fn reports_missing_parts() {
        let e = parse_authorization_header("AWS4-HMAC-SHA256 Credential=a/b/c/d/e").unwrap_err();
        assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);
        assert_eq!(
            e.to_string(),
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e"
        );
        let e = parse_authorization_header("Bearer abc").unwrap_err();
        assert_eq!(e.to_string(), "Unsupported AWS 'algorithm': 'Bearer'.");
        let e = parse_authorization_header("AWS4-HMAC-SHA256 Credential").unwrap_err();
        assert!(matches!(
            e,
            SigV4Error::MalformedAuthorizationParameter { .. }
        ));
        assert!(parse_authorization_header("").is_err());
        assert!(parse_authorization_header("AWS4-HMAC-SHA256").is_err());
    }

    #[test]
    fn credential_needs_five_elements() {
        let c = parse_credential("AKID/20150830/us-east-1/svc/aws4_request").unwrap();
        assert_eq!(
            (
                c.access_key_id,
                c.date,
                c.region,
                c.service,
                c.terminator,
                c.scope
            ),
            (
                "AKID",
                "20150830",
                "us-east-1",
                "svc",
                "aws4_request",
                "20150830/us-east-1/svc/aws4_request"
            )
        );
        for bad in ["", "AKID", "AKID/20150830/us-east-1/svc", "a/b/c/d/e/f"] {
            let e = parse_credential(bad).unwrap_err();
            assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature, "{bad}");
        }
    }
}
