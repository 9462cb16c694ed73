//! STS through the pipeline, in the query protocol as the CLI sends it.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};

#[tokio::test]
async fn get_caller_identity_names_the_caller() {
    let mut registry = Registry::new();
    openwatch_services::sts::register(&mut registry);
    let client = TestClient::new(registry, Arc::new(|| 1_764_000_000_000));
    let resp = client.query(Service::Sts, "GetCallerIdentity", &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let text = resp.text();
    assert!(
        text.contains(&format!("<Account>{TEST_ACCOUNT}</Account>")),
        "{text}"
    );
    assert!(
        text.contains(&format!("<Arn>arn:aws:iam::{TEST_ACCOUNT}:root</Arn>")),
        "{text}"
    );
    let events = client.audit.0.lock();
    assert_eq!(events.len(), 1);
    assert!(events[0].read_only);
}
