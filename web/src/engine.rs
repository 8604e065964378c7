//! The page's end of the engine.
//!
//! The engine runs in a Web Worker (`crates/faultline-worker`) so that a
//! heavy design, or a high speed, costs the page none of its frame time: the
//! page sends `Command`s and draws the `Report`s that come back (see
//! `faultline_live::protocol`).
//!
//! The page carries no copy of the engine. Every browser that runs this
//! page's WebAssembly also runs workers, so a copy kept for "no worker" would
//! only ever serve a page whose worker files failed to load, and it doubled
//! what every visitor downloads (issue 18). When the worker cannot start,
//! the page says so in a banner (`index.html`, `#engine-unavailable`) and
//! marks `data-engine="unavailable"`; the editor keeps working, runs wait.
//!
//! The worker starts before the page's wasm has loaded (`assets/engine-start.js`),
//! so both download and compile at once; the page takes it over here, with
//! whatever it said meanwhile.
//!
//! Commands sent while the worker is still starting wait for its `Ready`.
//! Frames are pulled: the page asks for the next one only when the last has
//! arrived, so a page slower than the engine never builds a backlog.

use faultline_live::{Command, Report};
use faultline_sim::Scenario;
use gloo::events::EventListener;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, Worker};
use yew::Callback;

/// The worker's loader script, next to the page's own files (index.html has
/// trunk copy it from assets/).
const WORKER_SCRIPT: &str = "engine-worker.js";
/// Id of the banner in index.html shown when the worker cannot start.
pub const UNAVAILABLE_ID: &str = "engine-unavailable";

/// Where the engine runs, as the page's `data-engine` attribute says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Starting,
    Worker,
    /// No worker could start: nothing runs.
    Unavailable,
}

impl Place {
    fn attribute(self) -> &'static str {
        match self {
            Place::Starting => "starting",
            Place::Worker => "worker",
            Place::Unavailable => "unavailable",
        }
    }
}

enum Mode {
    Starting { worker: Worker, queue: Vec<Command>, _listeners: [EventListener; 2] },
    Worker { worker: Worker, _listeners: [EventListener; 2] },
    Unavailable,
}

pub struct Engine {
    mode: RefCell<Mode>,
    on_report: Callback<Report>,
    /// A `Pull` is on its way and its frame has not come back yet.
    pulling: Cell<bool>,
    /// The revision of the document last sent.
    loaded: Cell<Option<u64>>,
}

#[wasm_bindgen]
extern "C" {
    /// Defined by `assets/engine-start.js` (and gone after the first call):
    /// `{ worker, early }`, the worker it started and the events it kept.
    #[wasm_bindgen(js_name = faultlineTakeEngineWorker, catch)]
    fn take_early_worker() -> Result<JsValue, JsValue>;
}

/// The worker `engine-start.js` started while the page loaded, with the
/// events it received before the page listened; `None` without that script.
fn early_worker() -> Option<(Worker, Vec<Event>)> {
    let taken = take_early_worker().ok()?;
    let worker = js_sys::Reflect::get(&taken, &"worker".into()).ok()?.dyn_into::<Worker>().ok()?;
    let early = js_sys::Reflect::get(&taken, &"early".into()).ok()?;
    let early =
        early.dyn_into::<js_sys::Array>().map(|a| a.iter().filter_map(|e| e.dyn_into::<Event>().ok()).collect());
    Some((worker, early.unwrap_or_default()))
}

fn mark(place: Place) {
    let _ = gloo::utils::document_element().set_attribute("data-engine", place.attribute());
}

/// Shows the page's "no engine" banner (when the page has one: component
/// tests do not).
fn show_unavailable() {
    if let Some(banner) = gloo::utils::document().get_element_by_id(UNAVAILABLE_ID) {
        let _ = banner.remove_attribute("hidden");
    }
}

fn post(worker: &Worker, cmd: &Command) {
    let _ = worker.post_message(&cmd.to_json().into());
}

