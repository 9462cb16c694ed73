//! Behaviour of `parse`/`verify` on the cases real clients and bad actors produce,
//! plus fuzz-style properties: parsing never panics, and signing then verifying
//! round-trips for arbitrary paths, queries and header values.

#![allow(clippy::unwrap_used)]

use http::{HeaderMap, HeaderValue, Method, Uri};
use openwatch_sigv4::{
    MissingParts, PayloadSigning, SigV4Error, SigV4ErrorKind, SigningKeyCache, SigningParams,
    VerifyOptions, parse, parse_authorization_header, presign_uri, sign_request,
};
use proptest::prelude::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const T: i64 = 1_440_938_160; // 20150830T123600Z

fn params(payload: PayloadSigning) -> SigningParams<'static> {
    SigningParams {
        access_key_id: AKID,
        secret_access_key: SECRET,
        session_token: None,
        region: "us-east-1",
        service: "monitoring",
        time_unix: T,
        payload,
    }
}

/// Signs `target` (origin form) for host `127.0.0.1:18080`, returning the server view.
fn signed(
    method: Method,
    target: &str,
    extra: &[(&'static str, &str)],
    body: &[u8],
    p: &SigningParams<'_>,
) -> (Uri, HeaderMap) {
    let uri: Uri = target.parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:18080"));
    for (k, v) in extra {
        headers.append(*k, HeaderValue::from_str(v).unwrap());
    }
    for (k, v) in sign_request(&method, &uri, &headers, body, p).unwrap() {
        headers.insert(k, v);
    }
    (uri, headers)
}

fn verify_err(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> SigV4Error {
    match parse(method, uri, headers) {
        Err(e) => e,
        Ok(p) => p
            .verify(SECRET, body, now, &SigningKeyCache::new())
            .unwrap_err(),
    }
}

#[test]
fn accepts_a_signed_request_and_exposes_its_fields() {
    let body = br#"{"logGroupName":"g"}"#;
    let mut p = params(PayloadSigning::Hash);
    p.session_token = Some("token/with+chars==");
    let (uri, headers) = signed(
        Method::POST,
        "/",
        &[("x-amz-target", "Logs_20140328.CreateLogGroup")],
        body,
        &p,
    );
    let parsed = parse(&Method::POST, &uri, &headers).unwrap();
    assert_eq!(parsed.access_key_id(), AKID);
    assert_eq!(parsed.scope().date, "20150830");
    assert_eq!(parsed.scope().region, "us-east-1");
    assert_eq!(parsed.scope().service, "monitoring");
    assert_eq!(parsed.request_time_unix(), T);
    assert_eq!(parsed.session_token(), Some("token/with+chars=="));
    assert!(!parsed.is_presigned());
    assert_eq!(
        parsed.signed_headers(),
        "host;x-amz-date;x-amz-security-token;x-amz-target"
    );
    let keys = SigningKeyCache::new();
    parsed.verify(SECRET, body, T, &keys).unwrap();
    parsed.verify(SECRET, body, T + 300, &keys).unwrap();
    parsed.verify(SECRET, body, T - 300, &keys).unwrap();
    assert_eq!(keys.len(), 1);
    parsed
        .check_scope(Some("us-east-1"), Some("monitoring"))
        .unwrap();
    let e = parsed
        .check_scope(Some("eu-west-1"), Some("logs"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'logs'."
    );
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn clock_skew_window_and_options() {
    let (uri, headers) = signed(
        Method::GET,
        "/v1/registries",
        &[],
        b"",
        &params(PayloadSigning::Hash),
    );
    let parsed = parse(&Method::GET, &uri, &headers).unwrap();
    let keys = SigningKeyCache::new();
    let e = parsed.verify(SECRET, b"", T + 301, &keys).unwrap_err();
    assert_eq!(e.kind(), SigV4ErrorKind::RequestExpired);
    assert_eq!(
        e.to_string(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)"
    );
    let e = parsed.verify(SECRET, b"", T - 301, &keys).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + 5 min.)"
    );
    let wide = VerifyOptions { max_skew_secs: 900 };
    parsed
        .verify_with(SECRET, b"", T + 899, &keys, &wide)
        .unwrap();
    let e = parsed
        .verify_with(SECRET, b"", T + 901, &keys, &wide)
        .unwrap_err();
    assert!(e.to_string().ends_with("- 15 min.)"), "{e}");
    // Extreme clocks do not panic.
    for now in [i64::MIN, i64::MAX, 0] {
        assert_eq!(
            parsed.verify(SECRET, b"", now, &keys).unwrap_err().kind(),
            SigV4ErrorKind::RequestExpired
        );
    }
}

#[test]
fn missing_and_conflicting_authentication() {
    let uri: Uri = "/".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("h"));
    let e = parse(&Method::POST, &uri, &headers).unwrap_err();
    assert_eq!(e, SigV4Error::MissingAuthenticationToken);
    assert_eq!(e.kind(), SigV4ErrorKind::MissingAuthentication);
    assert_eq!(e.to_string(), "Request is missing Authentication Token");

    // An empty Authorization header is no authentication either.
    headers.insert("authorization", HeaderValue::from_static(""));
    assert_eq!(
        parse(&Method::POST, &uri, &headers).unwrap_err(),
        SigV4Error::MissingAuthenticationToken
    );
    headers.remove("authorization");

    // Presigned parameters with another algorithm count as no authentication.
    let uri: Uri = "/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a"
        .parse()
        .unwrap();
    assert_eq!(
        parse(&Method::GET, &uri, &headers).unwrap_err(),
        SigV4Error::MissingAuthenticationToken
    );

    // Both forms at once.
    let uri: Uri = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256".parse().unwrap();
    headers.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=a/b/c/d/e"),
    );
    let e = parse(&Method::GET, &uri, &headers).unwrap_err();
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn incomplete_and_malformed_headers() {
    let uri: Uri = "/".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("h"));
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request",
        ),
    );
    let e = parse(&Method::POST, &uri, &headers).unwrap_err();
    assert_eq!(
        e,
        SigV4Error::IncompleteAuthorizationHeader {
            missing: MissingParts {
                credential: false,
                signature: true,
                signed_headers: true,
                date: true
            },
            authorization: "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request"
                .into(),
        }
    );
    assert_eq!(
        e.to_string(),
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request"
    );

    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    let sig = "0".repeat(64);
    let set = |h: &mut HeaderMap, v: String| {
        h.insert("authorization", HeaderValue::from_str(&v).unwrap());
    };
    set(
        &mut headers,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1, SignedHeaders=host, Signature={sig}"
        ),
    );
    let e = parse(&Method::POST, &uri, &headers).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20150830/us-east-1'"
    );
    assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);

    set(
        &mut headers,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature={sig}"
        ),
    );
    assert_eq!(
        parse(&Method::POST, &uri, &headers).unwrap_err(),
        SigV4Error::HostNotSigned
    );
    set(
        &mut headers,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=, Signature={sig}"
        ),
    );
    assert_eq!(
        parse(&Method::POST, &uri, &headers).unwrap_err(),
        SigV4Error::HostNotSigned
    );

    set(&mut headers, "AWS Akid:signature".into());
    assert_eq!(
        parse(&Method::POST, &uri, &headers)
            .unwrap_err()
            .to_string(),
        "Unsupported AWS 'algorithm': 'AWS'."
    );

    set(
        &mut headers,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature={sig}"
        ),
    );
    headers.insert(
        "x-amz-date",
        HeaderValue::from_static("2015-08-30T12:36:00Z"),
    );
    let e = parse(&Method::POST, &uri, &headers).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
    assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);

    // A malformed signature parses, then simply does not match.
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    set(&mut headers, "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=zz".into());
    let e = parse(&Method::POST, &uri, &headers)
        .unwrap()
        .verify(SECRET, b"", T, &SigningKeyCache::new())
        .unwrap_err();
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn credential_scope_must_match_request_date_and_terminator() {
    let uri: Uri = "/".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("h"));
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    headers.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKID/20150831/us-east-1/sts/aws5_request, SignedHeaders=host;x-amz-date, Signature=00"),
    );
    let e = verify_err(&Method::GET, &uri, &headers, b"", T);
    assert_eq!(
        e.to_string(),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."
    );
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn date_header_fallback_in_http_date_format() {
    // A client that sends `Date` instead of `X-Amz-Date`: the string to sign uses the
    // ISO-8601 basic form of that time.
    let uri: Uri = "/".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
    headers.insert(
        "date",
        HeaderValue::from_static("Sun, 30 Aug 2015 12:36:00 GMT"),
    );
    let creq = openwatch_sigv4::canonical_request(
        &Method::GET,
        &uri,
        &headers,
        "date;host",
        &hex_sha256(b""),
        Default::default(),
    )
    .unwrap();
    let sts = openwatch_sigv4::string_to_sign(
        "20150830T123600Z",
        "20150830/us-east-1/service/aws4_request",
        &creq,
    );
    assert!(sts.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
    // Compute the signature independently of `verify` through a signed copy with x-amz-date, then move it.
    let sig = {
        let (_, signed) = signed_with_date_header(&headers);
        signed
    };
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature={sig}")).unwrap(),
    );
    let parsed = parse(&Method::GET, &uri, &headers).unwrap();
    assert_eq!(parsed.request_time_unix(), T);
    parsed
        .verify(SECRET, b"", T, &SigningKeyCache::new())
        .unwrap();
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// Signature over `date;host` computed from the documented algorithm by hand.
fn signed_with_date_header(headers: &HeaderMap) -> ((), String) {
    use hmac::{Hmac, Mac};
    let creq = openwatch_sigv4::canonical_request(
        &Method::GET,
        &"/".parse().unwrap(),
        headers,
        "date;host",
        &hex_sha256(b""),
        Default::default(),
    )
    .unwrap();
    let sts = openwatch_sigv4::string_to_sign(
        "20150830T123600Z",
        "20150830/us-east-1/service/aws4_request",
        &creq,
    );
    let h = |k: &[u8], d: &[u8]| {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(k).unwrap();
        m.update(d);
        m.finalize().into_bytes().to_vec()
    };
    let k = h(format!("AWS4{SECRET}").as_bytes(), b"20150830");
    let k = h(&k, b"us-east-1");
    let k = h(&k, b"service");
    let k = h(&k, b"aws4_request");
    ((), hex::encode(h(&k, sts.as_bytes())))
}

#[test]
fn payload_hash_header_modes() {
    let body = b"Action=Publish&Message=a%20b+c";
    // Declared hash: signed, and checked against the body.
    let (uri, headers) = signed(
        Method::POST,
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
        &params(PayloadSigning::HashWithHeader),
    );
    let parsed = parse(&Method::POST, &uri, &headers).unwrap();
    let keys = SigningKeyCache::new();
    parsed.verify(SECRET, body, T, &keys).unwrap();
    let e = parsed
        .verify(SECRET, b"Action=Publish&Message=evil", T, &keys)
        .unwrap_err();
    assert_eq!(e, SigV4Error::ContentSha256Mismatch);
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);

    // UNSIGNED-PAYLOAD: the body is not covered.
    let (uri, headers) = signed(
        Method::POST,
        "/",
        &[],
        body,
        &params(PayloadSigning::Unsigned),
    );
    let parsed = parse(&Method::POST, &uri, &headers).unwrap();
    parsed.verify(SECRET, b"anything", T, &keys).unwrap();

    // S3's streaming modes are refused.
    let mut headers = headers;
    headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    );
    let e = verify_err(&Method::POST, &uri, &headers, body, T);
    assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);
}

