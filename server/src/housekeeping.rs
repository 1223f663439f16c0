//! Clean-up that runs at start and then every hour: files that uploads
//! cut short by a crash left behind; expired idempotency keys, old live
//! events and sign-in failures that no longer count forgotten.
//! Beside it, in the background from start on, orders submitted before the
//! service-level clock existed are given theirs, and the query planner's
//! and the search's statistics are refreshed.

use app::server::services::{attachments, idempotency, search, sla};
use app::server::state::AppState;
use app::server::{db, live, throttle};
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(3600);

/// One round of clean-up; failures are logged and left for the next round.
pub async fn run_once(state: &AppState, file_grace: Duration) {
    let grace_ms = i64::try_from(file_grace.as_millis()).unwrap_or(i64::MAX);
    match attachments::reconcile(&state.db, &state.storage, grace_ms).await {
        Ok(0) => {}
        Ok(files) => tracing::warn!(files, "removed files that interrupted uploads left behind"),
        Err(error) => tracing::error!(%error, "file clean-up failed"),
    }
    if let Err(error) = idempotency::purge_expired(&state.db).await {
        tracing::error!(%error, "forgetting expired idempotency keys failed");
    }
    if let Err(error) = live::prune(&state.db, db::now_ms()).await {
        tracing::error!(%error, "forgetting old live events failed");
    }
    if let Err(error) = throttle::forget_old(&state.db, db::now_ms()).await {
        tracing::error!(%error, "forgetting old sign-in failures failed");
    }
}

/// The planner's and the search's statistics, counted again; failures are
/// logged and left for the next round. The search's trigrams are counted
/// only when their counts are an interval old: not at every start, nor by
/// every instance.
async fn refresh_statistics(state: &AppState) {
    if let Err(error) = db::refresh_planner_statistics(&state.db).await {
        tracing::error!(%error, "refreshing the planner's statistics failed");
    }
    let every = i64::try_from(EVERY.as_millis()).unwrap_or(i64::MAX);
    let recount = match search::trigram_docs_counted_at(&state.db).await {
        Ok(counted_at) => search::trigram_docs_due(counted_at, db::now_ms(), every),
        Err(error) => {
            tracing::error!(%error, "reading when the search's trigrams were counted failed");
            true
        }
    };
    if recount && let Err(error) = search::refresh_trigram_docs(&state.db).await {
        tracing::error!(%error, "counting the search's trigrams failed");
    }
}

/// Service-level clocks for the orders submitted before the clock existed:
/// once after an upgrade (a million orders take minutes, so not before
/// the server answers), then a single indexed look that finds none.
async fn backfill_clocks(state: &AppState) {
    match sla::backfill(&state.db).await {
        Ok(0) => {}
        Ok(orders) => tracing::info!(orders, "gave submitted orders their service-level clock"),
        Err(error) => tracing::error!(%error, "giving orders their service-level clock failed"),
    }
}

/// Gives old orders their clocks and refreshes the statistics now, then
/// runs `run_once` and refreshes them every hour. The first refresh is not
/// part of start-up: counting the search's trigrams reads the whole search
/// index (3 s at a million orders), and searches only run slower until it
/// is done.
pub fn spawn(state: AppState, file_grace: Duration) {
    tokio::spawn(async move {
        backfill_clocks(&state).await;
        refresh_statistics(&state).await;
        let mut ticks = tokio::time::interval(EVERY);
        // The first tick is immediate and start-up has just cleaned up.
        ticks.tick().await;
        loop {
            ticks.tick().await;
            run_once(&state, file_grace).await;
            refresh_statistics(&state).await;
        }
    });
}
