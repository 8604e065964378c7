//! The engine's reasons, in the words of someone building on the canvas.
//!
//! The validator speaks the file's language (`nodes[1].kind: load balancer
//! "lb-1" has no backends (no outgoing edge)`), right for the CLI and for
//! JSON; a learner on the canvas sees cards with names, not indices. This
//! turns each problem into a sentence about the card ("Load balancer 1 has
//! no backends: connect it to a service.") and says what to do; a problem it
//! does not know keeps its message, with the card's name instead of the path.

use faultline_sim::Scenario;

/// `why` (one problem a line) in plain words, one sentence a line.
pub fn plain(doc: &Scenario, why: &str) -> String {
    why.lines().map(|line| problem(doc, line)).collect::<Vec<_>>().join("\n")
}

/// The node a problem's path starts with (`nodes[3]...`), and the rest of the line.
fn node_of<'a>(doc: &'a Scenario, line: &'a str) -> Option<(&'a faultline_sim::scenario::Node, &'a str)> {
    let rest = line.strip_prefix("nodes[")?;
    let (index, rest) = rest.split_once(']')?;
    let node = doc.nodes.get(index.parse::<usize>().ok()?)?;
    let (_, message) = rest.split_once(": ")?;
    Some((node, message))
}

fn problem(doc: &Scenario, line: &str) -> String {
    if line == "nodes: a scenario needs at least one node" {
        return "The canvas is empty: add a node from the palette.".into();
    }
    let Some((node, message)) = node_of(doc, line) else { return line.to_string() };
    let name = node.display_name();
    let missing = message.ends_with("(has 0)") || message.contains("(no outgoing edge)");
    let fix = match node.kind.name() {
        "load_balancer" if missing => Some("has no backends: connect it to a service"),
        "queue" | "log" if missing => Some("has no consumer: connect it to the service that reads it"),
        "cache" if missing => Some("has nothing behind it: connect it to a database"),
        "pooler" if missing => Some("has no database: connect it to one"),
        _ => None,
    };
    match fix {
        Some(fix) => format!("{name} {fix}."),
        None => format!("{name}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::plain;
    use faultline_sim::slice_scenario;

    #[test]
    fn the_card_by_its_name_and_what_to_do() {
        let (mut doc, i) = crate::editor::edits::add_node(&slice_scenario(), "load_balancer", 0.0, 0.0).unwrap();
        doc.nodes[i].name = "Load balancer 1".into();
        let said = plain(&doc, &format!("nodes[{i}].kind: load balancer \"lb-1\" has no backends (no outgoing edge)"));
        assert_eq!(said, "Load balancer 1 has no backends: connect it to a service.");
        // Unknown problems keep their message, about the card.
        let workers = format!("nodes[{i}].kind.workers: must be at least 1");
        assert_eq!(plain(&doc, &workers), "Load balancer 1: must be at least 1");
        assert_eq!(plain(&doc, "seed: not a number"), "seed: not a number", "not about a node");
        assert_eq!(plain(&doc, "nodes[9].kind: x"), "nodes[9].kind: x", "no such node");
        assert_eq!(
            plain(&doc, "nodes: a scenario needs at least one node"),
            "The canvas is empty: add a node from the palette."
        );
    }
}
