//! Values of many series compressed together with pco (`pco` crate): one pco chunk holds the
//! values of up to [`MAX_CHUNK_VALUES`] consecutive series, one page per series, so the chunk's
//! binning is shared (amortized over all series of a block) while any single series decodes from
//! its own page. Round-trips every `f64` bit pattern exactly.
//!
//! Layout: `bytes(pco header)`, `uvarint n_chunks`, per chunk `bytes(chunk meta)`,
//! `uvarint n_pages`, per page `uvarint n_values`, `bytes(page)`.

use pco::wrapped::{FileCompressor, FileDecompressor};
use pco::{ChunkConfig, DeltaSpec, PagingSpec};

use super::bytes::{Reader, Writer};
use crate::error::MetricsError;

/// Most values in one pco chunk.
pub const MAX_CHUNK_VALUES: usize = 1 << 20;

fn pco_err(e: pco::errors::PcoError) -> MetricsError {
    MetricsError::corrupt("pco values", e.to_string())
}

/// Encodes `pages` (each non-empty) into `w`.
pub fn encode(pages: &[&[f64]], w: &mut Writer) -> Result<(), MetricsError> {
    let fc = FileCompressor::default();
    let header = fc.write_header(Vec::new()).map_err(pco_err)?;
    w.bytes(&header);
    // Group consecutive pages into chunks.
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut n = 0;
    for (i, p) in pages.iter().enumerate() {
        if n > 0 && n + p.len() > MAX_CHUNK_VALUES {
            groups.push(start..i);
            start = i;
            n = 0;
        }
        n += p.len();
    }
    if start < pages.len() {
        groups.push(start..pages.len());
    }
    w.uvarint(groups.len() as u64);
    for g in groups {
        let group = &pages[g];
        let sizes: Vec<usize> = group.iter().map(|p| p.len()).collect();
        if sizes.contains(&0) {
            return Err(MetricsError::corrupt("pco values", "empty page"));
        }
        let all: Vec<f64> = group.iter().flat_map(|p| p.iter().copied()).collect();
        let mut best: Option<Writer> = None;
        if let Some((k, ints)) = decimal_scale(&all) {
            let mut out = Writer::default();
            out.u8(MODE_DECIMAL);
            out.u8(k);
            write_chunk(&fc, &ints, &sizes, &mut out)?;
            best = Some(out);
        } else {
            // pco's automatic delta detection samples the chunk; try first-order deltas
            // explicitly too and keep the smaller encoding.
            for delta in [DeltaSpec::Auto, DeltaSpec::TryConsecutive(1)] {
                let mut out = Writer::default();
                out.u8(MODE_FLOAT);
                write_chunk_with(&fc, &all, &sizes, delta, &mut out)?;
                if best.as_ref().is_none_or(|b| out.len() < b.len()) {
                    best = Some(out);
                }
            }
        }
        if let Some(b) = best {
            w.raw(b.as_slice());
        }
    }
    Ok(())
}

const MODE_FLOAT: u8 = 0;
const MODE_DECIMAL: u8 = 1;
/// Most decimal digits tried for the decimal mode.
const MAX_DECIMALS: u8 = 6;

/// The smallest `k ≤ MAX_DECIMALS` such that every value is exactly `i / 10^k` for an integer
/// `i` (checked bit for bit with the decoder's own expression), and those integers.
fn decimal_scale(all: &[f64]) -> Option<(u8, Vec<i64>)> {
    'k: for k in 0..=MAX_DECIMALS {
        let scale = 10f64.powi(i32::from(k));
        let mut ints = Vec::with_capacity(all.len());
        for v in all {
            let scaled = (v * scale).round();
            if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
                return None;
            }
            let i = scaled as i64;
            if (i as f64 / scale).to_bits() != v.to_bits() {
                continue 'k;
            }
            ints.push(i);
        }
        return Some((k, ints));
    }
    None
}

fn write_chunk<T: pco::data_types::Number>(
    fc: &FileCompressor,
    all: &[T],
    sizes: &[usize],
    out: &mut Writer,
) -> Result<(), MetricsError> {
    write_chunk_with(fc, all, sizes, DeltaSpec::Auto, out)
}

fn write_chunk_with<T: pco::data_types::Number>(
    fc: &FileCompressor,
    all: &[T],
    sizes: &[usize],
    delta: DeltaSpec,
    out: &mut Writer,
) -> Result<(), MetricsError> {
    let config = ChunkConfig::default()
        .with_delta_spec(delta)
        .with_paging_spec(PagingSpec::Exact(sizes.to_vec()));
    let mut cc = fc.chunk_compressor(all, &config).map_err(pco_err)?;
    out.bytes(&cc.write_meta(Vec::new()).map_err(pco_err)?);
    out.uvarint(sizes.len() as u64);
    for (i, size) in sizes.iter().enumerate() {
        let page = cc.write_page(i, Vec::new()).map_err(pco_err)?;
        out.uvarint(*size as u64);
        out.bytes(&page);
    }
    Ok(())
}

