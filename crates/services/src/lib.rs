//! One facade per AWS API: the operation shapes (serde) and handlers that map the wire to the
//! domains. Each module registers its operations with the wire [`Registry`].
//!
//! **Architecture Invariant**: handlers hold no state of their own; everything they change lives in
//! a domain crate, which knows nothing of the wire.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod events;
pub mod iam;
pub mod logs;
pub mod schemas;
pub mod sns;
pub mod sts;

use std::sync::Arc;

use openwatch_wire::Registry;

/// The domains the facades call into.
#[derive(Clone)]
pub struct Domains {
    pub iam: Arc<openwatch_iam::Iam>,
    pub trail: Arc<openwatch_trail::Trail>,
    pub metrics: Arc<openwatch_metrics::Metrics>,
    pub logs: Arc<openwatch_logs::LogStore>,
    pub events: Arc<openwatch_events::Events>,
    pub alarms: Arc<openwatch_alarms::store::AlarmStore>,
}

/// Registers every operation this server routes.
pub fn registry(domains: &Domains) -> Registry {
    let mut registry = Registry::new();
    sts::register(&mut registry);
    iam::register(&mut registry, Arc::clone(&domains.iam));
    cloudtrail::register(&mut registry, Arc::clone(&domains.trail));
    events::register(&mut registry, Arc::clone(&domains.events));
    cloudwatch::register(&mut registry, Arc::clone(&domains.metrics));
    cloudwatch::alarms::register(
        &mut registry,
        Arc::clone(&domains.alarms),
        Arc::clone(&domains.events),
    );
    logs::register(&mut registry, Arc::clone(&domains.logs));
    registry
}

/// The operation `name` of `service`, answered synchronously by `handler` over one domain.
pub(crate) fn domain_operation<D, I, O, F>(
    service: openwatch_wire::Service,
    name: &'static str,
    domain: &Arc<D>,
    handler: F,
) -> openwatch_wire::Operation
where
    D: Send + Sync + 'static,
    I: serde::de::DeserializeOwned + serde::Serialize + Send + 'static,
    O: serde::Serialize + 'static,
    F: Fn(&D, &openwatch_wire::CallContext, I) -> Result<O, openwatch_wire::ApiError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let domain = Arc::clone(domain);
    openwatch_wire::Operation::new(service, name, move |ctx, input| {
        let (domain, handler) = (Arc::clone(&domain), handler.clone());
        async move { handler(&domain, &ctx, input) }
    })
}
