//! The root component: holds the document, talks to the engine, turns the
//! components' intents into edits, and keeps the engine following the
//! document (see `state.rs`). The engine runs in a Web Worker (`engine.rs`).
//!
//! `App` itself is the page's layout; each of its jobs has a module named
//! for it: `engine_wiring` (the engine follows the page, the frame loop),
//! `reports` (the engine's answers), `handlers` (editing and running),
//! `open_export` (opening and exporting whole designs), `address` (share
//! links, at startup and pasted later), `persistence` (autosave),
//! `key_listener` and `keys` (shortcuts), `panels` (menus' panels, notices,
//! the fault menu), `placement` (where cards land), `interview_wiring`
//! (interview mode and its failure drill), `compare_wiring` (two designs on
//! the same traffic, side by side).

use crate::components::canvas::camera::Camera;
use crate::components::canvas::particle_layer::ParticleLayer;
use crate::components::timeline::describe;
use crate::components::violation::ViolationHost;
use crate::components::{
    Canvas, Charts, ConnectPicker, Controls, FaultBar, Inspector, KindChart, LearnChips, LintPanel, Menus, Palette,
    Panel, Shortcuts, SkipLink, Summary, Timeline, Title,
};
use crate::exercises::ExerciseState;
use crate::modal::Modal;
use crate::particles::Particles;
use crate::state::{PlayState, Selection};
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

mod address;
mod compare_wiring;
mod engine_wiring;
mod exercise_wiring;
mod handlers;
mod interview_wiring;
mod key_listener;
mod keys;
mod open_export;
mod panels;
mod persistence;
pub(crate) mod placement;
mod reports;
mod seed;

/// Query parameter that makes the app panic on purpose, so the end-to-end
/// tests can prove a panic reaches the console and the error banner.
pub const PANIC_TEST_PARAM: &str = "panic-test";

/// Where the canvas's skip links send focus: the fault bar under the top
/// bar; the palette (or, on a phone, the button that opens it).
const FAULT_BAR: &[&str] = &[".centre > .fault-bar"];
const PALETTE: &[&str] = &[".palette-side", "[data-testid=drawer-palette]"];

/// The page's own state beside the document: the camera, what is open, the
/// fault time picked on the timeline.
#[derive(Clone)]
pub(crate) struct Ui {
    /// Where the learner moved the camera, or where it followed a card added
    /// out of view; `None`: the document's fit (`camera_of`).
    pub camera: UseStateHandle<Option<Camera>>,
    /// The learner moved the camera (pan, zoom): the minimap shows. A camera
    /// that only followed an added card does not show it (it would cover
    /// cards).
    pub navigated: UseStateHandle<bool>,
    pub panel: UseStateHandle<Option<Panel>>,
    /// The fault menu opened by a right-click, at these client coordinates.
    pub context: UseStateHandle<Option<(f64, f64)>>,
    /// The library entry whose narrative is shown, and which side of it.
    pub narrative: UseStateHandle<Option<(usize, bool)>>,
    /// The narrative expanded into a side panel (else collapsed to a strip).
    pub narrative_open: UseStateHandle<bool>,
    /// When the next fault lands, picked on the timeline (`None`: now).
    pub pick: UseStateHandle<Option<u64>>,
    /// The keyboard shortcuts overlay.
    pub help: UseStateHandle<bool>,
    /// The open exercise, its check and the learner's progress.
    pub exercise: UseReducerHandle<ExerciseState>,
    /// The fault block picked on the timeline (Delete deletes it). Picking
    /// one clears the canvas's selection, and selecting on the canvas hides
    /// it: only one thing looks selected, and Delete acts on that.
    pub fault: UseStateHandle<Option<usize>>,
    /// The list of targets for connecting this node from the keyboard.
    pub connect: UseStateHandle<Option<usize>>,
    /// On a narrow screen, which side drawer is out.
    pub drawer: UseStateHandle<Option<Drawer>>,
    /// The open compare (two designs on the same traffic) and its answer.
    pub compare: UseReducerHandle<crate::compare::CompareState>,
    /// The shipped library and exercises, fetched when first needed.
    pub catalog: UseReducerHandle<crate::catalog::Catalog>,
}

/// What the canvas shows: where the learner moved the camera, else the fit
/// that goes with the document (`PlayState::fit`: the design as opened, not
/// refitted by edits).
pub(super) fn camera_of(ui: &Ui, state: &PlayState) -> Camera {
    (*ui.camera).unwrap_or(state.fit)
}

