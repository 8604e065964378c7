//! The shipped library and exercises, fetched from the site when first
//! needed instead of compiled into the page.
//!
//! They are the files the CLI compiles in (`assets/scenarios/*.json` with
//! the narratives of `library.json`, `assets/exercises/*.json`); trunk
//! copies them next to the page (`index.html`, `copy-dir`). Compiled into
//! the page's wasm they were about 45 KB of what every visit downloaded
//! before its first run, though a visit may open neither. Now the library
//! (its list, then every file the list names, together) comes when the
//! Library panel opens, and the exercises when the Exercises panel opens or
//! an exercise is open (an attempt link, an interview on one). The panel
//! lists them once all have come, so opening a preset, or switching it to
//! its fix, waits for nothing. A fetch that fails says why where the list
//! would be, and is tried again the next time it is needed.

use crate::exercises::{self, Brief};
use crate::library::{self, Library};
use faultline_sim::exercise::registry;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::{AttrValue, Reducible, UseReducerHandle};

/// Something fetched from the site.
#[derive(Debug, Default, PartialEq)]
pub enum Load<T> {
    /// Not asked for yet.
    #[default]
    Idle,
    Loading,
    Ready(Rc<T>),
    /// Why it could not be fetched.
    Failed(String),
}

// By hand: derived, it would ask `T` to be `Clone`, though it is held in an `Rc`.
impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        match self {
            Load::Idle => Load::Idle,
            Load::Loading => Load::Loading,
            Load::Ready(t) => Load::Ready(Rc::clone(t)),
            Load::Failed(why) => Load::Failed(why.clone()),
        }
    }
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&Rc<T>> {
        match self {
            Load::Ready(t) => Some(t),
            _ => None,
        }
    }

    /// What a panel shows in place of the list, `what` being its name
    /// ("library", "exercises"), while there is no list.
    pub fn status(&self, what: &str) -> Option<AttrValue> {
        match self {
            Load::Ready(_) => None,
            Load::Idle | Load::Loading => Some(format!("Loading the {what}…").into()),
            Load::Failed(why) => Some(why.clone().into()),
        }
    }

    /// Neither here nor on its way (a failed fetch is tried again).
    fn wanted(&self) -> bool {
        matches!(self, Load::Idle | Load::Failed(_))
    }

    fn from_result(r: Result<T, String>) -> Load<T> {
        r.map_or_else(Load::Failed, |t| Load::Ready(Rc::new(t)))
    }
}

/// The shipped exercises: what the page shows of each, and each one's
/// document as fetched (what the worker's check reads).
#[derive(Debug, PartialEq)]
pub struct Shipped {
    pub briefs: Rc<Vec<Brief>>,
    texts: Vec<String>,
}

