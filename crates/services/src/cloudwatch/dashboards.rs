//! CloudWatch dashboards over every CloudWatch protocol: PutDashboard, GetDashboard,
//! ListDashboards and DeleteDashboards. The logic (name rules, body validation, storage) is in
//! `openwatch-dashboards`; dashboards are global, so the call's region plays no part.
//!
//! A body that breaks the dashboard body structure fails with `InvalidParameterInput`
//! (`DashboardInvalidInputError`) whose message lists every `{dataPath, message}`, as AWS's
//! does, and whose `dashboardValidationMessages` member carries them as structures; a
//! successful PutDashboard answers an empty `DashboardValidationMessages`.

use std::sync::Arc;

use openwatch_dashboards::{DashboardStore, DashboardsError, dashboard_arn};
use openwatch_wire::{ApiError, CallContext, Registry, Service, Timestamp, Value};
use serde::{Deserialize, Serialize};

use crate::domain_operation;

/// Maps a dashboard error to CloudWatch's error shape and awsQuery code.
pub fn dashboards_error(e: DashboardsError) -> ApiError {
    match e {
        DashboardsError::InvalidParameterValue(m) => {
            ApiError::new(400, "InvalidParameterValueException", m)
                .with_query_code("InvalidParameterValue")
        }
        DashboardsError::MissingParameter(m) => {
            ApiError::new(400, "MissingRequiredParameterException", m)
                .with_query_code("MissingParameter")
        }
        DashboardsError::InvalidInput { message, messages } => {
            let list = messages
                .into_iter()
                .map(|m| {
                    Value::Struct(vec![
                        ("DataPath".into(), Value::Str(m.data_path)),
                        ("Message".into(), Value::Str(m.message)),
                    ])
                })
                .collect();
            ApiError::new(400, "DashboardInvalidInputError", message)
                .with_query_code("InvalidParameterInput")
                .with_detail("dashboardValidationMessages", Value::List(list))
        }
        DashboardsError::NotFound(m) => {
            ApiError::new(404, "DashboardNotFoundError", m).with_query_code("ResourceNotFound")
        }
        DashboardsError::InvalidNextToken(m) => {
            ApiError::new(400, "InvalidNextToken", m).with_query_code("InvalidNextToken")
        }
        other => ApiError::internal(other),
    }
}

fn missing(name: &str) -> ApiError {
    dashboards_error(DashboardsError::MissingParameter(format!(
        "The parameter {name} is required."
    )))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutDashboardInput {
    #[serde(default)]
    pub dashboard_name: Option<String>,
    #[serde(default)]
    pub dashboard_body: Option<String>,
}

/// One `DashboardValidationMessage`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DashboardValidationMessageShape {
    pub data_path: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutDashboardOutput {
    pub dashboard_validation_messages: Vec<DashboardValidationMessageShape>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDashboardInput {
    #[serde(default)]
    pub dashboard_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDashboardOutput {
    pub dashboard_arn: String,
    pub dashboard_body: String,
    pub dashboard_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDashboardsInput {
    #[serde(default)]
    pub dashboard_name_prefix: Option<String>,
    #[serde(default)]
    pub next_token: Option<String>,
}

/// One `DashboardEntry`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DashboardEntryShape {
    pub dashboard_name: String,
    pub dashboard_arn: String,
    pub last_modified: Timestamp,
    pub size: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDashboardsOutput {
    pub dashboard_entries: Vec<DashboardEntryShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDashboardsInput {
    #[serde(default)]
    pub dashboard_names: Option<Vec<String>>,
}

#[derive(Debug, Default, Serialize)]
pub struct DeleteDashboardsOutput {}

fn put_dashboard(
    store: &DashboardStore,
    ctx: &CallContext,
    input: PutDashboardInput,
) -> Result<PutDashboardOutput, ApiError> {
    let name = input
        .dashboard_name
        .ok_or_else(|| missing("DashboardName"))?;
    let body = input
        .dashboard_body
        .ok_or_else(|| missing("DashboardBody"))?;
    store
        .put(ctx.account.as_str(), &name, &body)
        .map_err(dashboards_error)?;
    Ok(PutDashboardOutput {
        dashboard_validation_messages: Vec::new(),
    })
}

fn get_dashboard(
    store: &DashboardStore,
    ctx: &CallContext,
    input: GetDashboardInput,
) -> Result<GetDashboardOutput, ApiError> {
    let name = input
        .dashboard_name
        .ok_or_else(|| missing("DashboardName"))?;
    let d = store
        .get(ctx.account.as_str(), &name)
        .map_err(dashboards_error)?;
    Ok(GetDashboardOutput {
        dashboard_arn: dashboard_arn(ctx.account.as_str(), &d.name),
        dashboard_body: d.body,
        dashboard_name: d.name,
    })
}

fn list_dashboards(
    store: &DashboardStore,
    ctx: &CallContext,
    input: ListDashboardsInput,
) -> Result<ListDashboardsOutput, ApiError> {
    let (entries, next) = store
        .list(
            ctx.account.as_str(),
            input.dashboard_name_prefix.as_deref(),
            input.next_token.as_deref(),
        )
        .map_err(dashboards_error)?;
    Ok(ListDashboardsOutput {
        dashboard_entries: entries
            .into_iter()
            .map(|e| DashboardEntryShape {
                dashboard_name: e.name,
                dashboard_arn: e.arn,
                last_modified: Timestamp::from_millis(e.last_modified_ms),
                size: e.size,
            })
            .collect(),
        next_token: next,
    })
}

fn delete_dashboards(
    store: &DashboardStore,
    ctx: &CallContext,
    input: DeleteDashboardsInput,
) -> Result<DeleteDashboardsOutput, ApiError> {
    let names = input
        .dashboard_names
        .ok_or_else(|| missing("DashboardNames"))?;
    store
        .delete(ctx.account.as_str(), &names)
        .map_err(dashboards_error)?;
    Ok(DeleteDashboardsOutput {})
}

/// The ARN authorization checks: the dashboard named in the input.
fn dashboard_resource(ctx: &CallContext, input: &openwatch_wire::Value) -> String {
    let name = input
        .get("DashboardName")
        .and_then(openwatch_wire::Value::as_str)
        .unwrap_or("*");
    dashboard_arn(ctx.account.as_str(), name)
}

/// Registers the dashboard operations.
pub fn register(registry: &mut Registry, store: Arc<DashboardStore>) {
    let cw = Service::CloudWatch;
    registry.add(
        domain_operation(cw, "PutDashboard", &store, put_dashboard).resource(dashboard_resource),
    );
    registry.add(
        domain_operation(cw, "GetDashboard", &store, get_dashboard)
            .read_only()
            .resource(dashboard_resource),
    );
    registry.add(domain_operation(cw, "ListDashboards", &store, list_dashboards).read_only());
    registry.add(domain_operation(
        cw,
        "DeleteDashboards",
        &store,
        delete_dashboards,
    ));
}
