//! CreateExportTask into an S3-compatible store (`[export-s3]`): the server PUTs each object
//! path-style, SigV4-signed with S3's rules, to a local stand-in for the store that checks the
//! signature with the store's secret before accepting.

use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::types::{ExportTaskStatusCode, InputLogEvent};
use openwatch_e2e::{Clients, REGION, create_accounts, ok, stand_in};
use openwatch_server::s3_export::S3Options;
use openwatch_server::{Config, Server};
use openwatch_sigv4::{PathOptions, SigningKeyCache, parse_with_options};

const SECRET: &str = "store-secret";

/// Objects the store accepted: (path, body).
type Stored = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A store that answers 200 to PUTs signed with [`SECRET`] and 403 to anything else.
async fn object_store() -> (String, Stored) {
    let stored: Stored = Arc::default();
    let objects = Arc::clone(&stored);
    let endpoint = stand_in::start(move |req| {
        let s3 = PathOptions {
            normalize_path: false,
            double_encode_path: false,
        };
        let verified = req.method == "PUT"
            && req.target.parse::<http::Uri>().is_ok_and(|uri| {
                parse_with_options(&http::Method::PUT, &uri, &req.headers, s3).is_ok_and(|p| {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs() as i64);
                    p.verify(SECRET, &req.body, now, &SigningKeyCache::new())
                        .is_ok()
                })
            });
        if verified {
            objects.lock().expect("lock").push((req.target, req.body));
            http::StatusCode::OK
        } else {
            http::StatusCode::FORBIDDEN
        }
    })
    .await;
    (endpoint, stored)
}

#[tokio::test]
async fn export_tasks_write_signed_objects_to_an_s3_compatible_store() {
    let (endpoint, stored) = object_store().await;
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data = tmp.path().join("data");
    let (_, keys) = create_accounts(&data, &["exporter"]).remove(0);
    let server = Server::start(Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data.clone(),
        dev: false,
        public_url: None,
        export_s3: Some(S3Options {
            endpoint,
            region: REGION.into(),
            access_key_id: "STOREKEY".into(),
            secret_access_key: SECRET.into(),
        }),
    })
    .await
    .expect("the server starts");
    let clients = Clients::new(&format!("http://{}", server.local_addr()), &keys);
    let logs = &clients.logs;

    ok(
        logs.create_log_group().log_group_name("/app").send().await,
        "CreateLogGroup",
    );
    ok(
        logs.create_log_stream()
            .log_group_name("/app")
            .log_stream_name("web [1]")
            .send()
            .await,
        "CreateLogStream",
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("clock");
    ok(
        logs.put_log_events()
            .log_group_name("/app")
            .log_stream_name("web [1]")
            .log_events(
                InputLogEvent::builder()
                    .timestamp(now - 1000)
                    .message("GET /index.html 200")
                    .build()
                    .expect("event"),
            )
            .send()
            .await,
        "PutLogEvents",
    );
    let task = ok(
        logs.create_export_task()
            .log_group_name("/app")
            .from(now - 60_000)
            .to(now + 60_000)
            .destination("archive-bucket")
            .destination_prefix("exports")
            .send()
            .await,
        "CreateExportTask",
    )
    .task_id()
    .expect("task id")
    .to_owned();

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let tasks = ok(
            logs.describe_export_tasks().task_id(&task).send().await,
            "DescribeExportTasks",
        );
        let status = tasks.export_tasks()[0]
            .status()
            .and_then(|s| s.code())
            .cloned();
        if status == Some(ExportTaskStatusCode::Completed) {
            break;
        }
        assert_ne!(status, Some(ExportTaskStatusCode::Failed), "{tasks:?}");
        assert!(
            Instant::now() < deadline,
            "export never completed: {tasks:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let objects = stored.lock().expect("lock").clone();
    let paths: Vec<&str> = objects.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        paths.contains(&"/archive-bucket/exports/aws-logs-write-test"),
        "{paths:?}"
    );
    let file = format!("/archive-bucket/exports/{task}/web%20%5B1%5D/000000.gz");
    let (_, gz) = objects
        .iter()
        .find(|(p, _)| *p == file)
        .unwrap_or_else(|| panic!("no {file} in {paths:?}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("gzip");
    assert!(text.ends_with(" GET /index.html 200\n"), "{text:?}");
    server.shutdown().await.expect("clean shutdown");
}
