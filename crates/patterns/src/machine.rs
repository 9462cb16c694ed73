//! Matching one event against a [`RuleSet`]: the event is walked once through the path trie and each kept
//! leaf goes straight to its path's value index (predicate hits → trigger candidates); then the candidates'
//! constraints are checked, with array-consistency / `exists: false` verification for the few that need it.
//! Per-thread scratch buffers are reused, so matching allocates nothing per event (beyond unescaped strings
//! and the caller's result).

use std::cell::RefCell;
use std::hash::Hash;

use serde_json::Value;

use crate::compile::{HotConstraint, INLINE_CONSTRAINTS, Pred, RuleSet};
use crate::error::EventError;
use crate::flatten::{Membership, Sink, Walker, consistent, merge};
use crate::index::{KeyIndex, PredId};
use crate::matcher::Leaf;

/// One kept event field: its path key and its membership range in [`Scratch::arena`].
#[derive(Debug, Clone, Copy)]
struct Field {
    key: u32,
    mem: (u32, u32),
}

/// Reusable per-thread buffers; stamps avoid clearing between events.
#[derive(Debug, Default)]
struct Scratch {
    epoch: u32,
    pred_stamp: Vec<u32>,
    subrule_stamp: Vec<u32>,
    rule_stamp: Vec<u32>,
    candidates: Vec<u32>,
    hits: Vec<(u32, u32)>,
    preds: Vec<PredId>,
    by_key: Vec<(u32, u32)>,
    matched: Vec<u32>,
    fields: Vec<Field>,
    arena: Vec<(u32, u32)>,
    /// Whether any kept field sits inside an array.
    any_array: bool,
    stack: Vec<(u32, u32)>,
}

impl Scratch {
    fn begin(&mut self, preds: usize, subrules: usize, rules: usize) {
        if self.epoch == u32::MAX {
            self.epoch = 0;
            self.pred_stamp.iter_mut().for_each(|s| *s = 0);
            self.subrule_stamp.iter_mut().for_each(|s| *s = 0);
            self.rule_stamp.iter_mut().for_each(|s| *s = 0);
        }
        self.epoch += 1;
        if self.pred_stamp.len() < preds {
            self.pred_stamp.resize(preds, 0);
        }
        if self.subrule_stamp.len() < subrules {
            self.subrule_stamp.resize(subrules, 0);
        }
        if self.rule_stamp.len() < rules {
            self.rule_stamp.resize(rules, 0);
        }
        self.candidates.clear();
        self.hits.clear();
        self.by_key.clear();
        self.matched.clear();
        self.fields.clear();
        self.arena.clear();
        self.any_array = false;
    }

    fn membership(&self, fi: u32) -> &Membership {
        let f = self.fields[fi as usize];
        &self.arena[f.mem.0 as usize..f.mem.1 as usize]
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The sink of a walk: runs each kept leaf through its path's index at once.
struct Collector<'r, 's> {
    keys: &'r [KeyIndex],
    preds: &'r [Pred],
    trigger_hot: &'r [(u32, u32)],
    s: &'s mut Scratch,
}

impl Sink for Collector<'_, '_> {
    #[inline]
    fn leaf(&mut self, key: u32, leaf: &Leaf<'_>, membership: &Membership) {
        let Some(index) = self.keys.get(key as usize) else {
            return;
        };
        let s = &mut *self.s;
        let fi = s.fields.len() as u32;
        let start = s.arena.len() as u32;
        if !membership.is_empty() {
            s.arena.extend_from_slice(membership);
            s.any_array = true;
        }
        s.fields.push(Field {
            key,
            mem: (start, s.arena.len() as u32),
        });
        s.preds.clear();
        let preds = self.preds;
        index.collect(leaf, |p| &preds[p as usize].matcher, &mut s.preds);
        let epoch = s.epoch;
        for &p in &s.preds {
            s.hits.push((p, fi));
            if s.pred_stamp[p as usize] != epoch {
                s.pred_stamp[p as usize] = epoch;
                match self.trigger_hot[p as usize] {
                    (0, _) => {}
                    (1, t) => s.candidates.push(t),
                    _ => s.candidates.extend_from_slice(&preds[p as usize].triggers),
                }
            }
        }
    }
}

impl<R: Clone + Eq + Hash> RuleSet<R> {
    /// Ids of the rules matching `event` (each once, in no particular order).
    pub fn matches(&self, event: &Value) -> Vec<R> {
        let mut out = Vec::new();
        self.for_each_match(event, |r| out.push(r.clone()));
        out
    }

    /// Calls `f` once for each rule matching `event`.
    pub fn for_each_match(&self, event: &Value, mut f: impl FnMut(&R)) {
        let _ = self.run(|w| Ok(w.walk_value(event)), &mut f);
    }

    /// Ids of the rules matching the event given as raw JSON bytes (must be an object).
    pub fn matches_bytes(&self, bytes: &[u8]) -> Result<Vec<R>, EventError> {
        let mut out = Vec::new();
        self.run(
            |w| crate::raw::walk_bytes(bytes, w).map(|()| true),
            &mut |r: &R| out.push(r.clone()),
        )?;
        Ok(out)
    }

    /// Walks the event with `walk` (which returns whether the event may match at all), then calls `f`
    /// for every matching rule.
    fn run(
        &self,
        walk: impl FnOnce(&mut Walker<'_, '_, Collector<'_, '_>>) -> Result<bool, EventError>,
        f: &mut impl FnMut(&R),
    ) -> Result<(), EventError> {
        let matched = SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let s = &mut *guard;
            s.begin(self.preds.len(), self.subrules.len(), self.rule_ids.len());
            let stack = std::mem::take(&mut s.stack);
            let mut sink = Collector {
                keys: &self.keys,
                preds: &self.preds,
                trigger_hot: &self.trigger_hot,
                s,
            };
            let mut w = Walker::new(&self.trie, &mut sink, stack);
            let walked = walk(&mut w);
            let stack = std::mem::take(&mut w.stack);
            s.stack = stack;
            if walked? {
                self.decide(s);
            }
            Ok::<_, EventError>(std::mem::take(&mut s.matched))
        })?;
        for slot in &matched {
            if let Some(Some(r)) = self.rule_ids.get(*slot as usize) {
                f(r);
            }
        }
        SCRATCH.with(|cell| cell.borrow_mut().matched = matched);
        Ok(())
    }

