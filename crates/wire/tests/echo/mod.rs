//! The echo operation the single-read tests (`cbor_single_read.rs`, `json_single_read.rs`) call.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_wire::testing::TestClient;
use openwatch_wire::{ApiError, Operation, Registry, Service};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EchoInput {
    #[serde(default)]
    pub name: Option<String>,
    /// Any document: read through the `Value` deserializer, streamed at every depth.
    #[serde(default)]
    pub document: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EchoOutput {
    greeting: String,
}

/// A client of one `Echo` operation of `service` answering `hello <Name>`.
pub fn client(service: Service) -> TestClient {
    let mut registry = Registry::new();
    registry.add(Operation::new(
        service,
        "Echo",
        |_ctx, input: EchoInput| async move {
            Ok::<_, ApiError>(EchoOutput {
                greeting: format!("hello {}", input.name.unwrap_or_default()),
            })
        },
    ));
    TestClient::new(registry, Arc::new(|| 1_767_229_200_000))
}