/// The side columns, drawers on a narrow screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Drawer {
    Palette,
    Inspector,
}

/// The test id of the button that opens `panel` (focus goes back to it when
/// the panel closes).
fn opener(panel: Panel) -> &'static str {
    match panel {
        Panel::Library => "library",
        Panel::Designs => "designs",
        Panel::File => "file-menu",
        Panel::Share => "share",
        Panel::Exercises => "exercises",
        Panel::Review => "review",
    }
}

#[hook]
fn use_ui() -> Ui {
    Ui {
        camera: use_state(|| None),
        navigated: use_state(|| false),
        panel: use_state(|| None),
        context: use_state(|| None),
        narrative: use_state(|| None),
        narrative_open: use_state(|| true),
        pick: use_state(|| None),
        help: use_state(|| false),
        exercise: use_reducer(|| ExerciseState::new(crate::exercises::load_progress())),
        fault: use_state(|| None),
        connect: use_state(|| None),
        drawer: use_state(|| None),
        compare: use_reducer(crate::compare::CompareState::default),
        catalog: use_reducer(crate::catalog::Catalog::default),
    }
}

/// The charts' title for a selection.
fn subject_name(doc: &Scenario, selected: Option<Selection>) -> String {
    match selected {
        Some(Selection::Node(i)) if i < doc.nodes.len() => doc.nodes[i].display_name().to_string(),
        Some(Selection::Edge(i)) if i < doc.edges.len() => format!("{} → {}", doc.edges[i].from, doc.edges[i].to),
        _ => "whole system".into(),
    }
}

/// The chart the selected node's kind adds: a cache's hit ratio, a
/// database's load per shard (drawn once it has shards).
fn kind_chart_of(doc: &Scenario, selected: Option<Selection>) -> Option<KindChart> {
    let Some(Selection::Node(i)) = selected else { return None };
    match doc.nodes.get(i).map(|n| &n.kind)? {
        faultline_sim::scenario::NodeKind::Cache(_) => Some(KindChart::HitRatio),
        faultline_sim::scenario::NodeKind::Database(_) => Some(KindChart::ShardLoad),
        _ => None,
    }
}

/// When a partitioned link's charts show the calls it stops: they are
/// lost, and the caller counts each on the link as a timeout when its
/// timeout runs out (in flight until then), or never, without a timeout.
fn cut_note(doc: &Scenario, selected: Option<Selection>, cut: bool) -> Option<AttrValue> {
    let Some(Selection::Edge(i)) = selected else { return None };
    let e = doc.edges.get(i).filter(|_| cut)?;
    let from = &e.from;
    Some(
        match e.timeout_ms {
            Some(t) => format!(
                "This link is partitioned: the calls it stops are lost. {from} gives up on each after its {} timeout, \
             and it counts here then, as a timeout (in flight until then).",
                crate::format::duration_short(t)
            ),
            None => format!(
                "This link is partitioned and has no timeout: {from} waits for the calls it stops for ever, so they \
             stay in flight here and never count as failed."
            ),
        }
        .into(),
    )
}

