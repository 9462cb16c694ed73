//! Operations: a typed handler written once per AWS operation, carried by every protocol.
//!
//! [`Operation::new`] takes an async function from the operation's input shape to its output
//! shape. The registry erases the types: the pipeline hands it a decoded [`Value`], it reads the
//! input shape from it, calls the handler and turns the output shape back into a [`Value`].

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::protocol::rest::RestRoute;
use crate::protocol::{Protocol, cbor_de, json_de};
use crate::service::Service;
use crate::value::{DecodeError, Value, from_value, to_value, to_value_omitting};
use openwatch_types::AccountId;

/// What a handler knows about the call besides its input.
#[derive(Clone)]
pub struct CallContext {
    pub request_id: String,
    /// The account the caller belongs to; every resource the call touches is in it.
    pub account: AccountId,
    /// The region of the request's credential scope.
    pub region: String,
    pub caller: Arc<Caller>,
    pub source_ip: IpAddr,
    pub user_agent: String,
    pub service: Service,
    pub operation: &'static str,
    /// When the pipeline accepted the request (milliseconds since the epoch, from the server clock).
    pub now_millis: i64,
    /// Size of the request body as sent (before `Content-Encoding: gzip` is undone), for
    /// operations with a request-size limit of their own (PutMetricData's 1 MB).
    pub request_bytes: usize,
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("request_id", &self.request_id)
            .field("account", &self.account)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The result of an erased call: the output, and the input as the trail records it.
pub struct CallOutcome {
    /// The input shape re-encoded (typed values, absent members dropped); `None` if unreadable.
    pub input: Option<Value>,
    pub output: Result<Value, ApiError>,
}

type Handler = Arc<dyn Fn(CallContext, Value) -> BoxFuture<CallOutcome> + Send + Sync>;

/// A call whose input shape has been read straight from the request body (see
/// [`Operation::prepare`]): the input as the trail records it, and the call itself.
pub struct Prepared {
    /// The input shape re-encoded without its bulk members ([`Operation::bulk`]).
    pub recorded: Option<Value>,
    run: Box<dyn FnOnce(CallContext) -> BoxFuture<Result<Value, ApiError>> + Send>,
}

impl Prepared {
    /// A call of the handler `run`, whose input the trail records as `recorded` (re-encoded
    /// without its bulk members, as [`to_value_omitting`] with [`Operation::bulk`] gives it).
    pub fn new<O, Fut>(
        recorded: Option<Value>,
        run: impl FnOnce(CallContext) -> Fut + Send + 'static,
    ) -> Self
    where
        O: Serialize + 'static,
        Fut: Future<Output = Result<O, ApiError>> + Send + 'static,
    {
        let run = Box::new(move |ctx: CallContext| {
            let fut = run(ctx);
            Box::pin(async move {
                match fut.await {
                    Ok(out) => to_value(&out).map_err(ApiError::internal),
                    Err(e) => Err(e),
                }
            }) as BoxFuture<Result<Value, ApiError>>
        });
        Prepared { recorded, run }
    }

    /// The recorded input, and the handler's run.
    pub fn run(self, ctx: CallContext) -> (Option<Value>, BoxFuture<Result<Value, ApiError>>) {
        (self.recorded, (self.run)(ctx))
    }
}

type Preparer = Arc<dyn Fn(Protocol, &[u8]) -> Option<Result<Prepared, DecodeError>> + Send + Sync>;
/// An operation's own reader of its request bodies ([`Operation::read_body_with`]).
type BodyReader = Arc<dyn Fn(Protocol, &Bytes) -> Option<Prepared> + Send + Sync>;
type ResourceFn = fn(&CallContext, &Value) -> String;
/// For an operation callable without a signature: the account and region a decoded input
/// belongs to (from an ARN in it), or the error to answer.
pub type AnonymousScope = fn(&Value) -> Result<(AccountId, String), ApiError>;

/// One AWS operation.
#[derive(Clone)]
pub struct Operation {
    pub service: Service,
    pub name: &'static str,
    /// Recorded as `readOnly` in the trail.
    pub read_only: bool,
    /// False for operations AWS lets anyone authenticated call (`sts:GetCallerIdentity`).
    pub authorize: bool,
    /// Member names (any depth, wire spelling) never recorded in the trail: secrets.
    pub sensitive: &'static [&'static str],
    /// Set for the few operations AWS accepts as an unsigned `GET` of the query protocol
    /// (SNS's ConfirmSubscription and Unsubscribe links): they run with an anonymous caller
    /// (see [`Caller::anonymous`]) in the scope this function finds, without authorization.
    pub anonymous: Option<AnonymousScope>,
    /// Input member paths holding the call's payload, left out of the audit record (and never
    /// copied for it): [`crate::audit::bulk_members`].
    pub bulk: &'static [&'static str],
    resource: ResourceFn,
    handler: Handler,
    prepare: Preparer,
    read_body: Option<BodyReader>,
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Operation({:?}.{})", self.service, self.name)
    }
}

