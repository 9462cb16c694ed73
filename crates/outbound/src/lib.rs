//! Outbound HTTP for deliveries: the EventBridge API-destination target and SNS `http`/`https`
//! subscriptions. `http://` and `https://` (TLS through rustls, see [`tls`]), one blocking request
//! per connection, bounded by timeouts. [`call`] returns only the status (what a delivery needs to
//! decide on retries); [`request`] also reads the response body (an OAuth token endpoint).
//!
//! Trust for `https://`: the system certificate store plus the PEM bundles given to
//! [`tls::add_extra_ca_file`] (the server passes `OPENWATCH_EXTRA_CA_FILE`). A certificate that
//! does not chain to one of them fails the call like a network error, so callers retry it.

pub mod tls;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a call may take to connect, and then to answer.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest response head read.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Longest response body [`request`] reads.
pub const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// A parsed `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
    /// `https://`: the call goes through TLS.
    pub tls: bool,
}

impl HttpUrl {
    /// Parses `http://host[:port][/path][?query]` (plain HTTP only; see [`HttpUrl::parse_any`]).
    pub fn parse(url: &str) -> Option<HttpUrl> {
        Self::parse_with(url.strip_prefix("http://")?, false)
    }

    /// Parses `https://host[:port][/path][?query]` (port 443 unless given).
    pub fn parse_https(url: &str) -> Option<HttpUrl> {
        Self::parse_with(url.strip_prefix("https://")?, true)
    }

    /// Parses an `http://` or an `https://` URL.
    pub fn parse_any(url: &str) -> Option<HttpUrl> {
        Self::parse(url).or_else(|| Self::parse_https(url))
    }

    fn parse_with(rest: &str, tls: bool) -> Option<HttpUrl> {
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('?') => (&rest[..i], format!("/{}", &rest[i..])),
            Some(i) => (&rest[..i], rest[i..].to_owned()),
            None => (rest, "/".to_owned()),
        };
        if authority.is_empty()
            || authority.contains('@')
            || target.contains(char::is_whitespace)
            || target.contains(char::is_control)
        {
            return None;
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, p.parse().ok()?),
            _ => (authority, default_port),
        };
        if host.is_empty() {
            return None;
        }
        Some(HttpUrl {
            host: host.to_owned(),
            port,
            target,
            tls,
        })
    }
}

/// A response read by [`request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request and returns the response status.
pub fn call(
    method: &str,
    url: &HttpUrl,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<u16, String> {
    exchange(method, url, headers, body, false).map(|r| r.status)
}

/// Sends one request and reads the whole response (body up to [`MAX_RESPONSE_BODY`]).
pub fn request(
    method: &str,
    url: &HttpUrl,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Response, String> {
    exchange(method, url, headers, body, true)
}

fn exchange(
    method: &str,
    url: &HttpUrl,
    headers: &[(String, String)],
    body: &[u8],
    read_body: bool,
) -> Result<Response, String> {
    let addr = (url.host.trim_matches(['[', ']']), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
        .next()
        .ok_or_else(|| format!("{} has no address", url.host))?;
    let stream = TcpStream::connect_timeout(&addr, HTTP_TIMEOUT)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(HTTP_TIMEOUT)))
        .map_err(|e| format!("socket: {e}"))?;
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        url.target,
        url.host,
        url.port,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if url.tls {
        let conn = tls::connect(&url.host)?;
        let mut stream = rustls::StreamOwned::new(conn, stream);
        // Complete the handshake first, so a refused certificate reads as such.
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(|e| format!("TLS handshake with {}:{} failed: {e}", url.host, url.port))?;
        }
        send_and_read(stream, &head, body, read_body)
    } else {
        send_and_read(stream, &head, body, read_body)
    }
}

