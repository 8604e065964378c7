//! The File menu: JSON export and import (also by dropping a file on the
//! page), the canvas as PNG or SVG, and the metric series as CSV.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FilePanelProps {
    pub on_export_json: Callback<()>,
    /// The text of a chosen file.
    pub on_import: Callback<web_sys::File>,
    pub on_export_png: Callback<()>,
    pub on_export_svg: Callback<()>,
    pub on_export_csv: Callback<()>,
    /// Start again on a blank canvas (undo brings the design back).
    pub on_new: Callback<()>,
}

#[component]
pub fn FilePanel(props: &FilePanelProps) -> Html {
    let onchange = {
        let on_import = props.on_import.clone();
        Callback::from(move |ev: Event| {
            let input: web_sys::HtmlInputElement = ev.target_unchecked_into();
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                on_import.emit(f);
            }
            // Choosing the same file again must fire again.
            input.set_value("");
        })
    };
    let button = |testid: &str, label: &str, cb: &Callback<()>| {
        let onclick = cb.reform(|_: MouseEvent| ());
        html! { <button class="btn small" data-testid={testid.to_string()} {onclick}>{ label.to_string() }</button> }
    };
    html! {
        <div class="panel file-panel" role="dialog" aria-modal="true" aria-label="Files">
            <div class="file-row">
                { button("new-design", "New design", &props.on_new) }
            </div>
            <div class="file-row">
                { button("export-json", "Export JSON", &props.on_export_json) }
                <label class="btn small file-input">{ "Import JSON…" }
                    <input type="file" accept=".json,application/json" data-testid="import-json" {onchange} />
                </label>
            </div>
            <div class="file-row">
                { button("export-png", "PNG", &props.on_export_png) }
                { button("export-svg", "SVG", &props.on_export_svg) }
                { button("export-csv", "Series CSV", &props.on_export_csv) }
            </div>
            <p class="help">{ "New design starts on a blank canvas (Undo brings this one back). The JSON is the document the CLI runs: faultline run design.json. You can also drop a .json file anywhere on the page." }</p>
        </div>
    }
}
