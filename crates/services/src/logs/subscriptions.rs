//! Subscription filter and destination shapes and handlers: PutSubscriptionFilter,
//! DescribeSubscriptionFilters, DeleteSubscriptionFilter, PutDestination, PutDestinationPolicy,
//! DescribeDestinations, DeleteDestination.

use std::sync::Arc;

use openwatch_iam::ConditionContext;
use openwatch_iam::policy::keys;
use openwatch_logs::{Destination, LogStore, SubscriptionFilterInput, destination_arn as dest_arn};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::api_error;
use super::resources::group_resource;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutSubscriptionFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
    pub filter_pattern: String,
    pub destination_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_on_transformed_logs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selection_criteria: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_system_fields: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeSubscriptionFiltersInput {
    pub log_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteSubscriptionFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilterShape {
    pub filter_name: String,
    pub log_group_name: String,
    pub filter_pattern: String,
    pub destination_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub distribution: String,
    pub apply_on_transformed_logs: bool,
    pub creation_time: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeSubscriptionFiltersOutput {
    pub subscription_filters: Vec<SubscriptionFilterShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutDestinationInput {
    pub destination_name: String,
    pub target_arn: String,
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationShape {
    pub destination_name: String,
    pub target_arn: String,
    pub role_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_policy: Option<String>,
    pub arn: String,
    pub creation_time: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutDestinationOutput {
    pub destination: DestinationShape,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutDestinationPolicyInput {
    pub destination_name: String,
    pub access_policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_update: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDestinationsInput {
    /// The API model spells this member with a capital D.
    #[serde(
        rename = "DestinationNamePrefix",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDestinationsOutput {
    pub destinations: Vec<DestinationShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationNameInput {
    pub destination_name: String,
}

fn destination_shape(d: Destination) -> DestinationShape {
    DestinationShape {
        destination_name: d.name,
        target_arn: d.target_arn,
        role_arn: d.role_arn,
        access_policy: d.access_policy,
        arn: d.arn,
        creation_time: d.creation_time,
    }
}

fn destination_resource(ctx: &CallContext, input: &Value) -> String {
    match input.get("destinationName").and_then(Value::as_str) {
        Some(n) => dest_arn(&ctx.region, ctx.account.as_str(), n),
        None => "*".to_owned(),
    }
}

fn any_resource(_: &CallContext, _: &Value) -> String {
    "*".to_owned()
}

type Handler<I, O> = fn(&LogStore, &CallContext, I) -> Result<O, ApiError>;

/// Registers an operation whose synchronous handler gets the store. The handler runs on the
/// blocking pool: export's write check may call an object store over the network.
pub(super) fn add<I, O>(
    registry: &mut Registry,
    store: &Arc<LogStore>,
    name: &'static str,
    resource: fn(&CallContext, &Value) -> String,
    read_only: bool,
    handler: Handler<I, O>,
) where
    I: DeserializeOwned + Serialize + Send + 'static,
    O: Serialize + Send + 'static,
{
    let store = Arc::clone(store);
    let op = Operation::new(Service::Logs, name, move |ctx: CallContext, input: I| {
        let s = Arc::clone(&store);
        async move {
            tokio::task::spawn_blocking(move || handler(&s, &ctx, input))
                .await
                .unwrap_or_else(|e| Err(ApiError::internal(e)))
        }
    })
    .resource(resource);
    registry.add(if read_only { op.read_only() } else { op });
}

/// Registers the subscription filter and destination operations.
pub(super) fn register(registry: &mut Registry, store: &Arc<LogStore>) {
    add(
        registry,
        store,
        "PutSubscriptionFilter",
        group_resource,
        false,
        put_subscription_filter,
    );
    add(
        registry,
        store,
        "DescribeSubscriptionFilters",
        group_resource,
        true,
        describe_subscription_filters,
    );
    add(
        registry,
        store,
        "DeleteSubscriptionFilter",
        group_resource,
        false,
        |s, ctx, i: DeleteSubscriptionFilterInput| {
            s.delete_subscription_filter(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.filter_name,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        },
    );
    add(
        registry,
        store,
        "PutDestination",
        destination_resource,
        false,
        |s, ctx, i: PutDestinationInput| {
            s.put_destination(
                ctx.account.as_str(),
                &ctx.region,
                &i.destination_name,
                &i.target_arn,
                &i.role_arn,
                i.tags.unwrap_or_default(),
            )
            .map(|d| PutDestinationOutput {
                destination: destination_shape(d),
            })
            .map_err(api_error)
        },
    );
    add(
        registry,
        store,
        "PutDestinationPolicy",
        destination_resource,
        false,
        |s, ctx, i: PutDestinationPolicyInput| {
            s.put_destination_policy(
                ctx.account.as_str(),
                &ctx.region,
                &i.destination_name,
                &i.access_policy,
                i.force_update.unwrap_or(false),
            )
            .map(|()| Empty {})
            .map_err(api_error)
        },
    );
    add(
        registry,
        store,
        "DescribeDestinations",
        any_resource,
        true,
        |s, ctx, i: DescribeDestinationsInput| {
            let page = s
                .describe_destinations(
                    ctx.account.as_str(),
                    &ctx.region,
                    i.destination_name_prefix.as_deref(),
                    i.limit,
                    i.next_token.as_deref(),
                )
                .map_err(api_error)?;
            Ok(DescribeDestinationsOutput {
                destinations: page
                    .destinations
                    .into_iter()
                    .map(destination_shape)
                    .collect(),
                next_token: page.next_token,
            })
        },
    );
    add(
        registry,
        store,
        "DeleteDestination",
        destination_resource,
        false,
        |s, ctx, i: DestinationNameInput| {
            s.delete_destination(ctx.account.as_str(), &ctx.region, &i.destination_name)
                .map(|()| Empty {})
                .map_err(api_error)
        },
    );
}

fn put_subscription_filter(
    s: &LogStore,
    ctx: &CallContext,
    i: PutSubscriptionFilterInput,
) -> Result<Empty, ApiError> {
    if i.apply_on_transformed_logs == Some(true) {
        return Err(super::errors::invalid(
            "applyOnTransformedLogs is not supported: this server has no log transformers.",
        ));
    }
    if i.field_selection_criteria.is_some() || i.emit_system_fields.is_some() {
        return Err(super::errors::invalid(
            "fieldSelectionCriteria and emitSystemFields are not supported by this server.",
        ));
    }
    s.put_subscription_filter(
        ctx.account.as_str(),
        &ctx.region,
        SubscriptionFilterInput {
            group: i.log_group_name,
            name: i.filter_name,
            pattern: i.filter_pattern,
            destination_arn: i.destination_arn,
            role_arn: i.role_arn,
            distribution: i.distribution,
            caller_arn: Some(ctx.caller.arn.clone()),
            context: policy_context(ctx),
        },
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

/// The condition keys another account's destination policy may test: the request's and the
/// caller's (the log store adds the request time if missing).
fn policy_context(ctx: &CallContext) -> ConditionContext {
    let caller = &ctx.caller;
    let mut c = ConditionContext::new();
    c.insert(keys::SOURCE_IP, ctx.source_ip.to_string())
        .insert(keys::USER_AGENT, ctx.user_agent.clone())
        .insert(keys::REQUESTED_REGION, ctx.region.clone())
        .insert(keys::PRINCIPAL_ACCOUNT, ctx.account.as_str())
        .insert(keys::PRINCIPAL_ARN, caller.arn.clone())
        .insert(keys::USERID, caller.principal_id.clone())
        .insert(
            keys::PRINCIPAL_TYPE,
            if caller.identity_type == "IAMUser" {
                "User"
            } else {
                "Account"
            },
        );
    if let Some(name) = &caller.user_name {
        c.insert(keys::USERNAME, name.clone());
    }
    c.set_request_time(ctx.now_millis);
    c
}

fn describe_subscription_filters(
    s: &LogStore,
    ctx: &CallContext,
    i: DescribeSubscriptionFiltersInput,
) -> Result<DescribeSubscriptionFiltersOutput, ApiError> {
    let page = s
        .describe_subscription_filters(
            ctx.account.as_str(),
            &ctx.region,
            &i.log_group_name,
            i.filter_name_prefix.as_deref(),
            i.limit,
            i.next_token.as_deref(),
        )
        .map_err(api_error)?;
    Ok(DescribeSubscriptionFiltersOutput {
        subscription_filters: page
            .filters
            .into_iter()
            .map(|f| SubscriptionFilterShape {
                filter_name: f.name,
                log_group_name: f.log_group_name,
                filter_pattern: f.pattern,
                destination_arn: f.destination_arn,
                role_arn: f.role_arn,
                distribution: f.distribution,
                apply_on_transformed_logs: false,
                creation_time: f.creation_time,
            })
            .collect(),
        next_token: page.next_token,
    })
}