fn any_resource(_: &CallContext, _: &Value) -> String {
    "*".to_owned()
}

impl Operation {
    /// An operation whose handler maps input shape `I` to output shape `O`. Mutating by default.
    pub fn new<I, O, F, Fut>(service: Service, name: &'static str, handler: F) -> Self
    where
        I: DeserializeOwned + Serialize + Send + 'static,
        O: Serialize + 'static,
        F: Fn(CallContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ApiError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let bulk = crate::audit::bulk_members(service, name);
        let h = Arc::clone(&handler);
        let prepare: Preparer = Arc::new(move |protocol: Protocol, body: &[u8]| {
            let input: I = match protocol {
                Protocol::RpcV2Cbor => match cbor_de::from_cbor(body) {
                    Ok(i) => i,
                    Err(e) => return Some(Err(e)),
                },
                Protocol::AwsJson10 | Protocol::AwsJson11 => match json_de::from_json(body) {
                    Ok(i) => i,
                    Err(e) => return Some(Err(e)),
                },
                _ => return None,
            };
            let recorded = to_value_omitting(&input, bulk).ok();
            let h = Arc::clone(&h);
            Some(Ok(Prepared::new(recorded, move |ctx| h(ctx, input))))
        });
        let erased: Handler = Arc::new(move |ctx: CallContext, input: Value| {
            let service = ctx.service;
            let input: Result<I, _> = from_value(input);
            match input {
                Err(e) => Box::pin(std::future::ready(CallOutcome {
                    input: None,
                    output: Err(service.decode_error(e)),
                })) as BoxFuture<CallOutcome>,
                Ok(input) => {
                    let recorded = to_value_omitting(&input, bulk).ok();
                    let fut = handler(ctx, input);
                    Box::pin(async move {
                        let output = match fut.await {
                            Ok(out) => to_value(&out).map_err(ApiError::internal),
                            Err(e) => Err(e),
                        };
                        CallOutcome {
                            input: recorded,
                            output,
                        }
                    })
                }
            }
        });
        Operation {
            service,
            name,
            read_only: false,
            authorize: true,
            sensitive: &[],
            anonymous: None,
            bulk,
            resource: any_resource,
            handler: erased,
            prepare,
            read_body: None,
        }
    }

    /// Marks the operation read-only (`Describe*`, `List*`, `Get*`).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Lets every authenticated caller call it, as AWS does for `sts:GetCallerIdentity`.
    pub fn without_authorization(mut self) -> Self {
        self.authorize = false;
        self
    }

    /// Names the resource ARN policies are evaluated against (default `*`).
    pub fn resource(mut self, f: ResourceFn) -> Self {
        self.resource = f;
        self
    }

    /// Also accepts the operation as an unsigned query-protocol `GET`, in `scope`'s account and
    /// region. The handler must check the caller ([`Caller::is_anonymous`]) and hold a secret
    /// of its own (a token) where the operation needs one.
    pub fn anonymous_get(mut self, scope: AnonymousScope) -> Self {
        self.anonymous = Some(scope);
        self
    }

    /// Reads request bodies with `reader` before the generic read: for an operation whose bulk
    /// input the generic read would copy into owned shapes (PutMetricData), a reader whose
    /// call borrows the bulk in its future (from the body, which [`Bytes`] share without a copy,
    /// or from one store of its own). The reader answers `None` for every body it does not
    /// handle in full (see [`crate::protocol::scan`]), and the generic read runs: so it has no
    /// errors of its own. Where it answers, the body must be one [`Protocol::validate`] accepts
    /// (it is not checked again), and the call, its outcome and its audit record must be the
    /// generic read's.
    pub fn read_body_with(
        mut self,
        reader: impl Fn(Protocol, &Bytes) -> Option<Prepared> + Send + Sync + 'static,
    ) -> Self {
        self.read_body = Some(Arc::new(reader));
        self
    }

    /// Members never written to the trail.
    pub fn sensitive(mut self, members: &'static [&'static str]) -> Self {
        self.sensitive = members;
        self
    }

