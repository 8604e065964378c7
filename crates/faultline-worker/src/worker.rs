//! The worker's message loop (see main.rs for why it is shaped this way).

use faultline_live::{Command, Live, Report};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

/// Wall time the engine runs between two looks at the inbox, in milliseconds.
const BUDGET_MS: f64 = 6.0;
/// How long to wait when the engine has caught up with the wall clock.
const IDLE_MS: i32 = 4;

thread_local! {
    static LIVE: RefCell<Live> = RefCell::new(Live::new());
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    static CHANNEL: MessageChannel = MessageChannel::new().expect("a MessageChannel");
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

fn post(report: &Report) {
    let _ = scope().post_message(&JsValue::from_str(&report.to_json()));
}

pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        post(&Report::Crashed(info.to_string()));
    }));
    let on_command = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else { return };
        let reports = match Command::from_json(&text) {
            Ok(cmd) => LIVE.with(|l| l.borrow_mut().handle(cmd, now())),
            Err(e) => vec![Report::Refused(format!("The engine could not read a command: {e}"))],
        };
        for r in &reports {
            post(r);
        }
        schedule(0);
    });
    scope().set_onmessage(Some(on_command.as_ref().unchecked_ref()));
    on_command.forget();
    let on_tick = Closure::<dyn FnMut(MessageEvent)>::new(|_: MessageEvent| tick());
    CHANNEL.with(|c| c.port2().set_onmessage(Some(on_tick.as_ref().unchecked_ref())));
    on_tick.forget();
    post(&Report::Ready);
}

/// Runs the engine for one slice, then schedules the next while playing.
fn tick() {
    SCHEDULED.with(|s| s.set(false));
    let (report, playing, before, after) = LIVE.with(|l| {
        let mut live = l.borrow_mut();
        let before = live.sim().now();
        let report = live.run(now(), BUDGET_MS, &now);
        (report, live.playing(), before, live.sim().now())
    });
    if let Some(r) = report {
        post(&r);
    }
    if playing {
        // Caught up with the wall clock: wait a little; behind: go on at once.
        schedule(if after == before { IDLE_MS } else { 0 });
    }
}

/// Asks for a `tick` after `delay_ms` (0: as soon as the inbox is handled).
fn schedule(delay_ms: i32) {
    let playing = LIVE.with(|l| l.borrow().playing());
    if !playing || SCHEDULED.with(|s| s.replace(true)) {
        return;
    }
    if delay_ms == 0 {
        CHANNEL.with(|c| {
            let _ = c.port1().post_message(&JsValue::NULL);
        });
    } else {
        let cb = Closure::once_into_js(tick);
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay_ms);
    }
}
