//! Parsing and verifying a whole request (path, query, headers) never panics. The input is split
//! into a path-and-query line and header lines.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let Some(target) = lines.next() else { return };
    let Ok(uri) = target.parse::<http::Uri>() else { return };
    let mut headers = http::HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_str(v.trim()))
        {
            headers.append(k, v);
        }
    }
    if let Ok(parsed) = openwatch_sigv4::parse(&http::Method::POST, &uri, &headers) {
        let keys = openwatch_sigv4::SigningKeyCache::new();
        let _ = parsed.verify("secret", data, parsed.request_time_unix(), &keys);
    }
});
