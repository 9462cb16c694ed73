//! Metric filters: PutMetricFilter / DescribeMetricFilters / DeleteMetricFilter, validated with
//! AWS's limits and stored in the group's catalog record.

use super::LogStore;
use super::groups::{check_limit, invalid_token};
use crate::error::LogsError;
use crate::filter_pattern::{FilterPattern, MAX_REGEX_PATTERNS_PER_LOG_GROUP, PatternKind};
use crate::limits::{
    MAX_DESCRIBE_LIMIT, MAX_DIMENSIONS_PER_METRIC_FILTER, MAX_METRIC_FILTERS_PER_GROUP,
    MAX_METRIC_NAME_LEN, MAX_METRIC_VALUE_LEN, METRIC_UNITS,
};
use crate::model::{MetricFilter, MetricFilterPage, MetricTransformation};
use crate::names::{validate_filter_name, validate_group_name};

/// DescribeMetricFilters' query.
#[derive(Debug, Clone, Default)]
pub struct MetricFilterQuery {
    pub group: Option<String>,
    pub name_prefix: Option<String>,
    pub metric_name: Option<String>,
    pub metric_namespace: Option<String>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

fn validation(value: &str, member: &str, constraint: &str) -> LogsError {
    LogsError::invalid(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

fn metric_name_like(value: &str, member: &str, min: usize) -> Result<(), LogsError> {
    let n = value.chars().count();
    if n < min || n > MAX_METRIC_NAME_LEN {
        return Err(validation(
            value,
            member,
            &format!("Member must have length between {min} and {MAX_METRIC_NAME_LEN}"),
        ));
    }
    if value.contains([':', '*', '$']) {
        return Err(validation(
            value,
            member,
            "Member must satisfy regular expression pattern: [^:*$]*",
        ));
    }
    Ok(())
}

/// Whether `reference` (`$.a.b`, `$field`, `$3`) can be read from events matched by `pattern`.
fn reference_fits(reference: &str, pattern: &FilterPattern) -> bool {
    match pattern.kind() {
        PatternKind::Json => reference.starts_with("$.") || reference.starts_with("$["),
        PatternKind::SpaceDelimited => {
            reference.len() > 1 && reference.starts_with('$') && !reference.starts_with("$.")
        }
        PatternKind::Text => false,
    }
}

fn validate_transformation(
    t: &MetricTransformation,
    pattern: &FilterPattern,
) -> Result<(), LogsError> {
    metric_name_like(
        &t.metric_name,
        "metricTransformations.1.member.metricName",
        1,
    )?;
    metric_name_like(
        &t.metric_namespace,
        "metricTransformations.1.member.metricNamespace",
        0,
    )?;
    let v = t.metric_value.as_str();
    if v.is_empty() || v.chars().count() > MAX_METRIC_VALUE_LEN {
        return Err(validation(
            v,
            "metricTransformations.1.member.metricValue",
            &format!("Member must have length between 1 and {MAX_METRIC_VALUE_LEN}"),
        ));
    }
    let numeric = v.parse::<f64>().is_ok_and(f64::is_finite);
    if !numeric && !reference_fits(v, pattern) {
        return Err(LogsError::invalid(format!(
            "Invalid metric value '{v}': use a number, or a $.selector of a JSON pattern or a $field of a space-delimited pattern."
        )));
    }
    if t.dimensions.len() > MAX_DIMENSIONS_PER_METRIC_FILTER {
        return Err(LogsError::invalid(format!(
            "A metric filter can have at most {MAX_DIMENSIONS_PER_METRIC_FILTER} dimensions."
        )));
    }
    if !t.dimensions.is_empty() && t.default_value.is_some() {
        return Err(LogsError::invalid(
            "A metric filter with dimensions cannot have a default value.",
        ));
    }
    for (k, d) in &t.dimensions {
        if k.is_empty() || k.chars().count() > MAX_METRIC_NAME_LEN {
            return Err(validation(
                k,
                "dimensions",
                "Member must have length between 1 and 255",
            ));
        }
        if !reference_fits(d, pattern) {
            return Err(LogsError::invalid(format!(
                "Invalid dimension value '{d}' for dimension '{k}': use a $.selector of a JSON pattern or a $field of a space-delimited pattern."
            )));
        }
    }
    if let Some(u) = &t.unit
        && !METRIC_UNITS.contains(&u.as_str())
    {
        return Err(validation(
            u,
            "metricTransformations.1.member.unit",
            &format!(
                "Member must satisfy enum value set: [{}]",
                METRIC_UNITS.join(", ")
            ),
        ));
    }
    Ok(())
}

impl LogStore {
    /// Creates or replaces a metric filter.
    pub fn put_metric_filter(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name: &str,
        pattern: &str,
        transformations: Vec<MetricTransformation>,
    ) -> Result<(), LogsError> {
        validate_group_name(group)?;
        validate_filter_name(name)?;
        let compiled =
            FilterPattern::parse(pattern).map_err(|e| LogsError::invalid(e.aws_message()))?;
        if transformations.len() != 1 {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1 and greater than or equal to 1 (got {})",
                transformations.len()
            )));
        }
        for t in &transformations {
            validate_transformation(t, &compiled)?;
        }
        let now = self.now();
        self.update_group(account, region, group, |rec| {
            let replacing = rec.metric_filters.contains_key(name);
            if !replacing && rec.metric_filters.len() >= MAX_METRIC_FILTERS_PER_GROUP {
                return Err(LogsError::LimitExceeded("Resource limit exceeded.".into()));
            }
            if compiled.regex_count() > 0 {
                let with_regex = rec
                    .metric_filters
                    .values()
                    .filter(|f| f.name != name)
                    .filter(|f| FilterPattern::parse(&f.pattern).is_ok_and(|p| p.regex_count() > 0))
                    .count();
                if with_regex + 1 > MAX_REGEX_PATTERNS_PER_LOG_GROUP {
                    return Err(LogsError::LimitExceeded(format!(
                        "A log group can have at most {MAX_REGEX_PATTERNS_PER_LOG_GROUP} filter patterns that use regular expressions."
                    )));
                }
            }
            let creation_time = rec
                .metric_filters
                .get(name)
                .map_or(now, |f| f.creation_time);
            rec.metric_filters.insert(
                name.to_owned(),
                MetricFilter {
                    name: name.to_owned(),
                    pattern: pattern.to_owned(),
                    transformations,
                    creation_time,
                    log_group_name: group.to_owned(),
                },
            );
            Ok(())
        })
    }

