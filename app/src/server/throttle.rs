//! Slowing down and stopping password guessing, without locking an
//! account's owner out. Failed sign-ins are counted over a sliding window:
//!
//! - **per account and address**: past [`PER_PAIR`] failures, that address
//!   may not try that account again until the oldest failure ages out
//!   (429). A guesser at one address is stopped.
//! - **per account**, across addresses, and **per address**, across
//!   accounts: past [`SLOW_AFTER_ACCOUNT`] or [`SLOW_AFTER_ADDRESS`]
//!   failures, one more attempt is let through per pause, the pause
//!   doubling with each failure up to [`MAX_PAUSE_MS`] (429 with the
//!   seconds left in between). A guesser spread over many addresses, or
//!   over many accounts, is slowed to a crawl, and no one is locked out
//!   for longer than a pause.
//!
//! An address where an account signed in lately is that account's own:
//! there the account's and the address's pauses do not apply (only the
//! pair's limit), so the owner gets in while others guess, even behind the
//! same NAT address. Counts live in this process.

use std::collections::HashMap;
use std::sync::Mutex;

/// The window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60_000;
/// Failures one address may have on one account in the window.
pub const PER_PAIR: usize = 5;
/// Failures of one account, from any address, before attempts are paused.
pub const SLOW_AFTER_ACCOUNT: usize = 5;
/// Failures from one address, on any account, before attempts are paused.
pub const SLOW_AFTER_ADDRESS: usize = 20;
/// The first pause; each further failure doubles it.
pub const FIRST_PAUSE_MS: i64 = 1_000;
/// The longest pause.
pub const MAX_PAUSE_MS: i64 = 60_000;
/// How long an address stays an account's own after a sign-in there.
pub const OWN_ADDRESS_MS: i64 = 30 * 24 * 3_600_000;
/// The most (account, address) pairs remembered as own; the oldest go first.
const MAX_OWN_ADDRESSES: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Failure times by key (see `Key`), oldest first.
    failures: HashMap<Key, Vec<i64>>,
    /// When each account last signed in at each address.
    own: HashMap<(String, String), i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, String),
    Account(String),
    Address(String),
}

impl State {
    /// Failures of `key` within the window before `now`.
    fn recent(&mut self, key: &Key, now: i64) -> &[i64] {
        match self.failures.get_mut(key) {
            Some(times) => {
                times.retain(|at| *at > now - WINDOW_MS);
                times
            }
            None => &[],
        }
    }

    fn is_own(&self, account: &str, address: &str, now: i64) -> bool {
        self.own
            .get(&(account.to_owned(), address.to_owned()))
            .is_some_and(|at| *at > now - OWN_ADDRESS_MS)
    }
}

/// Milliseconds until `failures` allow the next attempt: after `limit`
/// failures, one attempt per pause since the last one.
fn paused_for(failures: &[i64], limit: usize, now: i64) -> i64 {
    let Some(beyond) = failures.len().checked_sub(limit) else {
        return 0;
    };
    let doublings = u32::try_from(beyond).unwrap_or(u32::MAX).min(16);
    let pause = (FIRST_PAUSE_MS << doublings).min(MAX_PAUSE_MS);
    let last = failures.last().copied().unwrap_or(now);
    (last + pause - now).max(0)
}

