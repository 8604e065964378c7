//! Indenting compact JSON text, exactly as `serde_json::to_string_pretty`
//! would have written the same value.
//!
//! Why not `to_string_pretty` itself: every type it writes gets a second
//! copy of its serialisation code (one per formatter), and the scenario
//! document is the largest type there is. The page writes scenarios compact
//! (browser storage, share links, the engine's worker) and pretty (a
//! downloaded file); writing them compact and indenting the text keeps one
//! copy. The output is byte for byte `to_string_pretty`'s: two spaces per
//! level, `": "` after a key, `[]` and `{}` for empty containers (the tests
//! compare the two on every shipped document).

/// `compact`, which must be JSON as `serde_json::to_string` writes it (no
/// whitespace outside strings), indented.
pub fn indent(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                // A string, escapes included, as it is.
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.push_str(&compact[start..i]);
                continue;
            }
            b'[' | b'{' => {
                let close = if c == b'[' { b']' } else { b'}' };
                out.push(char::from(c));
                if bytes.get(i + 1) == Some(&close) {
                    out.push(char::from(close));
                    i += 2;
                    continue;
                }
                depth += 1;
                new_line(&mut out, depth);
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(char::from(c));
            }
            b',' => {
                out.push(',');
                new_line(&mut out, depth);
            }
            b':' => out.push_str(": "),
            // Numbers, true, false, null: ASCII.
            _ => out.push(char::from(c)),
        }
        i += 1;
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::indent;
    use serde_json::json;

    fn same_as_serde(v: &impl serde::Serialize) {
        let compact = serde_json::to_string(v).unwrap();
        assert_eq!(indent(&compact), serde_json::to_string_pretty(v).unwrap());
    }

    #[test]
    fn indents_as_serde_json_does() {
        same_as_serde(&json!({}));
        same_as_serde(&json!([]));
        same_as_serde(&json!({"a": [], "b": {}, "c": [1, 2.5, -3e-7, true, null], "d": {"e": [{"f": "g"}]}}));
        same_as_serde(&json!([[[]], [{}], 0]));
    }

    #[test]
    fn strings_stay_as_they_are() {
        // Quotes, backslashes, brackets and separators inside strings, a
        // string ending in an escaped backslash, control characters, non-ASCII.
        same_as_serde(&json!({"k\"[{,:": "v\\\"}],: ", "end\\": "\\", "ctl": "a\nb\tc\u{1}", "ü": "日本 🎉"}));
        same_as_serde(&json!(["", "\"", "\\\\", "[]", "{}"]));
    }

    #[test]
    fn every_shipped_document_indents_as_serde_json_does() {
        for (_, text) in crate::exercise::registry::BUILTIN {
            let exercise: crate::exercise::Exercise = serde_json::from_str(text).unwrap();
            same_as_serde(&exercise);
            same_as_serde(&exercise.starter);
            same_as_serde(&exercise.reference);
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/scenarios");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            if let Ok(doc) = serde_json::from_str::<crate::Scenario>(&text) {
                same_as_serde(&doc);
                n += 1;
            }
        }
        assert!(n > 30, "the presets were read ({n})");
    }
}
