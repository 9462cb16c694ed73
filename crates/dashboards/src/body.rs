//! `DashboardBody` validation, after AWS's "Dashboard Body Structure and Syntax".
//!
//! The body must be a JSON object with a `widgets` array (0–500 widgets); `periodOverride`
//! (`auto` | `inherit`), `start`, `end` and `variables` are optional. Each widget has a `type`
//! (`metric`, `text`, `log`, `alarm`, `explorer`), an optional position (`x` 0–23 and `y` ≥ 0,
//! both or neither) and size (`width` 1–24, `height` 1–1000) and the `properties` of its type. Every problem is
//! reported with its JSON-pointer `dataPath` and a message in the words AWS's validator uses
//! ("Should have required property 'region'", "Should be integer", …); the call fails if there
//! is any.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::DashboardsError;

/// One problem found in a body: AWS's `DashboardValidationMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationMessage {
    /// JSON pointer to the offending member, e.g. `/widgets/0/properties`.
    #[serde(rename = "dataPath")]
    pub data_path: String,
    pub message: String,
}

/// Most widgets a dashboard holds.
pub const MAX_WIDGETS: usize = 500;

/// Collects messages while walking a body.
#[derive(Default)]
pub(crate) struct Check {
    pub(crate) out: Vec<ValidationMessage>,
}

impl Check {
    pub(crate) fn err(&mut self, path: &str, message: impl Into<String>) {
        self.out.push(ValidationMessage {
            data_path: path.to_owned(),
            message: message.into(),
        });
    }

    /// A required member of `obj` (reported at `path`, the object's own path).
    pub(crate) fn required<'v>(
        &mut self,
        path: &str,
        obj: &'v Map<String, Value>,
        key: &str,
    ) -> Option<&'v Value> {
        let v = obj.get(key);
        if v.is_none() {
            self.err(path, format!("Should have required property '{key}'"));
        }
        v
    }

    pub(crate) fn object<'v>(
        &mut self,
        path: &str,
        v: &'v Value,
    ) -> Option<&'v Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.err(path, "Should be object");
        }
        o
    }

    pub(crate) fn array<'v>(&mut self, path: &str, v: &'v Value) -> Option<&'v Vec<Value>> {
        let a = v.as_array();
        if a.is_none() {
            self.err(path, "Should be array");
        }
        a
    }

    pub(crate) fn string<'v>(&mut self, path: &str, v: &'v Value) -> Option<&'v str> {
        let s = v.as_str();
        if s.is_none() {
            self.err(path, "Should be string");
        }
        s
    }

    pub(crate) fn boolean(&mut self, path: &str, v: &Value) {
        if !v.is_boolean() {
            self.err(path, "Should be boolean");
        }
    }

    pub(crate) fn number(&mut self, path: &str, v: &Value) {
        if !v.is_number() {
            self.err(path, "Should be number");
        }
    }

    /// An integer in `[min, max]` (`max` unbounded when `None`).
    pub(crate) fn integer(&mut self, path: &str, v: &Value, min: i64, max: Option<i64>) {
        let n = v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64));
        match n {
            None => self.err(path, "Should be integer"),
            Some(n) if n < min => self.err(path, format!("Should be >= {min}")),
            Some(n) if max.is_some_and(|m| n > m) => {
                self.err(path, format!("Should be <= {}", max.unwrap_or_default()));
            }
            Some(_) => {}
        }
    }

    pub(crate) fn one_of(&mut self, path: &str, v: &Value, allowed: &[&str]) {
        match v.as_str() {
            None => self.err(path, "Should be string"),
            Some(s) if !allowed.contains(&s) => {
                self.err(path, "Should be equal to one of the allowed values");
            }
            Some(_) => {}
        }
    }

    /// An array with at most `max` items; returns it.
    pub(crate) fn items<'v>(
        &mut self,
        path: &str,
        v: &'v Value,
        min: usize,
        max: usize,
    ) -> Option<&'v Vec<Value>> {
        let a = self.array(path, v)?;
        if a.len() < min {
            self.err(path, format!("Should NOT have fewer than {min} items"));
        } else if a.len() > max {
            self.err(path, format!("Should NOT have more than {max} items"));
        }
        Some(a)
    }

    /// Checks the optional members of `obj` with `f(check, path, value)` for each present key.
    pub(crate) fn optional(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
        f: impl FnOnce(&mut Check, &str, &Value),
    ) {
        if let Some(v) = obj.get(key) {
            f(self, &format!("{path}/{key}"), v);
        }
    }
}

