//! Why a file could not be opened, in plain words.
//!
//! serde's messages are written for programmers ("missing field `kind` at
//! line 12 column 5"); someone importing a design wants to hear which file,
//! which node and what is wrong with it ("design.json is not a Faultline
//! design: node 2 ("api") has no kind"). This reads the file as a design and,
//! when that fails, finds where in the document the parser stopped (a small
//! scan of the text up to the error's line and column: which list, which
//! element, which field) and says it about that element. A document that
//! parses but cannot be a design speaks through `plain` (the cards' names).

use crate::editor::layout::auto_layout;
use faultline_sim::Scenario;

/// The design in `text` (a file called `file`), laid out if its cards have
/// no positions, or why it cannot be opened, one plain sentence.
pub fn read_design(file: &str, text: &str) -> Result<Scenario, String> {
    if text.trim().is_empty() {
        return Err(format!("{file} is empty: there is no design in it."));
    }
    // serde reads a struct from a list too (its fields in order): a document
    // that is not an object is said to be what it is first.
    let first = text.trim_start().chars().next().unwrap_or('{');
    if first != '{' {
        // Broken JSON is said as such (the same parse as below: no other
        // parser's code in the page).
        if let Err(e) = serde_json::from_str::<Scenario>(text) {
            if e.is_syntax() || e.is_eof() {
                return Err(explain(file, text, &e));
            }
        }
        let what = match first {
            '[' => "a list",
            '"' => "a piece of text",
            't' | 'f' => "true or false",
            'n' => "null",
            _ => "a number",
        };
        return Err(format!(
            "{file} is not a Faultline design: it holds {what}, where a design is an object with its version, nodes and links."
        ));
    }
    let mut doc: Scenario = serde_json::from_str(text).map_err(|e| explain(file, text, &e))?;
    if let Err(e) = doc.validate_draft() {
        return Err(format!(
            "{file} is a Faultline design this page cannot open: {}",
            crate::plain::plain(&doc, &e.to_string())
        ));
    }
    auto_layout(&mut doc);
    Ok(doc)
}

fn explain(file: &str, text: &str, e: &serde_json::Error) -> String {
    let said = e.to_string();
    let message = said.rsplit_once(" at line ").map_or(said.as_str(), |(m, _)| m);
    if e.is_eof() {
        let (open, _) = scan(text, usize::MAX, 0);
        let closers: Vec<&str> =
            open.iter().rev().map(|f| if matches!(f, Frame::List { .. }) { "]" } else { "}" }).collect();
        let missing = match closers.as_slice() {
            [] => String::new(),
            [one] => format!(" (a closing {one} is missing)"),
            [many @ .., last] => format!(" (closing {} and {last} are missing)", many.join(", ")),
        };
        let what = if message == "EOF while parsing a string" { "inside quoted text" } else { "in the middle" };
        return format!(
            "{file} is not valid JSON (line {}, column {}): the file stops {what}{missing}.",
            e.line(),
            e.column()
        );
    }
    if e.is_syntax() {
        return format!("{file} is not valid JSON (line {}, column {}): {}.", e.line(), e.column(), syntax(message));
    }
    let at = locate(text, e.line(), e.column());
    let what = data(message);
    let subject = subject(&at);
    let sentence = match (subject, at.field) {
        // About the whole document: is it a design at all?
        (None, None) if message.contains("expected struct Scenario") => {
            format!("it holds {}, where a design is an object with its version, nodes and links", found(message))
        }
        (None, None) if message.starts_with("missing field") => {
            format!("it {what} (a design has at least a version, a duration_ms and its nodes)")
        }
        (None, None) => format!("it {what}"),
        (Some(s), None) => format!("{s} {what}"),
        (None, Some(f)) => format!("{f} {what}"),
        (Some(s), Some(f)) => format!("{s}: {f} {what}"),
    };
    format!("{file} is not a Faultline design: {sentence}.")
}

/// A syntax error's message, in words.
fn syntax(message: &str) -> String {
    let known = [
        ("expected `:`", "expected a colon (:) after the name"),
        ("expected `,` or `]`", "expected a comma (,) or the list's closing ]"),
        ("expected `,` or `}`", "expected a comma (,) or the object's closing }"),
        ("expected value", "expected a value"),
        ("expected ident", "expected true, false or null (text needs double quotes)"),
        ("key must be a string", "a name without double quotes (JSON names are \"quoted\")"),
        ("trailing comma", "a comma before a closing bracket (JSON allows none there)"),
        ("trailing characters", "there is more after the end of the document"),
    ];
    match known.iter().find(|(m, _)| *m == message) {
        Some((_, plain)) => plain.to_string(),
        None if message.starts_with("control character") => "a line break or tab inside quoted text".into(),
        None => message.to_string(),
    }
}

