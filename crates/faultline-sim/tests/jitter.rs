//! Brooker's published findings on backoff and jitter, reproduced with the
//! engine's own retry schedules (see models/contention.rs for the model).
//!
//! First the model against the post's own simulator
//! (`aws-samples/aws-arch-backoff-simulator`), number for number; then the
//! findings. Each test states the range of contention it covers, and every
//! finding it asserts holds at every N it runs: some of the post's findings
//! are about high contention only (at N = 10 there is little to save: full
//! jitter makes 39 calls where no backoff makes 51, and decorrelated jitter
//! fewer than full, in the post's simulator too), so they have their own
//! test over N = 50..200. Every assertion below also held with four other
//! seed bases (5,000, 9,000, 13,000, 77,000).

use faultline_sim::models::contention::{average, strategies, Contention, Outcome};
use faultline_sim::policy::Jitter;

const RUNS: u32 = 40;

fn point(n: u32, backoff: bool, jitter: Jitter) -> Outcome {
    average(&Contention::brooker(n, backoff, jitter), RUNS, 1_000 + u64::from(n))
}

struct Row {
    none: Outcome,
    expo: Outcome,
    full: Outcome,
    equal: Outcome,
    decor: Outcome,
}

fn row(n: u32) -> Row {
    let r = Row {
        none: point(n, false, Jitter::None),
        expo: point(n, true, Jitter::None),
        full: point(n, true, Jitter::Full),
        equal: point(n, true, Jitter::Equal),
        decor: point(n, true, Jitter::Decorrelated),
    };
    eprintln!(
        "N={n:>3}: calls none {} expo {} full {} equal {} decor {} | time ms none {:.0} expo {:.0} full {:.0} equal {:.0} decor {:.0}",
        r.none.calls, r.expo.calls, r.full.calls, r.equal.calls, r.decor.calls,
        r.none.completion_ms, r.expo.completion_ms, r.full.completion_ms, r.equal.completion_ms, r.decor.completion_ms
    );
    r
}

/// Mean (calls, completion ms) of one strategy at each of [`POST_CLIENTS`].
type PostPoints = [(f64, f64); 5];

/// The client counts of [`POSTS_SIMULATOR`].
const POST_CLIENTS: [u32; 5] = [10, 25, 50, 75, 100];

/// The post's own simulator (`aws-samples/aws-arch-backoff-simulator`, its
/// `backoff_simulator.py` with the plotting left out), run 400 times per
/// point with each of two random seeds (1 and 2): mean calls (its
/// `stats.calls`, the conditional writes) and mean completion time in ms,
/// for N = 10, 25, 50, 75, 100 clients (`POST_CLIENTS`). The two seeds' means differ by at
/// most 1% in calls and 3.5% in time.
const POSTS_SIMULATOR: [PostPoints; 5] = [
    // No backoff, exponential, full, equal and decorrelated jitter: the order of `strategies()`.
    [(51.0, 378.5), (215.5, 692.5), (690.0, 1139.5), (1430.0, 1588.5), (2421.5, 2027.0)],
    [(51.0, 3481.0), (209.5, 18702.0), (624.5, 36434.0), (1177.0, 51008.5), (1857.5, 63567.0)],
    [(39.0, 469.0), (135.0, 1321.0), (333.0, 2891.0), (556.0, 4022.5), (796.0, 4905.0)],
    [(43.0, 733.0), (144.5, 2135.0), (347.5, 4254.0), (572.0, 5607.5), (812.5, 6640.5)],
    [(38.0, 433.5), (139.0, 1019.0), (374.5, 2231.0), (668.0, 3486.5), (1003.0, 4602.0)],
];

/// The model is the post's, number for number: every strategy's calls within
/// 4% and completion time within 8% of the post's simulator at every N (over
/// 200 runs; the run-to-run spread of a mean of 200 is about 1% in calls and
/// 3% in time). Counting the first retry's backoff from `base` instead of
/// `2 x base` makes 7-10% more calls with every jitter and cuts exponential
/// backoff's time at N = 10 by 40%: it fails here.
#[test]
fn the_model_matches_the_posts_own_simulator() {
    for ((name, backoff, jitter), points) in strategies().into_iter().zip(POSTS_SIMULATOR) {
        for (n, (calls, time_ms)) in POST_CLIENTS.into_iter().zip(points) {
            let o = average(&Contention::brooker(n, backoff, jitter), 200, 20_000 + u64::from(n));
            let (dc, dt) = (o.calls as f64 / calls - 1.0, o.completion_ms / time_ms - 1.0);
            eprintln!(
                "{name:<13} N={n:>3}: calls {} vs {calls} ({:+.1}%), time {:.0} vs {time_ms} ms ({:+.1}%)",
                o.calls,
                100.0 * dc,
                o.completion_ms,
                100.0 * dt
            );
            assert!(dc.abs() < 0.04, "{name}, N={n}: {} calls, the post's simulator {calls}", o.calls);
            assert!(dt.abs() < 0.08, "{name}, N={n}: {:.0} ms, the post's simulator {time_ms}", o.completion_ms);
        }
    }
}

/// At every N from 10 to 100: exponential backoff without jitter takes the
/// longest, equal jitter takes longer than full jitter, and each jittered
/// schedule makes fewer calls than either schedule without jitter.
#[test]
fn brookers_findings_at_every_contention_from_10_to_100_clients() {
    for n in [10, 25, 50, 75, 100] {
        let Row { none, expo, full, equal, decor } = row(n);
        for other in [none, full, equal, decor] {
            assert!(expo.completion_ms > other.completion_ms, "N={n}: exponential {expo:?} vs {other:?}");
        }
        assert!(equal.completion_ms > full.completion_ms, "N={n}: equal {equal:?} vs full {full:?}");
        for jittered in [full, equal, decor] {
            assert!(jittered.calls < none.calls.min(expo.calls), "N={n}: {jittered:?} vs {none:?} and {expo:?}");
        }
    }
}

/// At high contention (where the post's curves separate): decorrelated
/// jitter makes more calls than full jitter from N = 50 (374 against 332),
/// and full jitter under half the calls of no backoff from N = 75. (At N = 50
/// full jitter makes 0.48x the calls of no backoff, in the post's simulator
/// too, a margin of 3.5%: too close to assert at this test's 40 runs. At
/// N = 25 neither holds in either: 0.63x, and decorrelated 139 against full's
/// 135.)
#[test]
fn brookers_high_contention_findings_from_50_to_200_clients() {
    for n in [50, 75, 100, 150, 200] {
        let Row { none, full, decor, .. } = row(n);
        if n >= 75 {
            assert!(2 * full.calls < none.calls, "N={n}: full {full:?} vs none {none:?}");
        }
        assert!(decor.calls > full.calls, "N={n}: decorrelated {decor:?} vs full {full:?}");
    }
}

#[test]
fn work_without_backoff_grows_about_quadratically() {
    let small = point(25, false, Jitter::None).calls as f64;
    let large = point(100, false, Jitter::None).calls as f64;
    let exponent = libm::log(large / small) / libm::log(4.0);
    assert!(exponent > 1.6 && exponent < 2.4, "calls grow as N^{exponent:.2}");
}