/// Validates a `DashboardBody`. `Ok` means PutDashboard stores it; otherwise the error is
/// AWS's `InvalidParameterInput` with every problem found.
pub fn validate(body: &str) -> Result<(), DashboardsError> {
    let messages = check(body)?;
    if messages.is_empty() {
        return Ok(());
    }
    let listed = serde_json::to_string_pretty(&messages).unwrap_or_default();
    Err(DashboardsError::InvalidInput {
        message: format!(
            "The dashboard body is invalid, there are {} validation errors:\n{listed}",
            messages.len()
        ),
        messages,
    })
}

/// The problems of a body that is a JSON object; an error if it is not one.
pub fn check(body: &str) -> Result<Vec<ValidationMessage>, DashboardsError> {
    let root = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(o)) => o,
        _ => {
            return Err(DashboardsError::InvalidInput {
                message: "The field DashboardBody must be a valid JSON object".into(),
                messages: Vec::new(),
            });
        }
    };
    let mut c = Check::default();
    if let Some(w) = c.required("", &root, "widgets")
        && let Some(widgets) = c.items("/widgets", w, 0, MAX_WIDGETS)
    {
        for (i, w) in widgets.iter().enumerate() {
            widget(&mut c, &format!("/widgets/{i}"), w);
        }
    }
    c.optional("", &root, "periodOverride", |c, p, v| {
        c.one_of(p, v, &["auto", "inherit"]);
    });
    c.optional("", &root, "start", time_range);
    c.optional("", &root, "end", time_range);
    c.optional("", &root, "variables", |c, p, v| {
        c.array(p, v);
    });
    Ok(c.out)
}

/// `start` / `end`: a relative ISO 8601 duration before now (`-PT6H`, `-P7D`) or an ISO 8601
/// timestamp.
fn time_range(c: &mut Check, path: &str, v: &Value) {
    let Some(s) = c.string(path, v) else {
        return;
    };
    let ok = match s.strip_prefix("-P") {
        Some(d) => relative_duration(d),
        None => {
            let b = s.as_bytes();
            b.len() >= 10
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'-'
                && b[5..7].iter().all(u8::is_ascii_digit)
                && b[7] == b'-'
                && b[8..10].iter().all(u8::is_ascii_digit)
        }
    };
    if !ok {
        c.err(
            path,
            "Should be a relative time (-P…) or an ISO 8601 timestamp",
        );
    }
}

/// The part after `-P` of a duration: `nY nM nW nD` then optionally `T nH nM nS`.
fn relative_duration(d: &str) -> bool {
    let (date, time) = match d.split_once('T') {
        Some((a, b)) => (a, Some(b)),
        None => (d, None),
    };
    let units = |part: &str, allowed: &str| -> bool {
        let mut digits = 0;
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                digits += 1;
            } else if allowed.contains(ch) && digits > 0 {
                digits = 0;
            } else {
                return false;
            }
        }
        digits == 0
    };
    let any = !date.is_empty() || time.is_some_and(|t| !t.is_empty());
    any && units(date, "YMWD") && time.is_none_or(|t| !t.is_empty() && units(t, "HMS"))
}

