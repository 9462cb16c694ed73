//! Query execution: a [`Plan`] splits the commands into a per-event *prefix* (`fields`, `filter`,
//! `parse`, `unnest`), an optional first `stats` folded into mergeable [`Groups`], and the *rest*,
//! run over the rows in memory when results are read. Workers each fold their chunks into an
//! [`Acc`]; accumulators merge, and [`Plan::finish`] turns one (possibly partial) into result rows.

use std::sync::Arc;

use crate::ast::{Command, DiffPeriod, Expr, Query};
use crate::discover::{Discovery, Event};
use crate::eval::{Ctx, Row, eval};
use crate::parser::MAX_LIMIT;
use crate::rowcmd::{parse_into, project, unnest};
use crate::stats::{Groups, StatsSpec};
use crate::value::Value;

mod analysis;

use analysis::{command_fields, defined_names, reads_no_event_field, rest_is_sort_limit};

/// Rows kept per result at most, as AWS.
pub const MAX_RESULT_ROWS: usize = MAX_LIMIT;
/// The hidden field that marks rows of `diff`'s earlier period.
pub const PREVIOUS_FIELD: &str = "@@previous";

/// Fields every event has without looking into its message.
pub const SYSTEM_FIELDS: &[&str] = &[
    "@timestamp",
    "@message",
    "@logStream",
    "@log",
    "@ingestionTime",
    "@ptr",
];

/// A query ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub query: Query,
    prefix: Vec<Command>,
    stats: Option<StatsSpec>,
    rest: Vec<Command>,
    /// What each event's row must hold.
    pub discovery: Discovery,
    /// With only `sort`/`limit`/projections after the prefix: keep this many rows at most.
    top_k: Option<usize>,
    /// The output columns (`None`: every field of each row).
    output: Option<Vec<String>>,
    /// `diff`'s earlier period, if the query has `diff`.
    pub diff: Option<DiffPeriod>,
    /// Literals every matching event's message must contain (for chunk prefiltering).
    pub required_literals: Vec<String>,
    /// How many leading commands of the prefix are `filter`s, run before the fields only later
    /// commands read are materialized.
    early: usize,
    /// Whether the leading filters reject an event that has none of their JSON fields, when
    /// that does not depend on the event (they read no system field and call no function that
    /// reads one); `None`: it does, so it is evaluated per event.
    bare_rejects: Option<bool>,
    /// When the leading filters read one JSON field only (its index among the wanted names)
    /// and nothing else of the event: events they reject are found without building rows.
    quick: Option<usize>,
}

thread_local! {
    /// Per-thread scratch space of lazy rows.
    static SCRATCH: std::cell::RefCell<crate::discover::Scratch> =
        std::cell::RefCell::new(crate::discover::Scratch::default());
}

/// A worker's (or the merged) partial state.
#[derive(Debug, Clone)]
pub enum Acc {
    Rows(Vec<Row>),
    Groups(Groups),
}

