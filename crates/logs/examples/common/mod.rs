//! Setup the figure examples share: a store in a temporary directory (on `/dev/shm` when it
//! exists), reopened at will; directory sizes; FilterLogEvents followed page by page.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openwatch_logs::{Catalog, FilterPattern, FilterQuery, LogStore, LogStoreOptions, SystemClock};

pub const ACCOUNT: &str = "000000000000";
pub const REGION: &str = "us-east-1";

/// A data directory with its catalog; [`Fixture::open`] opens a store over it (a new store each
/// time: its chunk cache starts empty).
pub struct Fixture {
    pub dir: PathBuf,
    catalog: Arc<Catalog>,
}

impl Fixture {
    /// `REUSE=<dir>` reuses a directory a `KEEP=1` run left behind; otherwise a fresh one named
    /// after `name` and the process.
    pub fn new(name: &str) -> (Fixture, bool) {
        let reuse = std::env::var_os("REUSE").map(PathBuf::from);
        let reused = reuse.is_some();
        let dir = reuse.unwrap_or_else(|| {
            let base = if Path::new("/dev/shm").is_dir() {
                PathBuf::from("/dev/shm")
            } else {
                std::env::temp_dir()
            };
            base.join(format!("{name}-{}", std::process::id()))
        });
        std::fs::create_dir_all(&dir).unwrap();
        let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
        (Fixture { dir, catalog }, reused)
    }

    pub fn open(&self) -> LogStore {
        LogStore::open(
            &self.dir.join("logs"),
            Arc::clone(&self.catalog),
            Arc::new(SystemClock),
            LogStoreOptions::default(),
        )
        .unwrap()
    }

    /// Removes the directory unless `KEEP` is set or it was reused.
    pub fn finish(self, reused: bool) {
        if std::env::var_os("KEEP").is_none() && !reused {
            std::fs::remove_dir_all(&self.dir).unwrap();
        }
    }
}

/// Bytes of the files under `p` (those ending in `.{ext}` if given).
pub fn dir_bytes(p: &Path, ext: Option<&str>) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            n += dir_bytes(&e.path(), ext);
        } else if ext.is_none_or(|x| e.path().extension().is_some_and(|y| y == x)) {
            n += m.len();
        }
    }
    n
}

/// Events FilterLogEvents returns for `pattern` over `group`, following every page of `limit`.
pub fn filter_count(
    store: &LogStore,
    group: &str,
    pattern: Option<&FilterPattern>,
    limit: Option<i32>,
) -> u64 {
    let mut n = 0;
    let mut token = None;
    loop {
        let q = FilterQuery {
            pattern: pattern.cloned(),
            next_token: token.take(),
            limit,
            ..FilterQuery::default()
        };
        let page = store.filter_log_events(ACCOUNT, REGION, group, &q).unwrap();
        n += page.events.len() as u64;
        match page.next_token {
            Some(t) => token = Some(t),
            None => return n,
        }
    }
}

/// Polls a future to completion without a runtime (the store's only await is the WAL's
/// durability wait).
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
