//! The EventBridge Schema Registry over restJson1 (`schemas`, 2019-12-02): registries, schemas
//! and versions, discoverers, tags and GetDiscoveredSchema. Each operation is routed by method
//! and path (`RestRoute`) and maps onto `openwatch_schemas::Schemas`. Code bindings
//! (Describe/Put/GetCodeBinding…) and resource policies are not routed.

mod definitions;
mod discoverers;
mod registries;
mod routes;
mod tags;

use openwatch_schemas::{SchemasError, names};
use openwatch_wire::{ApiError, CallContext, Value};
use serde::Serialize;

pub use definitions::*;
pub use discoverers::*;
pub use registries::*;
pub use tags::*;

pub use routes::register;

/// An empty output (204 responses).
#[derive(Debug, Serialize)]
pub struct Empty {}

/// Maps a domain error to the API's error (code, HTTP status, message).
pub fn api_error(e: SchemasError) -> ApiError {
    match e {
        SchemasError::Internal(detail) => ApiError::internal(detail),
        e => ApiError::new(e.status(), e.code(), e.to_string()),
    }
}

/// A required member the model marks required (path labels are always present once routed).
fn required<T>(v: Option<T>, member: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::new(400, "BadRequestException", format!("{member} is required.")))
}

fn str_member<'a>(input: &'a Value, member: &str) -> &'a str {
    match input.get(member) {
        Some(Value::Str(s)) => s,
        _ => "*",
    }
}

fn registry_resource(ctx: &CallContext, input: &Value) -> String {
    names::registry_arn(
        ctx.account.as_str(),
        &ctx.region,
        str_member(input, "RegistryName"),
    )
}

fn schema_resource(ctx: &CallContext, input: &Value) -> String {
    names::schema_arn(
        ctx.account.as_str(),
        &ctx.region,
        str_member(input, "RegistryName"),
        str_member(input, "SchemaName"),
    )
}

fn discoverer_resource(ctx: &CallContext, input: &Value) -> String {
    names::discoverer_arn(
        ctx.account.as_str(),
        &ctx.region,
        str_member(input, "DiscovererId"),
    )
}

fn tagged_resource(_: &CallContext, input: &Value) -> String {
    str_member(input, "ResourceArn").to_owned()
}

/// The handler for an operation: `$f(&schemas, &ctx, input)`.
macro_rules! handler {
    ($schemas:expr, $f:path) => {{
        let schemas = Arc::clone(&$schemas);
        move |ctx, input| {
            let schemas = Arc::clone(&schemas);
            async move { $f(&schemas, &ctx, input) }
        }
    }};
}
pub(crate) use handler;

/// The account of a call as the domain names it.
fn account(ctx: &CallContext) -> &str {
    ctx.account.as_str()
}
