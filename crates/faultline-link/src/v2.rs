//! Link format version 2: an attempt at an exercise,
//! `v2.[p.]e.<exercise id>.<base64url(deflate(json))>`.
//!
//! Version 1 carries a scenario; an attempt also names the exercise it is a
//! design for, so whoever opens it (a mentor, a reviewer) gets the same
//! exercise open beside the same design. The payload is version 1's. The
//! fields before it are, in this order and each at most once: `p` (play at
//! once, as in version 1) and `e` followed by the exercise's id (a shipped
//! exercise: lowercase letters, digits and `-`). An attempt always has `e`;
//! a link with neither flag is a plain scenario link (version 1 writes those,
//! and version 2 reads them too, so a link can drop its `e` by hand).
//!
//! Frozen once a version 3 exists, as version 1 is now.

use crate::{inflate, scenario_from_json, LinkError, Shared};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use faultline_sim::exercise::registry;
use faultline_sim::Scenario;

/// The version tag, before the first `.`.
const TAG: &str = "v2";
/// The autoplay flag, as in version 1.
const AUTOPLAY: &str = "p";
/// The exercise field's marker; the id is the next field.
const EXERCISE: &str = "e";
/// The longest exercise id a link may name (the registry's are far shorter).
pub const MAX_EXERCISE_ID: usize = 64;
/// The same level as version 1, for the same reason.
const LEVEL: u8 = 10;
/// The longest unknown field quoted back in an error.
const QUOTED: usize = 16;

/// Whether `id` is shaped like an exercise id (not whether one exists).
fn well_formed(id: &str) -> bool {
    (1..=MAX_EXERCISE_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub(crate) fn encode(scenario: &Scenario, autoplay: bool, exercise: &str) -> String {
    debug_assert!(well_formed(exercise), "exercise ids are [a-z0-9-]: {exercise:?}");
    let json = serde_json::to_string(scenario).expect("a scenario always serialises");
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), LEVEL);
    let mut out = String::with_capacity(TAG.len() + exercise.len() + 6 + packed.len().div_ceil(3) * 4);
    out.push_str(TAG);
    out.push('.');
    if autoplay {
        out.push_str(AUTOPLAY);
        out.push('.');
    }
    out.push_str(EXERCISE);
    out.push('.');
    out.push_str(exercise);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&packed, &mut out);
    out
}

/// Decodes what follows `v2.`.
pub(crate) fn decode(body: &str) -> Result<Shared, LinkError> {
    // The payload is the last field (base64url has no `.`); the rest are flags.
    let (flags, payload) = body.rsplit_once('.').unwrap_or(("", body));
    // An empty field (`v2..x`, `v2.e..x`) is no form an encoder writes.
    if !flags.is_empty() && flags.split('.').any(str::is_empty) {
        return Err(LinkError::UnknownOption(flags.chars().take(QUOTED).collect()));
    }
    let mut fields = flags.split('.').filter(|f| !f.is_empty()).peekable();
    let autoplay = fields.next_if_eq(&AUTOPLAY).is_some();
    let exercise = match fields.next_if_eq(&EXERCISE) {
        None => None,
        Some(_) => {
            let id = fields.next().unwrap_or("");
            if !well_formed(id) {
                return Err(LinkError::BadExercise(id.chars().take(QUOTED).collect()));
            }
            if !registry::ids().any(|known| known == id) {
                return Err(LinkError::UnknownExercise(id.to_string()));
            }
            Some(id.to_string())
        }
    };
    if let Some(extra) = fields.next() {
        return Err(LinkError::UnknownOption(extra.chars().take(QUOTED).collect()));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|_| LinkError::NotBase64)?;
    let json = inflate(&packed)?;
    let scenario = scenario_from_json(&json)?;
    Ok(Shared { scenario, autoplay, exercise, compare: None })
}