    /// Deletes a metric filter.
    pub fn delete_metric_filter(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(group)?;
        validate_filter_name(name)?;
        self.update_group(account, region, group, |rec| {
            rec.metric_filters.remove(name).map(|_| ()).ok_or_else(|| {
                LogsError::NotFound("The specified metric filter does not exist.".into())
            })
        })
    }

    /// Lists metric filters, by log group name then filter name.
    pub fn describe_metric_filters(
        &self,
        account: &str,
        region: &str,
        q: &MetricFilterQuery,
    ) -> Result<MetricFilterPage, LogsError> {
        let limit = check_limit(q.limit, MAX_DESCRIBE_LIMIT)?;
        if q.name_prefix.is_some() && q.group.is_none() {
            return Err(LogsError::invalid(
                "If you specify filterNamePrefix, you must also specify logGroupName.",
            ));
        }
        if q.metric_name.is_some() != q.metric_namespace.is_some() {
            return Err(LogsError::invalid(
                "If you specify metricName, you must also specify metricNamespace, and the other way round.",
            ));
        }
        if let Some(g) = &q.group {
            validate_group_name(g)?;
        }
        let after = match &q.next_token {
            Some(t) => {
                let rest = t.strip_prefix("m/").ok_or_else(invalid_token)?;
                let (g, f) = rest.split_once(':').ok_or_else(invalid_token)?;
                Some((g.to_owned(), f.to_owned()))
            }
            None => None,
        };
        let state = self.state.read();
        if let Some(g) = &q.group {
            state.group(account, region, g)?;
        }
        let mut filters = Vec::new();
        let mut more = false;
        'groups: for ((a, r, gname), g) in &state.groups {
            if a != account || r != region || q.group.as_ref().is_some_and(|x| x != gname) {
                continue;
            }
            for f in g.rec.metric_filters.values() {
                if after.as_ref().is_some_and(|(ag, af)| {
                    (gname.as_str(), f.name.as_str()) <= (ag.as_str(), af.as_str())
                }) {
                    continue;
                }
                if q.name_prefix
                    .as_ref()
                    .is_some_and(|p| !f.name.starts_with(p.as_str()))
                {
                    continue;
                }
                if let (Some(mn), Some(ns)) = (&q.metric_name, &q.metric_namespace)
                    && !f
                        .transformations
                        .iter()
                        .any(|t| &t.metric_name == mn && &t.metric_namespace == ns)
                {
                    continue;
                }
                if filters.len() == limit {
                    more = true;
                    break 'groups;
                }
                filters.push(f.clone());
            }
        }
        let next_token = if more {
            filters
                .last()
                .map(|f| format!("m/{}:{}", f.log_group_name, f.name))
        } else {
            None
        };
        Ok(MetricFilterPage {
            filters,
            next_token,
        })
    }
}
