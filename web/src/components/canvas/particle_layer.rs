//! The particle layer: an HTML canvas laid over the SVG, on a compositing
//! layer of its own, that the frame loop repaints every animation frame.
//!
//! Moving dots inside the SVG made the browser lay out and repaint the whole
//! SVG (every card and link) each frame; a canvas on its own layer only
//! repaints itself. It shows the same rectangle of the design as the SVG
//! (the camera, fitted as `preserveAspectRatio="xMidYMid meet"` does), so it
//! draws in design coordinates under one transform per frame.
//!
//! Colours come from CSS (`--p-request` and friends, per theme), read once a
//! second at most, never per frame. The canvas says how many dots of each
//! colour are alive in its attributes (`data-p-short="3"`), for tests; they
//! are written only when a count changes.

use super::camera::{Camera, Screen};
use crate::editor::layout::Line;
use crate::particles::{Particles, Positions, COLOURS, RADIUS};
use crate::resize::Watch;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

/// How often the colours are read again from CSS while drawing (the theme
/// may have changed), in wall milliseconds.
const COLOURS_EVERY_MS: f64 = 1_000.0;
/// The CSS custom property holding each colour (see `particles::CLASSES`).
const COLOUR_PROPS: [&str; COLOURS] = ["--p-request", "--p-retry", "--p-ok", "--p-error", "--p-timeout", "--p-short"];
/// The attribute counting each colour's live dots.
const COUNT_ATTRS: [&str; COLOURS] =
    ["data-p-request", "data-p-retry", "data-p-ok", "data-p-error", "data-p-timeout", "data-p-short"];
/// Dots with a radius under this many device pixels are drawn as squares.
const SQUARE_BELOW_PX: f64 = 1.6;
/// Used while a colour cannot be read.
const FALLBACK: &str = "#64748b";

// The few browser APIs web-sys is not built with here.
#[wasm_bindgen]
extern "C" {
    type ComputedStyle;
    #[wasm_bindgen(js_name = getComputedStyle)]
    fn computed_style(el: &web_sys::Element) -> ComputedStyle;
    #[wasm_bindgen(method, js_name = getPropertyValue)]
    fn property(this: &ComputedStyle, name: &str) -> String;
}

/// The particle canvas, shared by the canvas component (which mounts it and
/// tells it the camera) and the frame loop (which draws).
#[derive(Default)]
pub struct ParticleLayer {
    inner: RefCell<Inner>,
}

/// Equal only to itself: a component given the same layer has nothing to redraw.
impl PartialEq for ParticleLayer {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What the dots are drawn with. Where the browser can, the canvas hands its
/// drawing over to an `OffscreenCanvas` (still drawn from this thread): its
/// frames then go to the compositor directly, instead of being copied into
/// every commit of the page's layers, which in a software-rendered browser
/// was the dearest part of the particles.
enum Surface {
    Offscreen(OffscreenCanvas, OffscreenCanvasRenderingContext2d),
    Plain(CanvasRenderingContext2d),
}

/// The few drawing calls the layer makes, on either kind of 2D context.
trait Pen {
    fn reset(&self);
    fn clear(&self, w: f64, h: f64);
    fn transform(&self, k: f64, x: f64, y: f64);
    fn fill_with(&self, colour: &str, path: impl FnOnce(&Self));
    fn square(&self, x: f64, y: f64, r: f64);
    fn disc(&self, x: f64, y: f64, r: f64);
}

macro_rules! pen {
    ($t:ty) => {
        impl Pen for $t {
            fn reset(&self) {
                let _ = self.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
            }
            fn clear(&self, w: f64, h: f64) {
                self.clear_rect(0.0, 0.0, w, h);
            }
            fn transform(&self, k: f64, x: f64, y: f64) {
                let _ = self.set_transform(k, 0.0, 0.0, k, x, y);
            }
            fn fill_with(&self, colour: &str, path: impl FnOnce(&Self)) {
                self.set_fill_style_str(colour);
                self.begin_path();
                path(self);
                self.fill();
            }
            fn square(&self, x: f64, y: f64, r: f64) {
                self.rect(x - r, y - r, 2.0 * r, 2.0 * r);
            }
            fn disc(&self, x: f64, y: f64, r: f64) {
                self.move_to(x + r, y);
                let _ = self.arc(x, y, r, 0.0, std::f64::consts::TAU);
            }
        }
    };
}
pen!(CanvasRenderingContext2d);
pen!(OffscreenCanvasRenderingContext2d);

struct Target {
    /// The element on the page: measured, and carries the counts.
    canvas: HtmlCanvasElement,
    surface: Surface,
}

impl Target {
    fn bitmap_size(&self) -> (u32, u32) {
        match &self.surface {
            Surface::Offscreen(o, _) => (o.width(), o.height()),
            Surface::Plain(_) => (self.canvas.width(), self.canvas.height()),
        }
    }

