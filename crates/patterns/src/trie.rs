//! The path trie: every field path some rule names, split at dots, so an event is walked key by key
//! without building or hashing dotted path strings, and subtrees no rule names are skipped whole.
//!
//! The trie answers exactly what a map from dotted path strings would: appending event key `k` to path
//! `p` gives `k` when `p` is empty and `p.k` otherwise, and that string is looked up segment by segment
//! (so an event key containing dots is indistinguishable from nesting).

use openwatch_types::fxhash::FxHashMap as FxMap;

/// Node id; [`ROOT`] is the start of every event (the empty path before any key).
pub(crate) type NodeId = u32;

/// The start state of a walk.
pub(crate) const ROOT: NodeId = 0;

/// Children are kept in a short list up to this many, in a hash map beyond.
const LINEAR_CHILDREN: usize = 8;

/// The first eight bytes of a segment, zero-padded: with the length, equality of segments of up to eight
/// bytes without a byte comparison call.
#[inline]
fn tag(seg: &[u8]) -> u64 {
    if let Some(head) = seg.first_chunk::<8>() {
        return u64::from_le_bytes(*head);
    }
    // Shorter than eight bytes: assembled byte by byte (a variable-length copy would call memcpy).
    let mut t = 0u64;
    for (i, &b) in seg.iter().enumerate() {
        t |= u64::from(b) << (8 * i);
    }
    t
}

/// Whether two segments of equal length with equal [`tag`]s agree past their first eight bytes (a plain
/// loop: event keys are short, and a comparison call costs more than it saves).
#[inline]
fn tail_eq(a: &[u8], b: &[u8]) -> bool {
    match (a.get(8..), b.get(8..)) {
        (Some(x), Some(y)) => x.iter().zip(y).all(|(p, q)| p == q),
        _ => true,
    }
}

#[derive(Debug)]
struct Node {
    /// Field key of the path ending here, when some rule names it.
    key: Option<u32>,
    /// Children by segment (searched linearly while few), with each segment's [`tag`].
    list: Vec<(u64, Box<[u8]>, NodeId)>,
    /// Children by segment once the list is long.
    map: Option<FxMap<Box<[u8]>, NodeId>>,
    /// Length of the shortest child segment (`usize::MAX` without children).
    min_len: usize,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            key: None,
            list: Vec::new(),
            map: None,
            min_len: usize::MAX,
        }
    }
}

impl Node {
    #[inline]
    fn child(&self, seg: &[u8]) -> Option<NodeId> {
        if let Some(map) = &self.map {
            return map.get(seg).copied();
        }
        let t = tag(seg);
        self.list
            .iter()
            .find(|(ct, s, _)| *ct == t && s.len() == seg.len() && tail_eq(s, seg))
            .map(|(_, _, n)| *n)
    }

    fn has_children(&self) -> bool {
        !self.list.is_empty()
    }
}

/// Paths named by rules. Nodes are never removed (a path key stays valid for the life of the set).
#[derive(Debug)]
pub(crate) struct PathTrie {
    nodes: Vec<Node>,
    /// The node of the path `""` (an empty top-level key), if any rule names a path through it.
    empty: Option<NodeId>,
}

impl Default for PathTrie {
    fn default() -> Self {
        PathTrie {
            nodes: vec![Node::default()],
            empty: None,
        }
    }
}

impl PathTrie {
    /// The key of dotted `path`, if registered.
    pub fn get(&self, path: &str) -> Option<u32> {
        let mut n = ROOT;
        for seg in path.as_bytes().split(|b| *b == b'.') {
            n = self.nodes[n as usize].child(seg)?;
        }
        self.nodes[n as usize].key
    }

    /// Registers dotted `path` with field key `key` (the path must not be registered yet).
    pub fn insert(&mut self, path: &str, key: u32) {
        let mut n = ROOT;
        for seg in path.as_bytes().split(|b| *b == b'.') {
            n = match self.nodes[n as usize].child(seg) {
                Some(c) => c,
                None => self.add_child(n, seg),
            };
        }
        self.nodes[n as usize].key = Some(key);
    }

