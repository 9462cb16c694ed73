//! A minimal blocking HTTP/1.1 client for `http` subscriptions: one POST per connection
//! (`Connection: close`), plain `http://` only (this server has no TLS client), bounded by
//! timeouts, reading only the status line of the response.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a delivery may take to connect, and then to answer.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_HEAD_BYTES: u64 = 64 * 1024;

/// A parsed `http://` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
}

/// Parses `http://host[:port][/path][?query]`; `None` for anything else.
pub fn parse_endpoint(url: &str) -> Option<Endpoint> {
    let rest = url.strip_prefix("http://")?;
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    let target = if tail.is_empty() {
        "/".to_owned()
    } else if tail.starts_with('?') {
        format!("/{tail}")
    } else {
        tail.to_owned()
    };
    if authority.is_empty()
        || authority.contains('@')
        || target.contains(char::is_whitespace)
        || target.contains(char::is_control)
    {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, p.parse().ok()?),
        _ => (authority, 80),
    };
    if host.is_empty() {
        return None;
    }
    Some(Endpoint {
        host: host.to_owned(),
        port,
        target,
    })
}

/// POSTs `body` and returns the response status.
pub fn post(endpoint: &Endpoint, headers: &[(String, String)], body: &[u8]) -> Result<u16, String> {
    let addr = (endpoint.host.trim_matches(['[', ']']), endpoint.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", endpoint.host))?
        .next()
        .ok_or_else(|| format!("{} has no address", endpoint.host))?;
    let mut stream = TcpStream::connect_timeout(&addr, HTTP_TIMEOUT)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(HTTP_TIMEOUT)))
        .map_err(|e| format!("socket: {e}"))?;
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        endpoint.target,
        endpoint.host,
        endpoint.port,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .and_then(|()| stream.flush())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut reader = BufReader::new(stream).take(MAX_HEAD_BYTES);
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .map_err(|e| format!("no response: {e}"))?;
    let mut parts = status_line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|s| s.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => Ok(code),
        _ => Err(format!(
            "not an HTTP response: {:?}",
            status_line.trim_end()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = parse_endpoint("http://127.0.0.1:8080/hook?x=1").expect("url");
        assert_eq!(
            (e.host.as_str(), e.port, e.target.as_str()),
            ("127.0.0.1", 8080, "/hook?x=1")
        );
        let e = parse_endpoint("http://example.com").expect("url");
        assert_eq!((e.port, e.target.as_str()), (80, "/"));
        for bad in [
            "https://x/",
            "ftp://x",
            "http://",
            "http://:80/",
            "http://u@h/",
            "http://h:99999/",
        ] {
            assert!(parse_endpoint(bad).is_none(), "{bad}");
        }
    }
}
