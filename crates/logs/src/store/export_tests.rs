//! Export tasks on the simulated clock: key layout, gzip content, limits, cancellation.
#![allow(clippy::unwrap_used)]

use std::io::Read;

use super::subscription_tests::{A, env, group, put};
use super::test_env::{R, T0};
use super::*;

fn input(group: &str, from: i64, to: i64) -> ExportTaskInput {
    ExportTaskInput {
        task_name: Some("nightly".into()),
        group: group.into(),
        stream_prefix: None,
        from,
        to,
        destination: "archive".into(),
        destination_prefix: None,
    }
}

fn gunzip(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn an_export_writes_aws_key_layout_with_gzip_lines() {
    let env = env();
    let s = env.open();
    let root = env.tmp.path().join("buckets");
    assert_eq!(s.bucket_root(), root);
    group(&s, A, R, "/app", &["web-1", "web-2", "db-1"]);
    put(
        &s,
        A,
        "/app",
        "web-1",
        &[
            (T0 - 3000, "first"),
            (T0 - 2000, "second"),
            (T0 + 10, "late"),
        ],
    );
    s.flush_all().unwrap();
    put(&s, A, "/app", "web-2", &[(T0 - 2500, "other stream")]);
    put(
        &s,
        A,
        "/app",
        "db-1",
        &[(T0 - 2500, "not exported (prefix)")],
    );
    let mut req = input("/app", T0 - 3000, T0);
    req.stream_prefix = Some("web".into());
    req.destination_prefix = Some("exports/2025".into());
    let id = s.create_export_task(A, R, req).unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(
        std::fs::read(root.join("archive/exports/2025/aws-logs-write-test")).unwrap(),
        WRITE_TEST_CONTENT
    );
    let t = &s
        .describe_export_tasks(A, R, Some(&id), None, None, None)
        .unwrap()
        .tasks[0];
    assert_eq!(t.status_code, "PENDING");
    // One active task per account.
    let e = s
        .create_export_task(A, R, input("/app", 0, T0))
        .unwrap_err();
    assert_eq!(e.code(), "LimitExceededException");
    env.clock.set(T0 + 5000);
    assert_eq!(s.run_export_tasks().unwrap(), 1);
    let t = &s
        .describe_export_tasks(A, R, Some(&id), None, None, None)
        .unwrap()
        .tasks[0];
    assert_eq!(t.status_code, "COMPLETED");
    assert_eq!(t.completion_time, Some(T0 + 5000));
    assert_eq!(t.creation_time, T0);
    let dir = root.join("archive/exports/2025").join(&id);
    assert_eq!(
        gunzip(&dir.join("web-1/000000.gz")),
        "2025-11-24T15:59:57.000Z first\n2025-11-24T15:59:58.000Z second\n"
    );
    assert_eq!(
        gunzip(&dir.join("web-2/000000.gz")),
        "2025-11-24T15:59:57.500Z other stream\n"
    );
    assert!(!dir.join("db-1").exists());
    // Now another may start; the default prefix is `exportedlogs`.
    let id2 = s.create_export_task(A, R, input("/app", 0, T0)).unwrap();
    assert!(
        root.join("archive/exportedlogs/aws-logs-write-test")
            .exists()
    );
    let page = s
        .describe_export_tasks(A, R, None, Some("PENDING"), None, None)
        .unwrap();
    assert_eq!(page.tasks.len(), 1);
    assert_eq!(page.tasks[0].task_id, id2);
    let page = s
        .describe_export_tasks(A, R, None, None, Some(1), None)
        .unwrap();
    assert_eq!(page.tasks[0].task_id, id);
    let page = s
        .describe_export_tasks(A, R, None, None, Some(1), page.next_token.as_deref())
        .unwrap();
    assert_eq!(page.tasks[0].task_id, id2);
    assert!(page.next_token.is_none());
}

#[test]
fn cancelling_stops_a_pending_task_and_finished_ones_cannot_be_cancelled() {
    let env = env();
    let s = env.open();
    group(&s, A, R, "g", &["s"]);
    put(&s, A, "g", "s", &[(T0 - 10, "x")]);
    let id = s.create_export_task(A, R, input("g", 0, T0)).unwrap();
    s.cancel_export_task(A, R, &id).unwrap();
    assert_eq!(s.run_export_tasks().unwrap(), 0);
    let t = &s
        .describe_export_tasks(A, R, Some(&id), None, None, None)
        .unwrap()
        .tasks[0];
    assert_eq!(
        (t.status_code.as_str(), t.status_message.as_str()),
        ("CANCELLED", "Cancelled by user")
    );
    assert!(
        !env.tmp
            .path()
            .join("buckets/archive/exportedlogs")
            .join(&id)
            .exists()
    );
    let e = s.cancel_export_task(A, R, &id).unwrap_err();
    assert_eq!(e.code(), "InvalidOperationException");
    let e = s.cancel_export_task(A, R, "no-such-task").unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
}

#[test]
fn bad_export_requests_store_nothing() {
    let env = env();
    let s = env.open();
    group(&s, A, R, "g", &["s"]);
    let mut bad_bucket = input("g", 0, T0);
    bad_bucket.destination = "Not_A_Bucket".into();
    for (req, code) in [
        (input("missing", 0, T0), "ResourceNotFoundException"),
        (input("g", T0, 0), "InvalidParameterException"),
        (bad_bucket, "InvalidParameterException"),
    ] {
        assert_eq!(s.create_export_task(A, R, req).unwrap_err().code(), code);
    }
    assert!(
        s.describe_export_tasks(A, R, None, None, None, None)
            .unwrap()
            .tasks
            .is_empty()
    );
    assert!(
        s.describe_export_tasks(A, R, None, Some("DONE"), None, None)
            .is_err()
    );
}

#[test]
fn a_task_interrupted_by_a_crash_runs_again_after_reopen() {
    let env = env();
    let id = {
        let s = env.open();
        group(&s, A, R, "g", &["s"]);
        put(&s, A, "g", "s", &[(T0 - 10, "kept")]);
        s.create_export_task(A, R, input("g", 0, T0)).unwrap()
    };
    let s = env.open();
    assert_eq!(s.run_export_tasks().unwrap(), 1);
    let path = env
        .tmp
        .path()
        .join("buckets/archive/exportedlogs")
        .join(&id)
        .join("s/000000.gz");
    assert_eq!(gunzip(&path), "2025-11-24T15:59:59.990Z kept\n");
}

/// An object store that keeps objects in memory and can be made to fail.
#[derive(Debug, Default)]
struct MemoryStore {
    objects: parking_lot::Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
    fail_after: parking_lot::Mutex<Option<usize>>,
}

impl ObjectStore for MemoryStore {
    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), String> {
        let mut objects = self.objects.lock();
        if self.fail_after.lock().is_some_and(|n| objects.len() >= n) {
            return Err("503 Slow Down".into());
        }
        objects.insert(format!("{bucket}/{key}"), body.to_vec());
        Ok(())
    }
}

