//! Which cards and links are on screen, so that the canvas draws only those.
//!
//! Why: a design of a thousand cards zoomed in shows a few dozen of them,
//! yet drawing all of them made every readout (ten a second) and every
//! repaint pay for the thousand. The canvas draws in full what overlaps the
//! screen (with a margin, so that a short pan does not show empty space
//! before the next render) and leaves the rest as an empty, focusable
//! stand-in: the Tab order still reaches every card and link, and a card
//! that takes the focus off screen brings the camera to it (then it is on
//! screen and drawn). What is selected or focused is always drawn in full.
//! The minimap and "Fit" read the document, never this.

use super::camera::{Camera, Screen};
use crate::editor::layout::{Line, CARD_H, CARD_W};

/// How far beyond the screen's edges cards are still drawn, as a share of
/// the visible width and height.
const MARGIN: f64 = 0.25;

/// Room around a link's line for what is drawn beside it (its label above
/// the middle, the breaker's and the cut's labels below), design pixels.
const LINK_PAD: f64 = 40.0;

/// A rectangle of the design: x, y, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn overlaps(&self, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> bool {
        x1 >= self.x && x0 <= self.x + self.w && y1 >= self.y && y0 <= self.y + self.h
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }

    /// The same centre, `share` of the width and height added on each side.
    fn grown(&self, share: f64) -> Rect {
        let (mx, my) = (self.w * share, self.h * share);
        Rect { x: self.x - mx, y: self.y - my, w: self.w + 2.0 * mx, h: self.h + 2.0 * my }
    }
}

/// The part of the design the canvas shows through `cam` on `screen`: the
/// camera's rectangle widened along the axis the screen has room to spare
/// (the SVG keeps the aspect ratio, `xMidYMid meet`). Unmeasured (`None`),
/// the camera's rectangle.
pub fn shown(cam: &Camera, screen: Option<Screen>) -> Rect {
    let Some(s) = screen.filter(|s| s.width > 0.0 && s.height > 0.0) else {
        return Rect { x: cam.x, y: cam.y, w: cam.w, h: cam.h };
    };
    let scale = s.scale(cam);
    let (w, h) = (s.width / scale, s.height / scale);
    let (cx, cy) = cam.centre();
    Rect { x: cx - w / 2.0, y: cy - h / 2.0, w, h }
}

/// What the canvas draws in full: what is shown, with the margin.
pub fn drawn(cam: &Camera, screen: Option<Screen>) -> Rect {
    shown(cam, screen).grown(MARGIN)
}

/// Whether any of a card centred at (x, y) falls in `r`.
pub fn card_in(r: &Rect, x: f64, y: f64) -> bool {
    r.overlaps((x - CARD_W / 2.0, y - CARD_H / 2.0, x + CARD_W / 2.0, y + CARD_H / 2.0))
}

/// Whether a card centred at (x, y) has its centre in `r` (the whole-card
/// test is too lenient for "the user can see it": a sliver at the edge).
pub fn centre_in(r: &Rect, x: f64, y: f64) -> bool {
    r.contains(x, y)
}

/// Whether any of a link along `line` (or its labels) falls in `r`. A
/// bounding-box test: a long diagonal link near a corner may count as in
/// while it is not, never the other way round.
pub fn line_in(r: &Rect, (x1, y1, x2, y2): Line) -> bool {
    r.overlaps((x1.min(x2) - LINK_PAD, y1.min(y2) - LINK_PAD, x1.max(x2) + LINK_PAD, y1.max(y2) + LINK_PAD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_screen_shows_more_than_the_camera_across() {
        // A square camera on a 2:1 screen: twice the camera's width shows.
        let cam = Camera { x: 0.0, y: 0.0, w: 100.0, h: 100.0 };
        let screen = Screen { left: 0.0, top: 0.0, width: 400.0, height: 200.0 };
        assert_eq!(shown(&cam, Some(screen)), Rect { x: -50.0, y: 0.0, w: 200.0, h: 100.0 });
        assert_eq!(shown(&cam, None), Rect { x: 0.0, y: 0.0, w: 100.0, h: 100.0 });
        // The margin: a quarter of each side more, on each side.
        assert_eq!(drawn(&cam, Some(screen)), Rect { x: -100.0, y: -25.0, w: 300.0, h: 150.0 });
    }

    #[test]
    fn cards_count_as_shown_by_any_part_of_them() {
        let r = Rect { x: 0.0, y: 0.0, w: 1000.0, h: 500.0 };
        assert!(card_in(&r, 500.0, 250.0));
        // Centre just off the left edge, its right half on screen.
        assert!(card_in(&r, -CARD_W / 2.0 + 1.0, 250.0));
        assert!(!card_in(&r, -CARD_W / 2.0 - 1.0, 250.0));
        assert!(!card_in(&r, 500.0, 500.0 + CARD_H / 2.0 + 1.0));
        assert!(!centre_in(&r, -1.0, 250.0) && centre_in(&r, 0.0, 250.0));
    }

    #[test]
    fn links_count_by_their_box_and_labels() {
        let r = Rect { x: 0.0, y: 0.0, w: 1000.0, h: 500.0 };
        // Crossing the screen with both ends off it.
        assert!(line_in(&r, (-500.0, 250.0, 1500.0, 250.0)));
        // Just above the top, its label's room reaching in.
        assert!(line_in(&r, (100.0, -LINK_PAD + 1.0, 300.0, -LINK_PAD + 1.0)));
        assert!(!line_in(&r, (100.0, -LINK_PAD - 1.0, 300.0, -LINK_PAD - 1.0)));
    }
}
