//! Field discovery: an event's system fields, plus the fields Insights finds in its message —
//! JSON objects flattened into dotted names (`userIdentity.arn`, `items.0.id`; CloudTrail records
//! are JSON), Lambda `REPORT` lines (`@type`, `@duration`, `@maxMemoryUsed`, …) and VPC flow
//! log records in the default format (`srcAddr`, `dstAddr`, `bytes`, `action`, …).

use std::sync::Arc;

use crate::eval::Row;
use crate::jscan::Span;
use crate::value::Value;

mod formats;

use formats::{VPC_FIELDS, lambda_report, small_int, vpc_flow_log};

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
    /// The early names as quoted JSON keys, found in the rest of a message whose scan stopped
    /// once they were all seen (see [`Discovery::early_keys_absent_after`]).
    early_keys: Vec<memchr::memmem::Finder<'static>>,
}

/// Per-thread scratch space of a lazy row: where the wanted values are in the message.
#[derive(Debug, Default)]
pub struct Scratch {
    spans: Vec<Option<Span>>,
    /// A row to reuse (one an early filter rejected), so rejected events allocate nothing.
    pub spare: Row,
    /// Whether the message is a JSON object whose late fields are still to be added.
    pending: bool,
    /// Where the scan of the message stopped once every early field was seen (the rest of the
    /// message unchecked), if it did.
    stopped: Option<usize>,
    /// The row's length after its system fields, and after its early JSON fields.
    sys_end: usize,
    json_end: usize,
    /// The spans before a stopped scan was finished (to see whether finishing changed them).
    saved: Vec<Option<Span>>,
    /// The early JSON fields, held out of the row while the filters see it without them.
    held: Vec<(Arc<str>, Value)>,
    /// A row of one field (see [`Discovery::rejects_early`]).
    tiny: Row,
}