    /// Checks the candidate sub-rules of the walked event; fills `s.matched` with rule slots.
    fn decide(&self, s: &mut Scratch) {
        let epoch = s.epoch;
        let mut sorted = false;
        let candidates = std::mem::take(&mut s.candidates);
        for &sid in candidates.iter().chain(self.always.iter()) {
            let hot = &self.sub_hot[sid as usize];
            if s.subrule_stamp[sid as usize] == epoch
                || !hot.alive
                || s.rule_stamp[hot.rule as usize] == epoch
            {
                continue;
            }
            s.subrule_stamp[sid as usize] = epoch;
            let hit = |c: &HotConstraint| match c {
                HotConstraint {
                    absent_ok: true, ..
                } => true,
                HotConstraint {
                    preds: 1, first, ..
                } => s.pred_stamp[*first as usize] == epoch,
                HotConstraint { cid, .. } => self.constraints[*cid as usize]
                    .preds
                    .iter()
                    .any(|p| s.pred_stamp[*p as usize] == epoch),
            };
            let all_positive_hit = if hot.n as usize <= INLINE_CONSTRAINTS {
                hot.inline[..hot.n as usize].iter().all(hit)
            } else {
                self.subrules[sid as usize].constraints.iter().all(|c| {
                    let con = &self.constraints[*c as usize];
                    con.absent_ok || con.preds.iter().any(|p| s.pred_stamp[*p as usize] == epoch)
                })
            };
            if !all_positive_hit {
                continue;
            }
            let ok = if !hot.has_absent && !s.any_array {
                true
            } else {
                if !sorted {
                    s.hits.sort_unstable();
                    s.hits.dedup();
                    let by_key = s.fields.iter().enumerate().map(|(i, f)| (f.key, i as u32));
                    s.by_key.extend(by_key);
                    s.by_key.sort_unstable();
                    sorted = true;
                }
                self.verify(&self.subrules[sid as usize].constraints, 0, &[], s)
            };
            if ok {
                s.rule_stamp[hot.rule as usize] = epoch;
                s.matched.push(hot.rule);
            }
        }
        s.candidates = candidates;
    }

    /// Depth-first search for array-consistent choices, constraints in path order.
    fn verify(&self, cids: &[u32], i: usize, mem: &[(u32, u32)], s: &Scratch) -> bool {
        let Some(&cid) = cids.get(i) else { return true };
        let con = &self.constraints[cid as usize];
        if con.absent_ok {
            let lo = s.by_key.partition_point(|(k, _)| *k < con.key);
            let present = s.by_key[lo..]
                .iter()
                .take_while(|(k, _)| *k == con.key)
                .any(|(_, fi)| consistent(mem, s.membership(*fi)));
            if !present && self.verify(cids, i + 1, mem, s) {
                return true;
            }
        }
        for &p in &con.preds {
            let lo = s.hits.partition_point(|(q, _)| *q < p);
            for &(q, fi) in &s.hits[lo..] {
                if q != p {
                    break;
                }
                let fm = s.membership(fi);
                if consistent(mem, fm) {
                    let next = if fm.is_empty() {
                        mem.to_vec()
                    } else {
                        merge(mem, fm)
                    };
                    if self.verify(cids, i + 1, &next, s) {
                        return true;
                    }
                }
            }
        }
        false
    }
}
