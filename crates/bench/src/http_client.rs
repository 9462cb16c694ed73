//! The HTTP client side the suites that drive a server over the wire share: an in-process
//! OpenWatch server on a fresh data directory, SigV4-signed POST headers, keep-alive HTTP/1.1
//! connections and a checked exchange.
//!
//! Requests are signed once and may be sent many times (SigV4 has no nonce), so signing stays out
//! of the timed loops: callers keep the [`http::HeaderMap`] and build each copy with [`post`].

use std::path::PathBuf;

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The sending half of a keep-alive HTTP/1.1 connection.
pub type Sender = http1::SendRequest<Full<Bytes>>;

/// The content type of an awsJson 1.1 call (Logs, EventBridge).
pub const AWS_JSON_1_1: &str = "application/x-amz-json-1.1";
/// The content type of an awsQuery call (STS, IAM, SNS).
pub const FORM_URLENCODED: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The region every suite signs for.
const REGION: &str = "us-east-1";
/// The key pair a `--dev` server accepts.
const DEV_KEY: &str = "test";

/// Who signs, and for which service.
pub struct Signer<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The SigV4 service name (`sts`, `logs`, `events`, ...).
    pub service: &'a str,
}

impl<'a> Signer<'a> {
    /// The `--dev` server's key pair, signing for `service`.
    pub fn dev(service: &'a str) -> Signer<'a> {
        Signer {
            access_key_id: DEV_KEY,
            secret_access_key: DEV_KEY,
            service,
        }
    }
}

/// Starts an OpenWatch server on a loopback port of `rt`, on `data_dir`, with `--dev` credentials.
pub fn start_dev_server(
    rt: &tokio::runtime::Runtime,
    data_dir: PathBuf,
) -> anyhow::Result<openwatch_server::Server> {
    let config = openwatch_server::Config {
        listen: "127.0.0.1:0".parse()?,
        data_dir,
        dev: true,
        public_url: None,
        export_s3: None,
    };
    rt.block_on(openwatch_server::Server::start(config))
}

/// The headers of a POST of `body` to `/` on `authority` with `content_type` (and `X-Amz-Target`
/// when `target` is given), SigV4-signed now in us-east-1.
pub fn signed_headers(
    authority: &str,
    signer: &Signer<'_>,
    content_type: &'static str,
    target: Option<&str>,
    body: &[u8],
) -> anyhow::Result<http::HeaderMap> {
    let uri: http::Uri = format!("http://{authority}/").parse()?;
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::HOST, authority.parse()?);
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    if let Some(target) = target {
        headers.insert("x-amz-target", target.parse()?);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let params = openwatch_sigv4::SigningParams {
        access_key_id: signer.access_key_id,
        secret_access_key: signer.secret_access_key,
        region: REGION,
        service: signer.service,
        time_unix: now,
        session_token: None,
        payload: openwatch_sigv4::PayloadSigning::Hash,
    };
    let added = openwatch_sigv4::sign_request(&http::Method::POST, &uri, &headers, body, &params)
        .context("cannot sign the request")?;
    for (name, value) in added {
        headers.insert(name, value);
    }
    Ok(headers)
}

/// The headers of an awsJson 1.1 call of `target` to `service`, signed with the dev key pair.
pub fn json_headers(
    authority: &str,
    service: &str,
    target: &str,
    body: &[u8],
) -> anyhow::Result<http::HeaderMap> {
    signed_headers(
        authority,
        &Signer::dev(service),
        AWS_JSON_1_1,
        Some(target),
        body,
    )
}

/// A POST to `/` with `headers` and `body`.
pub fn post(headers: &http::HeaderMap, body: Bytes) -> anyhow::Result<http::Request<Full<Bytes>>> {
    let mut req = http::Request::post("/").body(Full::new(body))?;
    *req.headers_mut() = headers.clone();
    Ok(req)
}

/// Opens a keep-alive HTTP/1.1 connection (no Nagle delay).
pub async fn connect(authority: &str) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .with_context(|| format!("cannot connect to {authority}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends `req` once the connection is ready and returns the response body; a status other than
/// 2xx is an error carrying the body.
pub async fn exchange(
    sender: &mut Sender,
    req: http::Request<Full<Bytes>>,
) -> anyhow::Result<Bytes> {
    sender.ready().await?;
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    anyhow::ensure!(
        status.is_success(),
        "the server answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(body)
}

/// One awsJson 1.1 call of `target` to `service` on a connection of its own, which must succeed;
/// returns the JSON answer (`Null` for an empty one).
pub async fn call_json(
    authority: &str,
    service: &str,
    target: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let body = Bytes::from(serde_json::to_vec(body)?);
    let headers = json_headers(authority, service, target, &body)?;
    let mut sender = connect(authority).await?;
    let answer = exchange(&mut sender, post(&headers, body)?)
        .await
        .with_context(|| format!("{target} failed"))?;
    Ok(serde_json::from_slice(&answer).unwrap_or(Value::Null))
}
