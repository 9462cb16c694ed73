//! End-to-end test support: the real server on a loopback port, and the official AWS SDK for Rust
//! configured the way a user would point it at OpenWatch (`endpoint_url`, static keys, region
//! `us-east-1`, a plain-HTTP client).
//!
//! The tests live in `tests/sdk/` (one test binary, so the SDK is linked once). They start one
//! server per test, each in its own temporary data directory, and never share state.
//!
//! Nothing here sleeps for correctness: waiting is done by polling with a deadline
//! ([`eventually`]), so a slow machine only makes a test slower, never wrong.

use std::future::Future;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

pub use openwatch_server::{Bootstrap, Config, Server};

pub mod stand_in;

/// The region every client uses (the one the bootstrap `config` file names).
pub const REGION: &str = "us-east-1";

/// How long [`eventually`] waits before failing the test. Generous: CI machines are slow, and
/// a correct server answers in milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// An access key pair.
#[derive(Clone, PartialEq, Eq)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl Keys {
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Keys {
        Keys {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        }
    }

    /// The `--dev` key (`test`/`test`, account 000000000000).
    pub fn dev() -> Keys {
        Keys::new("test", "test")
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// A server running in this process on `127.0.0.1:0`, in a temporary data directory it owns.
pub struct TestServer {
    server: Option<Server>,
    addr: SocketAddr,
    dev: bool,
    root: Keys,
    account: String,
    // Dropped last: the server must be gone before its directory is deleted.
    dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server on a fresh data directory (first start: it creates the account).
    pub async fn start() -> TestServer {
        TestServer::start_with(false).await
    }

    /// As [`TestServer::start`], with `--dev` (the `test`/`test` key also works).
    pub async fn start_dev() -> TestServer {
        TestServer::start_with(true).await
    }

    async fn start_with(dev: bool) -> TestServer {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let server = Server::start(config(&data_dir_in(dir.path()), dev))
            .await
            .expect("the server did not start");
        let bootstrap = server
            .bootstrap()
            .expect("the first start of an empty data directory must create an account");
        let root = Keys::new(
            bootstrap.access_key_id.clone(),
            bootstrap.secret_access_key(),
        );
        let account = bootstrap.account.to_string();
        TestServer {
            addr: server.local_addr(),
            server: Some(server),
            dev,
            root,
            account,
            dir,
        }
    }

    /// Stops the server gracefully and starts it again on the same data directory (and a new
    /// port). The returned server's [`TestServer::bootstrap`] is `None`.
    pub async fn restart(mut self) -> TestServer {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown failed");
        }
        let server = Server::start(config(&self.data_dir(), self.dev))
            .await
            .expect("the server did not restart");
        self.addr = server.local_addr();
        self.server = Some(server);
        self
    }

    /// Stops the server gracefully (flushes the trail, releases the data directory).
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown failed");
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, the `endpoint_url` clients use.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> PathBuf {
        data_dir_in(self.dir.path())
    }

    /// What this start created, if it was the first start of the data directory.
    pub fn bootstrap(&self) -> Option<&Bootstrap> {
        self.server.as_ref().and_then(Server::bootstrap)
    }

    /// The account created on first start.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The account's root access key, created on first start.
    pub fn root_keys(&self) -> Keys {
        self.root.clone()
    }

    pub fn clients(&self, keys: &Keys) -> Clients {
        Clients::new(&self.endpoint(), keys)
    }

    pub fn root_clients(&self) -> Clients {
        self.clients(&self.root)
    }
}

/// Accounts made with the server stopped, as `openwatch admin create-account` does, so that a
/// server started on `data_dir` afterwards creates none of its own. Returns each account's id
/// and root keys, in the order of `names`.
pub fn create_accounts(data_dir: &Path, names: &[&str]) -> Vec<(String, Keys)> {
    let dir = openwatch_storage::DataDir::open(data_dir).expect("data dir");
    let catalog = std::sync::Arc::new(
        openwatch_storage::Catalog::open(&dir.catalog_path()).expect("catalog"),
    );
    let iam =
        openwatch_iam::Iam::open(catalog, std::sync::Arc::new(openwatch_storage::SystemClock))
            .expect("iam");
    names
        .iter()
        .map(|name| {
            let (account, key) = iam.create_account(name).expect("an account");
            (
                account.id.to_string(),
                Keys::new(
                    key.access_key_id.clone(),
                    key.secret_access_key.expose().to_owned(),
                ),
            )
        })
        .collect()
}

