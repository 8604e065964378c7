//! Load generation: when the next request comes, which operation, which key.

use crate::keys::KeySampler;
use crate::rng::{owned_stream, unit_open, Purpose, SimRng};
use crate::scenario::{Arrival, Workload};
use crate::time::ms_to_micros;

/// A workload compiled for the engine.
#[derive(Clone, Debug)]
pub struct ClientRt {
    pub client: u32,
    /// The edge from the client to its target.
    pub edge: u32,
    arrival: ArrivalRt,
    /// Rate multiplier from spike faults (1 = as written).
    pub factor: f64,
    /// Bumped when the rate changes mid-run, so the pending arrival event
    /// (drawn at the old rate) is ignored and a fresh one is drawn.
    pub gen: u32,
    /// Cumulative weights of the operations, normalised to 1.
    cumulative: Vec<f64>,
    /// The run-wide index of each of the workload's operations (its place in
    /// every workload's operation names, which the engine routes by); set by
    /// the engine, the workload's own positions until then.
    pub op_ids: Vec<u16>,
    keys: KeySampler,
    pub deadline_us: Option<u64>,
    /// Arrival times. Operations and keys have streams of their own, so
    /// changing the mix or the key space leaves the arrival times alone.
    pub rng: SimRng,
    ops_rng: SimRng,
    keys_rng: SimRng,
    /// Key splitting for the hottest keys (`split_hot_keys`).
    pub split: Option<crate::scenario::KeySplit>,
}

#[derive(Clone, Debug)]
enum ArrivalRt {
    Poisson {
        rate_per_us: f64,
    },
    Constant {
        gap_us: f64,
    },
    /// A time-varying Poisson process, drawn by thinning against its peak rate.
    Varying {
        arrival: Arrival,
        peak_per_us: f64,
    },
}

impl ClientRt {
    /// `owner` is the workload's stable id (`rng::workload_owner`): its
    /// streams derive from it and the seed.
    pub fn new(w: &Workload, client: u32, edge: u32, seed: u64, owner: u64) -> ClientRt {
        let arrival = match &w.arrival {
            Arrival::Poisson { rate_rps } => ArrivalRt::Poisson { rate_per_us: rate_rps / 1e6 },
            Arrival::Constant { rate_rps } => ArrivalRt::Constant { gap_us: 1e6 / rate_rps },
            other => ArrivalRt::Varying { arrival: other.clone(), peak_per_us: other.rate_rps() / 1e6 },
        };
        let total: f64 = w.ops.iter().map(|o| o.weight).sum();
        let mut acc = 0.0;
        let cumulative = w
            .ops
            .iter()
            .map(|o| {
                acc += o.weight / total;
                acc
            })
            .collect();
        let keys = KeySampler::new(&w.keys);
        ClientRt {
            client,
            edge,
            arrival,
            factor: 1.0,
            gen: 0,
            cumulative,
            op_ids: (0..w.ops.len().max(1) as u16).collect(),
            keys,
            deadline_us: w.deadline_ms.map(ms_to_micros),
            rng: owned_stream(seed, owner, Purpose::Arrivals),
            ops_rng: owned_stream(seed, owner, Purpose::Ops),
            keys_rng: owned_stream(seed, owner, Purpose::Keys),
            split: w.split_hot_keys,
        }
    }

    /// The time of the next request after `now_us`, or `None` if there is
    /// none before `end_us`. A Poisson workload's draw is always inlined
    /// (once per request, and a few instructions once the call is gone),
    /// the other shapes are out of line.
    #[inline(always)]
    pub fn next_arrival(&mut self, now_us: u64, end_us: u64) -> Option<u64> {
        if let ArrivalRt::Poisson { rate_per_us } = self.arrival {
            let t = now_us + poisson_gap(&mut self.rng, rate_per_us * self.factor)?;
            return (t < end_us).then_some(t);
        }
        self.next_arrival_shaped(now_us, end_us)
    }

    /// `next_arrival` for every shape (Poisson too, to be whole).
    #[inline(never)]
    fn next_arrival_shaped(&mut self, now_us: u64, end_us: u64) -> Option<u64> {
        let f = self.factor;
        let t = match &self.arrival {
            ArrivalRt::Poisson { rate_per_us } => now_us + poisson_gap(&mut self.rng, rate_per_us * f)?,
            ArrivalRt::Constant { gap_us } => {
                if f <= 0.0 || !gap_us.is_finite() {
                    return None;
                }
                now_us + gap(gap_us / f)
            }
            ArrivalRt::Varying { arrival, peak_per_us } => {
                let peak = peak_per_us * f;
                if peak <= 0.0 {
                    return None;
                }
                let mut t = now_us as f64;
                loop {
                    t += crate::ziggurat::exp1(&mut self.rng) / peak;
                    if t >= end_us as f64 {
                        return None;
                    }
                    let rate = arrival.rate_at(t / 1e3) / 1e6 * f;
                    if unit_open(&mut self.rng) * peak <= rate {
                        break;
                    }
                }
                gap(t).max(now_us + 1)
            }
        };
        (t < end_us).then_some(t)
    }

