//! The same entry points as the cargo-fuzz targets in `fuzz/`, run on stable with proptest:
//! no request body makes a decoder panic.

use proptest::prelude::*;

use openwatch_wire::Protocol;
use openwatch_wire::protocol::{cbor, query};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cbor_decoder_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(v) = cbor::decode(&data) {
            let mut out = Vec::new();
            cbor::encode(&v, &mut out);
            prop_assert!(cbor::decode(&out).is_ok());
        }
    }

    #[test]
    fn cbor_decoder_survives_mutated_valid_input(flip in 0usize..64, byte in any::<u8>()) {
        // {_ "Namespace": "MyApp", "MetricData": [_ {_ "Value": 1.5 }]}
        let mut data = vec![0xbf, 0x69];
        data.extend_from_slice(b"Namespace");
        data.push(0x65);
        data.extend_from_slice(b"MyApp");
        data.push(0x6a);
        data.extend_from_slice(b"MetricData");
        data.extend_from_slice(&[0x9f, 0xbf, 0x65]);
        data.extend_from_slice(b"Value");
        data.extend_from_slice(&[0xf9, 0x3e, 0x00, 0xff, 0xff, 0xff]);
        let i = flip % data.len();
        data[i] = byte;
        let _ = cbor::decode(&data);
    }

    #[test]
    fn json_decoder_never_panics(text in ".{0,200}") {
        let _ = Protocol::AwsJson11.decode(text.as_bytes());
    }

    #[test]
    fn form_decoder_never_panics(text in "[A-Za-z0-9.=&%+_-]{0,300}") {
        let _ = query::decode(text.as_bytes());
    }

    #[test]
    fn form_keys_with_member_indexes_never_panic(
        keys in proptest::collection::vec("[A-Z][a-z]{0,3}(\\.(member|entry|key|value|[0-9]{1,3})){0,4}", 0..12),
    ) {
        let body: String = keys.iter().map(|k| format!("{k}=v&")).collect();
        let _ = query::decode(body.as_bytes());
    }
}
