//! The page's end of the engine.
//!
//! The engine runs in a Web Worker (`crates/faultline-worker`) so that a
//! heavy design, or a high speed, costs the page none of its frame time: the
//! page sends `Command`s and draws the `Report`s that come back (see
//! `faultline_live::protocol`). Where no worker can start (the worker's
//! files are missing, as in component tests, or the browser refuses) the
//! same driver runs on the page instead, inside the animation frame with a
//! budget, and nothing else changes: the messages are the same.
//!
//! Commands sent while the worker is still starting wait for its `Ready`.
//! Frames are pulled: the page asks for the next one only when the last has
//! arrived, so a page slower than the engine never builds a backlog.

use faultline_live::{Command, Live, Report};
use faultline_sim::Scenario;
use gloo::events::EventListener;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

/// Wall time the engine may use per animation frame when it runs on the
/// page, in milliseconds (a 60 Hz frame is 16.7 ms; the rest is for drawing).
pub const PAGE_BUDGET_MS: f64 = 6.0;
/// The worker's loader script, next to the page's own files (index.html has
/// trunk copy it from assets/).
const WORKER_SCRIPT: &str = "engine-worker.js";

/// Where the engine runs, as the page's `data-engine` attribute says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Starting,
    Worker,
    Page,
}

enum Mode {
    Starting { worker: Worker, queue: Vec<Command>, _listeners: [EventListener; 2] },
    Worker { worker: Worker, _listeners: [EventListener; 2] },
    Page(Box<Live>),
}

pub struct Engine {
    mode: RefCell<Mode>,
    on_report: Callback<Report>,
    /// A `Pull` is on its way and its frame has not come back yet.
    pulling: Cell<bool>,
    /// The revision of the document last sent.
    loaded: Cell<Option<u64>>,
}

fn wall_clock() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The worker's loader script's URL: next to the page's own files (the
/// directory of trunk's module script), tagged with this build's hash (the
/// one in the module script's name), or `None` when the page was not built
/// by trunk.
fn worker_url() -> Option<String> {
    let doc = gloo::utils::document();
    let link = doc.query_selector("link[rel=modulepreload]").ok().flatten()?;
    let href = link.dyn_into::<web_sys::HtmlLinkElement>().ok()?.href();
    let (base, file) = href.split_at(href.rfind('/')? + 1);
    let build = file.trim_end_matches(".js").rsplit('-').next().unwrap_or_default();
    Some(format!("{base}{WORKER_SCRIPT}?v={build}"))
}

fn mark(place: Place) {
    let text = match place {
        Place::Starting => "starting",
        Place::Worker => "worker",
        Place::Page => "page",
    };
    let _ = gloo::utils::document_element().set_attribute("data-engine", text);
}

impl Engine {
    /// Starts the engine, in a worker if possible; `on_report` receives
    /// every report.
    pub fn start(on_report: Callback<Report>) -> Rc<Engine> {
        Rc::new_cyclic(|me: &Weak<Engine>| {
            let mode = match worker_url().and_then(|url| Worker::new(&url).ok()) {
                Some(worker) => {
                    mark(Place::Starting);
                    let listeners = Engine::listen(&worker, me.clone());
                    Mode::Starting { worker, queue: Vec::new(), _listeners: listeners }
                }
                None => {
                    mark(Place::Page);
                    Mode::Page(Box::default())
                }
            };
            Engine { mode: RefCell::new(mode), on_report, pulling: Cell::new(false), loaded: Cell::new(None) }
        })
    }

    fn listen(worker: &Worker, me: Weak<Engine>) -> [EventListener; 2] {
        let on_message = {
            let me = me.clone();
            EventListener::new(worker, "message", move |ev| {
                let text = ev.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()).unwrap_or_default();
                if let Some(engine) = me.upgrade() {
                    match Report::from_json(&text) {
                        Ok(report) => engine.received(report),
                        Err(e) => engine.on_report.emit(Report::Crashed(format!("unreadable report: {e}"))),
                    }
                }
            })
        };
        let on_error = EventListener::new(worker, "error", move |ev| {
            ev.prevent_default();
            if let Some(engine) = me.upgrade() {
                engine.worker_failed();
            }
        });
        [on_message, on_error]
    }

    pub fn place(&self) -> Place {
        match &*self.mode.borrow() {
            Mode::Starting { .. } => Place::Starting,
            Mode::Worker { .. } => Place::Worker,
            Mode::Page(_) => Place::Page,
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
        let reports = match &mut *self.mode.borrow_mut() {
            Mode::Starting { queue, .. } => {
                queue.push(cmd);
                Vec::new()
            }
            Mode::Worker { worker, .. } => {
                let _ = worker.post_message(&cmd.to_json().into());
                Vec::new()
            }
            Mode::Page(live) => live.handle(cmd, wall_clock()),
        };
        // Outside the borrow: a report's handler may send again.
        for r in reports {
            self.on_report.emit(r);
        }
    }

    /// Called every animation frame while playing: on the page, runs the
    /// engine for its budget; then asks for the next frame.
    pub fn frame(&self, wall_ms: f64) {
        let finished = match &mut *self.mode.borrow_mut() {
            Mode::Page(live) => live.run(wall_ms, PAGE_BUDGET_MS, &wall_clock),
            _ => None,
        };
        if let Some(r) = finished {
            self.on_report.emit(r);
        }
        if !self.pulling.replace(true) {
            self.send(Command::Pull);
            if matches!(*self.mode.borrow(), Mode::Page(_)) {
                self.pulling.set(false);
            }
        }
    }

    fn received(&self, report: Report) {
        match &report {
            Report::Ready => {
                let next = match std::mem::replace(&mut *self.mode.borrow_mut(), Mode::Page(Box::default())) {
                    Mode::Starting { worker, queue, _listeners } => {
                        for cmd in queue {
                            let _ = worker.post_message(&cmd.to_json().into());
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

    /// The worker could not start (or failed to load): run on the page, with
    /// the commands it never took. A worker that fails after starting has
    /// crashed, which the page shows as such.
    fn worker_failed(&self) {
        let queue = match std::mem::replace(&mut *self.mode.borrow_mut(), Mode::Page(Box::default())) {
            Mode::Starting { worker, queue, .. } => {
                worker.terminate();
                queue
            }
            Mode::Worker { worker, .. } => {
                worker.terminate();
                self.on_report.emit(Report::Crashed("the engine's worker stopped".into()));
                return;
            }
            Mode::Page(_) => Vec::new(),
        };
        mark(Place::Page);
        gloo::console::warn!("Faultline: the engine's Web Worker could not start; running it on the page instead.");
        self.pulling.set(false);
        for cmd in queue {
            self.send(cmd);
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
