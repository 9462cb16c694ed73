//! API destinations over `https://`: a local TLS receiver with a certificate made here, trusted
//! through the outbound client's extra-CA path; an untrusted one is retried, then dead-lettered.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};

use super::*;
use crate::*;

/// Bodies a receiver got.
type Bodies = Arc<Mutex<Vec<String>>>;

/// A TLS receiver on 127.0.0.1 answering 200; returns its port, certificate and what it got.
fn tls_receiver() -> (u16, CertificateDer<'static>, Bodies) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let der = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(sock) = sock else { return };
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut stream = BufReader::new(rustls::StreamOwned::new(conn, sock));
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    let mut body = vec![0; len];
                    if stream.read_exact(&mut body).is_err() {
                        break;
                    }
                    seen.lock()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    let s = stream.get_mut();
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                    s.conn.send_close_notify();
                    let _ = s.flush();
                    break;
                }
            }
        }
    });
    (port, der, got)
}

fn https_destination(e: &Events, name: &str, port: u16) -> String {
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
        &format!("https://127.0.0.1:{port}/hook"),
        "POST",
        None,
    )
    .unwrap()
    .arn
}

#[tokio::test]
async fn https_destination_trusted_through_the_extra_ca() {
    let dir = tempfile::tempdir().unwrap();
    let Env { events: e, .. } = env(dir.path());
    let (port, der, got) = tls_receiver();
    crate::http::tls::add_extra_ca_der(vec![der]).unwrap();
    let arn = https_destination(&e, "secure", port);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "r", vec![target("api", &arn)])
        .unwrap();
    e.put_events(A, R, &[entry("shop", json!({"n": 7}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    let got = got.lock().clone();
    assert_eq!(got.len(), 1);
    let event: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(event["detail"]["n"], 7);
}

#[tokio::test]
async fn an_untrusted_certificate_is_retried_then_dead_lettered() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e,
        clock,
        sink,
    } = env(dir.path());
    // This certificate is never added to the trust store.
    let (port, _der, got) = tls_receiver();
    let arn = https_destination(&e, "untrusted", port);
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    let mut t = target("api", &arn);
    t.retry_policy = Some(RetryPolicy {
        maximum_retry_attempts: Some(1),
        maximum_event_age_in_seconds: None,
    });
    t.dead_letter_arn = Some("arn:aws:sqs:us-east-1:123456789012:dlq".into());
    e.put_targets(A, R, None, "r", vec![t]).unwrap();
    e.put_events(A, R, &[entry("shop", json!({}))])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_deliveries().unwrap().dropped, 1);
    let dead = e.dead_letters();
    assert!(dead[0].dead_lettered);
    assert!(
        dead[0].reason.contains("certificate"),
        "{:?}",
        dead[0].reason
    );
    assert!(got.lock().is_empty(), "no request went through");
    assert_eq!(sink.got.lock().len(), 1, "the dead-letter queue got it");
}
