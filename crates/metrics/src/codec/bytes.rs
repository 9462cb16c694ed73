//! Little-endian byte writer and bounds-checked reader with LEB128 varints.

use crate::error::MetricsError;

/// Appends encoded values to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn with_capacity(n: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }

    /// A writer appending to `buf` after clearing it (reuses its allocation).
    pub fn reuse(mut buf: Vec<u8>, n: usize) -> Self {
        buf.clear();
        buf.reserve(n);
        Writer { buf }
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    pub fn uvarint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// Zigzag-encoded signed varint.
    pub fn ivarint(&mut self, v: i64) {
        self.uvarint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.uvarint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
}

/// Reads what [`Writer`] wrote; every read is bounds-checked.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn short() -> MetricsError {
    MetricsError::corrupt("encoded data", "unexpected end of input")
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], MetricsError> {
        let end = self.pos.checked_add(n).ok_or_else(short)?;
        let s = self.buf.get(self.pos..end).ok_or_else(short)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], MetricsError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, MetricsError> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u32(&mut self) -> Result<u32, MetricsError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, MetricsError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn i64(&mut self) -> Result<i64, MetricsError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub fn f64(&mut self) -> Result<f64, MetricsError> {
        Ok(f64::from_bits(u64::from_le_bytes(self.array()?)))
    }

    pub fn uvarint(&mut self) -> Result<u64, MetricsError> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                return Err(MetricsError::corrupt("varint", "overflows 64 bits"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(MetricsError::corrupt("varint", "too long"))
    }

    pub fn ivarint(&mut self) -> Result<i64, MetricsError> {
        let u = self.uvarint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A length that must fit in what is left (guards allocations against corrupt input).
    pub fn len_prefix(&mut self, elem_bytes: usize) -> Result<usize, MetricsError> {
        let n = usize::try_from(self.uvarint()?).map_err(|_| short())?;
        if n.saturating_mul(elem_bytes.max(1)) > self.remaining() {
            return Err(short());
        }
        Ok(n)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], MetricsError> {
        let n = self.len_prefix(1)?;
        self.take(n)
    }

    pub fn str(&mut self) -> Result<String, MetricsError> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| MetricsError::corrupt("string", "not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varints_round_trip(u in any::<u64>(), i in any::<i64>(), s in ".*") {
            let mut w = Writer::default();
            w.uvarint(u);
            w.ivarint(i);
            w.str(&s);
            let b = w.into_inner();
            let mut r = Reader::new(&b);
            prop_assert_eq!(r.uvarint().ok(), Some(u));
            prop_assert_eq!(r.ivarint().ok(), Some(i));
            prop_assert_eq!(r.str().ok(), Some(s));
            prop_assert!(r.is_done());
        }
    }
}
