//! The end of every request's path: authorize, call, render, audit.

use std::sync::Arc;

use super::{Pipeline, Route};
use crate::audit::{AuditEvent, trail_json};
use crate::operation::{CallContext, Operation};
use crate::protocol::Rendered;
use crate::value::Value;

impl Pipeline {
    /// Authorizes (when `authorize`), calls, renders and audits one decoded request.
    pub(super) async fn execute(
        &self,
        op: &Operation,
        ctx: CallContext,
        input: Value,
        route: &Route,
        request_id: &str,
        authorize: bool,
    ) -> Rendered {
        let (protocol, service, now_millis, remote) =
            (route.protocol, ctx.service, ctx.now_millis, ctx.source_ip);
        let caller = Arc::clone(&ctx.caller);
        let resource = op.resource_arn(&ctx, &input);

        // Authorize, call, render, audit.
        let allowed = if authorize {
            self.authorize(op, &caller, &resource, &ctx)
        } else {
            Ok(())
        };
        let (recorded_input, output) = match allowed {
            Err(denied) => (Some(input), Err(denied)),
            Ok(()) => {
                let raw_input = input.clone();
                let outcome = op.call(ctx.clone(), input).await;
                (outcome.input.or(Some(raw_input)), outcome.output)
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
}
