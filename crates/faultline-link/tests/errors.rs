//! Each way a link can be wrong gives its own error, with a message a person
//! can act on.

mod common;

use faultline_link::{decode, LinkError, MAX_JSON_BYTES, MAX_LINK_CHARS};
use std::time::{Duration, Instant};

/// The frozen v1 link of slice.json: its decoding must never change, so the
/// exact outcomes of damaging it can be asserted.
fn golden_slice() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v1/slice.link");
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

fn slice_json() -> serde_json::Value {
    let (_, s) = common::shipped().into_iter().find(|(n, _)| n == "slice").unwrap();
    serde_json::to_value(s).unwrap()
}

#[test]
fn empty() {
    for text in ["", "#", "   ", "# \n", "\t#"] {
        assert_eq!(decode(text), Err(LinkError::Empty), "{text:?}");
    }
}

#[test]
fn too_long_is_refused_before_any_work() {
    let max = MAX_LINK_CHARS;
    let long = format!("v1.{}", "A".repeat(max));
    assert_eq!(decode(&long), Err(LinkError::TooLong { len: max + 3, max }));
    // Even whitespace counts: the check comes before trimming.
    assert_eq!(decode(&" ".repeat(max + 1)), Err(LinkError::TooLong { len: max + 1, max }));
    // At the limit it is read (and here found not to be base64).
    assert_eq!(decode(&format!("v1.{}", "A".repeat(max - 3))), Err(LinkError::NotBase64));
}

#[test]
fn not_a_link() {
    for text in ["hello", "{\"version\":1}", "https://example.com/#v1.abc", "V1.abc", "v01.abc", "v.abc", "1.abc"] {
        assert_eq!(decode(text), Err(LinkError::NotALink), "{text:?}");
    }
}

#[test]
fn unknown_version_says_what_this_build_reads() {
    assert_eq!(decode("v9.abc"), Err(LinkError::UnknownVersion("v9".into())));
    assert_eq!(decode("v4"), Err(LinkError::UnknownVersion("v4".into())));
    assert_eq!(decode("#v0.p.abc"), Err(LinkError::UnknownVersion("v0".into())));
    let message = LinkError::UnknownVersion("v9".into()).to_string();
    assert!(message.contains("v9") && message.contains("reads v1, v2"), "{message}");
}

#[test]
fn unknown_option() {
    let payload = golden_slice().strip_prefix("v1.").unwrap().to_string();
    assert_eq!(decode(&format!("v1.x.{payload}")), Err(LinkError::UnknownOption("x".into())));
    assert_eq!(decode(&format!("v1.P.{payload}")), Err(LinkError::UnknownOption("P".into())));
    assert_eq!(decode(&format!("v1..{payload}")), Err(LinkError::UnknownOption("".into())));
    // Quoted back at most 16 characters long.
    assert_eq!(decode(&format!("v1.{}.{payload}", "q".repeat(1000))), Err(LinkError::UnknownOption("q".repeat(16))));
}

#[test]
fn not_base64() {
    let link = golden_slice();
    let mid = link.len() / 2;
    let cases = [
        format!("{link}=="),                               // padding
        format!("{}!{}", &link[..mid], &link[mid + 1..]),  // a character outside the alphabet
        format!("{} {}", &link[..mid], &link[mid..]),      // a space inside
        format!("{}+/{}", &link[..mid], &link[mid + 2..]), // the standard (not URL-safe) alphabet
        "v1.p.p.abcd".to_string(),                         // a second flags field lands in the payload
        "v1.A".to_string(),                                // an impossible length (4n + 1)
    ];
    for text in cases {
        assert_eq!(decode(&text), Err(LinkError::NotBase64), "{text:?}");
    }
}

#[test]
fn truncated_links_are_corrupt() {
    let link = golden_slice();
    assert_eq!(decode("v1."), Err(LinkError::Corrupt));
    assert_eq!(decode("v1"), Err(LinkError::Corrupt));
    // Every cut that leaves a possible base64 length, down to the bare tag.
    for len in 3..link.len() {
        let cut = &link[..len];
        let got = decode(cut);
        if (len - 3) % 4 == 1 {
            assert_eq!(got, Err(LinkError::NotBase64), "cut to {len}");
        } else {
            assert!(matches!(got, Err(LinkError::Corrupt | LinkError::NotBase64)), "cut to {len}: {got:?}");
        }
    }
    // Random bytes that are not DEFLATE (block type 3 is reserved).
    use base64::Engine;
    let junk = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xffu8; 32]);
    assert_eq!(decode(&format!("v1.{junk}")), Err(LinkError::Corrupt));
}

