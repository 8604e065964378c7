//! The App's side of compare mode: its entry points (a preset's "Compare
//! before/after", "Compare with current" in My designs, a compare link), the
//! command that runs both designs in the engine's worker, and the view.
//!
//! Why a module of its own: compare mode reads the document but never
//! changes it, and never touches the live run (the worker answers
//! `Command::Compare` from runs of their own), so it sits apart from the
//! handlers that edit and run the design. The answer comes back through
//! `reports.rs` into the compare reducer (`crate::compare`).

use super::Ui;
use crate::compare::{CompareAction, Open};
use crate::components::CompareView;
use crate::engine::Engine;
use crate::hooks::use_latest_callback;
use crate::library::Library;
use crate::share;
use crate::state::{Action, PlayState};
use faultline_live::Command as EngineCommand;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

pub(super) struct Compare {
    /// The view, while a compare is open.
    pub view: Option<Html>,
    /// The open compare's link (the Share panel offers it).
    pub link: Option<String>,
    /// Library entry `i`: its before against its after.
    pub on_preset: Callback<usize>,
    /// The current design against a saved one.
    pub on_design: Callback<Scenario>,
    /// A compare link's two designs (A, B).
    pub on_link: Callback<(Scenario, Scenario)>,
}

#[hook]
pub(super) fn use_compare(
    state: &UseReducerHandle<PlayState>,
    ui: &Ui,
    engine: &Rc<Engine>,
    library: Option<&Rc<Library>>,
    from_boot: Option<(Scenario, Scenario)>,
) -> Compare {
    let c = ui.compare.clone();
    // Each new compare goes to the engine once.
    {
        let engine = Rc::clone(engine);
        let open = c.open.clone();
        use_effect_with(open.as_ref().map(|o| o.id), move |_| {
            if let Some(Open { id, a, b, result: None, .. }) = open {
                engine.send(EngineCommand::Compare { id, a: Box::new((*a).clone()), b: Box::new((*b).clone()) });
            }
        });
    }
    // A compare link the page was opened with.
    {
        let d = c.dispatcher();
        use_effect_with((), move |_| {
            if let Some((a, b)) = from_boot {
                d.dispatch(CompareAction::Start { a: Box::new(a), b: Box::new(b), opener: "share" });
            }
        });
    }
    let on_preset = {
        let (d, library, msg) = (c.dispatcher(), library.cloned(), state.dispatcher());
        Callback::from(move |i: usize| {
            let Some(library) = &library else { return };
            let Some(e) = library.entries.get(i) else { return };
            let Some(after) = &e.after else { return };
            match (library.scenario(&e.before), library.scenario(after)) {
                (Ok(a), Ok(b)) => {
                    d.dispatch(CompareAction::Start { a: Box::new(a), b: Box::new(b), opener: "compare-before-after" })
                }
                (Err(e), _) | (_, Err(e)) => msg.dispatch(Action::Message(Some(e))),
            }
        })
    };
    let on_design = {
        let (d, doc, panel) = (c.dispatcher(), Rc::clone(&state.doc), ui.panel.clone());
        Callback::from(move |saved: Scenario| {
            panel.set(None);
            d.dispatch(CompareAction::Start { a: Box::new((*doc).clone()), b: Box::new(saved), opener: "designs" });
        })
    };
    let on_link = {
        let d = c.dispatcher();
        Callback::from(move |(a, b): (Scenario, Scenario)| {
            d.dispatch(CompareAction::Start { a: Box::new(a), b: Box::new(b), opener: "share" })
        })
    };
    let link = use_memo(c.open.as_ref().map(|o| (Rc::clone(&o.a), Rc::clone(&o.b))), |open| {
        open.as_ref().map(|(a, b)| share::compare_link_for(a, b))
    });
    let view = c.open.clone().map(|open| {
        let d = c.dispatcher();
        let on_close = Callback::from(move |()| d.dispatch(CompareAction::Close));
        let id = open.id;
        html! { <CompareView key={id} {open} link={(*link).clone().unwrap_or_default()} {on_close} /> }
    });
    Compare {
        view,
        link: (*link).clone(),
        on_preset: use_latest_callback(on_preset),
        on_design: use_latest_callback(on_design),
        on_link: use_latest_callback(on_link),
    }
}
