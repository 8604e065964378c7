//! Share links: a whole scenario carried in the fragment of a URL.
//!
//! Faultline is a static site, so a link has to hold the scenario itself:
//! there is no server to store it under a short id. The fragment (the text
//! after `#`) is the place for it because browsers never send it to the
//! server, change it freely without reloading, and accept far more of it than
//! chat apps and issue trackers will happily show.
//!
//! # Format, version 1
//!
//! ```text
//! v1.<payload>      open the scenario paused
//! v1.p.<payload>    open it and start playing at once ("autoplay")
//!
//! payload = base64url without padding (RFC 4648 section 5)
//!           of raw DEFLATE (RFC 1951: no zlib or gzip header), maximum compression,
//!           of the scenario's compact JSON (`serde_json::to_string`)
//! ```
//!
//! * `.` separates the fields. It is outside the base64url alphabet, so the
//!   payload can never contain it, and it is an unreserved URL character, so
//!   no browser, chat app or mail client escapes it.
//! * The flags field is present only when a flag is set, so a plain link costs
//!   nothing for it. Version 1 knows one flag, `p`; any other field there is
//!   refused rather than ignored, so a decoded link always means exactly what
//!   its text says. A new flag is a new version (cheap: see below).
//! * JSON rather than a bespoke binary layout: the scenario document is already
//!   the project's one interchange format, the engine already parses and
//!   validates it, and DEFLATE takes out much of its verbosity. The shipped
//!   scenarios make links of 400 to 1,100 characters, 1.4 to 3.2 times
//!   shorter than their compact JSON, and large repetitive topologies shrink
//!   about 16 times (`examples/lengths.rs` prints the table).
//! * No checksum: a damaged link is caught by base64, by inflate, by the JSON
//!   parser or by validation, but a change that survives all four (a digit
//!   inside a number, say) opens a slightly different, still valid scenario.
//!   Measured on the slice link, 18 of 2,560 single-character changes do that
//!   (`tests/errors.rs`); a 4-byte checksum would add 5 or 6 characters.
//! * Encoding is deterministic: serde writes struct fields in declaration
//!   order and the document holds no hash maps, and the compression level is
//!   fixed. The same scenario and flag always give the same text, so links
//!   can be compared and deduplicated as strings.
//!
//! # Format, version 2: an attempt at an exercise
//!
//! ```text
//! v2.e.<exercise id>.<payload>      the exercise open beside the design
//! v2.p.e.<exercise id>.<payload>    the same, playing at once
//! ```
//!
//! The payload is version 1's. An attempt names the exercise it is a design
//! for (see `v2.rs`); a plain scenario link is still written as version 1,
//! so every link that says only what version 1 could say keeps the same text
//! it always had (links are compared as strings). [`encode`] writes version 1,
//! [`encode_attempt`] version 2.
//!
//! # Format, version 3: two designs compared
//!
//! ```text
//! v3.c.<payload>    the compare view, A against B
//!
//! payload = base64url of raw DEFLATE of A's compact JSON, "\n", B's compact JSON
//! ```
//!
//! See `v3.rs`. [`encode_compare`] writes it; [`decode`] returns A as the
//! scenario and B in [`Shared::compare`].
//!
//! # Old links work forever
//!
//! Links end up in tickets, postmortems, slides and chat history, out of our
//! reach, so every link any release ever wrote must keep opening. Hence the
//! version prefix: [`decode`] dispatches on it, one module per version, and
//! each version's golden links (`tests/golden/v<N>/`) are committed and checked
//! on every test run but never regenerated once a newer version exists.
//!
//! To change the format: add a `v4` module with its own `encode` and `decode`,
//! bump [`CURRENT_VERSION`], point the encoders that need it at the new module and add
//! its arm to the dispatch in [`decode`]. Keep every older `decode`;
//! if a new version changes what a link means (a flag's default, say), migrate
//! the older results to the new meaning in their dispatch arms rather than
//! editing the frozen modules.
//!
//! The scenario document carries its own `version`, which is the engine's
//! business: [`Scenario::from_json`] is where an old document is migrated, and
//! the golden links here fail if it ever stops reading one.
//!
//! # Hostile input
//!
//! A link is text from anywhere, opened by a browser tab that must not hang or
//! crash. [`decode`] is bounded at every stage: the text's length is checked
//! before anything else ([`MAX_LINK_CHARS`]), inflating stops at
//! [`MAX_JSON_BYTES`] (a 50 MB decompression bomb is refused after 4 MiB of
//! work), serde_json limits nesting depth, and the engine's validation holds
//! every count and rate to its limits (`faultline_sim::scenario::LIMITS`). It
//! never panics: a property test and a fuzz example (`examples/fuzz.rs`)
//! check that.

