//! Export tasks: CreateExportTask / DescribeExportTasks / CancelExportTask, and the job that runs
//! them ([`LogStore::run_export_tasks`]).
//!
//! - A task is one record in `logs_export_tasks`, keyed by (account, region, creation number).
//!   Each account has at most one active (`PENDING` or `RUNNING`) task, as on AWS.
//! - CreateExportTask writes `<prefix>/aws-logs-write-test` into the bucket at once (AWS's write
//!   check), so an unwritable bucket fails the call, then answers with the task id (a UUID).
//! - The job takes `PENDING` tasks (and `RUNNING` ones a crash interrupted: they start over) and
//!   writes, for each stream of the group (matching `logStreamNamePrefix`) with events in
//!   `[from, to]`, gzip files `<prefix>/<taskId>/<stream>/000000.gz`, `000001.gz`, … of lines
//!   `<ISO 8601 timestamp> <message>`, a new file every [`EXPORT_FILE_MAX_BYTES`] of text.
//!   Streams without events in the range get no file. Then the task is `COMPLETED`.
//! - CancelExportTask moves a `PENDING`/`RUNNING` task to `CANCELLED`; the job notices it between
//!   files and stops (files already written stay, as on AWS).

use std::io::Write;

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::LogStore;
use super::bucket::{iso8601_millis, valid_bucket_name};
use super::catalog::{decode, encode, next_ids};
use super::groups::{check_limit, invalid_token};
use super::read::FilterQuery;
use crate::error::LogsError;
use crate::limits::MAX_DESCRIBE_LIMIT;
use crate::names::validate_group_name;

/// Export tasks by (account, region, creation number).
pub(crate) const EXPORT_TASKS: TableDefinition<(&str, &str, u64), &[u8]> =
    TableDefinition::new("logs_export_tasks");

/// An export file is closed once this many bytes of text are in it.
pub const EXPORT_FILE_MAX_BYTES: usize = 64 * 1024 * 1024;
/// The `destinationPrefix` when none is given.
pub const DEFAULT_EXPORT_PREFIX: &str = "exportedlogs";
/// The content of the write-check object.
pub const WRITE_TEST_CONTENT: &[u8] = b"Permission Check Successful";

/// Status codes of an export task.
pub const EXPORT_STATUS_CODES: [&str; 6] = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "PENDING",
    "PENDING_CANCEL",
    "RUNNING",
];

/// An export task as DescribeExportTasks reports it (and the catalog holds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTask {
    pub task_id: String,
    pub task_name: Option<String>,
    pub log_group_name: String,
    pub log_stream_name_prefix: Option<String>,
    pub from: i64,
    pub to: i64,
    pub destination: String,
    pub destination_prefix: String,
    pub status_code: String,
    pub status_message: String,
    pub creation_time: i64,
    pub completion_time: Option<i64>,
    /// Creation number (the catalog key's last part).
    pub number: u64,
}

/// CreateExportTask's request.
#[derive(Debug, Clone, Default)]
pub struct ExportTaskInput {
    pub task_name: Option<String>,
    pub group: String,
    pub stream_prefix: Option<String>,
    pub from: i64,
    pub to: i64,
    pub destination: String,
    pub destination_prefix: Option<String>,
}

/// A page of export tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTaskPage {
    pub tasks: Vec<ExportTask>,
    pub next_token: Option<String>,
}

fn active(t: &ExportTask) -> bool {
    t.status_code == "PENDING" || t.status_code == "RUNNING"
}

fn length(value: &str, member: &str, min: usize, max: usize) -> Result<(), LogsError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length between {min} and {max}"
        )));
    }
    Ok(())
}

