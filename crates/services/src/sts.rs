//! STS over awsquery: GetCallerIdentity, which Terraform and the SDKs call to learn who they are.

use serde::{Deserialize, Serialize};

use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service};

/// `GetCallerIdentity` takes no parameters.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct GetCallerIdentityInput {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCallerIdentityOutput {
    pub user_id: String,
    pub account: String,
    pub arn: String,
}

/// AWS requires no permission for GetCallerIdentity: a caller denied everything may still ask.
pub fn register(registry: &mut Registry) {
    registry.add(
        Operation::new(Service::Sts, "GetCallerIdentity", get_caller_identity)
            .read_only()
            .without_authorization(),
    );
}

async fn get_caller_identity(
    ctx: CallContext,
    _input: GetCallerIdentityInput,
) -> Result<GetCallerIdentityOutput, ApiError> {
    Ok(GetCallerIdentityOutput {
        user_id: ctx.caller.principal_id.clone(),
        account: ctx.account.as_str().to_owned(),
        arn: ctx.caller.arn.clone(),
    })
}
