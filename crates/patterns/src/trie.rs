//! The path trie: every field path some rule names, split at dots, so an event is walked key by key
//! without building or hashing dotted path strings, and subtrees no rule names are skipped whole.
//!
//! The trie answers exactly what a map from dotted path strings would: appending event key `k` to path
//! `p` gives `k` when `p` is empty and `p.k` otherwise, and that string is looked up segment by segment
//! (so an event key containing dots is indistinguishable from nesting).
//!
//! A segment is compared by its [`tag`] (first eight bytes, zero-padded) and length first, so most
//! lookups touch no key bytes: a node's children are a short array of tags searched linearly, or, past
//! [`LINEAR_CHILDREN`], an open-addressed table hashed from the tag, the last eight bytes and the length.
//! The raw-bytes walker gets each key's tag for free from the word it scanned the key with.

use crate::table::short_word;

/// Node id; [`ROOT`] is the start of every event (the empty path before any key).
pub(crate) type NodeId = u32;

/// The start state of a walk.
pub(crate) const ROOT: NodeId = 0;

/// Children are searched linearly up to this many, through a hash table beyond.
const LINEAR_CHILDREN: usize = 8;

/// No field key at a node.
const NO_KEY: u32 = u32::MAX;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The first eight bytes of a segment, zero-padded: with the length, equality of segments of up to eight
/// bytes without a byte comparison. Built from at most two overlapping loads (no copy call, no byte loop).
#[inline]
pub(crate) fn tag(seg: &[u8]) -> u64 {
    match seg.first_chunk::<8>() {
        Some(head) => u64::from_le_bytes(*head),
        None => short_word(seg),
    }
}

/// Whether any of the first `len` (≤ 8) bytes of the little-endian word `w` is a dot.
#[inline]
fn word_has_dot(w: u64, len: usize) -> bool {
    let x = w ^ (ONES * u64::from(b'.'));
    let zero = x.wrapping_sub(ONES) & !x & HIGHS;
    // Only the lowest marked byte is exact; it is enough to know whether a dot comes within `len`.
    zero != 0 && (zero.trailing_zeros() / 8) < len as u32
}

/// Whether `key` (with tag `t`) contains a dot.
#[inline]
fn has_dot(key: &[u8], t: u64) -> bool {
    if word_has_dot(t, key.len().min(8)) {
        return true;
    }
    key.get(8..).is_some_and(|rest| rest.contains(&b'.'))
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

/// Table hash of a segment: its tag, its last eight bytes (segments sharing a long head differ there)
/// and its length.
#[inline]
fn seg_hash(seg: &[u8], t: u64) -> u64 {
    let last = seg.last_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
    let h = (t ^ (seg.len() as u64).rotate_right(8)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h.rotate_left(26) ^ last).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// One child edge.
#[derive(Debug)]
struct Child {
    len: usize,
    id: NodeId,
    seg: Box<[u8]>,
}

#[derive(Debug)]
struct Node {
    /// Field key of the path ending here ([`NO_KEY`] when no rule names it).
    key: u32,
    /// Tags of the children, parallel to `children` (searched linearly while few).
    tags: Vec<u64>,
    children: Vec<Child>,
    /// Open-addressed table of child index + 1 (0 = empty) once there are many children; its length is
    /// a power of two at least twice the number of children.
    table: Vec<u32>,
    /// Length of the shortest child segment (`usize::MAX` without children).
    min_len: usize,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            key: NO_KEY,
            tags: Vec::new(),
            children: Vec::new(),
            table: Vec::new(),
            min_len: usize::MAX,
        }
    }
}

impl Node {
    /// The child for segment `seg` whose tag is `t`.
    #[inline]
    fn child(&self, seg: &[u8], t: u64) -> Option<NodeId> {
        if !self.table.is_empty() {
            return self.child_in_table(seg, t);
        }
        for (i, ct) in self.tags.iter().enumerate() {
            if *ct == t {
                let c = &self.children[i];
                if c.len == seg.len() && tail_eq(&c.seg, seg) {
                    return Some(c.id);
                }
            }
        }
        None
    }

    /// [`Node::child`] through the table (kept out of line so the linear search stays small).
    #[inline(never)]
    fn child_in_table(&self, seg: &[u8], t: u64) -> Option<NodeId> {
        let mask = self.table.len() - 1;
        let mut slot = (seg_hash(seg, t) >> 32) as usize & mask;
        loop {
            let at = *self.table.get(slot)?;
            let i = (at as usize).checked_sub(1)?;
            let c = &self.children[i];
            if self.tags[i] == t && c.len == seg.len() && tail_eq(&c.seg, seg) {
                return Some(c.id);
            }
            slot = (slot + 1) & mask;
        }
    }

    fn add(&mut self, seg: &[u8], id: NodeId) {
        self.min_len = self.min_len.min(seg.len());
        self.tags.push(tag(seg));
        self.children.push(Child {
            len: seg.len(),
            id,
            seg: seg.into(),
        });
        let n = self.children.len();
        if n <= LINEAR_CHILDREN {
            return;
        }
        if self.table.len() < 2 * n {
            // (Re)built at four times the children, so it is rebuilt only when they double.
            self.table = vec![0; (4 * n).next_power_of_two()];
            for i in 0..n {
                self.place(i);
            }
        } else {
            self.place(n - 1);
        }
    }