#[test]
fn flipped_characters_are_mostly_refused() {
    // One character of the frozen slice link replaced, at every position, by
    // another base64url character. Most flips must be caught; the ones DEFLATE
    // cannot notice (no checksum) open a valid scenario, and that is all.
    let link = golden_slice();
    let original = decode(&link).unwrap();
    let (mut refused, mut same, mut changed) = (0, 0, 0);
    for i in 3..link.len() {
        for replacement in ['A', 'z', '0', '-', '_'] {
            let mut bytes = link.clone().into_bytes();
            if bytes[i] == replacement as u8 {
                continue;
            }
            bytes[i] = replacement as u8;
            match decode(std::str::from_utf8(&bytes).unwrap()) {
                Err(LinkError::NotBase64 | LinkError::Corrupt | LinkError::NotJson(_) | LinkError::Invalid(_)) => {
                    refused += 1
                }
                Err(e) => panic!("position {i}: unexpected {e:?}"),
                Ok(s) if s == original => same += 1,
                Ok(_) => changed += 1,
            }
        }
    }
    let total = refused + same + changed;
    eprintln!(
        "single flips of the slice link: {refused} refused, {same} harmless, {changed} opened changed, of {total}"
    );
    assert!(refused * 10 >= total * 9, "only {refused} of {total} flips refused");
}

#[test]
fn not_json() {
    for bytes in [&b"not json {"[..], b"{\"version\": 1,", b"\xff\xfe\x00", b""] {
        let got = decode(&common::link_of_bytes(bytes));
        assert!(matches!(got, Err(LinkError::NotJson(_))), "{bytes:?}: {got:?}");
    }
    // Nesting past serde_json's depth limit is an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(matches!(decode(&common::link_of_bytes(deep.as_bytes())), Err(LinkError::NotJson(_))));
}

#[test]
fn json_that_is_not_a_valid_scenario() {
    let invalid = |doc: serde_json::Value| match decode(&common::link_of_bytes(doc.to_string().as_bytes())) {
        Err(LinkError::Invalid(e)) => e,
        other => panic!("{doc}: {other:?}"),
    };
    // An edge to a node that does not exist: validation, with the engine's path.
    let mut doc = slice_json();
    doc["edges"][0]["to"] = "nowhere".into();
    let e = invalid(doc);
    assert!(e.problems.iter().any(|p| p.path.starts_with("edges[0]")), "{e}");
    let message = LinkError::Invalid(e.clone()).to_string();
    assert!(message.starts_with("The scenario in this link cannot be opened: edges[0]"), "{message}");
    assert!(std::error::Error::source(&LinkError::Invalid(e)).is_some());

    // Past a limit (LIMITS.max_nodes is 2 000).
    let mut doc = slice_json();
    let node = doc["nodes"][0].clone();
    let nodes = (0..2_001).map(|i| {
        let mut n = node.clone();
        n["id"] = format!("n{i}").into();
        n
    });
    doc["nodes"] = nodes.collect();
    invalid(doc);

    // Well-formed JSON but the wrong shape: a document version from the future, an unknown field, not an object.
    let mut doc = slice_json();
    doc["version"] = 99.into();
    invalid(doc);
    let mut doc = slice_json();
    doc["colour"] = "red".into();
    invalid(doc);
    invalid(serde_json::json!([1, 2, 3]));
}

#[test]
fn a_decompression_bomb_is_refused_quickly() {
    let zeros = vec![0u8; 50 * 1000 * 1000];
    let bomb = common::link_of_bytes(&zeros);
    drop(zeros);
    assert!(bomb.len() < MAX_LINK_CHARS, "the bomb must get past the length check: {}", bomb.len());
    let start = Instant::now();
    assert_eq!(decode(&bomb), Err(LinkError::TooLarge { max: MAX_JSON_BYTES }));
    // It stops at 4 MiB of output; even an unoptimised build does that well within this.
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

#[test]
fn every_message_is_a_sentence() {
    let (_, scenario) = common::shipped().remove(0);
    let mut doc = serde_json::to_value(&scenario).unwrap();
    doc["edges"][0]["to"] = "nowhere".into();
    let invalid = decode(&common::link_of_bytes(doc.to_string().as_bytes())).unwrap_err();
    let errors = [
        LinkError::Empty,
        LinkError::TooLong { len: 300_000, max: MAX_LINK_CHARS },
        LinkError::NotALink,
        LinkError::UnknownVersion("v9".into()),
        LinkError::UnknownOption("x".into()),
        LinkError::NotBase64,
        LinkError::Corrupt,
        LinkError::TooLarge { max: MAX_JSON_BYTES },
        decode(&common::link_of_bytes(b"nope")).unwrap_err(),
        invalid,
    ];
    for e in errors {
        let text = e.to_string();
        assert!(text.starts_with(char::is_uppercase) && text.ends_with(['.', '?']), "{text}");
        assert!(!text.contains('\n'), "one line for a banner: {text}");
        eprintln!("{text}");
    }
}
