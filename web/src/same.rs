//! `Same<T>`: an `Rc` compared by address.
//!
//! Documents and nodes are replaced, never changed in place, so "the same
//! object" means "unchanged". As a memo key or a component prop, comparing
//! the address is free where comparing a big value field by field costs more
//! than the render it would save.

use std::ops::Deref;
use std::rc::Rc;

pub struct Same<T>(pub Rc<T>);

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(Rc::clone(&self.0))
    }
}

impl<T> Deref for Same<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A component prop given as an `Rc` (`doc={Rc::clone(&doc)}`).
impl<T> yew::html::IntoPropValue<Same<T>> for Rc<T> {
    fn into_prop_value(self) -> Same<T> {
        Same(self)
    }
}

/// `next` as shared values, each reusing its counterpart in `prev` (same
/// index) when equal, so that only the ones that changed get a new address.
pub fn reuse_equal<T: Clone + PartialEq>(prev: &[Same<T>], next: &[T]) -> Vec<Same<T>> {
    next.iter()
        .enumerate()
        .map(|(i, v)| match prev.get(i) {
            Some(p) if **p == *v => p.clone(),
            _ => Same(Rc::new(v.clone())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_values_get_new_addresses() {
        let first = reuse_equal(&[], &[1, 2, 3]);
        let second = reuse_equal(&first, &[1, 5, 3, 4]);
        assert!(first[0] == second[0] && first[2] == second[2]);
        assert!(first[1] != second[1]);
        assert_eq!((*second[1], *second[3]), (5, 4));
        // Equal values made separately are still different objects.
        assert!(Same(Rc::new(1)) != Same(Rc::new(1)));
    }
}
