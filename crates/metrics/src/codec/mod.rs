//! Codecs for sealed blocks: byte helpers, delta-of-delta timestamps and pco-compressed values.
//! Every codec round-trips exactly (property-tested).

pub mod bytes;
pub mod timestamps;
pub mod values;
