//! Watching an element's size (a `ResizeObserver`, which web-sys is not
//! built with here).
//!
//! The window's `resize` event misses most changes to a panel's size: a
//! side panel opening, the narrative appearing, a font loading. An observer
//! reports every one, after layout, so nothing needs measuring per frame.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type ResizeObserver;
    #[wasm_bindgen(constructor)]
    fn new(on_resize: &Closure<dyn FnMut()>) -> ResizeObserver;
    #[wasm_bindgen(method)]
    fn observe(this: &ResizeObserver, target: &web_sys::Element);
    #[wasm_bindgen(method)]
    fn disconnect(this: &ResizeObserver);
}

/// Calls its handler whenever the element's size changes (and once when it
/// starts); dropping it stops that.
pub struct Watch {
    observer: ResizeObserver,
    _on_resize: Closure<dyn FnMut()>,
}

impl Watch {
    pub fn new(el: &web_sys::Element, on_resize: impl FnMut() + 'static) -> Watch {
        let on_resize = Closure::<dyn FnMut()>::new(on_resize);
        let observer = ResizeObserver::new(&on_resize);
        observer.observe(el);
        Watch { observer, _on_resize: on_resize }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
