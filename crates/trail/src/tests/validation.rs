//! Validation of LookupEvents queries and pagination tokens.

use openwatch_storage::wal::Position;

use crate::LookupError;
use crate::lookup::{LookupAttributeKey, LookupQuery, decode_token, encode_token, validate};

fn q() -> LookupQuery {
    LookupQuery::default()
}

#[test]
fn validation_uses_cloudtrails_error_codes() {
    let now = 1_800_000_000_000;
    let two = LookupQuery {
        lookup_attributes: vec![
            ("EventName".into(), "a".into()),
            ("Username".into(), "b".into()),
        ],
        ..q()
    };
    let code = |q: &LookupQuery| validate("1", "r", q, now).map(|_| ()).map_err(|e| e.code());
    assert_eq!(code(&two), Err("InvalidLookupAttributesException"));
    let unknown = LookupQuery {
        lookup_attributes: vec![("eventname".into(), "a".into())],
        ..q()
    };
    assert_eq!(code(&unknown), Err("InvalidLookupAttributesException"));
    let empty = LookupQuery {
        lookup_attributes: vec![("EventName".into(), String::new())],
        ..q()
    };
    assert_eq!(code(&empty), Err("InvalidLookupAttributesException"));
    let range = LookupQuery {
        start_time: Some(now),
        end_time: Some(now - 1),
        ..q()
    };
    assert_eq!(code(&range), Err("InvalidTimeRangeException"));
    for n in [0, 51, -1] {
        let m = LookupQuery {
            max_results: Some(n),
            ..q()
        };
        assert_eq!(code(&m), Err("InvalidMaxResultsException"));
    }
    for n in [1, 50] {
        let m = LookupQuery {
            max_results: Some(n),
            ..q()
        };
        assert_eq!(code(&m), Ok(()));
    }
    let cat = LookupQuery {
        event_category: Some("Management".into()),
        ..q()
    };
    assert_eq!(code(&cat), Err("InvalidEventCategoryException"));
    let tok = LookupQuery {
        next_token: Some("garbage".into()),
        ..q()
    };
    assert_eq!(code(&tok), Err("InvalidNextTokenException"));
    for k in LookupAttributeKey::ALL {
        assert_eq!(LookupAttributeKey::parse(k.as_str()), Some(k));
    }
}

#[test]
fn tokens_round_trip_and_are_bound_to_their_query() {
    let pos = Position {
        segment: 7,
        offset: 12345,
    };
    let t = encode_token(pos, 99);
    assert_eq!(decode_token(&t, 99), Ok(pos));
    assert!(matches!(
        decode_token(&t, 98),
        Err(LookupError::InvalidNextToken(_))
    ));
    let mut bad = t.clone();
    bad.replace_range(0..2, "02");
    assert!(decode_token(&bad, 99).is_err());
    assert!(decode_token("é".repeat(25).as_str(), 99).is_err());
}
