//! The root component: holds the document, talks to the engine, turns the
//! components' intents into edits, and keeps the engine following the
//! document (see `state.rs`). The engine runs in a Web Worker (`engine.rs`):
//! this component sends it commands and `reports.rs` applies its answers.

use crate::components::canvas::camera::Camera;
use crate::components::canvas::particle_layer::ParticleLayer;
use crate::components::timeline::describe;
use crate::components::{
    Canvas, Charts, Controls, DesignsPanel, FaultBar, FilePanel, Injection, Inspector, LibraryPanel, Menus, Narrative,
    Palette, Panel, SharePanel, Shortcuts, Summary, Timeline,
};
use crate::editor::edits;
use crate::editor::layout::{edge_lines, Line};
use crate::engine::Engine;
use crate::hooks::use_latest_callback;
use crate::keyboard::{command, Command};
use crate::particles::Particles;
use crate::runner::Runner;
use crate::state::{Action, PlayState, Selection};
use crate::{files, library, share, storage};
use faultline_live::{Command as EngineCommand, Report, Subject};
use placement::{checked, free_spot, moved_into_regions};
use seed::random_seed;

mod keys;
pub(crate) mod placement;
mod reports;
mod seed;
use faultline_sim::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Query parameter that makes the app panic on purpose, so the end-to-end
/// tests can prove a panic reaches the console and the error banner.
pub const PANIC_TEST_PARAM: &str = "panic-test";

/// Simulated milliseconds one press of "step" advances.
const STEP_MS: u64 = 100;

type Dispatcher = UseReducerDispatcher<PlayState>;
/// The document the particles were last laid out for, and its link lines.
type LineCache = (Option<Rc<Scenario>>, Vec<Option<Line>>);

/// A callback that dispatches the action `f` makes of its argument.
fn act<T: 'static>(d: &Dispatcher, f: impl Fn(T) -> Action + 'static) -> Callback<T> {
    let d = d.clone();
    Callback::from(move |x| d.dispatch(f(x)))
}

/// Applies `next` as an edit, or shows why it was refused.
fn edit_or_say(d: &Dispatcher, next: Result<Scenario, String>) {
    match next {
        Ok(doc) => d.dispatch(Action::Edit(doc)),
        Err(e) => d.dispatch(Action::Message(Some(e))),
    }
}

