//! Instance-time: how many instances a service had, integrated over time,
//! which is what a cloud bills (instance-seconds x price per instance-hour).
//!
//! A step function integrated exactly: the count is set whenever it may
//! have changed and the area grows by the old count times the time since.
//! Integer microseconds, so the total is the same however the run is cut
//! into steps. The autoscaler uses the same to average utilisation over the
//! time instances were ready.

/// The integral of a count that changes in steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Integral {
    /// Count-microseconds up to `since_us`.
    area: u64,
    value: u32,
    since_us: u64,
}

impl Integral {
    pub fn new(value: u32) -> Integral {
        Integral { area: 0, value, since_us: 0 }
    }

    /// The count is `value` from `now_us` on.
    pub fn set(&mut self, now_us: u64, value: u32) {
        self.area = self.area_at(now_us);
        self.value = value;
        self.since_us = now_us.max(self.since_us);
    }

    pub fn value(&self) -> u32 {
        self.value
    }

    /// Count-microseconds from the start to `now_us`.
    pub fn area_at(&self, now_us: u64) -> u64 {
        self.area + now_us.saturating_sub(self.since_us) * u64::from(self.value)
    }
}

/// Instance-seconds to `now_us` and their cost at `price` per instance-hour.
pub fn cost(bill: &Integral, now_us: u64, price: f64) -> (f64, f64) {
    let seconds = bill.area_at(now_us) as f64 / 1e6;
    (seconds, seconds / 3_600.0 * price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_function_integrates_exactly() {
        let mut i = Integral::new(2);
        i.set(1_000_000, 5); // 2 for 1 s
        i.set(3_000_000, 1); // 5 for 2 s
        assert_eq!(i.area_at(4_000_000), 2_000_000 + 10_000_000 + 1_000_000);
        // Setting the same value again at any time changes nothing.
        let mut j = i;
        j.set(3_500_000, 1);
        assert_eq!(j.area_at(4_000_000), i.area_at(4_000_000));
        let (s, c) = cost(&i, 4_000_000, 0.36);
        assert_eq!(s, 13.0);
        assert!((c - 13.0 * 0.0001).abs() < 1e-15);
    }
}