impl Engine {
    /// Takes over the engine's worker (or starts it); `on_report` receives
    /// every report.
    pub fn start(on_report: Callback<Report>) -> Rc<Engine> {
        let (started, early) = match early_worker() {
            Some((worker, early)) => (Some(worker), early),
            None => (crate::site::file(WORKER_SCRIPT).and_then(|url| Worker::new(&url).ok()), Vec::new()),
        };
        let engine = Rc::new_cyclic(|me: &Weak<Engine>| {
            let mode = match started {
                Some(worker) => {
                    mark(Place::Starting);
                    let listeners = Engine::listen(&worker, me.clone());
                    Mode::Starting { worker, queue: Vec::new(), _listeners: listeners }
                }
                None => {
                    Engine::unavailable();
                    Mode::Unavailable
                }
            };
            Engine { mode: RefCell::new(mode), on_report, pulling: Cell::new(false), loaded: Cell::new(None) }
        });
        for ev in &early {
            engine.event(ev);
        }
        engine
    }

    fn unavailable() {
        mark(Place::Unavailable);
        show_unavailable();
        gloo::console::error!("Faultline: the engine's Web Worker could not start, so designs cannot run.");
    }

    fn listen(worker: &Worker, me: Weak<Engine>) -> [EventListener; 2] {
        let on_message = {
            let me = me.clone();
            EventListener::new(worker, "message", move |ev| {
                if let Some(engine) = me.upgrade() {
                    engine.event(ev);
                }
            })
        };
        let on_error = EventListener::new(worker, "error", move |ev| {
            ev.prevent_default();
            if let Some(engine) = me.upgrade() {
                engine.event(ev);
            }
        });
        [on_message, on_error]
    }

    /// One event from the worker: a report, or its failure.
    fn event(&self, ev: &Event) {
        if ev.type_() == "error" {
            return self.worker_failed();
        }
        let text = ev.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()).unwrap_or_default();
        match Report::from_json(&text) {
            Ok(report) => self.received(report),
            Err(e) => self.on_report.emit(Report::Crashed(format!("unreadable report: {e}"))),
        }
    }

    pub fn place(&self) -> Place {
        match &*self.mode.borrow() {
            Mode::Starting { .. } => Place::Starting,
            Mode::Worker { .. } => Place::Worker,
            Mode::Unavailable => Place::Unavailable,
        }
    }

    /// Sends the engine revision `rev` of the document unless it has it.
    /// Every command about the run goes after this: a click may come before
    /// the effect that would have sent a new document (Yew runs effects
    /// after rendering, and may yield to input in between).
    pub fn load(&self, rev: u64, doc: &Scenario) {
        if self.loaded.replace(Some(rev)) != Some(rev) {
            self.send(Command::Load { rev, doc: Box::new(doc.clone()) });
        }
    }

    pub fn send(&self, cmd: Command) {
        match &mut *self.mode.borrow_mut() {
            Mode::Starting { queue, .. } => queue.push(cmd),
            Mode::Worker { worker, .. } => post(worker, &cmd),
            Mode::Unavailable => {}
        }
    }

    /// Called every animation frame while playing: asks for the next frame
    /// unless one is on its way.
    pub fn frame(&self) {
        if !self.pulling.replace(true) {
            self.send(Command::Pull);
        }
    }

    fn received(&self, report: Report) {
        match &report {
            Report::Ready => {
                let next = match std::mem::replace(&mut *self.mode.borrow_mut(), Mode::Unavailable) {
                    Mode::Starting { worker, queue, _listeners } => {
                        for cmd in &queue {
                            post(&worker, cmd);
                        }
                        Mode::Worker { worker, _listeners }
                    }
                    other => other,
                };
                *self.mode.borrow_mut() = next;
                mark(Place::Worker);
            }
            Report::Frame { .. } => self.pulling.set(false),
            _ => {}
        }
        self.on_report.emit(report);
    }

    /// The worker could not start (its files did not load, or it failed
    /// before `Ready`): say so. A worker that fails after starting has
    /// crashed, which the page shows as such.
    fn worker_failed(&self) {
        let was = std::mem::replace(&mut *self.mode.borrow_mut(), Mode::Unavailable);
        match was {
            Mode::Starting { worker, .. } => {
                worker.terminate();
                Engine::unavailable();
            }
            Mode::Worker { worker, .. } => {
                worker.terminate();
                self.on_report.emit(Report::Crashed("the engine's worker stopped".into()));
            }
            Mode::Unavailable => {}
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Mode::Starting { worker, .. } | Mode::Worker { worker, .. } = &*self.mode.borrow() {
            worker.terminate();
        }
    }
}
