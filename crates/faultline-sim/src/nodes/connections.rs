//! A database's books of open connections: a hard limit, as PostgreSQL's.
//!
//! Apart from the queries it runs (its pool of workers), a database holds
//! connections: each one a backend process that a client opened and keeps.
//! PostgreSQL refuses a new one past `max_connections` minus the slots kept
//! for superusers (`superuser_reserved_connections`) with "FATAL: sorry,
//! too many clients already"; the refusals are counted. A crash closes them
//! all: `epoch` tells the pools that hold connections from before it that
//! theirs are dead.

use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct ConnBook {
    /// Connections an application may hold at once.
    pub limit: u32,
    pub open: u32,
    pub peak: u32,
    pub opened: u64,
    /// Refused: "too many clients".
    pub refused: u64,
    /// Bumped by a crash: connections from an older epoch are gone.
    pub epoch: u32,
    /// The database's work to open one, in microseconds.
    pub connect_us: u64,
}

/// A database's connections in the run report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionsReport {
    /// Connections applications may hold (max_connections - reserved).
    pub limit: u32,
    /// Most connections open at once.
    pub peak: u32,
    /// Open at the end of the run.
    pub open: u32,
    pub opened: u64,
    /// New connections refused past the limit ("too many clients").
    pub refused: u64,
}

impl ConnBook {
    pub fn new(max_connections: u32, reserved: u32, connect_ms: f64) -> ConnBook {
        ConnBook {
            limit: max_connections.saturating_sub(reserved),
            connect_us: crate::time::ms_to_micros(connect_ms),
            ..ConnBook::default()
        }
    }

    /// A client asks for a connection: opened, or refused past the limit.
    pub fn try_open(&mut self) -> bool {
        if self.open >= self.limit {
            self.refused += 1;
            return false;
        }
        self.open += 1;
        self.opened += 1;
        self.peak = self.peak.max(self.open);
        true
    }

    /// A client closes `n` connections it opened in `epoch`.
    pub fn close(&mut self, n: u32, epoch: u32) {
        if epoch == self.epoch {
            self.open = self.open.saturating_sub(n);
        }
    }

    /// The database died: every connection with it.
    pub fn crash(&mut self) {
        self.open = 0;
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// The report's entry; `None` if no client ever asked for a connection
    /// (a database used without pools reports as before).
    pub fn report(&self) -> Option<ConnectionsReport> {
        (self.opened + self.refused > 0).then_some(ConnectionsReport {
            limit: self.limit,
            peak: self.peak,
            open: self.open,
            opened: self.opened,
            refused: self.refused,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_max_minus_reserved_and_counts_it() {
        let mut b = ConnBook::new(5, 2, 1.0);
        assert!((0..3).all(|_| b.try_open()));
        assert!(!b.try_open() && !b.try_open());
        assert_eq!((b.open, b.peak, b.refused), (3, 3, 2));
        b.close(1, 0);
        assert!(b.try_open());
        b.crash();
        b.close(3, 0); // from before the crash: already gone
        assert_eq!((b.open, b.epoch), (0, 1));
    }
}