    /// The IAM action, `service:Operation`.
    pub fn action(&self) -> String {
        format!("{}:{}", self.service.iam_prefix(), self.name)
    }

    pub fn resource_arn(&self, ctx: &CallContext, input: &Value) -> String {
        (self.resource)(ctx, input)
    }

    /// Reads the input shape straight from a request body in `protocol` (one that
    /// [`Protocol::validate`] accepted, or, where [`Protocol::read_checks_body`], any body: the
    /// read then fails on every body `validate` refuses); `None` when the protocol has no direct
    /// reader, and the body goes through [`Value`] instead. The operation's own reader
    /// ([`Operation::read_body_with`]) is tried first.
    pub fn prepare(
        &self,
        protocol: Protocol,
        body: &Bytes,
    ) -> Option<Result<Prepared, DecodeError>> {
        if let Some(read) = &self.read_body
            && let Some(prepared) = read(protocol, body)
        {
            return Some(Ok(prepared));
        }
        (self.prepare)(protocol, body)
    }

    /// Runs the handler on a decoded request.
    pub fn call(
        &self,
        ctx: CallContext,
        input: Value,
    ) -> impl Future<Output = CallOutcome> + use<> {
        (self.handler)(ctx, input)
    }
}

/// Every routed operation, found by service and name, plus the REST routes.
#[derive(Default, Debug)]
pub struct Registry {
    ops: HashMap<Service, HashMap<&'static str, Arc<Operation>>>,
    rest: Vec<(Service, RestRoute)>,
    /// Documents served to unauthenticated `GET`s: path → (content type, body).
    public: HashMap<String, (&'static str, bytes::Bytes)>,
}

impl Registry {
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds an operation. A second registration of the same name replaces the first, which is a
    /// programming error caught in debug builds.
    pub fn add(&mut self, op: Operation) {
        let by_name = self.ops.entry(op.service).or_default();
        debug_assert!(!by_name.contains_key(op.name), "{op:?} registered twice");
        by_name.insert(op.name, Arc::new(op));
    }

    /// Adds a REST-routed operation (the operation itself must also be added).
    pub fn add_rest(&mut self, service: Service, route: RestRoute) {
        self.rest.push((service, route));
    }

    /// Serves `body` to every unauthenticated `GET` of `path` (e.g. SNS's signing
    /// certificate). Paths that look like API requests are the caller's responsibility.
    pub fn add_public_document(
        &mut self,
        path: String,
        content_type: &'static str,
        body: impl Into<bytes::Bytes>,
    ) {
        self.public.insert(path, (content_type, body.into()));
    }

    /// The public document at `path`.
    pub fn public_document(&self, path: &str) -> Option<&(&'static str, bytes::Bytes)> {
        self.public.get(path)
    }

    /// The operation named `action` that accepts unsigned query `GET`s, if any.
    pub fn anonymous_operation(&self, action: &str) -> Option<&Arc<Operation>> {
        self.ops
            .iter()
            .filter(|(service, _)| service.speaks_query())
            .filter_map(|(_, by_name)| by_name.get(action))
            .find(|op| op.anonymous.is_some())
    }

    pub fn get(&self, service: Service, name: &str) -> Option<&Arc<Operation>> {
        self.ops.get(&service)?.get(name)
    }

    pub fn rest_routes(&self) -> impl Iterator<Item = &(Service, RestRoute)> {
        self.rest.iter()
    }

    pub fn len(&self) -> usize {
        self.ops.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Every registered operation, sorted by service and name (for docs and tests).
    pub fn operations(&self) -> Vec<&Arc<Operation>> {
        let mut v: Vec<_> = self.ops.values().flat_map(HashMap::values).collect();
        v.sort_by_key(|op| (op.service, op.name));
        v
    }
}
