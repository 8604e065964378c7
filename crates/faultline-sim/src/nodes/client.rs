//! Load generation: when the next request comes, which operation, which key.

use crate::rng::{below, unit_open, SimRng};
use crate::scenario::{Arrival, Keys, Workload};
use crate::time::ms_to_micros;

/// A workload compiled for the engine.
#[derive(Clone, Debug)]
pub struct ClientRt {
    pub client: u32,
    /// The edge from the client to its target.
    pub edge: u32,
    arrival: ArrivalRt,
    /// Cumulative weights of the operations, normalised to 1.
    cumulative: Vec<f64>,
    keys: KeysRt,
    pub rng: SimRng,
}

#[derive(Clone, Debug)]
enum ArrivalRt {
    Off,
    Poisson { mean_gap_us: f64 },
    Constant { gap_us: u64 },
}

#[derive(Clone, Debug)]
enum KeysRt {
    Uniform {
        count: u64,
    },
    /// Zipf by rejection-inversion would be exact; a precomputed CDF over at
    /// most 4096 ranks is exact for those and cheap, larger key spaces fold
    /// the tail uniformly over the remaining keys.
    Zipf {
        cdf: Vec<f64>,
        count: u64,
    },
}

const ZIPF_TABLE: u64 = 4_096;

impl ClientRt {
    pub fn new(w: &Workload, client: u32, edge: u32, rng: SimRng) -> ClientRt {
        let arrival = match w.arrival {
            Arrival::Poisson { rate_rps } if rate_rps > 0.0 => ArrivalRt::Poisson {
                mean_gap_us: 1e6 / rate_rps,
            },
            Arrival::Constant { rate_rps } if rate_rps > 0.0 => ArrivalRt::Constant {
                gap_us: ms_to_micros(1e3 / rate_rps).max(1),
            },
            _ => ArrivalRt::Off,
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
        let keys = match w.keys {
            Keys::Uniform { count } => KeysRt::Uniform {
                count: count.max(1),
            },
            Keys::Zipf { count, s } => {
                let n = count.clamp(1, ZIPF_TABLE);
                let mut cdf = Vec::with_capacity(n as usize);
                let mut acc = 0.0;
                for k in 1..=n {
                    acc += 1.0 / libm::pow(k as f64, s);
                    cdf.push(acc);
                }
                let total = acc;
                cdf.iter_mut().for_each(|x| *x /= total);
                KeysRt::Zipf {
                    cdf,
                    count: count.max(1),
                }
            }
        };
        ClientRt {
            client,
            edge,
            arrival,
            cumulative,
            keys,
            rng,
        }
    }

    /// Microseconds until the next request, or `None` when the workload is idle.
    pub fn next_gap(&mut self) -> Option<u64> {
        match self.arrival {
            ArrivalRt::Off => None,
            ArrivalRt::Poisson { mean_gap_us } => Some(
                libm::round(-mean_gap_us * libm::log(unit_open(&mut self.rng))).max(1.0) as u64,
            ),
            ArrivalRt::Constant { gap_us } => Some(gap_us),
        }
    }

    /// The index of the next request's operation.
    pub fn pick_op(&mut self) -> u16 {
        if self.cumulative.len() <= 1 {
            return 0;
        }
        let u = unit_open(&mut self.rng);
        self.cumulative
            .iter()
            .position(|&c| u <= c)
            .unwrap_or(self.cumulative.len() - 1) as u16
    }

    pub fn pick_key(&mut self) -> u64 {
        match &self.keys {
            KeysRt::Uniform { count } => uniform_u64(&mut self.rng, *count),
            KeysRt::Zipf { cdf, count } => {
                let u = unit_open(&mut self.rng);
                let rank = cdf.partition_point(|&c| c < u) as u64;
                if *count > ZIPF_TABLE && rank + 1 >= ZIPF_TABLE {
                    ZIPF_TABLE - 1 + uniform_u64(&mut self.rng, *count - ZIPF_TABLE + 1)
                } else {
                    rank.min(count - 1)
                }
            }
        }
    }
}

fn uniform_u64(rng: &mut SimRng, n: u64) -> u64 {
    if n <= u64::from(u32::MAX) {
        u64::from(below(rng, n as u32))
    } else {
        (unit_open(rng) * n as f64) as u64 % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};
    use crate::scenario::{Method, Operation};

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
                },
                Operation {
                    name: "write".into(),
                    method: Method::Post,
                    weight: 1.0,
                },
            ],
            keys,
        }
    }

    #[test]
    fn poisson_gaps_average_one_over_rate_and_mix_follows_weights() {
        let w = workload(Arrival::Poisson { rate_rps: 100.0 }, Keys::default());
        let mut c = ClientRt::new(&w, 0, 0, stream(5, StreamKind::Workload, 0));
        let n = 100_000;
        let mean = (0..n).map(|_| c.next_gap().unwrap() as f64).sum::<f64>() / n as f64;
        assert!((mean - 10_000.0).abs() < 100.0, "{mean}");
        let reads = (0..n).filter(|_| c.pick_op() == 0).count() as f64 / n as f64;
        assert!((reads - 0.75).abs() < 0.01, "{reads}");
    }

    #[test]
    fn zipf_favours_the_first_keys() {
        let w = workload(
            Arrival::Constant { rate_rps: 1.0 },
            Keys::Zipf {
                count: 1_000,
                s: 1.0,
            },
        );
        let mut c = ClientRt::new(&w, 0, 0, stream(5, StreamKind::Workload, 1));
        let n = 100_000;
        let top = (0..n).filter(|_| c.pick_key() == 0).count() as f64 / n as f64;
        // P(rank 1) = 1 / H(1000) = 0.1336
        assert!((top - 0.1336).abs() < 0.01, "{top}");
        assert_eq!(c.next_gap(), Some(1_000_000));
    }
}
