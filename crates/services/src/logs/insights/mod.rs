//! CloudWatch Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries,
//! GetLogRecord, GetLogGroupFields and the query definitions. The domain is
//! `openwatch_insights::runner::QueryManager`; this module maps shapes and errors.

use std::sync::Arc;

use openwatch_insights::runner::{
    InsightsError, QueryDefinitionInput, QueryManager, StartQuery, Status,
};
use openwatch_logs::LogStore;
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};
use serde::{Deserialize, Serialize};

use super::resources::group_resource;

mod shapes;

pub use shapes::*;

/// The only query language served (Logs Insights QL).
const QUERY_LANGUAGE: &str = "CWLI";

fn api(e: InsightsError) -> ApiError {
    if e.status >= 500 {
        let mut a = ApiError::internal(&e.message);
        a.code = e.code.into();
        a.message = e.message;
        return a;
    }
    let err = ApiError::new(e.status, e.code, e.message);
    match e.compile_error {
        // MalformedQueryException's `queryCompileError` member.
        Some(c) => err.with_detail(
            "queryCompileError",
            Value::Struct(vec![
                (
                    "location".into(),
                    Value::Struct(vec![
                        (
                            "startCharOffset".into(),
                            Value::Int(c.start_char_offset as i64),
                        ),
                        ("endCharOffset".into(), Value::Int(c.end_char_offset as i64)),
                    ]),
                ),
                ("message".into(), Value::Str(c.message)),
            ]),
        ),
        None => err,
    }
}

fn check_language(l: Option<&str>) -> Result<(), ApiError> {
    match l {
        None | Some(QUERY_LANGUAGE) => Ok(()),
        Some(other) => Err(ApiError::new(
            400,
            "InvalidParameterException",
            format!("The query language {other} is not supported; use CWLI."),
        )),
    }
}

fn any_resource(_: &CallContext, _: &Value) -> String {
    "*".to_owned()
}

/// Registers one Insights operation whose synchronous handler gets the query manager.
fn add<I, O>(
    registry: &mut Registry,
    qm: &Arc<QueryManager>,
    name: &'static str,
    resource: fn(&CallContext, &Value) -> String,
    read_only: bool,
    f: fn(&Arc<QueryManager>, &CallContext, I) -> Result<O, ApiError>,
) where
    I: for<'de> Deserialize<'de> + Serialize + Send + 'static,
    O: Serialize + Send + 'static,
{
    let qm = Arc::clone(qm);
    let mut op = Operation::new(Service::Logs, name, move |ctx: CallContext, input: I| {
        let qm = Arc::clone(&qm);
        async move { f(&qm, &ctx, input) }
    })
    .resource(resource);
    if read_only {
        op = op.read_only();
    }
    registry.add(op);
}

fn start_query(
    qm: &Arc<QueryManager>,
    ctx: &CallContext,
    i: StartQueryInput,
) -> Result<StartQueryOutput, ApiError> {
    check_language(i.query_language.as_deref())?;
    qm.start_query(
        ctx.account.as_str(),
        &ctx.region,
        StartQuery {
            log_group_name: i.log_group_name,
            log_group_names: i.log_group_names,
            log_group_identifiers: i.log_group_identifiers,
            start_time: i.start_time,
            end_time: i.end_time,
            query_string: i.query_string,
            limit: i.limit,
        },
    )
    .map(|query_id| StartQueryOutput { query_id })
    .map_err(api)
}

fn get_query_results(
    qm: &Arc<QueryManager>,
    ctx: &CallContext,
    i: QueryIdInput,
) -> Result<GetQueryResultsOutput, ApiError> {
    let r = qm
        .get_query_results(ctx.account.as_str(), &ctx.region, &i.query_id)
        .map_err(api)?;
    Ok(GetQueryResultsOutput {
        query_language: QUERY_LANGUAGE,
        results: r
            .results
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(field, value)| ResultField { field, value })
                    .collect()
            })
            .collect(),
        statistics: QueryStatistics {
            records_matched: r.records_matched,
            records_scanned: r.records_scanned,
            bytes_scanned: r.bytes_scanned,
        },
        status: r.status.as_str(),
    })
}

