//! Drawing a long list a few rows at a time: the first few at once,
//! the rest in the browser's idle time, a chunk per idle period.
//!
//! Why: pressing a card selects it, and the inspector then draws every
//! setting of the node (a service has about thirty rows, a client one more
//! per workload). Made in one go, those rows cost the frame of the press
//! 10-15 ms of script and as much again of style and layout (measured at
//! 200 cards, with the run playing), while most of them sit below the
//! inspector's fold. Drawn here, the press makes the first few rows, and
//! the others follow a chunk per idle period, each a few milliseconds, so
//! no frame of a drag that starts with the press is long.
//!
//! The count restarts for each new `key` (the selection). Rows are drawn
//! in [`Part`]s, a part per chunk, that render again only when what their
//! rows read changes: a chunk arriving leaves the rows above it alone
//! (inputs are controlled, so rendering them again would put back the
//! value of a field being typed in).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Rows drawn at once: a node's own (name, region, zone), about half of
/// what the inspector shows above its fold. Six, up to the service time's
/// form, still made 271 nodes in the press of a service (230 of them the
/// inspector's); the rest of the screen fills in the next idle periods.
pub const FIRST: usize = 3;
/// Rows added per idle period.
pub const CHUNK: usize = 4;
/// An idle period is waited for at most this long (a page busy every frame
/// still gets its rows, just not in its idle time).
const IDLE_TIMEOUT_MS: u32 = 200;

/// How many of `total` rows to draw for `key` now; the rest come one chunk
/// per idle period (each chunk renders the component again).
#[hook]
pub fn use_progressive<K: PartialEq + Clone + 'static>(key: K, total: usize) -> usize {
    let drawn = use_state(|| (key.clone(), FIRST));
    let limit = if drawn.0 == key { drawn.1 } else { FIRST };
    use_effect_with((key, limit, total), move |(key, limit, total)| {
        let pending = (*limit < *total).then(|| {
            let (key, next) = (key.clone(), *limit + CHUNK);
            Idle::schedule(move || drawn.set((key, next)))
        });
        move || drop(pending)
    });
    limit.min(total)
}

/// Rows that render again only when `stamp`, what they read, changes.
#[derive(Properties)]
pub struct PartProps<S: PartialEq> {
    pub stamp: S,
    pub rows: Html,
}

impl<S: PartialEq> PartialEq for PartProps<S> {
    fn eq(&self, other: &Self) -> bool {
        self.stamp == other.stamp
    }
}

#[component]
pub fn Part<S: PartialEq + 'static>(props: &PartProps<S>) -> Html {
    props.rows.clone()
}

/// `rows` (the first `limit` of them, as [`use_progressive`] counts) in
/// parts: the first few, then a part per chunk.
pub fn parts<S: PartialEq + Clone + 'static>(stamp: &S, rows: impl Iterator<Item = Html>) -> Html {
    let mut rows = rows.peekable();
    let mut out = Vec::new();
    let (mut start, mut size) = (0, FIRST);
    while rows.peek().is_some() {
        let chunk: Html = rows.by_ref().take(size).collect();
        // Keyed by the first row: an unkeyed list would pair a new last
        // part with the old last one (lists are matched from their ends).
        out.push(html! { <Part<S> key={start} stamp={stamp.clone()} rows={chunk} /> });
        start += size;
        size = CHUNK;
    }
    out.into_iter().collect()
}

/// A callback waiting for the browser's next idle period
/// (`requestIdleCallback`); dropping it cancels it. Where there is none
/// (Safari), the callback runs at once: the rows come a chunk per render,
/// as fast as before there were chunks.
struct Idle {
    id: Option<u32>,
    _closure: Closure<dyn FnMut()>,
}

impl Idle {
    fn schedule(f: impl FnOnce() + 'static) -> Idle {
        let mut f = Some(f);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(IDLE_TIMEOUT_MS);
        let callback: &js_sys::Function = closure.as_ref().unchecked_ref();
        let id = gloo::utils::window().request_idle_callback_with_options(callback, &options).ok();
        if id.is_none() {
            let _ = callback.call0(&wasm_bindgen::JsValue::NULL);
        }
        Idle { id, _closure: closure }
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            gloo::utils::window().cancel_idle_callback(id);
        }
    }
}
