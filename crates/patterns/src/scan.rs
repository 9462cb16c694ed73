//! Byte-level scanning for the raw-bytes walker: byte classes by table, and SWAR ("SIMD within a
//! register") search for the bytes that end a plain string, eight bytes at a time.

/// [`CLASS`] bit: JSON whitespace.
pub(crate) const WS: u8 = 1;
/// [`CLASS`] bit: a byte that may appear in number text (`0-9 + - . e E`).
pub(crate) const NUM: u8 = 2;

/// Byte classes, one table load per byte instead of a chain of comparisons.
pub(crate) const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'\r' as usize] = WS;
    t[b'\t' as usize] = WS;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = NUM;
        d += 1;
    }
    t[b'-' as usize] = NUM;
    t[b'+' as usize] = NUM;
    t[b'.' as usize] = NUM;
    t[b'e' as usize] = NUM;
    t[b'E' as usize] = NUM;
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Marks (high bit of the byte) the bytes of `w` that are `"`, `\\`, control characters or non-ASCII.
/// Bytes above the lowest mark may be marked spuriously; the lowest mark is exact.
#[inline]
pub(crate) fn special_bytes(w: u64) -> u64 {
    let q = w ^ (ONES * u64::from(b'"'));
    let bs = w ^ (ONES * u64::from(b'\\'));
    let quote = q.wrapping_sub(ONES) & !q;
    let backslash = bs.wrapping_sub(ONES) & !bs;
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    (quote | backslash | control | w) & HIGHS
}

/// Index of the first `"`, `\\`, control or non-ASCII byte at or after `i` (`b.len()` if none), eight
/// bytes at a time.
#[inline]
pub(crate) fn find_special(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let marks = special_bytes(u64::from_le_bytes(*chunk));
        if marks != 0 {
            return i + (marks.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || !(0x20..0x80).contains(&c) {
            return i;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_special_agrees_with_a_scan() {
        let alphabet: &[u8] = b"ab\"\\\x01\x1f \x7f\xc3\xa9";
        let mut seed = 7u64;
        for _ in 0..2000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 40) as usize % 40;
            let bytes: Vec<u8> = (0..len)
                .map(|k| {
                    let r = seed.rotate_left(k as u32 * 7) ^ (k as u64 * 0x9E37);
                    // Mostly plain letters so specials land at every offset.
                    if r.is_multiple_of(5) {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    } else {
                        b'x'
                    }
                })
                .collect();
            for start in 0..=len {
                let want = (start..len)
                    .find(|&i| {
                        matches!(bytes[i], b'"' | b'\\') || !(0x20..0x80).contains(&bytes[i])
                    })
                    .unwrap_or(len);
                assert_eq!(find_special(&bytes, start), want, "{bytes:?} from {start}");
            }
        }
    }
}
