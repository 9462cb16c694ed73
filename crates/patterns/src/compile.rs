//! [`RuleSet`]: all rules of a bus compiled into one index (path → value → predicates → sub-rule constraints).

use std::hash::Hash;

use crate::Pattern;
use crate::index::{KeyIndex, PredId};
use crate::matcher::Matcher;
use crate::trie::PathTrie;
use openwatch_types::fxhash::FxHashMap as FxMap;

/// One distinct (path, matcher) pair shared by every constraint that uses it.
#[derive(Debug)]
pub(crate) struct Pred {
    pub key: u32,
    pub matcher: Matcher,
    /// Constraints (global ids) satisfied when this predicate matches.
    pub postings: Vec<u32>,
    /// Sub-rules whose trigger constraint contains this predicate: a hit makes them candidates.
    pub triggers: Vec<u32>,
}

#[derive(Debug)]
pub(crate) struct CConstraint {
    pub key: u32,
    pub absent_ok: bool,
    pub preds: Vec<PredId>,
}

#[derive(Debug)]
pub(crate) struct CSubRule {
    /// Constraint ids in evaluation (path) order (rule, liveness and flags are in [`SubHot`]).
    pub constraints: Vec<u32>,
}

/// Constraints kept inline in [`SubHot`].
pub(crate) const INLINE_CONSTRAINTS: usize = 2;

/// A constraint as a candidate check sees it first.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HotConstraint {
    pub absent_ok: bool,
    /// Number of predicates (the first is `first`).
    pub preds: u32,
    pub first: PredId,
    /// Global constraint id.
    pub cid: u32,
}

/// The part of a sub-rule read for every candidate, in one small record: whether it can still match,
/// and its first constraints inline, so most candidates are decided without following pointers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SubHot {
    pub rule: u32,
    pub alive: bool,
    pub has_absent: bool,
    /// Number of constraints; the first [`INLINE_CONSTRAINTS`] are in `inline`.
    pub n: u32,
    pub inline: [HotConstraint; INLINE_CONSTRAINTS],
}

/// How unselective a matcher is: 0 hits few values, 2 hits most.
fn looseness(m: &Matcher) -> u8 {
    match m {
        Matcher::Exact(_) | Matcher::EqualsIgnoreCase(_) => 0,
        Matcher::Exists
        | Matcher::AnythingBut(_)
        | Matcher::AnythingButPrefix(_)
        | Matcher::AnythingButSuffix(_)
        | Matcher::AnythingButIgnoreCase(_)
        | Matcher::AnythingButWildcard(_) => 2,
        _ => 1,
    }
}

/// Rules compiled for matching. Matching one event costs a path-trie step per event key (subtrees no rule
/// names are skipped), hash probes per kept value (one per distinct affix length, O(log n) for numeric
/// ranges), and work proportional to the rules that (partly) match — not to the number of rules.
///
/// `R` is the caller's rule identifier. Adding an existing id replaces its pattern.
#[derive(Debug)]
pub struct RuleSet<R> {
    /// Every path some rule names (keys are never reused, so ids stay valid).
    pub(crate) trie: PathTrie,
    pub(crate) keys: Vec<KeyIndex>,
    pub(crate) key_preds: Vec<Vec<PredId>>,
    pub(crate) preds: Vec<Pred>,
    /// Per predicate, `(number of triggers, first trigger)`: most predicates trigger one sub-rule, which
    /// is then found without reaching into [`Pred`] (keeps the per-hit memory touched small).
    pub(crate) trigger_hot: Vec<(u32, u32)>,
    /// Per sub-rule, what deciding a candidate reads first (parallel to `subrules`).
    pub(crate) sub_hot: Vec<SubHot>,
    pred_ids: FxMap<(u32, String), PredId>,
    pub(crate) constraints: Vec<CConstraint>,
    pub(crate) subrules: Vec<CSubRule>,
    /// Sub-rules with no positive constraint: checked for every event.
    pub(crate) always: Vec<u32>,
    pub(crate) rule_ids: Vec<Option<R>>,
    rule_slots: FxMap<R, (u32, Vec<u32>)>,
}

