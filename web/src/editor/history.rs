//! Undo and redo as two bounded stacks of whole documents.
//!
//! Documents are shared (`Rc`) and small next to the engine, so keeping
//! whole copies is simpler and safer than inverting each edit.

use std::collections::VecDeque;

/// How many steps back the user can go.
pub const DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct History<T> {
    undo: VecDeque<T>,
    redo: Vec<T>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        History { undo: VecDeque::new(), redo: Vec::new() }
    }
}

impl<T> History<T> {
    /// Records `previous` as the state before a new edit; the redo stack is
    /// dropped (a new edit starts a new branch).
    pub fn record(&mut self, previous: T) {
        if self.undo.len() == DEPTH {
            self.undo.pop_front();
        }
        self.undo.push_back(previous);
        self.redo.clear();
    }

    /// Steps back from `current`; returns the state to show, if any.
    pub fn undo(&mut self, current: T) -> Option<T> {
        let previous = self.undo.pop_back()?;
        self.redo.push(current);
        Some(previous)
    }

    /// Steps forward again from `current`.
    pub fn redo(&mut self, current: T) -> Option<T> {
        let next = self.redo.pop()?;
        self.undo.push_back(current);
        Some(next)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_walks_back_and_forth() {
        let mut h = History::default();
        h.record(1);
        h.record(2);
        // current is 3
        assert_eq!(h.undo(3), Some(2));
        assert_eq!(h.undo(2), Some(1));
        assert_eq!(h.undo(1), None);
        assert_eq!(h.redo(1), Some(2));
        assert_eq!(h.redo(2), Some(3));
        assert_eq!(h.redo(3), None);
    }

    #[test]
    fn a_new_edit_drops_the_redo_branch_and_depth_is_bounded() {
        let mut h = History::default();
        h.record(1);
        assert_eq!(h.undo(2), Some(1));
        assert!(h.can_redo());
        h.record(1);
        assert!(!h.can_redo());
        for i in 0..DEPTH * 2 {
            h.record(i);
        }
        let mut steps = 0;
        let mut cur = usize::MAX;
        while let Some(p) = h.undo(cur) {
            cur = p;
            steps += 1;
        }
        assert_eq!(steps, DEPTH);
    }
}
