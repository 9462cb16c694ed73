//! Metric and metrics-explorer widget properties, and the metrics array.
//!
//! Each element of a metric widget's `metrics` is an array
//! `[Namespace, MetricName, DimName, DimValue, …, {rendering options}]`, or `[{expression…}]`
//! for a math or search expression. `"."` repeats the value at the same position of the
//! previous metric and a leading `"..."` repeats all of the previous metric's values except the
//! trailing ones given after it.

use serde_json::{Map, Value};

use crate::body::{ALARM_ARN_PATTERN, Check, is_alarm_arn};

/// Most metrics and expressions in one graph.
pub const MAX_METRICS: usize = 500;
/// Most dimensions of one metric.
pub const MAX_DIMENSIONS: usize = 30;

const VIEWS: [&str; 6] = ["timeSeries", "singleValue", "gauge", "bar", "pie", "table"];

pub(crate) fn metric_widget(c: &mut Check, path: &str, p: &Map<String, Value>) {
    let has_alarm_annotation = p.get("annotations").and_then(|a| a.get("alarms")).is_some();
    match p.get("metrics") {
        Some(m) => metrics_array(c, &format!("{path}/metrics"), m),
        None if has_alarm_annotation => {}
        None => c.err(path, "Should have required property 'metrics'"),
    }
    if let Some(r) = c.required(path, p, "region") {
        c.string(&format!("{path}/region"), r);
    }
    c.optional(path, p, "view", |c, p, v| c.one_of(p, v, &VIEWS));
    for key in [
        "stacked",
        "liveData",
        "setPeriodToTimeRange",
        "sparkline",
        "trend",
    ] {
        c.optional(path, p, key, |c, p, v| c.boolean(p, v));
    }
    c.optional(path, p, "period", period);
    for key in ["stat", "title", "timezone", "start", "end", "accountId"] {
        c.optional(path, p, key, |c, p, v| {
            c.string(p, v);
        });
    }
    c.optional(path, p, "yAxis", y_axis);
    c.optional(path, p, "annotations", annotations);
    c.optional(path, p, "legend", |c, p, v| {
        if let Some(l) = c.object(p, v) {
            c.optional(p, l, "position", |c, p, v| {
                c.one_of(p, v, &["right", "bottom", "hidden"]);
            });
        }
    });
}

/// A period in seconds: 1, 5, 10, 30 or a multiple of 60.
fn period(c: &mut Check, path: &str, v: &Value) {
    match v.as_i64() {
        None => c.err(path, "Should be integer"),
        Some(n) if n < 1 => c.err(path, "Should be >= 1"),
        Some(n) if ![1, 5, 10, 30].contains(&n) && n % 60 != 0 => {
            c.err(path, "Should be 1, 5, 10, 30 or a multiple of 60");
        }
        Some(_) => {}
    }
}

fn y_axis(c: &mut Check, path: &str, v: &Value) {
    let Some(axes) = c.object(path, v) else {
        return;
    };
    for side in ["left", "right"] {
        c.optional(path, axes, side, |c, p, v| {
            if let Some(a) = c.object(p, v) {
                c.optional(p, a, "min", |c, p, v| c.number(p, v));
                c.optional(p, a, "max", |c, p, v| c.number(p, v));
                c.optional(p, a, "label", |c, p, v| {
                    c.string(p, v);
                });
                c.optional(p, a, "showUnits", |c, p, v| c.boolean(p, v));
            }
        });
    }
}

fn annotations(c: &mut Check, path: &str, v: &Value) {
    let Some(a) = c.object(path, v) else {
        return;
    };
    c.optional(path, a, "alarms", |c, p, v| {
        if let Some(arns) = c.items(p, v, 1, 1) {
            for (i, arn) in arns.iter().enumerate() {
                let ip = format!("{p}/{i}");
                if let Some(s) = c.string(&ip, arn)
                    && !is_alarm_arn(s)
                {
                    c.err(&ip, ALARM_ARN_PATTERN);
                }
            }
        }
    });
    // Horizontal annotations hold a numeric `value`; a band is a pair of them. Vertical ones
    // hold a time (`value` as an ISO 8601 string).
    for (kind, numeric) in [("horizontal", true), ("vertical", false)] {
        c.optional(path, a, kind, |c, p, v| {
            let Some(list) = c.array(p, v) else {
                return;
            };
            for (i, item) in list.iter().enumerate() {
                let ip = format!("{p}/{i}");
                match item {
                    Value::Array(band) => {
                        if band.len() != 2 {
                            c.err(&ip, "Should NOT have more than 2 items");
                        }
                        for (j, edge) in band.iter().enumerate() {
                            annotation(c, &format!("{ip}/{j}"), edge, numeric);
                        }
                    }
                    other => annotation(c, &ip, other, numeric),
                }
            }
        });
    }
}

