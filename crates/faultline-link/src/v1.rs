//! Link format version 1: `v1.[p.]<base64url(deflate(json))>`.
//!
//! Frozen once a version 2 exists: links in this format are out in the world,
//! so this decoder must keep reading every one of them unchanged (the golden
//! links in `tests/golden/v1/` hold it to that).

use crate::{inflate, scenario_from_json, LinkError, Shared};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use faultline_sim::Scenario;

/// The version tag, before the first `.`.
const TAG: &str = "v1";
/// The flags field of an autoplay link; a plain link has no flags field.
const AUTOPLAY: &str = "p";
/// miniz_oxide's highest level: links are written rarely and read everywhere,
/// so spend the encoder's time for the shortest text.
const LEVEL: u8 = 10;
/// The longest unknown flags field quoted back in an error.
const FLAGS_QUOTED: usize = 16;

pub(crate) fn encode(scenario: &Scenario, autoplay: bool) -> String {
    let json = serde_json::to_string(scenario).expect("a scenario always serialises");
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), LEVEL);
    let mut out = String::with_capacity(TAG.len() + 3 + packed.len().div_ceil(3) * 4);
    out.push_str(TAG);
    out.push('.');
    if autoplay {
        out.push_str(AUTOPLAY);
        out.push('.');
    }
    URL_SAFE_NO_PAD.encode_string(&packed, &mut out);
    out
}

/// Decodes what follows `v1.`.
pub(crate) fn decode(body: &str) -> Result<Shared, LinkError> {
    let (autoplay, payload) = match body.split_once('.') {
        None => (false, body),
        Some((AUTOPLAY, payload)) => (true, payload),
        Some((flags, _)) => return Err(LinkError::UnknownOption(flags.chars().take(FLAGS_QUOTED).collect())),
    };
    // The strict engine: no padding, no stray bits in the last character.
    let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|_| LinkError::NotBase64)?;
    let json = inflate(&packed)?;
    let scenario = scenario_from_json(&json)?;
    Ok(Shared { scenario, autoplay, exercise: None, compare: None })
}
