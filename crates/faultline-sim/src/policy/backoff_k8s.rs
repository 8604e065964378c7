//! Kubernetes' CrashLoopBackOff: how long the kubelet waits before it
//! restarts a container that exited.
//!
//! As the Kubernetes documentation ("Pod Lifecycle", container restarts)
//! describes it: the first restart is immediate, then the delay doubles from
//! 10 s (10 s, 20 s, 40 s, ...) and is capped at five minutes; once a
//! container has run for 10 minutes without a problem the back-off is reset.
//! Kept apart from the instances that use it so the schedule can be tested
//! on its own.

/// The first non-zero delay.
pub const INITIAL_US: u64 = 10_000_000;
/// The cap: five minutes.
pub const CAP_US: u64 = 300_000_000;
/// Running this long without exiting resets the back-off.
pub const RESET_AFTER_US: u64 = 600_000_000;

/// One container's restart back-off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrashLoop {
    /// Exits since the last reset.
    exits: u32,
}

impl CrashLoop {
    /// The container exited after running `ran_us`: the delay before the
    /// kubelet starts it again.
    pub fn on_exit(&mut self, ran_us: u64) -> u64 {
        if ran_us >= RESET_AFTER_US {
            self.exits = 0;
        }
        let delay = delay_after(self.exits);
        self.exits = self.exits.saturating_add(1);
        delay
    }

    /// Exits counted since the last reset.
    pub fn exits(&self) -> u32 {
        self.exits
    }
}

/// The delay before the restart that follows the `n`th exit since a reset
/// (counted from 0): 0, then 10 s doubling, capped at 300 s.
pub fn delay_after(n: u32) -> u64 {
    match n {
        0 => 0,
        n if n > 16 => CAP_US,
        n => (INITIAL_US << (n - 1)).min(CAP_US),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediate_then_ten_seconds_doubling_capped_at_five_minutes() {
        let mut c = CrashLoop::default();
        let delays: Vec<u64> = (0..9).map(|_| c.on_exit(1_000_000) / 1_000_000).collect();
        assert_eq!(delays, [0, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(delay_after(u32::MAX), CAP_US);
    }

    #[test]
    fn ten_minutes_of_running_resets_the_back_off() {
        let mut c = CrashLoop::default();
        for _ in 0..5 {
            c.on_exit(0);
        }
        assert_eq!(c.on_exit(RESET_AFTER_US - 1), 160_000_000, "just short of 10 min: no reset");
        assert_eq!(c.on_exit(RESET_AFTER_US), 0, "10 min running: back to an immediate restart");
        assert_eq!(c.on_exit(0), INITIAL_US);
    }
}
