//! Retry policies, circuit breakers, rate limits, connection pools and autoscalers as forms: one input per
//! member of the engine's config type, each optional policy switched on with
//! the engine's own defaults.
//!
//! Members, units and hints follow `RetryPolicy`, `BreakerConfig` and
//! `RateLimit` and the limits in the engine's validation; tests check that
//! every member listed is one the engine reads. A value is always shown with
//! every setting in effect (a breaker preset's name expanded, members the
//! document leaves to their defaults filled in), so the form shows what
//! will run; editing a preset's setting makes the breaker custom.

use super::fields::{as_value, from_value};
use super::form::{self, Member};
use faultline_sim::catalogue::FieldType;
use faultline_sim::policy::breaker::Window;
use faultline_sim::policy::{Backoff, BreakerSpec, BudgetConfig, Preset};
use faultline_sim::scenario::{Autoscale, ConnectionPool, RateLimit, RetryPolicy};
use serde_json::Value;

/// A structured setting edited member by member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Retry,
    Breaker,
    RateLimit,
    ConnectionPool,
    Autoscale,
}

const BACKOFFS: &[(&str, &str)] =
    &[("none", "None: retry at once"), ("fixed", "Fixed"), ("exponential", "Exponential")];

/// Jitter names, in the engine's order (`Jitter::ALL`; a test checks).
const JITTERS: &[(&str, &str)] = &[
    ("none", "None"),
    ("full", "Full"),
    ("equal", "Equal"),
    ("decorrelated", "Decorrelated"),
    ("additive", "Additive"),
];

const RETRY: &[Member] = &[
    Member::integer("max_attempts", "Max attempts", "in all", "Attempts in all, the first included: 1 to 10."),
    Member::choice("backoff.type", "Backoff", BACKOFFS, "How the wait grows from one retry to the next."),
    Member::number("backoff.ms", "Wait", "ms", "The same wait before every retry: 0 to 1 h."),
    Member::number("backoff.base_ms", "Base wait", "ms", "Before the first retry, doubling after: more than 0."),
    Member::number("backoff.cap_ms", "Longest wait", "ms", "The doubling stops here: base to 1 h."),
    Member::choice(
        "jitter",
        "Jitter",
        JITTERS,
        "How each wait t is randomised, so callers do not retry together: full U(0, t), equal t/2 + U(0, t/2), \
         decorrelated U(base, 3 x last wait), additive t + U(0, t/2).",
    ),
    Member::flag("honour_retry_after", "Honour Retry-After", "Wait at least as long as a 429's Retry-After says."),
    Member::flag("retry_post", "Retry POST without a key", "Unsafe: POSTs without an idempotency key are retried too."),
    Member::flag("budget", "Retry budget", "Retries spend tokens that only successes earn."),
    Member::number("budget.deposit", "Earned per success", "tokens", "0 or more."),
    Member::number("budget.cost", "Spent per retry", "tokens", "More than 0."),
    Member::number("budget.max_tokens", "Bucket size", "tokens", "Held at the start too: 0 to 1,000,000."),
];

const PRESETS: &[(&str, &str)] = &[
    ("custom", "Custom"),
    ("seed", "Seed"),
    ("resilience4j", "resilience4j"),
    ("hystrix", "Hystrix"),
    ("polly", "Polly"),
];

const WINDOWS: &[(&str, &str)] = &[("count", "Last N calls"), ("time", "Last N seconds")];

const BREAKER: &[Member] = &[
    Member::choice("preset", "Preset", PRESETS, "A library's defaults; changing a setting below makes it custom."),
    Member::choice("window.type", "Window", WINDOWS, "What the failure rate is measured over."),
    Member::integer("window.size", "Window size", "calls", "1 to 100,000."),
    Member::integer("window.seconds", "Window length", "s", "1 to 100,000."),
    Member::number("failure_rate_threshold", "Open at failures", "%", "Failure rate that opens it: 0 to 100."),
    Member::number("slow_call_rate_threshold", "Open at slow calls", "%", "Slow-call rate that opens it: 0 to 100."),
    Member::number("slow_call_duration_ms", "Slow above", "ms", "A call slower than this counts as slow."),
    Member::integer("minimum_calls", "Minimum calls", "calls", "Calls in the window before the rates count."),
    Member::integer("wait_in_open_ms", "Stay open", "ms", "Before trial calls are let through: up to 24 h."),
    Member::integer("permitted_in_half_open", "Trial calls", "calls", "Let through when half-open: at least 1."),
];

