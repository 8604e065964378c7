//! Fan-out by key at a database: a post's cost depends on who posted it.
//!
//! A news feed's timelines store sees two operations whose cost the
//! topology cannot fix: a post by an account with f followers is, pushed
//! (fan-out on write), ceil(f / batch) batched writes into the followers'
//! timelines (a celebrity's is thousands); a timeline read is one query when
//! every post was pushed, plus one query per pulled account the reader
//! follows when some posts are not (fan-out on read). So an operation whose
//! key is an account carries the follower law (`scenario::Followers`, the
//! data), and the database the design knob (`pull_above_followers`, where
//! the push stops). The law is the rank-size one: account 0 is the celebrity,
//! as rank 0 is a workload's hottest key.
//!
//! Why here, as parts of one query at the database, and not as many calls
//! from a service: the cost of a post *is* the store's work, and the engine
//! already runs a query as parts on a database's pool and answers when the
//! last has (the scatter query, `scatter.rs`). Reusing that keeps every part
//! an ordinary query, queued on the same pool as the reads (which is exactly
//! how a celebrity's post hurts everyone's reads), bounded by the same wait
//! queue (a part refused there fails the post), counted once in the node's
//! metrics (from the post's arrival to its last write), with no new event and
//! nothing on any other path. On a sharded database the parts go round the
//! shards from the author's own (followers' timelines are spread over
//! them). A replicated database does not fan out (validation says so). With
//! a cache reading the database, the parts of a pushed post do not bump the
//! author's key version (they write the followers' timelines, which are not
//! keys of the workload); a post pushed as one write does.
//!
//! A reader follows each account with probability followers / accounts, so
//! the pulled accounts a read follows are a sum of independent Bernoulli
//! draws (a Poisson-binomial count, mean `Followers::pulled_mean`). With up
//! to `EXACT_PULLED` pulled accounts each is drawn; beyond, the count is
//! drawn as a Poisson of the same mean (Le Cam: within sum p^2 in total
//! variation, small when most of them are followed rarely). The draws come
//! from the database's own `FanIn` stream, used only by such reads.

use crate::rng::{unit_open, SimRng};
use crate::scenario::{Followers, MAX_FANOUT_PARTS};
use crate::sim::Sim;
use serde::Serialize;

/// Pulled accounts drawn one by one; past this, their count is a Poisson draw.
pub const EXACT_PULLED: u64 = 256;

/// Above this mean a Poisson is drawn as a sum of Poissons of at most this
/// mean (exact: a sum of independent Poissons is a Poisson), so e^-mean
/// never underflows.
const POISSON_CHUNK: f64 = 64.0;

/// One operation's law at this database.
#[derive(Clone, Debug)]
struct Law {
    followers: Followers,
    /// Mean pulled accounts a read follows.
    pulled_mean: f64,
    /// With few pulled accounts: each one's probability of being followed.
    pulled: Option<Vec<f64>>,
}

/// A database's fan-out: the laws of the operations that have one.
#[derive(Clone, Debug)]
pub struct FanoutRt {
    pull_above: Option<u64>,
    /// By operation index (the engine's numbering); `None`: not an account's.
    laws: Vec<Option<Law>>,
    rng: SimRng,
    pub books: FanoutReport,
}

/// What the fan-out did over the run (a database's report entry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FanoutReport {
    /// The push/pull threshold in force (`null`: every post pushed).
    pub pull_above_followers: Option<u64>,
    /// Posts written to their followers' timelines ...
    pub posts_pushed: u64,
    /// ... in this many batched writes.
    pub timeline_writes: u64,
    /// Posts stored once, for their followers' reads to pull.
    pub posts_pulled: u64,
    /// Timeline reads ...
    pub reads: u64,
    /// ... and the queries they made for pulled accounts, on top of one each.
    pub pulled_queries: u64,
    /// The most parts one request took.
    pub widest: u64,
}

impl FanoutRt {
    /// The fan-out of a database that `laws` (by operation index) may
    /// reach; `None` when no operation has followers, so a database of any
    /// other scenario pays one branch.
    pub fn new(laws: &[Option<Followers>], pull_above: Option<u64>, rng: SimRng) -> Option<Box<FanoutRt>> {
        if laws.iter().all(Option::is_none) {
            return None;
        }
        let laws = laws
            .iter()
            .map(|l| {
                l.map(|followers| {
                    let (pulled_mean, pulled) = match pull_above {
                        None => (0.0, None),
                        Some(t) => {
                            let n = followers.ranks_above(t);
                            let probs = (n <= EXACT_PULLED).then(|| {
                                (0..n).map(|k| (followers.of(k) as f64 / followers.accounts as f64).min(1.0)).collect()
                            });
                            (followers.pulled_mean(t), probs)
                        }
                    };
                    Law { followers, pulled_mean, pulled }
                })
            })
            .collect();
        Some(Box::new(FanoutRt {
            pull_above,
            laws,
            rng,
            books: FanoutReport { pull_above_followers: pull_above, ..FanoutReport::default() },
        }))
    }

