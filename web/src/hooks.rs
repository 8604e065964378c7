//! Small hooks the components share.

use yew::prelude::*;

/// A callback that stays the same object from render to render and always
/// calls `latest`, the handler of the most recent render.
///
/// Memoised children (cards, links) skip redrawing only if their props are
/// equal, and a fresh `Callback` never is; listeners registered once (the
/// engine's reports, keyboard shortcuts) must still see the current state.
#[hook]
pub fn use_latest_callback<T: 'static>(latest: Callback<T>) -> Callback<T> {
    let slot = use_mut_ref(Callback::<T>::noop);
    *slot.borrow_mut() = latest;
    let stable = use_memo((), move |_| {
        Callback::from(move |x: T| {
            let current: Callback<T> = slot.borrow().clone();
            current.emit(x)
        })
    });
    (*stable).clone()
}

/// `f(doc)` for what does not depend on where cards are (the design review),
/// made again only when the design changes: a document that differs from the
/// last one only in positions keeps the last value (see
/// `editor::moved_only`). The document last seen is kept, so each render
/// after a move compares addresses only.
#[hook]
pub fn use_design_memo<T: 'static>(
    doc: &std::rc::Rc<faultline_sim::Scenario>,
    f: impl FnOnce(&faultline_sim::Scenario) -> T,
) -> std::rc::Rc<T> {
    use std::rc::Rc;
    let last = use_mut_ref(|| None::<(Rc<faultline_sim::Scenario>, Rc<T>)>);
    let mut last = last.borrow_mut();
    match &mut *last {
        Some((seen, value)) if Rc::ptr_eq(seen, doc) => Rc::clone(value),
        Some((seen, value)) if crate::editor::moved_only::moved_only(seen, doc) => {
            *seen = Rc::clone(doc);
            Rc::clone(value)
        }
        _ => {
            let value = Rc::new(f(doc));
            *last = Some((Rc::clone(doc), Rc::clone(&value)));
            value
        }
    }
}
