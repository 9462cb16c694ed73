//! Building the SigV4 canonical request and string to sign.
//!
//! Everything here works on the request *as received on the wire*: the path and
//! query are the already-percent-encoded strings from the request target, and the
//! headers are the values hyper hands us. Output is written into a caller-provided
//! byte buffer so that one allocation serves the whole canonical request.

use std::borrow::Cow;

use http::HeaderMap;

use crate::error::SigV4Error;
use crate::header::ALGORITHM;

/// How the canonical URI is derived from the request path.
///
/// AWS services other than S3 use `{ normalize_path: true, double_encode_path: true }`
/// ([`PathOptions::default`]): the wire path has its dot-segments and repeated
/// slashes removed and is then percent-encoded *again* (so `%3A` on the wire is
/// `%253A` in the canonical request). S3 does neither, and encodes the decoded path
/// once; that mode exists only to run the S3-flavoured cases of AWS's test suite.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathOptions {
    /// Remove `.`/`..` segments and empty segments (`//`).
    pub normalize_path: bool,
    /// Encode the wire path as-is (double encoding) rather than decoding it first.
    pub double_encode_path: bool,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            normalize_path: true,
            double_encode_path: true,
        }
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 unreserved characters, the only bytes SigV4 leaves unencoded.
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[inline]
fn push_encoded_byte(out: &mut Vec<u8>, b: u8) {
    if is_unreserved(b) {
        out.push(b);
    } else {
        out.extend_from_slice(&[
            b'%',
            HEX_UPPER[usize::from(b >> 4)],
            HEX_UPPER[usize::from(b & 15)],
        ]);
    }
}

/// Percent-encodes every byte except unreserved ones (and `/` when `keep_slash`).
pub(crate) fn push_encoded(out: &mut Vec<u8>, bytes: &[u8], keep_slash: bool) {
    for &b in bytes {
        if keep_slash && b == b'/' {
            out.push(b);
        } else {
            push_encoded_byte(out, b);
        }
    }
}

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Calls `f` with each byte of `s` after percent-decoding (and `+` → space when
/// `plus_as_space`). Malformed escapes are passed through literally, as
/// `form_urlencoded` and the AWS SDKs do.
#[inline]
fn for_each_decoded(s: &[u8], plus_as_space: bool, mut f: impl FnMut(u8)) {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'%'
            && i + 2 < s.len()
            && let (Some(h), Some(l)) = (hex_val(s[i + 1]), hex_val(s[i + 2]))
        {
            f(h << 4 | l);
            i += 3;
            continue;
        }
        f(if plus_as_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
}

/// Percent-decodes a query-string component (`+` is a space) to a string,
/// replacing invalid UTF-8.
pub(crate) fn decode_query_component(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(s);
    }
    let mut bytes = Vec::with_capacity(s.len());
    for_each_decoded(s.as_bytes(), true, |b| bytes.push(b));
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Removes dot-segments and empty segments from an absolute path, keeping a
/// trailing slash (RFC 3986 §5.2.4 plus AWS's `//` collapsing; same algorithm as
/// the AWS SDKs).
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    let has_dot_or_double_slash =
        path.contains("//") || path.split('/').any(|seg| seg == "." || seg == "..");
    if path.starts_with('/') && !has_dot_or_double_slash {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for seg in &segments {
        out.push('/');
        out.push_str(seg);
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if out.is_empty() || (trailing && !out.ends_with('/')) {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Writes the canonical URI for a wire path.
pub(crate) fn write_canonical_uri(out: &mut Vec<u8>, path: &str, opts: PathOptions) {
    let path = if path.is_empty() { "/" } else { path };
    let path = if opts.normalize_path {
        normalize_path(path)
    } else {
        Cow::Borrowed(path)
    };
    if opts.double_encode_path {
        push_encoded(out, path.as_bytes(), true);
    } else {
        // Segment by segment, so that an encoded slash (`%2F`) inside a key stays encoded.
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            for_each_decoded(segment.as_bytes(), false, |b| push_encoded_byte(out, b));
        }
    }
}

/// Writes the canonical query string: every `key=value` pair decoded and re-encoded
/// with the unreserved set, sorted by encoded key then encoded value, `=` kept for
/// empty values. Pairs whose key is `exclude` (e.g. `X-Amz-Signature` for
/// presigned requests) are left out.
pub(crate) fn write_canonical_query(out: &mut Vec<u8>, query: Option<&str>, exclude: Option<&str>) {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return;
    };
    // Encode every component into one scratch buffer and sort index ranges.
    let mut scratch: Vec<u8> = Vec::with_capacity(query.len() + 16);
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new(); // (key start, key end = value start, value end)
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let start = scratch.len();
        for_each_decoded(k.as_bytes(), true, |b| push_encoded_byte(&mut scratch, b));
        let mid = scratch.len();
        if exclude.is_some_and(|ex| ex.as_bytes() == &scratch[start..mid]) {
            scratch.truncate(start);
            continue;
        }
        for_each_decoded(v.as_bytes(), true, |b| push_encoded_byte(&mut scratch, b));
        pairs.push((start, mid, scratch.len()));
    }
    pairs.sort_unstable_by(|a, b| {
        scratch[a.0..a.1]
            .cmp(&scratch[b.0..b.1])
            .then_with(|| scratch[a.1..a.2].cmp(&scratch[b.1..b.2]))
    });
    for (i, &(s, m, e)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(&scratch[s..m]);
        out.push(b'=');
        out.extend_from_slice(&scratch[m..e]);
    }
}

/// Appends a header value with leading/trailing spaces removed and inner runs of
/// spaces collapsed to one (the SDKs' "trimall").
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let start = value.iter().position(|&b| b != b' ').unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |i| i + 1);
    let mut prev_space = false;
    for &b in &value[start..end] {
        if b == b' ' {
            if !prev_space {
                out.push(b);
            }
            prev_space = true;
        } else {
            out.push(b);
            prev_space = false;
        }
    }
}