    /// Puts child `i` into the table.
    fn place(&mut self, i: usize) {
        let mask = self.table.len() - 1;
        let mut slot = (seg_hash(&self.children[i].seg, self.tags[i]) >> 32) as usize & mask;
        while self.table[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.table[slot] = i as u32 + 1;
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
            n = self.nodes[n as usize].child(seg, tag(seg))?;
        }
        self.key(n)
    }

    /// Registers dotted `path` with field key `key` (the path must not be registered yet).
    pub fn insert(&mut self, path: &str, key: u32) {
        let mut n = ROOT;
        for seg in path.as_bytes().split(|b| *b == b'.') {
            n = match self.nodes[n as usize].child(seg, tag(seg)) {
                Some(c) => c,
                None => self.add_child(n, seg),
            };
        }
        self.nodes[n as usize].key = key;
    }

    fn add_child(&mut self, parent: NodeId, seg: &[u8]) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        if parent == ROOT && seg.is_empty() {
            self.empty = Some(id);
        }
        self.nodes[parent as usize].add(seg, id);
        id
    }

    /// The path reached by appending event key `key` (whose [`tag`] is `t`) at `node`, or `None` when no
    /// rule names that path or any path below it.
    #[inline]
    pub fn step(&self, node: NodeId, key: &[u8], t: u64) -> Option<NodeId> {
        // Appending to the empty path (the start, or an empty top-level key) yields the key alone.
        let n = if node == ROOT || Some(node) == self.empty {
            ROOT
        } else {
            node
        };
        let at = &self.nodes[n as usize];
        // A whole-key hit cannot hide a dot: segments never contain one.
        if let Some(c) = at.child(key, t) {
            return Some(c);
        }
        // A dotted key needs a child shorter than the key and a dot; most keys are dismissed here.
        if key.len() <= at.min_len || !has_dot(key, t) {
            return None;
        }
        self.step_dotted(n, key)
    }

    /// [`PathTrie::step`] for a key holding dots: its segments are followed one by one (each may also
    /// be the start of a longer dotted child, so whole remainders are tried first).
    #[cold]
    fn step_dotted(&self, mut n: NodeId, mut key: &[u8]) -> Option<NodeId> {
        loop {
            let at = &self.nodes[n as usize];
            let dot = key.iter().position(|b| *b == b'.')?;
            let head = &key[..dot];
            n = at.child(head, tag(head))?;
            key = &key[dot + 1..];
            let at = &self.nodes[n as usize];
            if let Some(c) = at.child(key, tag(key)) {
                return Some(c);
            }
            if key.len() <= at.min_len {
                return None;
            }
        }
    }

    /// The field key of the path at `node`.
    #[inline]
    pub fn key(&self, node: NodeId) -> Option<u32> {
        let k = self.nodes[node as usize].key;
        (k != NO_KEY).then_some(k)
    }

    /// Whether some rule names a path below `node`.
    #[inline]
    pub fn descend(&self, node: NodeId) -> bool {
        !self.nodes[node as usize].children.is_empty()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn walk(t: &PathTrie, keys: &[&str]) -> Option<u32> {
        let mut n = ROOT;
        for k in keys {
            n = t.step(n, k.as_bytes(), tag(k.as_bytes()))?;
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
        assert!(t.step(ROOT, b"other", tag(b"other")).is_none());
        assert!(t.descend(t.step(ROOT, b"detail", tag(b"detail")).unwrap_or(ROOT)));
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
    fn many_children_switch_to_a_table() {
        let mut t = PathTrie::default();
        // Long segments sharing their first eight bytes, short ones, and ones differing only in length
        // (a trailing NUL leaves the tag unchanged).
        let segs: Vec<String> = (0..300)
            .map(|i| match i % 3 {
                0 => format!("k{i}"),
                1 => format!("aws:cloudformation:{i}"),
                _ => format!("k{}\0", i - 2),
            })
            .collect();
        for (i, s) in segs.iter().enumerate() {
            t.insert(&format!("a.{s}"), i as u32);
            // Every child inserted so far stays reachable while the table grows.
            for (j, s) in segs.iter().enumerate().take(i + 1).step_by(17) {
                assert_eq!(walk(&t, &["a", s]), Some(j as u32), "{s} after {i}");
            }
        }
        for (i, s) in segs.iter().enumerate() {
            assert_eq!(walk(&t, &["a", s]), Some(i as u32));
            assert_eq!(walk(&t, &[&format!("a.{s}")]), Some(i as u32));
        }
        assert_eq!(walk(&t, &["a", "k300"]), None);
        assert_eq!(walk(&t, &["a", "aws:cloudformation:"]), None);
        assert_eq!(walk(&t, &["a", ""]), None);
    }

    #[test]
    fn dots_are_found_within_the_key_only() {
        let keys: &[&[u8]] = &[
            b"",
            b".",
            b"a.",
            b"abcdefg.",
            b"abcdefgh",
            b"abcdefgh.",
            b"abc",
            b"a.b.c",
        ];
        for k in keys {
            assert_eq!(has_dot(k, tag(k)), k.contains(&b'.'), "{k:?}");
        }
        // Bytes past the key in the scanned word do not count.
        assert!(!word_has_dot(u64::from_le_bytes(*b"abc.defg"), 3));
        assert!(word_has_dot(u64::from_le_bytes(*b"abc.defg"), 4));
    }
}