impl LogStore {
    /// Creates an export task (answered with its id; the job runs it).
    pub fn create_export_task(
        &self,
        account: &str,
        region: &str,
        input: ExportTaskInput,
    ) -> Result<String, LogsError> {
        validate_group_name(&input.group)?;
        if let Some(n) = &input.task_name {
            length(n, "taskName", 1, 512)?;
        }
        if let Some(p) = &input.stream_prefix {
            length(p, "logStreamNamePrefix", 1, 512)?;
        }
        length(&input.destination, "destination", 1, 512)?;
        let prefix = input
            .destination_prefix
            .clone()
            .unwrap_or_else(|| DEFAULT_EXPORT_PREFIX.to_owned());
        if prefix.len() > 1024 {
            return Err(LogsError::invalid(
                "The destinationPrefix must be at most 1024 bytes (an S3 key's length).",
            ));
        }
        if input.from < 0 || input.to < 0 {
            return Err(LogsError::invalid(
                "1 validation error detected: Value at 'from' or 'to' failed to satisfy constraint: Member must have value greater than or equal to 0",
            ));
        }
        if input.to < input.from {
            return Err(LogsError::invalid(
                "The 'to' time must not be earlier than the 'from' time.",
            ));
        }
        if !valid_bucket_name(&input.destination) {
            return Err(LogsError::invalid(
                "The specified bucket name is not valid.",
            ));
        }
        self.state.read().group(account, region, &input.group)?;
        // The write check talks to the object store (maybe over the network): before the catalog
        // transaction, so a slow store never holds the catalog's write lock.
        self.object_store()
            .put_object(
                &input.destination,
                &format!("{prefix}/aws-logs-write-test"),
                WRITE_TEST_CONTENT,
            )
            .map_err(|e| {
                tracing::warn!(bucket = %input.destination, error = %e, "export write check failed");
                LogsError::invalid(
                    "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.",
                )
            })?;
        let now = self.now();
        let tx = self.catalog.db().begin_write()?;
        let task_id = {
            let mut table = tx.open_table(EXPORT_TASKS)?;
            for row in table.iter()? {
                let (k, v) = row?;
                if k.value().0 == account && active(&decode::<ExportTask>(v.value())?) {
                    return Err(LogsError::LimitExceeded("Resource limit exceeded.".into()));
                }
            }

            let number = next_ids(&tx, 1)?;
            let task = ExportTask {
                task_id: uuid::Uuid::new_v4().to_string(),
                task_name: input.task_name,
                log_group_name: input.group,
                log_stream_name_prefix: input.stream_prefix,
                from: input.from,
                to: input.to,
                destination: input.destination,
                destination_prefix: prefix,
                status_code: "PENDING".into(),
                status_message: "Pending".into(),
                creation_time: now,
                completion_time: None,
                number,
            };
            table.insert((account, region, number), encode(&task)?.as_slice())?;
            task.task_id
        };
        tx.commit()?;
        Ok(task_id)
    }

