//! EventBridge over JSON 1.1 (`AWSEvents`): event buses, rules, targets, PutEvents,
//! TestEventPattern and tags. Handlers map shapes to `openwatch_events::Events`.
//!
//! This module holds the shapes shared across operations and the registration; each concern's
//! shapes and handlers live in a submodule and are re-exported here.

mod archives;
mod buses;
mod connection_auth;
mod connections;
mod destinations;
mod errors;
mod partners;
mod permissions;
mod put_events;
mod resources;
mod rules;
mod tags;
mod targets;

use std::sync::Arc;

use openwatch_events::Events;
use openwatch_wire::{CallContext, Operation, Registry, Service};
use serde::{Deserialize, Serialize};

pub use archives::*;
pub use buses::*;
pub use connections::*;
pub use destinations::*;
pub use errors::api_error;
pub use partners::*;
pub use permissions::*;
pub use put_events::*;
pub use rules::*;
pub use tags::*;
pub use targets::*;

use resources::{
    archive_resource, bus_resource, connection_resource, destination_resource, event_bus_resource,
    replay_resource, rule_resource, tagged_resource,
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Empty {}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

macro_rules! handler {
    ($events:expr, $f:ident) => {{
        let events = Arc::clone(&$events);
        move |ctx, input| {
            let events = Arc::clone(&events);
            async move { $f(&events, &ctx, input) }
        }
    }};
}

/// Members a connection request must never put into the trail: the credentials, and every
/// HTTP parameter value (a secret one cannot be told from the others once flattened).
const CONNECTION_SECRETS: &[&str] = &["Password", "ApiKeyValue", "ClientSecret", "Value"];

pub fn register(registry: &mut Registry, events: Arc<Events>) {
    let s = Service::Events;
    partners::register(registry, &events);
    registry.add(
        Operation::new(s, "CreateEventBus", handler!(events, create_event_bus))
            .resource(bus_resource),
    );
    registry.add(
        Operation::new(s, "DescribeEventBus", handler!(events, describe_event_bus))
            .read_only()
            .resource(bus_resource),
    );
    registry
        .add(Operation::new(s, "ListEventBuses", handler!(events, list_event_buses)).read_only());
    registry.add(
        Operation::new(s, "UpdateEventBus", handler!(events, update_event_bus))
            .resource(bus_resource),
    );
    registry.add(
        Operation::new(s, "DeleteEventBus", handler!(events, delete_event_bus))
            .resource(bus_resource),
    );
    registry.add(Operation::new(s, "PutRule", handler!(events, put_rule)).resource(rule_resource));
    registry.add(
        Operation::new(s, "DescribeRule", handler!(events, describe_rule))
            .read_only()
            .resource(rule_resource),
    );
    registry.add(Operation::new(s, "ListRules", handler!(events, list_rules)).read_only());
    registry.add(
        Operation::new(s, "DeleteRule", handler!(events, delete_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "EnableRule", handler!(events, enable_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "DisableRule", handler!(events, disable_rule)).resource(rule_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListRuleNamesByTarget",
            handler!(events, list_rule_names_by_target),
        )
        .read_only(),
    );
    registry.add(
        Operation::new(s, "PutTargets", handler!(events, put_targets)).resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "RemoveTargets", handler!(events, remove_targets))
            .resource(rule_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListTargetsByRule",
            handler!(events, list_targets_by_rule),
        )
        .read_only()
        .resource(rule_resource),
    );
    registry.add(
        Operation::new(s, "TestEventPattern", handler!(events, test_event_pattern)).read_only(),
    );
    {
        let events = Arc::clone(&events);
        registry.add(Operation::new(
            s,
            "PutEvents",
            move |ctx: CallContext, input: PutEventsInput| {
                let events = Arc::clone(&events);
                async move { put_events(&events, &ctx, input).await }
            },
        ));
    }
    registry.add(
        Operation::new(s, "CreateArchive", handler!(events, create_archive))
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "DescribeArchive", handler!(events, describe_archive))
            .read_only()
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "UpdateArchive", handler!(events, update_archive))
            .resource(archive_resource),
    );
    registry.add(
        Operation::new(s, "DeleteArchive", handler!(events, delete_archive))
            .resource(archive_resource),
    );
    registry.add(Operation::new(s, "ListArchives", handler!(events, list_archives)).read_only());
    registry.add(
        Operation::new(s, "StartReplay", handler!(events, start_replay)).resource(replay_resource),
    );
    registry.add(
        Operation::new(s, "DescribeReplay", handler!(events, describe_replay))
            .read_only()
            .resource(replay_resource),
    );
    registry.add(Operation::new(s, "ListReplays", handler!(events, list_replays)).read_only());
    registry.add(
        Operation::new(s, "CancelReplay", handler!(events, cancel_replay))
            .resource(replay_resource),
    );
    registry.add(
        Operation::new(s, "CreateConnection", handler!(events, create_connection))
            .resource(connection_resource)
            .sensitive(CONNECTION_SECRETS),
    );
    registry.add(
        Operation::new(s, "UpdateConnection", handler!(events, update_connection))
            .resource(connection_resource)
            .sensitive(CONNECTION_SECRETS),
    );
    registry.add(
        Operation::new(
            s,
            "DeauthorizeConnection",
            handler!(events, deauthorize_connection),
        )
        .resource(connection_resource),
    );
    registry.add(
        Operation::new(
            s,
            "DescribeConnection",
            handler!(events, describe_connection),
        )
        .read_only()
        .resource(connection_resource),
    );
    registry
        .add(Operation::new(s, "ListConnections", handler!(events, list_connections)).read_only());
    registry.add(
        Operation::new(s, "DeleteConnection", handler!(events, delete_connection))
            .resource(connection_resource),
    );
    registry.add(
        Operation::new(
            s,
            "CreateApiDestination",
            handler!(events, create_api_destination),
        )
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(
            s,
            "DescribeApiDestination",
            handler!(events, describe_api_destination),
        )
        .read_only()
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListApiDestinations",
            handler!(events, list_api_destinations),
        )
        .read_only(),
    );
    registry.add(
        Operation::new(
            s,
            "UpdateApiDestination",
            handler!(events, update_api_destination),
        )
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(
            s,
            "DeleteApiDestination",
            handler!(events, delete_api_destination),
        )
        .resource(destination_resource),
    );
    registry.add(
        Operation::new(s, "PutPermission", handler!(events, put_permission))
            .resource(event_bus_resource),
    );
    registry.add(
        Operation::new(s, "RemovePermission", handler!(events, remove_permission))
            .resource(event_bus_resource),
    );
    registry.add(
        Operation::new(s, "TagResource", handler!(events, tag_resource)).resource(tagged_resource),
    );
    registry.add(
        Operation::new(s, "UntagResource", handler!(events, untag_resource))
            .resource(tagged_resource),
    );
    registry.add(
        Operation::new(
            s,
            "ListTagsForResource",
            handler!(events, list_tags_for_resource),
        )
        .read_only()
        .resource(tagged_resource),
    );
}
