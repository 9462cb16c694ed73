//! The rpc-v2-cbor request decoder never panics, and what it decodes re-encodes and decodes equal.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openwatch_wire::protocol::cbor;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = cbor::decode(data) {
        let mut out = Vec::new();
        cbor::encode(&v, &mut out);
        let again = cbor::decode(&out).expect("re-encoded CBOR decodes");
        // NaN != NaN: compare the encodings instead of the values.
        let mut out2 = Vec::new();
        cbor::encode(&again, &mut out2);
        assert_eq!(out, out2);
    }
});