/// A parsed value blob: pages can be decoded one at a time.
#[derive(Debug)]
pub struct Pages<'a> {
    header: &'a [u8],
    /// (mode, decimals, chunk meta) per chunk.
    chunks: Vec<(u8, u8, &'a [u8])>,
    /// (chunk index, value count, page bytes) per page.
    pages: Vec<(usize, usize, &'a [u8])>,
}

impl<'a> Pages<'a> {
    pub fn parse(r: &mut Reader<'a>) -> Result<Pages<'a>, MetricsError> {
        let header = r.bytes()?;
        let n_chunks = r.len_prefix(1)?;
        let mut chunks = Vec::with_capacity(n_chunks);
        let mut pages = Vec::new();
        for c in 0..n_chunks {
            let mode = r.u8()?;
            let k = match mode {
                MODE_FLOAT => 0,
                MODE_DECIMAL => r.u8()?.min(MAX_DECIMALS),
                _ => return Err(MetricsError::corrupt("pco values", "unknown chunk mode")),
            };
            chunks.push((mode, k, r.bytes()?));
            let n_pages = r.len_prefix(1)?;
            for _ in 0..n_pages {
                let n = usize::try_from(r.uvarint()?)
                    .map_err(|_| MetricsError::corrupt("pco values", "page too large"))?;
                pages.push((c, n, r.bytes()?));
            }
        }
        Ok(Pages {
            header,
            chunks,
            pages,
        })
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Decodes page `i`.
    pub fn page(&self, i: usize) -> Result<Vec<f64>, MetricsError> {
        let &(c, n, bytes) = self
            .pages
            .get(i)
            .ok_or_else(|| MetricsError::corrupt("pco values", "no such page"))?;
        let (fd, _) = FileDecompressor::new(self.header).map_err(pco_err)?;
        let (mode, k, meta) = self.chunks[c];
        if mode == MODE_DECIMAL {
            let ints = read_page::<i64>(&fd, meta, bytes, n)?;
            let scale = 10f64.powi(i32::from(k));
            return Ok(ints.into_iter().map(|i| i as f64 / scale).collect());
        }
        let out = read_page::<f64>(&fd, meta, bytes, n)?;
        Ok(out)
    }
}

fn read_page<T: pco::data_types::Number + Default>(
    fd: &FileDecompressor,
    meta: &[u8],
    bytes: &[u8],
    n: usize,
) -> Result<Vec<T>, MetricsError> {
    let (mut cd, _) = fd.chunk_decompressor::<T, _>(meta).map_err(pco_err)?;
    let mut pd = cd.page_decompressor(bytes, n).map_err(pco_err)?;
    let mut out = vec![T::default(); n];
    let progress = pd.read(&mut out).map_err(pco_err)?;
    if progress.n_processed != n {
        return Err(MetricsError::corrupt("pco values", "short page"));
    }
    Ok(out)
}

/// Decodes every page.
pub fn decode_all(r: &mut Reader<'_>) -> Result<Vec<Vec<f64>>, MetricsError> {
    let pages = Pages::parse(r)?;
    (0..pages.len()).map(|i| pages.page(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(pages: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let refs: Vec<&[f64]> = pages.iter().map(Vec::as_slice).collect();
        let mut w = Writer::default();
        if encode(&refs, &mut w).is_err() {
            return Vec::new();
        }
        let b = w.into_inner();
        decode_all(&mut Reader::new(&b)).unwrap_or_default()
    }

    fn bits(p: &[Vec<f64>]) -> Vec<Vec<u64>> {
        p.iter()
            .map(|v| v.iter().map(|x| x.to_bits()).collect())
            .collect()
    }

    proptest! {
        #[test]
        fn any_values_round_trip_bit_exactly(
            pages in proptest::collection::vec(
                proptest::collection::vec(any::<f64>(), 1..200), 0..12),
        ) {
            prop_assert_eq!(bits(&round_trip(&pages)), bits(&pages));
        }

        #[test]
        fn decimal_values_round_trip(
            pages in proptest::collection::vec(
                proptest::collection::vec((0u32..10_000).prop_map(|v| f64::from(v) / 100.0), 1..400), 1..6),
        ) {
            prop_assert_eq!(bits(&round_trip(&pages)), bits(&pages));
        }
    }
}
