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
