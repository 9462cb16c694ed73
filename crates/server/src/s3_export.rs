//! Export tasks into an S3-compatible object store (MinIO, Ceph RGW, Garage, AWS S3 itself)
//! instead of the local buckets under the data directory: one signed `PUT` per object,
//! path-style (`<endpoint>/<bucket>/<key>`), SigV4 with S3's path rules and
//! `x-amz-content-sha256`, over the shared outbound HTTP client (`http://` or `https://`).

use std::fmt;

use http::{HeaderMap, HeaderValue, Method, Uri};
use openwatch_logs::ObjectStore;
use openwatch_outbound::HttpUrl;
use openwatch_sigv4::{PayloadSigning, SigningParams, sign_s3_request};
use serde::Deserialize;

/// The `[export-s3]` section of `openwatch.toml`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct S3Options {
    /// `http[s]://host[:port]` of the store; objects go to `<endpoint>/<bucket>/<key>`.
    pub endpoint: String,
    /// The region the store signs for (`us-east-1` for most self-hosted stores).
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

impl fmt::Debug for S3Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Options")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl S3Options {
    /// Whether the endpoint is a usable `http[s]://host[:port]` base.
    pub fn valid_endpoint(&self) -> bool {
        HttpUrl::parse_any(&self.endpoint).is_some_and(|u| u.target == "/")
    }
}

/// An [`ObjectStore`] writing to an S3-compatible store.
pub struct S3Store {
    options: S3Options,
    /// Unix seconds now (the signing time).
    now: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// A store signing with `now()` (Unix seconds) as the request time.
    pub fn new(options: S3Options, now: impl Fn() -> i64 + Send + Sync + 'static) -> S3Store {
        S3Store {
            options,
            now: Box::new(now),
        }
    }

    fn url(&self, bucket: &str, key: &str) -> String {
        let mut url = self.options.endpoint.trim_end_matches('/').to_owned();
        url.push('/');
        url.push_str(bucket);
        url.push('/');
        encode_key(key, &mut url);
        url
    }
}

/// Percent-encodes an object key for the request path: every byte but the unreserved ones and
/// `/` (which S3 keeps as the key's own separators).
fn encode_key(key: &str, out: &mut String) {
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

impl ObjectStore for S3Store {
    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), String> {
        let url = self.url(bucket, key);
        let target = HttpUrl::parse_any(&url).ok_or_else(|| format!("invalid object URL {url}"))?;
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("invalid object URL {url}: {e}"))?;
        // The outbound client sends `Host: host:port`; sign exactly that.
        let host = format!("{}:{}", target.host, target.port);
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::HOST,
            HeaderValue::from_str(&host).map_err(|_| format!("invalid host {host}"))?,
        );
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(key)),
        );
        let added = sign_s3_request(
            &Method::PUT,
            &uri,
            &headers,
            body,
            &SigningParams {
                access_key_id: &self.options.access_key_id,
                secret_access_key: &self.options.secret_access_key,
                session_token: None,
                region: &self.options.region,
                service: "s3",
                time_unix: (self.now)(),
                payload: PayloadSigning::HashWithHeader,
            },
        )
        .map_err(|e| format!("cannot sign the request: {e}"))?;
        let mut send: Vec<(String, String)> =
            vec![("content-type".into(), content_type(key).into())];
        for (name, value) in added {
            if name == http::header::HOST {
                continue;
            }
            let value = value
                .to_str()
                .map_err(|_| "a signed header is not text".to_owned())?;
            send.push((name.as_str().to_owned(), value.to_owned()));
        }
        let response = openwatch_outbound::request("PUT", &target, &send, body)?;
        if (200..300).contains(&response.status) {
            Ok(())
        } else {
            let detail = String::from_utf8_lossy(&response.body);
            Err(format!(
                "the object store answered {} to PUT {bucket}/{key}: {}",
                response.status,
                detail.chars().take(300).collect::<String>()
            ))
        }
    }
}

