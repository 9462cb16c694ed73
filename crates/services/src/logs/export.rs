//! Export task shapes and handlers: CreateExportTask, DescribeExportTasks, CancelExportTask.

use std::sync::Arc;

use openwatch_logs::{ExportTask, ExportTaskInput, LogStore};
use openwatch_wire::{ApiError, CallContext, Registry, Value};
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::api_error;
use super::resources::group_resource;
use super::subscriptions::add;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateExportTaskInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    pub log_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_name_prefix: Option<String>,
    pub from: i64,
    pub to: i64,
    pub destination: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_prefix: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateExportTaskOutput {
    pub task_id: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeExportTasksInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTaskStatusShape {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTaskExecutionInfoShape {
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTaskShape {
    pub task_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    pub log_group_name: String,
    pub from: i64,
    pub to: i64,
    pub destination: String,
    pub destination_prefix: String,
    pub status: ExportTaskStatusShape,
    pub execution_info: ExportTaskExecutionInfoShape,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeExportTasksOutput {
    pub export_tasks: Vec<ExportTaskShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelExportTaskInput {
    pub task_id: String,
}

fn task_shape(t: ExportTask) -> ExportTaskShape {
    ExportTaskShape {
        task_id: t.task_id,
        task_name: t.task_name,
        log_group_name: t.log_group_name,
        from: t.from,
        to: t.to,
        destination: t.destination,
        destination_prefix: t.destination_prefix,
        status: ExportTaskStatusShape {
            code: t.status_code,
            message: t.status_message,
        },
        execution_info: ExportTaskExecutionInfoShape {
            creation_time: t.creation_time,
            completion_time: t.completion_time,
        },
    }
}

fn any_resource(_: &CallContext, _: &Value) -> String {
    "*".to_owned()
}

/// Registers the export task operations.
pub(super) fn register(registry: &mut Registry, store: &Arc<LogStore>) {
    add(
        registry,
        store,
        "CreateExportTask",
        group_resource,
        false,
        |s: &LogStore, ctx: &CallContext, i: CreateExportTaskInput| {
            s.create_export_task(
                ctx.account.as_str(),
                &ctx.region,
                ExportTaskInput {
                    task_name: i.task_name,
                    group: i.log_group_name,
                    stream_prefix: i.log_stream_name_prefix,
                    from: i.from,
                    to: i.to,
                    destination: i.destination,
                    destination_prefix: i.destination_prefix,
                },
            )
            .map(|task_id| CreateExportTaskOutput { task_id })
            .map_err(api_error)
        },
    );
    add(
        registry,
        store,
        "DescribeExportTasks",
        any_resource,
        true,
        |s: &LogStore, ctx: &CallContext, i: DescribeExportTasksInput| {
            let page = s
                .describe_export_tasks(
                    ctx.account.as_str(),
                    &ctx.region,
                    i.task_id.as_deref(),
                    i.status_code.as_deref(),
                    i.limit,
                    i.next_token.as_deref(),
                )
                .map_err(api_error)?;
            Ok::<_, ApiError>(DescribeExportTasksOutput {
                export_tasks: page.tasks.into_iter().map(task_shape).collect(),
                next_token: page.next_token,
            })
        },
    );
    add(
        registry,
        store,
        "CancelExportTask",
        any_resource,
        false,
        |s: &LogStore, ctx: &CallContext, i: CancelExportTaskInput| {
            s.cancel_export_task(ctx.account.as_str(), &ctx.region, &i.task_id)
                .map(|()| Empty {})
                .map_err(api_error)
        },
    );
}