fn send_and_read<S: Read + Write>(
    mut stream: S,
    head: &str,
    body: &[u8],
    read_body: bool,
) -> Result<Response, String> {
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .and_then(|()| stream.flush())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    (&mut reader)
        .take(MAX_HEAD_BYTES as u64)
        .read_line(&mut status_line)
        .map_err(|e| format!("no response: {e}"))?;
    let mut parts = status_line.split_whitespace();
    let status = match (
        parts.next(),
        parts.next().and_then(|s| s.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => code,
        _ => {
            return Err(format!(
                "not an HTTP response: {:?}",
                status_line.trim_end()
            ));
        }
    };
    let mut response = Response {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    };
    if !read_body {
        return Ok(response);
    }
    let mut head_bytes = status_line.len();
    loop {
        let mut line = String::new();
        let n = (&mut reader)
            .take((MAX_HEAD_BYTES - head_bytes.min(MAX_HEAD_BYTES)) as u64)
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the response head: {e}"))?;
        head_bytes += n;
        if n == 0 || !line.ends_with('\n') {
            return Err("the response head is truncated or too long".to_owned());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            response
                .headers
                .push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    response.body = if method_has_no_body(status) {
        Vec::new()
    } else if chunked {
        read_chunked(&mut reader)?
    } else if let Some(len) = response.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| format!("bad Content-Length {len:?}"))?;
        if len > MAX_RESPONSE_BODY {
            return Err(format!("the response body ({len} bytes) is too large"));
        }
        let mut body = vec![0; len];
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("cannot read the response body: {e}"))?;
        body
    } else {
        read_to_close(&mut reader)?
    };
    Ok(response)
}

/// 1xx, 204 and 304 responses have no body.
fn method_has_no_body(status: u16) -> bool {
    status < 200 || status == 204 || status == 304
}

/// Reads until the peer closes; a TLS peer that closes without `close_notify` ends the body too
/// (the request said `Connection: close`).
fn read_to_close(reader: &mut impl Read) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    match reader
        .take(MAX_RESPONSE_BODY as u64 + 1)
        .read_to_end(&mut body)
    {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(format!("cannot read the response body: {e}")),
    }
    if body.len() > MAX_RESPONSE_BODY {
        return Err("the response body is too large".to_owned());
    }
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        reader
            .take(1024)
            .read_line(&mut line)
            .map_err(|e| format!("cannot read a chunk: {e}"))?;
        let size_text = line.trim_end().split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        if size == 0 {
            return Ok(body);
        }
        if body.len() + size > MAX_RESPONSE_BODY {
            return Err("the response body is too large".to_owned());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .and_then(|()| reader.read_exact(&mut [0; 2]))
            .map_err(|e| format!("cannot read a chunk: {e}"))?;
    }
}

/// Base64 (standard alphabet, padded), for Basic authorization.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = HttpUrl::parse("http://127.0.0.1:8080/hook?x=1").expect("url");
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("127.0.0.1", 8080, "/hook?x=1")
        );
        let u = HttpUrl::parse("http://example.com").expect("url");
        assert_eq!((u.port, u.target.as_str()), (80, "/"));
        let u = HttpUrl::parse("http://h?q=1").expect("url");
        assert_eq!(u.target, "/?q=1");
        assert!(!u.tls);
        let u = HttpUrl::parse_https("https://example.com/a").expect("url");
        assert_eq!((u.port, u.target.as_str(), u.tls), (443, "/a", true));
        let u = HttpUrl::parse_any("https://[::1]:8443").expect("url");
        assert_eq!((u.host.as_str(), u.port, u.tls), ("[::1]", 8443, true));
        assert!(HttpUrl::parse_any("http://x").is_some_and(|u| !u.tls));
        assert!(HttpUrl::parse_https("http://x/").is_none());
        assert!(HttpUrl::parse_any("ftp://x/").is_none());
        for bad in [
            "https://x/",
            "ftp://x",
            "http://",
            "http://:80/",
            "http://u@h/",
            "http://h:99999/",
        ] {
            assert!(HttpUrl::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn base64_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    }
}