fn annotation(c: &mut Check, path: &str, v: &Value, numeric: bool) {
    let Some(a) = c.object(path, v) else {
        return;
    };
    if let Some(value) = c.required(path, a, "value") {
        let vp = format!("{path}/value");
        if numeric {
            c.number(&vp, value);
        } else {
            c.string(&vp, value);
        }
    }
    c.optional(path, a, "label", |c, p, v| {
        c.string(p, v);
    });
    c.optional(path, a, "color", color);
    c.optional(path, a, "fill", |c, p, v| {
        c.one_of(p, v, &["above", "below", "before", "after"]);
    });
    c.optional(path, a, "visible", |c, p, v| c.boolean(p, v));
    c.optional(path, a, "yAxis", |c, p, v| {
        c.one_of(p, v, &["left", "right"])
    });
}

fn color(c: &mut Check, path: &str, v: &Value) {
    if let Some(s) = c.string(path, v) {
        let b = s.as_bytes();
        if !(b.len() == 7 && b[0] == b'#' && b[1..].iter().all(u8::is_ascii_hexdigit)) {
            c.err(path, "Should match pattern \"^#[0-9a-fA-F]{6}$\"");
        }
    }
}

fn metrics_array(c: &mut Check, path: &str, v: &Value) {
    let Some(items) = c.items(path, v, 0, MAX_METRICS) else {
        return;
    };
    // The previous metric's values after expansion, for `.` and `...`.
    let mut previous: Option<Vec<String>> = None;
    for (i, item) in items.iter().enumerate() {
        previous = metric(c, &format!("{path}/{i}"), item, previous.as_deref());
    }
}

/// Checks one element of the metrics array; returns its expanded values (`None` for an
/// expression or an invalid element).
fn metric(
    c: &mut Check,
    path: &str,
    v: &Value,
    previous: Option<&[String]>,
) -> Option<Vec<String>> {
    let items = c.items(path, v, 1, 2 + 2 * MAX_DIMENSIONS + 1)?;
    let (values, options) = match items.split_last() {
        Some((Value::Object(o), rest)) => (rest, Some(o)),
        _ => (&items[..], None),
    };
    let mut strings = Vec::with_capacity(values.len());
    let mut typed = true;
    for (k, v) in values.iter().enumerate() {
        match v.as_str() {
            Some(s) => strings.push(s),
            None => {
                c.err(
                    &format!("{path}/{k}"),
                    "Invalid metric field type, only \"String\" type is allowed",
                );
                typed = false;
            }
        }
    }
    if let Some(o) = options {
        metric_options(c, &format!("{path}/{}", values.len()), o);
    }
    if !typed {
        return None;
    }
    if strings.is_empty() {
        // `[{ "expression": "…", … }]`.
        if options.is_some_and(|o| !o.contains_key("expression")) {
            c.err(
                &format!("{path}/0"),
                "Should have required property 'expression'",
            );
        }
        return None;
    }
    let expanded = expand(&strings, previous);
    let Some(expanded) = expanded else {
        c.err(
            path,
            "Should have a previous metric to repeat with \".\" or \"...\"",
        );
        return None;
    };
    if expanded.len() < 2 {
        c.err(path, "Should NOT have fewer than 2 items");
        return None;
    }
    if expanded.len() % 2 != 0 {
        c.err(
            &format!("{path}/{}", strings.len() - 1),
            "Should have a value for each dimension name",
        );
        return None;
    }
    if expanded.len() > 2 + 2 * MAX_DIMENSIONS {
        c.err(
            path,
            format!("Should NOT have more than {MAX_DIMENSIONS} dimensions"),
        );
        return None;
    }
    Some(expanded)
}