#[test]
fn body_is_signed_raw() {
    // Form bodies are hashed as bytes, never decoded; gzip bodies as compressed bytes.
    let form = b"Action=PutMetricData&Version=2010-08-01&Namespace=My%20App&X=a+b";
    let (uri, headers) = signed(
        Method::POST,
        "/",
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        form,
        &params(PayloadSigning::Hash),
    );
    let parsed = parse(&Method::POST, &uri, &headers).unwrap();
    let keys = SigningKeyCache::new();
    parsed.verify(SECRET, form, T, &keys).unwrap();
    let decoded_equivalent = b"Action=PutMetricData&Version=2010-08-01&Namespace=My App&X=a b";
    assert!(parsed.verify(SECRET, decoded_equivalent, T, &keys).is_err());
}

#[test]
fn host_port_and_missing_host_header() {
    let (uri, mut headers) = signed(Method::GET, "/", &[], b"", &params(PayloadSigning::Hash));
    let keys = SigningKeyCache::new();
    // Same host without the port: rejected.
    headers.insert("host", HeaderValue::from_static("127.0.0.1"));
    assert_eq!(
        verify_err(&Method::GET, &uri, &headers, b"", T).kind(),
        SigV4ErrorKind::SignatureDoesNotMatch
    );
    // HTTP/2 style: no Host header, authority in the URI.
    headers.remove("host");
    let h2_uri: Uri = "http://127.0.0.1:18080/".parse().unwrap();
    parse(&Method::GET, &h2_uri, &headers)
        .unwrap()
        .verify(SECRET, b"", T, &keys)
        .unwrap();
    // No host at all: the signed header is missing.
    let e = verify_err(&Method::GET, &uri, &headers, b"", T);
    assert_eq!(e, SigV4Error::MissingSignedHeader("host".into()));
    assert_eq!(e.kind(), SigV4ErrorKind::SignatureDoesNotMatch);
    assert_eq!(
        e.to_string(),
        openwatch_sigv4::SIGNATURE_DOES_NOT_MATCH_MESSAGE
    );
    // But parse alone still reads the credential (for a parse-only auth mode).
    assert_eq!(
        parse(&Method::GET, &uri, &headers).unwrap().access_key_id(),
        AKID
    );
}