impl Plan {
    /// Plans a parsed query. `limit` is StartQuery's `limit` (the most rows returned).
    pub fn new(query: Query, limit: Option<usize>) -> Plan {
        let mut prefix = Vec::new();
        let mut rest = Vec::new();
        let mut stats = None;
        let mut blocked = false;
        for c in &query.commands {
            match c {
                Command::Display(_) | Command::Diff(_) if !blocked => rest.push(c.clone()),
                Command::Fields(_)
                | Command::Filter(_)
                | Command::Parse { .. }
                | Command::Unnest { .. }
                    if !blocked =>
                {
                    prefix.push(c.clone())
                }
                Command::Stats { aggs, by } if !blocked => {
                    blocked = true;
                    stats = Some(StatsSpec::new(aggs, by));
                }
                _ => {
                    blocked = true;
                    rest.push(c.clone());
                }
            }
        }
        let mut refs = Vec::new();
        for c in &query.commands {
            command_fields(c, &mut refs);
        }
        let mut output: Option<Vec<String>> = None;
        for c in &query.commands {
            match c {
                Command::Fields(p) => {
                    let o = output.get_or_insert_with(Vec::new);
                    for x in p {
                        if !o.contains(&x.name) {
                            o.push(x.name.clone());
                        }
                    }
                }
                Command::Stats { aggs, by } => {
                    output = Some(by.iter().chain(aggs).map(|p| p.name.clone()).collect());
                }
                Command::Pattern(_) => {
                    output = Some(
                        crate::pattern::PATTERN_FIELDS
                            .iter()
                            .map(|s| (*s).to_owned())
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        if let Some(Command::Display(p)) = query
            .commands
            .iter()
            .rev()
            .find(|c| matches!(c, Command::Display(_)))
        {
            output = Some(p.iter().map(|x| x.name.clone()).collect());
        }
        let has_diff = query.commands.iter().find_map(|c| match c {
            Command::Diff(p) => Some(*p),
            _ => None,
        });
        if has_diff.is_some() {
            // Comparison queries return patterns only.
            output = Some(
                crate::pattern::PATTERN_FIELDS
                    .iter()
                    .chain(crate::pattern::DIFF_FIELDS)
                    .map(|s| (*s).to_owned())
                    .collect(),
            );
        }
        let mut discovery = match &output {
            None => Discovery::all(),
            Some(out) => {
                // Fields read by expressions, and output columns no command computes.
                let defined = defined_names(&query.commands);
                let mut need = refs.clone();
                need.extend(out.iter().filter(|n| !defined.contains(n)).cloned());
                let aggregated = query
                    .commands
                    .iter()
                    .any(|c| matches!(c, Command::Stats { .. } | Command::Pattern(_)));
                if !aggregated {
                    need.push("@ptr".into());
                }
                if has_diff.is_some() {
                    need.push("@message".into());
                }
                Discovery::only(&need)
            }
        };
        let early = prefix
            .iter()
            .take_while(|c| matches!(c, Command::Filter(_)))
            .count();
        let mut early_fields = Vec::new();
        for c in &prefix[..early] {
            command_fields(c, &mut early_fields);
        }
        discovery.set_early(&early_fields);
        let event_free = prefix[..early].iter().all(|c| match c {
            Command::Filter(e) => reads_no_event_field(e),
            _ => false,
        });
        let mut early_json: Vec<&String> = early_fields
            .iter()
            .filter(|f| !SYSTEM_FIELDS.contains(&f.as_str()))
            .collect();
        early_json.sort();
        early_json.dedup();
        let quick = match early_json.as_slice() {
            [one] if event_free => discovery.slot(one),
            _ => None,
        };
        let ctx0 = Ctx { now: 0 };
        let bare_rejects =
            event_free.then(|| !filters_pass(&prefix[..early], &Row::default(), &ctx0));
        let cap = limit.unwrap_or(MAX_RESULT_ROWS).min(MAX_RESULT_ROWS);
        let top_k = if stats.is_none() && has_diff.is_none() && rest_is_sort_limit(&rest) {
            let lim = rest.iter().find_map(|c| match c {
                Command::Limit(n) => Some(*n),
                _ => None,
            });
            Some(lim.unwrap_or(cap).min(cap))
        } else {
            None
        };
        let required_literals = prefix
            .iter()
            .take_while(|c| matches!(c, Command::Filter(_) | Command::Fields(_)))
            .filter_map(|c| match c {
                Command::Filter(e) => Some(e),
                _ => None,
            })
            .flat_map(crate::prefilter::required_literals)
            .collect();
        Plan {
            query,
            prefix,
            stats,
            rest,
            discovery,
            top_k,
            output,
            diff: has_diff,
            required_literals,
            early,
            bare_rejects,
            quick,
        }
    }

    /// A copy for one worker thread (its shared field names are its own, so threads do not
    /// contend on their reference counts).
    pub fn fork(&self) -> Plan {
        let mut p = self.clone();
        p.discovery = self.discovery.fork();
        p
    }

    /// A fresh, empty accumulator.
    pub fn new_acc(&self) -> Acc {
        match self.stats {
            Some(_) => Acc::Groups(Groups::default()),
            None => Acc::Rows(Vec::new()),
        }
    }

    /// Runs one event through the prefix into `acc`; returns how many rows matched.
    pub fn feed(&self, ev: &Event<'_>, previous: bool, acc: &mut Acc, ctx: &Ctx) -> usize {
        SCRATCH.with_borrow_mut(|scratch| {
            if let Some(slot) = self.quick
                && self
                    .discovery
                    .rejects_early(ev, scratch, slot, |r| self.early_pass(r, ctx))
            {
                return 0;
            }
            let mut row = self.discovery.row_early(ev, scratch);
            if previous {
                row.set(PREVIOUS_FIELD, Value::Bool(true));
            }
            // The leading filters see only the fields they read; the rest are added to the
            // events that pass.
            let mut pass = self.early_pass(&row, ctx);
            if let Some(at) = scratch.stopped() {
                // The message was scanned only up to the filters' last field. A rejection is
                // final if none of their keys occurs again later (no other value could win)
                // and the filters reject the event without those fields too (as they would
                // see it if the rest of the message made it invalid JSON).
                if !pass
                    && self.discovery.early_keys_absent_after(ev, at)
                    && self.bare_rejects.unwrap_or_else(|| {
                        !self
                            .discovery
                            .without_json(scratch, &mut row, |r| self.early_pass(r, ctx))
                    })
                {
                    scratch.spare = row;
                    return 0;
                }
                if self.discovery.settle(ev, scratch, &mut row) {
                    if previous {
                        row.set(PREVIOUS_FIELD, Value::Bool(true));
                    }
                    pass = self.early_pass(&row, ctx);
                }
            }
            if !pass {
                // Keep the row's allocation for the next event.
                scratch.spare = row;
                return 0;
            }
            self.discovery.complete(ev, scratch, &mut row);
            self.feed_row(row, acc, ctx)
        })
    }

    /// Whether the query's leading filters keep `row`.
    fn early_pass(&self, row: &Row, ctx: &Ctx) -> bool {
        filters_pass(&self.prefix[..self.early], row, ctx)
    }

    fn feed_row(&self, row: Row, acc: &mut Acc, ctx: &Ctx) -> usize {
        let mut matched = 0;
        run_prefix(&self.prefix[self.early..], row, ctx, &mut |r| {
            matched += 1;
            match acc {
                Acc::Rows(rows) => rows.push(r),
                Acc::Groups(g) => {
                    if let Some(spec) = &self.stats {
                        g.add(spec, &r, ctx);
                    }
                }
            }
        });
        if let (Some(k), Acc::Rows(rows)) = (self.top_k, acc)
            && rows.len() >= 2 * k.max(64)
        {
            self.compact(rows, k, ctx);
        }
        matched
    }

    fn compact(&self, rows: &mut Vec<Row>, k: usize, ctx: &Ctx) {
        match self.rest.iter().find_map(|c| match c {
            Command::Sort(keys) => Some(keys),
            _ => None,
        }) {
            Some(keys) => sort_rows(rows, keys, ctx),
            None => default_sort(rows),
        }
        rows.truncate(k);
    }

    /// Merges a worker's accumulator into `into`.
    pub fn merge(&self, into: &mut Acc, from: Acc, ctx: &Ctx) {
        match (into, from) {
            (Acc::Rows(a), Acc::Rows(b)) => {
                a.extend(b);
                if let Some(k) = self.top_k
                    && a.len() > k
                {
                    self.compact(a, k, ctx);
                }
            }
            (Acc::Groups(a), Acc::Groups(b)) => a.merge(b),
            _ => {}
        }
    }

    /// The result rows of an accumulator (partial or final), capped at `limit` rows.
    pub fn finish(&self, acc: &Acc, ctx: &Ctx, limit: Option<usize>) -> Vec<Vec<(String, String)>> {
        let mut rows = match (acc, &self.stats) {
            (Acc::Groups(g), Some(spec)) => g.finish(spec, ctx),
            (Acc::Rows(r), _) => {
                let mut r = r.clone();
                let sorts_later = self
                    .rest
                    .iter()
                    .any(|c| matches!(c, Command::Sort(_) | Command::Pattern(_)));
                if !sorts_later && self.stats.is_none() {
                    default_sort(&mut r);
                }
                r
            }
            _ => Vec::new(),
        };
        for c in &self.rest {
            rows = run_rest(c, rows, ctx, self.diff);
        }
        let cap = limit.unwrap_or(MAX_RESULT_ROWS).min(MAX_RESULT_ROWS);
        rows.truncate(cap);
        rows.into_iter()
            .map(|r| self.render(r))
            // A row with no value at all (say, a group whose keys and aggregates are all
            // absent) carries nothing.
            .filter(|r| !r.is_empty())
            .collect()
    }

    fn render(&self, row: Row) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match &self.output {
            Some(names) => {
                for n in names {
                    if let Some(v) = row.get(n).and_then(Value::render) {
                        out.push((n.clone(), v));
                    }
                }
            }
            None => {
                for (k, v) in &row.fields {
                    if k.starts_with("@@") || &**k == "@ptr" {
                        continue;
                    }
                    if let Some(s) = v.render() {
                        out.push((k.to_string(), s));
                    }
                }
            }
        }
        if self.stats.is_none()
            && !self
                .rest
                .iter()
                .any(|c| matches!(c, Command::Stats { .. } | Command::Pattern(_)))
            && let Some(p) = row.get("@ptr").and_then(Value::render)
        {
            out.push(("@ptr".into(), p));
        }
        out
    }
}

/// Newest first, as Insights lists events when the query does not sort.
fn default_sort(rows: &mut [Row]) {
    rows.sort_by_key(|r| std::cmp::Reverse(r.timestamp()));
}

/// Sorts rows by `(expr, descending)` keys; rows missing a key sort last.
pub fn sort_rows(rows: &mut [Row], keys: &[(Expr, bool)], ctx: &Ctx) {
    let mut keyed: Vec<(Vec<Value>, Row)> = rows
        .iter()
        .map(|r| {
            (
                keys.iter().map(|(e, _)| eval(e, r, ctx)).collect(),
                r.clone(),
            )
        })
        .collect();
    keyed.sort_by(|a, b| {
        for (i, (_, desc)) in keys.iter().enumerate() {
            let (x, y) = (&a.0[i], &b.0[i]);
            let o = match (x.is_null(), y.is_null()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if *desc => y.compare(x),
                _ => x.compare(y),
            };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    for (slot, (_, r)) in rows.iter_mut().zip(keyed) {
        *slot = r;
    }
}

/// Runs per-row commands, calling `emit` for each row that comes out.
pub fn run_prefix(cmds: &[Command], mut row: Row, ctx: &Ctx, emit: &mut dyn FnMut(Row)) {
    for (i, c) in cmds.iter().enumerate() {
        match c {
            Command::Fields(p) => project(p, &mut row, ctx),
            Command::Filter(e) if !eval(e, &row, ctx).truthy() => {
                return;
            }
            Command::Parse { source, kind } => parse_into(source, kind, &mut row, ctx),
            Command::Unnest { field, alias } => {
                for r in unnest(&row, field, alias) {
                    run_prefix(&cmds[i + 1..], r, ctx, emit);
                }
                return;
            }
            _ => {}
        }
    }
    emit(row);
}

fn run_rest(c: &Command, mut rows: Vec<Row>, ctx: &Ctx, diff: Option<DiffPeriod>) -> Vec<Row> {
    match c {
        Command::Fields(_)
        | Command::Filter(_)
        | Command::Parse { .. }
        | Command::Unnest { .. } => {
            let mut out = Vec::with_capacity(rows.len());
            let cmds = std::slice::from_ref(c);
            for r in rows {
                run_prefix(cmds, r, ctx, &mut |x| out.push(x));
            }
            out
        }
        Command::Stats { aggs, by } => crate::stats::run(&StatsSpec::new(aggs, by), &rows, ctx),
        Command::Sort(keys) => {
            sort_rows(&mut rows, keys, ctx);
            rows
        }
        Command::Limit(n) => {
            rows.truncate(*n);
            rows
        }
        Command::Dedup(keys) => {
            let mut seen = std::collections::HashSet::new();
            rows.retain(|r| {
                let vals: Vec<Value> = keys.iter().map(|e| eval(e, r, ctx)).collect();
                if vals.iter().any(Value::is_null) {
                    return true;
                }
                let k: Vec<String> = vals.iter().map(Value::text).collect();
                seen.insert(k)
            });
            rows
        }
        Command::Pattern(e) => crate::pattern::pattern(&rows, e, ctx, diff.is_some()),
        Command::Diff(_) => {
            if rows.iter().any(|r| r.get("@pattern").is_some()) {
                rows
            } else {
                crate::pattern::diff_rows(rows)
            }
        }
        Command::Display(_) => rows,
    }
}

/// An `Arc<str>` of a field name (helper for callers building rows).
pub fn name(s: &str) -> Arc<str> {
    Arc::from(s)
}

/// Whether every `filter` among `cmds` keeps `row`.
fn filters_pass(cmds: &[Command], row: &Row, ctx: &Ctx) -> bool {
    cmds.iter()
        .all(|c| !matches!(c, Command::Filter(e) if !eval(e, row, ctx).truthy()))
}