fn content_type(key: &str) -> &'static str {
    if key.ends_with(".gz") {
        "application/gzip"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    use super::*;
    use openwatch_sigv4::{PathOptions, SigningKeyCache, parse_with_options};

    const T: i64 = 1_764_336_750;

    /// One request as an S3 server receives it.
    struct Received {
        method: String,
        target: String,
        headers: HeaderMap,
        body: Vec<u8>,
    }

    /// Serves one request per `statuses` entry, answering each with that status.
    fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for status in statuses {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap().to_owned();
                let target = parts.next().unwrap().to_owned();
                let mut headers = HeaderMap::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    headers.append(
                        http::HeaderName::from_bytes(k.trim().to_ascii_lowercase().as_bytes())
                            .unwrap(),
                        HeaderValue::from_str(v.trim()).unwrap(),
                    );
                }
                let len: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 7\r\nConnection: close\r\n\r\nanswer."
                )
                .unwrap();
                tx.send(Received {
                    method,
                    target,
                    headers,
                    body,
                })
                .unwrap();
            }
        });
        (endpoint, rx)
    }

    fn store(endpoint: &str) -> S3Store {
        S3Store::new(
            S3Options {
                endpoint: endpoint.to_owned(),
                region: "us-east-1".into(),
                access_key_id: "MINIOKEY".into(),
                secret_access_key: "minio-secret".into(),
            },
            || T,
        )
    }

    /// What S3 checks: the signature over the single-encoded, unnormalised path and the
    /// declared payload hash.
    fn verify(r: &Received, secret: &str) -> Result<(), openwatch_sigv4::SigV4Error> {
        let uri: Uri = r.target.parse().unwrap();
        let method: Method = r.method.parse().unwrap();
        let s3 = PathOptions {
            normalize_path: false,
            double_encode_path: false,
        };
        parse_with_options(&method, &uri, &r.headers, s3)?.verify(
            secret,
            &r.body,
            T + 5,
            &SigningKeyCache::new(),
        )
    }

    #[test]
    fn objects_are_put_path_style_and_signed_as_s3_expects() {
        let (endpoint, rx) = receiver(vec![200]);
        let key = "exportedlogs/4f1c/[$LATEST] a//b/000000.gz";
        store(&endpoint)
            .put_object("logs-archive", key, b"gzip bytes")
            .unwrap();
        let r = rx.recv().unwrap();
        assert_eq!(r.method, "PUT");
        assert_eq!(
            r.target,
            "/logs-archive/exportedlogs/4f1c/%5B%24LATEST%5D%20a//b/000000.gz"
        );
        assert_eq!(r.body, b"gzip bytes");
        assert_eq!(r.headers["content-type"], "application/gzip");
        assert_eq!(
            r.headers["x-amz-content-sha256"].to_str().unwrap(),
            hex_sha256(b"gzip bytes")
        );
        verify(&r, "minio-secret").unwrap();
        assert!(verify(&r, "another-secret").is_err());
    }

    #[test]
    fn a_refusal_is_an_error_carrying_the_status() {
        let (endpoint, _rx) = receiver(vec![403]);
        let err = store(&endpoint)
            .put_object("logs-archive", "k", b"x")
            .unwrap_err();
        assert!(err.contains("403"), "{err}");
        // Nothing listening: an error, not a panic.
        let err = store("http://127.0.0.1:1")
            .put_object("b", "k", b"x")
            .unwrap_err();
        assert!(!err.is_empty());
    }

    #[test]
    fn endpoints_must_be_bare_http_urls() {
        let mut o = S3Options {
            endpoint: "https://s3.example.com".into(),
            region: "us-east-1".into(),
            access_key_id: "a".into(),
            secret_access_key: "do-not-print-me".into(),
        };
        assert!(o.valid_endpoint());
        o.endpoint = "https://s3.example.com/bucket".into();
        assert!(!o.valid_endpoint());
        o.endpoint = "ftp://s3.example.com".into();
        assert!(!o.valid_endpoint());
        // The secret never reaches logs through Debug.
        assert!(!format!("{o:?}").contains("do-not-print-me"));
    }

    fn hex_sha256(b: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    }
}