    /// Lists export tasks, oldest first, optionally one task or one status.
    pub fn describe_export_tasks(
        &self,
        account: &str,
        region: &str,
        task_id: Option<&str>,
        status: Option<&str>,
        limit: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<ExportTaskPage, LogsError> {
        if let Some(id) = task_id {
            length(id, "taskId", 1, 512)?;
        }
        if let Some(s) = status
            && !EXPORT_STATUS_CODES.contains(&s)
        {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value '{s}' at 'statusCode' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                EXPORT_STATUS_CODES.join(", ")
            )));
        }
        let limit = check_limit(limit, MAX_DESCRIBE_LIMIT)?;
        let after = match next_token {
            Some(t) => Some(
                t.strip_prefix("x/")
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or_else(invalid_token)?,
            ),
            None => None,
        };
        let mut tasks = Vec::new();
        let mut more = false;
        for t in self.export_tasks_of(account, region)? {
            if after.is_some_and(|a| t.number <= a)
                || task_id.is_some_and(|id| id != t.task_id)
                || status.is_some_and(|s| s != t.status_code)
            {
                continue;
            }
            if tasks.len() == limit {
                more = true;
                break;
            }
            tasks.push(t);
        }
        let next_token = if more {
            tasks.last().map(|t| format!("x/{}", t.number))
        } else {
            None
        };
        Ok(ExportTaskPage { tasks, next_token })
    }

    fn export_tasks_of(&self, account: &str, region: &str) -> Result<Vec<ExportTask>, LogsError> {
        let tx = self.catalog.db().begin_read()?;
        let table = match tx.open_table(EXPORT_TASKS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for row in table.range((account, region, 0)..=(account, region, u64::MAX))? {
            let (_, v) = row?;
            out.push(decode(v.value())?);
        }
        Ok(out)
    }

    /// Cancels a `PENDING` or `RUNNING` export task.
    pub fn cancel_export_task(
        &self,
        account: &str,
        region: &str,
        task_id: &str,
    ) -> Result<(), LogsError> {
        length(task_id, "taskId", 1, 512)?;
        let task = self
            .export_tasks_of(account, region)?
            .into_iter()
            .find(|t| t.task_id == task_id)
            .ok_or_else(|| {
                LogsError::NotFound("The specified export task does not exist.".into())
            })?;
        let now = self.now();
        let updated = self.update_export_task(account, region, task.number, |t| {
            if !active(t) {
                return Err(LogsError::InvalidOperation(format!(
                    "The specified export task has already finished. Task status: {}",
                    t.status_code
                )));
            }
            t.status_code = "CANCELLED".into();
            t.status_message = "Cancelled by user".into();
            t.completion_time = Some(now);
            Ok(())
        })?;
        debug_assert!(updated.is_some());
        Ok(())
    }

    /// Applies `change` to a task in one transaction; returns the task as stored after it.
    fn update_export_task(
        &self,
        account: &str,
        region: &str,
        number: u64,
        change: impl FnOnce(&mut ExportTask) -> Result<(), LogsError>,
    ) -> Result<Option<ExportTask>, LogsError> {
        let tx = self.catalog.db().begin_write()?;
        let task = {
            let mut table = tx.open_table(EXPORT_TASKS)?;
            let Some(mut task) = table
                .get((account, region, number))?
                .map(|v| decode::<ExportTask>(v.value()))
                .transpose()?
            else {
                return Ok(None);
            };
            change(&mut task)?;
            table.insert((account, region, number), encode(&task)?.as_slice())?;
            task
        };
        tx.commit()?;
        Ok(Some(task))
    }

    /// Runs every pending export task to its end (a scheduler job; one run at a time). Returns
    /// how many tasks finished.
    pub fn run_export_tasks(&self) -> Result<usize, LogsError> {
        let Some(_running) = self.exporting.try_lock() else {
            return Ok(0);
        };
        let pending: Vec<(String, String, ExportTask)> = {
            let tx = self.catalog.db().begin_read()?;
            let table = match tx.open_table(EXPORT_TASKS) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
                Err(e) => return Err(e.into()),
            };
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                let (a, r, _) = k.value();
                let t: ExportTask = decode(v.value())?;
                if active(&t) {
                    out.push((a.to_owned(), r.to_owned(), t));
                }
            }
            out
        };
        let mut finished = 0;
        for (account, region, task) in pending {
            let started = self.update_export_task(&account, &region, task.number, |t| {
                if active(t) {
                    t.status_code = "RUNNING".into();
                    t.status_message = "Started successfully".into();
                }
                Ok(())
            })?;
            if started.as_ref().is_none_or(|t| t.status_code != "RUNNING") {
                continue;
            }
            let outcome = self.export(&account, &region, &task);
            let now = self.now();
            self.update_export_task(&account, &region, task.number, |t| {
                if t.status_code != "RUNNING" {
                    return Ok(()); // cancelled meanwhile
                }
                match &outcome {
                    Ok(()) => {
                        t.status_code = "COMPLETED".into();
                        t.status_message = "Completed successfully".into();
                    }
                    Err(e) => {
                        t.status_code = "FAILED".into();
                        t.status_message = e.message().to_owned();
                    }
                }
                t.completion_time = Some(now);
                Ok(())
            })?;
            finished += 1;
        }
        Ok(finished)
    }

    fn still_running(&self, account: &str, region: &str, number: u64) -> Result<bool, LogsError> {
        let tx = self.catalog.db().begin_read()?;
        let table = tx.open_table(EXPORT_TASKS)?;
        let t: Option<ExportTask> = table
            .get((account, region, number))?
            .map(|v| decode(v.value()))
            .transpose()?;
        Ok(t.is_some_and(|t| t.status_code == "RUNNING"))
    }

    /// Writes a task's files.
    fn export(&self, account: &str, region: &str, task: &ExportTask) -> Result<(), LogsError> {
        let streams: Vec<String> = {
            let state = self.state.read();
            let g = state.group(account, region, &task.log_group_name)?;
            g.streams
                .keys()
                .filter(|n| {
                    task.log_stream_name_prefix
                        .as_ref()
                        .is_none_or(|p| n.starts_with(p.as_str()))
                })
                .cloned()
                .collect()
        };
        let store = self.object_store();
        let put = |key: &str, text: &[u8]| -> Result<(), LogsError> {
            store
                .put_object(&task.destination, key, &gzip(text)?)
                .map_err(|e| LogsError::internal(format!("cannot write {key}: {e}")))
        };
        for stream in streams {
            let mut file_no = 0u32;
            let mut text: Vec<u8> = Vec::new();
            let mut token: Option<String> = None;
            let key = |n: u32| {
                format!(
                    "{}/{}/{stream}/{n:06}.gz",
                    task.destination_prefix, task.task_id
                )
            };
            loop {
                if !self.still_running(account, region, task.number)? {
                    return Ok(());
                }
                let page = self.filter_log_events(
                    account,
                    region,
                    &task.log_group_name,
                    &FilterQuery {
                        stream_names: Some(vec![stream.clone()]),
                        start_time: Some(task.from),
                        end_time: Some(task.to),
                        next_token: token.take(),
                        ..FilterQuery::default()
                    },
                )?;
                for e in &page.events {
                    text.extend_from_slice(iso8601_millis(e.timestamp).as_bytes());
                    text.push(b' ');
                    text.extend_from_slice(e.message.as_bytes());
                    text.push(b'\n');
                    if text.len() >= EXPORT_FILE_MAX_BYTES {
                        put(&key(file_no), &text)?;
                        file_no += 1;
                        text.clear();
                    }
                }
                match page.next_token {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            if !text.is_empty() {
                put(&key(file_no), &text)?;
            }
        }
        Ok(())
    }
}

fn gzip(text: &[u8]) -> Result<Vec<u8>, LogsError> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text)?;
    Ok(enc.finish()?)
}
