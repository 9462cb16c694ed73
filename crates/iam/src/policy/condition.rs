//! Condition operators (`StringEquals`, `NumericLessThan`, `IpAddress`, …), their `…IfExists`
//! suffix and `ForAllValues:`/`ForAnyValue:` qualifiers, and their evaluation against a context.
//!
//! Within one condition the policy's values are ORed (for negated operators: NORed); a statement's
//! conditions are ANDed by the caller. A key absent from the context makes a condition false,
//! except for negated operators (true), `…IfExists` (true), `ForAllValues:` (true) and `Null`.

use std::net::IpAddr;

use ipnet::IpNet;

use super::context::Lookup;
use super::time::parse_date_millis;
use super::wildcard::{Pattern, PatternOptions};

/// Ordering comparisons for numbers and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, context: T, policy: T) -> bool {
        match self {
            Cmp::Eq => context == policy,
            Cmp::Lt => context < policy,
            Cmp::Le => context <= policy,
            Cmp::Gt => context > policy,
            Cmp::Ge => context >= policy,
        }
    }
}

/// The base operator family, without negation, qualifier or `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// String comparison: `like` enables wildcards, `ignore_case` folds case.
    String {
        like: bool,
        ignore_case: bool,
    },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    /// `ArnEquals` and `ArnLike` behave the same: each of the six `:`-separated parts is matched
    /// separately with wildcards.
    Arn,
    Null,
}

/// `ForAllValues:` / `ForAnyValue:` set qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A parsed operator name such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub family: Family,
    pub negated: bool,
    pub if_exists: bool,
    pub qualifier: Option<SetQualifier>,
}

const BASE_OPERATORS: &[(&str, Family, bool)] = &[
    (
        "StringEquals",
        Family::String {
            like: false,
            ignore_case: false,
        },
        false,
    ),
    (
        "StringNotEquals",
        Family::String {
            like: false,
            ignore_case: false,
        },
        true,
    ),
    (
        "StringEqualsIgnoreCase",
        Family::String {
            like: false,
            ignore_case: true,
        },
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Family::String {
            like: false,
            ignore_case: true,
        },
        true,
    ),
    (
        "StringLike",
        Family::String {
            like: true,
            ignore_case: false,
        },
        false,
    ),
    (
        "StringNotLike",
        Family::String {
            like: true,
            ignore_case: false,
        },
        true,
    ),
    ("NumericEquals", Family::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Family::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Family::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Family::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Family::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Family::Numeric(Cmp::Ge), false),
    ("DateEquals", Family::Date(Cmp::Eq), false),
    ("DateNotEquals", Family::Date(Cmp::Eq), true),
    ("DateLessThan", Family::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Family::Date(Cmp::Le), false),
    ("DateGreaterThan", Family::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Family::Date(Cmp::Ge), false),
    ("Bool", Family::Bool, false),
    ("BinaryEquals", Family::Binary, false),
    ("IpAddress", Family::Ip, false),
    ("NotIpAddress", Family::Ip, true),
    ("ArnEquals", Family::Arn, false),
    ("ArnLike", Family::Arn, false),
    ("ArnNotEquals", Family::Arn, true),
    ("ArnNotLike", Family::Arn, true),
    ("Null", Family::Null, false),
];

const FOR_ALL_VALUES: &str = "ForAllValues:";
const FOR_ANY_VALUE: &str = "ForAnyValue:";
const IF_EXISTS: &str = "IfExists";