fn describe_queries(
    qm: &Arc<QueryManager>,
    ctx: &CallContext,
    i: DescribeQueriesInput,
) -> Result<DescribeQueriesOutput, ApiError> {
    check_language(i.query_language.as_deref())?;
    let status = match i.status.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::new(
                400,
                "InvalidParameterException",
                format!(
                    "1 validation error detected: Value '{s}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown]"
                ),
            )
        })?),
    };
    let (queries, next_token) = qm
        .describe_queries(
            ctx.account.as_str(),
            &ctx.region,
            i.log_group_name.as_deref(),
            status,
            i.max_results,
            i.next_token.as_deref(),
        )
        .map_err(api)?;
    Ok(DescribeQueriesOutput {
        queries: queries
            .into_iter()
            .map(|q| QueryInfoShape {
                query_language: QUERY_LANGUAGE,
                query_id: q.query_id,
                query_string: q.query_string,
                status: q.status.as_str(),
                create_time: q.create_time,
                log_group_name: q.log_group_name,
            })
            .collect(),
        next_token,
    })
}

/// Registers the Insights operations (the query manager is built over the store here: queries,
/// their results and query definitions are records in the store's catalog; queries a restart
/// interrupted are re-run).
pub(super) fn register(registry: &mut Registry, store: &Arc<LogStore>) {
    let qm = QueryManager::new(Arc::clone(store));
    add(
        registry,
        &qm,
        "StartQuery",
        group_resource,
        true,
        start_query,
    );
    add(
        registry,
        &qm,
        "GetQueryResults",
        any_resource,
        true,
        get_query_results,
    );
    add(
        registry,
        &qm,
        "StopQuery",
        any_resource,
        false,
        |qm, ctx, i: QueryIdInput| {
            qm.stop_query(ctx.account.as_str(), &ctx.region, &i.query_id)
                .map(|success| StopQueryOutput { success })
                .map_err(api)
        },
    );
    add(
        registry,
        &qm,
        "DescribeQueries",
        group_resource,
        true,
        describe_queries,
    );
    add(
        registry,
        &qm,
        "GetLogRecord",
        any_resource,
        true,
        |qm, ctx, i: GetLogRecordInput| {
            qm.get_log_record(ctx.account.as_str(), &ctx.region, &i.log_record_pointer)
                .map(|rec| GetLogRecordOutput {
                    log_record: rec.into_iter().collect(),
                })
                .map_err(api)
        },
    );
    add(
        registry,
        &qm,
        "GetLogGroupFields",
        group_resource,
        true,
        |qm, ctx, i: GetLogGroupFieldsInput| {
            qm.get_log_group_fields(
                ctx.account.as_str(),
                &ctx.region,
                i.log_group_name.as_deref(),
                i.log_group_identifier.as_deref(),
                i.time,
            )
            .map(|fields| GetLogGroupFieldsOutput {
                log_group_fields: fields
                    .into_iter()
                    .map(|f| LogGroupField {
                        name: f.name,
                        percent: f.percent,
                    })
                    .collect(),
            })
            .map_err(api)
        },
    );
    add(
        registry,
        &qm,
        "PutQueryDefinition",
        any_resource,
        false,
        |qm, ctx, i: PutQueryDefinitionInput| {
            check_language(i.query_language.as_deref())?;
            qm.put_query_definition(
                ctx.account.as_str(),
                &ctx.region,
                QueryDefinitionInput {
                    id: i.query_definition_id,
                    name: i.name,
                    query_string: i.query_string,
                    log_group_names: i.log_group_names,
                },
            )
            .map(|query_definition_id| PutQueryDefinitionOutput {
                query_definition_id,
            })
            .map_err(api)
        },
    );
    add(
        registry,
        &qm,
        "DescribeQueryDefinitions",
        any_resource,
        true,
        |qm, ctx, i: DescribeQueryDefinitionsInput| {
            check_language(i.query_language.as_deref())?;
            let page = qm
                .describe_query_definitions(
                    ctx.account.as_str(),
                    &ctx.region,
                    i.query_definition_name_prefix.as_deref(),
                    i.max_results,
                    i.next_token.as_deref(),
                )
                .map_err(api)?;
            Ok(DescribeQueryDefinitionsOutput {
                query_definitions: page
                    .definitions
                    .into_iter()
                    .map(|d| QueryDefinitionShape {
                        query_language: QUERY_LANGUAGE,
                        query_definition_id: d.id,
                        name: d.name,
                        query_string: d.query_string,
                        last_modified: d.last_modified,
                        log_group_names: d.log_group_names,
                    })
                    .collect(),
                next_token: page.next_token,
            })
        },
    );
    add(
        registry,
        &qm,
        "DeleteQueryDefinition",
        any_resource,
        false,
        |qm, ctx, i: DeleteQueryDefinitionInput| {
            qm.delete_query_definition(ctx.account.as_str(), &ctx.region, &i.query_definition_id)
                .map(|()| SuccessOutput { success: true })
                .map_err(api)
        },
    );
}