const RATE_LIMIT: &[Member] = &[
    Member::number("rate_rps", "Rate", "req/s", "Tokens added per second: more than 0."),
    Member::number("burst", "Burst", "requests", "Bucket size, the burst it absorbs: at least 1."),
    Member::number("retry_after_ms", "Retry-After", "ms", "Sent with each 429; 0 sends none."),
];

const CONNECTION_POOL: &[Member] = &[
    Member::integer("pool_size", "Pool size", "connections", "Most an instance holds to one database: 1 to 10,000."),
    Member::integer(
        "min_pool",
        "Opened at start-up",
        "connections",
        "Not all opened: the instance exits and restarts.",
    ),
    Member::integer("connect_timeout_ms", "Connect timeout", "ms", "Opening one fails after this long."),
    Member::integer("acquire_timeout_ms", "Wait for one", "ms", "A call waiting longer for a connection fails (5xx)."),
    Member::integer("retry_connect_ms", "Retry opening", "ms", "After a refused open, while calls wait."),
];

const AUTOSCALE: &[Member] = &[
    Member::integer("min_instances", "Min instances", "pods", "Never fewer: 1 to max."),
    Member::integer("max_instances", "Max instances", "pods", "Never more: min to 1,000."),
    Member::number(
        "target_utilisation",
        "Target utilisation",
        "0..1",
        "Busy workers over workers it aims at, averaged over the ready instances: more than 0, at most 1.",
    ),
    Member::number("tolerance", "Tolerance", "", "No change while utilisation / target is within 1 ± this (HPA: 0.1)."),
    Member::integer("sync_period_ms", "Sync period", "ms", "How often it measures and decides (HPA: 15 s)."),
    Member::integer(
        "scale_up_window_ms",
        "Scale-up window",
        "ms",
        "Going up, the lowest recommendation of this long is used (HPA: 0, at once).",
    ),
    Member::integer(
        "scale_down_window_ms",
        "Scale-down window",
        "ms",
        "Going down, the highest recommendation of this long is used (HPA: 300 s): no flapping.",
    ),
];

impl Policy {
    /// The form for a catalogue field type, if it has one of these.
    pub fn of(ty: FieldType) -> Option<Policy> {
        match ty {
            FieldType::Retry => Some(Policy::Retry),
            FieldType::Breaker => Some(Policy::Breaker),
            FieldType::RateLimit => Some(Policy::RateLimit),
            FieldType::ConnectionPool => Some(Policy::ConnectionPool),
            FieldType::Autoscale => Some(Policy::Autoscale),
            _ => None,
        }
    }

