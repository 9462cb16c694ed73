//! Durability across `kill -9`: the server runs in a child process (this test binary re-executed
//! to run only `child_server_entry_point`), is killed with SIGKILL and restarted on the same data
//! directory.

use std::time::Duration;

use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_iam::operation::RequestId as _;
use serde_json::Value;

use openwatch_e2e::{ChildServer, Clients, find_event, ok, read_credentials_file};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_create_user_survives_kill_9() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data_dir = dir.path().join("data");
    let port_file = dir.path().join("port");

    let child = ChildServer::spawn(&data_dir, &port_file).await;
    let credentials_file = data_dir.join("credentials");
    let credentials =
        std::fs::read_to_string(&credentials_file).expect("the bootstrap credentials file");
    let keys = read_credentials_file(&credentials_file);
    let clients = Clients::new(&child.endpoint(), &keys);
    let created = ok(
        clients.iam.create_user().user_name("survivor").send().await,
        "CreateUser",
    );
    let request_id = created.request_id().expect("a request id").to_owned();
    let user = created.user.expect("CreateUser returns the user");

    // The catalog commit is durable before CreateUser is acknowledged, so the user must survive
    // whenever the kill comes. The trail is asynchronous by design (ARCHITECTURE.md: queued, then
    // appended and group-committed every 10 ms by a writer thread): a record acknowledged a
    // moment before a crash may legitimately be lost. So wait until the record is indexed
    // (appended), then give the group commit 100 ms — ten commit intervals — to write it out.
    // This is the one fixed sleep in these tests; only the trail assertion below depends on it.
    find_event(
        &clients.cloudtrail,
        LookupAttributeKey::EventName,
        "CreateUser",
        |r| r.pointer("/requestID") == Some(&Value::from(request_id.as_str())),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    child.kill_9();

    let child = ChildServer::spawn(&data_dir, &port_file).await;
    assert_eq!(
        std::fs::read_to_string(&credentials_file).expect("the credentials file"),
        credentials,
        "a restart must not re-create the account"
    );
    let clients = Clients::new(&child.endpoint(), &keys);
    let got = ok(
        clients.iam.get_user().user_name("survivor").send().await,
        "GetUser after kill -9",
    )
    .user
    .expect("the user");
    assert_eq!(got.user_id(), user.user_id());
    assert_eq!(got.arn(), user.arn());
    let listed = ok(
        clients.iam.list_users().send().await,
        "ListUsers after kill -9",
    );
    assert!(
        listed.users().iter().any(|u| u.user_name() == "survivor"),
        "{:?}",
        listed.users()
    );
    let (_, record) = find_event(
        &clients.cloudtrail,
        LookupAttributeKey::EventName,
        "CreateUser",
        |r| r.pointer("/requestID") == Some(&Value::from(request_id.as_str())),
    )
    .await;
    assert_eq!(
        record.pointer("/requestParameters/userName"),
        Some(&Value::from("survivor")),
        "{record:#}"
    );

    // Closing its standard input stops the child gracefully.
    let status = child.stop().await;
    assert!(
        status.success(),
        "the child server's graceful shutdown failed: {status}"
    );
}
