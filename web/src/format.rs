//! Number formatting for readouts (display only; raw values go in data-value).

/// Milliseconds with precision that suits their size.
pub fn ms(v: f64) -> String {
    if v <= 0.0 {
        "–".into()
    } else if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 1_000.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.2} s", v / 1_000.0)
    }
}

/// Milliseconds where 0 is a value (a failure answered at once), not "none".
pub fn ms_or_zero(v: f64) -> String {
    if v <= 0.0 {
        "0 ms".into()
    } else {
        ms(v)
    }
}

pub fn rate(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1}k/s", v / 1_000.0)
    } else {
        format!("{v:.0}/s")
    }
}

pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A share in whole percent, for tight spaces; to a tenth between 99% and
/// 100% (where "100%" would hide failures) and never rounded to 0% or 100%.
pub fn share(v: f64) -> String {
    if v > 0.0 && v < 0.005 {
        "<1%".into()
    } else if (0.99..1.0).contains(&v) {
        format!("{:.1}%", (v * 1000.0).floor() / 10.0)
    } else {
        format!("{:.0}%", v * 100.0)
    }
}

/// A setting's duration in few characters: "200 ms", "30 s", "1.5 s".
pub fn duration_short(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{} s", format!("{:.2}", ms / 1_000.0).trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("{} ms", format!("{ms:.1}").trim_end_matches('0').trim_end_matches('.'))
    }
}

/// A speed factor, with sensible digits.
pub fn speed(v: f64) -> String {
    if v < 1.0 {
        format!("{v:.1}")
    } else if v < 10.0 {
        format!("{v:.1}").trim_end_matches(".0").to_string()
    } else {
        format!("{v:.0}")
    }
}

/// A cost, in no currency in particular: cents are too coarse for a minute
/// of a few instances, so small amounts keep four decimals.
pub fn money(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Simulated time as m:ss.s
pub fn clock(ms: f64) -> String {
    let total = (ms / 100.0).floor() as u64; // tenths of a second
    format!("{}:{:02}.{}", total / 600, (total / 10) % 60, total % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_small_costs_visible() {
        assert_eq!(money(0.0125), "0.0125");
        assert_eq!(money(3.456), "3.46");
        assert_eq!(money(1234.4), "1234");
    }

    #[test]
    fn a_share_rounds_to_whole_percent_but_never_to_all_or_none() {
        assert_eq!(share(0.671), "67%");
        assert_eq!(share(1.0), "100%");
        assert_eq!(share(0.9996), "99.9%");
        assert_eq!(share(0.991), "99.1%");
        assert_eq!(share(0.003), "<1%");
        assert_eq!(share(0.0), "0%");
    }

    #[test]
    fn durations_read_short() {
        assert_eq!(duration_short(30_000.0), "30 s");
        assert_eq!(duration_short(1_500.0), "1.5 s");
        assert_eq!(duration_short(200.0), "200 ms");
        assert_eq!(duration_short(0.5), "0.5 ms");
    }

    #[test]
    fn formats() {
        assert_eq!(ms(0.0), "–");
        assert_eq!(ms(8.123), "8.12 ms");
        assert_eq!(ms(123.45), "123.5 ms");
        assert_eq!(ms(2500.0), "2.50 s");
        assert_eq!((ms_or_zero(0.0), ms_or_zero(8.123)), ("0 ms".into(), "8.12 ms".into()));
        assert_eq!(rate(400.2), "400/s");
        assert_eq!(percent(0.012), "1.2%");
        assert_eq!(clock(61_234.0), "1:01.2");
        assert_eq!(
            (speed(0.1), speed(1.0), speed(2.5), speed(1000.0)),
            ("0.1".into(), "1".into(), "2.5".into(), "1000".into())
        );
    }
}
