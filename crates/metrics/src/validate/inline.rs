//! Allocation-free containers of a validated datum: its borrowed dimensions and its entries.

use crate::model::{DimensionRef, Entry};

/// Dimensions inline up to this many.
const INLINE_DIMS: usize = 8;
/// Filler of unused inline slots.
const NO_DIM: DimensionRef<'static> = DimensionRef {
    name: "",
    value: "",
};

/// Dimensions borrowed from a request: inline up to [`INLINE_DIMS`], on the heap beyond. Derefs to a slice.
#[derive(Clone)]
pub struct DimRefs<'a> {
    len: usize,
    inline: [DimensionRef<'a>; INLINE_DIMS],
    heap: Vec<DimensionRef<'a>>,
}

impl<'a> FromIterator<DimensionRef<'a>> for DimRefs<'a> {
    fn from_iter<I: IntoIterator<Item = DimensionRef<'a>>>(iter: I) -> Self {
        let mut out = DimRefs {
            len: 0,
            inline: [NO_DIM; INLINE_DIMS],
            heap: Vec::new(),
        };
        for d in iter {
            if out.len < INLINE_DIMS {
                out.inline[out.len] = d;
            } else {
                if out.heap.is_empty() {
                    out.heap.extend_from_slice(&out.inline);
                }
                out.heap.push(d);
            }
            out.len += 1;
        }
        out
    }
}

impl<'a> std::ops::Deref for DimRefs<'a> {
    type Target = [DimensionRef<'a>];
    fn deref(&self) -> &Self::Target {
        if self.len > INLINE_DIMS {
            &self.heap
        } else {
            &self.inline[..self.len]
        }
    }
}

impl std::ops::DerefMut for DimRefs<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        if self.len > INLINE_DIMS {
            &mut self.heap
        } else {
            &mut self.inline[..self.len]
        }
    }
}

impl std::fmt::Debug for DimRefs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for DimRefs<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The entries of one datum: one inline (`Value`, `StatisticValues`) or a list (`Values`).
/// Derefs to a slice.
#[derive(Debug, Clone, PartialEq)]
pub enum Entries {
    One(Entry),
    Many(Vec<Entry>),
}

impl From<Vec<Entry>> for Entries {
    fn from(v: Vec<Entry>) -> Self {
        match v.as_slice() {
            [one] => Entries::One(*one),
            _ => Entries::Many(v),
        }
    }
}

impl std::ops::Deref for Entries {
    type Target = [Entry];
    fn deref(&self) -> &[Entry] {
        match self {
            Entries::One(e) => std::slice::from_ref(e),
            Entries::Many(v) => v,
        }
    }
}

impl<'b> IntoIterator for &'b Entries {
    type Item = &'b Entry;
    type IntoIter = std::slice::Iter<'b, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
