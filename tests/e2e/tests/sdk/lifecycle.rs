//! `/health`, restarts and the data directory lock.

use aws_sdk_cloudtrail::types::LookupAttributeKey;
use serde_json::Value;

use openwatch_e2e::{
    Config, Server, TestServer, find_event, ok, raw_request, read_credentials_file,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_200_json_without_authentication() {
    let server = TestServer::start().await;
    let resp = raw_request(server.addr(), "GET", "/health", &[], b"")
        .await
        .expect("GET /health");
    assert_eq!(resp.status, 200, "{resp:?}");
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{resp:?}"
    );
    let body: Value = serde_json::from_slice(&resp.body).expect("the health body is JSON");
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["version"], openwatch_server::VERSION, "{body}");
    assert!(body["uptimeSeconds"].is_u64(), "{body}");
    server.shutdown().await;
}

/// A request with no signature at all is refused, not served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_request_is_refused() {
    let server = TestServer::start().await;
    let resp = raw_request(
        server.addr(),
        "POST",
        "/",
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        b"Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await
    .expect("POST /");
    assert_eq!(resp.status, 403, "{resp:?}");
    let body = String::from_utf8_lossy(&resp.body);
    assert!(body.contains("<ErrorResponse"), "{body}");
    assert!(body.contains("MissingAuthenticationToken"), "{body}");
    assert!(resp.header("x-amzn-requestid").is_some(), "{resp:?}");
    server.shutdown().await;
}

/// A graceful restart keeps the account, its keys, its users and its trail, and does not
/// re-create the account or rewrite the credentials file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_accounts_users_and_trail() {
    let server = TestServer::start().await;
    let credentials = server.data_dir().join("credentials");
    let before = std::fs::read_to_string(&credentials).expect("credentials file");
    assert_eq!(read_credentials_file(&credentials), server.root_keys());
    let created = ok(
        server
            .root_clients()
            .iam
            .create_user()
            .user_name("frank")
            .send()
            .await,
        "CreateUser",
    )
    .user
    .expect("the user");

    let server = server.restart().await;
    assert!(
        server.bootstrap().is_none(),
        "a restart must not create another account"
    );
    assert_eq!(
        std::fs::read_to_string(&credentials).expect("credentials file"),
        before
    );
    let root = server.root_clients();
    let me = ok(
        root.sts.get_caller_identity().send().await,
        "GetCallerIdentity after restart",
    );
    assert_eq!(me.account(), Some(server.account()));
    let user = ok(
        root.iam.get_user().user_name("frank").send().await,
        "GetUser after restart",
    )
    .user
    .expect("the user");
    assert_eq!(user.user_id(), created.user_id());
    // A graceful shutdown flushes the trail.
    find_event(
        &root.cloudtrail,
        LookupAttributeKey::EventName,
        "CreateUser",
        |r| r.pointer("/requestParameters/userName") == Some(&Value::from("frank")),
    )
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_cannot_open_a_data_directory_in_use() {
    let server = TestServer::start().await;
    let second = Server::start(Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        data_dir: server.data_dir(),
        dev: false,
        public_url: None,
        export_s3: None,
    })
    .await;
    assert!(
        second.is_err(),
        "two servers opened {}",
        server.data_dir().display()
    );
    // The first one is unaffected.
    ok(
        server.root_clients().sts.get_caller_identity().send().await,
        "GetCallerIdentity",
    );
    server.shutdown().await;
}
