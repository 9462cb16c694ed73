//! Connections, API destinations and real HTTP calls to a loopback receiver.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{Value, json};

use super::*;
use crate::*;

/// A receiver answering with `statuses` in turn (the last one repeats), keeping each request's
/// head and body.
/// Requests a receiver got: (head, body).
type Received = Arc<Mutex<Vec<(String, String)>>>;

fn receiver(statuses: Vec<u16>) -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            seen.lock()
                .push((head, String::from_utf8_lossy(&body).into_owned()));
            let status = *statuses.get(i).or(statuses.last()).unwrap();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, got)
}

fn destination(e: &Events, name: &str, port: u16, path: &str, rate: Option<i64>) -> String {
    let conn = e
        .create_connection(
            A,
            R,
            &format!("{name}-conn"),
            None,
            ConnectionAuth::ApiKey {
                name: "x-api-key".into(),
                value: "s3cret".into(),
            },
        )
        .unwrap();
    e.create_api_destination(
        A,
        R,
        name,
        None,
        &conn.arn,
        &format!("http://127.0.0.1:{port}{path}"),
        "POST",
        rate,
    )
    .unwrap()
    .arn
}

#[tokio::test]
async fn api_destination_retries_until_the_receiver_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, clock, ..
    } = env(dir.path());
    let (port, got) = receiver(vec![500, 503, 200]);
    let arn = destination(&e, "hook", port, "/hook?src=eb", None);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    assert!(
        e.put_targets(A, R, None, "r", vec![target("api", &arn)])
            .unwrap()
            .is_empty()
    );
    e.put_events(A, R, &[entry("shop", json!({"n": 1}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(2));
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    let got = got.lock().clone();
    assert_eq!(got.len(), 3);
    let (head, body) = &got[2];
    assert!(head.starts_with("POST /hook?src=eb HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("x-api-key: s3cret\r\n"), "{head}");
    assert!(head.contains("Content-Type: application/json"), "{head}");
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["detail"]["n"], 1);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_rate_limits_defer() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, clock, ..
    } = env(dir.path());
    let (port, got) = receiver(vec![404]);
    let arn = destination(&e, "gone", port, "/", None);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "r", vec![target("api", &arn)])
        .unwrap();
    e.put_events(A, R, &[entry("shop", json!({}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().dropped, 1);
    assert!(
        e.dead_letters()[0].reason.contains("HTTP 404"),
        "{:?}",
        e.dead_letters()
    );
    assert_eq!(got.lock().len(), 1);

    let (port, got) = receiver(vec![200]);
    let slow = destination(&e, "slow", port, "/", Some(1));
    e.put_rule(A, R, rule("s", r#"{"source":["slow"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "s", vec![target("api", &slow)])
        .unwrap();
    e.put_events(
        A,
        R,
        &[
            entry("slow", json!({"n": 1})),
            entry("slow", json!({"n": 2})),
        ],
    )
    .await
    .unwrap();
    let first = e.run_deliveries().unwrap();
    assert_eq!(
        (first.delivered, first.retried),
        (1, 1),
        "one call per second"
    );
    let waiting = e.pending_deliveries();
    assert_eq!(
        waiting[0].attempts, 0,
        "a throttled delivery has not used a retry"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    assert_eq!(got.lock().len(), 2);
}

#[test]
fn connections_and_destinations_crud() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path()).events;
    let c = e
        .create_connection(
            A,
            R,
            "basic",
            Some("d"),
            ConnectionAuth::Basic {
                username: "u".into(),
                password: "p".into(),
            },
        )
        .unwrap();
    assert!(
        c.arn
            .starts_with("arn:aws:events:us-east-1:123456789012:connection/basic/")
    );
    assert!(
        !format!("{c:?}").contains("password"),
        "Debug hides the credentials"
    );
    assert_eq!(
        e.create_connection(
            A,
            R,
            "basic",
            None,
            ConnectionAuth::Basic {
                username: "u".into(),
                password: "p".into()
            }
        )
        .unwrap_err()
        .code(),
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        e.create_connection(
            A,
            R,
            "x",
            None,
            ConnectionAuth::ApiKey {
                name: String::new(),
                value: "v".into()
            }
        )
        .unwrap_err()
        .code(),
        "ValidationException"
    );
    let ftp = e.create_api_destination(A, R, "d", None, &c.arn, "ftp://example.com/", "POST", None);
    assert_eq!(ftp.unwrap_err().code(), "ValidationException");
    assert_eq!(
        e.create_api_destination(A, R, "d", None, &c.arn, "http://h/", "FETCH", None)
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    assert_eq!(
        e.create_api_destination(A, R, "d", None, &c.arn, "http://h/", "POST", Some(0))
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    let missing = "arn:aws:events:us-east-1:123456789012:connection/nope/1";
    assert_eq!(
        e.create_api_destination(A, R, "d", None, missing, "http://h/", "POST", None)
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    let d = e
        .create_api_destination(
            A,
            R,
            "d",
            Some("desc"),
            &c.arn,
            "http://h:8080/x",
            "PUT",
            Some(5),
        )
        .unwrap();
    assert_eq!(d.invocation_rate_limit_per_second, 5);
    assert_eq!(
        e.describe_api_destination(A, R, "d").unwrap().http_method,
        "PUT"
    );
    assert_eq!(
        e.list_api_destinations(A, R, None, Some(&c.arn), &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        e.list_connections(A, R, Some("ba"), None, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        e.describe_connection(A, R, "basic").unwrap().auth.kind(),
        "BASIC"
    );
    e.delete_api_destination(A, R, "d").unwrap();
    assert_eq!(
        e.delete_api_destination(A, R, "d").unwrap_err().code(),
        "ResourceNotFoundException"
    );
    e.delete_connection(A, R, "basic").unwrap();
    assert_eq!(
        e.describe_connection(A, R, "basic").unwrap_err().code(),
        "ResourceNotFoundException"
    );
}

#[test]
fn connections_survive_reopen_and_never_print_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(START));
    let arn = {
        let e = open(dir.path(), clock.clone()).events;
        let auth = ConnectionAuth::ApiKey {
            name: "k".into(),
            value: "topsecret".into(),
        };
        assert!(!format!("{auth:?}").contains("topsecret"));
        let c = e.create_connection(A, R, "c", None, auth).unwrap();
        e.create_api_destination(A, R, "d", None, &c.arn, "http://127.0.0.1:9/", "POST", None)
            .unwrap()
            .arn
    };
    let e = open(dir.path(), clock).events;
    assert_eq!(e.describe_api_destination(A, R, "d").unwrap().arn, arn);
    let c = e.describe_connection(A, R, "c").unwrap();
    assert!(!format!("{c:?}").contains("topsecret"));
    assert_eq!(
        c.auth,
        ConnectionAuth::ApiKey {
            name: "k".into(),
            value: "topsecret".into()
        }
    );
}

#[tokio::test]
async fn a_failing_destination_is_called_once_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let Env { events: e, .. } = env(dir.path());
    let (port, got) = receiver(vec![503]);
    let arn = destination(&e, "down", port, "/", None);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "r", vec![target("api", &arn)])
        .unwrap();
    let three: Vec<EventEntry> = (0..3).map(|n| entry("shop", json!({ "n": n }))).collect();
    e.put_events(A, R, &three).await.unwrap();
    assert_eq!(e.run_deliveries().unwrap().retried, 3);
    assert_eq!(got.lock().len(), 1, "the other two waited for the next run");
    assert!(e.pending_deliveries().iter().all(|d| d.attempts == 1));
}
