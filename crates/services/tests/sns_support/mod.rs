//! Shared setup of the SNS facade tests: the domain behind a `TestClient`, and XML helpers.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_sns::Sns;
use openwatch_storage::{Catalog, SimClock};
use openwatch_wire::Registry;
use openwatch_wire::testing::TestClient;

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