/// A server on `data_dir` (made by [`create_accounts`]), on a free loopback port.
pub async fn start_on(data_dir: &Path) -> Server {
    Server::start(config(data_dir, false))
        .await
        .expect("the server starts")
}

fn data_dir_in(dir: &Path) -> PathBuf {
    dir.join("data")
}

fn config(data_dir: &Path, dev: bool) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_owned(),
        dev,
        public_url: None,
        export_s3: None,
    }
}

/// An SDK configuration as a user would write it for OpenWatch: `endpoint_url`, static keys,
/// region us-east-1, and a plain-HTTP client (no TLS stack is compiled in).
///
/// Retries are off so that every server error reaches the test as it was sent, and every call
/// has a deadline so that a hung server fails the test instead of hanging it.
pub fn sdk_config(endpoint: &str, keys: &Keys) -> SdkConfig {
    sdk_config_with(
        endpoint,
        SharedCredentialsProvider::new(Credentials::new(
            keys.access_key_id.clone(),
            keys.secret_access_key.clone(),
            None,
            None,
            "openwatch-e2e",
        )),
        Region::new(REGION),
    )
}

/// As [`sdk_config`], with any credentials provider and region.
pub fn sdk_config_with(
    endpoint: &str,
    credentials: SharedCredentialsProvider,
    region: Region,
) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .http_client(http_client())
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(60))
                .build(),
        )
        .build()
}

/// The SDK's hyper-based client without TLS. One per configuration: its connection pool is tied
/// to the runtime it first runs on, and every test has its own runtime.
pub fn http_client() -> aws_sdk_sts::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

/// One client per service, all with the same endpoint and keys.
#[derive(Clone, Debug)]
pub struct Clients {
    pub sts: aws_sdk_sts::Client,
    pub iam: aws_sdk_iam::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub sns: aws_sdk_sns::Client,
}

impl Clients {
    pub fn new(endpoint: &str, keys: &Keys) -> Clients {
        Clients::from_config(&sdk_config(endpoint, keys))
    }

    pub fn from_config(config: &SdkConfig) -> Clients {
        Clients {
            sts: aws_sdk_sts::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            cloudtrail: aws_sdk_cloudtrail::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
        }
    }
}

/// Polls `probe` until it returns `Some`, failing the test after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {PATIENCE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Errors as the SDK user sees them

/// An AWS error response as the SDK exposes it: the error code (`ProvideErrorMetadata::code`,
/// the value SDK users match on) and message, plus what the raw response carried.
#[derive(Clone)]
pub struct ServiceErrorInfo {
    pub status: u16,
    pub code: String,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub content_type: Option<String>,
    /// `x-amzn-query-error` (query-compatible services such as CloudWatch).
    pub query_error: Option<String>,
    /// `smithy-protocol` (RPC v2 CBOR).
    pub smithy_protocol: Option<String>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for ServiceErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceErrorInfo")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("content_type", &self.content_type)
            .field("query_error", &self.query_error)
            .field("smithy_protocol", &self.smithy_protocol)
            // CBOR bodies are binary, but their strings are readable this way.
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl ServiceErrorInfo {
    /// Whether the raw body contains `needle` (for binary CBOR bodies, whose strings are stored
    /// as plain UTF-8 after a length prefix).
    pub fn body_contains(&self, needle: &str) -> bool {
        self.body
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }
}

/// Fails the test unless the call failed; returns the error.
pub fn expect_err<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    what: &str,
) -> SdkError<E, HttpResponse> {
    match result {
        Ok(_) => panic!("{what}: expected an error response, but the call succeeded"),
        Err(e) => e,
    }
}