    /// Resizing clears the bitmap.
    fn set_bitmap_size(&self, w: u32, h: u32) {
        match &self.surface {
            Surface::Offscreen(o, _) => {
                o.set_width(w);
                o.set_height(h);
            }
            Surface::Plain(_) => {
                self.canvas.set_width(w);
                self.canvas.set_height(h);
            }
        }
    }
}

#[derive(Default)]
struct Inner {
    target: Option<Target>,
    camera: Option<Camera>,
    /// The canvas's size in CSS pixels, and the device pixel ratio.
    size: (f64, f64, f64),
    colours: [String; COLOURS],
    colours_read_ms: Option<f64>,
    /// The dots of the last frame (buffers reused from frame to frame); a
    /// new camera or size repaints them.
    at: Positions,
    /// The counts as written in the attributes.
    counts: [usize; COLOURS],
    /// Whether anything is on the canvas.
    painted: bool,
    /// Links drawn somewhere else for now (the cards at one end are being
    /// dragged): their dots follow these lines.
    moved: Vec<(usize, Line)>,
}

/// Keeps the layer following its canvas's size; dropping it stops that.
pub struct Attached {
    layer: Rc<ParticleLayer>,
    _resize: Watch,
    _on_window_resize: gloo::events::EventListener,
}

impl Drop for Attached {
    fn drop(&mut self) {
        self.layer.inner.borrow_mut().target = None;
    }
}

impl ParticleLayer {
    /// Draws on `canvas` from now on, sized to it whenever it is resized (a
    /// resize observer: the size is never measured while drawing).
    pub fn attach(self: &Rc<Self>, canvas: HtmlCanvasElement) -> Option<Attached> {
        use wasm_bindgen::JsCast;
        // Handing over is for good: first make sure the browser can draw 2D
        // on the other side (early OffscreenCanvases could not).
        let can_hand_over =
            web_sys::js_sys::Reflect::has(&gloo::utils::window(), &"OffscreenCanvasRenderingContext2D".into())
                .unwrap_or(false);
        let offscreen = can_hand_over.then(|| canvas.transfer_control_to_offscreen().ok()).flatten().and_then(|o| {
            let ctx = o.get_context("2d").ok()??.dyn_into().ok()?;
            Some(Surface::Offscreen(o, ctx))
        });
        let surface = match offscreen {
            Some(s) => s,
            None => Surface::Plain(canvas.get_context("2d").ok()??.dyn_into().ok()?),
        };
        {
            let mut inner = self.inner.borrow_mut();
            inner.target = Some(Target { canvas: canvas.clone(), surface });
            inner.counts = [usize::MAX; COLOURS];
            inner.write_counts();
        }
        // It reports the initial size too.
        let resize = {
            let layer = Rc::clone(self);
            Watch::new(&canvas, move || layer.measure())
        };
        let layer = Rc::clone(self);
        // A new device pixel ratio (browser zoom) without a new CSS size.
        let on_window_resize =
            gloo::events::EventListener::new(&gloo::utils::window(), "resize", move |_| layer.measure());
        Some(Attached { layer: Rc::clone(self), _resize: resize, _on_window_resize: on_window_resize })
    }

    /// Sizes the canvas's bitmap to its size on screen, in device pixels.
    fn measure(&self) {
        let mut inner = self.inner.borrow_mut();
        let Some(t) = &inner.target else { return };
        let r = t.canvas.get_bounding_client_rect();
        let dpr = gloo::utils::window().device_pixel_ratio().max(0.25);
        let (w, h) = ((r.width() * dpr).round() as u32, (r.height() * dpr).round() as u32);
        if t.bitmap_size() != (w, h) {
            t.set_bitmap_size(w, h);
            inner.painted = false;
        }
        inner.size = (r.width(), r.height(), dpr);
        inner.paint();
    }