impl Operator {
    /// Parses an operator name; `None` for names IAM does not know.
    pub(crate) fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix(FOR_ALL_VALUES) {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix(FOR_ANY_VALUE) {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (if_exists, base) = match rest.strip_suffix(IF_EXISTS) {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let &(_, family, negated) = BASE_OPERATORS.iter().find(|(n, _, _)| *n == base)?;
        if family == Family::Null && (if_exists || qualifier.is_some()) {
            return None;
        }
        Some(Operator {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }
}

/// The policy's values for one condition, compiled for its operator family.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Patterns(Vec<Pattern>),
    Numbers(Vec<Option<f64>>),
    Dates(Vec<Option<i64>>),
    /// Lowercased `true`/`false` (any other text never matches).
    Bools(Vec<String>),
    Binary(Vec<String>),
    Nets(Vec<Option<IpNet>>),
    Arns(Vec<Option<Vec<Pattern>>>),
    /// `true`: the key must be absent; `false`: present. `None` for other text.
    Null(Vec<Option<bool>>),
}

/// One compiled condition: operator, context key and the policy's values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    op: Operator,
    /// Lowercased context key.
    key: String,
    values: Values,
}

/// Number of `:`-separated parts in an ARN.
const ARN_PARTS: usize = 6;

fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

impl Condition {
    /// Compiles a condition. `variables`: substitute `${…}` in string and ARN values.
    pub(crate) fn compile(op: Operator, key: &str, values: &[String], variables: bool) -> Self {
        let values = match op.family {
            Family::String { like, ignore_case } => Values::Patterns(
                values
                    .iter()
                    .map(|v| {
                        Pattern::compile(
                            v,
                            PatternOptions {
                                wildcards: like,
                                variables,
                                fold_case: ignore_case,
                            },
                        )
                    })
                    .collect(),
            ),
            Family::Numeric(_) => Values::Numbers(values.iter().map(|v| parse_number(v)).collect()),
            Family::Date(_) => Values::Dates(values.iter().map(|v| parse_date_millis(v)).collect()),
            Family::Bool => Values::Bools(values.iter().map(|v| v.to_ascii_lowercase()).collect()),
            Family::Binary => Values::Binary(values.to_vec()),
            Family::Ip => Values::Nets(values.iter().map(|v| parse_net(v)).collect()),
            Family::Arn => Values::Arns(
                values
                    .iter()
                    .map(|v| {
                        let parts: Vec<&str> = v.splitn(ARN_PARTS, ':').collect();
                        (parts.len() == ARN_PARTS).then(|| {
                            parts
                                .iter()
                                .map(|p| {
                                    Pattern::compile(
                                        p,
                                        PatternOptions {
                                            wildcards: true,
                                            variables,
                                            fold_case: false,
                                        },
                                    )
                                })
                                .collect()
                        })
                    })
                    .collect(),
            ),
            Family::Null => Values::Null(
                values
                    .iter()
                    .map(|v| match v.to_ascii_lowercase().as_str() {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => None,
                    })
                    .collect(),
            ),
        };
        Condition {
            op,
            key: key.to_ascii_lowercase(),
            values,
        }
    }

    /// Whether the condition holds for the request context.
    pub(crate) fn holds(&self, lookup: &Lookup<'_>) -> bool {
        let present = lookup.get(&self.key).filter(|v| !v.is_empty());
        if let Values::Null(wants) = &self.values {
            let absent = present.is_none();
            return wants.contains(&Some(absent));
        }
        let Some(context_values) = present else {
            if self.op.if_exists {
                return true;
            }
            return match self.op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => self.op.negated,
            };
        };
        match self.op.qualifier {
            None => {
                let any = context_values
                    .iter()
                    .any(|v| self.any_policy_value_matches(v, lookup));
                any != self.op.negated
            }
            Some(SetQualifier::ForAnyValue) => context_values
                .iter()
                .any(|v| self.any_policy_value_matches(v, lookup) != self.op.negated),
            Some(SetQualifier::ForAllValues) => context_values
                .iter()
                .all(|v| self.any_policy_value_matches(v, lookup) != self.op.negated),
        }
    }

    /// Whether one context value matches at least one of the policy's values (un-negated).
    fn any_policy_value_matches(&self, context_value: &str, lookup: &Lookup<'_>) -> bool {
        match (&self.values, self.op.family) {
            (Values::Patterns(patterns), _) => {
                patterns.iter().any(|p| p.matches(context_value, lookup))
            }
            (Values::Numbers(numbers), Family::Numeric(cmp)) => match parse_number(context_value) {
                Some(c) => numbers.iter().flatten().any(|&p| cmp.holds(c, p)),
                None => false,
            },
            (Values::Dates(dates), Family::Date(cmp)) => match parse_date_millis(context_value) {
                Some(c) => dates.iter().flatten().any(|&p| cmp.holds(c, p)),
                None => false,
            },
            (Values::Bools(bools), _) => {
                bools.iter().any(|b| b.eq_ignore_ascii_case(context_value))
            }
            (Values::Binary(items), _) => items.iter().any(|b| b == context_value),
            (Values::Nets(nets), _) => match context_value.trim().parse::<IpAddr>() {
                Ok(addr) => nets.iter().flatten().any(|n| n.contains(&addr)),
                Err(_) => false,
            },
            (Values::Arns(arns), _) => {
                let parts: Vec<&str> = context_value.splitn(ARN_PARTS, ':').collect();
                parts.len() == ARN_PARTS
                    && arns.iter().flatten().any(|want| {
                        want.iter()
                            .zip(&parts)
                            .all(|(pattern, part)| pattern.matches(part, lookup))
                    })
            }
            _ => false,
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::ConditionContext;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let values: Vec<String> = values.iter().map(|s| (*s).to_owned()).collect();
        Condition::compile(
            Operator::parse(op).expect("known operator"),
            key,
            &values,
            true,
        )
    }

    fn holds(c: &Condition, ctx: &ConditionContext) -> bool {
        c.holds(&Lookup::new(ctx, None))
    }

    #[test]
    fn operator_names() {
        assert!(Operator::parse("StringEquals").is_some());
        assert!(Operator::parse("ForAnyValue:StringLikeIfExists").is_some());
        assert!(Operator::parse("StringEqual").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("ForAllValues:Null").is_none());
        assert!(Operator::parse("stringequals").is_none());
        let op = Operator::parse("ForAllValues:StringNotEqualsIfExists").expect("op");
        assert!(op.negated && op.if_exists);
        assert_eq!(op.qualifier, Some(SetQualifier::ForAllValues));
    }

    #[test]
    fn strings() {
        let ctx = ConditionContext::new().with("s3:prefix", "home/Alice/x");
        assert!(holds(
            &cond("StringEquals", "S3:Prefix", &["no", "home/Alice/x"]),
            &ctx
        ));
        assert!(!holds(
            &cond("StringEquals", "s3:prefix", &["home/alice/x"]),
            &ctx
        ));
        assert!(holds(
            &cond("StringEqualsIgnoreCase", "s3:prefix", &["HOME/alice/X"]),
            &ctx
        ));
        assert!(!holds(
            &cond("StringNotEqualsIgnoreCase", "s3:prefix", &["HOME/alice/X"]),
            &ctx
        ));
        assert!(holds(&cond("StringLike", "s3:prefix", &["home/*/?"]), &ctx));
        assert!(!holds(
            &cond("StringLike", "s3:prefix", &["home/*/??"]),
            &ctx
        ));
        assert!(holds(
            &cond("StringNotLike", "s3:prefix", &["tmp/*", "var/*"]),
            &ctx
        ));
        assert!(!holds(
            &cond("StringNotEquals", "s3:prefix", &["a", "home/Alice/x"]),
            &ctx
        ));
        // StringEquals treats wildcards literally.
        assert!(!holds(
            &cond("StringEquals", "s3:prefix", &["home/*"]),
            &ctx
        ));
    }

    #[test]
    fn missing_keys() {
        let ctx = ConditionContext::new();
        assert!(!holds(&cond("StringEquals", "aws:username", &["a"]), &ctx));
        assert!(holds(
            &cond("StringNotEquals", "aws:username", &["a"]),
            &ctx
        ));
        assert!(holds(
            &cond("StringEqualsIfExists", "aws:username", &["a"]),
            &ctx
        ));
        assert!(holds(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["a"]),
            &ctx
        ));
        assert!(!holds(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["a"]),
            &ctx
        ));
        assert!(holds(&cond("Null", "aws:TagKeys", &["true"]), &ctx));
        assert!(!holds(&cond("Null", "aws:TagKeys", &["false"]), &ctx));
        let ctx = ctx.with("aws:TagKeys", "x");
        assert!(holds(&cond("Null", "aws:TagKeys", &["false"]), &ctx));
    }

