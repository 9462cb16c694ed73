//! CloudWatch Logs over JSON 1.1 (`Logs_20140328`): log groups, streams, retention, events
//! (PutLogEvents, GetLogEvents, FilterLogEvents), TestMetricFilter, tags, subscription filters
//! and destinations, and export tasks. The store is
//! `openwatch_logs::LogStore`; this module only maps shapes and errors.
//!
//! This module holds the registration; each concern's shapes and handlers live in a submodule and
//! are re-exported here.

mod errors;
mod events;
mod export;
mod filters;
mod groups;
mod insights;
mod resources;
mod streams;
mod subscriptions;
mod tags;

use std::sync::Arc;

use openwatch_logs::{LogStore, MetricTransformation};
use openwatch_wire::{CallContext, Operation, Registry, Service};
use serde::Serialize;

pub use errors::api_error;
pub use events::*;
pub use export::*;
pub use filters::*;
pub use groups::*;
pub use insights::*;
pub use streams::*;
pub use subscriptions::*;
pub use tags::*;

use resources::{arn_resource, group_resource, stream_resource};

#[derive(Debug, Default, Serialize)]
pub struct Empty {}

// --- registration --------------------------------------------------------------------------------

/// Registers a read-only or mutating operation whose synchronous handler gets the store.
macro_rules! op {
    ($registry:expr, $store:expr, $name:literal, $resource:expr, |$s:ident, $ctx:ident, $input:ident: $ty:ty| $body:expr) => {{
        let store = Arc::clone(&$store);
        $registry.add(
            Operation::new(
                Service::Logs,
                $name,
                move |$ctx: CallContext, $input: $ty| {
                    let $s = Arc::clone(&store);
                    async move { $body }
                },
            )
            .resource($resource),
        );
    }};
}

macro_rules! read_op {
    ($registry:expr, $store:expr, $name:literal, $resource:expr, |$s:ident, $ctx:ident, $input:ident: $ty:ty| $body:expr) => {{
        let store = Arc::clone(&$store);
        $registry.add(
            Operation::new(
                Service::Logs,
                $name,
                move |$ctx: CallContext, $input: $ty| {
                    let $s = Arc::clone(&store);
                    async move { $body }
                },
            )
            .read_only()
            .resource($resource),
        );
    }};
}

/// Registers every CloudWatch Logs operation this server implements.
pub fn register(registry: &mut Registry, store: Arc<LogStore>) {
    subscriptions::register(registry, &store);
    export::register(registry, &store);
    insights::register(registry, &store);
    op!(
        registry,
        store,
        "CreateLogGroup",
        group_resource,
        |s, ctx, i: CreateLogGroupInput| {
            s.create_log_group(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                i.log_group_class.as_deref(),
                i.tags.unwrap_or_default(),
                i.kms_key_id,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteLogGroup",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.delete_log_group(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "DescribeLogGroups",
        group_resource,
        |s, ctx, i: DescribeLogGroupsInput| describe_log_groups(&s, &ctx, i)
    );
    op!(
        registry,
        store,
        "PutRetentionPolicy",
        group_resource,
        |s, ctx, i: PutRetentionPolicyInput| {
            s.put_retention_policy(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                i.retention_in_days,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteRetentionPolicy",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.delete_retention_policy(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "CreateLogStream",
        stream_resource,
        |s, ctx, i: LogStreamInput| {
            s.create_log_stream(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.log_stream_name,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteLogStream",
        stream_resource,
        |s, ctx, i: LogStreamInput| {
            s.delete_log_stream(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.log_stream_name,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "DescribeLogStreams",
        group_resource,
        |s, ctx, i: DescribeLogStreamsInput| describe_log_streams(&s, &ctx, i)
    );
    {
        let store = Arc::clone(&store);
        registry.add(
            Operation::new(Service::Logs, "PutLogEvents", move |ctx, input| {
                put_log_events(Arc::clone(&store), ctx, input)
            })
            .resource(stream_resource),
        );
    }
    read_op!(
        registry,
        store,
        "GetLogEvents",
        stream_resource,
        |s, ctx, i: GetLogEventsInput| get_log_events(&s, &ctx, i)
    );
    read_op!(
        registry,
        store,
        "FilterLogEvents",
        group_resource,
        |s, ctx, i: FilterLogEventsInput| filter_log_events(&s, &ctx, i)
    );
    registry.add(
        Operation::new(
            Service::Logs,
            "TestMetricFilter",
            |_ctx, input| async move { test_metric_filter(input) },
        )
        .read_only(),
    );
    op!(
        registry,
        store,
        "TagResource",
        arn_resource,
        |s, ctx, i: TagResourceInput| tags::tag_resource(&s, &ctx, i)
    );
    op!(
        registry,
        store,
        "UntagResource",
        arn_resource,
        |s, ctx, i: UntagResourceInput| tags::untag_resource(&s, &ctx, i)
    );
    read_op!(
        registry,
        store,
        "ListTagsForResource",
        arn_resource,
        |s, ctx, i: ResourceArnInput| tags::list_tags_for_resource(&s, &ctx, i)
    );
    op!(
        registry,
        store,
        "TagLogGroup",
        group_resource,
        |s, ctx, i: TagLogGroupInput| {
            s.tag_log_group(ctx.account.as_str(), &ctx.region, &i.log_group_name, i.tags)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "UntagLogGroup",
        group_resource,
        |s, ctx, i: UntagLogGroupInput| {
            s.untag_log_group(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.tags,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "ListTagsLogGroup",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.list_tags(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|tags| TagsOutput { tags })
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "PutMetricFilter",
        group_resource,
        |s, ctx, i: PutMetricFilterInput| {
            let transformations = i
                .metric_transformations
                .into_iter()
                .map(|t| MetricTransformation {
                    metric_name: t.metric_name,
                    metric_namespace: t.metric_namespace,
                    metric_value: t.metric_value,
                    default_value: t.default_value,
                    dimensions: t.dimensions.unwrap_or_default(),
                    unit: t.unit,
                })
                .collect();
            s.put_metric_filter(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.filter_name,
                &i.filter_pattern,
                transformations,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteMetricFilter",
        group_resource,
        |s, ctx, i: DeleteMetricFilterInput| s
            .delete_metric_filter(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.filter_name
            )
            .map(|()| Empty {})
            .map_err(api_error)
    );
    read_op!(
        registry,
        store,
        "DescribeMetricFilters",
        group_resource,
        |s, ctx, i: DescribeMetricFiltersInput| describe_metric_filters(&s, &ctx, i)
    );
}