/// Writes `name:value\n` for each `;`-separated name in `signed_headers`, in the
/// order given. Multiple values of one header are joined with `,` in the order
/// received. `host` (or HTTP/2 `:authority`) falls back to the URI authority
/// when the request has no `Host` header.
pub(crate) fn write_canonical_headers(
    out: &mut Vec<u8>,
    signed_headers: &str,
    headers: &HeaderMap,
    authority: Option<&str>,
) -> Result<(), SigV4Error> {
    for name in signed_headers.split(';') {
        let start = out.len();
        out.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
        out.push(b':');
        let mut found = false;
        if name != ":authority" {
            for (i, value) in headers.get_all(name).iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_trimmed(out, value.as_bytes());
                found = true;
            }
        }
        if !found {
            let is_host = name.eq_ignore_ascii_case("host") || name == ":authority";
            match authority {
                Some(auth) if is_host => push_trimmed(out, auth.as_bytes()),
                _ => {
                    out.truncate(start);
                    return Err(SigV4Error::MissingSignedHeader(name.to_owned()));
                }
            }
        }
        out.push(b'\n');
    }
    Ok(())
}

/// The inputs of a canonical request, all as received.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CanonicalParts<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) authority: Option<&'a str>,
    pub(crate) signed_headers: &'a str,
    /// Query parameter to leave out (presigned: `X-Amz-Signature`).
    pub(crate) exclude_query_param: Option<&'a str>,
    pub(crate) path_options: PathOptions,
}

/// Writes everything of the canonical request except the payload hash, i.e.
/// `method\nuri\nquery\nheaders\n\nsigned_headers\n`.
pub(crate) fn write_canonical_prefix(
    out: &mut Vec<u8>,
    p: &CanonicalParts<'_>,
) -> Result<(), SigV4Error> {
    out.extend_from_slice(p.method.as_bytes());
    out.push(b'\n');
    write_canonical_uri(out, p.path, p.path_options);
    out.push(b'\n');
    write_canonical_query(out, p.query, p.exclude_query_param);
    out.push(b'\n');
    write_canonical_headers(out, p.signed_headers, p.headers, p.authority)?;
    out.push(b'\n');
    out.extend_from_slice(p.signed_headers.as_bytes());
    out.push(b'\n');
    Ok(())
}

