//! Lists and searches are the heaviest reads: however many arrive at once,
//! only a few run at a time, so that they can never take every database
//! connection from the order pages, actions and sign-ins that need one.
//! The others wait their turn; a wait longer than [`LaneSettings::patience`]
//! answers "busy", which unlike an unreachable database stops nobody else.

use crate::server::error::{AppError, AppResult};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// A bounded number of concurrent heavy reads.
#[derive(Debug, Clone)]
pub struct ReadLane {
    permits: Arc<Semaphore>,
    patience: Duration,
}

impl ReadLane {
    /// At most `concurrency` (at least one) at a time; each waits at most
    /// `patience` for its turn.
    pub fn new(concurrency: u32, patience: Duration) -> ReadLane {
        ReadLane {
            permits: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            patience,
        }
    }

    /// Runs `read` when its turn comes: [`AppError::Busy`] if it does not
    /// come in time.
    pub async fn run<T>(&self, read: impl Future<Output = AppResult<T>>) -> AppResult<T> {
        let _turn = tokio::time::timeout(self.patience, self.permits.acquire())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Busy)?;
        read.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_at_most_its_concurrency_and_turns_away_after_its_patience() {
        let lane = ReadLane::new(1, Duration::from_millis(50));
        let (started, release) = tokio::sync::oneshot::channel::<()>();
        let (finish, finished) = tokio::sync::oneshot::channel::<()>();
        let holder = {
            let lane = lane.clone();
            tokio::spawn(async move {
                lane.run(async move {
                    let _ = started.send(());
                    let _ = finished.await;
                    Ok(())
                })
                .await
            })
        };
        release.await.expect("the first read started");
        let refused = lane.run(async { Ok(()) }).await;
        assert!(matches!(refused, Err(AppError::Busy)), "{refused:?}");
        let _ = finish.send(());
        holder.await.expect("joined").expect("the first read ran");
        assert!(lane.run(async { Ok(1) }).await.is_ok());
    }
}
