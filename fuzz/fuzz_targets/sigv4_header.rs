//! The SigV4 `Authorization` header parser never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = openwatch_sigv4::parse_authorization_header(text);
    }
});