    fn add_child(&mut self, parent: NodeId, seg: &[u8]) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        if parent == ROOT && seg.is_empty() {
            self.empty = Some(id);
        }
        let p = &mut self.nodes[parent as usize];
        p.min_len = p.min_len.min(seg.len());
        p.list.push((tag(seg), seg.into(), id));
        if let Some(map) = &mut p.map {
            map.insert(seg.into(), id);
        } else if p.list.len() > LINEAR_CHILDREN {
            p.map = Some(p.list.iter().map(|(_, s, c)| (s.clone(), *c)).collect());
        }
        id
    }

    /// The path reached by appending event key `key` at `node`, or `None` when no rule names that path
    /// or any path below it.
    #[inline]
    pub fn step(&self, node: NodeId, key: &[u8]) -> Option<NodeId> {
        // Appending to the empty path (the start, or an empty top-level key) yields the key alone.
        let mut n = if node == ROOT || Some(node) == self.empty {
            ROOT
        } else {
            node
        };
        let mut key = key;
        loop {
            let at = &self.nodes[n as usize];
            // A whole-key hit cannot hide a dot: segments never contain one.
            if let Some(c) = at.child(key) {
                return Some(c);
            }
            // A dotted key needs a child shorter than the key; most keys are skipped here.
            if key.len() <= at.min_len {
                return None;
            }
            let dot = key.iter().position(|b| *b == b'.')?;
            n = at.child(&key[..dot])?;
            key = &key[dot + 1..];
        }
    }

    /// The field key of the path at `node`.
    #[inline]
    pub fn key(&self, node: NodeId) -> Option<u32> {
        self.nodes[node as usize].key
    }

    /// Whether some rule names a path below `node`.
    #[inline]
    pub fn descend(&self, node: NodeId) -> bool {
        self.nodes[node as usize].has_children()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(t: &PathTrie, keys: &[&str]) -> Option<u32> {
        let mut n = ROOT;
        for k in keys {
            n = t.step(n, k.as_bytes())?;
        }
        t.key(n)
    }

    #[test]
    fn keys_and_dotted_keys_reach_the_same_path() {
        let mut t = PathTrie::default();
        t.insert("detail.state", 0);
        t.insert("source", 1);
        t.insert(".x", 2);
        assert_eq!(walk(&t, &["detail", "state"]), Some(0));
        assert_eq!(walk(&t, &["detail.state"]), Some(0));
        assert_eq!(walk(&t, &["source"]), Some(1));
        assert_eq!(walk(&t, &["detail"]), None);
        assert!(t.step(ROOT, b"other").is_none());
        assert!(t.descend(t.step(ROOT, b"detail").unwrap_or(ROOT)));
        // Appending to the empty path gives the key alone, as string concatenation does.
        assert_eq!(walk(&t, &["", "source"]), Some(1));
        assert_eq!(walk(&t, &[".x"]), Some(2));
        assert_eq!(walk(&t, &["", "x"]), None);
        assert_eq!(t.get("detail.state"), Some(0));
        assert_eq!(t.get("detail"), None);
    }

    #[test]
    fn tags_are_the_zero_padded_head_and_tails_compare_exactly() {
        let text = b"abcdefghijklmnop";
        for n in 0..=text.len() {
            let seg = &text[..n];
            let mut padded = [0u8; 8];
            padded[..n.min(8)].copy_from_slice(&seg[..n.min(8)]);
            assert_eq!(tag(seg), u64::from_le_bytes(padded), "length {n}");
            let mut other = seg.to_vec();
            assert!(tail_eq(seg, &other));
            if let Some(last) = other.last_mut() {
                *last ^= 1;
                assert_eq!(tail_eq(seg, &other), n <= 8, "length {n}");
            }
        }
        // Long segments sharing their first eight bytes are told apart.
        let mut t = PathTrie::default();
        t.insert("detail-type", 0);
        t.insert("detail-typo", 1);
        assert_eq!(t.get("detail-type"), Some(0));
        assert_eq!(t.get("detail-typo"), Some(1));
        assert_eq!(t.get("detail-typx"), None);
    }

    #[test]
    fn many_children_switch_to_a_map() {
        let mut t = PathTrie::default();
        for i in 0..40 {
            t.insert(&format!("a.k{i}"), i);
        }
        for i in 0..40 {
            assert_eq!(walk(&t, &["a", &format!("k{i}")]), Some(i));
        }
        assert_eq!(walk(&t, &["a", "k40"]), None);
    }
}
