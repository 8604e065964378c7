//! A latency or service-time distribution as a form: its type, and one
//! number per parameter of that type.
//!
//! The types and their parameters are the engine's `Dist` variants (a test
//! checks every one deserialises). Switching type keeps the mean, so turning
//! a constant 5 ms into an exponential or a log-normal does not silently
//! change how loaded the system is; between the two log-normal forms
//! (median and sigma, or p50 and p99) the shape is kept. Derived numbers
//! are rounded to three significant digits, so the form shows 7.06, not
//! 7.059940..., at the cost of a mean or a sigma off in the third digit.

use super::fields::{as_value, from_value};
use super::form::{self, Member};
use faultline_sim::Dist;
use serde_json::Value;

/// The distribution types, as (document value, label).
pub const TYPES: &[(&str, &str)] = &[
    ("constant", "Constant"),
    ("exponential", "Exponential"),
    ("uniform", "Uniform"),
    ("normal", "Normal (folded)"),
    ("log_normal", "Log-normal"),
    ("percentiles", "Fit p50 and p99"),
];

/// The member that picks the type.
pub const TYPE: Member = Member::choice(
    "type",
    "Type",
    TYPES,
    "The shape of the distribution. A normal is folded at 0 (|X|); \"fit p50 and p99\" is the log-normal through both.",
);

const MS: &str = "ms, 0 to 1 h";

/// The parameters of distribution type `ty`.
pub fn params(ty: &str) -> &'static [Member] {
    const CONSTANT: &[Member] = &[Member::number("ms", "Value", "ms", MS)];
    const EXPONENTIAL: &[Member] = &[Member::number("mean_ms", "Mean", "ms", MS)];
    const UNIFORM: &[Member] =
        &[Member::number("min_ms", "Min", "ms", MS), Member::number("max_ms", "Max", "ms", "ms, at least the min")];
    const NORMAL: &[Member] =
        &[Member::number("mean_ms", "Mean", "ms", MS), Member::number("sd_ms", "Std deviation", "ms", MS)];
    const LOG_NORMAL: &[Member] = &[
        Member::number("median_ms", "Median", "ms", MS),
        Member::number("sigma", "Sigma", "", "Spread of the underlying normal, 0 to 5"),
    ];
    const PERCENTILES: &[Member] =
        &[Member::number("p50_ms", "p50", "ms", MS), Member::number("p99_ms", "p99", "ms", "ms, at least the p50")];
    match ty {
        "constant" => CONSTANT,
        "exponential" => EXPONENTIAL,
        "uniform" => UNIFORM,
        "normal" => NORMAL,
        "log_normal" => LOG_NORMAL,
        "percentiles" => PERCENTILES,
        _ => &[],
    }
}

/// The members a distribution shows: its type, then its parameters.
pub fn members(value: &Value) -> Vec<Member> {
    std::iter::once(TYPE).chain(params(&form::text(value, "type")).iter().copied()).collect()
}

/// z-score of the 99th percentile of the standard normal (as the engine's fit).
const Z_P99: f64 = 2.326_347_874_040_840_8;

/// The distribution `value` switched to type `to`, keeping its mean (or its
/// log-normal shape). An unreadable value starts from a 5 ms mean.
pub fn switch(value: &Value, to: &str) -> Value {
    let current: Option<Dist> = from_value(value).ok();
    let mean = current.as_ref().map_or(5.0, Dist::mean_ms);
    let m = form::tidy(mean);
    // Log-normal with sigma 0.5 and this mean: median = mean / e^(sigma²/2).
    let (median, sigma) = match current {
        Some(Dist::LogNormal { median_ms, sigma }) => (median_ms, sigma),
        Some(Dist::Percentiles { p50_ms, p99_ms }) if p50_ms > 0.0 && p99_ms >= p50_ms => {
            (p50_ms, form::tidy((p99_ms / p50_ms).ln() / Z_P99))
        }
        _ => (form::tidy(mean * (-0.125f64).exp()), 0.5),
    };
    let next = match to {
        "constant" => Dist::Constant { ms: m },
        "uniform" => Dist::Uniform { min_ms: form::tidy(mean * 0.5), max_ms: form::tidy(mean * 1.5) },
        "normal" => Dist::Normal { mean_ms: m, sd_ms: form::tidy(mean * 0.25) },
        "log_normal" => Dist::LogNormal { median_ms: median, sigma },
        "percentiles" => {
            let p99_ms = match current {
                Some(Dist::Percentiles { p99_ms, .. }) => p99_ms,
                _ => form::tidy(median * (sigma * Z_P99).exp()),
            };
            Dist::Percentiles { p50_ms: median, p99_ms }
        }
        _ => Dist::Exponential { mean_ms: m },
    };
    as_value(&next).unwrap_or(Value::Null)
}

/// `value` with `member` set from `text`; the type member switches type.
pub fn write(value: &Value, member: &Member, field: &str, text: &str) -> Result<Value, String> {
    if member.path == TYPE.path {
        let to = form::parse(member, field, text)?;
        return Ok(switch(value, to.as_str().unwrap_or_default()));
    }
    form::write(value.clone(), member, field, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dist(v: &Value) -> Dist {
        from_value(v).expect("a distribution the engine reads")
    }

    #[test]
    fn every_type_is_one_the_engine_reads_with_exactly_these_parameters() {
        for (ty, _) in TYPES {
            let v = switch(&json!({"type": "exponential", "mean_ms": 8.0}), ty);
            assert_eq!(form::text(&v, "type"), *ty);
            let d = dist(&v);
            assert!(d.problems(3_600_000.0).is_empty(), "{ty}: {d:?}");
            let mut keys: Vec<&str> =
                v.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "type").collect();
            keys.sort_unstable();
            let mut names: Vec<&str> = params(ty).iter().map(|m| m.path).collect();
            names.sort_unstable();
            assert_eq!(keys, names, "{ty}");
        }
    }

    #[test]
    fn switching_type_keeps_the_mean() {
        let from = json!({"type": "constant", "ms": 8.0});
        for (ty, _) in TYPES {
            let mean = dist(&switch(&from, ty)).mean_ms();
            assert!((mean - 8.0).abs() / 8.0 < 0.02, "{ty}: mean {mean}");
        }
    }

    #[test]
    fn the_log_normal_shape_survives_a_switch_between_its_forms() {
        let ln = json!({"type": "log_normal", "median_ms": 20.0, "sigma": 0.8});
        let p = switch(&ln, "percentiles");
        assert_eq!(p["p50_ms"], json!(20.0));
        let Dist::LogNormal { median_ms, sigma } = dist(&switch(&p, "log_normal")) else { panic!("{p}") };
        assert_eq!(median_ms, 20.0);
        assert!((sigma - 0.8).abs() < 0.005, "sigma {sigma}");
    }

    #[test]
    fn a_parameter_is_written_and_the_type_member_switches() {
        let v = json!({"type": "exponential", "mean_ms": 5.0});
        assert_eq!(members(&v).iter().map(|m| m.path).collect::<Vec<_>>(), ["type", "mean_ms"]);
        let mean = params("exponential")[0];
        assert_eq!(write(&v, &mean, "Latency", "12.5").unwrap(), json!({"type": "exponential", "mean_ms": 12.5}));
        assert!(write(&v, &mean, "Latency", "fast").unwrap_err().contains("not a number"));
        let uniform = write(&v, &TYPE, "Latency", "uniform").unwrap();
        assert_eq!(dist(&uniform), Dist::Uniform { min_ms: 2.5, max_ms: 7.5 });
        assert!(write(&v, &TYPE, "Latency", "pareto").is_err());
    }
}
