//! The members of a structured setting, as the inspector's forms edit them.
//!
//! A retry policy, a breaker or a distribution is one field of the document
//! (one JSON value), but people edit it member by member. Each member is
//! read from and written back into that value at a dotted path
//! (`backoff.base_ms`); the form then hands the whole new value to
//! `fields::set`, so the engine still checks every edit and its messages are
//! the ones shown. The forms only refuse what cannot be put in the document
//! at all (text where a number goes, a fraction where a count goes).

use serde_json::{Map, Value};

/// How a member is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A number; `integer` ones take whole numbers >= 0 only.
    Number { integer: bool },
    /// One of fixed values: (value in the document, label shown).
    Choice(&'static [(&'static str, &'static str)]),
    /// On or off (a checkbox).
    Flag,
}

/// One editable member of a structured value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Where it lives in the value, dot-separated (`backoff.base_ms`).
    pub path: &'static str,
    pub label: &'static str,
    /// Unit shown beside the input ("" when it has none).
    pub unit: &'static str,
    pub input: Input,
    /// The engine's limits or meaning, in a few words (shown as a tooltip).
    pub hint: &'static str,
}

impl Member {
    pub const fn number(path: &'static str, label: &'static str, unit: &'static str, hint: &'static str) -> Member {
        Member { path, label, unit, input: Input::Number { integer: false }, hint }
    }

    pub const fn integer(path: &'static str, label: &'static str, unit: &'static str, hint: &'static str) -> Member {
        Member { path, label, unit, input: Input::Number { integer: true }, hint }
    }

    pub const fn flag(path: &'static str, label: &'static str, hint: &'static str) -> Member {
        Member { path, label, unit: "", input: Input::Flag, hint }
    }

    pub const fn choice(
        path: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        hint: &'static str,
    ) -> Member {
        Member { path, label, unit: "", input: Input::Choice(options), hint }
    }

    /// The member's part of a test id: `backoff.base_ms` gives `backoff-base_ms`.
    pub fn id(&self) -> String {
        self.path.replace('.', "-")
    }
}

/// The value at `path` (dot-separated object keys), if there is one.
pub fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// `value` with `path` set to `new`, creating objects on the way as needed.
pub fn put(mut value: Value, path: &str, new: Value) -> Value {
    let mut at = &mut value;
    for key in path.split('.') {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        at = at.as_object_mut().expect("just made an object").entry(key).or_insert(Value::Null);
    }
    *at = new;
    value
}

/// A number as people write it: `100`, not `100.0`.
pub fn number_text(n: &serde_json::Number) -> String {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => u.to_string(),
        (_, Some(i), _) => i.to_string(),
        (_, _, Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}

/// How the member at `path` is shown in its input (flags: `true`/`false`).
pub fn text(value: &Value, path: &str) -> String {
    match get(value, path) {
        Some(Value::Number(n)) => number_text(n),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// What the user entered for `member`, as a document value.
pub fn parse(member: &Member, field: &str, text: &str) -> Result<Value, String> {
    let text = text.trim();
    let what = format!("{field}, {}", member.label.to_ascii_lowercase());
    match member.input {
        Input::Flag => Ok(Value::Bool(text == "true")),
        Input::Choice(options) => match options.iter().find(|(v, _)| *v == text) {
            Some((v, _)) => Ok(Value::from(*v)),
            None => Err(format!(
                "{what}: choose one of {}.",
                options.iter().map(|(v, _)| *v).collect::<Vec<_>>().join(", ")
            )),
        },
        Input::Number { integer } => {
            if text.is_empty() {
                return Err(format!("{what}: needs a number."));
            }
            let v: f64 = text.parse().map_err(|_| format!("{what}: \"{text}\" is not a number."))?;
            if !v.is_finite() {
                return Err(format!("{what}: must be a finite number."));
            }
            if !integer {
                return Ok(Value::from(v));
            }
            if v.fract() != 0.0 || v < 0.0 {
                return Err(format!("{what}: must be a whole number >= 0 (got {text})."));
            }
            if v > u32::MAX as f64 {
                return Err(format!("{what}: {text} is too large."));
            }
            Ok(Value::from(v as u64))
        }
    }
}

/// `value` with `member` set from what the user entered.
pub fn write(value: Value, member: &Member, field: &str, text: &str) -> Result<Value, String> {
    Ok(put(value, member.path, parse(member, field, text)?))
}

/// `x` rounded to three significant digits, for values the form derives
/// (a switched distribution's parameters) rather than the user typed.
pub fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const WAIT: Member = Member::integer("backoff.base_ms", "Base", "ms", "");

    #[test]
    fn members_are_read_and_written_at_their_path() {
        let v = json!({"max_attempts": 3, "backoff": {"type": "fixed", "ms": 100.0}});
        assert_eq!(text(&v, "max_attempts"), "3");
        assert_eq!(text(&v, "backoff.ms"), "100", "whole floats read without .0");
        assert_eq!(text(&v, "backoff.type"), "fixed");
        assert_eq!(text(&v, "budget.cost"), "");
        let v = put(v, "budget.cost", json!(2));
        assert_eq!(v["budget"], json!({"cost": 2}));
        assert_eq!(WAIT.id(), "backoff-base_ms");
    }

    #[test]
    fn numbers_are_checked_for_what_the_document_can_hold() {
        assert_eq!(parse(&WAIT, "Retries", " 250 ").unwrap(), json!(250));
        assert!(parse(&WAIT, "Retries", "2.5").unwrap_err().contains("whole"));
        assert!(parse(&WAIT, "Retries", "-1").unwrap_err().contains("whole"));
        assert!(parse(&WAIT, "Retries", "soon").unwrap_err().contains("not a number"));
        assert!(parse(&WAIT, "Retries", "").unwrap_err().contains("needs a number"));
        let ms = Member::number("ms", "Wait", "ms", "");
        assert_eq!(parse(&ms, "Retries", "2.5").unwrap(), json!(2.5));
        assert!(parse(&ms, "Retries", "inf").is_err());
        let flag = Member::flag("retry_post", "Retry POST", "");
        assert_eq!(parse(&flag, "Retries", "true").unwrap(), json!(true));
        let choice = Member::choice("jitter", "Jitter", &[("full", "Full")], "");
        assert!(parse(&choice, "Retries", "half").unwrap_err().contains("full"));
    }

    #[test]
    fn tidy_keeps_three_significant_digits() {
        assert_eq!(tidy(8.824969), 8.82);
        assert_eq!(tidy(1234.5), 1230.0);
        assert_eq!(tidy(0.0012345), 0.00123);
        assert_eq!(tidy(0.0), 0.0);
    }
}
