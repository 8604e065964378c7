//! A database primary: a connection limit and queries that slow down as the
//! connections fill (lock and buffer contention), so a database saturates
//! gradually rather than falling off a cliff at exactly max_connections.

use super::Pool;
use crate::dist::Sampler;
use crate::scenario::DatabaseConfig;

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
