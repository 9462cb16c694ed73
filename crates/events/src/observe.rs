//! A seam for watching what buses accept: schema discovery (the Schemas domain) is told of every
//! event a bus accepts — PutEvents entries, internal events, API calls, forwarded events — without
//! this crate knowing who listens.
//!
//! The observer is called on the request path, inside the bus's read lock, so it must be cheap and
//! must not call back into [`Events`]: an implementation that has work to do copies what it needs
//! and hands it to its own thread.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::Events;

/// Told of each event a bus accepts, after it is validated and before the call answers.
pub trait BusObserver: Send + Sync {
    /// `account`/`region`/`bus` name the bus that accepted `event` (the bus owner, which may differ
    /// from the sender in `event["account"]`); `event` is the full envelope.
    fn observe(&self, account: &str, region: &str, bus: &str, event: &Value);

    /// Whether events on the bus interest the observer at all, so producers of internal events
    /// that skip building events nothing would receive still build these. Cheap; true by default.
    fn watches(&self, account: &str, region: &str, bus: &str) -> bool {
        let _ = (account, region, bus);
        true
    }
}

/// The one observer a server sets (none in most tests).
#[derive(Default)]
pub(crate) struct Observer(OnceLock<Arc<dyn BusObserver>>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Observer")
            .field(&self.0.get().is_some())
            .finish()
    }
}

impl Events {
    /// Sets the observer of accepted events. Only the first call takes effect.
    pub fn set_observer(&self, observer: Arc<dyn BusObserver>) {
        if self.observer.0.set(observer).is_err() {
            tracing::warn!("a bus observer is already set; the new one is ignored");
        }
    }

    /// Whether an observer is set and watches the bus.
    pub(crate) fn observes(&self, account: &str, region: &str, bus: &str) -> bool {
        self.observer
            .0
            .get()
            .is_some_and(|o| o.watches(account, region, bus))
    }

    /// Tells the observer, if any, that bus `bus` of `(account, region)` accepted `event`.
    pub(crate) fn observe(&self, account: &str, region: &str, bus: &str, event: &Value) {
        if let Some(o) = self.observer.0.get() {
            o.observe(account, region, bus, event);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Mutex;

    use super::*;
    use crate::{Catalog, EventEntry, SimClock};

    #[derive(Default)]
    struct Record(Mutex<Vec<(String, String, String, Value)>>);

    impl BusObserver for Record {
        fn observe(&self, account: &str, region: &str, bus: &str, event: &Value) {
            self.0.lock().unwrap().push((
                account.to_owned(),
                region.to_owned(),
                bus.to_owned(),
                event.clone(),
            ));
        }
    }

    #[tokio::test]
    async fn accepted_events_reach_the_observer_and_rejected_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Arc::new(Catalog::open(&dir.path().join("c.redb")).unwrap());
        let clock = Arc::new(SimClock::new(1_764_400_000_000));
        let events = Events::open(catalog, &dir.path().join("events"), clock).unwrap();
        let record = Arc::new(Record::default());
        events.set_observer(record.clone());
        let good = EventEntry {
            source: Some("my.app".into()),
            detail_type: Some("Order Placed".into()),
            detail: Some(r#"{"id":1}"#.into()),
            ..EventEntry::default()
        };
        let bad = EventEntry {
            source: Some("my.app".into()),
            ..EventEntry::default()
        };
        events
            .put_events("111122223333", "us-east-1", &[good, bad])
            .await
            .unwrap();
        events
            .put_internal(
                "111122223333",
                "us-east-1",
                "aws.cloudwatch",
                "CloudWatch Alarm State Change",
                serde_json::json!({"alarmName": "a"}),
                &[],
            )
            .unwrap();
        let seen = record.0.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].2, "default");
        assert_eq!(seen[0].3["detail-type"], "Order Placed");
        assert_eq!(seen[0].3["detail"]["id"], 1);
        assert_eq!(seen[1].3["source"], "aws.cloudwatch");
        assert!(events.default_bus_has_routes("111122223333", "us-east-1"));
    }
}