    #[test]
    fn if_exists_applies_when_present() {
        let ctx = ConditionContext::new().with("aws:username", "b");
        assert!(!holds(
            &cond("StringEqualsIfExists", "aws:username", &["a"]),
            &ctx
        ));
        assert!(holds(
            &cond("StringEqualsIfExists", "aws:username", &["b"]),
            &ctx
        ));
    }

    #[test]
    fn set_qualifiers() {
        let ctx = ConditionContext::new().with_multi("aws:TagKeys", ["env", "team"]);
        assert!(holds(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["team"]),
            &ctx
        ));
        assert!(!holds(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["team"]),
            &ctx
        ));
        assert!(holds(
            &cond(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["team", "env", "x"]
            ),
            &ctx
        ));
        assert!(holds(
            &cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["team"]),
            &ctx
        ));
        assert!(!holds(
            &cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["team"]),
            &ctx
        ));
        assert!(holds(
            &cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["x"]),
            &ctx
        ));
    }

    #[test]
    fn numbers_dates_bools() {
        let mut ctx = ConditionContext::new().with("s3:max-keys", "10");
        ctx.set_request_time(1_700_000_000_000); // 2023-11-14T22:13:20Z
        ctx.insert("aws:SecureTransport", "true");
        assert!(holds(
            &cond("NumericLessThanEquals", "s3:max-keys", &["10"]),
            &ctx
        ));
        assert!(!holds(
            &cond("NumericLessThan", "s3:max-keys", &["10"]),
            &ctx
        ));
        assert!(holds(
            &cond("NumericGreaterThan", "s3:max-keys", &["9.5"]),
            &ctx
        ));
        assert!(holds(
            &cond("NumericNotEquals", "s3:max-keys", &["11", "12"]),
            &ctx
        ));
        assert!(!holds(
            &cond("NumericEquals", "s3:max-keys", &["ten"]),
            &ctx
        ));
        assert!(holds(
            &cond(
                "DateGreaterThan",
                "aws:CurrentTime",
                &["2023-01-01T00:00:00Z"]
            ),
            &ctx
        ));
        assert!(holds(
            &cond("DateLessThan", "aws:CurrentTime", &["2024-01-01"]),
            &ctx
        ));
        assert!(holds(
            &cond("DateLessThan", "aws:EpochTime", &["1700000001"]),
            &ctx
        ));
        assert!(holds(
            &cond("DateEquals", "aws:CurrentTime", &["1700000000"]),
            &ctx
        ));
        assert!(holds(
            &cond("DateNotEquals", "aws:CurrentTime", &["2020-01-01"]),
            &ctx
        ));
        assert!(holds(
            &cond("NumericGreaterThanEquals", "aws:EpochTime", &["1700000000"]),
            &ctx
        ));
        assert!(holds(&cond("Bool", "aws:SecureTransport", &["TRUE"]), &ctx));
        assert!(!holds(
            &cond("Bool", "aws:SecureTransport", &["false"]),
            &ctx
        ));
    }

    #[test]
    fn ip_addresses() {
        let ctx = ConditionContext::new().with("aws:SourceIp", "203.0.113.7");
        assert!(holds(
            &cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]),
            &ctx
        ));
        assert!(holds(
            &cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8", "203.0.113.7"]),
            &ctx
        ));
        assert!(!holds(
            &cond("IpAddress", "aws:SourceIp", &["2001:db8::/32"]),
            &ctx
        ));
        assert!(holds(
            &cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &ctx
        ));
        let v6 = ConditionContext::new().with("aws:SourceIp", "2001:db8::1");
        assert!(holds(
            &cond("IpAddress", "aws:SourceIp", &["2001:db8::/32"]),
            &v6
        ));
        assert!(!holds(
            &cond("IpAddress", "aws:SourceIp", &["2001:db9::/32"]),
            &v6
        ));
        assert!(!holds(
            &cond("IpAddress", "aws:SourceIp", &["not-a-cidr"]),
            &v6
        ));
    }

    #[test]
    fn arns() {
        let ctx = ConditionContext::new().with(
            "aws:PrincipalArn",
            "arn:aws:iam::123456789012:user/team/alice",
        );
        assert!(holds(
            &cond(
                "ArnLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:user/team/*"]
            ),
            &ctx
        ));
        assert!(holds(
            &cond(
                "ArnEquals",
                "aws:PrincipalArn",
                &["arn:aws:iam::123456789012:user/*"]
            ),
            &ctx
        ));
        // A wildcard does not cross the `:` separating ARN parts.
        assert!(!holds(
            &cond(
                "ArnLike",
                "aws:PrincipalArn",
                &["arn:aws:*:user/team/alice"]
            ),
            &ctx
        ));
        assert!(holds(
            &cond(
                "ArnNotLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:user/other/*"]
            ),
            &ctx
        ));
        assert!(!holds(
            &cond("ArnLike", "aws:PrincipalArn", &["not-an-arn"]),
            &ctx
        ));
    }

    #[test]
    fn variables_in_values() {
        let ctx = ConditionContext::new()
            .with("aws:username", "alice")
            .with("s3:prefix", "home/alice/");
        assert!(holds(
            &cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]),
            &ctx
        ));
        let other = ConditionContext::new().with("s3:prefix", "home/alice/");
        assert!(!holds(
            &cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]),
            &other
        ));
        assert!(holds(
            &cond(
                "StringLike",
                "s3:prefix",
                &["home/${aws:username, 'alice'}/*"]
            ),
            &other
        ));
    }
}
