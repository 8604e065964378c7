//! Keyboard shortcuts: which key does what, kept apart from the DOM so the
//! mapping is testable and the help overlay lists exactly what works.

use crate::editor::edits::GRID;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Delete,
    Undo,
    Redo,
    Copy,
    Paste,
    Duplicate,
    SelectAll,
    /// Move the selected nodes by (dx, dy) design pixels.
    Nudge(f64, f64),
    Help,
    Escape,
    PlayPause,
    /// Connect the selected node to another, chosen from a list.
    Connect,
}

/// What the help overlay shows, in order.
pub const HELP: &[(&str, &str)] = &[
    ("Click / Shift-click", "Select / add to the selection"),
    ("Shift-drag on the background", "Select with a rectangle"),
    ("Drag the background, or wheel", "Pan, zoom"),
    ("Drag a card's right handle", "Connect to another node"),
    ("Tab / Shift+Tab", "Move between nodes, links and controls (the selection stays)"),
    (
        "Tab to \"Skip to the fault bar\", Enter",
        "Jump past the canvas's cards to the fault bar (\"Back to the palette\" follows the cards)",
    ),
    ("Enter or Space on a node or link", "Select it (the fault bar then breaks it)"),
    ("Arrow keys", "Nudge the selected nodes (Shift: five steps)"),
    ("Arrow keys on a link", "Go to the node's other links"),
    ("C", "Connect the selected node: choose the target from a list, Enter"),
    ("Delete / Backspace", "Delete the selection, or the fault block picked on the timeline"),
    ("Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y", "Undo / redo"),
    ("Ctrl+C / Ctrl+V / Ctrl+D", "Copy / paste / duplicate"),
    ("Ctrl+A", "Select every node"),
    ("P", "Play or pause"),
    ("?", "This help"),
    ("Escape", "Close the open panel or help, else clear the selection"),
];

/// The command for a key press; `ctrl` is Ctrl or Cmd.
pub fn command(key: &str, ctrl: bool, shift: bool) -> Option<Command> {
    let step = if shift { GRID * 5.0 } else { GRID };
    Some(match (key, ctrl) {
        ("Delete" | "Backspace", false) => Command::Delete,
        ("z" | "Z", true) if shift => Command::Redo,
        ("z" | "Z", true) => Command::Undo,
        ("y" | "Y", true) => Command::Redo,
        ("c" | "C", true) => Command::Copy,
        ("v" | "V", true) => Command::Paste,
        ("d" | "D", true) => Command::Duplicate,
        ("a" | "A", true) => Command::SelectAll,
        ("ArrowLeft", false) => Command::Nudge(-step, 0.0),
        ("ArrowRight", false) => Command::Nudge(step, 0.0),
        ("ArrowUp", false) => Command::Nudge(0.0, -step),
        ("ArrowDown", false) => Command::Nudge(0.0, step),
        ("?", _) => Command::Help,
        ("Escape", _) => Command::Escape,
        ("p" | "P", false) => Command::PlayPause,
        ("c" | "C", false) => Command::Connect,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_shortcuts() {
        assert_eq!(command("z", true, false), Some(Command::Undo));
        assert_eq!(command("Z", true, true), Some(Command::Redo));
        assert_eq!(command("y", true, false), Some(Command::Redo));
        assert_eq!(command("Delete", false, false), Some(Command::Delete));
        assert_eq!(command("ArrowUp", false, true), Some(Command::Nudge(0.0, -GRID * 5.0)));
        assert_eq!(command("z", false, false), None, "a bare z types a z");
        assert_eq!(command("?", false, true), Some(Command::Help));
        assert_eq!(command("c", false, false), Some(Command::Connect));
        assert_eq!(command("c", true, false), Some(Command::Copy), "Ctrl+C still copies");
    }
}
