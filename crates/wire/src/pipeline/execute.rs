//! The end of every request's path: read the input, authorize, call, render, audit.

use std::sync::Arc;

use super::{Input, Pipeline, Route};
use crate::audit::{AuditEvent, clone_omitting, trail_json};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::operation::{CallContext, Operation, Prepared};
use crate::protocol::Rendered;
use crate::value::Value;

/// What a call became: the input the trail records and the output (or error).
type Outcome = (Option<Value>, Result<Value, ApiError>);

impl Pipeline {
    /// Authorizes (when `authorize`), calls, renders and audits one decoded request.
    pub(super) async fn execute(
        &self,
        op: &Operation,
        ctx: CallContext,
        input: Input,
        route: &Route,
        request_id: &str,
        authorize: bool,
    ) -> Rendered {
        let (protocol, service, now_millis, remote) =
            (route.protocol, ctx.service, ctx.now_millis, ctx.source_ip);
        let caller = Arc::clone(&ctx.caller);
        let (resource, (recorded_input, output)) = match input {
            // The shape was read straight from the body: the resource comes from the shape as
            // re-encoded for the trail (bulk members left out), the Value tree is never built.
            Input::Read(p, body, Ok(prepared)) => {
                let empty = Value::empty();
                let resource = op.resource_arn(&ctx, prepared.recorded.as_ref().unwrap_or(&empty));
                let outcome = match self.allowed(authorize, op, &caller, &resource, &ctx) {
                    // A denial records the request as sent, as the Value path does.
                    Err(denied) => {
                        let raw = p.decode(&body).unwrap_or_else(|_| Value::empty());
                        (Some(clone_omitting(&raw, op.bulk)), Err(denied))
                    }
                    Ok(()) => run(prepared, ctx.clone()).await,
                };
                (resource, outcome)
            }
            // Unreadable into the shape, or a protocol without a direct reader: the Value path.
            input => {
                let (read_error, input) = match input {
                    Input::Value(v) => (None, v),
                    Input::Wire(p, body) => {
                        (None, p.decode(&body).unwrap_or_else(|_| Value::empty()))
                    }
                    Input::Read(p, body, read) => (
                        read.err(),
                        p.decode(&body).unwrap_or_else(|_| Value::empty()),
                    ),
                };
                let resource = op.resource_arn(&ctx, &input);
                let outcome = match self.allowed(authorize, op, &caller, &resource, &ctx) {
                    Err(denied) => (Some(clone_omitting(&input, op.bulk)), Err(denied)),
                    Ok(()) => match read_error {
                        Some(e) => (
                            Some(clone_omitting(&input, op.bulk)),
                            Err(service.decode_error(e)),
                        ),
                        None => {
                            // Recorded only if the input cannot be read into the shape.
                            let raw_input = clone_omitting(&input, op.bulk);
                            let outcome = op.call(ctx.clone(), input).await;
                            (outcome.input.or(Some(raw_input)), outcome.output)
                        }
                    },
                };
                (resource, outcome)
            }
        };
        let rendered = match &output {
            Ok(out) => {
                let mut r = protocol.render_ok(service, op.name, request_id, out);
                // REST operations answer 200, 201 or 204 as their model says.
                if let Some((index, _)) = &route.rest
                    && let Some((_, rest_route)) = self.registry.rest_routes().nth(*index)
                {
                    r.status = rest_route.success_status;
                }
                r
            }
            Err(err) => protocol.render_error(Some(service), request_id, err),
        };
        self.audit.record(AuditEvent {
            time_millis: now_millis,
            service,
            operation: op.name.to_owned(),
            region: ctx.region,
            source_ip: remote,
            user_agent: ctx.user_agent,
            caller,
            request_parameters: recorded_input
                .filter(|v| !v.is_empty())
                .map(|v| trail_json(&v, op.sensitive)),
            response_elements: match &output {
                Ok(out) if !op.read_only && !out.is_empty() => Some(trail_json(out, op.sensitive)),
                _ => None,
            },
            error_code: output.as_ref().err().map(|e| e.query_code().to_owned()),
            error_message: output.as_ref().err().map(|e| e.message.clone()),
            request_id: request_id.to_owned(),
            read_only: op.read_only,
            resources: if resource == "*" {
                Vec::new()
            } else {
                vec![resource]
            },
        });
        rendered
    }

    /// Authorization when the request asks for it.
    fn allowed(
        &self,
        authorize: bool,
        op: &Operation,
        caller: &Caller,
        resource: &str,
        ctx: &CallContext,
    ) -> Result<(), ApiError> {
        if authorize {
            self.authorize(op, caller, resource, ctx)
        } else {
            Ok(())
        }
    }
}

/// Runs a prepared call; the trail records the prepared input.
async fn run(prepared: Prepared, ctx: CallContext) -> Outcome {
    let (recorded, call) = prepared.run(ctx);
    (recorded, call.await)
}
