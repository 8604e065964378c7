//! What the page opens with, in order of precedence:
//!
//! 1. `?generate=N`: an N-node layered topology (the frame-time benchmark);
//! 2. a share link in the fragment (`#v1...`), or an exercise attempt
//!    (`#v2.e...`: the exercise opens beside the design it carries); a
//!    compare link (`#v3.c...`) opens the compare view over what follows;
//! 3. the autosaved design, so a reload or a crashed tab loses nothing;
//! 4. the built-in slice.
//!
//! A link that cannot be opened leaves the user's autosaved work in place
//! and says why. A link pasted into a tab that is already open is opened
//! the same way (`app/address.rs`), with [`linked`] and [`keep_before_link`].

use crate::editor::layout::auto_layout;
use crate::{share, storage};
use faultline_sim::scenario::generated::layered;
use faultline_sim::{slice_scenario, Scenario};

/// Largest topology `?generate=` builds.
pub const MAX_GENERATED: u32 = 2_000;

pub struct Startup {
    pub doc: Scenario,
    /// Something the user should know (a link that failed to open, ...).
    pub message: Option<String>,
    /// The link asked to start playing.
    pub autoplay: bool,
    /// `?embed=1`: a read-only view with play and pause.
    pub embed: bool,
    /// The document came from the address, not from storage.
    pub from_link: bool,
    /// The link is an attempt at this exercise: open it beside the design.
    pub exercise: Option<String>,
    /// A compare link's two designs (A, B): the compare view opens over the
    /// user's own design, which stays as it was.
    pub compare: Option<(Scenario, Scenario)>,
    /// Not the user's work (a generated benchmark topology, an embedded
    /// view): never autosaved over what they have.
    pub transient: bool,
}

/// The value of query parameter `name`, if present.
pub fn query_param(name: &str) -> Option<String> {
    let search = gloo::utils::window().location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| v.to_string())
    })
}

pub fn startup() -> Startup {
    let embed = query_param("embed").is_some_and(|v| v != "0");
    let mut s = Startup {
        doc: slice_scenario(),
        message: None,
        autoplay: false,
        embed,
        from_link: false,
        exercise: None,
        compare: None,
        transient: embed,
    };
    if let Some(n) = query_param("generate").and_then(|v| v.parse::<u32>().ok()) {
        s.doc = layered(n.clamp(6, MAX_GENERATED), 2, 1, 600_000);
        s.doc.name = format!("Generated: {} nodes", s.doc.nodes.len());
        auto_layout(&mut s.doc);
        s.transient = true;
        return s;
    }
    match share::at_start() {
        Some(Ok(faultline_link::Shared { scenario, compare: Some(b), .. })) => s.compare = Some((scenario, *b)),
        Some(Ok(shared)) => {
            if !embed {
                if let Ok(Some(previous)) = storage::load_autosave() {
                    keep_before_link(previous, &shared.scenario);
                }
            }
            s.doc = linked(shared.scenario);
            s.autoplay = shared.autoplay;
            s.from_link = true;
            s.exercise = shared.exercise;
            return s;
        }
        Some(Err(e)) => s.message = Some(e),
        None => {}
    }
    if !embed {
        match storage::load_autosave() {
            Ok(Some(doc)) => s.doc = doc,
            Ok(None) => {}
            Err(e) => s.message = Some(s.message.map_or(e.clone(), |m| format!("{m}\n{e}"))),
        }
    }
    s
}

/// The design a link carries, laid out for the canvas.
pub fn linked(mut doc: Scenario) -> Scenario {
    auto_layout(&mut doc);
    doc
}

/// Opening a link replaces the autosave; a different design that was there
/// (`previous`) goes into "My designs" first, so opening a link never loses
/// work.
pub fn keep_before_link(previous: Scenario, incoming: &Scenario) {
    if previous == *incoming {
        return;
    }
    let Ok(mut list) = storage::designs() else { return };
    if list.iter().any(|d| d.scenario == previous) {
        return;
    }
    let base = if previous.name.is_empty() { "Autosaved design".to_string() } else { previous.name.clone() };
    let name = storage::unique_name(&list, &format!("{base} (before opening a link)"));
    list.push(storage::Design { name, saved_ms: 0.0, scenario: previous });
    let _ = storage::save_designs(&list);
}
