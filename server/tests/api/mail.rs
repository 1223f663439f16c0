use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A minimal SMTP server on a free port that accepts every message and
/// hands over its text.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("DATA") {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        let mut message = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            message.push_str(&line);
                            message.push('\n');
                        }
                        let _ = sender.send(message);
                        b"250 queued\r\n"
                    } else if command.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, receiver)
}

/// Ava resubmits ORD-1007 (on hold) with a note: its watchers are notified.
pub(crate) async fn resubmit_ord_1007(app: &TestApp) -> i64 {
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1007").await;
    let (status, _) = app
        .post_json(
            &ava,
            &format!("/order/{id}/submit-for-processing"),
            json!({"note": "Signed form attached."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    id
}

on_both_databases!(
    notifications_are_emailed_once_when_smtp_is_configured,
    async |_app: TestApp| {
        let (port, mut inbox) = smtp_sink().await;
        let app = spawn_app_with(_app.engine(), |config| {
            config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))
        })
        .await;
        let id = resubmit_ord_1007(&app).await;
        let mut messages = Vec::new();
        while messages.len() < 2 {
            let message = tokio::time::timeout(Duration::from_secs(15), inbox.recv())
                .await
                .expect("an e-mail within 15 s")
                .unwrap();
            messages.push(message);
        }
        let all = messages.join("\n---\n");
        assert!(
            all.contains("sam@fts.test") && all.contains("root@fts.test"),
            "{all}"
        );
        assert!(
            all.contains("Subject: Ordering Portal: ORD-1007 was resubmitted by Ava Adams."),
            "{all}"
        );
        assert!(
            all.contains(&format!("https://portal.fts.test/order/{id}")),
            "{all}"
        );
        assert!(
            all.contains("From: \"Ordering Portal\" <portal@fts.test>")
                || all.contains("From: Ordering Portal <portal@fts.test>"),
            "{all}"
        );
        // Once each: nothing more arrives, and the rows say so.
        assert!(
            tokio::time::timeout(Duration::from_secs(5), inbox.recv())
                .await
                .is_err(),
            "no second e-mail"
        );
        let unsent = app
            .count(
                "SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id \
             WHERE o.number = $1 AND n.emailed_at IS NULL",
                "ORD-1007",
            )
            .await;
        assert_eq!(unsent, 0);
    }
);

on_both_databases!(
    a_refused_email_is_kept_for_a_retry,
    async |_app: TestApp| {
        // A port with nothing listening: every attempt fails.
        let closed = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let app = spawn_app_with(_app.engine(), |config| {
            config.smtp_url = Some(format!("smtp://127.0.0.1:{closed}"))
        })
        .await;
        resubmit_ord_1007(&app).await;
        let failed_sql = "SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id \
                      WHERE o.number = $1 AND n.email_attempts = 1 AND n.email_error IS NOT NULL \
                      AND n.emailed_at IS NULL AND n.email_next_at IS NOT NULL";
        for _ in 0..50 {
            if app.count(failed_sql, "ORD-1007").await == 2 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the failed attempts were not recorded for a retry");
    }
);