    /// Whether operation `op`'s keys are accounts here.
    pub fn fans(&self, op: u16) -> bool {
        matches!(self.laws.get(usize::from(op)), Some(Some(_)))
    }

    /// The parts (queries) request `op` for account `key` is here: 1 for an
    /// operation without followers.
    pub fn parts(&mut self, op: u16, key: u64, write: bool) -> u64 {
        let Some(Some(law)) = self.laws.get(usize::from(op)) else { return 1 };
        let parts = if write {
            let f = law.followers.of(key);
            if self.pull_above.is_some_and(|t| f > t) {
                self.books.posts_pulled += 1;
                1
            } else {
                let b = law.followers.batches(key);
                self.books.posts_pushed += 1;
                self.books.timeline_writes += b;
                b
            }
        } else {
            self.books.reads += 1;
            let pulled = match (&law.pulled, self.pull_above) {
                (_, None) => 0,
                (Some(probs), _) => probs.iter().filter(|&&p| unit_open(&mut self.rng) < p).count() as u64,
                (None, _) => poisson(&mut self.rng, law.pulled_mean),
            }
            .min(MAX_FANOUT_PARTS - 1);
            self.books.pulled_queries += pulled;
            1 + pulled
        };
        self.books.widest = self.books.widest.max(parts);
        parts
    }
}

/// A Poisson draw of mean `mean` by inversion (chunked, see `POISSON_CHUNK`).
pub fn poisson(rng: &mut SimRng, mean: f64) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    let chunks = (mean / POISSON_CHUNK).ceil().max(1.0);
    let m = mean / chunks;
    let mut total = 0;
    for _ in 0..chunks as u64 {
        let u = unit_open(rng);
        let (mut k, mut p) = (0u64, libm::exp(-m));
        let mut cdf = p;
        while u > cdf && k < 10_000 {
            k += 1;
            p *= m / k as f64;
            cdf += p;
        }
        total += k;
    }
    total
}