#[test]
fn presigned_requests() {
    let base: Uri = "http://127.0.0.1:18080/?Action=GetCallerIdentity&Version=2011-06-15"
        .parse()
        .unwrap();
    let mut p = params(PayloadSigning::Hash);
    p.session_token = Some("FQoGZXIvYXdzE/x+y==");
    p.service = "sts";
    let signed = presign_uri(&Method::GET, &base, &HeaderMap::new(), b"", &p, 60).unwrap();
    let target: Uri = signed.path_and_query().unwrap().as_str().parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:18080"));
    let parsed = parse(&Method::GET, &target, &headers).unwrap();
    assert!(parsed.is_presigned());
    assert_eq!(parsed.presigned_expires_secs(), Some(60));
    assert_eq!(parsed.session_token(), Some("FQoGZXIvYXdzE/x+y=="));
    assert_eq!(parsed.scope().service, "sts");
    let keys = SigningKeyCache::new();
    parsed.verify(SECRET, b"", T + 60, &keys).unwrap();
    let e = parsed.verify(SECRET, b"", T + 61, &keys).unwrap_err();
    assert_eq!(e.kind(), SigV4ErrorKind::RequestExpired);
    assert_eq!(e.to_string(), "Request has expired");
    assert_eq!(
        parsed
            .verify(SECRET, b"", T - 301, &keys)
            .unwrap_err()
            .kind(),
        SigV4ErrorKind::RequestExpired
    );

    // Changing any signed parameter breaks it.
    let tampered: Uri = target
        .to_string()
        .replace("X-Amz-Expires=60", "X-Amz-Expires=600")
        .parse()
        .unwrap();
    assert_eq!(
        verify_err(&Method::GET, &tampered, &headers, b"", T).kind(),
        SigV4ErrorKind::SignatureDoesNotMatch
    );

    // Missing and invalid parameters.
    let e = parse(
        &Method::GET,
        &"/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z"
            .parse()
            .unwrap(),
        &headers,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
    );
    for (expires, msg) in [
        ("0", "X-Amz-Expires must be non-negative"),
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        ("soon", "X-Amz-Expires should be a number, got 'soon'"),
    ] {
        let q = target
            .to_string()
            .replace("X-Amz-Expires=60", &format!("X-Amz-Expires={expires}"));
        let e = parse(&Method::GET, &q.parse().unwrap(), &headers).unwrap_err();
        assert_eq!(e.to_string(), msg);
        assert_eq!(e.kind(), SigV4ErrorKind::IncompleteSignature);
    }
}