/// Writes the string to sign:
/// `AWS4-HMAC-SHA256\n<amz-date>\n<date>/<region>/<service>/aws4_request\n<hex sha256(canonical request)>`.
pub(crate) fn write_string_to_sign(
    out: &mut Vec<u8>,
    amz_date: &str,
    scope: &str,
    canonical_hash: &[u8; 32],
) {
    out.extend_from_slice(ALGORITHM.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(amz_date.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(scope.as_bytes());
    out.push(b'\n');
    let mut hex = [0u8; 64];
    // Cannot fail: the buffer is exactly twice the input length.
    let _ = hex::encode_to_slice(canonical_hash, &mut hex);
    out.extend_from_slice(&hex);
}

/// Builds a complete canonical request as a string (test and debugging helper).
#[doc(hidden)]
pub fn canonical_request(
    method: &http::Method,
    uri: &http::Uri,
    headers: &HeaderMap,
    signed_headers: &str,
    payload_hash: &str,
    path_options: PathOptions,
) -> Result<String, SigV4Error> {
    let mut out = Vec::with_capacity(256);
    write_canonical_prefix(
        &mut out,
        &CanonicalParts {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query(),
            headers,
            authority: uri.authority().map(|a| a.as_str()),
            signed_headers,
            exclude_query_param: None,
            path_options,
        },
    )?;
    out.extend_from_slice(payload_hash.as_bytes());
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Builds a string to sign from a canonical request (test and debugging helper).
#[doc(hidden)]
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    use sha2::Digest;
    let hash: [u8; 32] = sha2::Sha256::digest(canonical_request.as_bytes()).into();
    let mut out = Vec::with_capacity(128);
    write_string_to_sign(&mut out, amz_date, scope, &hash);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn uri(path: &str, opts: PathOptions) -> String {
        let mut out = Vec::new();
        write_canonical_uri(&mut out, path, opts);
        String::from_utf8(out).unwrap()
    }

    fn query(q: &str, exclude: Option<&str>) -> String {
        let mut out = Vec::new();
        write_canonical_query(&mut out, Some(q), exclude);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_uri_normalises_and_double_encodes() {
        let d = PathOptions::default();
        for (path, want) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/foo/bar/..", "/foo/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/./b/../c/", "/a/c/"),
            ("/../a", "/a"),
            ("/a/%2E%2E/b", "/a/%252E%252E/b"),
            ("/example%20space/", "/example%2520space/"),
            (
                "/test/@connections/JBDvjfGEIAMCERw%3D",
                "/test/%40connections/JBDvjfGEIAMCERw%253D",
            ),
            (
                "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            ),
            (
                "/service/GraniteServiceVersion20100801/operation/PutMetricData",
                "/service/GraniteServiceVersion20100801/operation/PutMetricData",
            ),
            ("/a+b=c:d", "/a%2Bb%3Dc%3Ad"),
        ] {
            assert_eq!(uri(path, d), want, "{path}");
        }
        let s3 = PathOptions {
            normalize_path: false,
            double_encode_path: false,
        };
        assert_eq!(uri("//example//", s3), "//example//");
        assert_eq!(uri("/example%20space/", s3), "/example%20space/");
        assert_eq!(uri("/%e1%88%b4", s3), "/%E1%88%B4");
    }

    #[test]
    fn canonical_query_sorts_and_reencodes() {
        assert_eq!(
            query("Param2=value2&Param1=value1", None),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", None),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(query("a=2&a=1&b", None), "a=1&a=2&b=");
        assert_eq!(
            query("k=a+b&j=%7e%2f&&x=%zz", None),
            "j=~%2F&k=a%20b&x=%25zz"
        );
        assert_eq!(
            query("X-Amz-Signature=abc&A=1", Some("X-Amz-Signature")),
            "A=1"
        );
        assert_eq!(
            query("X-Amz-Signatur%65=abc&A=1", Some("X-Amz-Signature")),
            "A=1"
        );
        assert_eq!(query("b=%", None), "b=%25");
    }

    #[test]
    fn header_values_are_trimmed() {
        let mut h = HeaderMap::new();
        h.append("my-header2", "  \"a   b   c\"  ".parse().unwrap());
        h.append("x", "v2".parse().unwrap());
        h.append("x", " v1 ".parse().unwrap());
        let mut out = Vec::new();
        write_canonical_headers(&mut out, "host;my-header2;x", &h, Some("example.com:8080"))
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:example.com:8080\nmy-header2:\"a b c\"\nx:v2,v1\n"
        );
        let mut out = Vec::new();
        let e = write_canonical_headers(&mut out, "host;missing", &h, Some("h")).unwrap_err();
        assert_eq!(e, SigV4Error::MissingSignedHeader("missing".into()));
    }
}