use faultline_sim::{Scenario, ScenarioError};
use std::fmt;

mod v1;
mod v2;
mod v3;

pub use v2::MAX_EXERCISE_ID;

/// The link format version [`encode`] writes (a scenario link).
pub const CURRENT_VERSION: u32 = 1;

/// The link format version [`encode_attempt`] writes (an exercise attempt).
pub const ATTEMPT_VERSION: u32 = 2;

/// The link format version [`encode_compare`] writes (two designs compared).
pub const COMPARE_VERSION: u32 = 3;

/// Every link format version [`decode`] reads, oldest first.
pub const READABLE_VERSIONS: &[u32] = &[1, 2, 3];

/// The longest fragment [`decode`] looks at, in bytes (a valid link is ASCII,
/// so also in characters). Five times the link of a generated topology at the
/// engine's node limit (2,000 nodes: about 52,000 characters), within what
/// browsers accept in a URL, and small enough to refuse before any work.
pub const MAX_LINK_CHARS: usize = 256 * 1024;

/// The most JSON a link may inflate to, in bytes. Generous for any scenario a
/// person builds on the canvas; what matters is that a small hostile link
/// cannot make the browser allocate hundreds of megabytes.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// What a share link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    /// The scenario, already validated: it can be run as it is.
    pub scenario: Scenario,
    /// Start the simulation as soon as the page opens.
    pub autoplay: bool,
    /// The shipped exercise this design is an attempt at (version 2 links):
    /// the page opens it beside the design.
    pub exercise: Option<String>,
    /// A compare link's second design, B (version 3 links): the page opens
    /// its compare view with `scenario` as A and this as B.
    pub compare: Option<Box<Scenario>>,
}

/// The fragment (the text after `#`, without the `#`) of a link to `scenario`.
///
/// Always in the current format, [`CURRENT_VERSION`], and deterministic. It
/// does not check the result against [`MAX_LINK_CHARS`]: a scenario near the
/// engine's size limits can make a link that [`decode`] refuses, which callers
/// that care can detect by comparing the length.
pub fn encode(scenario: &Scenario, autoplay: bool) -> String {
    v1::encode(scenario, autoplay)
}

/// The fragment of a link to an attempt at exercise `exercise` (a shipped
/// exercise's id, see `faultline_sim::exercise::registry`) with `design` on
/// the canvas, in format [`ATTEMPT_VERSION`]. Deterministic, like [`encode`].
pub fn encode_attempt(design: &Scenario, exercise: &str, autoplay: bool) -> String {
    v2::encode(design, autoplay, exercise)
}

/// The fragment of a link that opens the compare view with `a` against `b`
/// (the same traffic and fault timeline, A's), in format
/// [`COMPARE_VERSION`]. Deterministic, like [`encode`].
pub fn encode_compare(a: &Scenario, b: &Scenario) -> String {
    v3::encode(a, b)
}

