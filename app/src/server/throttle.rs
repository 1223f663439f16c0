//! Slowing down password guessing: failed sign-ins are counted per account
//! and per client address over a sliding window; past the limit, sign-in
//! answers 429 with the seconds to wait. Counts live in this process.

use std::collections::HashMap;
use std::sync::Mutex;

/// The window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60_000;
/// Failures one account may have in the window.
pub const PER_ACCOUNT: usize = 5;
/// Failures one address may have in the window, across accounts.
pub const PER_ADDRESS: usize = 20;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl LoginThrottle {
    fn keys(account: &str, address: Option<&str>) -> Vec<(String, usize)> {
        let mut keys = vec![(format!("account:{account}"), PER_ACCOUNT)];
        if let Some(address) = address {
            keys.push((format!("address:{address}"), PER_ADDRESS));
        }
        keys
    }

    /// `Err(seconds to wait)` when the account or the address is over its
    /// limit.
    pub fn check(&self, account: &str, address: Option<&str>, now: i64) -> Result<(), u64> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut wait_ms = 0;
        for (key, limit) in Self::keys(account, address) {
            if let Some(times) = failures.get_mut(&key) {
                times.retain(|at| *at > now - WINDOW_MS);
                if times.len() >= limit {
                    wait_ms = wait_ms.max(times[times.len() - limit] + WINDOW_MS - now);
                }
            }
        }
        if wait_ms > 0 {
            Err(u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000))
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, account: &str, address: Option<&str>, now: i64) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (key, _) in Self::keys(account, address) {
            failures.entry(key).or_default().push(now);
        }
        // Forget keys whose failures have all aged out, so the map stays small.
        failures.retain(|_, times| times.last().is_some_and(|at| *at > now - WINDOW_MS));
    }

    /// A successful sign-in clears the account's count (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_held_after_five_failures_for_the_rest_of_the_window() {
        let throttle = LoginThrottle::default();
        for minute in 0..5 {
            assert!(
                throttle
                    .check("ava", Some("1.2.3.4"), minute * 60_000)
                    .is_ok()
            );
            throttle.record_failure("ava", Some("1.2.3.4"), minute * 60_000);
        }
        assert_eq!(throttle.check("ava", Some("5.6.7.8"), 5 * 60_000), Err(600));
        assert!(throttle.check("ben", Some("5.6.7.8"), 5 * 60_000).is_ok());
        assert!(
            throttle.check("ava", None, 15 * 60_000 + 1).is_ok(),
            "the first failure aged out"
        );
        throttle.record_success("ava");
        assert!(throttle.check("ava", None, 5 * 60_000).is_ok());
    }

    #[test]
    fn an_address_is_held_after_twenty_failures_across_accounts() {
        let throttle = LoginThrottle::default();
        for n in 0..20 {
            throttle.record_failure(&format!("user{n}"), Some("9.9.9.9"), 1_000);
        }
        assert_eq!(throttle.check("someone", Some("9.9.9.9"), 1_000), Err(900));
        assert!(throttle.check("someone", Some("8.8.8.8"), 1_000).is_ok());
    }
}
