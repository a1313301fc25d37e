//! Backoff for retryable connector errors.

use std::time::Duration;

/// Exponential backoff with a cap. `max_attempts: None` retries forever,
/// which is what a 24x7 sync wants for a target that is restarting.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
    pub max_attempts: Option<u32>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
            max_attempts: None,
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `attempt` (1-based), or `None` when attempts are exhausted.
    pub fn delay(&self, attempt: u32) -> Option<Duration> {
        if self.max_attempts.is_some_and(|m| attempt > m) {
            return None;
        }
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1).min(20))
            .unwrap_or(u32::MAX);
        Some(self.initial.saturating_mul(factor).min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_stops() {
        let p = RetryPolicy {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(50),
            max_attempts: Some(4),
        };
        let d: Vec<_> = (1..=5).map(|a| p.delay(a)).collect();
        assert_eq!(
            d,
            vec![
                Some(Duration::from_millis(10)),
                Some(Duration::from_millis(20)),
                Some(Duration::from_millis(40)),
                Some(Duration::from_millis(50)),
                None
            ]
        );
    }
}
