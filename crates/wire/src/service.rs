//! The AWS services OpenWatch answers for, with the protocol metadata their models give
//! (botocore `service-2.json`): signing names, JSON target prefixes, XML namespaces, API versions.

use crate::error::ApiError;
use crate::value::DecodeError;

/// An AWS API served on the one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    CloudWatch,
    Logs,
    Events,
    Schemas,
    CloudTrail,
    Config,
    Sns,
    Sts,
    Iam,
}

impl Service {
    pub const ALL: [Service; 9] = [
        Service::CloudWatch,
        Service::Logs,
        Service::Events,
        Service::Schemas,
        Service::CloudTrail,
        Service::Config,
        Service::Sns,
        Service::Sts,
        Service::Iam,
    ];

    /// The SigV4 signing name (credential scope service).
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::CloudWatch => "monitoring",
            Service::Logs => "logs",
            Service::Events => "events",
            Service::Schemas => "schemas",
            Service::CloudTrail => "cloudtrail",
            Service::Config => "config",
            Service::Sns => "sns",
            Service::Sts => "sts",
            Service::Iam => "iam",
        }
    }

    /// The prefix of this service's IAM actions (`cloudwatch:PutMetricData`).
    pub fn iam_prefix(self) -> &'static str {
        match self {
            Service::CloudWatch => "cloudwatch",
            other => other.signing_name(),
        }
    }

    pub fn from_signing_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.signing_name() == name)
    }

    /// The `X-Amz-Target` prefix of awsJson services (and CloudWatch's rpc-v2-cbor service name).
    pub fn target_prefix(self) -> Option<&'static str> {
        Some(match self {
            Service::CloudWatch => "GraniteServiceVersion20100801",
            Service::Logs => "Logs_20140328",
            Service::Events => "AWSEvents",
            Service::CloudTrail => "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
            Service::Config => "StarlingDoveService",
            Service::Schemas | Service::Sns | Service::Sts | Service::Iam => return None,
        })
    }

    /// The service an `X-Amz-Target` prefix names. CloudTrail's is sent long by botocore
    /// (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`) and short by aws-sdk-rust
    /// (`CloudTrail_20131101`); both are accepted.
    pub fn from_target_prefix(prefix: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| {
            s.target_prefix()
                .is_some_and(|p| p == prefix || p.rsplit('.').next() == Some(prefix))
        })
    }

    /// The CloudTrail `eventSource` of calls to this service.
    pub fn event_source(self) -> &'static str {
        match self {
            Service::CloudWatch => "monitoring.amazonaws.com",
            Service::Logs => "logs.amazonaws.com",
            Service::Events => "events.amazonaws.com",
            Service::Schemas => "schemas.amazonaws.com",
            Service::CloudTrail => "cloudtrail.amazonaws.com",
            Service::Config => "config.amazonaws.com",
            Service::Sns => "sns.amazonaws.com",
            Service::Sts => "sts.amazonaws.com",
            Service::Iam => "iam.amazonaws.com",
        }
    }

    /// The model's `apiVersion` (the query protocol's `Version` parameter).
    pub fn api_version(self) -> &'static str {
        match self {
            Service::CloudWatch => "2010-08-01",
            Service::Logs => "2014-03-28",
            Service::Events => "2015-10-07",
            Service::Schemas => "2019-12-02",
            Service::CloudTrail => "2013-11-01",
            Service::Config => "2014-11-12",
            Service::Sns => "2010-03-31",
            Service::Sts => "2011-06-15",
            Service::Iam => "2010-05-08",
        }
    }

    /// The XML namespace of query responses.
    pub fn xml_namespace(self) -> &'static str {
        match self {
            Service::CloudWatch => "http://monitoring.amazonaws.com/doc/2010-08-01/",
            Service::Sns => "http://sns.amazonaws.com/doc/2010-03-31/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            _ => "",
        }
    }

    /// CloudWatch's model is `awsQueryCompatible`: JSON and CBOR errors carry `x-amzn-query-error`.
    pub fn query_compatible(self) -> bool {
        self == Service::CloudWatch
    }

    /// Services whose clients use the query protocol (awsquery) or, for CloudWatch, may.
    pub fn speaks_query(self) -> bool {
        matches!(
            self,
            Service::CloudWatch | Service::Sns | Service::Sts | Service::Iam
        )
    }

    /// IAM and STS are global: their resources have no region, and the trail records us-east-1.
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam)
    }

    /// The error for a request whose body does not fit the operation's input shape.
    pub fn decode_error(self, err: DecodeError) -> ApiError {
        match (self, err) {
            (Service::CloudWatch, DecodeError::MissingField(f)) => ApiError::new(
                400,
                "MissingRequiredParameterException",
                format!("The parameter {f} is required."),
            )
            .with_query_code("MissingParameter"),
            (Service::CloudWatch, DecodeError::Invalid(m)) => {
                ApiError::new(400, "InvalidParameterValueException", m)
                    .with_query_code("InvalidParameterValue")
            }
            (Service::Sts | Service::Iam, DecodeError::MissingField(f)) => ApiError::new(
                400,
                "ValidationError",
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    lower_camel(&f)
                ),
            ),
            (Service::Sts | Service::Iam, DecodeError::Invalid(m)) => {
                ApiError::new(400, "ValidationError", m)
            }
            (Service::Sns, DecodeError::MissingField(f)) => {
                ApiError::new(400, "InvalidParameter", format!("Invalid parameter: {f}"))
            }
            (Service::Sns, DecodeError::Invalid(m)) => ApiError::new(400, "InvalidParameter", m),
            // The Schemas API reports every malformed request as BadRequestException.
            (Service::Schemas, DecodeError::MissingField(f)) => {
                ApiError::new(400, "BadRequestException", format!("{f} is required."))
            }
            (Service::Schemas, DecodeError::Invalid(m)) => {
                ApiError::new(400, "BadRequestException", m)
            }
            (_, DecodeError::MissingField(f)) => {
                let code = match self {
                    Service::Events => "ValidationException",
                    Service::Config => "ValidationException",
                    _ => "InvalidParameterException",
                };
                ApiError::new(
                    400,
                    code,
                    format!(
                        "1 validation error detected: Value null at '{f}' failed to satisfy constraint: Member must not be null"
                    ),
                )
            }
            (_, DecodeError::Invalid(m)) => ApiError::new(400, "SerializationException", m),
        }
    }

    /// The error for an operation this server does not route.
    pub fn unknown_operation(self, op: &str) -> ApiError {
        if matches!(self, Service::Sns | Service::Sts | Service::Iam) {
            ApiError::new(
                400,
                "InvalidAction",
                format!(
                    "Could not find operation {op} for version {}",
                    self.api_version()
                ),
            )
        } else if self.query_compatible() {
            // CloudWatch's SDKs match the awsQuery code, which for an unknown action is InvalidAction.
            ApiError::new(
                400,
                "UnknownOperationException",
                format!(
                    "Could not find operation {op} for version {}",
                    self.api_version()
                ),
            )
            .with_query_code("InvalidAction")
        } else {
            ApiError::new(400, "UnknownOperationException", String::new())
        }
    }
}

/// `UserName` → `userName`: CloudTrail records and validation messages use lowerCamelCase names.
pub fn lower_camel(name: &str) -> String {
    if let Some(&first) = name.as_bytes().first()
        && first.is_ascii()
    {
        // Every member name is ASCII: one allocation, no per-char work.
        let mut out = String::with_capacity(name.len());
        out.push(char::from(first.to_ascii_lowercase()));
        out.push_str(&name[1..]);
        return out;
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
