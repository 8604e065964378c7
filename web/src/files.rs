//! Files in and out: JSON (the document the CLI reads), CSV of the metric
//! series, and the canvas as SVG or PNG. Everything happens in the page:
//! downloads are object URLs, imports are read with the File API.

use faultline_sim::Scenario;
use wasm_bindgen::JsCast;

/// A file name from the design's title: ASCII letters and digits in lower
/// case, other scripts' characters as they are (no Unicode tables in the
/// page for this), runs of anything else one `-`.
pub fn file_stem(doc: &Scenario) -> String {
    let stem: String = doc
        .name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            c if !c.is_ascii() && !c.is_whitespace() => c,
            _ => '-',
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "faultline-design".into()
    } else {
        stem
    }
}

/// Offers `bytes` to the user as a download called `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let blob = gloo::file::Blob::new_with_options(text, Some(mime));
    let url = gloo::file::ObjectUrl::from(blob);
    click_link(name, &url)?;
    // Some browsers read the URL after the click returns: revoke it later.
    gloo::timers::callback::Timeout::new(30_000, move || drop(url)).forget();
    Ok(())
}

fn click_link(name: &str, href: &str) -> Result<(), String> {
    let doc = gloo::utils::document();
    let a: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(|_| "Could not start the download.")?.unchecked_into();
    a.set_href(href);
    a.set_download(name);
    a.click();
    Ok(())
}

/// The canvas as a standalone SVG document, styled with the page's own
/// stylesheet (its `:root` colour variables then apply to the SVG root).
pub fn canvas_svg() -> Result<String, String> {
    let doc = gloo::utils::document();
    let svg = doc.query_selector("[data-testid=canvas]").ok().flatten().ok_or("There is no canvas to export.")?;
    let copy: web_sys::Element =
        svg.clone_node_with_deep(true).map_err(|_| "Could not copy the canvas.")?.unchecked_into();
    let rect = svg.get_bounding_client_rect();
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg").ok();
    copy.set_attribute("width", &rect.width().round().to_string()).ok();
    copy.set_attribute("height", &rect.height().round().to_string()).ok();
    let mut css = String::new();
    let sheets = doc.style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets.item(i).and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok()) else { continue };
        if let Ok(rules) = sheet.css_rules() {
            for k in 0..rules.length() {
                if let Some(r) = rules.item(k) {
                    css.push_str(&r.css_text());
                    css.push('\n');
                }
            }
        }
    }
    let style =
        doc.create_element_ns(Some("http://www.w3.org/2000/svg"), "style").map_err(|_| "Could not style the copy.")?;
    style.set_text_content(Some(&format!(
        "{css}\nsvg {{ background: var(--bg); font-family: system-ui, sans-serif; }}"
    )));
    copy.prepend_with_node_1(&style).ok();
    Ok(copy.outer_html())
}

/// The canvas as a PNG (drawn from its SVG at twice the screen resolution).
pub fn export_png(name: String) -> Result<(), String> {
    let svg = canvas_svg()?;
    let doc = gloo::utils::document();
    let img: web_sys::HtmlImageElement = doc.create_element("img").map_err(|_| "No image element.")?.unchecked_into();
    let blob = gloo::file::Blob::new_with_options(svg.as_str(), Some("image/svg+xml"));
    let url = gloo::file::ObjectUrl::from(blob);
    img.set_src(&url);
    let img2 = img.clone();
    // The listener removes itself after it runs once.
    gloo::events::EventListener::once(&img, "load", move |_| {
        let _keep_url_alive = &url;
        let (w, h) = (img2.natural_width().max(1), img2.natural_height().max(1));
        let Ok(canvas) = doc.create_element("canvas") else { return };
        let canvas: web_sys::HtmlCanvasElement = canvas.unchecked_into();
        canvas.set_width(w * 2);
        canvas.set_height(h * 2);
        let Some(ctx) = canvas.get_context("2d").ok().flatten() else { return };
        let ctx: web_sys::CanvasRenderingContext2d = ctx.unchecked_into();
        let _ = ctx.scale(2.0, 2.0);
        let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
        if let Ok(data) = canvas.to_data_url_with_type("image/png") {
            let _ = click_link(&name, &data);
        }
    })
    .forget();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::file_stem;
    use faultline_sim::slice_scenario;

    #[test]
    fn exports_are_named_from_the_title_slugged() {
        let mut doc = slice_scenario();
        doc.name = "Checkout flow: v2!".into();
        assert_eq!(file_stem(&doc), "checkout-flow-v2");
        doc.name = "  --Café  au LAIT-- ".into();
        assert_eq!(file_stem(&doc), "café-au-lait");
        doc.name = "主数据库 / 2".into();
        assert_eq!(file_stem(&doc), "主数据库-2");
        doc.name = " ?! ".into();
        assert_eq!(file_stem(&doc), "faultline-design", "nothing left to name it by");
    }
}