impl Scratch {
    /// Where [`Discovery::row_early`] stopped scanning the event's message, if it did: the
    /// caller must then either drop the row or [`Discovery::settle`] it.
    pub fn stopped(&self) -> Option<usize> {
        self.stopped
    }
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
            early_keys: Vec::new(),
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
            early_keys: Vec::new(),
            wanted: Some(wanted),
        }
    }

    /// Marks which wanted fields the query needs before anything else (its leading filters'
    /// fields): [`Discovery::row_early`] materializes only those, [`Discovery::complete`] the
    /// rest.
    pub fn set_early(&mut self, fields: &[String]) {
        if let Some(w) = &self.wanted {
            self.early = w.iter().map(|n| fields.contains(n)).collect();
            self.early_keys = w
                .iter()
                .filter(|n| fields.contains(n))
                .map(|n| memchr::memmem::Finder::new(&crate::jscan::quoted_key(n)).into_owned())
                .collect();
        }
    }

    /// The same discovery, but scanning every JSON message whole before any filter runs (the
    /// plan without the early stop; tests compare the two).
    pub fn without_early_stop(&self) -> Discovery {
        let mut d = self.clone();
        d.early_keys.clear();
        d
    }

    /// A copy whose shared names are its own (so threads do not contend on reference counts).
    pub fn fork(&self) -> Discovery {
        let mut d = self.clone();
        d.names = SYSTEM.map(Arc::from);
        d.keys = d.keys.iter().map(|k| Arc::from(&**k)).collect();
        d
    }

    /// The index of wanted field `name` (as [`Discovery::rejects_early`] takes it).
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.wanted.as_ref()?.iter().position(|w| w == name)
    }

    /// Whether rows carry `@ptr` (else callers need not compute it).
    pub fn wants_ptr(&self) -> bool {
        self.system[5]
    }

    /// Builds an event's row with its system fields and the early fields only, when the message
    /// is a JSON object and only top-level fields are wanted; [`Discovery::complete`] then adds
    /// the others. Otherwise builds the whole row at once.
    ///
    /// When the query's leading filters read some of the fields, the scan of a JSON message
    /// stops as soon as it has seen all of those ([`Scratch::stopped`]); the caller then either
    /// proves a rejection final ([`Discovery::early_keys_absent_after`],
    /// [`Discovery::without_json`]) or finishes the scan with [`Discovery::settle`].
    pub fn row_early(&self, ev: &Event<'_>, scratch: &mut Scratch) -> Row {
        scratch.pending = false;
        scratch.stopped = None;
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
        scratch.sys_end = row.fields.len();
        scratch.spans.clear();
        scratch.spans.resize(w.len(), None);
        if self.early_keys.is_empty() {
            crate::jscan::locate(t.as_bytes(), w, &mut scratch.spans);
        } else if let crate::jscan::Progress::Stopped(at) =
            crate::jscan::locate_until(t.as_bytes(), w, &self.early, &mut scratch.spans)
        {
            scratch.stopped = Some(at);
        }
        self.materialize(t, scratch, &mut row, true);
        scratch.json_end = row.fields.len();
        scratch.pending = true;
        row
    }

    /// Whether the message whose scan stopped at `at` certainly holds none of the early keys
    /// after that point (so finishing the scan could not give them other values).
    pub fn early_keys_absent_after(&self, ev: &Event<'_>, at: usize) -> bool {
        let t = ev.message.trim_start().as_bytes();
        t.get(at..)
            .is_some_and(|rest| crate::jscan::no_key_in(rest, &self.early_keys))
    }

    /// Runs `f` on `row` without the early JSON fields [`Discovery::row_early`] added (the row
    /// as it would be were the message not valid JSON), then puts them back.
    pub fn without_json<R>(
        &self,
        scratch: &mut Scratch,
        row: &mut Row,
        f: impl FnOnce(&Row) -> R,
    ) -> R {
        let (a, b) = (scratch.sys_end, scratch.json_end);
        scratch.held.clear();
        scratch.held.extend(row.fields.drain(a..b));
        let r = f(row);
        row.fields.splice(a..a, scratch.held.drain(..));
        r
    }

    /// Finishes a scan [`Discovery::row_early`] stopped (validating the rest of the message
    /// and reading later duplicates of wanted keys). If that changes an early field's value
    /// (a later duplicate key, or the message is not one JSON object after all), the row is
    /// cut back to its system fields, its early fields are added again and `true` is returned:
    /// the caller re-adds what it set since and evaluates the filters again.
    pub fn settle(&self, ev: &Event<'_>, scratch: &mut Scratch, row: &mut Row) -> bool {
        let (Some(at), Some(w)) = (scratch.stopped.take(), self.wanted.as_ref()) else {
            return false;
        };
        let t = ev.message.trim_start();
        scratch.saved.clear();
        scratch.saved.extend_from_slice(&scratch.spans);
        crate::jscan::resume(t.as_bytes(), w, at, &mut scratch.spans);
        let changed = self
            .early
            .iter()
            .zip(scratch.spans.iter().zip(&scratch.saved))
            .any(|(e, (now, before))| *e && now != before);
        if changed {
            row.fields.truncate(scratch.sys_end);
            self.materialize(t, scratch, row, true);
            scratch.json_end = row.fields.len();
        }
        changed
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
            if matches!(raw.as_bytes()[0], b'{' | b'[') {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) {
                    flatten(&self.keys[i], &v, row, &mut n);
                }
                continue;
            }
            let Some(v) = scalar(raw) else { continue };
            if n < MAX_JSON_FIELDS {
                n += 1;
                row.push(Arc::clone(&self.keys[i]), v);
            }
        }
    }

    /// For a query whose leading filters read one wanted field only (`slot`) and nothing else
    /// of the event: whether they certainly reject the event, decided from a scan of its JSON
    /// message that stops at that field, without building its row. `keep` runs the filters on
    /// a row holding just that field (or nothing). `false` when nothing is certain (or the
    /// message is not a JSON object): the caller then builds the row as usual.
    pub fn rejects_early(
        &self,
        ev: &Event<'_>,
        scratch: &mut Scratch,
        slot: usize,
        keep: impl Fn(&Row) -> bool,
    ) -> bool {
        let Some(w) = self
            .wanted
            .as_ref()
            .filter(|w| self.top_level && slot < w.len() && !self.early_keys.is_empty())
        else {
            return false;
        };
        let t = ev.message.trim_start();
        if !t.starts_with('{') {
            return false;
        }
        scratch.spans.clear();
        scratch.spans.resize(w.len(), None);
        let progress = crate::jscan::locate_until(t.as_bytes(), w, &self.early, &mut scratch.spans);
        // The value as the row would hold it: a container is flattened into other names.
        let value = scratch.spans[slot]
            .filter(|(a, _)| !matches!(t.as_bytes()[*a], b'{' | b'['))
            .and_then(|(a, b)| scalar(&t[a..b]));
        let mut tiny = std::mem::take(&mut scratch.tiny);
        tiny.fields.clear();
        let bare_keeps = keep(&tiny);
        let rejects = match progress {
            // Not JSON after all: the row has no field of the message.
            crate::jscan::Progress::Invalid => !bare_keeps,
            // A stopped scan: final only if no later member can replace the value and the
            // filters also reject the event should the rest make the message invalid.
            crate::jscan::Progress::Stopped(at)
                if bare_keeps
                    || !crate::jscan::no_key_in(&t.as_bytes()[at..], &self.early_keys) =>
            {
                false
            }
            _ => match value {
                None => !bare_keeps,
                Some(v) => {
                    tiny.push(Arc::clone(&self.keys[slot]), v);
                    !keep(&tiny)
                }
            },
        };
        scratch.tiny = tiny;
        rejects
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

/// A scalar JSON value (`raw` as the scan located it) as a row holds it: strings unescaped,
/// `true`/`false` as strings, finite numbers; `None` for `null` and what cannot be read.
fn scalar(raw: &str) -> Option<Value> {
    Some(match *raw.as_bytes().first()? {
        b'"' if !raw.contains('\\') => Value::str(raw.get(1..raw.len() - 1)?),
        b'"' => Value::str(serde_json::from_str::<String>(raw).ok()?),
        b't' => Value::str("true"),
        b'f' => Value::str("false"),
        b'n' | b'{' | b'[' => return None,
        _ => match small_int(raw.as_bytes()) {
            Some(x) => Value::Num(x),
            None => match raw.parse::<f64>() {
                Ok(x) if x.is_finite() => Value::Num(x),
                _ => return None,
            },
        },
    })
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
