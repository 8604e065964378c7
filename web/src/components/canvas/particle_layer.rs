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
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

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

struct Target {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
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
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        {
            let mut inner = self.inner.borrow_mut();
            inner.target = Some(Target { canvas: canvas.clone(), ctx });
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
        if t.canvas.width() != w || t.canvas.height() != h {
            // This clears the bitmap.
            t.canvas.set_width(w);
            t.canvas.set_height(h);
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
        let ctx = &t.ctx;
        if self.painted {
            let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
            ctx.clear_rect(0.0, 0.0, f64::from(t.canvas.width()), f64::from(t.canvas.height()));
            self.painted = false;
        }
        let (w, h, dpr) = self.size;
        let Some(cam) = self.camera else { return };
        if w <= 0.0 || h <= 0.0 || self.at.iter().all(Vec::is_empty) {
            return;
        }
        let (k, ox, oy) = Screen { left: 0.0, top: 0.0, width: w, height: h }.scale_and_origin(&cam);
        let _ = ctx.set_transform(k * dpr, 0.0, 0.0, k * dpr, (ox - cam.x * k) * dpr, (oy - cam.y * k) * dpr);
        // A dot a few device pixels across looks the same drawn as a square,
        // which the browser fills several times faster than a circle.
        let squares = RADIUS * k * dpr < SQUARE_BELOW_PX;
        for (dots, colour) in self.at.iter().zip(&self.colours) {
            if dots.is_empty() {
                continue;
            }
            ctx.set_fill_style_str(if colour.is_empty() { FALLBACK } else { colour });
            ctx.begin_path();
            for &(x, y) in dots {
                if squares {
                    ctx.rect(x - RADIUS, y - RADIUS, 2.0 * RADIUS, 2.0 * RADIUS);
                } else {
                    ctx.move_to(x + RADIUS, y);
                    let _ = ctx.arc(x, y, RADIUS, 0.0, std::f64::consts::TAU);
                }
            }
            ctx.fill();
        }
        self.painted = true;
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