/// What the server answered to a failed call; fails the test if the call failed before the
/// server answered (connection refused, timeout) or the SDK could not parse the answer.
pub fn service_error<E>(err: &SdkError<E, HttpResponse>, what: &str) -> ServiceErrorInfo
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let Some(raw) = err.raw_response() else {
        panic!(
            "{what}: expected an error response from the server, got {}",
            DisplayErrorContext(&err)
        );
    };
    let header = |name: &str| raw.headers().get(name).map(str::to_owned);
    let info = ServiceErrorInfo {
        status: raw.status().as_u16(),
        code: err
            .code()
            .unwrap_or_else(|| {
                panic!(
                    "{what}: the SDK found no error code in {}",
                    DisplayErrorContext(&err)
                )
            })
            .to_owned(),
        message: err.message().map(str::to_owned),
        request_id: header("x-amzn-requestid"),
        content_type: header("content-type"),
        query_error: header("x-amzn-query-error"),
        smithy_protocol: header("smithy-protocol"),
        body: raw.body().bytes().map(<[u8]>::to_vec).unwrap_or_default(),
    };
    assert!(
        matches!(err, SdkError::ServiceError(_)),
        "{what}: the SDK did not parse the error response as a service error: {}",
        DisplayErrorContext(&err)
    );
    info
}

/// Unwraps an SDK result, failing the test with the SDK's full error context.
pub fn ok<T, E>(result: Result<T, SdkError<E, HttpResponse>>, what: &str) -> T
where
    E: std::error::Error + Send + Sync + 'static,
{
    result.unwrap_or_else(|e| panic!("{what} failed: {}", DisplayErrorContext(&e)))
}

// ---------------------------------------------------------------------------------------------
// CloudTrail

/// One page of `LookupEvents` for one lookup attribute (newest first).
pub async fn lookup_events(
    cloudtrail: &aws_sdk_cloudtrail::Client,
    key: LookupAttributeKey,
    value: &str,
) -> Vec<Event> {
    let attribute = LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .expect("a lookup attribute with key and value");
    let out = ok(
        cloudtrail
            .lookup_events()
            .lookup_attributes(attribute)
            .send()
            .await,
        "LookupEvents",
    );
    out.events.unwrap_or_default()
}

/// The `CloudTrailEvent` JSON document of an event.
pub fn record_of(event: &Event) -> serde_json::Value {
    let text = event
        .cloud_trail_event()
        .expect("LookupEvents returned an event without CloudTrailEvent");
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("CloudTrailEvent is not JSON ({e}): {text}"))
}

