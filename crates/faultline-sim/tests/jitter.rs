//! Brooker's published findings on backoff and jitter, reproduced with the
//! engine's own retry schedules (see models/contention.rs for the model).

use faultline_sim::models::contention::{average, Contention, Outcome};
use faultline_sim::policy::Jitter;

const RUNS: u32 = 40;

fn point(n: u32, backoff: bool, jitter: Jitter) -> Outcome {
    average(&Contention::brooker(n, backoff, jitter), RUNS, 1_000 + u64::from(n))
}

/// At every N: exponential backoff without jitter is slowest and equal jitter
/// is slower than full. At high contention (N = 75 and 100, where the post's
/// curves separate): full jitter makes under half the calls of no backoff,
/// and decorrelated jitter makes more calls than full jitter. (In this model
/// at N <= 50 decorrelated makes about as many calls as full, or fewer, and
/// at N = 50 full jitter makes 0.53x the calls of no backoff.)
#[test]
fn brookers_findings_hold_from_10_to_100_clients() {
    for n in [10, 25, 50, 75, 100] {
        let none = point(n, false, Jitter::None);
        let expo = point(n, true, Jitter::None);
        let full = point(n, true, Jitter::Full);
        let equal = point(n, true, Jitter::Equal);
        let decor = point(n, true, Jitter::Decorrelated);
        eprintln!(
            "N={n:>3}: calls none {} expo {} full {} equal {} decor {} | time ms none {:.0} expo {:.0} full {:.0} equal {:.0} decor {:.0}",
            none.calls, expo.calls, full.calls, equal.calls, decor.calls,
            none.completion_ms, expo.completion_ms, full.completion_ms, equal.completion_ms, decor.completion_ms
        );
        // Exponential backoff without jitter is the clear loser on time.
        for other in [none, full, equal, decor] {
            assert!(expo.completion_ms > other.completion_ms, "N={n}: exponential {expo:?} vs {other:?}");
        }
        // Equal jitter takes longer than full jitter.
        assert!(equal.completion_ms > full.completion_ms, "N={n}: equal {equal:?} vs full {full:?}");
        if n >= 75 {
            // Decorrelated jitter makes more calls than full jitter.
            assert!(decor.calls > full.calls, "N={n}: decorrelated {decor:?} vs full {full:?}");
            // At high contention, jitter cuts the calls to less than half of no backoff.
            assert!(2 * full.calls < none.calls, "N={n}: full {full:?} vs none {none:?}");
        }
    }
}

#[test]
fn work_without_backoff_grows_about_quadratically() {
    let small = point(25, false, Jitter::None).calls as f64;
    let large = point(100, false, Jitter::None).calls as f64;
    let exponent = (large / small).ln() / 4f64.ln();
    assert!(exponent > 1.6 && exponent < 2.4, "calls grow as N^{exponent:.2}");
}
