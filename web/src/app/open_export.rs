//! The App's callbacks for whole designs: opening one (a preset, a saved
//! design, a file, a pasted link) and exporting (JSON, PNG, SVG, CSV), and
//! the menu buttons that open their panels.
//!
//! Why a module of its own: these replace the document wholesale or copy it
//! out, unlike the small edits of `handlers.rs`; they share [`loader`], the
//! one way a design is opened (undoable, panels closed, camera fitted).
//! Like every App handler they are stable across renders
//! (`use_latest_callback`), so the panels and menus skip renders while the
//! run plays.

use super::engine_wiring::runner_for;
use super::handlers::Dispatcher;
use super::Ui;
use crate::components::Panel;
use crate::engine::Engine;
use crate::files;
use crate::hooks::use_latest_callback;
use crate::library::Library;
use crate::state::{Action, PlayState};
use faultline_live::Command as EngineCommand;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// Opens `doc` in place of the design (undo goes back): panels close, the
/// camera fits it, an old message goes.
pub(super) fn loader(d: &Dispatcher, ui: &Ui) -> Callback<Scenario> {
    let (d, panel, camera, navigated) = (d.clone(), ui.panel.clone(), ui.camera.clone(), ui.navigated.clone());
    Callback::from(move |doc: Scenario| {
        panel.set(None);
        camera.set(None);
        navigated.set(false);
        d.dispatch(Action::Load(doc));
        d.dispatch(Action::Message(None));
    })
}

pub(super) struct OpenExport {
    pub on_toggle: Callback<Panel>,
    pub on_open_preset: Callback<(usize, bool)>,
    pub on_open_design: Callback<Scenario>,
    pub on_export_json: Callback<()>,
    pub on_export_svg: Callback<()>,
    pub on_export_png: Callback<()>,
    pub on_export_csv: Callback<()>,
    pub on_import: Callback<web_sys::File>,
    /// A `.json` file dropped anywhere on the page is imported.
    pub on_page_dragover: Callback<DragEvent>,
    pub on_page_drop: Callback<DragEvent>,
}

#[hook]
pub(super) fn use_open_export(
    state: &UseReducerHandle<PlayState>,
    ui: &Ui,
    engine: &Rc<Engine>,
    library: Option<&Rc<Library>>,
) -> OpenExport {
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let d = state.dispatcher();
    let doc = Rc::clone(&state.doc);
    let load = loader(&d, ui);
    let on_toggle = {
        let panel = ui.panel.clone();
        Callback::from(move |p: Panel| panel.set(if *panel == Some(p) { None } else { Some(p) }))
    };
    let on_open_preset = {
        let (d, library, narrative, load) = (d.clone(), library.cloned(), ui.narrative.clone(), load.clone());
        Callback::from(move |(i, after): (usize, bool)| {
            let Some(library) = &library else { return };
            let Some(e) = library.entries.get(i) else { return };
            let name = if after { e.after.clone().unwrap_or_else(|| e.before.clone()) } else { e.before.clone() };
            match library.scenario(&name) {
                Ok(doc) => {
                    load.emit(doc);
                    narrative.set(Some((i, after)));
                }
                Err(e) => d.dispatch(Action::Message(Some(e))),
            }
        })
    };
    let on_open_design = {
        let (narrative, load) = (ui.narrative.clone(), load.clone());
        Callback::from(move |doc: Scenario| {
            narrative.set(None);
            load.emit(doc);
        })
    };
    let say = {
        let d = d.clone();
        move |r: Result<(), String>| {
            if let Err(e) = r {
                d.dispatch(Action::Message(Some(e)));
            }
        }
    };
    let on_export_json = {
        let (doc, say) = (Rc::clone(&doc), say.clone());
        Callback::from(move |_| {
            say(files::download(&format!("{}.json", files::file_stem(&doc)), "application/json", &doc.to_json_pretty()))
        })
    };
    let on_export_svg = {
        let (doc, say) = (Rc::clone(&doc), say.clone());
        Callback::from(move |_| {
            say(files::canvas_svg()
                .and_then(|svg| files::download(&format!("{}.svg", files::file_stem(&doc)), "image/svg+xml", &svg)))
        })
    };
    let on_export_png = {
        let (doc, say) = (Rc::clone(&doc), say.clone());
        Callback::from(move |_| say(files::export_png(format!("{}.png", files::file_stem(&doc)))))
    };
    let on_export_csv = {
        let run = runner_for(engine, state);
        let blocked = state.blocked.is_some();
        Callback::from(move |_| {
            if blocked {
                return say(Err("This design cannot run yet, so it has no series to export.".into()));
            }
            // The engine answers with the CSV, which `reports.rs` downloads.
            run(EngineCommand::Csv);
        })
    };
    let on_import = {
        let (d, narrative, panel) = (d.clone(), ui.narrative.clone(), ui.panel.clone());
        Callback::from(move |file: web_sys::File| {
            let (d, narrative, load, panel) = (d.clone(), narrative.clone(), load.clone(), panel.clone());
            let name = file.name();
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                let read = text.map_err(|e| format!("{name} could not be read: {e}."));
                match read.and_then(|t| crate::plain_file::read_design(&name, &t)) {
                    Ok(doc) => {
                        narrative.set(None);
                        load.emit(doc);
                    }
                    // The design on the canvas stays as it was; the File
                    // panel closes so the notice is seen.
                    Err(e) => {
                        panel.set(None);
                        d.dispatch(Action::Message(Some(e)));
                    }
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let on_import = use_latest_callback(on_import);
    let on_page_dragover = Callback::from(|ev: DragEvent| {
        if ev.data_transfer().is_some_and(|dt| dt.types().includes(&"Files".into(), 0)) {
            ev.prevent_default();
        }
    });
    let on_page_drop = {
        let on_import = on_import.clone();
        Callback::from(move |ev: DragEvent| {
            if let Some(f) = ev.data_transfer().and_then(|dt| dt.files()).and_then(|l| l.get(0)) {
                ev.prevent_default();
                on_import.emit(f);
            }
        })
    };
    OpenExport {
        on_toggle: use_latest_callback(on_toggle),
        on_open_preset: use_latest_callback(on_open_preset),
        on_open_design: use_latest_callback(on_open_design),
        on_export_json: use_latest_callback(on_export_json),
        on_export_svg: use_latest_callback(on_export_svg),
        on_export_png: use_latest_callback(on_export_png),
        on_export_csv: use_latest_callback(on_export_csv),
        on_import,
        on_page_dragover,
        on_page_drop,
    }
}
