//! The design review: the linter's warnings (`faultline_sim::lint`, read from
//! the document alone, before any run), each with its one-line why and the
//! pattern that fixes it. Clicking one selects the node or link it is about,
//! which the canvas marks too (`canvas::lint_marks`).

use crate::state::Selection;
use faultline_sim::lint::Warning;
use std::rc::Rc;
use yew::prelude::*;

/// The node or link a warning's path (`nodes[3]`, `edges[1]`) points at.
pub fn target(path: &str) -> Option<Selection> {
    let index = |prefix: &str| path.strip_prefix(prefix)?.strip_suffix(']')?.parse::<usize>().ok();
    index("nodes[").map(Selection::Node).or_else(|| index("edges[").map(Selection::Edge))
}

#[derive(Properties, PartialEq)]
pub struct LintProps {
    pub warnings: Rc<Vec<Warning>>,
    pub on_select: Callback<Vec<Selection>>,
}

#[component]
pub fn LintPanel(props: &LintProps) -> Html {
    let rows = props.warnings.iter().enumerate().map(|(k, w)| {
        let onclick = target(&w.path).map(|s| props.on_select.reform(move |_: MouseEvent| vec![s]));
        html! {
            <li>
                <button class="lint-warning" data-testid={format!("lint-{k}")} data-rule={w.rule} {onclick}>
                    <span class="lint-icon" aria-hidden="true">{ "⚠" }</span>
                    <span class="lint-subject">{ w.subject.clone() }</span>
                    <span class="lint-why">{ w.why.clone() }</span>
                    <span class="lint-fix">{ format!("Fix: {}", w.pattern) }</span>
                </button>
            </li>
        }
    });
    html! {
        <div class="panel lint-panel" role="dialog" aria-modal="true" aria-label="Design review" data-testid="lint-panel">
            <p class="help">{ "Weak spots read from the design itself, before any run: advice, not errors (a warned design still runs). Click one to select what it is about." }</p>
            if props.warnings.is_empty() {
                <p class="lint-clean" data-testid="lint-clean">{ "Nothing to warn about in this design." }</p>
            } else {
                <ul>{ for rows }</ul>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_point_at_nodes_and_links() {
        assert_eq!(target("nodes[3]"), Some(Selection::Node(3)));
        assert_eq!(target("edges[12]"), Some(Selection::Edge(12)));
        assert_eq!(target("workloads[0]"), None);
        assert_eq!(target("nodes[x]"), None);
    }
}
