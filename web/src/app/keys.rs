//! What each keyboard command does to the design, as a pure function of the
//! document, the selection and the clipboard (the DOM side, which keys map to
//! which command, is `keyboard.rs`).

use super::placement::{checked, moved_into_regions};
use crate::editor::edits::{self, GRID};
use crate::keyboard::Command;
use crate::state::{edges_of, nodes_of, Action, Selection};
use faultline_sim::scenario::{Edge, Node};
use faultline_sim::Scenario;

/// Where pasted and duplicated nodes land, relative to their originals.
pub const PASTE_OFFSET: f64 = 3.0 * GRID;

/// The page's own clipboard: nodes and the links among them.
pub type Clipboard = Option<(Vec<Node>, Vec<Edge>)>;

pub enum Reaction {
    Act(Action),
    ToggleHelp,
    CloseHelp,
    /// Open the list of nodes the selected node `usize` can be connected to.
    Connect(usize),
}

/// What `cmd` does; `None` when it does nothing here (the browser may then
/// do its own thing with the key).
pub fn react(
    cmd: Command,
    doc: &Scenario,
    selection: &[Selection],
    playing: bool,
    clipboard: &mut Clipboard,
) -> Option<Vec<Reaction>> {
    let nodes = nodes_of(selection);
    let edges = edges_of(selection);
    let copied = || {
        let ns: Vec<Node> = nodes.iter().filter_map(|&i| doc.nodes.get(i).cloned()).collect();
        let es: Vec<Edge> = doc
            .edges
            .iter()
            .filter(|e| ns.iter().any(|n| n.id == e.from) && ns.iter().any(|n| n.id == e.to))
            .cloned()
            .collect();
        (ns, es)
    };
    let paste = |(ns, es): (Vec<Node>, Vec<Edge>)| -> Vec<Reaction> {
        if ns.is_empty() {
            return Vec::new();
        }
        vec![Reaction::Act(match edits::duplicate(doc, &ns, &es, PASTE_OFFSET, PASTE_OFFSET) {
            Ok((next, copies)) => Action::EditSelect(next, copies.into_iter().map(Selection::Node).collect()),
            Err(e) => Action::Message(Some(e)),
        })]
    };
    let edit = |next: Result<Scenario, String>| match next {
        Ok(doc) => Action::Edit(doc),
        Err(e) => Action::Message(Some(e)),
    };
    Some(match cmd {
        Command::Delete if !selection.is_empty() => vec![Reaction::Act(edit(edits::delete(doc, &nodes, &edges)))],
        Command::Undo => vec![Reaction::Act(Action::Undo)],
        Command::Redo => vec![Reaction::Act(Action::Redo)],
        Command::Copy => {
            *clipboard = Some(copied());
            Vec::new()
        }
        Command::Paste => paste(clipboard.clone()?),
        Command::Duplicate => paste(copied()),
        Command::SelectAll => vec![Reaction::Act(Action::Select((0..doc.nodes.len()).map(Selection::Node).collect()))],
        Command::Nudge(dx, dy) if !nodes.is_empty() => {
            vec![Reaction::Act(edit(checked(moved_into_regions(doc, &nodes, dx, dy))))]
        }
        Command::Help => vec![Reaction::ToggleHelp],
        Command::Escape => vec![Reaction::CloseHelp, Reaction::Act(Action::Select(Vec::new()))],
        Command::PlayPause => vec![Reaction::Act(if playing { Action::Pause } else { Action::Play })],
        Command::Connect => match (nodes.as_slice(), doc.nodes.len()) {
            ([from], n) if n > 1 => vec![Reaction::Connect(*from)],
            ([_], _) => vec![Reaction::Act(Action::Message(Some(
                "Add another node first: there is nothing to connect to.".into(),
            )))],
            _ => vec![Reaction::Act(Action::Message(Some("Select one node to connect from, then press C.".into())))],
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn edited(r: &[Reaction]) -> &Scenario {
        match r {
            [Reaction::Act(Action::Edit(d) | Action::EditSelect(d, _))] => d,
            _ => panic!("expected one edit"),
        }
    }

    #[test]
    fn copy_paste_duplicate_delete_and_nudge() {
        let doc = slice_scenario();
        let mut clip = None;
        let sel = [Selection::Node(1), Selection::Node(2)];
        assert!(react(Command::Copy, &doc, &sel, false, &mut clip).unwrap().is_empty());
        assert_eq!(clip.as_ref().map(|(n, e)| (n.len(), e.len())), Some((2, 1)), "the api, the db and their link");
        let pasted = react(Command::Paste, &doc, &[], false, &mut clip).unwrap();
        assert_eq!(edited(&pasted).nodes.len(), 5);
        let dup = react(Command::Duplicate, &doc, &sel[..1], false, &mut None).unwrap();
        assert_eq!(edited(&dup).nodes.len(), 4);
        let del = react(Command::Delete, &doc, &sel[1..], false, &mut None).unwrap();
        assert!(edited(&del).node_index("db").is_none());
        let nudged = react(Command::Nudge(GRID, 0.0), &doc, &sel[..1], false, &mut None).unwrap();
        assert_eq!(edited(&nudged).nodes[1].x, doc.nodes[1].x + GRID);
        assert!(react(Command::Nudge(GRID, 0.0), &doc, &[], false, &mut None).is_none(), "nothing to nudge");
        assert!(react(Command::Paste, &doc, &[], false, &mut None).is_none(), "an empty clipboard");
        assert!(matches!(
            react(Command::Connect, &doc, &sel[..1], false, &mut None).unwrap()[..],
            [Reaction::Connect(1)]
        ));
        assert!(
            matches!(
                react(Command::Connect, &doc, &sel, false, &mut None).unwrap()[..],
                [Reaction::Act(Action::Message(Some(_)))]
            ),
            "two nodes selected: which one?"
        );
    }
}