#[test]
fn another_object_store_gets_the_objects_and_its_failures_fail_the_task() {
    let env = env();
    let s = env.open();
    let mem = std::sync::Arc::new(MemoryStore::default());
    s.set_object_store(mem.clone());
    group(&s, A, R, "g", &["a", "b"]);
    put(&s, A, "g", "a", &[(T0 - 10, "x")]);
    put(&s, A, "g", "b", &[(T0 - 10, "y")]);
    let id = s.create_export_task(A, R, input("g", 0, T0)).unwrap();
    s.run_export_tasks().unwrap();
    let keys: Vec<String> = mem.objects.lock().keys().cloned().collect();
    let mut expected = vec![
        format!("archive/exportedlogs/{id}/a/000000.gz"),
        format!("archive/exportedlogs/{id}/b/000000.gz"),
        "archive/exportedlogs/aws-logs-write-test".to_owned(),
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert!(!env.tmp.path().join("buckets").exists());
    // A store that fails after the write check: the task fails with the store's message.
    *mem.fail_after.lock() = Some(4);
    let id = s.create_export_task(A, R, input("g", 0, T0)).unwrap();
    s.run_export_tasks().unwrap();
    let t = &s
        .describe_export_tasks(A, R, Some(&id), None, None, None)
        .unwrap()
        .tasks[0];
    assert_eq!(t.status_code, "FAILED");
    assert!(
        t.status_message.contains("503 Slow Down"),
        "{}",
        t.status_message
    );
    // A store that refuses the write check: CreateExportTask fails and stores nothing.
    *mem.fail_after.lock() = Some(0);
    let e = s.create_export_task(A, R, input("g", 0, T0)).unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    assert_eq!(
        s.describe_export_tasks(A, R, None, None, None, None)
            .unwrap()
            .tasks
            .len(),
        2
    );
}