#[component]
pub fn App() -> Html {
    let boot = use_memo((), |_| crate::startup::startup());
    let initial = use_memo((), |_| boot.doc.clone());
    let embed = boot.embed;
    let state = {
        let initial = Rc::clone(&initial);
        use_reducer(move || PlayState::new((*initial).clone()))
    };
    let ui = use_ui();
    // The library comes from the site when its panel first opens (`catalog.rs`).
    {
        let catalog = ui.catalog.clone();
        use_effect_with(*ui.panel == Some(Panel::Library), move |open| {
            if *open {
                crate::catalog::want_library(&catalog);
            }
        });
    }
    let library = ui.catalog.library.ready().cloned();
    let particles = use_mut_ref(Particles::default);
    let particle_layer = use_memo((), |_| ParticleLayer::default());

    let engine = engine_wiring::use_engine(
        &state,
        &particles,
        &particle_layer,
        ui.exercise.dispatcher(),
        ui.compare.dispatcher(),
    );
    let h = handlers::use_handlers(&state, &ui, &engine);
    let files = open_export::use_open_export(&state, &ui, &engine, library.as_ref());
    let interview = interview_wiring::use_interview(&state, &ui, &engine, boot.transient);
    let compare = compare_wiring::use_compare(&state, &ui, &engine, library.as_ref(), boot.compare.clone());
    let exercises = exercise_wiring::use_exercises(
        &state,
        &ui,
        &engine,
        boot.exercise.clone(),
        &interview.on_start,
        interview.on_exercise,
    );
    // The design review: recomputed whenever the design changes, not when
    // cards only moved (positions play no part in it; see `moved_only`).
    let warnings = crate::hooks::use_design_memo(&state.doc, faultline_sim::lint::lint);
    let lint_marks = use_memo(Rc::clone(&warnings), |w| {
        use crate::components::{canvas::lint_marks::marks, lint_panel::target};
        marks(w.iter().filter_map(|w| Some((target(&w.path)?, w.why.clone()))))
    });
    {
        // A link opened in place closes the narrative, like a design from a file.
        let (load, narrative) = (open_export::loader(&state.dispatcher(), &ui), ui.narrative.clone());
        let open_link = Callback::from(move |doc: Scenario| {
            narrative.set(None);
            load.emit(doc);
        });
        let ex = ui.exercise.dispatcher();
        let open_exercise = Callback::from(move |id| ex.dispatch(crate::exercises::ExerciseAction::Open(id)));
        address::use_address(&boot, &state.doc, state.dispatcher(), open_link, open_exercise, compare.on_link.clone());
    }
    persistence::use_autosave(&state.doc, boot.transient, state.dispatcher());
    key_listener::use_shortcuts(&state, &ui, embed, h.on_fault_delete.clone());

    use_effect_with((), |_| {
        let search = gloo::utils::window().location().search().unwrap_or_default();
        if search.contains(PANIC_TEST_PARAM) {
            panic!("deliberate panic requested by ?{PANIC_TEST_PARAM}");
        }
    });

    let doc = Rc::clone(&state.doc);
    // What the charts and the run summary show: the engine sends them once per simulated second.
    let primary = state.primary();
    let series = Rc::clone(&state.series);
    let kind_chart = kind_chart_of(&doc, primary);
    let kind_series = Rc::clone(&state.kind_series);
    let report = state.summary.clone();
    let markers =
        use_memo(Rc::clone(&doc), |doc| doc.faults.iter().map(|f| (f.at_ms, describe(f))).collect::<Vec<_>>());
    let faults = use_memo(Rc::clone(&doc), |doc| doc.faults.clone());

    let selected_down = match primary {
        Some(Selection::Node(i)) => state.view.nodes.get(i).is_some_and(|n| n.down),
        Some(Selection::Edge(i)) => state.view.cut.get(i).copied().unwrap_or(false),
        None => false,
    };
    let close_help = {
        let help = ui.help.clone();
        Callback::from(move |_| help.set(false))
    };
    let open_help = {
        let help = ui.help.clone();
        Callback::from(move |_: MouseEvent| help.set(true))
    };
    // File > New design: a blank canvas, loaded like a file (so undoable).
    let on_new = {
        let (load, narrative) = (open_export::loader(&state.dispatcher(), &ui), ui.narrative.clone());
        Callback::from(move |()| {
            narrative.set(None);
            load.emit(interview_wiring::blank("New design"));
        })
    };
    // The title, renamed in place: an edit like any other (undone by Undo).
    let on_rename = {
        let (doc, on_edit) = (Rc::clone(&doc), h.on_edit.clone());
        Callback::from(move |name: String| {
            let mut next = (*doc).clone();
            next.name = name;
            on_edit.emit(next);
        })
    };
    let close_panel = {
        let panel = ui.panel.clone();
        Callback::from(move |()| panel.set(None))
    };
    let connect_picker = (*ui.connect).map(|from| {
        let connect = ui.connect.clone();
        html! {
            <ConnectPicker doc={Rc::clone(&doc)} {from} on_connect={h.on_connect.clone()}
                on_close={Callback::from(move |()| connect.set(None))} />
        }
    });
    // The timeline's picked block shows only while nothing is selected on the canvas.
    let chosen_fault = if state.selection.is_empty() { *ui.fault } else { None };
    let on_choose_fault = {
        let (fault, on_select) = (ui.fault.clone(), h.on_select.clone());
        Callback::from(move |i: Option<usize>| {
            if i.is_some() {
                on_select.emit(Vec::new());
            }
            fault.set(i);
        })
    };
    let drawer = |which: Drawer, testid: &'static str, label: &'static str| {
        let (d, open) = (ui.drawer.clone(), *ui.drawer == Some(which));
        let onclick = Callback::from(move |_: MouseEvent| d.set(if open { None } else { Some(which) }));
        html! {
            <button class={classes!("btn", "small", "drawer-toggle", open.then_some("open"))} data-testid={testid}
                aria-expanded={open.to_string()} {onclick}>{ label }</button>
        }
    };
    let drawer_class = |which: Drawer| (*ui.drawer == Some(which)).then_some("drawer-open");
    // On a phone the palette drawer closes once it has added a card, so the
    // card shows; a press beside a drawer closes it.
    let on_add = {
        let (add, drawer) = (h.on_add.clone(), ui.drawer.clone());
        crate::hooks::use_latest_callback(Callback::from(move |kind: String| {
            drawer.set(None);
            add.emit(kind);
        }))
    };
    let close_drawer = {
        let drawer = ui.drawer.clone();
        Callback::from(move |_: MouseEvent| drawer.set(None))
    };

    let panel_view = match *ui.panel {
        Some(Panel::Exercises) => Some(exercises.panel),
        Some(Panel::Review) => {
            Some(html! { <LintPanel warnings={Rc::clone(&warnings)} on_select={h.on_select.clone()} /> })
        }
        open => panels::panel(open, &state, &ui.catalog.library, &files, &h.on_message, &on_new, &compare),
    };
    // An open exercise takes the story's place beside the canvas.
    let exercise_open = exercises.aside.as_ref().is_some_and(|(_, open)| *open);
    let narrative_view = exercises
        .aside
        .or_else(|| panels::narrative(&ui, library.as_deref(), &files.on_open_preset, &compare.on_preset));
    let notices = panels::notices(&state, embed);
    let controls = html! {
        <Controls playing={state.playing} finished={state.finished() || state.blocked.is_some()} now_ms={state.view.now_ms}
            end_ms={state.view.end_ms} on_play={h.on_play.clone()} on_pause={h.on_pause.clone()} on_reset={h.on_reset.clone()}
            speed={state.speed} achieved={state.achieved} on_speed={h.on_speed.clone()} on_step={h.on_step.clone()}
            seed={doc.seed} on_seed={h.on_seed.clone()} on_message={h.on_message.clone()} />
    };
    // Embedded views are read-only: the canvas pans and zooms, nothing edits.
    let (on_move, on_connect, on_drop_kind, on_context) = if embed {
        (Callback::noop(), Callback::noop(), Callback::noop(), Callback::noop())
    } else {
        (h.on_move.clone(), h.on_connect.clone(), h.on_drop_kind.clone(), h.on_context.clone())
    };
    let canvas = html! {
        <Canvas doc={Rc::clone(&doc)} view={Rc::clone(&state.view)} summary={report.clone().map(crate::same::Same)} selection={state.selection.clone()}
            particles={Rc::clone(&particle_layer)} camera={camera_of(&ui, &state)} navigated={*ui.navigated} on_camera={h.on_camera.clone()}
            on_select={h.on_select.clone()} {on_move} {on_connect} {on_drop_kind} {on_context}
            lint={if embed { Rc::default() } else { Rc::clone(&lint_marks) }} />
    };
    if embed {
        // Read-only: the design runs, nothing edits it.
        let full = gloo::utils::window().location().href().unwrap_or_default().replace("embed=1", "embed=0");
        return html! {
            <div class="shell embed">
                <header class="topbar">
                    <div class="brand"><span class="logo">{ "⚡" }</span>{ "Faultline" }</div>
                    <div class="scenario-name">{ doc.name.clone() }</div>
                    { controls }
                    <a class="btn small" href={full} target="_blank" rel="noopener" data-testid="open-full">{ "Open in Faultline" }</a>
                </header>
                <main class="stage">{ notices }{ canvas }</main>
                <Summary view={Rc::clone(&state.view)} report={report} />
            </div>
        };
    }

    html! {
        <div class="shell" ondragover={files.on_page_dragover.clone()} ondrop={files.on_page_drop.clone()}>
            <header class="topbar">
                <div class="brand"><span class="logo" aria-hidden="true">{ "⚡" }</span><span class="brand-name">{ "Faultline" }</span></div>
                <Menus open={*ui.panel} on_toggle={files.on_toggle.clone()} />
                <div class="drawer-toggles">
                    { drawer(Drawer::Palette, "drawer-palette", "+ Add") }
                    { drawer(Drawer::Inspector, "drawer-inspector", "Inspector") }
                </div>
                <div class="edit-controls" role="toolbar" aria-label="Edit">
                    <button class="btn small" data-testid="undo" onclick={h.on_undo.reform(|_: MouseEvent| ())}
                        disabled={!state.history.can_undo()} aria-label="Undo" title="Undo (Ctrl+Z)">{ "↶" }</button>
                    <button class="btn small" data-testid="redo" onclick={h.on_redo.reform(|_: MouseEvent| ())}
                        disabled={!state.history.can_redo()} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">{ "↷" }</button>
                    <button class="btn small" data-testid="help" onclick={open_help} aria-label="Keyboard shortcuts"
                        aria-haspopup="dialog" title="Keyboard shortcuts (?)">{ "?" }</button>
                </div>
                <Title name={doc.name.clone()} {on_rename} on_message={h.on_message.clone()} />
                { controls }
            </header>
            if let (Some(view), Some(open)) = (panel_view, *ui.panel) {
                <Modal key={opener(open)} class={classes!("panel-host")} return_to={opener(open)} on_close={close_panel}>{ view }</Modal>
            }
            <div class={classes!("workspace", ui.drawer.map(|d| match d { Drawer::Palette => "palette-out", Drawer::Inspector => "inspector-out" }))}>
                <div class={classes!("side", "palette-side", drawer_class(Drawer::Palette))}>
                    <Palette {on_add} />
                </div>
                <div class="centre">
                    { panels::blocked_strip(&state) }
                    <main class={classes!("stage", narrative_view.as_ref().map(|(_, open)| if *open { "with-narrative" } else { "with-strip" }),
                        exercise_open.then_some("with-exercise"), interview.expanded.then_some("with-interview"))}>
                        { notices }
                        { narrative_view.map(|(view, _)| view).unwrap_or_default() }
                        // The canvas's bypass (see `skip_link`): before the cards, and after them.
                        <SkipLink testid="skip-to-faults" label="Skip to the fault bar" targets={FAULT_BAR} />
                        { canvas }
                        <SkipLink testid="skip-to-palette" label="Back to the palette" targets={PALETTE} />
                        <ViolationHost doc={Rc::clone(&doc)} view={Rc::clone(&state.view)} />
                        <LearnChips open={*ui.panel} on_toggle={files.on_toggle.clone()} warnings={warnings.len()}
                            on_interview={interview.on_start.reform(|()| None)} interviewing={interview.active}
                            on_past={interview.on_past.clone()} />
                        { interview.panel.unwrap_or_default() }
                    </main>
                    // After the canvas in tab order (a node or link selected
                    // there, Tab reaches its faults), drawn above it (CSS order).
                    // While the right-click menu is open it holds the fault buttons.
                    <FaultBar scenario={Rc::clone(&doc)} selected={if ui.context.is_some() { None } else { primary }}
                        down={selected_down} at_ms={*ui.pick} on_inject={h.on_inject.clone()} />
                    <Timeline faults={faults} chosen={chosen_fault} on_choose={on_choose_fault} end_ms={state.view.end_ms} now_ms={state.view.now_ms}
                        reached_ms={state.reached_ms} pick_ms={*ui.pick} on_pick={h.on_pick.clone()} on_scrub={h.on_scrub.clone()}
                        on_move={h.on_fault_move.clone()} on_delete={h.on_fault_delete.clone()} />
                    <Charts subject={subject_name(&doc, primary)} series={series} op_series={Rc::clone(&state.op_series)}
                        cause_series={Rc::clone(&state.cause_series)}
                        markers={markers} end_ms={state.view.end_ms}
                        {kind_chart} {kind_series} note={cut_note(&doc, primary, selected_down)} />
                </div>
                <div class={classes!("side", "inspector-side", drawer_class(Drawer::Inspector))}>
                    <Inspector doc={Rc::clone(&doc)} selected={primary} on_edit={h.on_edit.clone()} />
                </div>
            </div>
            <Summary view={Rc::clone(&state.view)} report={report} />
            if ui.drawer.is_some() { <div class="drawer-backdrop" onclick={close_drawer} /> }
            { compare.view.unwrap_or_default() }
            if *ui.help { <Shortcuts on_close={close_help} /> }
            { connect_picker.unwrap_or_default() }
            if let Some(at) = *ui.context {
                { panels::context_menu(&ui, at, &state, primary, selected_down, h.on_inject.clone()) }
            }
        </div>
    }
}
