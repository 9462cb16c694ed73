//! `stats`: grouping rows by the `by` expressions and folding each group's aggregates.

use std::collections::HashMap;

use crate::agg::{AggState, is_aggregate};
use crate::ast::{Expr, Projection};
use crate::eval::{Ctx, Row, eval};
use crate::value::Value;

thread_local! {
    /// A reused buffer for group keys.
    static KEY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// A reused buffer for group-key values.
    static VALS: std::cell::RefCell<Vec<Value>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An FNV-style hash over the encoded group key (eight bytes at a time, then a finalizer): group keys are short and made by this process, so a fast
/// non-keyed hash serves (SipHash costs more than the rest of an aggregation step).
#[derive(Debug, Clone, Copy)]
pub struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's finalizer: every input bit reaches the low bits the table indexes by.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(a)).wrapping_mul(0x0000_0100_0000_01b3);
            h ^= h >> 29;
        }
        for b in chunks.remainder() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type KeyMap = HashMap<Box<[u8]>, Group, std::hash::BuildHasherDefault<KeyHasher>>;

/// One aggregate call of a `stats` command (deduplicated by source text).
#[derive(Debug, Clone)]
pub struct AggSpec {
    pub text: String,
    pub name: String,
    /// `None` for `count(*)` and `count()`.
    pub arg: Option<Expr>,
    pub p: f64,
}

/// A compiled `stats` command.
#[derive(Debug, Clone)]
pub struct StatsSpec {
    pub aggs: Vec<Projection>,
    pub by: Vec<Projection>,
    pub calls: Vec<AggSpec>,
}

fn collect_calls(e: &Expr, out: &mut Vec<AggSpec>) {
    match e {
        Expr::Call { name, args, text } if is_aggregate(name) => {
            if out.iter().any(|c| c.text == *text) {
                return;
            }
            let arg = match args.first() {
                None | Some(Expr::Star) => None,
                Some(a) => Some(a.clone()),
            };
            let p = args
                .get(1)
                .and_then(|a| match a {
                    Expr::Lit(v) => v.as_num(),
                    _ => None,
                })
                .unwrap_or(50.0);
            out.push(AggSpec {
                text: text.clone(),
                name: name.clone(),
                arg,
                p,
            });
        }
        Expr::Call { args, .. } => args.iter().for_each(|a| collect_calls(a, out)),
        Expr::Neg(x) | Expr::Not(x) => collect_calls(x, out),
        Expr::Binary(_, a, b) => {
            collect_calls(a, out);
            collect_calls(b, out);
        }
        _ => {}
    }
}

impl StatsSpec {
    /// Compiles a `stats` command's projections.
    pub fn new(aggs: &[Projection], by: &[Projection]) -> StatsSpec {
        let mut calls = Vec::new();
        for a in aggs {
            collect_calls(&a.expr, &mut calls);
        }
        StatsSpec {
            aggs: aggs.to_vec(),
            by: by.to_vec(),
            calls,
        }
    }

    /// The names of the rows' columns: the `by` names, then the aggregates'.
    pub fn output_names(&self) -> Vec<String> {
        self.by
            .iter()
            .chain(&self.aggs)
            .map(|p| p.name.clone())
            .collect()
    }

    fn fresh(&self) -> Vec<AggState> {
        self.calls
            .iter()
            .map(|c| AggState::new(&c.name, c.p))
            .collect()
    }
}

/// One group: its key values and its aggregates' states.
pub type Group = (Vec<Value>, Vec<AggState>);

/// Groups being aggregated, by their encoded key.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    pub map: KeyMap,
}

/// Encodes group-key values (tagged, so values of different kinds never collide; numbers by
/// value, strings by text) into `k`.
fn key_bytes(vals: &[Value], k: &mut Vec<u8>) {
    k.clear();
    for v in vals {
        match v {
            Value::Null => k.push(0),
            Value::Bool(b) => k.extend_from_slice(&[1, u8::from(*b)]),
            Value::Num(n) => {
                k.push(2);
                let n = if *n == 0.0 { 0.0 } else { *n };
                k.extend_from_slice(&n.to_bits().to_le_bytes());
            }
            Value::Time(t) => {
                k.push(3);
                k.extend_from_slice(&t.to_le_bytes());
            }
            Value::Str(s) => {
                k.push(4);
                k.extend_from_slice(&(s.len() as u32).to_le_bytes());
                k.extend_from_slice(s.as_bytes());
            }
        }
    }
}

impl Groups {
    /// Adds a row.
    pub fn add(&mut self, spec: &StatsSpec, row: &Row, ctx: &Ctx) {
        let entry = VALS.with_borrow_mut(|vals| {
            vals.clear();
            vals.extend(spec.by.iter().map(|b| eval(&b.expr, row, ctx)));
            KEY.with_borrow_mut(|key| {
                key_bytes(vals, key);
                if !self.map.contains_key(key.as_slice()) {
                    let fresh = (vals.clone(), spec.fresh());
                    self.map.insert(key.as_slice().into(), fresh);
                }
                self.map.get_mut(key.as_slice()).map(|e| &mut e.1)
            })
        });
        let Some(states) = entry else {
            return;
        };
        let ts = row.timestamp();
        for (state, call) in states.iter_mut().zip(&spec.calls) {
            match &call.arg {
                None => state.update(&Value::Bool(true), ts),
                Some(a) => state.update(&eval(a, row, ctx), ts),
            }
        }
    }

    /// Merges another worker's groups.
    pub fn merge(&mut self, other: Groups) {
        for (k, (vals, states)) in other.map {
            match self.map.get_mut(&k) {
                Some((_, mine)) => {
                    for (a, b) in mine.iter_mut().zip(states) {
                        a.merge(b);
                    }
                }
                None => {
                    self.map.insert(k, (vals, states));
                }
            }
        }
    }

    /// The result rows, ordered by their group keys.
    pub fn finish(&self, spec: &StatsSpec, ctx: &Ctx) -> Vec<Row> {
        let mut groups: Vec<&Group> = self.map.values().collect();
        groups.sort_by(|a, b| {
            a.0.iter()
                .zip(&b.0)
                .map(|(x, y)| x.compare(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut rows = Vec::with_capacity(groups.len());
        for (vals, states) in groups {
            let mut scratch = Row::default();
            let mut out = Row::default();
            for (b, v) in spec.by.iter().zip(vals) {
                scratch.set(&b.name, v.clone());
                out.set(&b.name, v.clone());
            }
            for (c, s) in spec.calls.iter().zip(states) {
                scratch.set(&c.text, s.finish());
            }
            for a in &spec.aggs {
                let v = eval(&a.expr, &scratch, ctx);
                scratch.set(&a.name, v.clone());
                out.set(&a.name, v);
            }
            rows.push(out);
        }
        rows
    }
}

/// Runs a `stats` over rows already in memory (a second, chained `stats`).
pub fn run(spec: &StatsSpec, rows: &[Row], ctx: &Ctx) -> Vec<Row> {
    let mut g = Groups::default();
    for r in rows {
        g.add(spec, r, ctx);
    }
    g.finish(spec, ctx)
}
