//! Link format version 3: two designs to compare on the same traffic,
//! `v3.c.<base64url(deflate(json A + "\n" + json B))>`.
//!
//! The page opens it straight into its compare view (A against B) over
//! whatever is on the canvas. Both documents go into one DEFLATE stream
//! rather than two payloads: a before/after pair repeats most of A in B, and
//! one stream finds those repeats: the cascade pair's compare link is 724
//! characters against 626 and 650 for its two designs alone, and every shipped
//! pair's is 7 to 15% longer than its longer design (`examples/lengths.rs`).
//! Compact JSON never holds a raw newline (serde escapes one inside a
//! string), so the newline separates the two documents unambiguously. `c` is the only field before
//! the payload, and required: version 3 has no other form yet, and any
//! other field is refused rather than ignored, as in the older versions.
//! Each document is parsed and validated as a link's scenario is.
//!
//! Frozen once a version 4 exists.

use crate::{inflate, scenario_from_json, LinkError, Shared};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use faultline_sim::Scenario;

/// The version tag, before the first `.`.
const TAG: &str = "v3";
/// The compare field.
const COMPARE: &str = "c";
/// The same level as version 1, for the same reason.
const LEVEL: u8 = 10;
/// The longest unknown field quoted back in an error.
const QUOTED: usize = 16;

pub(crate) fn encode(a: &Scenario, b: &Scenario) -> String {
    let mut json = serde_json::to_string(a).expect("a scenario always serialises");
    json.push('\n');
    json.push_str(&serde_json::to_string(b).expect("a scenario always serialises"));
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), LEVEL);
    let mut out = String::with_capacity(TAG.len() + 3 + packed.len().div_ceil(3) * 4);
    out.push_str(TAG);
    out.push('.');
    out.push_str(COMPARE);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&packed, &mut out);
    out
}

/// Decodes what follows `v3.`.
pub(crate) fn decode(body: &str) -> Result<Shared, LinkError> {
    let (flags, payload) = body.rsplit_once('.').unwrap_or(("", body));
    if flags != COMPARE {
        return Err(LinkError::UnknownOption(flags.chars().take(QUOTED).collect()));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|_| LinkError::NotBase64)?;
    let json = inflate(&packed)?;
    let Some(cut) = json.iter().position(|&b| b == b'\n') else {
        return Err(LinkError::NotJson("a compare link holds two designs, and this one holds one".into()));
    };
    let scenario = scenario_from_json(&json[..cut])?;
    let other = scenario_from_json(&json[cut + 1..])?;
    Ok(Shared { scenario, autoplay: false, exercise: None, compare: Some(Box::new(other)) })
}
