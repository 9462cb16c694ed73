//! Shared setup of the SNS facade tests: the domain behind a `TestClient`, and XML helpers.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_sns::Sns;
use openwatch_storage::{Catalog, SimClock};
use openwatch_wire::testing::{TestClient, TestResponse};
use openwatch_wire::{Registry, Service};

pub struct Fixture {
    pub client: TestClient,
    pub sns: Arc<Sns>,
    _dir: tempfile::TempDir,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let sns = Arc::new(
        Sns::open(
            catalog,
            &dir.path().join("sns"),
            clock,
            openwatch_sns::testing::options("http://localhost:4599"),
        )
        .unwrap(),
    );
    let mut registry = Registry::new();
    openwatch_services::sns::register(&mut registry, Arc::clone(&sns));
    let client = TestClient::new(registry, Arc::new(|| 1_764_000_000_000));
    Fixture {
        client,
        sns,
        _dir: dir,
    }
}

/// The text of the first `<tag>` element.
pub fn element(text: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {text}"))
        + open.len();
    let end = text[start..].find(&format!("</{tag}>")).unwrap() + start;
    text[start..end].to_owned()
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

pub async fn deliver(f: &Fixture) {
    let sns = Arc::clone(&f.sns);
    tokio::task::spawn_blocking(move || sns.run_deliveries().unwrap())
        .await
        .unwrap();
}

/// The part of a server URL after `http://localhost:4599`.
pub fn local(url: &str) -> &str {
    url.strip_prefix("http://localhost:4599").unwrap()
}

/// An SNS query call that must answer `status`.
pub async fn call(
    c: &TestClient,
    action: &str,
    params: &[(&str, &str)],
    status: u16,
) -> TestResponse {
    let r = c.query(Service::Sns, action, params).await;
    assert_eq!(r.status, status, "{action}: {}", r.text());
    r
}

/// Creates the topic `name`; returns its ARN.
pub async fn topic(c: &TestClient, name: &str) -> String {
    element(
        &call(c, "CreateTopic", &[("Name", name)], 200).await.text(),
        "TopicArn",
    )
}

/// Asserts that a response's body contains `needle`.
pub fn assert_contains(r: &TestResponse, needle: &str) {
    let text = r.text();
    assert!(text.contains(needle), "no {needle:?} in {text}");
}
