//! AWS Signature Version 4 for OpenWatch.
//!
//! Server side: [`parse`] extracts and canonicalises a request's authentication
//! (an `Authorization: AWS4-HMAC-SHA256 …` header or presigned `X-Amz-*` query
//! parameters); the caller looks up the secret for [`Parsed::access_key_id`] and
//! calls [`Parsed::verify`] with the raw body, the current time and a shared
//! [`SigningKeyCache`]. Failures carry AWS's message text and a
//! [`SigV4ErrorKind`] for the wire layer to map to protocol error codes.
//!
//! Client side: [`sign_request`] and [`presign_uri`] sign requests for tests, tools
//! and the benchmark harness.
//!
//! Canonicalisation follows what AWS's SDKs do for every service except S3: the
//! path on the wire is normalised and percent-encoded once more (double encoding),
//! the query is decoded, re-encoded with the RFC 3986 unreserved set and sorted,
//! and exactly the headers named in `SignedHeaders` are canonicalised. AWS's
//! official SigV4 test suite is run against it (`tests/signing_test_suite.rs`).
//!
//! ```
//! use openwatch_sigv4::{parse, sign_request, SigningKeyCache, SigningParams, PayloadSigning};
//! let uri: http::Uri = "http://127.0.0.1:18080/".parse().unwrap();
//! let mut headers = http::HeaderMap::new();
//! headers.insert("content-type", "application/x-amz-json-1.1".parse().unwrap());
//! let body = br#"{"limit":1}"#;
//! let params = SigningParams {
//!     access_key_id: "AKIDEXAMPLE",
//!     secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     session_token: None,
//!     region: "us-east-1",
//!     service: "logs",
//!     time_unix: 1_440_938_160,
//!     payload: PayloadSigning::Hash,
//! };
//! for (name, value) in sign_request(&http::Method::POST, &uri, &headers, body, &params).unwrap() {
//!     headers.insert(name, value);
//! }
//! let parsed = parse(&http::Method::POST, &uri, &headers).unwrap();
//! assert_eq!(parsed.access_key_id(), "AKIDEXAMPLE");
//! assert_eq!(parsed.scope().service, "logs");
//! let keys = SigningKeyCache::new();
//! parsed.verify("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", body, 1_440_938_160 + 60, &keys).unwrap();
//! ```

mod canonical;
mod error;
mod header;
mod key;
mod sign;
mod time;
mod verify;

#[doc(hidden)]
pub use canonical::{PathOptions, canonical_request, string_to_sign};
pub use error::{
    MISSING_AUTHENTICATION_TOKEN_JSON_MESSAGE, MISSING_AUTHENTICATION_TOKEN_MESSAGE,
    MismatchDetail, MissingParts, SIGNATURE_DOES_NOT_MATCH_MESSAGE, SigV4Error, SigV4ErrorKind,
};
pub use header::{ALGORITHM, AuthorizationHeader, Scope, TERMINATOR, parse_authorization_header};
pub use key::{DEFAULT_SIGNING_KEY_CACHE_CAPACITY, SigningKeyCache};
pub use sign::{
    PayloadSigning, SignError, SigningParams, presign_uri, sign_request, sign_s3_request,
};
#[doc(hidden)]
pub use verify::parse_with_options;
pub use verify::{
    DEFAULT_MAX_SKEW_SECS, MAX_PRESIGNED_EXPIRES_SECS, Parsed, UNSIGNED_PAYLOAD, VerifyOptions,
    parse,
};