impl Shipped {
    /// Reads the documents, one per exercise id, in the registry's order.
    pub fn read(texts: Vec<String>) -> Result<Shipped, String> {
        let briefs = registry::IDS
            .iter()
            .zip(&texts)
            .map(|(id, text)| exercises::parse_brief(text).map_err(|e| format!("Exercise {id} could not be read: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Shipped { briefs: Rc::new(briefs), texts })
    }

    pub fn brief(&self, id: &str) -> Option<&Brief> {
        self.briefs.iter().find(|b| b.id == id)
    }

    /// Exercise `id`'s document.
    pub fn text(&self, id: &str) -> Option<&str> {
        self.briefs.iter().position(|b| b.id == id).and_then(|i| self.texts.get(i)).map(String::as_str)
    }
}

/// What the page has of the shipped library and exercises.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub library: Load<Library>,
    pub exercises: Load<Shipped>,
}

pub enum CatalogAction {
    Library(Load<Library>),
    Exercises(Load<Shipped>),
}

impl Reducible for Catalog {
    type Action = CatalogAction;

    fn reduce(self: Rc<Self>, action: CatalogAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CatalogAction::Library(l) => next.library = l,
            CatalogAction::Exercises(e) => next.exercises = e,
        }
        Rc::new(next)
    }
}

/// Fetches the library, unless it is here or on its way.
pub fn want_library(catalog: &UseReducerHandle<Catalog>) {
    if !catalog.library.wanted() {
        return;
    }
    let d = catalog.dispatcher();
    d.dispatch(CatalogAction::Library(Load::Loading));
    yew::platform::spawn_local(async move {
        d.dispatch(CatalogAction::Library(Load::from_result(fetch_library().await)));
    });
}

/// Fetches the shipped exercises, unless they are here or on their way.
/// One effect asks for them (`app::exercise_wiring`, for the panel, an open
/// exercise and an interview on one): the state a caller reads is the one it
/// rendered with, so two callers in one render would both see `Idle` and
/// fetch twice.
pub fn want_exercises(catalog: &UseReducerHandle<Catalog>) {
    if !catalog.exercises.wanted() {
        return;
    }
    let d = catalog.dispatcher();
    d.dispatch(CatalogAction::Exercises(Load::Loading));
    yew::platform::spawn_local(async move {
        let files: Vec<String> = registry::IDS.iter().map(|id| exercise_file(id)).collect();
        let shipped = fetch_all(&files).await.and_then(Shipped::read);
        d.dispatch(CatalogAction::Exercises(Load::from_result(shipped)));
    });
}

/// The library's list, then every file it names.
async fn fetch_library() -> Result<Library, String> {
    let entries = library::parse_entries(&fetch_text(library::LIBRARY_FILE).await?)?;
    let names = Library::names(&entries);
    let files: Vec<String> = names.iter().map(|n| library::scenario_file(n)).collect();
    let texts = fetch_all(&files).await?;
    Ok(Library::new(entries, names.into_iter().zip(texts).collect()))
}

/// The texts of the site's files `paths`, in order, all requested at once.
async fn fetch_all(paths: &[String]) -> Result<Vec<String>, String> {
    // Every request starts before the first answer is awaited.
    let pending: Vec<_> = paths.iter().map(|p| fetch_text(p)).collect();
    let mut texts = Vec::with_capacity(pending.len());
    for p in pending {
        texts.push(p.await?);
    }
    Ok(texts)
}

/// The site's copy of exercise `id`'s document.
pub fn exercise_file(id: &str) -> String {
    format!("exercises/{id}.json")
}

/// Starts fetching the site's file `path` (relative to the page) now; its
/// text when awaited.
fn fetch_text(path: &str) -> impl std::future::Future<Output = Result<String, String>> {
    let url = crate::site::file(path).unwrap_or_else(|| path.to_string());
    let request = gloo::utils::window().fetch_with_str(&url);
    let path = path.to_string();
    async move {
        let failed = |why: String| {
            format!("Could not load {path} from the site ({why}). Close this panel and open it again to retry.")
        };
        let response = JsFuture::from(request).await.map_err(|e| failed(js_text(&e)))?;
        let response: web_sys::Response = response.dyn_into().map_err(|_| failed("no response".into()))?;
        if !response.ok() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        let text = response.text().map_err(|e| failed(js_text(&e)))?;
        let text = JsFuture::from(text).await.map_err(|e| failed(js_text(&e)))?;
        text.as_string().ok_or_else(|| failed("not text".into()))
    }
}

/// A JavaScript error's message.
fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_exercises_read_in_the_registry_order_with_their_documents() {
        let texts: Vec<String> = registry::BUILTIN.iter().map(|(_, t)| t.to_string()).collect();
        let shipped = Shipped::read(texts).unwrap();
        assert_eq!(shipped.briefs.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), registry::IDS);
        for (id, text) in registry::BUILTIN {
            assert_eq!(shipped.text(id), Some(*text), "{id}");
            assert_eq!(shipped.brief(id).map(|b| b.id.as_str()), Some(*id));
        }
    }

    #[test]
    fn a_document_that_does_not_read_is_an_error_that_names_it() {
        let mut texts: Vec<String> = registry::BUILTIN.iter().map(|(_, t)| t.to_string()).collect();
        texts[1] = "{\"id\": ".into();
        let e = Shipped::read(texts).unwrap_err();
        assert!(e.starts_with(&format!("Exercise {} could not be read", registry::IDS[1])), "{e}");
    }

    #[test]
    fn a_panel_says_what_it_waits_for_or_why_it_failed() {
        assert_eq!(Load::<()>::Idle.status("library").as_deref(), Some("Loading the library…"));
        assert_eq!(Load::<()>::Failed("gone".into()).status("library").as_deref(), Some("gone"));
        assert_eq!(Load::Ready(Rc::new(())).status("library"), None);
        assert!(Load::<()>::Failed(String::new()).wanted() && !Load::<()>::Loading.wanted());
    }
}
