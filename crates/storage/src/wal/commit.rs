//! Durability tracking and group commit: the synced position, blocking and async waits for it
//! (a blocking waiter under `SyncPolicy::OnWait` leads a round itself when none runs:
//! leader/follower group commit), and the background committer thread that fsyncs every
//! interval while the log is dirty, or at once when an async waiter kicks it.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex, MutexGuard};
use tokio::sync::watch;

use super::Position;
use super::writer::Shared;
use crate::error::WalError;

/// What is durable: every record that starts before `synced`; or the reason the log failed.
#[derive(Debug, Clone)]
pub(crate) struct DurableState {
    pub(crate) synced: Position,
    pub(crate) failed: Option<Arc<str>>,
}

impl DurableState {
    /// `Some(result)` once the record at `pos` is durable or can never become durable.
    fn settled(&self, pos: Position) -> Option<Result<(), WalError>> {
        if pos < self.synced {
            Some(Ok(()))
        } else {
            self.failed
                .as_ref()
                .map(|msg| Err(WalError::Poisoned(msg.to_string())))
        }
    }
}

/// The synced position, published to blocking waiters (condvar) and async waiters (watch channel).
#[derive(Debug)]
pub(crate) struct Durability {
    lock: Mutex<()>,
    cond: Condvar,
    tx: watch::Sender<DurableState>,
}

impl Durability {
    pub(crate) fn new(synced: Position) -> Self {
        let (tx, _) = watch::channel(DurableState {
            synced,
            failed: None,
        });
        Durability {
            lock: Mutex::new(()),
            cond: Condvar::new(),
            tx,
        }
    }

    /// The end of the synced data.
    pub(crate) fn synced(&self) -> Position {
        self.tx.borrow().synced
    }

    /// The failure that poisoned the log, if any.
    pub(crate) fn check_ok(&self) -> Result<(), WalError> {
        match &self.tx.borrow().failed {
            Some(msg) => Err(WalError::Poisoned(msg.to_string())),
            None => Ok(()),
        }
    }

    /// `Some` once `pos` is durable (or never will be).
    pub(crate) fn settled(&self, pos: Position) -> Option<Result<(), WalError>> {
        self.tx.borrow().settled(pos)
    }

    /// Records that everything before `end` is on stable storage. Monotonic.
    pub(crate) fn publish(&self, end: Position) {
        let _g = self.lock.lock();
        self.tx.send_if_modified(|s| {
            let newer = end > s.synced;
            if newer {
                s.synced = end;
            }
            newer
        });
        self.cond.notify_all();
    }

    /// Poisons the log: every waiter for data not yet durable gets an error.
    pub(crate) fn fail(&self, msg: String) {
        let _g = self.lock.lock();
        tracing::error!(error = %msg, "WAL write or fsync failed; refusing further writes");
        self.tx.send_modify(|s| {
            if s.failed.is_none() {
                s.failed = Some(msg.into());
            }
        });
        self.cond.notify_all();
    }

    /// Blocks until `pos` is durable.
    pub(crate) fn wait(&self, pos: Position) -> Result<(), WalError> {
        let mut g = self.lock.lock();
        loop {
            if let Some(r) = self.settled(pos) {
                return r;
            }
            self.cond.wait(&mut g);
        }
    }

    /// Blocks until `pos` is durable, running rounds itself: `try_start` starts a round (`None`
    /// while another runs), `run` runs it, publishing after it lets the round go (every round,
    /// even one with nothing to fsync, ends with a publish). Deciding to wait and waiting happen
    /// under the lock a publish takes, and a running round publishes only after this caller's
    /// `try_start` failed, so the waiter is woken by that publish.
    pub(crate) fn wait_leading<R>(
        &self,
        pos: Position,
        try_start: impl Fn() -> Option<R>,
        run: impl Fn(R) -> Result<(), WalError>,
    ) -> Result<(), WalError> {
        let mut g = self.lock.lock();
        loop {
            if let Some(r) = self.settled(pos) {
                return r;
            }
            match try_start() {
                Some(round) => MutexGuard::unlocked(&mut g, || run(round))?,
                None => self.cond.wait(&mut g),
            }
        }
    }

    /// Waits, without blocking the thread, until `pos` is durable.
    pub(crate) async fn wait_async(&self, pos: Position) -> Result<(), WalError> {
        let mut rx = self.tx.subscribe();
        let state = rx
            .wait_for(|s| s.settled(pos).is_some())
            .await
            .map_err(|_| WalError::Closed)?;
        state.settled(pos).unwrap_or(Err(WalError::Closed))
    }
}

/// Stop and kick flags of the committer thread.
#[derive(Debug, Default)]
pub(crate) struct Stopper {
    flags: Mutex<Flags>,
    cond: Condvar,
}

#[derive(Debug, Default)]
struct Flags {
    stopped: bool,
    /// An async waiter wants an fsync round now ([`super::SyncPolicy::OnWait`]).
    kicked: bool,
}

impl Stopper {
    pub(crate) fn stop(&self) {
        self.flags.lock().stopped = true;
        self.cond.notify_all();
    }

    /// Asks the committer for a round at once (or, if one is running, right after it). The flag
    /// stays set until the committer takes it, so a kick is never lost.
    pub(crate) fn kick(&self) {
        let mut f = self.flags.lock();
        if !f.kicked {
            f.kicked = true;
            self.cond.notify_all();
        }
    }

    /// Sleeps for `interval` or until kicked; returns false if stopped meanwhile.
    fn sleep(&self, interval: Duration) -> bool {
        let mut f = self.flags.lock();
        if !f.stopped && !f.kicked {
            self.cond.wait_for(&mut f, interval);
        }
        f.kicked = false;
        !f.stopped
    }
}

/// Starts the thread that fsyncs every `interval` while there is unsynced data, and at once
/// when kicked by an async waiter. All records appended before a round starts share its fsync.
pub(crate) fn spawn_committer(
    shared: Arc<Shared>,
    interval: Duration,
) -> Result<JoinHandle<()>, WalError> {
    let dir = shared.dir.clone();
    std::thread::Builder::new()
        .name("openwatch-wal-commit".into())
        .spawn(move || {
            while shared.stopper.sleep(interval) {
                if let Err(e) = shared.sync_now() {
                    // sync_now has poisoned the log and woken the waiters; nothing more to do.
                    tracing::error!(error = %e, "WAL group commit stopped");
                    break;
                }
            }
        })
        .map_err(|e| WalError::io("spawn WAL committer thread for", dir, e))
}
