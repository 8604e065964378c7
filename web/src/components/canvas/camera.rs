//! The canvas camera: which rectangle of the design the SVG shows.
//!
//! It is the SVG `viewBox`, so panning and zooming change one attribute and
//! never touch the cards. `None` in the app means "fit everything", which
//! follows the design (a design opened, a size change) until the user pans,
//! zooms, adds a card or moves one: then it stays where it is, so nothing
//! jumps from under the pointer (`app/handlers.rs`). *Fit* goes back to it.

use crate::editor::layout::bounds;
use faultline_sim::Scenario;

/// Zoom limits, as the viewBox width in design pixels.
const MIN_W: f64 = 200.0;
const MAX_W: f64 = 40_000.0;
/// The smallest area "fit" shows, in design pixels.
const FIT_MIN: (f64, f64) = (720.0, 400.0);

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Camera {
    /// Shows the whole design, never closer than `FIT_MIN` (a lone card
    /// would otherwise fill the screen).
    pub fn fit(doc: &Scenario) -> Camera {
        let (x, y, w, h) = bounds(doc);
        let (fw, fh) = (w.max(FIT_MIN.0), h.max(FIT_MIN.1));
        Camera { x: x - (fw - w) / 2.0, y: y - (fh - h) / 2.0, w: fw, h: fh }
    }

    pub fn view_box(&self) -> String {
        format!("{} {} {} {}", self.x, self.y, self.w, self.h)
    }

    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Zooms by `factor` (> 1 zooms out) keeping design point (px, py) still.
    pub fn zoom_at(&self, factor: f64, px: f64, py: f64) -> Camera {
        let f = (self.w * factor).clamp(MIN_W, MAX_W) / self.w;
        Camera { x: px - (px - self.x) * f, y: py - (py - self.y) * f, w: self.w * f, h: self.h * f }
    }

    pub fn moved(&self, dx: f64, dy: f64) -> Camera {
        Camera { x: self.x + dx, y: self.y + dy, ..*self }
    }

    pub fn centred_on(&self, x: f64, y: f64) -> Camera {
        Camera { x: x - self.w / 2.0, y: y - self.h / 2.0, ..*self }
    }
}

/// Maps between screen pixels and design coordinates for an SVG drawn with
/// `preserveAspectRatio="xMidYMid meet"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Screen {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Screen {
    /// Screen pixels per design pixel, and where the camera's top-left corner is on screen.
    pub fn scale_and_origin(&self, cam: &Camera) -> (f64, f64, f64) {
        let scale = (self.width / cam.w).min(self.height / cam.h).max(1e-9);
        let ox = self.left + (self.width - cam.w * scale) / 2.0;
        let oy = self.top + (self.height - cam.h * scale) / 2.0;
        (scale, ox, oy)
    }

    /// Design coordinates of a screen point.
    pub fn to_design(&self, cam: &Camera, cx: f64, cy: f64) -> (f64, f64) {
        let (scale, ox, oy) = self.scale_and_origin(cam);
        (cam.x + (cx - ox) / scale, cam.y + (cy - oy) / scale)
    }

    /// Screen pixels per design pixel.
    pub fn scale(&self, cam: &Camera) -> f64 {
        self.scale_and_origin(cam).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let cam = Camera { x: 0.0, y: 0.0, w: 1_000.0, h: 500.0 };
        let z = cam.zoom_at(0.5, 250.0, 100.0);
        assert_eq!(z.w, 500.0);
        let screen = Screen { left: 0.0, top: 0.0, width: 1_000.0, height: 500.0 };
        // The screen point that showed (250, 100) before still shows it.
        let before = (250.0, 100.0);
        let (sx, sy) = (250.0, 100.0);
        let after = screen.to_design(&z, sx, sy);
        assert!((after.0 - before.0).abs() < 1e-9 && (after.1 - before.1).abs() < 1e-9, "{after:?}");
        assert_eq!(cam.zoom_at(1e-6, 0.0, 0.0).w, MIN_W);
    }

    #[test]
    fn letterboxed_screens_map_through_the_centred_view() {
        let cam = Camera { x: 0.0, y: 0.0, w: 100.0, h: 100.0 };
        let screen = Screen { left: 10.0, top: 0.0, width: 300.0, height: 100.0 };
        assert_eq!(screen.to_design(&cam, 160.0, 50.0), (50.0, 50.0));
        assert_eq!(screen.scale(&cam), 1.0);
    }
}
