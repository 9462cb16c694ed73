//! Field discovery: an event's system fields, plus the fields Insights finds in its message —
//! JSON objects flattened into dotted names (`userIdentity.arn`, `items.0.id`; CloudTrail records
//! are JSON), Lambda `REPORT` lines (`@type`, `@duration`, `@maxMemoryUsed`, …) and VPC flow
//! log records in the default format (`srcAddr`, `dstAddr`, `bytes`, `action`, …).

use std::sync::Arc;

use crate::eval::Row;
use crate::value::Value;

/// Insights extracts at most this many fields from one JSON event.
pub const MAX_JSON_FIELDS: usize = 200;

/// One log event as a query sees it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub message: &'a str,
    pub log_stream: &'a str,
    /// `account-id:log-group-name`.
    pub log: &'a str,
    /// The event's `@ptr`.
    pub ptr: &'a str,
}

/// Which fields a query needs from each event, so rows carry only those: system fields by
/// index in [`SYSTEM`], and either every discovered field or only the named ones.
#[derive(Debug, Clone)]
pub struct Discovery {
    system: [bool; 6],
    names: [Arc<str>; 6],
    /// `None`: every discovered field; `Some(paths)`: only these (often none at all).
    wanted: Option<Vec<String>>,
}

/// The system fields, in row order.
pub const SYSTEM: [&str; 6] = [
    "@timestamp",
    "@message",
    "@logStream",
    "@log",
    "@ingestionTime",
    "@ptr",
];

impl Discovery {
    /// Every field of every event.
    pub fn all() -> Discovery {
        Discovery {
            system: [true; 6],
            names: SYSTEM.map(Arc::from),
            wanted: None,
        }
    }

    /// Only the system fields `refs` names (and `@timestamp`, which time functions read) and the
    /// other fields it names.
    pub fn only(refs: &[String]) -> Discovery {
        let mut system = SYSTEM.map(|s| refs.iter().any(|r| r == s));
        system[0] = true;
        let mut wanted: Vec<String> = refs
            .iter()
            .filter(|r| !SYSTEM.contains(&r.as_str()))
            .cloned()
            .collect();
        wanted.sort();
        wanted.dedup();
        Discovery {
            system,
            names: SYSTEM.map(Arc::from),
            wanted: Some(wanted),
        }
    }

    /// Whether rows carry `@ptr` (else callers need not compute it).
    pub fn wants_ptr(&self) -> bool {
        self.system[5]
    }

    /// Builds an event's row.
    pub fn row(&self, ev: &Event<'_>) -> Row {
        let mut row = Row {
            fields: Vec::with_capacity(8),
        };
        for i in 0..SYSTEM.len() {
            if !self.system[i] {
                continue;
            }
            let v = match i {
                0 => Value::Time(ev.timestamp),
                1 => Value::str(ev.message),
                2 => Value::str(ev.log_stream),
                3 => Value::str(ev.log),
                4 => Value::Time(ev.ingestion_time),
                _ => Value::str(ev.ptr),
            };
            row.push(Arc::clone(&self.names[i]), v);
        }
        match &self.wanted {
            None => discover_fields(ev.message, &mut row),
            Some(w) if w.is_empty() => {}
            Some(w) => discover_selected(ev.message, w, &mut row),
        }
        row
    }
}

/// Builds an event's row with every field (`@timestamp @message @logStream @log @ingestionTime
/// @ptr`, then the discovered ones) when `discover`, else with the system fields only.
pub fn row_of(ev: &Event<'_>, discover: bool) -> Row {
    let mut row = Discovery::all();
    if !discover {
        row.wanted = Some(Vec::new());
    }
    row.row(ev)
}

/// Adds only the `wanted` fields found in a message (JSON paths, or Lambda `REPORT` fields).
fn discover_selected(message: &str, wanted: &[String], row: &mut Row) {
    let t = message.trim_start();
    if t.starts_with('{') {
        // Top-level names only (the common case): pick them without building the document.
        if wanted.iter().all(|w| !w.contains('.')) {
            let names: Vec<&str> = wanted.iter().map(String::as_str).collect();
            if let Some(vals) = crate::pick::pick(t, &names) {
                let mut n = 0;
                for (w, v) in wanted.iter().zip(vals) {
                    if let Some(v) = v {
                        flatten(w, &v, row, &mut n);
                    }
                }
            }
            return;
        }
        let Ok(json) = serde_json::from_str::<serde_json::Value>(t) else {
            return;
        };
        for w in wanted {
            if let Some(v) = lookup(&json, w) {
                let mut n = 0;
                flatten(w, v, row, &mut n);
            }
        }
    } else if t.starts_with("REPORT RequestId:") {
        if wanted.iter().any(|w| w.starts_with('@')) {
            lambda_report(t, row);
        }
    } else if wanted.iter().any(|w| VPC_FIELDS.contains(&w.as_str())) {
        vpc_flow_log(t, row);
    }
}

