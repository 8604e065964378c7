//! Compare links (version 3): two designs in one link, A and B. They round
//! trip every shipped pair, open forever (a golden link), are shorter than
//! two links, and each way one can be wrong is its own error.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use faultline_link::{decode, encode, encode_compare, LinkError, Shared, COMPARE_VERSION};
use faultline_sim::Scenario;
use std::path::PathBuf;

fn shipped(name: &str) -> Scenario {
    common::load(&common::repo_root().join(format!("assets/scenarios/{name}.json")))
}

fn compared(a: &Scenario, b: &Scenario) -> Shared {
    Shared { scenario: a.clone(), autoplay: false, exercise: None, compare: Some(Box::new(b.clone())) }
}

#[test]
fn every_before_after_pair_round_trips_and_costs_less_than_two_links() {
    let all = common::shipped();
    let mut pairs = 0;
    for (name, before) in &all {
        let Some(stem) = name.strip_suffix("-before") else { continue };
        let Some((_, after)) = all.iter().find(|(n, _)| *n == format!("{stem}-after")) else { continue };
        let link = encode_compare(before, after);
        assert!(link.starts_with(&format!("v{COMPARE_VERSION}.c.")), "{link}");
        assert_eq!(link, encode_compare(before, after), "deterministic");
        assert_eq!(decode(&link), Ok(compared(before, after)), "{stem}");
        assert_eq!(decode(&format!(" #{link}\n")), Ok(compared(before, after)), "{stem} pasted");
        let two = encode(before, false).len() + encode(after, false).len();
        assert!(link.len() < two * 3 / 4, "{stem}: {} characters, two links {two}", link.len());
        pairs += 1;
    }
    assert!(pairs >= 8, "{pairs} before/after pairs");
    // Any two designs, not only a pair: the slice against the cascade.
    let (a, b) = (shipped("slice"), shipped("cascade-after"));
    assert_eq!(decode(&encode_compare(&a, &b)), Ok(compared(&a, &b)));
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v3")
}

/// The cascade pair's compare link as this version wrote it must open
/// forever. `FAULTLINE_BLESS=1` writes it (only while version 3 is the
/// newest compare format).
#[test]
fn the_golden_compare_link_opens() {
    let (a, b) = (shipped("cascade-before"), shipped("cascade-after"));
    let dir = golden_dir();
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cascade-compare.link"), encode_compare(&a, &b) + "\n").unwrap();
        std::fs::write(dir.join("cascade-compare-a.json"), a.to_json_pretty() + "\n").unwrap();
        std::fs::write(dir.join("cascade-compare-b.json"), b.to_json_pretty() + "\n").unwrap();
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let want_a = Scenario::from_json(&read("cascade-compare-a.json")).unwrap();
    let want_b = Scenario::from_json(&read("cascade-compare-b.json")).unwrap();
    assert_eq!(decode(&read("cascade-compare.link")), Ok(compared(&want_a, &want_b)));
}

/// A v3 link around `bytes` (deflated as they are).
fn raw(bytes: &[u8]) -> String {
    format!("v3.c.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, 6)))
}

#[test]
fn a_malformed_compare_link_says_what_is_wrong() {
    let (a, b) = (shipped("cascade-before"), shipped("cascade-after"));
    let link = encode_compare(&a, &b);
    let payload = link.strip_prefix("v3.c.").unwrap();
    // Flags: `c` is required and alone.
    assert_eq!(decode(&format!("v3.{payload}")), Err(LinkError::UnknownOption("".into())));
    assert_eq!(decode(&format!("v3.p.{payload}")), Err(LinkError::UnknownOption("p".into())));
    assert_eq!(decode(&format!("v3.c.p.{payload}")), Err(LinkError::UnknownOption("c.p".into())));
    assert_eq!(decode("v3"), Err(LinkError::UnknownOption("".into())));
    // Damage at each stage.
    assert_eq!(decode(&format!("v3.c.{payload}!")), Err(LinkError::NotBase64));
    assert_eq!(decode(&format!("v3.c.{}", &payload[..payload.len() / 2])), Err(LinkError::Corrupt));
    // One design where there should be two.
    let one = serde_json::to_string(&a).unwrap();
    let e = decode(&raw(one.as_bytes())).unwrap_err();
    assert!(matches!(&e, LinkError::NotJson(why) if why.contains("two designs")), "{e:?}");
    assert!(e.to_string().starts_with("The link is damaged"), "{e}");
    // Two documents, the second not a scenario this build runs.
    let mut broken = serde_json::to_value(&b).unwrap();
    broken["edges"][0]["to"] = "nowhere".into();
    let text = format!("{one}\n{broken}");
    assert!(matches!(decode(&raw(text.as_bytes())), Err(LinkError::Invalid(_))));
    let text = format!("{one}\n{{\"nodes\": [");
    assert!(matches!(decode(&raw(text.as_bytes())), Err(LinkError::NotJson(_))));
    // A third document is not silently ignored.
    let two = serde_json::to_string(&b).unwrap();
    assert!(decode(&raw(format!("{one}\n{two}\n{two}").as_bytes())).is_err());
}