/// Waits until `LookupEvents` with `key = value` returns an event whose record satisfies `pred`.
/// Trail records are written asynchronously (queued, then appended and indexed by the writer
/// thread), so a call's record appears shortly after its response.
pub async fn find_event(
    cloudtrail: &aws_sdk_cloudtrail::Client,
    key: LookupAttributeKey,
    value: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> (Event, serde_json::Value) {
    let what = format!("a trail record with {} = {value}", key.as_str());
    eventually(&what, || async {
        lookup_events(cloudtrail, key.clone(), value)
            .await
            .into_iter()
            .map(|e| {
                let record = record_of(&e);
                (e, record)
            })
            .find(|(_, record)| pred(record))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP (for what the SDKs do not expose, such as /health)

/// A response read off the socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` over a plain `TcpStream` and reads the
/// whole response.
pub async fn raw_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<RawResponse> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::TimedOut, "no complete response in 30 s")
        })??;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> std::io::Result<RawResponse> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest).ok_or_else(|| bad("bad chunked body"))?
    } else {
        rest.to_vec()
    };
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Waits until `GET /health` answers 200.
pub async fn wait_for_health(addr: SocketAddr) {
    eventually(
        &format!("GET http://{addr}/health to answer 200"),
        || async {
            match raw_request(addr, "GET", "/health", &[], b"").await {
                Ok(r) if r.status == 200 => Some(()),
                _ => None,
            }
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Files the server writes

/// Reads the `[default]` keys from a shared-credentials file, as the bootstrap writes it.
pub fn read_credentials_file(path: &Path) -> Keys {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut in_default = false;
    let (mut akid, mut secret) = (None, None);
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_default = line == "[default]";
        } else if in_default && let Some((k, v)) = line.split_once('=') {
            match k.trim() {
                "aws_access_key_id" => akid = Some(v.trim().to_owned()),
                "aws_secret_access_key" => secret = Some(v.trim().to_owned()),
                _ => {}
            }
        }
    }
    match (akid, secret) {
        (Some(a), Some(s)) => Keys::new(a, s),
        _ => panic!("{} has no [default] key pair", path.display()),
    }
}

// ---------------------------------------------------------------------------------------------
// A server in a child process (for kill -9)

/// Set in a child process's environment to the data directory it must serve.
pub const CHILD_SERVER_ENV: &str = "OPENWATCH_E2E_CHILD_SERVER";
/// Set in a child process's environment to the file it writes its port to.
pub const CHILD_PORT_FILE_ENV: &str = "OPENWATCH_E2E_CHILD_PORT_FILE";
/// The name of the test function in the test binary that calls [`child_server_main`].
pub const CHILD_SERVER_TEST: &str = "child_server_entry_point";

/// The body of the test binary's `child_server_entry_point` test. In a normal test run it returns
/// at once. In a child started by [`ChildServer::spawn`] it starts a server on `127.0.0.1:0` in
/// the data directory named by [`CHILD_SERVER_ENV`], writes the port to the file named by
/// [`CHILD_PORT_FILE_ENV`] and serves until its standard input closes (the parent closes it, or
/// the parent dies), then shuts down gracefully.
pub fn child_server_main() {
    let Some(data_dir) = std::env::var_os(CHILD_SERVER_ENV) else {
        return;
    };
    let port_file = PathBuf::from(
        std::env::var_os(CHILD_PORT_FILE_ENV).expect("OPENWATCH_E2E_CHILD_PORT_FILE is not set"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("cannot build a runtime");
    runtime.block_on(async move {
        let server = Server::start(config(Path::new(&data_dir), false))
            .await
            .expect("the child server did not start");
        // Written then renamed, so the parent never reads a partial port number.
        let tmp = port_file.with_extension("tmp");
        std::fs::write(&tmp, server.local_addr().port().to_string())
            .expect("cannot write the port file");
        std::fs::rename(&tmp, &port_file).expect("cannot rename the port file");
        let _ = tokio::task::spawn_blocking(|| {
            let mut buf = [0u8; 64];
            while matches!(std::io::stdin().read(&mut buf), Ok(n) if n > 0) {}
        })
        .await;
        server
            .shutdown()
            .await
            .expect("the child server's graceful shutdown failed");
    });
}

/// A server in a child process: this test binary re-executed to run only
/// [`CHILD_SERVER_TEST`]. Killed (SIGKILL) when dropped.
pub struct ChildServer {
    child: Option<Child>,
    addr: SocketAddr,
}

impl ChildServer {
    /// Starts a child serving `data_dir` and waits until its `/health` answers.
    pub async fn spawn(data_dir: &Path, port_file: &Path) -> ChildServer {
        match std::fs::remove_file(port_file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("cannot remove {}: {e}", port_file.display()),
        }
        let exe = std::env::current_exe().expect("cannot find the test binary");
        let child = Command::new(exe)
            .args([
                "--exact",
                CHILD_SERVER_TEST,
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_SERVER_ENV, data_dir)
            .env(CHILD_PORT_FILE_ENV, port_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start the child server");
        let mut this = ChildServer {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let port: u16 = eventually("the child server to write its port", || {
            let exited = this
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                panic!("the child server exited before listening: {status}");
            }
            let port = std::fs::read_to_string(port_file)
                .ok()
                .and_then(|s| s.trim().parse().ok());
            async move { port }
        })
        .await;
        this.addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_for_health(this.addr).await;
        this
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `kill -9`: SIGKILL (what `Child::kill` sends on Unix), then reaps the process.
    pub fn kill_9(mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("cannot kill the child server");
            child.wait().expect("cannot reap the child server");
        }
    }

    /// Closes the child's standard input, which makes it shut down gracefully, and returns its
    /// exit status.
    pub async fn stop(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the child is running");
        drop(child.stdin.take());
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("the wait task panicked")
            .expect("cannot wait for the child server")
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