    /// Every member the form can show, in order.
    pub fn members(self) -> &'static [Member] {
        match self {
            Policy::Retry => RETRY,
            Policy::Breaker => BREAKER,
            Policy::RateLimit => RATE_LIMIT,
            Policy::ConnectionPool => CONNECTION_POOL,
            Policy::Autoscale => AUTOSCALE,
        }
    }

    /// What switching the policy on sets: the engine's defaults (a breaker
    /// starts as resilience4j's, which is `BreakerConfig::default()`).
    pub fn default_value(self) -> Value {
        let v = match self {
            Policy::Retry => as_value(&RetryPolicy::default()),
            Policy::Breaker => as_value(&BreakerSpec::Preset(Preset::Resilience4j)),
            Policy::RateLimit => as_value(&RateLimit { rate_rps: 100.0, burst: 10.0, retry_after_ms: 0.0 }),
            Policy::ConnectionPool => as_value(&ConnectionPool::default()),
            Policy::Autoscale => as_value(&Autoscale::default()),
        };
        v.unwrap_or(Value::Null)
    }

    /// Every setting in effect for `value` (defaults filled in, a breaker
    /// preset expanded); `value` itself if the engine cannot read it.
    fn settings(self, value: &Value) -> Value {
        let full = match self {
            Policy::Retry => from_value::<RetryPolicy>(value).ok().and_then(|r| as_value(&r)),
            Policy::Breaker => from_value::<BreakerSpec>(value).ok().and_then(|b| as_value(&b.config())),
            Policy::RateLimit => from_value::<RateLimit>(value).ok().and_then(|r| as_value(&r)),
            Policy::ConnectionPool => from_value::<ConnectionPool>(value).ok().and_then(|r| as_value(&r)),
            Policy::Autoscale => from_value::<Autoscale>(value).ok().and_then(|r| as_value(&r)),
        };
        full.unwrap_or_else(|| value.clone())
    }

    /// The members `value` has, each with the text its input shows. A
    /// variant's parameters appear only for that variant (a fixed backoff's
    /// wait, a count window's size), a budget's only when there is one.
    pub fn rows(self, value: &Value) -> Vec<(Member, String)> {
        let settings = self.settings(value);
        self.members()
            .iter()
            .filter_map(|m| {
                let text = match m.path {
                    "preset" => value.as_str().unwrap_or("custom").to_string(),
                    "budget" => (!form::get(&settings, "budget").is_none_or(Value::is_null)).to_string(),
                    path if form::get(&settings, path).is_none_or(Value::is_null) => return None,
                    path => form::text(&settings, path),
                };
                Some((*m, text))
            })
            .collect()
    }

    /// `value` with `member` set from `text`, ready for `fields::set`.
    pub fn write(self, value: &Value, member: &Member, field: &str, text: &str) -> Result<Value, String> {
        let settings = self.settings(value);
        let chosen = form::parse(member, field, text)?;
        Ok(match (self, member.path) {
            (Policy::Retry, "backoff.type") => {
                let wait = match form::get(&settings, "backoff").and_then(|b| from_value::<Backoff>(b).ok()) {
                    Some(Backoff::Fixed { ms }) if ms > 0.0 => ms,
                    Some(Backoff::Exponential { base_ms, .. }) => base_ms,
                    _ => 100.0,
                };
                let backoff = match chosen.as_str() {
                    Some("none") => Backoff::None,
                    Some("fixed") => Backoff::Fixed { ms: wait },
                    _ => Backoff::Exponential { base_ms: wait, cap_ms: wait.max(10_000.0) },
                };
                form::put(settings, "backoff", as_value(&backoff).unwrap_or(Value::Null))
            }
            (Policy::Retry, "budget") => {
                let budget = if chosen == Value::Bool(true) { as_value(&BudgetConfig::default()) } else { None };
                form::put(settings, "budget", budget.unwrap_or(Value::Null))
            }
            (Policy::Breaker, "preset") => match chosen.as_str() {
                Some("custom") | None => settings,
                Some(_) => chosen,
            },
            (Policy::Breaker, "window.type") => {
                let window = match chosen.as_str() {
                    Some("time") => Window::Time { seconds: 10 },
                    _ => Window::Count { size: 100 },
                };
                form::put(settings, "window", as_value(&window).unwrap_or(Value::Null))
            }
            _ => form::put(settings, member.path, chosen),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::policy::{BreakerConfig, Jitter};
    use serde_json::json;

    const ALL: [Policy; 5] =
        [Policy::Retry, Policy::Breaker, Policy::RateLimit, Policy::ConnectionPool, Policy::Autoscale];

    fn member(p: Policy, path: &str) -> Member {
        *p.members().iter().find(|m| m.path == path).unwrap()
    }

    fn paths(rows: &[(Member, String)]) -> Vec<&'static str> {
        rows.iter().map(|(m, _)| m.path).collect()
    }

    /// Values that between them have every member of `p`.
    fn starts(p: Policy) -> Vec<Value> {
        let v = p.default_value();
        match p {
            Policy::Retry => {
                let fixed = json!({"backoff": {"type": "fixed", "ms": 5.0}, "budget": {}});
                vec![v, fixed]
            }
            Policy::Breaker => vec![v, json!("hystrix")],
            Policy::RateLimit | Policy::ConnectionPool | Policy::Autoscale => vec![v],
        }
    }

    #[test]
    fn jitter_names_are_the_engines() {
        let names: Vec<&str> = Jitter::ALL.iter().map(|j| j.name()).collect();
        assert_eq!(names, JITTERS.iter().map(|(v, _)| *v).collect::<Vec<_>>());
    }

    #[test]
    fn every_member_and_every_choice_is_one_the_engine_reads() {
        // Write each member of each variant and read the result back as the
        // engine's type: a misspelt member would be refused (deny_unknown_fields).
        for p in ALL {
            for m in p.members() {
                let options: Vec<String> = match m.input {
                    form::Input::Choice(o) => o.iter().map(|(v, _)| v.to_string()).collect(),
                    form::Input::Flag => vec!["true".into(), "false".into()],
                    form::Input::Number { .. } => vec!["7".into()],
                };
                // A value of the variant that has this member.
                let v = starts(p).into_iter().find(|v| paths(&p.rows(v)).contains(&m.path)).unwrap();
                for text in options {
                    let next = p.write(&v, m, "X", &text).unwrap();
                    let ok = match p {
                        Policy::Retry => from_value::<RetryPolicy>(&next).is_ok(),
                        Policy::Breaker => from_value::<BreakerSpec>(&next).is_ok(),
                        Policy::RateLimit => from_value::<RateLimit>(&next).is_ok(),
                        Policy::ConnectionPool => from_value::<ConnectionPool>(&next).is_ok(),
                        Policy::Autoscale => from_value::<Autoscale>(&next).is_ok(),
                    };
                    assert!(ok, "{p:?}.{} = {text}: {next}", m.path);
                    assert!(p.rows(&next).iter().any(|(r, _)| r.path == m.path), "{p:?}.{} is shown", m.path);
                }
            }
        }
    }

    #[test]
    fn retry_rows_follow_the_backoff_and_budget() {
        let p = Policy::Retry;
        let v = p.default_value();
        let rows = p.rows(&v);
        assert_eq!(
            paths(&rows),
            [
                "max_attempts",
                "backoff.type",
                "backoff.base_ms",
                "backoff.cap_ms",
                "jitter",
                "honour_retry_after",
                "retry_post",
                "budget"
            ]
        );
        assert_eq!(rows[0].1, "3");
        assert_eq!(rows[7].1, "false");
        let fixed = p.write(&v, &member(p, "backoff.type"), "Retries", "fixed").unwrap();
        assert_eq!(fixed["backoff"], json!({"type": "fixed", "ms": 100.0}), "the base wait carries over");
        let budget = p.write(&fixed, &member(p, "budget"), "Retries", "true").unwrap();
        let rows = p.rows(&budget);
        assert!(paths(&rows).ends_with(&["budget", "budget.deposit", "budget.cost", "budget.max_tokens"]));
        assert!(paths(&rows).contains(&"backoff.ms") && !paths(&rows).contains(&"backoff.base_ms"));
        let off = p.write(&budget, &member(p, "budget"), "Retries", "false").unwrap();
        assert!(off["budget"].is_null());
    }

    #[test]
    fn a_partial_retry_policy_shows_the_defaults_in_effect() {
        let rows = Policy::Retry.rows(&json!({"max_attempts": 5}));
        let jitter = rows.iter().find(|(m, _)| m.path == "jitter").unwrap();
        assert_eq!(jitter.1, "additive");
        let next = Policy::Retry.write(&json!({"max_attempts": 5}), &RETRY[0], "Retries", "2").unwrap();
        assert_eq!(from_value::<RetryPolicy>(&next).unwrap(), RetryPolicy { max_attempts: 2, ..Default::default() });
    }

    #[test]
    fn a_breaker_preset_shows_its_settings_and_editing_one_makes_it_custom() {
        let p = Policy::Breaker;
        let hystrix = json!("hystrix");
        let rows = p.rows(&hystrix);
        assert_eq!(rows[0].1, "hystrix");
        assert!(paths(&rows).contains(&"window.seconds") && !paths(&rows).contains(&"window.size"));
        let wait = rows.iter().find(|(m, _)| m.path == "wait_in_open_ms").unwrap();
        assert_eq!(wait.1, "5000");
        let next = p.write(&hystrix, &member(p, "minimum_calls"), "Breaker", "40").unwrap();
        let want = BreakerConfig { minimum_calls: 40, ..BreakerConfig::preset(Preset::Hystrix) };
        assert_eq!(from_value::<BreakerSpec>(&next).unwrap(), BreakerSpec::Config(want));
        assert_eq!(p.rows(&next)[0].1, "custom");
        assert_eq!(p.write(&next, &member(p, "preset"), "Breaker", "polly").unwrap(), json!("polly"));
        let custom = p.write(&json!("polly"), &member(p, "preset"), "Breaker", "custom").unwrap();
        assert_eq!(from_value::<BreakerSpec>(&custom).unwrap().config(), BreakerConfig::preset(Preset::Polly));
        for (v, _) in &PRESETS[1..] {
            assert!(matches!(from_value::<BreakerSpec>(&json!(v)), Ok(BreakerSpec::Preset(_))), "{v}");
        }
    }

    #[test]
    fn switching_on_gives_values_the_engine_accepts() {
        for p in ALL {
            let v = p.default_value();
            assert!(!v.is_null(), "{p:?}");
            assert!(!p.rows(&v).is_empty());
        }
        assert_eq!(Policy::of(FieldType::Breaker), Some(Policy::Breaker));
        assert_eq!(Policy::of(FieldType::Distribution), None);
    }
}