    /// The run-wide index of the next request's operation.
    pub fn pick_op(&mut self) -> u16 {
        let local = if self.cumulative.len() <= 1 {
            0
        } else {
            let u = unit_open(&mut self.ops_rng);
            self.cumulative.iter().position(|&c| u <= c).unwrap_or(self.cumulative.len() - 1)
        };
        self.op_ids[local]
    }

    pub fn pick_key(&mut self) -> u64 {
        self.keys.next(&mut self.keys_rng)
    }
}

/// A call to a client: validation forbids edges into clients, so it can
/// only be refused.
pub(crate) fn arrive(sim: &mut crate::sim::Sim, node: usize, idx: u32) {
    sim.refuse(node, idx, crate::calls::Outcome::Failed(crate::calls::FailReason::Refused));
}

/// The gap to the next request of a Poisson stream of `rate` requests per
/// microsecond, or `None` when the rate is not positive.
#[inline(always)]
fn poisson_gap(rng: &mut SimRng, rate: f64) -> Option<u64> {
    if rate <= 0.0 {
        return None;
    }
    Some(gap(crate::ziggurat::exp1(rng) / rate))
}

/// Rounds a gap in microseconds, at least 1 so time always moves forward.
fn gap(us: f64) -> u64 {
    crate::time::round_us(us).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Keys, Method, Operation};

    fn workload(arrival: Arrival, keys: Keys) -> Workload {
        Workload {
            id: "w".into(),
            client: "c".into(),
            target: "s".into(),
            arrival,
            ops: vec![
                Operation {
                    name: "read".into(),
                    method: Method::Get,
                    weight: 3.0,
                    idempotency_key: false,
                    scatter: false,
                    followers: None,
                },
                Operation {
                    name: "write".into(),
                    method: Method::Post,
                    weight: 1.0,
                    idempotency_key: false,
                    scatter: false,
                    followers: None,
                },
            ],
            keys,
            deadline_ms: None,
            split_hot_keys: None,
        }
    }

    #[test]
    fn poisson_gaps_average_one_over_rate_and_mix_follows_weights() {
        let w = workload(Arrival::Poisson { rate_rps: 100.0 }, Keys::default());
        let mut c = ClientRt::new(&w, 0, 0, 5, 0);
        let n = 100_000;
        let mut t = 0;
        for _ in 0..n {
            t = c.next_arrival(t, u64::MAX).unwrap();
        }
        let mean = t as f64 / n as f64;
        assert!((mean - 10_000.0).abs() < 100.0, "{mean}");
        let reads = (0..n).filter(|_| c.pick_op() == 0).count() as f64 / n as f64;
        assert!((reads - 0.75).abs() < 0.01, "{reads}");
    }

    #[test]
    fn zipf_favours_the_first_keys() {
        let w = workload(Arrival::Constant { rate_rps: 1.0 }, Keys::Zipf { count: 1_000, s: 1.0 });
        let mut c = ClientRt::new(&w, 0, 0, 5, 1);
        let n = 100_000;
        let top = (0..n).filter(|_| c.pick_key() == 0).count() as f64 / n as f64;
        // P(rank 1) = 1 / H(1000) = 0.1336
        assert!((top - 0.1336).abs() < 0.01, "{top}");
        assert_eq!(c.next_arrival(5, u64::MAX), Some(1_000_005));
        c.factor = 4.0;
        assert_eq!(c.next_arrival(0, u64::MAX), Some(250_000));
        assert_eq!(c.next_arrival(0, 100), None);
    }

    #[test]
    fn a_rate_schedule_is_followed() {
        use crate::scenario::RatePoint;
        // 0 -> 1000 req/s over 10 s: 5000 requests expected in the ramp.
        let arrival = Arrival::Schedule {
            points: vec![RatePoint { t_ms: 0, rate_rps: 0.0 }, RatePoint { t_ms: 10_000, rate_rps: 1_000.0 }],
        };
        let mut c = ClientRt::new(&workload(arrival, Keys::default()), 0, 0, 8, 0);
        let (mut t, mut first_half, mut all) = (0, 0, 0);
        while let Some(next) = c.next_arrival(t, 10_000_000) {
            t = next;
            all += 1;
            if t < 5_000_000 {
                first_half += 1;
            }
        }
        assert!((all as f64 - 5_000.0).abs() < 250.0, "{all}");
        // A quarter of the area lies in the first half of a linear ramp.
        assert!((first_half as f64 / all as f64 - 0.25).abs() < 0.03, "{first_half}/{all}");
    }

    #[test]
    fn bursts_raise_the_rate_for_their_window() {
        let arrival = Arrival::Bursts { rate_rps: 100.0, burst_rps: 1_000.0, every_ms: 1_000, burst_ms: 100 };
        let mut c = ClientRt::new(&workload(arrival, Keys::default()), 0, 0, 9, 0);
        let (mut t, mut in_burst, mut all) = (0, 0, 0);
        while let Some(next) = c.next_arrival(t, 20_000_000) {
            t = next;
            all += 1;
            if t % 1_000_000 < 100_000 {
                in_burst += 1;
            }
        }
        // Per second: 100 in the burst, 90 outside.
        assert!((all as f64 - 3_800.0).abs() < 250.0, "{all}");
        assert!((in_burst as f64 / all as f64 - 100.0 / 190.0).abs() < 0.04, "{in_burst}/{all}");
    }
}
