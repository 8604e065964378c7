//! Helpers shared by this crate's integration tests.
#![allow(dead_code)] // each test file uses its own subset

use faultline_sim::Scenario;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every scenario shipped under assets/scenarios/, by file stem, sorted.
///
/// A scenario document is a JSON object; other JSON there (a catalogue of the
/// scenarios is an array) is skipped. A broken scenario still fails loudly.
pub fn shipped() -> Vec<(String, Scenario)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_root().join("assets/scenarios"))
        .expect("assets/scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.trim_start().starts_with('{')))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no shipped scenarios found");
    paths.iter().map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), load(p))).collect()
}

pub fn load(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A link of arbitrary bytes as the payload: `v1.` + base64url(deflate(bytes)).
pub fn link_of_bytes(bytes: &[u8]) -> String {
    use base64::Engine;
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, 6);
    format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
}
