//! The only crate that knows HTTP: AWS wire protocols, routing, SigV4 verification, error
//! rendering, and the request pipeline that authenticates, authorizes and audits every call.

pub mod audit;
pub mod auth;
pub mod error;
pub mod operation;
pub mod pipeline;
pub mod protocol;
pub mod server;
pub mod service;
#[doc(hidden)]
pub mod testing;
pub mod value;

pub use audit::{AuditEvent, AuditSink};
pub use auth::{Authenticator, Caller, RequestFacts};
/// The request body type of [`Operation::read_body_with`] readers.
pub use bytes::Bytes;
pub use error::{ApiError, Fault};
pub use operation::{CallContext, Operation, Registry};
pub use pipeline::Pipeline;
pub use protocol::Protocol;
pub use service::Service;
pub use value::{Blob, Timestamp, Value};