/// The scenario and flags of a link's fragment.
///
/// Accepts the fragment with or without its leading `#` and ignores
/// surrounding whitespace (what pasting tends to add). Reads every version in
/// [`READABLE_VERSIONS`]. The scenario is validated like any other document,
/// so a successful result can be run at once. Never panics, whatever the input.
pub fn decode(fragment: &str) -> Result<Shared, LinkError> {
    if fragment.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong { len: fragment.len(), max: MAX_LINK_CHARS });
    }
    let text = fragment.trim();
    let text = text.strip_prefix('#').unwrap_or(text).trim_start();
    if text.is_empty() {
        return Err(LinkError::Empty);
    }
    let (tag, body) = text.split_once('.').unwrap_or((text, ""));
    match parse_version(tag) {
        Some(1) => v1::decode(body),
        Some(2) => v2::decode(body),
        Some(3) => v3::decode(body),
        // Version 4 goes here, and the arms above keep calling their frozen
        // decoders, migrating their results if version 3 changes a meaning.
        Some(_) => Err(LinkError::UnknownVersion(tag.to_string())),
        None => Err(LinkError::NotALink),
    }
}

/// `v<N>` with N a canonical decimal (no sign, no leading zero, fits in u32).
fn parse_version(tag: &str) -> Option<u32> {
    let digits = tag.strip_prefix('v')?;
    let canonical = !digits.is_empty()
        && digits.len() <= 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.len() > 1 && digits.starts_with('0'));
    if canonical {
        digits.parse().ok()
    } else {
        None
    }
}

/// Inflates raw DEFLATE data, refusing to produce more than [`MAX_JSON_BYTES`].
fn inflate(packed: &[u8]) -> Result<Vec<u8>, LinkError> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    // One byte of headroom: miniz reports "more output" when its buffer is
    // exactly full, so a document of exactly the limit would be refused.
    match decompress_to_vec_with_limit(packed, MAX_JSON_BYTES + 1) {
        Ok(json) if json.len() <= MAX_JSON_BYTES => Ok(json),
        Ok(_) => Err(LinkError::TooLarge { max: MAX_JSON_BYTES }),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(LinkError::TooLarge { max: MAX_JSON_BYTES }),
        Err(_) => Err(LinkError::Corrupt),
    }
}

/// Parses and validates the scenario document a link carries.
fn scenario_from_json(json: &[u8]) -> Result<Scenario, LinkError> {
    let text = std::str::from_utf8(json).map_err(|_| LinkError::NotJson("it is not UTF-8 text".to_string()))?;
    // `from_json` is the engine's one way in (it validates, and it is where an
    // old document version would be migrated), so links use it too. It reports
    // broken syntax and a refused document alike; on that path only, parse
    // again to tell a damaged link from a scenario this build does not accept.
    Scenario::from_json(text).map_err(|e| match serde_json::from_str::<serde_json::Value>(text) {
        Err(syntax) => LinkError::NotJson(syntax.to_string()),
        Ok(_) => LinkError::Invalid(e),
    })
}

/// Why a link could not be opened. The `Display` text is written for the
/// person who clicked the link: it can be shown in a banner as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Nothing after the `#`.
    Empty,
    /// Longer than [`MAX_LINK_CHARS`]; refused before any work.
    TooLong { len: usize, max: usize },
    /// Does not start with a version tag (`v1.`): not a Faultline link at all.
    NotALink,
    /// A well-formed version tag (`v9`) that this build does not read.
    UnknownVersion(String),
    /// A flags field this version does not define (at most 16 characters of it).
    UnknownOption(String),
    /// An attempt link whose exercise field is not an exercise id (at most
    /// 16 characters of it).
    BadExercise(String),
    /// An attempt at an exercise this build does not ship.
    UnknownExercise(String),
    /// The payload has characters outside base64url, or an impossible length.
    NotBase64,
    /// The payload is not valid DEFLATE data: damaged or cut short.
    Corrupt,
    /// The payload inflates past [`MAX_JSON_BYTES`].
    TooLarge { max: usize },
    /// The payload inflates, but not to JSON text (the parser's message).
    NotJson(String),
    /// JSON that is not a scenario this build can run (every problem found).
    Invalid(ScenarioError),
}

