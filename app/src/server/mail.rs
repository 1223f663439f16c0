//! E-mail for notifications, when `SMTP_URL` is set. Notifications are the
//! outbox: a worker claims unsent ones with a conditional write (so several
//! instances never send one twice), sends them, and retries failures with
//! growing pauses.

use crate::server::db::{Db, now_ms};
use crate::server::error::{AppError, AppResult};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::Row;
use std::time::Duration;

/// Attempts before a notification's e-mail is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// Notifications older than this are not e-mailed any more.
const MAX_AGE_MS: i64 = 24 * 3_600_000;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where links in e-mails point, e.g. `https://portal.example.com`.
    public_url: String,
}

impl Mailer {
    /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS) or
    /// `smtps://host` (TLS), with optional `user:password@`.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> anyhow::Result<Mailer> {
        Ok(Mailer {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?
                .timeout(Some(Duration::from_secs(10)))
                .build(),
            from: from.parse()?,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Notifications whose e-mail waits to be sent: not sent, not given up,
    /// and young enough to be sent (retries waiting for their turn count).
    pub async fn backlog(db: &Db) -> AppResult<i64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications \
             WHERE emailed_at IS NULL AND email_attempts < $1 AND created_at >= $2",
        )
        .bind(MAX_ATTEMPTS)
        .bind(now_ms() - MAX_AGE_MS)
        .fetch_one(db)
        .await?;
        Ok(count)
    }

    /// Sends what is due; returns how many messages went out.
    pub async fn deliver_pending(&self, db: &Db) -> AppResult<usize> {
        let now = now_ms();
        let due = sqlx::query(
            "SELECT n.id, n.message, n.order_id, n.email_attempts, u.email, u.name \
             FROM notifications n JOIN users u ON u.id = n.recipient_id \
             WHERE n.emailed_at IS NULL AND n.email_attempts < $1 \
               AND (n.email_next_at IS NULL OR n.email_next_at <= $2) \
               AND n.created_at >= $3 AND u.disabled = 0 \
             ORDER BY n.id LIMIT 50",
        )
        .bind(MAX_ATTEMPTS)
        .bind(now)
        .bind(now - MAX_AGE_MS)
        .fetch_all(db)
        .await?;
        let mut sent = 0;
        for row in due {
            let id: i64 = row.try_get("id")?;
            let attempts: i64 = row.try_get("email_attempts")?;
            // Claimed by whoever moves the attempt counter first.
            let claimed = sqlx::query(
                "UPDATE notifications SET email_attempts = email_attempts + 1, email_next_at = $1 \
                 WHERE id = $2 AND email_attempts = $3 AND emailed_at IS NULL",
            )
            .bind(now + backoff_ms(attempts))
            .bind(id)
            .bind(attempts)
            .execute(db)
            .await?
            .rows_affected();
            if claimed == 0 {
                continue;
            }
            let outcome = self
                .send(
                    row.try_get("email")?,
                    row.try_get("name")?,
                    row.try_get("message")?,
                    row.try_get("order_id")?,
                )
                .await;
            match outcome {
                Ok(()) => {
                    sqlx::query("UPDATE notifications SET emailed_at = $1, email_error = NULL WHERE id = $2")
                        .bind(now_ms())
                        .bind(id)
                        .execute(db)
                        .await?;
                    sent += 1;
                }
                Err(error) => {
                    tracing::warn!(notification = id, %error, "e-mail not sent");
                    sqlx::query("UPDATE notifications SET email_error = $1 WHERE id = $2")
                        .bind(error.to_string())
                        .bind(id)
                        .execute(db)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(
        &self,
        email: String,
        name: String,
        text: String,
        order_id: Option<i64>,
    ) -> AppResult<()> {
        let to = Mailbox::new(
            Some(name),
            email
                .parse()
                .map_err(|error| AppError::Internal(format!("{error}")))?,
        );
        let link = order_id
            .map(|id| format!("\n\nOpen the order: {}/order/{id}\n", self.public_url))
            .unwrap_or_default();
        let subject: String = text.chars().take(120).collect();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("Ordering Portal: {subject}"))
            .body(format!("{text}{link}"))
            .map_err(|error| AppError::Internal(format!("building an e-mail: {error}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|error| AppError::Internal(format!("sending an e-mail: {error}")))?;
        Ok(())
    }

    /// Sends what is due every few seconds, for as long as the process runs.
    pub fn spawn(self, db: Db) {
        tokio::spawn(async move {
            loop {
                if let Err(error) = self.deliver_pending(&db).await {
                    tracing::warn!(error = %error.public_message(), "e-mail delivery round failed");
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
    }
}

/// 30 s, 1 min, 2 min, … up to an hour.
fn backoff_ms(attempts: i64) -> i64 {
    (30_000_i64 << attempts.clamp(0, 7)).min(3_600_000)
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(4), 480_000);
        assert_eq!(backoff_ms(10), 3_600_000);
    }
}
