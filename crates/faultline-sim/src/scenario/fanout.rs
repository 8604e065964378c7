//! Fan-out by key in the scenario document: an operation whose key is an
//! account with followers (a post, a timeline read), and a database's choice
//! of which accounts' posts are pushed to their followers' timelines on write
//! and which are pulled at read time. The behaviour is in `nodes/fanout.rs`.
//!
//! Why the follower counts belong to the operation (and so to a workload):
//! they are the data, not the design. An exercise's check replaces the
//! design's workloads with its own, so a design cannot make the celebrity
//! smaller; it can only choose where her posts are merged
//! (`DatabaseConfig::pull_above_followers`).
//!
//! Why a rank-size law rather than a count drawn per account: keys are
//! ranks already (rank 0 is the hottest key of a Zipf workload), so with
//! `followers(k) = max(min, floor(top x (k + 1)^-exponent))` account 0 *is*
//! the celebrity, a check can make her post at a scripted moment (a workload
//! whose only key is 0), and every quantity has a closed form: the share of
//! accounts with at least f followers is `(top / f)^(1/exponent) / accounts`
//! (a Pareto tail of index 1/exponent, the shape measured for follower
//! counts), the mean write batches per post is a finite sum, and so is the
//! mean number of pulled accounts a reader follows (`pulled_mean`).

use serde::{Deserialize, Serialize};

/// Write batches (or pulled accounts) one request may fan out to: bounded so
/// a request's parts fit the engine's per-call counter and a run stays small.
pub const MAX_FANOUT_PARTS: u64 = 20_000;

/// Largest follower count of the law (`top`).
pub const MAX_FOLLOWERS: u64 = 10_000_000_000;

/// Terms summed one by one in `pulled_mean` before the rest of the sum is
/// taken as an integral (Euler-Maclaurin to its first correction).
const EXACT_TERMS: u64 = 1 << 20;

/// The accounts an operation's keys name, and their followers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Followers {
    /// Accounts in the social graph: keys 0 to accounts - 1 (authors and
    /// readers alike); a reader follows each account with probability its
    /// followers / accounts.
    pub accounts: u64,
    /// Followers of account 0, the biggest (the celebrity).
    pub top: u64,
    /// Rank-size exponent: account k has top x (k + 1)^-exponent followers ...
    pub exponent: f64,
    /// ... but never fewer than this.
    #[serde(default)]
    pub min: u64,
    /// Timelines one write reaches: a post to f followers is ceil(f / batch)
    /// writes (batched inserts into the timelines).
    pub batch: u32,
}

impl Followers {
    /// Followers of account `key`.
    pub fn of(&self, key: u64) -> u64 {
        let raw = self.top as f64 * libm::pow(key as f64 + 1.0, -self.exponent);
        (raw as u64).max(self.min)
    }

    /// Timeline writes of a post by `key` pushed to all its followers (at
    /// least one: the post itself is stored).
    pub fn batches(&self, key: u64) -> u64 {
        self.of(key).div_ceil(u64::from(self.batch.max(1))).max(1)
    }

    /// Accounts with more than `above` followers: ranks 0 to this - 1.
    pub fn ranks_above(&self, above: u64) -> u64 {
        if self.min > above {
            return self.accounts;
        }
        // followers(k) > above  <=>  (k + 1) < (top / above)^(1/exponent), up to flooring.
        let bound = libm::pow(self.top as f64 / (above as f64 + 1.0), 1.0 / self.exponent);
        let mut k = (bound as u64).min(self.accounts);
        while k > 0 && self.of(k - 1) <= above {
            k -= 1;
        }
        while k < self.accounts && self.of(k) > above {
            k += 1;
        }
        k
    }

    /// The mean number of accounts with more than `above` followers that a
    /// reader follows: sum of their followers over the accounts (each follower
    /// a reader, readers uniform over the accounts). What a timeline read
    /// pulls when those accounts' posts are not pushed.
    pub fn pulled_mean(&self, above: u64) -> f64 {
        let n = self.ranks_above(above);
        // Ranks whose count is the floor `min` add min each.
        let shaped = if self.min > 0 { self.ranks_above(self.min).min(n) } else { n };
        let floored = (n - shaped) as f64 * self.min as f64;
        let exact = shaped.min(EXACT_TERMS);
        let mut sum: f64 = (0..exact).map(|k| self.of(k) as f64).sum();
        if shaped > exact {
            // sum over j = exact+1 ..= shaped of top j^-a, as an integral plus the trapezoid's correction.
            let (a, b, s) = (exact as f64 + 1.0, shaped as f64, self.exponent);
            let integral = if (s - 1.0).abs() < 1e-12 {
                self.top as f64 * libm::log(b / a)
            } else {
                self.top as f64 * (libm::pow(b, 1.0 - s) - libm::pow(a, 1.0 - s)) / (1.0 - s)
            };
            let trapezoid = 0.5 * self.top as f64 * (libm::pow(a, -s) + libm::pow(b, -s));
            // Each count is floored: on a slowly varying tail that takes half a follower a term.
            sum += integral + trapezoid - 0.5 * (shaped - exact) as f64;
        }
        (sum + floored) / self.accounts.max(1) as f64
    }

