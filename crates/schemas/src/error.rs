//! The typed error of every Schemas operation, carrying the API's error shape and HTTP status.

/// A Schema Registry error. `code()` is the AWS error shape name; `Display` is the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemasError {
    /// 400: the request is malformed or breaks a constraint.
    #[error("{0}")]
    BadRequest(String),
    /// 403: the resource may not be changed (the AWS-owned registry).
    #[error("{0}")]
    Forbidden(String),
    /// 404: a named resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the resource already exists.
    #[error("{0}")]
    Conflict(String),
    /// Storage failed; the message is for logs, not clients.
    #[error("{0}")]
    Internal(String),
}

impl SchemasError {
    /// The AWS error shape name (`X-Amzn-ErrorType`).
    pub fn code(&self) -> &'static str {
        match self {
            SchemasError::BadRequest(_) => "BadRequestException",
            SchemasError::Forbidden(_) => "ForbiddenException",
            SchemasError::NotFound(_) => "NotFoundException",
            SchemasError::Conflict(_) => "ConflictException",
            SchemasError::Internal(_) => "InternalServerErrorException",
        }
    }

    /// The HTTP status the model gives the error.
    pub fn status(&self) -> u16 {
        match self {
            SchemasError::BadRequest(_) => 400,
            SchemasError::Forbidden(_) => 403,
            SchemasError::NotFound(_) => 404,
            SchemasError::Conflict(_) => 409,
            SchemasError::Internal(_) => 500,
        }
    }

    pub(crate) fn registry_not_found(name: &str) -> Self {
        SchemasError::NotFound(format!("Registry with name {name} does not exist."))
    }

    pub(crate) fn schema_not_found(name: &str) -> Self {
        SchemasError::NotFound(format!("Schema with name {name} does not exist."))
    }

    pub(crate) fn version_not_found(name: &str, version: &str) -> Self {
        SchemasError::NotFound(format!(
            "Schema with name {name} and version {version} does not exist."
        ))
    }

    pub(crate) fn discoverer_not_found(id: &str) -> Self {
        SchemasError::NotFound(format!("Discoverer with id {id} does not exist."))
    }
}

macro_rules! storage_error {
    ($($ty:ty),*) => {$(
        impl From<$ty> for SchemasError {
            fn from(e: $ty) -> Self {
                SchemasError::Internal(format!("catalog: {e}"))
            }
        }
    )*};
}

storage_error!(
    openwatch_storage::CatalogError,
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
