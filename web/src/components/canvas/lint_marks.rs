//! The design review's marks on the canvas: a small warning sign on each
//! card and link the linter warns about (see `components::lint_panel`), with
//! the warnings' one-line whys as its tooltip. Drawn as a layer of their own
//! over the cards and links, so neither has to know about the linter.
//!
//! The layer is a component that compares its inputs by address, so it is
//! drawn again only when the document or the review changes, never per
//! readout: a generated thousand-node design has some 940 marks, and
//! building and comparing them on each of the canvas's ten renders a second
//! was about half of the canvas's script time. A mark is placed by its
//! coordinates, not by a `transform` (each transform is a node of its own
//! that the browser's compositing pass walks on every repaint).

use crate::editor::layout::Line;
use crate::same::Same;
use crate::state::Selection;
use faultline_sim::Scenario;
use yew::prelude::*;

/// One mark: what it is on, and the whys of the warnings about it.
#[derive(Clone, Debug, PartialEq)]
pub struct LintMark {
    pub on: Selection,
    pub whys: Vec<String>,
}

/// Groups `(target, why)` pairs into one mark per node or link, in order.
pub fn marks(warnings: impl IntoIterator<Item = (Selection, String)>) -> Vec<LintMark> {
    let mut out: Vec<LintMark> = Vec::new();
    for (on, why) in warnings {
        match out.iter_mut().find(|m| m.on == on) {
            Some(m) => m.whys.push(why),
            None => out.push(LintMark { on, whys: vec![why] }),
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct LintLayerProps {
    pub doc: Same<Scenario>,
    /// Each link's line (see `layout::edge_lines`).
    pub lines: Same<Vec<Option<Line>>>,
    pub marks: Same<Vec<LintMark>>,
    /// A card's width and height.
    pub card: (f64, f64),
}

/// The marks as a layer drawn only when its inputs change (see the module's doc).
#[component]
pub fn LintLayer(props: &LintLayerProps) -> Html {
    layer(&props.doc, &props.lines, &props.marks, props.card)
}

/// The marks, placed: a card's on its top-left corner (the DOWN badge is
/// top right), a link's just above it, four fifths along (clear of the
/// throughput label over its middle, the breaker's mark a quarter along and
/// the breaker's label under its middle, even between cards 90 px apart).
pub fn layer(doc: &Scenario, lines: &[Option<Line>], marks: &[LintMark], card: (f64, f64)) -> Html {
    let items = marks.iter().filter_map(|m| {
        let (x, y, testid) = match m.on {
            Selection::Node(i) => {
                let n = doc.nodes.get(i)?;
                (n.x - card.0 / 2.0, n.y - card.1 / 2.0, format!("lint-mark-{}", n.id))
            }
            Selection::Edge(i) => {
                let (x1, y1, x2, y2) = (*lines.get(i)?)?;
                let e = doc.edges.get(i)?;
                (x1 + (x2 - x1) * 0.8, y1 + (y2 - y1) * 0.8 - 13.0, format!("lint-mark-{}-{}", e.from, e.to))
            }
        };
        Some(html! {
            <g class="lint-mark" data-testid={testid}>
                <circle cx={x.to_string()} cy={y.to_string()} r="8" />
                <text x={x.to_string()} y={(y + 4.0).to_string()} text-anchor="middle">{ "!" }</text>
                <title>{ m.whys.join("\n") }</title>
            </g>
        })
    });
    html! { <g class="lint-marks" aria-hidden="true">{ for items }</g> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mark_per_target_with_every_why() {
        let got = marks([
            (Selection::Edge(1), "a".to_string()),
            (Selection::Node(0), "b".to_string()),
            (Selection::Edge(1), "c".to_string()),
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], LintMark { on: Selection::Edge(1), whys: vec!["a".into(), "c".into()] });
    }
}
