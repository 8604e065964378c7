//! Text fitted to a width on the canvas.
//!
//! SVG text does not wrap or ellipsize, and measuring it needs a layout
//! (too slow for 200 cards ten times a second), so a card's title is cut to
//! the width it has from an estimate of each character's width: generous
//! (wide letters, capitals and anything outside ASCII are counted wide), so
//! a fitted title never runs into the badge beside it. The card keeps the
//! full name as its accessible name and as a tooltip.

/// The width of `c` in ems of a bold sans-serif, rounded up.
fn em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' => 0.32,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
        'm' | 'w' => 0.95,
        'M' | 'W' | '@' | '%' => 1.05,
        'A'..='Z' | '&' => 0.78,
        '0'..='9' => 0.62,
        'a'..='z' | '_' => 0.64,
        c if c.is_ascii() => 0.7,
        // Accented letters, CJK, emoji: as wide as the widest.
        _ => 1.1,
    }
}

/// The estimated width of `text` in px at `font_px` (at least the real one).
pub fn width(text: &str, font_px: f64) -> f64 {
    text.chars().map(em).sum::<f64>() * font_px
}

/// `text` cut (with an ellipsis) to at most `width` px at `font_px`.
pub fn fit(text: &str, width: f64, font_px: f64) -> String {
    let ellipsis = 1.0 * font_px;
    if self::width(text, font_px) <= width {
        return text.to_string();
    }
    let mut used = ellipsis;
    let mut out = String::new();
    for c in text.chars() {
        used += em(c) * font_px;
        if used > width {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn short_text_stays_and_long_text_is_cut_with_an_ellipsis() {
        assert_eq!(fit("api", 140.0, 14.0), "api");
        let cut = fit("Payments gateway for the European region", 100.0, 14.0);
        assert!(cut.ends_with('…') && cut.starts_with("Payments"), "{cut}");
        assert!(cut.chars().count() < 14, "{cut}");
        // Wide letters are cut sooner than narrow ones.
        assert!(fit(&"W".repeat(30), 100.0, 14.0).chars().count() < fit(&"i".repeat(30), 100.0, 14.0).chars().count());
        assert_eq!(fit("x", 0.0, 14.0), "…");
    }
}
