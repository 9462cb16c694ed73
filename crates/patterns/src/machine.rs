//! Matching one flattened event against a [`RuleSet`]: predicate hits → trigger candidates → all-constraints check →
//! array-consistency / `exists: false` verification for the few candidates that need it.

use std::cell::RefCell;
use std::hash::Hash;

use serde_json::Value;

use crate::compile::RuleSet;
use crate::error::EventError;
use crate::flatten::{Flat, consistent, flatten_value, merge};
use crate::index::PredId;

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
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
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
        let mut flat = Flat::default();
        if !flatten_value(event, self, &mut flat) {
            return;
        }
        self.emit(&flat, &mut f);
    }

    /// Ids of the rules matching the event given as raw JSON bytes (must be an object).
    pub fn matches_bytes(&self, bytes: &[u8]) -> Result<Vec<R>, EventError> {
        let mut out = Vec::new();
        let flat = crate::raw::flatten_bytes(bytes, self)?;
        self.emit(&flat, &mut |r: &R| out.push(r.clone()));
        Ok(out)
    }

    fn emit(&self, flat: &Flat<'_>, f: &mut impl FnMut(&R)) {
        let matched = SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let s = &mut *guard;
            self.run(flat, s);
            std::mem::take(&mut s.matched)
        });
        for slot in &matched {
            if let Some(Some(r)) = self.rule_ids.get(*slot as usize) {
                f(r);
            }
        }
        SCRATCH.with(|cell| cell.borrow_mut().matched = matched);
    }

    fn run(&self, flat: &Flat<'_>, s: &mut Scratch) {
        s.begin(self.preds.len(), self.subrules.len(), self.rule_ids.len());
        let epoch = s.epoch;
        for (fi, field) in flat.fields.iter().enumerate() {
            let Some(index) = self.keys.get(field.key as usize) else {
                continue;
            };
            s.preds.clear();
            index.collect(
                &field.leaf,
                |p| &self.preds[p as usize].matcher,
                &mut s.preds,
            );
            for &p in &s.preds {
                s.hits.push((p, fi as u32));
                if s.pred_stamp[p as usize] != epoch {
                    s.pred_stamp[p as usize] = epoch;
                    s.candidates
                        .extend_from_slice(&self.preds[p as usize].triggers);
                }
            }
        }
        let mut sorted = false;
        let candidates = std::mem::take(&mut s.candidates);
        for &sid in candidates.iter().chain(self.always.iter()) {
            let sub = &self.subrules[sid as usize];
            if s.subrule_stamp[sid as usize] == epoch
                || !sub.alive
                || s.rule_stamp[sub.rule as usize] == epoch
            {
                continue;
            }
            s.subrule_stamp[sid as usize] = epoch;
            let all_positive_hit = sub.constraints.iter().all(|c| {
                let con = &self.constraints[*c as usize];
                con.absent_ok || con.preds.iter().any(|p| s.pred_stamp[*p as usize] == epoch)
            });
            if !all_positive_hit {
                continue;
            }
            let ok = if !sub.has_absent && !flat.any_array {
                true
            } else {
                if !sorted {
                    s.hits.sort_unstable();
                    s.hits.dedup();
                    s.by_key.extend(
                        flat.fields
                            .iter()
                            .enumerate()
                            .map(|(i, f)| (f.key, i as u32)),
                    );
                    s.by_key.sort_unstable();
                    sorted = true;
                }
                self.verify(&sub.constraints, 0, &[], flat, s)
            };
            if ok {
                s.rule_stamp[sub.rule as usize] = epoch;
                s.matched.push(sub.rule);
            }
        }
        s.candidates = candidates;
    }

    /// Depth-first search for array-consistent choices, constraints in path order.
    fn verify(
        &self,
        cids: &[u32],
        i: usize,
        mem: &[(u32, u32)],
        flat: &Flat<'_>,
        s: &Scratch,
    ) -> bool {
        let Some(&cid) = cids.get(i) else { return true };
        let con = &self.constraints[cid as usize];
        if con.absent_ok {
            let lo = s.by_key.partition_point(|(k, _)| *k < con.key);
            let present = s.by_key[lo..]
                .iter()
                .take_while(|(k, _)| *k == con.key)
                .any(|(_, fi)| consistent(mem, flat.membership(&flat.fields[*fi as usize])));
            if !present && self.verify(cids, i + 1, mem, flat, s) {
                return true;
            }
        }
        for &p in &con.preds {
            let lo = s.hits.partition_point(|(q, _)| *q < p);
            for &(q, fi) in &s.hits[lo..] {
                if q != p {
                    break;
                }
                let fm = flat.membership(&flat.fields[fi as usize]);
                if consistent(mem, fm) {
                    let next = if fm.is_empty() {
                        mem.to_vec()
                    } else {
                        merge(mem, fm)
                    };
                    if self.verify(cids, i + 1, &next, flat, s) {
                        return true;
                    }
                }
            }
        }
        false
    }
}
