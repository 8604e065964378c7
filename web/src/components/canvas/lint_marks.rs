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
//!
//! A mark moves with what it marks: while a drag carries a card, its mark
//! and those of the links touching it hide here and the drag layer draws
//! them where they are carried (`carried_marks`).

use super::drag_layer::{use_lifted, Carry, Piece};
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
    /// The drag in progress: the marks on the cards and links it lifts hide
    /// here (the drag layer draws them where they are carried).
    #[prop_or_default]
    pub carry: Option<Same<Carry>>,
}

/// The marks as a layer drawn only when its inputs change (see the module's doc).
#[component]
pub fn LintLayer(props: &LintLayerProps) -> Html {
    let (doc, lines, card) = (&props.doc, &props.lines, props.card);
    let items = props.marks.iter().filter_map(|m| {
        let (piece, (x, y)) = match m.on {
            Selection::Node(i) => {
                let n = doc.nodes.get(i)?;
                (Piece::CardMark(i), on_card((n.x, n.y), card))
            }
            Selection::Edge(i) => (Piece::LinkMark(i), on_link((*lines.get(i)?)?)),
        };
        let testid = testid(doc, m.on)?;
        let key = testid.clone();
        Some(html! {
            <Mark key={key} {testid} {x} {y} whys={AttrValue::from(m.whys.join("\n"))} {piece}
                carry={props.carry.clone()} />
        })
    });
    html! { <g class="lint-marks" aria-hidden="true">{ for items }</g> }
}

/// Where a card's mark goes, for a card centred at `centre`: its top-left
/// corner (the DOWN badge is top right).
fn on_card(centre: (f64, f64), card: (f64, f64)) -> (f64, f64) {
    (centre.0 - card.0 / 2.0, centre.1 - card.1 / 2.0)
}

/// Where a link's mark goes: just above it, four fifths along (clear of the
/// throughput label over its middle, the breaker's mark a quarter along and
/// the breaker's label under its middle, even between cards 90 px apart).
fn on_link((x1, y1, x2, y2): Line) -> (f64, f64) {
    (x1 + (x2 - x1) * 0.8, y1 + (y2 - y1) * 0.8 - 13.0)
}

/// The test id of the mark on `on`, or `None` when `on` is not in `doc`.
fn testid(doc: &Scenario, on: Selection) -> Option<String> {
    match on {
        Selection::Node(i) => Some(format!("lint-mark-{}", doc.nodes.get(i)?.id)),
        Selection::Edge(i) => doc.edges.get(i).map(|e| format!("lint-mark-{}-{}", e.from, e.to)),
    }
}

#[derive(Properties, PartialEq)]
struct MarkProps {
    testid: String,
    x: f64,
    y: f64,
    whys: AttrValue,
    piece: Piece,
    carry: Option<Same<Carry>>,
}

/// One mark of the canvas: a component of its own so that a drag's lift
/// hides only the marks it carries (`drag_layer::use_lifted`), never
/// rendering the layer's hundreds of others.
#[component]
fn Mark(props: &MarkProps) -> Html {
    if use_lifted(props.carry.clone(), props.piece) {
        return Html::default();
    }
    mark(&props.testid, props.x, props.y, &props.whys)
}

fn mark(testid: &str, x: f64, y: f64, whys: &str) -> Html {
    html! {
        <g class="lint-mark" data-testid={testid.to_string()}>
            <circle cx={x.to_string()} cy={y.to_string()} r="8" />
            <text x={x.to_string()} y={(y + 4.0).to_string()} text-anchor="middle">{ "!" }</text>
            <title>{ whys.to_string() }</title>
        </g>
    }
}

/// The marks on the cards and links a drag carries, where they are carried
/// to, for the drag layer: `centre` is where a carried card is drawn (`None`
/// for a card not carried), `moved` each carried link's line.
pub fn carried_marks(
    doc: &Scenario,
    marks: &[LintMark],
    card: (f64, f64),
    centre: impl Fn(usize) -> Option<(f64, f64)>,
    moved: &[(usize, Line)],
) -> Html {
    let items = marks.iter().filter_map(|m| {
        let (x, y) = match m.on {
            Selection::Node(i) => on_card(centre(i)?, card),
            Selection::Edge(i) => on_link(moved.iter().find(|(j, _)| *j == i)?.1),
        };
        Some(mark(&testid(doc, m.on)?, x, y, &m.whys.join("\n")))
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
