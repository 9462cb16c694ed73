//! Stand-ins for the HTTP endpoints the server calls out to (an SNS HTTP subscriber, an
//! EventBridge API destination, an S3-compatible store): a loopback listener that reads each
//! request whole and answers with the status the test's closure picks for it.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method, as sent (`PUT`, `POST`, ...).
    pub method: String,
    /// The request target: the path and query, as sent.
    pub target: String,
    /// The headers (names lowercased; repeated ones kept in order).
    pub headers: http::HeaderMap,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` as text (`""` where it is missing or not text).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Starts a stand-in on a loopback port and returns its base URL, `http://127.0.0.1:<port>`.
///
/// Each connection is served on a task of its own: one request is read (the head, then a
/// `Content-Length` body), `answer` picks the status, and an empty response with
/// `Connection: close` is written. A connection that closes before a whole request arrived is
/// dropped without calling `answer`. The listener lives as long as the test's runtime.
pub async fn start<F>(answer: F) -> String
where
    F: Fn(Request) -> http::StatusCode + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = std::sync::Arc::clone(&answer);
            tokio::spawn(async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                let status = answer(request);
                let reason = status.canonical_reason().unwrap_or_default();
                let _ = stream
                    .write_all(
                        format!(
                            "HTTP/1.1 {} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            status.as_u16()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    url
}

/// Reads one request off `stream`; `None` if the peer closes before it is complete.
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap_or("").split_whitespace();
        let method = request_line.next().unwrap_or("").to_owned();
        let target = request_line.next().unwrap_or("/").to_owned();
        let mut headers = http::HeaderMap::new();
        for line in lines {
            if let Some((name, value)) = line.split_once(':')
                && let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.trim().to_ascii_lowercase().as_bytes()),
                    http::HeaderValue::from_str(value.trim()),
                )
            {
                headers.append(name, value);
            }
        }
        let len: usize = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if raw.len() >= end + 4 + len {
            return Some(Request {
                method,
                target,
                headers,
                body: raw[end + 4..end + 4 + len].to_vec(),
            });
        }
    }
}