/// The JSON value at a dotted path (`a.b.0.c`; keys that themselves contain dots are found too).
fn lookup<'j>(v: &'j serde_json::Value, path: &str) -> Option<&'j serde_json::Value> {
    if path.is_empty() {
        return Some(v);
    }
    match v {
        serde_json::Value::Object(map) => {
            if let Some(x) = map.get(path) {
                return Some(x);
            }
            for (i, _) in path.match_indices('.') {
                if let Some(x) = map.get(&path[..i])
                    && let Some(found) = lookup(x, &path[i + 1..])
                {
                    return Some(found);
                }
            }
            None
        }
        serde_json::Value::Array(items) => {
            let (head, rest) = path.split_once('.').unwrap_or((path, ""));
            lookup(items.get(head.parse::<usize>().ok()?)?, rest)
        }
        _ => None,
    }
}

/// Adds the fields found in a message to `row`.
pub fn discover_fields(message: &str, row: &mut Row) {
    let t = message.trim_start();
    if t.starts_with('{') {
        // Fields in document order; a message that is not one JSON object adds nothing.
        let before = row.fields.len();
        if !crate::pick::flatten_ordered(t, row) {
            row.fields.truncate(before);
        }
    } else if t.starts_with("REPORT RequestId:") {
        lambda_report(t, row);
    } else {
        vpc_flow_log(t, row);
    }
}

/// The fields of a VPC flow log record in the default format (version 2), in order.
const VPC_FIELDS: [&str; 14] = [
    "version",
    "accountId",
    "interfaceId",
    "srcAddr",
    "dstAddr",
    "srcPort",
    "dstPort",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "logStatus",
];

/// A default-format VPC flow log record (`2 <account> eni-… <src> <dst> … ACCEPT OK`) becomes
/// its 14 named fields, as Insights discovers them in flow log groups.
fn vpc_flow_log(msg: &str, row: &mut Row) {
    let parts: Vec<&str> = msg.split(' ').collect();
    if parts.len() != VPC_FIELDS.len()
        || parts[0] != "2"
        || !(parts[2].starts_with("eni-") || parts[2] == "-")
        || !matches!(parts[12], "ACCEPT" | "REJECT" | "-")
        || !matches!(parts[13], "OK" | "NODATA" | "SKIPDATA")
    {
        return;
    }
    for (name, v) in VPC_FIELDS.iter().zip(parts) {
        if v == "-" {
            continue;
        }
        let value = match v.parse::<f64>() {
            Ok(n) if !matches!(*name, "accountId" | "interfaceId") => Value::Num(n),
            _ => Value::str(v),
        };
        row.set(name, value);
    }
}

/// Flattens a JSON value under `prefix` into `row`, counting fields in `n`.
pub fn flatten(prefix: &str, v: &serde_json::Value, row: &mut Row, n: &mut usize) {
    if *n >= MAX_JSON_FIELDS {
        return;
    }
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                flatten(&format!("{prefix}.{k}"), x, row, n);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), x, row, n);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => {
            *n += 1;
            row.set(prefix, Value::str(s.as_str()));
        }
        serde_json::Value::Number(x) => {
            *n += 1;
            row.set(prefix, x.as_f64().map_or(Value::Null, Value::Num));
        }
        serde_json::Value::Bool(b) => {
            *n += 1;
            row.set(prefix, Value::str(if *b { "true" } else { "false" }));
        }
    }
}

/// `REPORT RequestId: id\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax
/// Memory Used: 60 MB` → `@type`, `@requestId`, `@duration`, `@billedDuration`, `@memorySize`
/// and `@maxMemoryUsed` (memory in bytes, as Insights reports it).
fn lambda_report(msg: &str, row: &mut Row) {
    row.set("@type", Value::str("REPORT"));
    for part in msg.split('\t') {
        let Some((k, v)) = part.split_once(':') else {
            continue;
        };
        let v = v.trim();
        let num = |s: &str| {
            s.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
        };
        let (name, value) = match k.trim() {
            "REPORT RequestId" => ("@requestId", Value::str(v)),
            "Duration" => ("@duration", num(v).map_or(Value::Null, Value::Num)),
            "Billed Duration" => ("@billedDuration", num(v).map_or(Value::Null, Value::Num)),
            "Memory Size" => (
                "@memorySize",
                num(v).map_or(Value::Null, |m| Value::Num(m * 1_000_000.0)),
            ),
            "Max Memory Used" => (
                "@maxMemoryUsed",
                num(v).map_or(Value::Null, |m| Value::Num(m * 1_000_000.0)),
            ),
            "Init Duration" => ("@initDuration", num(v).map_or(Value::Null, Value::Num)),
            _ => continue,
        };
        row.set(name, value);
    }
}