fn widget(c: &mut Check, path: &str, w: &Value) {
    let Some(w) = c.object(path, w) else {
        return;
    };
    let kind = c
        .required(path, w, "type")
        .and_then(|t| {
            c.one_of(
                &format!("{path}/type"),
                t,
                &["metric", "text", "log", "alarm", "explorer"],
            );
            t.as_str()
        })
        .unwrap_or_default();
    c.optional(path, w, "x", |c, p, v| c.integer(p, v, 0, Some(23)));
    c.optional(path, w, "y", |c, p, v| c.integer(p, v, 0, None));
    // A position is both coordinates or neither.
    for (given, needed) in [("x", "y"), ("y", "x")] {
        if w.contains_key(given) && !w.contains_key(needed) {
            c.err(
                path,
                format!("Should have property {needed} when property {given} is present"),
            );
        }
    }
    c.optional(path, w, "width", |c, p, v| c.integer(p, v, 1, Some(24)));
    c.optional(path, w, "height", |c, p, v| c.integer(p, v, 1, Some(1000)));
    let Some(props) = c.required(path, w, "properties") else {
        return;
    };
    let ppath = format!("{path}/properties");
    let Some(props) = c.object(&ppath, props) else {
        return;
    };
    match kind {
        "metric" => crate::metrics::metric_widget(c, &ppath, props),
        "text" => text_widget(c, &ppath, props),
        "log" => log_widget(c, &ppath, props),
        "alarm" => alarm_widget(c, &ppath, props),
        "explorer" => crate::metrics::explorer_widget(c, &ppath, props),
        _ => {}
    }
}

fn text_widget(c: &mut Check, path: &str, p: &Map<String, Value>) {
    if let Some(m) = c.required(path, p, "markdown") {
        c.string(&format!("{path}/markdown"), m);
    }
    c.optional(path, p, "background", |c, p, v| {
        c.one_of(p, v, &["solid", "transparent"]);
    });
}

fn log_widget(c: &mut Check, path: &str, p: &Map<String, Value>) {
    if let Some(q) = c.required(path, p, "query") {
        let qpath = format!("{path}/query");
        // A Logs Insights query names its log groups first: `SOURCE 'group' | …`. Other query
        // languages (`queryLanguage`) have their own syntax.
        if let Some(q) = c.string(&qpath, q)
            && !p.contains_key("queryLanguage")
            && !q.trim_start().starts_with("SOURCE ")
        {
            c.err(&qpath, "Should match pattern \"^SOURCE \"");
        }
    }
    c.optional(path, p, "region", |c, p, v| {
        c.string(p, v);
    });
    c.optional(path, p, "title", |c, p, v| {
        c.string(p, v);
    });
    c.optional(path, p, "view", |c, p, v| {
        c.one_of(p, v, &["table", "timeSeries", "bar", "pie"]);
    });
    c.optional(path, p, "stacked", |c, p, v| c.boolean(p, v));
    c.optional(path, p, "queryLanguage", |c, p, v| {
        c.one_of(p, v, &["Logs", "SQL", "PPL"]);
    });
}

/// An alarm ARN as dashboards reference alarms.
pub(crate) fn is_alarm_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(7, ':').collect();
    matches!(parts[..], ["arn", "aws", "cloudwatch", region, account, "alarm", name]
        if !region.is_empty() && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
}

pub(crate) const ALARM_ARN_PATTERN: &str =
    "Should match pattern \"^arn:aws:cloudwatch:[^:]+:\\d{12}:alarm:.+$\"";

fn alarm_widget(c: &mut Check, path: &str, p: &Map<String, Value>) {
    if let Some(a) = c.required(path, p, "alarms") {
        let apath = format!("{path}/alarms");
        if let Some(arns) = c.items(&apath, a, 1, 100) {
            for (i, arn) in arns.iter().enumerate() {
                let ipath = format!("{apath}/{i}");
                if let Some(s) = c.string(&ipath, arn)
                    && !is_alarm_arn(s)
                {
                    c.err(&ipath, ALARM_ARN_PATTERN);
                }
            }
        }
    }
    c.optional(path, p, "sortBy", |c, p, v| {
        c.one_of(p, v, &["default", "stateUpdatedTimestamp", "alarmName"]);
    });
    c.optional(path, p, "states", |c, p, v| {
        if let Some(states) = c.array(p, v) {
            for (i, s) in states.iter().enumerate() {
                c.one_of(
                    &format!("{p}/{i}"),
                    s,
                    &["ALARM", "INSUFFICIENT_DATA", "OK"],
                );
            }
        }
    });
    c.optional(path, p, "title", |c, p, v| {
        c.string(p, v);
    });
}

#[cfg(test)]
mod tests;