impl LoginThrottle {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Err(seconds to wait)` when this address may not try this account
    /// now.
    pub fn check(&self, account: &str, address: Option<&str>, now: i64) -> Result<(), u64> {
        let mut state = self.state();
        let own = address.is_some_and(|address| state.is_own(account, address, now));
        let mut wait_ms = 0;
        if let Some(address) = address {
            let pair = state.recent(&Key::Pair(account.to_owned(), address.to_owned()), now);
            if pair.len() >= PER_PAIR {
                wait_ms = pair[pair.len() - PER_PAIR] + WINDOW_MS - now;
            }
            if !own {
                let by_address = state.recent(&Key::Address(address.to_owned()), now);
                wait_ms = wait_ms.max(paused_for(by_address, SLOW_AFTER_ADDRESS, now));
            }
        }
        if !own {
            let by_account = state.recent(&Key::Account(account.to_owned()), now);
            wait_ms = wait_ms.max(paused_for(by_account, SLOW_AFTER_ACCOUNT, now));
        }
        if wait_ms > 0 {
            Err(u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000))
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, account: &str, address: Option<&str>, now: i64) {
        let mut state = self.state();
        let mut keys = vec![Key::Account(account.to_owned())];
        if let Some(address) = address {
            keys.push(Key::Pair(account.to_owned(), address.to_owned()));
            keys.push(Key::Address(address.to_owned()));
        }
        for key in keys {
            state.failures.entry(key).or_default().push(now);
        }
        // Forget keys whose failures have all aged out, so the map stays small.
        state
            .failures
            .retain(|_, times| times.last().is_some_and(|at| *at > now - WINDOW_MS));
    }

    /// A sign-in clears the account's failures at this address and makes
    /// the address the account's own.
    pub fn record_success(&self, account: &str, address: Option<&str>, now: i64) {
        let mut state = self.state();
        let Some(address) = address else {
            return;
        };
        state
            .failures
            .remove(&Key::Pair(account.to_owned(), address.to_owned()));
        if state.own.len() >= MAX_OWN_ADDRESSES {
            state.own.retain(|_, at| *at > now - OWN_ADDRESS_MS);
            if state.own.len() >= MAX_OWN_ADDRESSES {
                let oldest = state
                    .own
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    state.own.remove(&oldest);
                }
            }
        }
        state
            .own
            .insert((account.to_owned(), address.to_owned()), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUESSER: Option<&str> = Some("6.6.6.6");
    const OWNER: Option<&str> = Some("1.2.3.4");

    #[test]
    fn a_guesser_at_one_address_is_stopped_for_the_window() {
        let throttle = LoginThrottle::default();
        for second in 0..5 {
            let now = second * 60_000;
            assert!(throttle.check("ava", GUESSER, now).is_ok(), "{second}");
            throttle.record_failure("ava", GUESSER, now);
        }
        // The pair is held until the first failure ages out.
        assert_eq!(throttle.check("ava", GUESSER, 5 * 60_000), Err(600));
        assert_eq!(throttle.check("ava", GUESSER, 10 * 60_000), Err(300));
        assert!(throttle.check("ava", GUESSER, 15 * 60_000 + 1).is_ok());
        // Another account from that address is not held.
        assert!(throttle.check("ben", GUESSER, 5 * 60_000).is_ok());
    }

    #[test]
    fn the_owner_gets_in_from_their_own_address_while_others_guess() {
        let throttle = LoginThrottle::default();
        throttle.record_success("ava", OWNER, 0);
        for n in 0..30 {
            let guesser = format!("6.6.6.{n}");
            throttle.record_failure("ava", Some(&guesser), 1_000);
        }
        assert!(throttle.check("ava", OWNER, 1_000).is_ok());
        assert!(throttle.check("ava", Some("7.7.7.7"), 1_000).is_err());
    }

    #[test]
    fn guesses_spread_over_addresses_are_paused_longer_each_time() {
        let throttle = LoginThrottle::default();
        let mut now = 0;
        let mut pauses = Vec::new();
        for n in 0..12 {
            let address = format!("6.6.6.{n}");
            // Each guess comes as soon as it is let through.
            if let Err(seconds) = throttle.check("ava", Some(&address), now) {
                pauses.push(seconds);
                now += i64::try_from(seconds).unwrap() * 1000;
            }
            assert!(throttle.check("ava", Some(&address), now).is_ok());
            throttle.record_failure("ava", Some(&address), now);
        }
        assert_eq!(pauses, vec![1, 2, 4, 8, 16, 32, 60]);
        // A new address (the owner travelling) waits one pause, no more.
        assert_eq!(throttle.check("ava", Some("1.1.1.1"), now), Err(60));
        assert!(throttle.check("ava", Some("1.1.1.1"), now + 60_000).is_ok());
    }

    #[test]
    fn a_busy_address_slows_down_but_its_own_accounts_still_get_in() {
        let throttle = LoginThrottle::default();
        throttle.record_success("root", Some("9.9.9.9"), 0);
        for n in 0..20 {
            throttle.record_failure(&format!("user{n}"), Some("9.9.9.9"), 1_000);
        }
        assert_eq!(throttle.check("someone", Some("9.9.9.9"), 1_000), Err(1));
        assert!(throttle.check("someone", Some("9.9.9.9"), 2_000).is_ok());
        assert!(throttle.check("root", Some("9.9.9.9"), 1_000).is_ok());
        assert!(throttle.check("someone", Some("8.8.8.8"), 1_000).is_ok());
    }

    #[test]
    fn own_addresses_are_forgotten_in_time() {
        let throttle = LoginThrottle::default();
        throttle.record_success("ava", OWNER, 0);
        let later = OWN_ADDRESS_MS + 1;
        for n in 0..6 {
            throttle.record_failure("ava", Some(&format!("6.6.6.{n}")), later);
        }
        assert!(throttle.check("ava", OWNER, later).is_err());
    }
}
