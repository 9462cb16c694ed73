//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

/// A request as a server would see it: method, origin-form target, headers, raw body.
#[derive(Debug, Clone)]
pub struct WireRequest {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Percent-encodes the bytes a client could not put on the wire as-is (spaces,
/// non-ASCII, and other characters `http::Uri` rejects), leaving everything else,
/// including existing `%XX` escapes, untouched: what an HTTP client does with a
/// request target like `/example space/` or `/ሴ`.
pub fn to_wire_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for &b in target.as_bytes() {
        let ok = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            );
        if ok {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses the suite's `*.txt` HTTP request format. Header lines are `Name:value`
/// (value trimmed like an HTTP parser does); an indented line continues the previous
/// header (obs-fold, replaced by a space as RFC 7230 §3.2.4 allows); a blank line
/// starts the body.
pub fn parse_http_request(text: &str) -> WireRequest {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    // The version is missing from some files (`double-url-encode`).
    let target = rest.strip_suffix(" HTTP/1.1").unwrap_or(rest);
    let mut raw: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = raw.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim_start());
        } else if let Some((name, value)) = line.split_once(':') {
            raw.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
        }
    }
    let mut headers = HeaderMap::new();
    for (name, value) in raw {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    WireRequest {
        method: method.parse().unwrap(),
        uri: to_wire_target(target).parse().unwrap(),
        headers,
        body,
    }
}

/// Parses `YYYYMMDDTHHMMSSZ` to Unix seconds (test-side, independent of the crate).
pub fn unix(amz_date: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| amz_date[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    // days_from_civil
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(9..11) * 3600 + n(11..13) * 60 + n(13..15)
}
