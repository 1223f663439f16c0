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
//! same NAT address.
//!
//! Failures and own addresses are kept in the database, so that every
//! instance of the portal counts the same. Checking and recording are not
//! one atomic step: a burst of parallel guesses may pass a limit by a few,
//! each of them paying for a password hash.

use crate::server::db::Db;
use crate::server::error::AppResult;
use sqlx::Row;

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
/// Milliseconds until the next attempt is let through, after `count`
/// failures (the newest at `last`) of which `limit` pass unpaused: one
/// attempt per pause since the last failure, the pause doubling with each.
fn paused_for(count: i64, last: Option<i64>, limit: usize, now: i64) -> i64 {
    let Some(beyond) = usize::try_from(count).unwrap_or(0).checked_sub(limit) else {
        return 0;
    };
    let doublings = u32::try_from(beyond).unwrap_or(u32::MAX).min(16);
    let pause = (FIRST_PAUSE_MS << doublings).min(MAX_PAUSE_MS);
    (last.unwrap_or(now) + pause - now).max(0)
}

/// The most failures worth counting for a pause: past this many, the
/// pause is at its longest anyway.
const COUNT_AT_MOST: i64 = (SLOW_AFTER_ADDRESS + 17) as i64;

/// How many failures match `filter` (bound to `key`) within the window,
/// up to [`COUNT_AT_MOST`], and when the newest was.
async fn recent_failures(
    db: &Db,
    filter: &str,
    key: &str,
    now: i64,
) -> AppResult<(i64, Option<i64>)> {
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS failures, MAX(failed_at) AS newest FROM ( \
             SELECT failed_at FROM login_failures WHERE {filter} = $1 AND failed_at > $2 \
             ORDER BY failed_at DESC LIMIT $3) AS recent"
    ))
    .bind(key)
    .bind(now - WINDOW_MS)
    .bind(COUNT_AT_MOST)
    .fetch_one(db)
    .await?;
    Ok((row.try_get("failures")?, row.try_get("newest")?))
}

/// Whether `account` signed in from `address` lately.
async fn is_own(db: &Db, account: &str, address: &str, now: i64) -> AppResult<bool> {
    Ok(sqlx::query(
        "SELECT 1 AS own FROM login_own_addresses \
         WHERE account = $1 AND address = $2 AND signed_in_at > $3",
    )
    .bind(account)
    .bind(address)
    .bind(now - OWN_ADDRESS_MS)
    .fetch_optional(db)
    .await?
    .is_some())
}

/// `Ok(Err(seconds to wait))` when this address may not try this account
/// now.
pub async fn check(
    db: &Db,
    account: &str,
    address: Option<&str>,
    now: i64,
) -> AppResult<Result<(), u64>> {
    let own = match address {
        Some(address) => is_own(db, account, address, now).await?,
        None => false,
    };
    let mut wait_ms = 0;
    if let Some(address) = address {
        // The pair is held until the oldest of its last PER_PAIR failures
        // ages out.
        let pair = sqlx::query(
            "SELECT failed_at FROM login_failures \
             WHERE account = $1 AND address = $2 AND failed_at > $3 \
             ORDER BY failed_at DESC LIMIT $4",
        )
        .bind(account)
        .bind(address)
        .bind(now - WINDOW_MS)
        .bind(PER_PAIR as i64)
        .fetch_all(db)
        .await?;
        if pair.len() >= PER_PAIR {
            let oldest: i64 = pair[PER_PAIR - 1].try_get("failed_at")?;
            wait_ms = oldest + WINDOW_MS - now;
        }
        if !own {
            let (count, last) = recent_failures(db, "address", address, now).await?;
            wait_ms = wait_ms.max(paused_for(count, last, SLOW_AFTER_ADDRESS, now));
        }
    }
    if !own {
        let (count, last) = recent_failures(db, "account", account, now).await?;
        wait_ms = wait_ms.max(paused_for(count, last, SLOW_AFTER_ACCOUNT, now));
    }
    Ok(if wait_ms > 0 {
        Err(u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000))
    } else {
        Ok(())
    })
}

/// Counts a failed sign-in of `account` from `address`.
pub async fn record_failure(
    db: &Db,
    account: &str,
    address: Option<&str>,
    now: i64,
) -> AppResult<()> {
    sqlx::query("INSERT INTO login_failures (account, address, failed_at) VALUES ($1, $2, $3)")
        .bind(account)
        .bind(address)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// A sign-in clears the account's failures at this address and makes
/// the address the account's own.
pub async fn record_success(
    db: &Db,
    account: &str,
    address: Option<&str>,
    now: i64,
) -> AppResult<()> {
    let Some(address) = address else {
        return Ok(());
    };
    sqlx::query("DELETE FROM login_failures WHERE account = $1 AND address = $2")
        .bind(account)
        .bind(address)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO login_own_addresses (account, address, signed_in_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account, address) DO UPDATE SET signed_in_at = excluded.signed_in_at",
    )
    .bind(account)
    .bind(address)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets failures that no longer count and own addresses not used for
/// [`OWN_ADDRESS_MS`].
pub async fn forget_old(db: &Db, now: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(now - WINDOW_MS)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM login_own_addresses WHERE signed_in_at <= $1")
        .bind(now - OWN_ADDRESS_MS)
        .execute(db)
        .await?;
    Ok(())
}