/// How many of a refused scenario's problems the message lists.
const PROBLEMS_SHOWN: usize = 3;

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => write!(f, "The link has no scenario in it: there is nothing after the #."),
            LinkError::TooLong { len, max } => {
                write!(f, "The link is too long to open: {len} characters, and at most {max} are read.")
            }
            LinkError::NotALink => write!(
                f,
                "This is not a Faultline scenario link: the part after the # should start with \"v{CURRENT_VERSION}.\"."
            ),
            LinkError::UnknownVersion(tag) => {
                write!(f, "This link is in format {tag}, which this version of Faultline cannot read (it reads ")?;
                for (i, v) in READABLE_VERSIONS.iter().enumerate() {
                    write!(f, "{}v{v}", if i > 0 { ", " } else { "" })?;
                }
                write!(f, "). It was probably made by a newer Faultline: reload the page to get it.")
            }
            LinkError::UnknownOption(flags) => write!(
                f,
                "The link asks for an option this version of Faultline does not know (\"{flags}\"). \
                 It was probably made by a newer Faultline, or edited by hand."
            ),
            LinkError::BadExercise(id) => write!(
                f,
                "The link is damaged: it is an exercise attempt, but \"{id}\" is not an exercise's name. \
                 Was it edited, or cut when it was pasted?"
            ),
            LinkError::UnknownExercise(id) => write!(
                f,
                "The link is an attempt at the exercise \"{id}\", which this version of Faultline does not have. \
                 It was probably made by a newer Faultline: reload the page to get it."
            ),
            LinkError::NotBase64 => write!(
                f,
                "The link is damaged: it contains characters a share link never has. \
                 Was it edited, or changed when it was pasted?"
            ),
            LinkError::Corrupt => write!(
                f,
                "The link is damaged or incomplete: its data does not unpack. Was it cut short when it was copied?"
            ),
            LinkError::TooLarge { max } => write!(
                f,
                "The link unpacks to more than {} MiB, more than any scenario Faultline opens.",
                max / (1024 * 1024)
            ),
            LinkError::NotJson(detail) => {
                write!(f, "The link is damaged: it unpacks, but not to a scenario document ({detail}).")
            }
            LinkError::Invalid(e) => {
                write!(f, "The scenario in this link cannot be opened: ")?;
                for (i, p) in e.problems.iter().take(PROBLEMS_SHOWN).enumerate() {
                    write!(f, "{}{p}", if i > 0 { "; " } else { "" })?;
                }
                if e.problems.len() > PROBLEMS_SHOWN {
                    write!(f, "; and {} more problems", e.problems.len() - PROBLEMS_SHOWN)?;
                }
                write!(f, ".")
            }
        }
    }
}

impl std::error::Error for LinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LinkError::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_tags_are_canonical_decimals() {
        assert_eq!(parse_version("v1"), Some(1));
        assert_eq!(parse_version("v12"), Some(12));
        assert_eq!(parse_version("v999999999"), Some(999_999_999));
        for bad in ["", "v", "1", "V1", "v01", "v+1", "v-1", "v1a", "v 1", "v1234567890", "v١"] {
            assert_eq!(parse_version(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_document_of_exactly_the_limit_inflates() {
        let exact = vec![b' '; MAX_JSON_BYTES];
        let packed = miniz_oxide::deflate::compress_to_vec(&exact, 1);
        assert_eq!(inflate(&packed).map(|j| j.len()), Ok(MAX_JSON_BYTES));
        let over = vec![b' '; MAX_JSON_BYTES + 1];
        let packed = miniz_oxide::deflate::compress_to_vec(&over, 1);
        assert_eq!(inflate(&packed), Err(LinkError::TooLarge { max: MAX_JSON_BYTES }));
    }

    #[test]
    fn a_long_problem_list_is_cut_in_the_message() {
        let problems = (0..10)
            .map(|i| faultline_sim::scenario::Problem {
                path: format!("edges[{i}].to"),
                message: "no such node".into(),
            })
            .collect();
        let text = LinkError::Invalid(ScenarioError { problems }).to_string();
        assert!(text.contains("edges[2].to") && !text.contains("edges[3].to"), "{text}");
        assert!(text.ends_with("and 7 more problems."), "{text}");
    }
}