    /// What is wrong with the law: (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.accounts == 0 {
            out.push(("accounts", "must be at least 1".to_string()));
        }
        if self.top == 0 || self.top > MAX_FOLLOWERS {
            out.push(("top", format!("must be between 1 and {MAX_FOLLOWERS} (got {})", self.top)));
        }
        if !self.exponent.is_finite() || !(0.1..=4.0).contains(&self.exponent) {
            out.push(("exponent", format!("must be between 0.1 and 4 (got {})", self.exponent)));
        }
        if self.min > self.top {
            out.push(("min", format!("must be at most top ({}) (got {})", self.top, self.min)));
        }
        if self.batch == 0 {
            out.push(("batch", "must be at least 1".to_string()));
        } else if self.top.div_ceil(u64::from(self.batch)) > MAX_FANOUT_PARTS {
            out.push((
                "batch",
                format!(
                    "too small: the top account's post would be {} writes (at most {MAX_FANOUT_PARTS}; \
                     raise batch to at least {})",
                    self.top.div_ceil(u64::from(self.batch)),
                    self.top.div_ceil(MAX_FANOUT_PARTS)
                ),
            ));
        }
        if out.is_empty() && self.pulled_mean(0) > MAX_FANOUT_PARTS as f64 / 10.0 {
            out.push((
                "accounts",
                format!(
                    "too few for these followers: a reader would follow {:.0} accounts on average (at most {})",
                    self.pulled_mean(0),
                    MAX_FANOUT_PARTS / 10
                ),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law() -> Followers {
        Followers { accounts: 1_000_000, top: 2_000_000, exponent: 1.0, min: 0, batch: 500 }
    }

    #[test]
    fn followers_follow_the_rank_size_law_with_its_floor() {
        let f = Followers { min: 10, ..law() };
        assert_eq!(f.of(0), 2_000_000);
        assert_eq!(f.of(1), 1_000_000);
        assert_eq!(f.of(3), 500_000);
        assert_eq!(f.of(999_999), 10, "2 followers by the law, floored at 10");
        assert_eq!(f.batches(0), 4_000);
        assert_eq!(f.batches(3), 1_000);
        assert_eq!(f.batches(999_999), 1);
        assert_eq!(Followers { top: 1_001, ..law() }.batches(0), 3, "1001 / 500 rounds up");
    }

    #[test]
    fn accounts_above_a_count_are_those_of_the_pareto_tail() {
        let f = law();
        for above in [0, 1, 7, 1_000, 99_999, 100_000, 1_999_999, 2_000_000] {
            let brute = (0..f.accounts).filter(|&k| f.of(k) > above).count() as u64;
            assert_eq!(f.ranks_above(above), brute, "above {above}");
        }
    }

    #[test]
    fn the_pulled_mean_is_the_brute_force_sum() {
        let laws = [
            law(),
            Followers { min: 25, exponent: 0.8, ..law() },
            Followers { exponent: 1.5, ..law() },
            // Past 2^20 shaped ranks: the integral's part of the sum.
            Followers { accounts: 3_000_000, exponent: 0.8, ..law() },
        ];
        for f in laws {
            for above in [0, 30, 1_000, 100_000, 5_000_000] {
                let brute: f64 = (0..f.accounts).map(|k| f.of(k)).filter(|&c| c > above).map(|c| c as f64).sum::<f64>()
                    / f.accounts as f64;
                let got = f.pulled_mean(above);
                // Past 2^20 ranks the sum is an integral: within 1e-4 relative.
                assert!((got - brute).abs() <= 1e-4 * brute.max(1e-9), "{f:?} above {above}: {got} vs {brute}");
            }
        }
    }

    #[test]
    fn a_bad_law_names_its_field() {
        let fields = |f: Followers| f.problems().into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(fields(Followers { accounts: 0, ..law() }), ["accounts"]);
        assert_eq!(fields(Followers { exponent: f64::NAN, ..law() }), ["exponent"]);
        assert_eq!(fields(Followers { min: 3_000_000, ..law() }), ["min"]);
        assert_eq!(fields(Followers { batch: 0, ..law() }), ["batch"]);
        assert_eq!(fields(Followers { batch: 10, ..law() }), ["batch"], "200,000 writes for one post");
        assert_eq!(fields(Followers { accounts: 10, ..law() }), ["accounts"], "everyone follows millions");
        assert!(law().problems().is_empty());
    }
}
