//! Golden links: links as earlier builds wrote them must open forever.
//!
//! `tests/golden/v<N>/<name>.link` is a fragment exactly as version N wrote
//! it and `<name>.json` the scenario it must open, pretty-printed. These files
//! are the promise made to everyone who ever shared a link, so a normal test
//! run only reads them: it must never regenerate them, or a change to the
//! decoder would quietly bless itself.
//!
//! `FAULTLINE_BLESS=1 cargo test -p faultline-link --test golden` writes the
//! current version's directory from the shipped scenarios listed in
//! `CURRENT`. Directories of older versions are never written by it: once
//! version 2 exists, `v1/` is frozen and its table below lives on unchanged.

mod common;

use faultline_link::{decode, encode, Shared, CURRENT_VERSION};
use faultline_sim::Scenario;
use std::path::PathBuf;

/// One golden link: its file name, the shipped scenario it was made from and
/// its autoplay flag (the flag is in the link text; the `.json` holds only
/// the scenario).
struct Golden {
    name: &'static str,
    source: &'static str,
    autoplay: bool,
}

const V1: &[Golden] = &[
    Golden { name: "slice", source: "slice", autoplay: false },
    Golden { name: "cascade-before-autoplay", source: "cascade-before", autoplay: true },
    Golden { name: "retry-storm-after", source: "retry-storm-after", autoplay: false },
    Golden { name: "region-partition", source: "region-partition", autoplay: false },
];

/// Every version's goldens; a new version adds its row and keeps the others.
const VERSIONS: &[(u32, &[Golden])] = &[(1, V1)];

fn dir(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/v{version}"))
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes the current version's goldens; runs only under FAULTLINE_BLESS.
fn bless() {
    let (_, goldens) =
        VERSIONS.iter().find(|(v, _)| *v == CURRENT_VERSION).expect("a golden table for CURRENT_VERSION");
    let dir = dir(CURRENT_VERSION);
    std::fs::create_dir_all(&dir).unwrap();
    for g in *goldens {
        let scenario = common::load(&common::repo_root().join(format!("assets/scenarios/{}.json", g.source)));
        std::fs::write(dir.join(format!("{}.link", g.name)), encode(&scenario, g.autoplay) + "\n").unwrap();
        std::fs::write(dir.join(format!("{}.json", g.name)), scenario.to_json_pretty() + "\n").unwrap();
    }
}

#[test]
fn golden_links_decode_to_their_scenarios() {
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        bless();
    }
    for (version, goldens) in VERSIONS {
        let dir = dir(*version);
        for g in *goldens {
            let link = read(&dir.join(format!("{}.link", g.name)));
            assert!(link.starts_with(&format!("v{version}.")), "{}: {link:?} is not a v{version} link", g.name);
            let expected = Scenario::from_json(&read(&dir.join(format!("{}.json", g.name))))
                .unwrap_or_else(|e| panic!("v{version}/{}.json: {e}", g.name));
            // The file ends in a newline: decode must tolerate it, as it does pasted whitespace.
            let got = decode(&link).unwrap_or_else(|e| panic!("v{version}/{}.link no longer decodes: {e}", g.name));
            assert_eq!(got, Shared { scenario: expected.clone(), autoplay: g.autoplay }, "v{version}/{}", g.name);
            // Today's encoder may write different text, but it must carry the same scenario.
            assert_eq!(decode(&encode(&expected, g.autoplay)), Ok(got), "v{version}/{} re-encoded", g.name);
        }
    }
}

#[test]
fn every_golden_file_is_listed() {
    for (version, goldens) in VERSIONS {
        for entry in std::fs::read_dir(dir(*version)).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(goldens.iter().any(|g| g.name == stem), "{} is not in the v{version} table", path.display());
        }
    }
}
