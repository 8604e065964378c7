//! Token-bucket rate limiting: `rate` tokens a second, at most `burst`
//! stored; a request without a token is answered 429 at once.

#[derive(Clone, Copy, Debug)]
pub struct TokenBucket {
    per_us: f64,
    burst: f64,
    tokens: f64,
    last_us: u64,
    pub retry_after_us: u32,
}

impl TokenBucket {
    pub fn new(rate_rps: f64, burst: f64, retry_after_ms: f64) -> TokenBucket {
        TokenBucket {
            per_us: rate_rps / 1e6,
            burst,
            tokens: burst,
            last_us: 0,
            retry_after_us: (retry_after_ms * 1e3).min(f64::from(u32::MAX)) as u32,
        }
    }

    pub fn try_take(&mut self, now_us: u64) -> bool {
        let dt = now_us.saturating_sub(self.last_us) as f64;
        self.tokens = (self.tokens + dt * self.per_us).min(self.burst);
        self.last_us = now_us;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_the_rate_after_the_burst() {
        let mut b = TokenBucket::new(100.0, 10.0, 0.0);
        // 1000 requests over one second at 1000/s: burst 10 + 100 refills.
        let passed = (0..1_000u64).filter(|i| b.try_take(i * 1_000)).count();
        assert!((108..=111).contains(&passed), "{passed}");
    }
}
