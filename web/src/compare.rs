//! Compare mode as the page holds it: which two designs are compared (A and
//! B), and the engine's answer once it comes.
//!
//! The comparison itself runs in the engine's worker (`Command::Compare`,
//! see `faultline_live::compare`), headless and apart from the live run,
//! which is left exactly as it was; the page only draws the answer. Each
//! compare gets a new id, so an answer to a compare the user has since
//! closed or replaced is dropped.

use faultline_live::compare::Comparison;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::Reducible;

/// One open compare.
#[derive(Clone, Debug, PartialEq)]
pub struct Open {
    pub id: u64,
    pub a: Rc<Scenario>,
    pub b: Rc<Scenario>,
    /// The test id of the control that opened it (focus goes back there).
    pub opener: &'static str,
    /// The engine's answer; `None` while it runs.
    pub result: Option<Rc<Comparison>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareState {
    /// The last id handed out.
    pub last: u64,
    pub open: Option<Open>,
}

pub enum CompareAction {
    /// Compare `a` (its seed, duration and faults) with `b`, opened from the
    /// control with test id `opener`.
    Start {
        a: Box<Scenario>,
        b: Box<Scenario>,
        opener: &'static str,
    },
    /// The engine's answer to compare `id`.
    Answer(u64, Box<Comparison>),
    Close,
}

impl Reducible for CompareState {
    type Action = CompareAction;

    fn reduce(self: Rc<Self>, action: CompareAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CompareAction::Start { a, b, opener } => {
                next.last += 1;
                next.open = Some(Open { id: next.last, a: Rc::new(*a), b: Rc::new(*b), opener, result: None });
            }
            CompareAction::Answer(id, c) => match &mut next.open {
                Some(open) if open.id == id => open.result = Some(Rc::new(*c)),
                _ => return self,
            },
            CompareAction::Close => next.open = None,
        }
        Rc::new(next)
    }
}

/// A design's name as the compare view says it ("A" or "B" when it has none).
pub fn name_of<'a>(doc: &'a Scenario, fallback: &'a str) -> &'a str {
    if doc.name.trim().is_empty() {
        fallback
    } else {
        &doc.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn answer() -> Box<Comparison> {
        Box::new(Comparison { seed: 1, duration_ms: 1_000, a: Err("x".into()), b: Err("y".into()), skipped: vec![] })
    }

    #[test]
    fn an_answer_to_an_older_compare_is_dropped() {
        let s = Rc::new(CompareState::default());
        let start =
            || CompareAction::Start { a: Box::new(slice_scenario()), b: Box::new(slice_scenario()), opener: "designs" };
        let s = s.reduce(start());
        let s = s.reduce(start());
        assert_eq!(s.open.as_ref().unwrap().id, 2);
        let s = s.reduce(CompareAction::Answer(1, answer()));
        assert!(s.open.as_ref().unwrap().result.is_none(), "the first compare's answer is not the second's");
        let s = s.reduce(CompareAction::Answer(2, answer()));
        assert!(s.open.as_ref().unwrap().result.is_some());
        let s = s.reduce(CompareAction::Close).reduce(CompareAction::Answer(2, answer()));
        assert!(s.open.is_none());
    }
}