/// A data error's message, said of the element it is about.
fn data(message: &str) -> String {
    let ticked = |m: &str| m.split('`').nth(1).unwrap_or_default().to_string();
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("has no {}", ticked(field));
    }
    if message.starts_with("unknown field ") {
        return format!("has a field \"{}\" that a design does not have", ticked(message));
    }
    if message.starts_with("unknown variant ") {
        let known: Vec<&str> =
            message.split_once("expected").map_or(Vec::new(), |(_, k)| k.split('`').skip(1).step_by(2).collect());
        let list = if known.is_empty() { String::new() } else { format!(" (it can be {})", known.join(", ")) };
        return format!("has the unknown type \"{}\"{list}", ticked(message));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, x)| x);
        return format!("is {} where {} is expected", found(message), expected_words(expected));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("is {} where {} is expected", got.replace('`', ""), expected_words(expected));
    }
    message.to_string()
}

/// What an `invalid type` message found, in words.
fn found(message: &str) -> String {
    let rest = message.strip_prefix("invalid type: ").unwrap_or(message);
    let got = rest.split_once(", expected").map_or(rest, |(g, _)| g);
    let quoted = |s: &str| s.split_once(' ').map_or(String::new(), |(_, v)| v.replace('`', ""));
    match got.split(' ').next().unwrap_or_default() {
        "string" => format!("text ({})", quoted(got)),
        "integer" | "floating" => format!("a number ({})", quoted(got).trim_start_matches("point ")),
        "boolean" => quoted(got),
        "sequence" => "a list".into(),
        "map" => "an object".into(),
        "null" => "null".into(),
        _ => got.to_string(),
    }
}

fn expected_words(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number (0 or more)".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a string" | "string" => "text in double quotes".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a sequence" => "a list ([ … ])".into(),
        e if e.starts_with("struct ") || e.starts_with("internally tagged enum") || e == "a map" => {
            "an object ({ … })".into()
        }
        e => e.replace('`', ""),
    }
}

/// Where in the document a parse error is.
#[derive(Debug, Default, PartialEq)]
struct Place {
    /// The element of a top-level list it is in: the list, the index, and
    /// the element's `id` when the scan read it before the error.
    element: Option<(String, usize, Option<String>)>,
    /// The field (below that element, if any): `kind.workers`.
    field: Option<String>,
}

/// The element an error is about, in words: `node 2 ("api")`.
fn subject(at: &Place) -> Option<String> {
    let (list, index, id) = at.element.as_ref()?;
    let noun = match list.as_str() {
        "nodes" => "node",
        "edges" => "link",
        "workloads" => "workload",
        "faults" => "fault",
        "operations" => "operation",
        other => other,
    };
    let id = id.as_ref().map(|id| format!(" (\"{id}\")")).unwrap_or_default();
    Some(format!("{noun} {}{id}", index + 1))
}

enum Frame {
    Object { key: Option<String>, in_value: bool, id: Option<String> },
    List { index: usize },
}

/// Scans `text` up to (1-based) `line` and `column`, the parser's position
/// at the error, and says where that is. A container closed exactly there
/// is the place (serde reports a missing field at the object's `}`).
fn locate(text: &str, line: usize, column: usize) -> Place {
    let (stack, closed_here) = scan(text, line, column);
    path_of(&stack, closed_here)
}

/// The containers open at (`line`, `column`), outermost first, and the one
/// closed exactly there.
fn scan(text: &str, line: usize, column: usize) -> (Vec<Frame>, Option<Frame>) {
    let mut stack: Vec<Frame> = Vec::new();
    let (mut l, mut c) = (1, 0);
    let mut chars = text.chars().peekable();
    let mut closed_here = None;
    let at_end = |l: usize, c: usize| l > line || (l == line && c >= column);
    while let Some(ch) = chars.next() {
        if ch == '\n' {
            l += 1;
            c = 0;
            if at_end(l, c) {
                break;
            }
            continue;
        }
        c += 1;
        match ch {
            '{' => stack.push(Frame::Object { key: None, in_value: false, id: None }),
            '[' => stack.push(Frame::List { index: 0 }),
            '}' | ']' => {
                if at_end(l, c) {
                    closed_here = stack.pop();
                    break;
                }
                stack.pop();
            }
            ':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Object { key, in_value, .. }) => {
                    *key = None;
                    *in_value = false;
                }
                Some(Frame::List { index }) => *index += 1,
                None => {}
            },
            '"' => {
                let mut s = String::new();
                while let Some(ch) = chars.next() {
                    c += 1;
                    match ch {
                        '\\' => {
                            c += 1;
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        _ => s.push(ch),
                    }
                }
                if let Some(Frame::Object { key, in_value, id }) = stack.last_mut() {
                    if !*in_value {
                        *key = Some(s);
                    } else if key.as_deref() == Some("id") {
                        *id = Some(s);
                    }
                }
            }
            _ => {}
        }
        if at_end(l, c) {
            break;
        }
    }
    (stack, closed_here)
}