/// A call arrived at a database with a fan-out: when its operation makes it
/// more than one query here, it is split into that many parts and this
/// returns true; otherwise it goes on as one query.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) -> bool {
    let (op, key) = {
        let c = sim.calls.at(idx);
        (c.op, c.key)
    };
    let write = sim.is_write(op);
    let super::Behaviour::Database(db) = &mut sim.nodes[node].behaviour else { unreachable!("a database") };
    let Some(f) = db.fanout.as_deref_mut() else { return false };
    let parts = f.parts(op, key, write);
    if parts <= 1 {
        return false;
    }
    let parts = parts.min(MAX_FANOUT_PARTS) as u16;
    let base = db.spread(key, parts);
    super::scatter::split(sim, node, idx, parts, base);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{owned_stream, Purpose};

    fn rng() -> SimRng {
        owned_stream(5, 9, Purpose::FanIn)
    }

    #[test]
    fn poisson_draws_have_the_poisson_pmf() {
        // Chi-square over the pmf's bulk, 200,000 draws, for a small mean and one drawn in chunks.
        for mean in [1.7, 150.0] {
            let mut r = rng();
            let n = 200_000;
            let mut counts = std::collections::BTreeMap::<u64, u64>::new();
            let mut sum = 0u64;
            for _ in 0..n {
                let k = poisson(&mut r, mean);
                sum += k;
                *counts.entry(k).or_default() += 1;
            }
            let avg = sum as f64 / n as f64;
            // Standard error sqrt(mean / n): 0.003 and 0.027; 4 of them.
            assert!((avg - mean).abs() < 4.0 * (mean / n as f64).sqrt(), "{mean}: {avg}");
            let pmf = |k: u64| libm::exp(k as f64 * libm::log(mean) - mean - libm::lgamma(k as f64 + 1.0));
            let (mut chi2, mut cells) = (0.0, 0);
            for (&k, &c) in &counts {
                let e = pmf(k) * n as f64;
                if e >= 50.0 {
                    chi2 += (c as f64 - e) * (c as f64 - e) / e;
                    cells += 1;
                }
            }
            // The 99.9th percentile of chi-square with df = cells - 1 is under df + 4.5 sqrt(df) for these df.
            let df = f64::from(cells - 1);
            assert!(chi2 < df + 4.5 * df.sqrt(), "{mean}: chi2 {chi2} over {cells} cells");
        }
    }

    fn law() -> Followers {
        Followers { accounts: 10_000_000, top: 2_000_000, exponent: 1.5, min: 20, batch: 500 }
    }

    #[test]
    fn a_post_is_pushed_in_batches_or_pulled_past_the_threshold() {
        let mut push = FanoutRt::new(&[None, Some(law())], None, rng()).unwrap();
        assert_eq!(push.parts(0, 0, true), 1, "an operation without followers");
        assert_eq!(push.parts(1, 0, true), 4_000, "the celebrity: 2,000,000 / 500");
        assert_eq!(push.parts(1, 9_999_999, true), 1, "20 followers: one write");
        assert_eq!(push.parts(1, 0, false), 1, "everything pushed: a read is one query");
        let b = push.books;
        assert_eq!((b.posts_pushed, b.timeline_writes, b.posts_pulled, b.reads, b.widest), (2, 4_001, 0, 1, 4_000));

        let mut hybrid = FanoutRt::new(&[Some(law())], Some(100_000), rng()).unwrap();
        assert_eq!(hybrid.parts(0, 0, true), 1, "the celebrity is pulled");
        assert_eq!(hybrid.parts(0, 7, true), 177, "2,000,000 / 8^1.5 = 88,388 followers: pushed in 177 writes");
        assert_eq!(hybrid.books.posts_pulled, 1);
        assert!(FanoutRt::new(&[None, None], Some(1), rng()).is_none());
    }

    #[test]
    fn pulled_reads_follow_the_poisson_binomial_of_the_pulled_accounts() {
        // Pull above 100,000: accounts 0..7 (2e6 / (k+1)^1.5 > 1e5 up to k + 1 = 7),
        // followed with probability 0.2, 0.0707, 0.0385, 0.025, ...
        let t = 100_000;
        let mut f = FanoutRt::new(&[Some(law())], Some(t), rng()).unwrap();
        let probs: Vec<f64> = (0..7).map(|k| law().of(k) as f64 / 1e7).collect();
        assert_eq!(f.laws[0].as_ref().unwrap().pulled.as_ref().unwrap(), &probs);
        // The exact pmf by dynamic programming.
        let mut pmf = vec![1.0];
        for p in &probs {
            let mut next = vec![0.0; pmf.len() + 1];
            for (k, q) in pmf.iter().enumerate() {
                next[k] += q * (1.0 - p);
                next[k + 1] += q * p;
            }
            pmf = next;
        }
        let n = 200_000;
        let mut counts = vec![0u64; pmf.len()];
        for _ in 0..n {
            counts[(f.parts(0, 1, false) - 1) as usize] += 1;
        }
        let mean: f64 = probs.iter().sum();
        assert!((mean - law().pulled_mean(t)).abs() < 1e-9);
        let measured = f.books.pulled_queries as f64 / n as f64;
        assert!((measured - mean).abs() < 4.0 * (mean / n as f64).sqrt(), "{measured} vs {mean}");
        for (k, &c) in counts.iter().enumerate() {
            let e = pmf[k] * n as f64;
            // Binomial standard error of a cell, five of them (and a floor for the empty tail).
            let se = (e * (1.0 - pmf[k])).sqrt();
            assert!((c as f64 - e).abs() <= 5.0 * se + 3.0, "{k} pulled: {c} vs {e:.1}");
        }
    }

    #[test]
    fn pulling_everyone_draws_a_poisson_of_the_mean_following() {
        // Pull all: every account is pulled, far more than EXACT_PULLED: a Poisson of the mean following.
        let mut f = FanoutRt::new(&[Some(law())], Some(0), rng()).unwrap();
        let mean = law().pulled_mean(0);
        assert!(f.laws[0].as_ref().unwrap().pulled.is_none());
        assert!(mean > 20.0 && mean < 21.0, "20 floored followers each, plus the celebrities': {mean}");
        let n = 50_000;
        for _ in 0..n {
            f.parts(0, 3, false);
        }
        let measured = f.books.pulled_queries as f64 / n as f64;
        assert!((measured - mean).abs() < 4.0 * (mean / n as f64).sqrt(), "{measured} vs {mean}");
    }
}