#[test]
fn parse_authorization_header_is_exposed() {
    let h = parse_authorization_header("AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=9a3e").unwrap();
    assert_eq!(
        h.credential(),
        "test/20261128/us-east-1/monitoring/aws4_request"
    );
    assert_eq!(
        h.signed_headers(),
        "content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode"
    );
    assert_eq!(h.signature(), "9a3e");
}

// ---- properties ----

fn arb_auth_header() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,200}",
        (
            prop::sample::select(vec![
                "AWS4-HMAC-SHA256",
                "AWS4-HMAC-SHA256 ",
                "aws4-hmac-sha256",
                "",
                " AWS4-HMAC-SHA256\t"
            ]),
            prop::collection::vec(
                prop_oneof![
                    "Credential=[ -~]{0,40}",
                    "SignedHeaders=[a-z;:-]{0,30}",
                    "Signature=[0-9a-fA-F]{0,70}",
                    "[=,; \t/]{0,5}",
                    "[A-Za-z]{1,10}=?",
                ],
                0..6
            ),
            prop::sample::select(vec![", ", ",", " ", ";", ",,"]),
        )
            .prop_map(|(alg, parts, sep)| format!("{alg} {}", parts.join(sep))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]

    #[test]
    fn parse_authorization_header_never_panics(v in arb_auth_header()) {
        let _ = parse_authorization_header(&v);
    }

    /// `parse` (and `verify` on whatever parses) never panics on arbitrary targets,
    /// header sets and clocks.
    #[test]
    fn parse_and_verify_never_panic(
        target in prop_oneof![
            "/[ -~]{0,40}",
            "/?(X-Amz-[A-Za-z]{0,15}=[ -~]{0,30}&?){0,8}",
            Just("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20150830%2Fr%2Fs%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=1".to_owned()),
        ],
        headers in prop::collection::vec((
            prop::sample::select(vec!["authorization", "host", "x-amz-date", "date", "x-amz-security-token", "x-amz-content-sha256", "x-other"]),
            prop_oneof![arb_auth_header(), "[ -~]{0,40}", Just("20150830T123600Z".to_owned()), Just("Sun, 30 Aug 2015 12:36:00 GMT".to_owned())],
        ), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..32),
        now in any::<i64>(),
    ) {
        let Ok(uri) = target.parse::<Uri>() else { return Ok(()) };
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                map.append(k, v);
            }
        }
        if let Ok(p) = parse(&Method::GET, &uri, &map) {
            let _ = p.access_key_id();
            let r = p.verify(SECRET, &body, now, &SigningKeyCache::with_capacity(4));
            if let Err(e) = r {
                let _ = (e.to_string(), e.kind());
            }
        }
    }

    /// Sign then verify round-trips for arbitrary (already wire-encoded) paths,
    /// queries, header values and bodies, in both signature locations.
    #[test]
    fn sign_then_verify_round_trips(
        path in "(/[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,10}){0,5}",
        query in prop::option::of("[A-Za-z0-9._~!$'()*+,;:@/?%=&-]{0,40}"),
        values in prop::collection::vec("[ -~]{0,30}", 0..4),
        body in prop::collection::vec(any::<u8>(), 0..64),
        token in prop::option::of("[A-Za-z0-9+/=]{1,30}"),
        payload in prop::sample::select(vec![PayloadSigning::Hash, PayloadSigning::HashWithHeader, PayloadSigning::Unsigned]),
    ) {
        let path = if path.is_empty() { "/".to_owned() } else { path };
        let target = match &query { Some(q) => format!("{path}?{q}"), None => path };
        let Ok(uri) = target.parse::<Uri>() else { return Ok(()) };
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("localhost:4566"));
        for (i, v) in values.iter().enumerate() {
            headers.append(if i % 2 == 0 { "x-custom" } else { "x-other" }, HeaderValue::from_str(v).unwrap());
        }
        let mut p = params(payload);
        p.session_token = token.as_deref();
        let keys = SigningKeyCache::new();

        let mut signed = headers.clone();
        for (k, v) in sign_request(&Method::POST, &uri, &headers, &body, &p).unwrap() {
            signed.insert(k, v);
        }
        let parsed = parse(&Method::POST, &uri, &signed).unwrap();
        prop_assert!(parsed.verify(SECRET, &body, T, &keys).is_ok());
        if payload != PayloadSigning::Unsigned {
            let mut other = body.clone();
            other.push(1);
            prop_assert!(parsed.verify(SECRET, &other, T, &keys).is_err());
        }

        let full: Uri = format!("http://localhost:4566{target}").parse().unwrap();
        let pre = presign_uri(&Method::GET, &full, &headers, b"", &p, 300).unwrap();
        let pre_target: Uri = pre.path_and_query().unwrap().as_str().parse().unwrap();
        let parsed = parse(&Method::GET, &pre_target, &headers).unwrap();
        prop_assert!(parsed.is_presigned());
        prop_assert!(parsed.verify(SECRET, b"", T + 299, &keys).is_ok());
    }
}