/// The path: each object's field (while in its value), each list's index;
/// a container closed at the error is the place itself.
fn path_of(stack: &[Frame], closed_here: Option<Frame>) -> Place {
    let frames: Vec<&Frame> = stack.iter().chain(closed_here.iter()).collect();
    let mut path: Vec<Seg> = Vec::new();
    let mut element_id = None;
    for (i, frame) in frames.iter().enumerate() {
        let closed = closed_here.is_some() && i + 1 == frames.len();
        match frame {
            Frame::Object { key, in_value, id } => {
                if matches!(path.as_slice(), [Seg::Key(_), Seg::Index(_)]) {
                    element_id = id.clone();
                }
                if let (false, true, Some(k)) = (closed, *in_value, key) {
                    path.push(Seg::Key(k.clone()));
                }
            }
            Frame::List { index } if !closed => path.push(Seg::Index(*index)),
            Frame::List { .. } => {}
        }
    }
    place(&path, element_id)
}

enum Seg {
    Key(String),
    Index(usize),
}

/// A path as the element of a top-level list it is in (`nodes`, 2, its id)
/// and the field below it (`kind.workers`).
fn place(path: &[Seg], element_id: Option<String>) -> Place {
    let render = |segs: &[Seg]| {
        let mut out = String::new();
        for s in segs {
            match s {
                Seg::Key(k) if out.is_empty() => out.push_str(k),
                Seg::Key(k) => out.push_str(&format!(".{k}")),
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        (!out.is_empty()).then_some(out)
    };
    match path {
        [Seg::Key(list), Seg::Index(i), rest @ ..] => {
            Place { element: Some((list.clone(), *i, element_id)), field: render(rest) }
        }
        _ => Place { element: None, field: render(path) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn refused(text: &str) -> String {
        read_design("design.json", text).unwrap_err()
    }

    #[test]
    fn broken_json_says_where_and_what() {
        assert_eq!(
            refused("{\n  \"version\": 1,\n  \"nodes\": [,]\n}"),
            "design.json is not valid JSON (line 3, column 13): expected a value."
        );
        assert_eq!(
            refused("{\"version\": 1,"),
            "design.json is not valid JSON (line 1, column 14): the file stops in the middle (a closing } is missing)."
        );
        assert_eq!(
            refused("{\"nodes\": [{\"id\": \"a"),
            "design.json is not valid JSON (line 1, column 20): the file stops inside quoted text (closing }, ] and } are missing)."
        );
        assert_eq!(refused("  \n"), "design.json is empty: there is no design in it.");
    }

    #[test]
    fn json_that_is_not_a_design_says_which_element_and_what() {
        let mut doc: serde_json::Value = serde_json::from_str(&slice_scenario().to_json_pretty()).unwrap();
        let node = doc["nodes"][1].as_object_mut().unwrap();
        let id = node["id"].as_str().unwrap().to_string();
        node.remove("kind");
        let said = refused(&serde_json::to_string_pretty(&doc).unwrap());
        assert_eq!(said, format!("design.json is not a Faultline design: node 2 (\"{id}\") has no kind."));
        // A wrong value deep in a node, on one line.
        let mut doc: serde_json::Value = serde_json::from_str(&slice_scenario().to_json_pretty()).unwrap();
        doc["nodes"][2]["kind"]["type"] = "mainframe".into();
        let said = refused(&serde_json::to_string(&doc).unwrap());
        assert!(said.starts_with("design.json is not a Faultline design: node 3"), "{said}");
        assert!(said.contains("unknown type \"mainframe\" (it can be client, load_balancer,"), "{said}");
        let mut doc: serde_json::Value = serde_json::from_str(&slice_scenario().to_json_pretty()).unwrap();
        doc["duration_ms"] = "long".into();
        assert_eq!(
            refused(&serde_json::to_string_pretty(&doc).unwrap()),
            "design.json is not a Faultline design: duration_ms is text (\"long\") where a whole number (0 or more) is expected."
        );
        assert_eq!(
            refused("[1, 2]"),
            "design.json is not a Faultline design: it holds a list, where a design is an object with its version, nodes and links."
        );
        assert_eq!(
            refused("{\"name\": \"left-pad\", \"version\": 1}"),
            "design.json is not a Faultline design: it has no duration_ms (a design has at least a version, a duration_ms and its nodes)."
        );
    }

    #[test]
    fn a_design_opens_and_one_that_cannot_be_says_so_about_its_cards() {
        let text = slice_scenario().to_json_pretty();
        assert_eq!(read_design("slice.json", &text).unwrap().nodes.len(), slice_scenario().nodes.len());
        let mut bad = slice_scenario();
        bad.version = 99;
        let said = refused(&serde_json::to_string(&bad).unwrap());
        assert!(said.starts_with("design.json is a Faultline design this page cannot open: "), "{said}");
        assert!(said.contains("version 99"), "{said}");
    }
}
