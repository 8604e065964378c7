//! A database primary: a connection limit and queries that slow down as the
//! connections fill (lock and buffer contention), so a database saturates
//! gradually rather than falling off a cliff at exactly max_connections.

use super::Pool;
use crate::dist::Sampler;
use crate::rng::SimRng;
use crate::scenario::DatabaseConfig;
use crate::sim::Sim;

#[derive(Clone, Debug)]
pub struct DatabaseRt {
    pub pool: Pool,
    pub query_time: Sampler,
    pub saturation: f64,
}

impl DatabaseRt {
    pub fn new(cfg: &DatabaseConfig) -> DatabaseRt {
        DatabaseRt {
            pool: Pool::new(cfg.max_connections, cfg.queue_capacity),
            query_time: cfg.query_time.sampler(),
            saturation: cfg.saturation,
        }
    }

    /// The factor query time is stretched by at the current load.
    pub fn contention(&self) -> f64 {
        let u = self.pool.utilisation();
        1.0 + self.saturation * u * u
    }

    /// A query's time at the current load, `slow` times as long as usual.
    pub fn work_time(&self, rng: &mut SimRng, slow: f64) -> u64 {
        self.query_time.sample_scaled(rng, self.contention() * slow)
    }
}

/// A query arrives: a connection takes it, or it waits for one, or it is
/// rejected when the wait queue is full.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.admit(node, idx);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_grows_with_busy_connections() {
        let mut db = DatabaseRt::new(&DatabaseConfig { max_connections: 4, saturation: 1.0, ..Default::default() });
        assert_eq!(db.contention(), 1.0);
        for i in 0..4 {
            db.pool.offer(i);
        }
        assert_eq!(db.contention(), 2.0);
    }
}