/// What the charts follow for a selection.
fn subject(selected: Option<Selection>) -> Subject {
    match selected {
        Some(Selection::Node(i)) => Subject::Node(i),
        Some(Selection::Edge(i)) => Subject::Edge(i),
        None => Subject::System,
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

#[component]
pub fn App() -> Html {
    let boot = use_memo((), |_| crate::startup::startup());
    let initial = use_memo((), |_| boot.doc.clone());
    let embed = boot.embed;
    let transient = boot.transient;
    let state = {
        let initial = Rc::clone(&initial);
        use_reducer(move || PlayState::new((*initial).clone()))
    };
    let camera = use_state(|| None::<Camera>);
    let panel = use_state(|| None::<Panel>);
    // The fault menu opened by a right-click, at these client coordinates.
    let context = use_state(|| None::<(f64, f64)>);
    let entries = use_memo((), |_| library::entries());
    let narrative = use_state(|| None::<(usize, bool)>);
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let storage_warned = use_mut_ref(|| false);
    let save_timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
    let pick = use_state(|| None::<u64>);
    let help = use_state(|| false);
    let clipboard = use_mut_ref(|| -> keys::Clipboard { None });
    let particles = use_mut_ref(Particles::default);
    let particle_layer = use_memo((), |_| ParticleLayer::default());
    // The document as of the last render, for callbacks that outlive it (the frame loop).
    let doc_now = use_mut_ref(|| Rc::clone(&state.doc));
    *doc_now.borrow_mut() = Rc::clone(&state.doc);

    // The engine's reports go to the handler of the latest render (it judges
    // them against the document and revision of that moment).
    let on_report = use_latest_callback({
        let (d, doc, run_rev) = (state.dispatcher(), Rc::clone(&state.doc), state.run_rev);
        let (particles, layer) = (Rc::clone(&particles), Rc::clone(&particle_layer));
        Callback::from(move |report: Report| {
            let now_ms = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
            let page = reports::Page { d: &d, doc: &doc, run_rev, particles: &particles, layer: &layer, now_ms };
            reports::handle(report, &page);
        })
    });
    let engine = use_memo((), move |_| Engine::start(on_report));

    // The engine follows the document.
    {
        let engine = Rc::clone(&engine);
        let doc = Rc::clone(&state.doc);
        use_effect_with(state.run_rev, move |&rev| engine.load(rev, &doc));
    }
    // ... plays or pauses with the page ...
    {
        let engine = Rc::clone(&engine);
        use_effect_with((state.playing, state.speed.to_bits()), move |&(playing, speed)| {
            engine.send(if playing {
                EngineCommand::Play { speed: f64::from_bits(speed) }
            } else {
                EngineCommand::Pause
            });
        });
    }
    // ... and its series follow the selection.
    {
        let engine = Rc::clone(&engine);
        use_effect_with(subject(state.primary()), move |&s| engine.send(EngineCommand::Follow(s)));
    }

    // What the page was opened with: a message to show, a link that plays.
    {
        let d = state.dispatcher();
        let boot = Rc::clone(&boot);
        use_effect_with((), move |_| {
            if let Some(m) = &boot.message {
                d.dispatch(Action::Message(Some(m.clone())));
            }
            if boot.autoplay {
                d.dispatch(Action::Play);
            }
        });
    }

    // Autosave and the address bar follow the document, debounced.
    {
        let (save_timer, storage_warned, d) = (Rc::clone(&save_timer), Rc::clone(&storage_warned), state.dispatcher());
        use_effect_with(Rc::clone(&state.doc), move |doc| {
            let doc = Rc::clone(doc);
            *save_timer.borrow_mut() = (!transient).then(|| {
                gloo::timers::callback::Timeout::new(400, move || {
                    if let Err(e) = storage::save_autosave(&doc) {
                        if !std::mem::replace(&mut *storage_warned.borrow_mut(), true) {
                            d.dispatch(Action::Message(Some(e)));
                        }
                    }
                    share::follow(doc.validate().is_ok().then_some(&*doc));
                })
            });
        });
    }

    // Closing or leaving the page saves at once (the debounce must not lose
    // the last edit).
    {
        let doc_now = Rc::clone(&doc_now);
        use_effect_with((), move |_| {
            let listener = (!transient).then(|| {
                gloo::events::EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                    let _ = storage::save_autosave(&doc_now.borrow());
                })
            });
            move || drop(listener)
        });
    }

    // The frame loop, while playing: pull what the engine moved, move the particles.
    {
        let (engine, particles, doc_now) = (Rc::clone(&engine), Rc::clone(&particles), Rc::clone(&doc_now));
        let layer = Rc::clone(&particle_layer);
        use_effect_with(state.playing, move |&playing| {
            let runner = playing.then(|| {
                // Link geometry, worked out again only when the document changes.
                let lines: RefCell<LineCache> = RefCell::new((None, Vec::new()));
                Runner::start(Callback::from(move |wall_ms: f64| {
                    engine.frame(wall_ms);
                    let doc = Rc::clone(&doc_now.borrow());
                    let mut cache = lines.borrow_mut();
                    if !cache.0.as_ref().is_some_and(|d| Rc::ptr_eq(d, &doc)) {
                        *cache = (Some(Rc::clone(&doc)), edge_lines(&doc));
                    }
                    layer.draw(&particles.borrow(), wall_ms, |i| cache.1.get(i).copied().flatten());
                }))
            });
            move || {
                if let Some(r) = runner {
                    r.stop();
                }
            }
        });
    }

    use_effect_with((), |_| {
        let search = gloo::utils::window().location().search().unwrap_or_default();
        if search.contains(PANIC_TEST_PARAM) {
            panic!("deliberate panic requested by ?{PANIC_TEST_PARAM}");
        }
    });

    let d = state.dispatcher();
    let doc = Rc::clone(&state.doc);
    let on_play = act(&d, |_| Action::Play);
    let on_pause = act(&d, |_| Action::Pause);
    let on_reset = act(&d, |_| Action::Reset);
    let on_undo = act(&d, |_| Action::Undo);
    let on_redo = act(&d, |_| Action::Redo);
    // Commands about the run make sure the engine has this render's document first.
    let run = {
        let (engine, doc, rev) = (Rc::clone(&engine), Rc::clone(&doc), state.run_rev);
        move |cmd: EngineCommand| {
            engine.load(rev, &doc);
            engine.send(cmd);
        }
    };
    let on_step = {
        let run = run.clone();
        Callback::from(move |_| run(EngineCommand::Step { ms: STEP_MS }))
    };
    let on_seed = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |seed: Option<u64>| {
            let mut next = (*doc).clone();
            next.seed = seed.unwrap_or_else(random_seed);
            edit_or_say(&d, next.validate_draft().map(|_| next.clone()).map_err(|e| format!("Seed refused: {e}")));
        })
    };
    let on_speed = act(&d, Action::SetSpeed);
    let on_select = act(&d, Action::Select);
    let on_edit = act(&d, Action::Edit);
    let cam = (*camera).unwrap_or_else(|| Camera::fit(&doc));
    let add_at = {
        let (d, doc, camera) = (d.clone(), Rc::clone(&doc), camera.clone());
        move |kind: &str, x: f64, y: f64| {
            // Editing freezes the camera: "fit" would jump with every new card.
            camera.set(Some(cam));
            let (x, y) = free_spot(&doc, x, y);
            match edits::add_node(&doc, kind, x, y) {
                Ok((next, i)) => d.dispatch(Action::EditSelect(next, vec![Selection::Node(i)])),
                Err(e) => d.dispatch(Action::Message(Some(e))),
            }
        }
    };
    let on_add = {
        let add_at = add_at.clone();
        Callback::from(move |kind: String| {
            let (x, y) = cam.centre();
            add_at(&kind, x, y);
        })
    };
    let on_drop_kind = Callback::from(move |(kind, x, y): (String, f64, f64)| add_at(&kind, x, y));
    let on_move = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(nodes, dx, dy): (Vec<usize>, f64, f64)| {
            edit_or_say(&d, checked(moved_into_regions(&doc, &nodes, dx, dy)));
        })
    };
    let on_connect = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(from, to): (usize, usize)| match edits::connect(&doc, from, to) {
            Ok(next) => {
                let e = next.edges.len() - 1;
                d.dispatch(Action::EditSelect(next, vec![Selection::Edge(e)]));
            }
            Err(e) => d.dispatch(Action::Message(Some(format!("Cannot connect: {e}")))),
        })
    };
    let on_inject = {
        let (d, run, pick) = (d.clone(), run.clone(), pick.clone());
        let blocked = state.blocked.is_some();
        Callback::from(move |inj: Injection| {
            if blocked {
                d.dispatch(Action::Message(Some("Finish the design first: it cannot run yet.".into())));
                return;
            }
            let at_ms = *pick;
            pick.set(None);
            // The engine answers with the faults as it took them (`reports.rs`).
            run(EngineCommand::Inject { actions: inj.actions, duration_ms: inj.duration_ms, at_ms });
        })
    };
    let on_fault_move = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(i, at_ms): (usize, u64)| {
            let mut next = (*doc).clone();
            if let Some(f) = next.faults.get_mut(i) {
                f.at_ms = at_ms;
            }
            edit_or_say(&d, next.validate_draft().map(|_| next.clone()).map_err(|e| e.to_string()));
        })
    };
    let on_fault_delete = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |i: usize| {
            let mut next = (*doc).clone();
            if i < next.faults.len() {
                next.faults.remove(i);
            }
            d.dispatch(Action::Edit(next));
        })
    };
    let on_scrub = {
        let run = run.clone();
        Callback::from(move |t_ms: f64| run(EngineCommand::Scrub { t_ms }))
    };
    let on_pick = {
        let pick = pick.clone();
        Callback::from(move |t: Option<u64>| pick.set(t))
    };
    let on_context = {
        let (d, context) = (d.clone(), context.clone());
        Callback::from(move |(item, x, y): (Selection, f64, f64)| {
            d.dispatch(Action::Select(vec![item]));
            context.set(Some((x, y)));
        })
    };
    let close_context = {
        let context = context.clone();
        Callback::from(move |_: MouseEvent| context.set(None))
    };
    let on_toggle = {
        let panel = panel.clone();
        Callback::from(move |p: Panel| panel.set(if *panel == Some(p) { None } else { Some(p) }))
    };
    let load = {
        let (d, panel, camera) = (d.clone(), panel.clone(), camera.clone());
        move |doc: Scenario| {
            panel.set(None);
            camera.set(None);
            d.dispatch(Action::Load(doc));
            d.dispatch(Action::Message(None));
        }
    };
    let on_open_preset = {
        let (d, entries, narrative, load) = (d.clone(), Rc::clone(&entries), narrative.clone(), load.clone());
        Callback::from(move |(i, after): (usize, bool)| {
            let Some(e) = entries.get(i) else { return };
            let name = if after { e.after.clone().unwrap_or_else(|| e.before.clone()) } else { e.before.clone() };
            match library::scenario(&name) {
                Ok(doc) => {
                    load(doc);
                    narrative.set(Some((i, after)));
                }
                Err(e) => d.dispatch(Action::Message(Some(e))),
            }
        })
    };
    let on_open_design = {
        let (narrative, load) = (narrative.clone(), load.clone());
        Callback::from(move |doc: Scenario| {
            narrative.set(None);
            load(doc);
        })
    };
    let on_message = act(&d, Action::Message);
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
        let (run, say) = (run.clone(), say.clone());
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
        let (d, reader, narrative, load) = (d.clone(), Rc::clone(&reader), narrative.clone(), load.clone());
        Callback::from(move |file: web_sys::File| {
            let (d, narrative, load) = (d.clone(), narrative.clone(), load.clone());
            let name = file.name();
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                match text.map_err(|e| e.to_string()).and_then(|t| storage::parse_file(&t)) {
                    Ok(doc) => {
                        narrative.set(None);
                        load(doc);
                    }
                    Err(e) => d.dispatch(Action::Message(Some(format!("{name} was not opened: {e}")))),
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    // A .json file dropped anywhere on the page is imported.
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
    let on_camera = {
        let camera = camera.clone();
        Callback::from(move |c: Option<Camera>| camera.set(c))
    };
    // The engine's readouts render this component ten times a second while
    // running. Handed to children as the same objects every render, the
    // handlers let every child whose own data did not change (palette,
    // inspector, fault bar, menus, cards) skip its render.
    let on_play = use_latest_callback(on_play);
    let on_pause = use_latest_callback(on_pause);
    let on_reset = use_latest_callback(on_reset);
    let on_undo = use_latest_callback(on_undo);
    let on_redo = use_latest_callback(on_redo);
    let on_step = use_latest_callback(on_step);
    let on_seed = use_latest_callback(on_seed);
    let on_speed = use_latest_callback(on_speed);
    let on_select = use_latest_callback(on_select);
    let on_edit = use_latest_callback(on_edit);
    let on_add = use_latest_callback(on_add);
    let on_drop_kind = use_latest_callback(on_drop_kind);
    let on_move = use_latest_callback(on_move);
    let on_connect = use_latest_callback(on_connect);
    let on_inject = use_latest_callback(on_inject);
    let on_fault_move = use_latest_callback(on_fault_move);
    let on_fault_delete = use_latest_callback(on_fault_delete);
    let on_scrub = use_latest_callback(on_scrub);
    let on_pick = use_latest_callback(on_pick);
    let on_context = use_latest_callback(on_context);
    let on_toggle = use_latest_callback(on_toggle);
    let on_open_preset = use_latest_callback(on_open_preset);
    let on_open_design = use_latest_callback(on_open_design);
    let on_message = use_latest_callback(on_message);
    let on_export_json = use_latest_callback(on_export_json);
    let on_export_svg = use_latest_callback(on_export_svg);
    let on_export_png = use_latest_callback(on_export_png);
    let on_export_csv = use_latest_callback(on_export_csv);
    let on_import = use_latest_callback(on_import);
    let on_camera = use_latest_callback(on_camera);

    // Keyboard shortcuts, on the whole page. The listener is registered once
    // and calls the handler of the latest render.
    let on_key = {
        let (d, doc, clipboard, help) = (d.clone(), Rc::clone(&doc), Rc::clone(&clipboard), help.clone());
        let selection = state.selection.clone();
        let playing = state.playing;
        Callback::from(move |ev: web_sys::KeyboardEvent| {
            if embed {
                return; // read-only
            }
            let typing = ev.target().and_then(|t| {
                use wasm_bindgen::JsCast;
                t.dyn_into::<web_sys::Element>().ok()
            });
            let typing = typing.is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            let Some(cmd) = command(&ev.key(), ev.ctrl_key() || ev.meta_key(), ev.shift_key()) else { return };
            if typing && cmd != Command::Escape {
                return;
            }
            let Some(reactions) = keys::react(cmd, &doc, &selection, playing, &mut clipboard.borrow_mut()) else {
                return;
            };
            for r in reactions {
                match r {
                    keys::Reaction::Act(a) => d.dispatch(a),
                    keys::Reaction::ToggleHelp => help.set(!*help),
                    keys::Reaction::CloseHelp => help.set(false),
                }
            }
            ev.prevent_default();
        })
    };
    let on_key = use_latest_callback(on_key);
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            // Not passive: shortcuts such as Ctrl+A replace the browser's own.
            gloo::events::EventListenerOptions::enable_prevent_default(),
            move |ev| {
                use wasm_bindgen::JsCast;
                if let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() {
                    on_key.emit(ev.clone());
                }
            },
        );
        move || drop(listener)
    });

    // What the charts and the run summary show: the engine sends them once per simulated second.
    let primary = state.primary();
    let series = Rc::clone(&state.series);
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
        let help = help.clone();
        Callback::from(move |_| help.set(false))
    };
    let open_help = {
        let help = help.clone();
        Callback::from(move |_: MouseEvent| help.set(true))
    };

    let panel_view = match *panel {
        Some(Panel::Library) => {
            html! { <LibraryPanel entries={Rc::clone(&entries)} on_open={on_open_preset.clone()} /> }
        }
        Some(Panel::Designs) => {
            html! { <DesignsPanel doc={Rc::clone(&doc)} on_open={on_open_design} on_message={on_message.clone()} /> }
        }
        Some(Panel::File) => html! {
            <FilePanel on_export_json={on_export_json.clone()} {on_import} {on_export_png} {on_export_svg} {on_export_csv} />
        },
        Some(Panel::Share) => html! {
            <SharePanel doc={Rc::clone(&doc)} blocked={state.blocked.is_some()} on_export_json={on_export_json.clone()} />
        },
        None => html! {},
    };
    let narrative_view = (*narrative).and_then(|(i, after)| {
        let entry = entries.get(i)?.clone();
        let on_close = {
            let narrative = narrative.clone();
            Callback::from(move |_| narrative.set(None))
        };
        Some(html! { <Narrative {entry} index={i} {after} on_open={on_open_preset.clone()} {on_close} /> })
    });
    let notices = html! {
        <div class="notices">
            if let Some(message) = &state.message {
                <div class="message" role="status" data-testid="message">{ message.clone() }</div>
            }
            if let Some(why) = &state.blocked {
                <div class="message blocked" role="status" data-testid="blocked">{ why.clone() }</div>
            }
        </div>
    };
    let controls = html! {
        <Controls playing={state.playing} finished={state.finished() || state.blocked.is_some()} now_ms={state.view.now_ms}
            end_ms={state.view.end_ms} {on_play} {on_pause} {on_reset} speed={state.speed} achieved={state.achieved} {on_speed}
            {on_step} seed={doc.seed} {on_seed} on_message={on_message.clone()} />
    };
    // Embedded views are read-only: the canvas pans and zooms, nothing edits.
    let (on_move, on_connect, on_drop_kind, on_context) = if embed {
        (Callback::noop(), Callback::noop(), Callback::noop(), Callback::noop())
    } else {
        (on_move, on_connect, on_drop_kind, on_context)
    };
    let canvas = html! {
        <Canvas doc={Rc::clone(&doc)} view={Rc::clone(&state.view)} selection={state.selection.clone()}
            particles={Rc::clone(&particle_layer)} camera={*camera} {on_camera} {on_select}
            {on_move} {on_connect} {on_drop_kind} {on_context} />
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
        <div class="shell" ondragover={on_page_dragover} ondrop={on_page_drop}>
            <header class="topbar">
                <div class="brand"><span class="logo">{ "⚡" }</span>{ "Faultline" }</div>
                <Menus open={*panel} {on_toggle} />
                <div class="edit-controls" role="toolbar" aria-label="Edit">
                    <button class="btn small" data-testid="undo" onclick={on_undo.reform(|_: MouseEvent| ())}
                        disabled={!state.history.can_undo()} aria-label="Undo" title="Undo (Ctrl+Z)">{ "↶" }</button>
                    <button class="btn small" data-testid="redo" onclick={on_redo.reform(|_: MouseEvent| ())}
                        disabled={!state.history.can_redo()} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">{ "↷" }</button>
                    <button class="btn small" data-testid="help" onclick={open_help} aria-label="Keyboard shortcuts">{ "?" }</button>
                </div>
                <div class="scenario-name" title={doc.name.clone()}>{ doc.name.clone() }</div>
                { controls }
            </header>
            if panel.is_some() { <div class="panel-host">{ panel_view }</div> }
            <div class="workspace">
                <Palette {on_add} />
                <div class="centre">
                    // While the right-click menu is open it holds the fault buttons.
                    <FaultBar scenario={Rc::clone(&doc)} selected={if context.is_some() { None } else { primary }}
                        down={selected_down} at_ms={*pick} on_inject={on_inject.clone()} />
                    <main class={classes!("stage", narrative_view.is_some().then_some("with-narrative"))}>
                        { notices }
                        { narrative_view.clone().unwrap_or_default() }
                        { canvas }
                    </main>
                    <Timeline faults={faults} end_ms={state.view.end_ms} now_ms={state.view.now_ms}
                        reached_ms={state.reached_ms} pick_ms={*pick} {on_pick} {on_scrub} on_move={on_fault_move}
                        on_delete={on_fault_delete} />
                    <Charts subject={subject_name(&doc, primary)} series={series} markers={markers} now_ms={state.view.now_ms} />
                </div>
                <Inspector doc={Rc::clone(&doc)} selected={primary} {on_edit} />
            </div>
            <Summary view={Rc::clone(&state.view)} report={report} />
            if *help { <Shortcuts on_close={close_help} /> }
            if let Some((x, y)) = *context {
                <div class="overlay-clear" onclick={close_context.clone()} oncontextmenu={close_context.reform(|ev: MouseEvent| { ev.prevent_default(); ev })} />
                <div class="context-menu" data-testid="context-menu" role="menu" style={format!("left: {x}px; top: {y}px")}
                    onclick={
                        // A fault button was used: done. (Typing a strength is not.)
                        let close = close_context.clone();
                        Callback::from(move |ev: MouseEvent| {
                            use wasm_bindgen::JsCast;
                            let on_button = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                                .is_some_and(|el| el.tag_name() == "BUTTON");
                            if on_button {
                                close.emit(ev);
                            }
                        })
                    }>
                    <FaultBar scenario={Rc::clone(&doc)} selected={primary} down={selected_down} at_ms={*pick} {on_inject} />
                </div>
            }
        </div>
    }
}