    /// The rectangle of the design the SVG shows.
    pub fn set_camera(&self, cam: Camera) {
        let mut inner = self.inner.borrow_mut();
        if inner.camera != Some(cam) {
            inner.camera = Some(cam);
            inner.paint();
        }
    }

    /// Draws `particles` as they are at `wall_ms`, given each link's end
    /// points (unless [`set_moved`](Self::set_moved) says otherwise).
    pub fn draw(&self, particles: &Particles, wall_ms: f64, line: impl Fn(usize) -> Option<Line>) {
        let mut inner = self.inner.borrow_mut();
        if inner.colours_read_ms.is_none_or(|t| wall_ms - t >= COLOURS_EVERY_MS || wall_ms < t) {
            inner.read_colours();
            inner.colours_read_ms = Some(wall_ms);
        }
        let moved = std::mem::take(&mut inner.moved);
        let line = |i: usize| moved.iter().find(|&&(e, _)| e == i).map(|&(_, l)| l).or_else(|| line(i));
        particles.positions(wall_ms, line, &mut inner.at);
        inner.moved = moved;
        inner.paint();
        inner.write_counts();
    }

    /// Links drawn along other lines until further notice (a drag carries
    /// the cards at one end); empty when the drag ends.
    pub fn set_moved(&self, lines: Vec<(usize, Line)>) {
        self.inner.borrow_mut().moved = lines;
    }

    /// Wipes the dots (the run was reset or rewound).
    pub fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        for v in inner.at.iter_mut() {
            v.clear();
        }
        inner.paint();
        inner.write_counts();
    }
}

impl Inner {
    fn read_colours(&mut self) {
        let Some(t) = &self.target else { return };
        let style = computed_style(&t.canvas);
        for (colour, prop) in self.colours.iter_mut().zip(COLOUR_PROPS) {
            let value = style.property(prop);
            let value = value.trim();
            *colour = if value.is_empty() { FALLBACK.to_string() } else { value.to_string() };
        }
    }

    fn paint(&mut self) {
        let Some(t) = &self.target else { return };
        self.painted = match &t.surface {
            Surface::Offscreen(_, pen) => self.paint_with(pen, t),
            Surface::Plain(pen) => self.paint_with(pen, t),
        };
    }

    /// Clears what was painted and paints the dots; whether any are painted.
    fn paint_with(&self, pen: &impl Pen, t: &Target) -> bool {
        if self.painted {
            let (w, h) = t.bitmap_size();
            pen.reset();
            pen.clear(f64::from(w), f64::from(h));
        }
        let (w, h, dpr) = self.size;
        let Some(cam) = self.camera else { return false };
        if w <= 0.0 || h <= 0.0 || self.at.iter().all(Vec::is_empty) {
            return false;
        }
        let (k, ox, oy) = Screen { left: 0.0, top: 0.0, width: w, height: h }.scale_and_origin(&cam);
        pen.transform(k * dpr, (ox - cam.x * k) * dpr, (oy - cam.y * k) * dpr);
        // A dot a few device pixels across looks the same drawn as a square,
        // which the browser fills several times faster than a circle.
        let squares = RADIUS * k * dpr < SQUARE_BELOW_PX;
        for (dots, colour) in self.at.iter().zip(&self.colours) {
            if dots.is_empty() {
                continue;
            }
            pen.fill_with(if colour.is_empty() { FALLBACK } else { colour }, |pen| {
                for &(x, y) in dots {
                    if squares {
                        pen.square(x, y, RADIUS);
                    } else {
                        pen.disc(x, y, RADIUS);
                    }
                }
            });
        }
        true
    }

    /// Writes the count of each colour's dots into the canvas's attributes,
    /// where it changed.
    fn write_counts(&mut self) {
        let Some(t) = &self.target else { return };
        for ((written, dots), attr) in self.counts.iter_mut().zip(&self.at).zip(COUNT_ATTRS) {
            if *written != dots.len() {
                *written = dots.len();
                let _ = t.canvas.set_attribute(attr, &dots.len().to_string());
            }
        }
    }
}
