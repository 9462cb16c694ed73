//! Field discovery: an event's system fields, plus the fields Insights finds in its message —
//! JSON objects flattened into dotted names (`userIdentity.arn`, `items.0.id`; CloudTrail records
//! are JSON), Lambda `REPORT` lines (`@type`, `@duration`, `@maxMemoryUsed`, …) and VPC flow
//! log records in the default format (`srcAddr`, `dstAddr`, `bytes`, `action`, …).

use std::sync::Arc;

use crate::eval::Row;
use crate::jscan::Span;
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
    /// The wanted names as row keys (made once, shared by every row).
    keys: Vec<Arc<str>>,
    /// Whether every wanted name is a top-level key (no dot): then JSON messages are scanned
    /// with [`crate::jscan`] and values are materialized on demand.
    top_level: bool,
    /// Which wanted names are needed early (by the query's leading filters).
    early: Vec<bool>,
}

/// Per-thread scratch space of a lazy row: where the wanted values are in the message.
#[derive(Debug, Default)]
pub struct Scratch {
    spans: Vec<Option<Span>>,
    /// A row to reuse (one an early filter rejected), so rejected events allocate nothing.
    pub spare: Row,
    /// Whether the message is a JSON object whose late fields are still to be added.
    pending: bool,
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
            keys: Vec::new(),
            top_level: false,
            early: Vec::new(),
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
            keys: wanted.iter().map(|w| Arc::from(w.as_str())).collect(),
            top_level: wanted.iter().all(|w| !w.contains('.')),
            early: vec![true; wanted.len()],
            wanted: Some(wanted),
        }
    }

    /// Marks which wanted fields the query needs before anything else (its leading filters'
    /// fields): [`Discovery::row_early`] materializes only those, [`Discovery::complete`] the
    /// rest.
    pub fn set_early(&mut self, fields: &[String]) {
        if let Some(w) = &self.wanted {
            self.early = w.iter().map(|n| fields.contains(n)).collect();
        }
    }

    /// A copy whose shared names are its own (so threads do not contend on reference counts).
    pub fn fork(&self) -> Discovery {
        let mut d = self.clone();
        d.names = SYSTEM.map(Arc::from);
        d.keys = d.keys.iter().map(|k| Arc::from(&**k)).collect();
        d
    }

    /// Whether rows carry `@ptr` (else callers need not compute it).
    pub fn wants_ptr(&self) -> bool {
        self.system[5]
    }

    /// Builds an event's row with its system fields and the early fields only, when the message
    /// is a JSON object and only top-level fields are wanted; [`Discovery::complete`] then adds
    /// the others. Otherwise builds the whole row at once.
    pub fn row_early(&self, ev: &Event<'_>, scratch: &mut Scratch) -> Row {
        scratch.pending = false;
        let Some(w) = self
            .wanted
            .as_ref()
            .filter(|w| self.top_level && !w.is_empty())
        else {
            return self.row(ev);
        };
        let t = ev.message.trim_start();
        if !t.starts_with('{') {
            return self.row(ev);
        }
        let mut row = std::mem::take(&mut scratch.spare);
        row.fields.clear();
        self.fill_system(ev, &mut row);
        scratch.spans.clear();
        scratch.spans.resize(w.len(), None);
        crate::jscan::locate(t.as_bytes(), w, &mut scratch.spans);
        self.materialize(t, scratch, &mut row, true);
        scratch.pending = true;
        row
    }

    /// Adds the fields [`Discovery::row_early`] left out.
    pub fn complete(&self, ev: &Event<'_>, scratch: &mut Scratch, row: &mut Row) {
        if scratch.pending {
            scratch.pending = false;
            self.materialize(ev.message.trim_start(), scratch, row, false);
        }
    }

    fn materialize(&self, text: &str, scratch: &Scratch, row: &mut Row, early: bool) {
        let mut n = 0;
        for (i, span) in scratch.spans.iter().enumerate() {
            if self.early.get(i).copied().unwrap_or(true) != early {
                continue;
            }
            let Some((a, b)) = *span else { continue };
            let raw = &text[a..b];
            let v = match raw.as_bytes()[0] {
                b'"' if !raw.contains('\\') => Value::str(&raw[1..raw.len() - 1]),
                b'"' => match serde_json::from_str::<String>(raw) {
                    Ok(s) => Value::str(s),
                    Err(_) => continue,
                },
                b't' => Value::str("true"),
                b'f' => Value::str("false"),
                b'{' | b'[' => {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) {
                        flatten(&self.keys[i], &v, row, &mut n);
                    }
                    continue;
                }
                _ => match raw.parse::<f64>() {
                    Ok(x) if x.is_finite() => Value::Num(x),
                    _ => continue,
                },
            };
            if n < MAX_JSON_FIELDS {
                n += 1;
                row.push(Arc::clone(&self.keys[i]), v);
            }
        }
    }

    fn system_row(&self, ev: &Event<'_>) -> Row {
        let mut row = Row {
            fields: Vec::with_capacity(8),
        };
        self.fill_system(ev, &mut row);
        row
    }

    fn fill_system(&self, ev: &Event<'_>, row: &mut Row) {
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
    }

    /// Builds an event's row.
    pub fn row(&self, ev: &Event<'_>) -> Row {
        let mut row = self.system_row(ev);
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
