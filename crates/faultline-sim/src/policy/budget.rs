//! Retry budget: retries spend tokens that only successes earn.
//!
//! Why a budget and not just a maximum number of attempts: max attempts
//! bounds retries per call, but when a dependency fails every call retries,
//! and the load multiplies (attempts^depth across layers). A token bucket
//! where each success deposits 0.1 and each retry costs 1 caps retries near
//! 10% of calls during a sustained failure, while still letting occasional
//! transient failures be retried freely.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BudgetConfig {
    /// Tokens a success deposits.
    pub deposit: f64,
    /// Tokens a retry costs.
    pub cost: f64,
    /// Most tokens the bucket holds (and holds at the start).
    pub max_tokens: f64,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig { deposit: 0.1, cost: 1.0, max_tokens: 10.0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBudget {
    cfg: BudgetConfig,
    tokens: f64,
}

impl RetryBudget {
    pub fn new(cfg: BudgetConfig) -> RetryBudget {
        RetryBudget { cfg, tokens: cfg.max_tokens }
    }

    pub fn on_success(&mut self) {
        self.tokens = (self.tokens + self.cfg.deposit).min(self.cfg.max_tokens);
    }

    /// Takes the cost of one retry if the bucket has it.
    pub fn try_spend(&mut self) -> bool {
        // A small tolerance so ten deposits of 0.1 pay for one retry of 1.
        if self.tokens + 1e-9 >= self.cfg.cost {
            self.tokens -= self.cfg.cost;
            true
        } else {
            false
        }
    }

    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stay_within_a_tenth_of_successes() {
        // 30% of calls fail and every failure wants a retry (which also fails).
        let mut b = RetryBudget::new(BudgetConfig::default());
        let (mut successes, mut retries) = (0u32, 0u32);
        for i in 0..100_000u32 {
            if i % 10 < 3 {
                if b.try_spend() {
                    retries += 1;
                }
            } else {
                successes += 1;
                b.on_success();
            }
        }
        assert!(f64::from(retries) <= 0.1 * f64::from(successes) + 10.0, "{retries} retries, {successes} ok");
        assert!(f64::from(retries) >= 0.1 * f64::from(successes) - 10.0, "the budget is used, not hoarded");
    }

    #[test]
    fn when_everything_fails_only_the_initial_tokens_are_spent() {
        let mut b = RetryBudget::new(BudgetConfig::default());
        assert_eq!((0..1_000).filter(|_| b.try_spend()).count(), 10);
    }

    #[test]
    fn starts_full_and_empties() {
        let mut b = RetryBudget::new(BudgetConfig { max_tokens: 2.0, ..Default::default() });
        assert!(b.try_spend() && b.try_spend() && !b.try_spend());
        for _ in 0..10 {
            b.on_success();
        }
        assert!(b.try_spend());
    }
}
