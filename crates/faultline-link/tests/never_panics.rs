//! `decode` never panics: on arbitrary text, and on valid links damaged the
//! ways links get damaged (cut short, characters changed, added or lost).
//! `examples/fuzz.rs` runs the same idea over millions of inputs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use faultline_link::{decode, encode, encode_compare, LinkError};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Links of every shipped scenario, with and without autoplay, and compare
/// links of each with the next.
fn links() -> &'static [String] {
    static LINKS: OnceLock<Vec<String>> = OnceLock::new();
    LINKS.get_or_init(|| {
        let shipped = common::shipped();
        let plain = shipped.iter().flat_map(|(_, s)| [encode(s, false), encode(s, true)]);
        let compared = shipped.windows(2).map(|p| encode_compare(&p[0].1, &p[1].1));
        plain.chain(compared).collect()
    })
}

#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
}

/// Characters a damaged link plausibly gains: its own alphabet, its
/// separators, padding, whitespace, and a few that are not ASCII.
fn damage_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['.', '#', '=', '+', '/', ' ', '\n', '%', 'é', '\u{0}', '\u{1F600}']),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    // Positions are taken modulo the link's length when applied.
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), damage_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<usize>(), damage_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

/// Applies edits by character, so multi-byte characters are never split.
fn apply(link: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = link.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Truncate(i) => chars.truncate(i % n),
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % n] = c,
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Decodes, and checks a refusal has a message (formatting must not panic either).
fn check(text: &str) {
    if let Err(e) = decode(text) {
        assert!(!e.to_string().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn arbitrary_bytes_as_text(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn link_shaped_strings(text in "#?v[0-9]{1,2}\\.(p\\.)?[A-Za-z0-9_\\-]{0,300}") {
        check(&text);
    }

    #[test]
    fn arbitrary_bytes_as_payload(bytes in prop::collection::vec(any::<u8>(), 0..512), autoplay in any::<bool>()) {
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let result = decode(&format!("v1.{}{payload}", if autoplay { "p." } else { "" }));
        // Bytes this random are almost never DEFLATE, and never a valid scenario.
        prop_assert!(result.is_err());
    }

    #[test]
    fn arbitrary_bytes_deflated(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let result = decode(&common::link_of_bytes(&bytes));
        prop_assert!(matches!(result, Err(LinkError::NotJson(_) | LinkError::Invalid(_))), "{:?}", result);
    }

    #[test]
    fn damaged_links(which in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
        let link = which.get(links());
        check(&apply(link, &edits));
    }

    #[test]
    fn a_link_survives_what_pasting_adds(
        which in any::<prop::sample::Index>(),
        before in "[ \t\r\n]{0,3}",
        hash in any::<bool>(),
        after in "[ \t\r\n]{0,3}",
    ) {
        let link = which.get(links());
        let pasted = format!("{before}{}{link}{after}", if hash { "#" } else { "" });
        prop_assert_eq!(decode(&pasted), decode(link));
        prop_assert!(decode(link).is_ok());
    }
}