/// Expands `.` and a leading `...` against the previous metric; `None` if they refer to
/// values that do not exist.
fn expand(strings: &[&str], previous: Option<&[String]>) -> Option<Vec<String>> {
    let (head, rest): (Vec<String>, &[&str]) = match strings.split_first() {
        Some((&"...", rest)) => {
            let prev = previous?;
            let keep = prev.len().checked_sub(rest.len())?;
            (prev[..keep].to_vec(), rest)
        }
        _ => (Vec::new(), strings),
    };
    let mut out = head;
    for s in rest {
        let value = if *s == "." {
            previous?.get(out.len())?.clone()
        } else {
            (*s).to_owned()
        };
        out.push(value);
    }
    Some(out)
}

fn metric_options(c: &mut Check, path: &str, o: &Map<String, Value>) {
    for key in ["accountId", "expression", "label", "region", "stat"] {
        c.optional(path, o, key, |c, p, v| {
            c.string(p, v);
        });
    }
    c.optional(path, o, "color", color);
    c.optional(path, o, "id", |c, p, v| {
        if let Some(id) = c.string(p, v) {
            let ok = id.chars().next().is_some_and(|ch| ch.is_ascii_lowercase())
                && id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if !ok {
                c.err(p, "Should match pattern \"^[a-z][a-zA-Z0-9_]*$\"");
            }
        }
    });
    c.optional(path, o, "period", period);
    c.optional(path, o, "visible", |c, p, v| c.boolean(p, v));
    c.optional(path, o, "yAxis", |c, p, v| {
        c.one_of(p, v, &["left", "right"])
    });
}

pub(crate) fn explorer_widget(c: &mut Check, path: &str, p: &Map<String, Value>) {
    if let Some(m) = c.required(path, p, "metrics") {
        let mpath = format!("{path}/metrics");
        if let Some(list) = c.items(&mpath, m, 1, 100) {
            for (i, m) in list.iter().enumerate() {
                let ip = format!("{mpath}/{i}");
                if let Some(o) = c.object(&ip, m) {
                    for key in ["metricName", "resourceType", "stat"] {
                        if let Some(v) = c.required(&ip, o, key) {
                            c.string(&format!("{ip}/{key}"), v);
                        }
                    }
                }
            }
        }
    }
    c.optional(path, p, "labels", |c, p, v| {
        if let Some(list) = c.array(p, v) {
            for (i, l) in list.iter().enumerate() {
                let ip = format!("{p}/{i}");
                if let Some(o) = c.object(&ip, l) {
                    if let Some(k) = c.required(&ip, o, "key") {
                        c.string(&format!("{ip}/key"), k);
                    }
                    c.optional(&ip, o, "value", |c, p, v| {
                        c.string(p, v);
                    });
                }
            }
        }
    });
    c.optional(path, p, "aggregateBy", |c, p, v| {
        if let Some(o) = c.object(p, v) {
            c.optional(p, o, "key", |c, p, v| {
                c.string(p, v);
            });
            c.optional(p, o, "func", |c, p, v| {
                c.one_of(p, v, &["AVG", "MIN", "MAX", "SUM"]);
            });
        }
    });
    c.optional(path, p, "widgetOptions", |c, p, v| {
        let Some(o) = c.object(p, v) else {
            return;
        };
        c.optional(p, o, "legend", |c, p, v| {
            if let Some(l) = c.object(p, v) {
                c.optional(p, l, "position", |c, p, v| {
                    c.one_of(p, v, &["right", "bottom", "hidden"]);
                });
            }
        });
        c.optional(p, o, "rowsPerPage", |c, p, v| c.integer(p, v, 1, None));
        c.optional(p, o, "widgetsPerRow", |c, p, v| c.integer(p, v, 1, None));
        c.optional(p, o, "stacked", |c, p, v| c.boolean(p, v));
        c.optional(p, o, "view", |c, p, v| {
            c.one_of(p, v, &["timeSeries", "bar", "pie"]);
        });
    });
    c.optional(path, p, "period", period);
    for key in ["splitBy", "title", "region"] {
        c.optional(path, p, key, |c, p, v| {
            c.string(p, v);
        });
    }
}
