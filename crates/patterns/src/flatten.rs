//! Flattening an event into (path, leaf value, array membership) fields, as event-ruler does, walking
//! only the paths the [`PathTrie`] holds.

use std::borrow::Cow;

use serde_json::Value;

use crate::MAX_EVENT_DEPTH;
use crate::matcher::Leaf;
use crate::numeric::Num;
use crate::trie::{NodeId, PathTrie, ROOT, tag};

/// Array membership of a field: `(array id, element index)` for each enclosing array, outermost first.
/// Ids increase with nesting, so two memberships can be merged like sorted lists.
pub(crate) type Membership = [(u32, u32)];

/// Whether two memberships agree on every array they share.
pub(crate) fn consistent(a: &Membership, b: &Membership) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ai, bi) = (a[i], b[j]);
        if ai.0 == bi.0 {
            if ai.1 != bi.1 {
                return false;
            }
            i += 1;
            j += 1;
        } else if ai.0 < bi.0 {
            i += 1;
        } else {
            j += 1;
        }
    }
    true
}

/// Union of two consistent memberships, sorted by array id.
pub(crate) fn merge(a: &Membership, b: &Membership) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = a.iter().chain(b.iter()).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Receives the kept leaves of an event, in document order, with their array membership.
pub(crate) trait Sink {
    /// A scalar at a path some rule names (`key` is that path's field key).
    fn leaf(&mut self, key: u32, leaf: &Leaf<'_>, membership: &Membership);
}

/// Walk state shared by the `Value` and raw-bytes walkers: the path trie, the sink, and the stack of
/// enclosing arrays (reused between events by the caller).
pub(crate) struct Walker<'t, 's, S: Sink> {
    pub trie: &'t PathTrie,
    pub sink: &'s mut S,
    pub stack: Vec<(u32, u32)>,
    pub next_array: u32,
}

impl<'t, 's, S: Sink> Walker<'t, 's, S> {
    pub fn new(trie: &'t PathTrie, sink: &'s mut S, mut stack: Vec<(u32, u32)>) -> Self {
        stack.clear();
        Walker {
            trie,
            sink,
            stack,
            next_array: 0,
        }
    }

    /// Hands a scalar at `node` to the sink if a rule names exactly that path.
    #[inline]
    pub fn emit(&mut self, node: NodeId, leaf: &Leaf<'_>) {
        if let Some(key) = self.trie.key(node) {
            self.sink.leaf(key, leaf, &self.stack);
        }
    }

    /// Walks `event` (non-objects have no fields). Returns false if it nests deeper than
    /// [`MAX_EVENT_DEPTH`].
    pub fn walk_value(&mut self, event: &Value) -> bool {
        match event {
            Value::Object(obj) => self.object(obj, ROOT, 0),
            _ => true,
        }
    }

    fn object(&mut self, obj: &serde_json::Map<String, Value>, node: NodeId, depth: usize) -> bool {
        if depth > MAX_EVENT_DEPTH {
            return false;
        }
        for (k, v) in obj {
            let k = k.as_bytes();
            if let Some(child) = self.trie.step(node, k, tag(k))
                && !self.value(v, child, depth + 1)
            {
                return false;
            }
        }
        true
    }

    fn value(&mut self, v: &Value, node: NodeId, depth: usize) -> bool {
        if depth > MAX_EVENT_DEPTH {
            return false;
        }
        let leaf = match v {
            Value::Object(o) => return !self.trie.descend(node) || self.object(o, node, depth),
            Value::Array(items) => {
                let id = self.next_array;
                self.next_array += 1;
                for (i, item) in items.iter().enumerate() {
                    self.stack.push((id, i as u32));
                    let ok = self.value(item, node, depth + 1);
                    self.stack.pop();
                    if !ok {
                        return false;
                    }
                }
                return true;
            }
            Value::String(s) => Leaf::Str(Cow::Borrowed(s.as_str())),
            Value::Number(n) => match Num::from_json(n) {
                Some(num) => Leaf::Num(num),
                None => return true,
            },
            Value::Bool(b) => Leaf::Bool(*b),
            Value::Null => Leaf::Null,
        };
        self.emit(node, &leaf);
        true
    }
}
