//! Flattening an event into (dotted path, leaf value, array membership) fields, as event-ruler does.

use std::borrow::Cow;

use serde_json::Value;

use crate::MAX_EVENT_DEPTH;
use crate::matcher::Leaf;
use crate::numeric::Num;

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

/// What a path means to the consumer of the flattening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathInfo {
    /// Field key to emit for leaves at exactly this path.
    pub key: Option<u32>,
    /// Whether longer paths below this one can matter.
    pub descend: bool,
}

/// Decides which paths are kept.
pub(crate) trait PathFilter {
    fn lookup(&self, path: &str) -> PathInfo;
}

/// One flattened field.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    pub key: u32,
    pub leaf: Leaf<'a>,
    /// Range in [`Flat::arena`].
    pub mem: (u32, u32),
}

/// A flattened event.
#[derive(Debug, Default)]
pub(crate) struct Flat<'a> {
    pub fields: Vec<Field<'a>>,
    pub arena: Vec<(u32, u32)>,
    /// Whether any kept field sits inside an array.
    pub any_array: bool,
}

impl<'a> Flat<'a> {
    pub fn membership(&self, f: &Field<'_>) -> &Membership {
        &self.arena[f.mem.0 as usize..f.mem.1 as usize]
    }
}

/// Shared state while walking an event.
pub(crate) struct Walker<'f, F: PathFilter> {
    pub filter: &'f F,
    pub path: String,
    pub stack: Vec<(u32, u32)>,
    pub next_array: u32,
}

impl<'f, F: PathFilter> Walker<'f, F> {
    pub fn new(filter: &'f F) -> Self {
        Walker {
            filter,
            path: String::new(),
            stack: Vec::new(),
            next_array: 0,
        }
    }

    pub fn emit<'a>(&self, out: &mut Flat<'a>, key: u32, leaf: Leaf<'a>) {
        let start = out.arena.len() as u32;
        out.arena.extend_from_slice(&self.stack);
        if !self.stack.is_empty() {
            out.any_array = true;
        }
        out.fields.push(Field {
            key,
            leaf,
            mem: (start, out.arena.len() as u32),
        });
    }
}

/// Flattens `event` (must be an object) keeping only paths the filter wants. Returns false if too deep.
pub(crate) fn flatten_value<'a, F: PathFilter>(
    event: &'a Value,
    filter: &F,
    out: &mut Flat<'a>,
) -> bool {
    let Value::Object(obj) = event else {
        return true;
    };
    let mut w = Walker::new(filter);
    walk_object(obj, &mut w, out, 0)
}

fn walk_object<'a, F: PathFilter>(
    obj: &'a serde_json::Map<String, Value>,
    w: &mut Walker<'_, F>,
    out: &mut Flat<'a>,
    depth: usize,
) -> bool {
    if depth > MAX_EVENT_DEPTH {
        return false;
    }
    for (k, v) in obj {
        let len = w.path.len();
        if len > 0 {
            w.path.push('.');
        }
        w.path.push_str(k);
        let info = w.filter.lookup(&w.path);
        let ok = if info.key.is_some() || info.descend {
            walk_value(v, info, w, out, depth + 1)
        } else {
            true
        };
        w.path.truncate(len);
        if !ok {
            return false;
        }
    }
    true
}

fn walk_value<'a, F: PathFilter>(
    v: &'a Value,
    info: PathInfo,
    w: &mut Walker<'_, F>,
    out: &mut Flat<'a>,
    depth: usize,
) -> bool {
    if depth > MAX_EVENT_DEPTH {
        return false;
    }
    let leaf = match v {
        Value::Object(o) => return !info.descend || walk_object(o, w, out, depth),
        Value::Array(items) => {
            let id = w.next_array;
            w.next_array += 1;
            for (i, item) in items.iter().enumerate() {
                w.stack.push((id, i as u32));
                let ok = walk_value(item, info, w, out, depth + 1);
                w.stack.pop();
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
    if let Some(key) = info.key {
        w.emit(out, key, leaf);
    }
    true
}
