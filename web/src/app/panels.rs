//! What the App shows over or beside the canvas: the open menu's panel
//! (Library, My designs, File, Share), a preset's narrative, the notices
//! (a message, why the design cannot run) and the right-click fault menu.
//!
//! Why a module of its own: each of these is shown only some of the time and
//! only reads what the App hands it; as functions apart from `App` they keep
//! its render to the page's layout.

use super::compare_wiring::Compare;
use super::open_export::OpenExport;
use super::Ui;
use crate::catalog::Load;
use crate::components::{DesignsPanel, FaultBar, FilePanel, Injection, LibraryPanel, Narrative, Panel, SharePanel};
use crate::library::Library;
use crate::state::{PlayState, Selection};
use std::rc::Rc;
use yew::prelude::*;

/// The open menu's panel, if any.
pub(super) fn panel(
    open: Option<Panel>,
    state: &PlayState,
    library: &Load<Library>,
    files: &OpenExport,
    on_message: &Callback<Option<String>>,
    on_new: &Callback<()>,
    compare: &Compare,
) -> Option<Html> {
    let doc = &state.doc;
    Some(match open? {
        Panel::Library => {
            let entries = library.ready().map(|l| Rc::clone(&l.entries)).unwrap_or_default();
            html! { <LibraryPanel {entries} status={library.status("library")} on_open={files.on_open_preset.clone()} /> }
        }
        Panel::Designs => html! {
            <DesignsPanel doc={Rc::clone(doc)} on_open={files.on_open_design.clone()} on_message={on_message.clone()}
                on_compare={compare.on_design.clone()} />
        },
        Panel::File => html! {
            <FilePanel on_export_json={files.on_export_json.clone()} on_import={files.on_import.clone()}
                on_export_png={files.on_export_png.clone()} on_export_svg={files.on_export_svg.clone()}
                on_export_csv={files.on_export_csv.clone()} on_new={on_new.clone()} />
        },
        Panel::Share => html! {
            <SharePanel doc={Rc::clone(doc)} blocked={state.blocked.is_some()} on_export_json={files.on_export_json.clone()}
                compare_link={compare.link.clone().map(AttrValue::from)} />
        },
        // Shown by the App from their own modules (exercise_wiring, the review).
        Panel::Exercises | Panel::Review => return None,
    })
}

/// The narrative of the preset opened from the library, if one is, and
/// whether it is expanded.
pub(super) fn narrative(
    ui: &Ui,
    library: Option<&Library>,
    on_open: &Callback<(usize, bool)>,
    on_compare: &Callback<usize>,
) -> Option<(Html, bool)> {
    let (i, after) = (*ui.narrative)?;
    let entry = library?.entries.get(i)?.clone();
    let open = *ui.narrative_open;
    let on_toggle = {
        let narrative_open = ui.narrative_open.clone();
        Callback::from(move |open| narrative_open.set(open))
    };
    let on_compare = on_compare.clone();
    Some((
        html! { <Narrative {entry} index={i} {after} {open} on_open={on_open.clone()} {on_toggle} {on_compare} /> },
        open,
    ))
}

/// A message for the user over the canvas, and (`with_blocked`, the
/// embedded view) why the design cannot run yet.
pub(super) fn notices(state: &PlayState, with_blocked: bool) -> Html {
    html! {
        <div class="notices">
            if let Some(message) = &state.message {
                <div class="message" role="status" data-testid="message">{ message.clone() }</div>
            }
            if let (Some(why), true) = (&state.blocked, with_blocked) {
                <div class="message blocked" role="status" data-testid="blocked">{ why.clone() }</div>
            }
        </div>
    }
}

/// Why the design cannot run yet, as a strip above the canvas rather than
/// over it: it stays while the design is unfinished, so it must not hide
/// the cards it talks about (the canvas gives it the height it takes).
pub(super) fn blocked_strip(state: &PlayState) -> Html {
    let Some(why) = &state.blocked else { return html! {} };
    html! {
        <div class="blocked-strip" role="status" data-testid="blocked">{ why.clone() }</div>
    }
}

/// The fault menu a right-click opened at client (x, y): the fault bar for
/// the selection, closed by using a fault button or clicking elsewhere.
pub(super) fn context_menu(
    ui: &Ui,
    (x, y): (f64, f64),
    state: &PlayState,
    selected: Option<Selection>,
    down: bool,
    on_inject: Callback<Injection>,
) -> Html {
    let close = {
        let context = ui.context.clone();
        Callback::from(move |_: MouseEvent| context.set(None))
    };
    // A fault button was used: done. (Typing a strength is not.)
    let on_menu_click = {
        let close = close.clone();
        Callback::from(move |ev: MouseEvent| {
            use wasm_bindgen::JsCast;
            let on_button = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| el.tag_name() == "BUTTON");
            if on_button {
                close.emit(ev);
            }
        })
    };
    let on_clear_context = close.reform(|ev: MouseEvent| {
        ev.prevent_default();
        ev
    });
    html! {
        <>
            <div class="overlay-clear" onclick={close} oncontextmenu={on_clear_context} />
            <div class="context-menu" data-testid="context-menu" role="menu" style={format!("left: {x}px; top: {y}px")}
                onclick={on_menu_click}>
                <FaultBar scenario={Rc::clone(&state.doc)} {selected} {down} at_ms={*ui.pick} {on_inject} />
            </div>
        </>
    }
}