impl<R: Clone + Eq + Hash> Default for RuleSet<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Clone + Eq + Hash> RuleSet<R> {
    /// An empty rule set.
    pub fn new() -> Self {
        RuleSet {
            trie: PathTrie::default(),
            keys: Vec::new(),
            key_preds: Vec::new(),
            preds: Vec::new(),
            trigger_hot: Vec::new(),
            sub_hot: Vec::new(),
            pred_ids: FxMap::default(),
            constraints: Vec::new(),
            subrules: Vec::new(),
            always: Vec::new(),
            rule_ids: Vec::new(),
            rule_slots: FxMap::default(),
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rule_slots.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rule_slots.is_empty()
    }

    fn key_for(&mut self, path: &str) -> u32 {
        if let Some(k) = self.trie.get(path) {
            return k;
        }
        let k = self.keys.len() as u32;
        self.keys.push(KeyIndex::default());
        self.key_preds.push(Vec::new());
        self.trie.insert(path, k);
        k
    }

    /// Adds (or replaces) rule `id`.
    pub fn add(&mut self, id: R, pattern: &Pattern) {
        self.remove(&id);
        let slot = self.rule_ids.len() as u32;
        self.rule_ids.push(Some(id.clone()));
        let mut dirty = Vec::new();
        let mut subrule_ids = Vec::with_capacity(pattern.sub_rules().len());
        for sub in pattern.sub_rules() {
            let sid = self.subrules.len() as u32;
            let mut cids = Vec::with_capacity(sub.constraints.len());
            let mut positive = 0u16;
            let mut has_absent = false;
            for c in &sub.constraints {
                let key = self.key_for(&c.path);
                let cid = self.constraints.len() as u32;
                let mut preds = Vec::with_capacity(c.matchers.len());
                for m in &c.matchers {
                    let sig = (key, format!("{m:?}"));
                    let p = match self.pred_ids.get(&sig) {
                        Some(p) => *p,
                        None => {
                            let p = self.preds.len() as PredId;
                            self.preds.push(Pred {
                                key,
                                matcher: m.clone(),
                                postings: Vec::new(),
                                triggers: Vec::new(),
                            });
                            self.trigger_hot.push((0, 0));
                            self.pred_ids.insert(sig, p);
                            self.key_preds[key as usize].push(p);
                            dirty.push(key);
                            p
                        }
                    };
                    if !preds.contains(&p) {
                        self.preds[p as usize].postings.push(cid);
                        preds.push(p);
                    }
                }
                if c.absent_ok {
                    has_absent = true;
                } else {
                    positive = positive.saturating_add(1);
                }
                self.constraints.push(CConstraint {
                    key,
                    absent_ok: c.absent_ok,
                    preds,
                });
                cids.push(cid);
            }
            // Trigger: the most selective positive constraint (loosest matcher decides, then fewest sharers).
            let trigger = cids
                .iter()
                .copied()
                .filter(|c| !self.constraints[*c as usize].absent_ok)
                .min_by_key(|c| {
                    let preds = &self.constraints[*c as usize].preds;
                    let loose = preds
                        .iter()
                        .map(|p| looseness(&self.preds[*p as usize].matcher))
                        .max();
                    let shared = preds
                        .iter()
                        .map(|p| self.preds[*p as usize].postings.len())
                        .max();
                    (loose, shared)
                });
            match trigger {
                Some(c) => {
                    for p in self.constraints[c as usize].preds.clone() {
                        self.preds[p as usize].triggers.push(sid);
                        self.refresh_trigger_hot(p);
                    }
                }
                None => self.always.push(sid),
            }
            debug_assert_eq!(trigger.is_none(), positive == 0);
            let mut hot = SubHot {
                rule: slot,
                alive: true,
                has_absent,
                n: cids.len() as u32,
                inline: [HotConstraint::default(); INLINE_CONSTRAINTS],
            };
            for (h, cid) in hot.inline.iter_mut().zip(&cids) {
                let con = &self.constraints[*cid as usize];
                *h = HotConstraint {
                    absent_ok: con.absent_ok,
                    preds: con.preds.len() as u32,
                    first: con.preds.first().copied().unwrap_or(0),
                    cid: *cid,
                };
            }
            self.sub_hot.push(hot);
            self.subrules.push(CSubRule { constraints: cids });
            subrule_ids.push(sid);
        }
        self.rule_slots.insert(id, (slot, subrule_ids));
        self.rebuild(dirty);
    }

    /// Removes rule `id`; returns whether it was present.
    pub fn remove(&mut self, id: &R) -> bool {
        let Some((slot, subs)) = self.rule_slots.remove(id) else {
            return false;
        };
        self.rule_ids[slot as usize] = None;
        let mut dirty = Vec::new();
        for sid in subs {
            self.sub_hot[sid as usize].alive = false;
            let sub = &mut self.subrules[sid as usize];
            let cids = std::mem::take(&mut sub.constraints);
            for cid in cids {
                let preds = std::mem::take(&mut self.constraints[cid as usize].preds);
                for p in preds {
                    let pred = &mut self.preds[p as usize];
                    pred.postings.retain(|c| *c != cid);
                    pred.triggers.retain(|t| *t != sid);
                    self.refresh_trigger_hot(p);
                    let pred = &mut self.preds[p as usize];
                    if pred.postings.is_empty() {
                        let key = pred.key;
                        self.pred_ids.remove(&(key, format!("{:?}", pred.matcher)));
                        self.key_preds[key as usize].retain(|q| *q != p);
                        dirty.push(key);
                    }
                }
            }
            self.always.retain(|s| *s != sid);
        }
        self.rebuild(dirty);
        true
    }

    fn refresh_trigger_hot(&mut self, p: PredId) {
        let t = &self.preds[p as usize].triggers;
        self.trigger_hot[p as usize] = (t.len() as u32, t.first().copied().unwrap_or(0));
    }

    fn rebuild(&mut self, mut keys: Vec<u32>) {
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let preds = &self.preds;
            self.keys[k as usize] = KeyIndex::build(
                self.key_preds[k as usize]
                    .iter()
                    .map(|p| (*p, &preds[*p as usize].matcher)),
            );
        }
    }
}
