//! Domain tests: buses and rules in the catalog, matching, delivery with retries and
//! dead-lettering, crash recovery of the queue, cross-account policies, schedules on a simulated
//! clock, archives and replays. This module holds the shared fixtures.
#![allow(clippy::unwrap_used)]

mod archives;
mod connections;
mod crud;
mod delivery;
mod destinations;
mod https;
mod partners;
mod properties;
mod schedules;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use openwatch_storage::{Catalog, SimClock};
use parking_lot::Mutex;
use serde_json::Value;

use crate::*;

pub(super) const A: &str = "123456789012";
pub(super) const R: &str = "us-east-1";
pub(super) const START: i64 = 1_764_400_000_000; // 2025-11-29T07:06:40Z

#[derive(Default)]
pub(super) struct Recorder {
    pub(super) got: Mutex<Vec<(String, String)>>,
    pub(super) fail: AtomicBool,
}

impl TargetSink for Recorder {
    fn accepts(&self, arn: &str) -> bool {
        arn.starts_with("arn:aws:logs:") || arn.starts_with("arn:aws:sqs:")
    }
    fn deliver(&self, r: &DeliveryRequest<'_>) -> Result<(), String> {
        if self.fail.load(Ordering::SeqCst) && r.target_arn.starts_with("arn:aws:logs:") {
            return Err("log group unavailable".into());
        }
        self.got
            .lock()
            .push((r.target_arn.to_owned(), r.payload.to_owned()));
        Ok(())
    }
}

pub(super) struct Env {
    pub(super) events: Events,
    pub(super) clock: Arc<SimClock>,
    pub(super) sink: Arc<Recorder>,
}

pub(super) fn open(dir: &Path, clock: Arc<SimClock>) -> Env {
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    let events = Events::open(catalog, &dir.join("events"), clock.clone()).unwrap();
    let sink = Arc::new(Recorder::default());
    events.add_sink(sink.clone());
    Env {
        events,
        clock,
        sink,
    }
}

pub(super) fn env(dir: &Path) -> Env {
    open(dir, Arc::new(SimClock::new(START)))
}

pub(super) const LOG_ARN: &str = "arn:aws:logs:us-east-1:123456789012:log-group:app";

pub(super) fn target(id: &str, arn: &str) -> Target {
    Target {
        id: id.into(),
        arn: arn.into(),
        role_arn: None,
        input: None,
        input_path: None,
        input_transformer: None,
        retry_policy: None,
        dead_letter_arn: None,
    }
}

pub(super) fn rule(name: &str, pattern: &str) -> PutRuleInput {
    PutRuleInput {
        name: name.into(),
        event_pattern: Some(pattern.into()),
        ..Default::default()
    }
}

pub(super) fn entry(source: &str, detail: Value) -> EventEntry {
    EventEntry {
        source: Some(source.into()),
        detail_type: Some("Order Placed".into()),
        detail: Some(detail.to_string()),
        ..Default::default()
    }
}
