//! Where the page's own static files are: next to trunk's module script,
//! tagged with this build's hash.
//!
//! trunk hashes the names of the files it builds, not of those it copies
//! (the engine's worker scripts, the shipped scenarios and exercises), so
//! the page adds the build's hash (the one in its module script's name) as
//! `?v=`: a new build never gets an old copy from a cache.

use wasm_bindgen::JsCast;

/// The URL of the site's file `path` (relative to the page's directory),
/// tagged with this build, or `None` when the page was not built by trunk
/// (component tests).
pub fn file(path: &str) -> Option<String> {
    let doc = gloo::utils::document();
    let link = doc.query_selector("link[rel=modulepreload]").ok().flatten()?;
    let href = link.dyn_into::<web_sys::HtmlLinkElement>().ok()?.href();
    let (base, file) = href.split_at(href.rfind('/')? + 1);
    let build = file.trim_end_matches(".js").rsplit('-').next().unwrap_or_default();
    Some(format!("{base}{path}?v={build}"))
}
