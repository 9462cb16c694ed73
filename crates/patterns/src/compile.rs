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
    pub rule: u32,
    /// Constraint ids in evaluation (path) order.
    pub constraints: Vec<u32>,
    pub has_absent: bool,
    pub alive: bool,
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
                    }
                }
                None => self.always.push(sid),
            }
            debug_assert_eq!(trigger.is_none(), positive == 0);
            self.subrules.push(CSubRule {
                rule: slot,
                constraints: cids,
                has_absent,
                alive: true,
            });
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
            let sub = &mut self.subrules[sid as usize];
            sub.alive = false;
            let cids = std::mem::take(&mut sub.constraints);
            for cid in cids {
                let preds = std::mem::take(&mut self.constraints[cid as usize].preds);
                for p in preds {
                    let pred = &mut self.preds[p as usize];
                    pred.postings.retain(|c| *c != cid);
                    pred.triggers.retain(|t| *t != sid);
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
