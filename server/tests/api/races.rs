//! Concurrent requests on the same orders: one conditional write decides,
//! nothing is applied twice, nothing fails with a server error or a lock.
//! `RACE_ROUNDS` sets the number of rounds (default 200).

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

fn rounds() -> usize {
    std::env::var("RACE_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(200)
}

/// A racing request may win (200) or find the order already changed: 200
/// for a repeat of the same target, 409 otherwise. Never 5xx, never a lock.
fn assert_settled(who: &str, round: usize, status: StatusCode, body: &Value) {
    assert!(
        status == StatusCode::OK || status == StatusCode::CONFLICT,
        "round {round}, {who}: {status} {body}"
    );
    assert!(
        !body.to_string().to_lowercase().contains("locked"),
        "round {round}, {who}: {body}"
    );
}

/// The actors of the status events of an order since event `after`.
async fn status_changes_since(app: &TestApp, order_id: i64, after: i64) -> Vec<(i64, String)> {
    sqlx::query(
        "SELECT actor_id, to_status FROM order_events \
         WHERE order_id = $1 AND kind = 'status' AND id > $2 ORDER BY id",
    )
    .bind(order_id)
    .bind(after)
    .fetch_all(&app.state.db)
    .await
    .expect("events")
    .iter()
    .map(|row| (row.get("actor_id"), row.get("to_status")))
    .collect()
}

async fn last_event_id(app: &TestApp) -> i64 {
    app.scalar("SELECT COALESCE(MAX(id), 0) FROM order_events")
        .await
}

/// Puts a demo order back to pending without its refund, and returns the
/// last event id, after which the round's events follow.
async fn reset_to_pending(app: &TestApp, number: &str) -> i64 {
    let id = app.order_id(number).await;
    sqlx::query("DELETE FROM refunds WHERE order_id = $1")
        .bind(id)
        .execute(&app.state.db)
        .await
        .expect("reset refund");
    app.force_status(number, "pending").await;
    last_event_id(app).await
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.count("SELECT id FROM users WHERE email = $1", email)
        .await
}

on_both_databases!(
    customer_cancel_races_staff_cancel_with_one_winner,
    async |app: TestApp| {
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let ben_id = user_id(&app, "ben@acme.test").await;
        let sam_id = user_id(&app, "sam@fts.test").await;
        // Pending and paid: whoever cancels creates the one credit.
        let id = app.order_id("ORD-1002").await;
        let cancel = format!("/order/{id}/cancel");
        let transition = format!("/ordering/api/orders/{id}/transition");
        let mut wins = [0usize; 2];
        for round in 0..rounds() {
            let before = reset_to_pending(&app, "ORD-1002").await;
            let ((customer, customer_body), (staff, staff_body)) = tokio::join!(
                app.post_empty(&ben, &cancel),
                app.post_json(&sam, &transition, json!({"to": "cancelled"})),
            );
            assert_settled("customer", round, customer, &customer_body);
            assert_settled("staff", round, staff, &staff_body);

            let changes = status_changes_since(&app, id, before).await;
            assert_eq!(changes.len(), 1, "round {round}: one event, {changes:?}");
            let (winner, to) = &changes[0];
            assert_eq!(to, "cancelled");
            assert!(*winner == ben_id || *winner == sam_id, "round {round}");
            wins[usize::from(*winner == sam_id)] += 1;
            assert_eq!(app.status_of("ORD-1002").await, "cancelled");
            assert_eq!(
                app.refunds("ORD-1002").await,
                1,
                "round {round}: one credit"
            );
        }
        eprintln!(
            "{} rounds: customer won {}, staff won {}",
            rounds(),
            wins[0],
            wins[1]
        );
    }
);

on_both_databases!(
    customer_submit_races_staff_cancel_without_a_lost_update,
    async |app: TestApp| {
        // Submit (pending → submitted) and a staff cancel both apply when
        // the submit goes first; when the cancel goes first the submit is
        // refused. Either way every event follows from the one before it.
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1002").await;
        let submit = format!("/order/{id}/submit-for-processing");
        let transition = format!("/ordering/api/orders/{id}/transition");
        for round in 0..rounds() / 4 {
            let before = reset_to_pending(&app, "ORD-1002").await;
            let ((customer, customer_body), (staff, staff_body)) = tokio::join!(
                app.post_empty(&ben, &submit),
                app.post_json(&sam, &transition, json!({"to": "cancelled"})),
            );
            assert_settled("customer", round, customer, &customer_body);
            assert_eq!(staff, StatusCode::OK, "round {round}: {staff_body}");
            let changes: Vec<String> = status_changes_since(&app, id, before)
                .await
                .into_iter()
                .map(|(_, to)| to)
                .collect();
            let expected: &[&str] = if customer == StatusCode::OK {
                &["submitted", "cancelled"]
            } else {
                &["cancelled"]
            };
            assert_eq!(changes, expected, "round {round}");
            assert_eq!(app.status_of("ORD-1002").await, "cancelled");
        }
    }
);

on_both_databases!(
    overlapping_batches_in_opposite_order_finish_consistently,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let numbers = ["ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005"];
        let mut ids = Vec::new();
        for number in numbers {
            ids.push(app.order_id(number).await);
        }
        let reversed: Vec<i64> = ids.iter().rev().copied().collect();
        for round in 0..rounds() / 10 {
            let mut before = 0;
            for number in numbers {
                before = reset_to_pending(&app, number).await;
            }
            let ((customer, customer_body), (staff, staff_body)) = tokio::join!(
                app.post_json(&ava, "/orders/cancel-multiple", json!({"order_ids": ids})),
                app.post_json(
                    &sam,
                    "/ordering/api/orders/transition",
                    json!({"order_ids": reversed, "to": "cancelled"})
                ),
            );
            assert_eq!(customer, StatusCode::OK, "round {round}: {customer_body}");
            assert_eq!(staff, StatusCode::OK, "round {round}: {staff_body}");
            for body in [&customer_body, &staff_body] {
                assert_eq!(body["succeeded"], numbers.len(), "round {round}: {body}");
                for result in body["results"].as_array().expect("results") {
                    assert_eq!(result["status"], "cancelled", "round {round}: {body}");
                }
            }
            for (number, id) in numbers.iter().zip(&ids) {
                assert_eq!(app.status_of(number).await, "cancelled");
                assert_eq!(
                    status_changes_since(&app, *id, before).await.len(),
                    1,
                    "round {round}: {number} changed once"
                );
            }
        }
    }
);

on_both_databases!(
    notes_and_uploads_never_land_after_a_cancel,
    async |app: TestApp| {
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1002").await;
        let notes = format!("/ordering/api/orders/{id}/notes");
        let transition = format!("/ordering/api/orders/{id}/transition");
        const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";
        let mut landed = [0usize; 2];
        for round in 0..rounds() {
            let before = reset_to_pending(&app, "ORD-1002").await;
            let ((note, note_body), (upload, upload_body), (cancel, cancel_body)) = tokio::join!(
                app.post_json(&ben, &notes, json!({"body": format!("Round {round}")})),
                app.upload(&ben, id, &[("a.pdf", PDF)], None),
                app.post_json(&sam, &transition, json!({"to": "cancelled"})),
            );
            assert_eq!(cancel, StatusCode::OK, "round {round}: {cancel_body}");
            for (what, status, body) in
                [("note", note, &note_body), ("upload", upload, &upload_body)]
            {
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::CONFLICT,
                    "round {round}, {what}: {status} {body}"
                );
            }
            landed[0] += usize::from(note == StatusCode::CREATED);
            landed[1] += usize::from(upload == StatusCode::CREATED);
            // The history: whatever landed came before the cancel.
            let kinds: Vec<String> = sqlx::query(
                "SELECT kind FROM order_events WHERE order_id = $1 AND id > $2 ORDER BY id",
            )
            .bind(id)
            .bind(before)
            .fetch_all(&app.state.db)
            .await
            .expect("events")
            .iter()
            .map(|row| row.get("kind"))
            .collect();
            let cancelled_at = kinds
                .iter()
                .position(|kind| kind == "status")
                .expect("the cancel");
            assert_eq!(
                kinds.len(),
                cancelled_at + 1,
                "round {round}: nothing after the cancel: {kinds:?}"
            );
            let expected = 1
                + usize::from(note == StatusCode::CREATED)
                + usize::from(upload == StatusCode::CREATED);
            assert_eq!(kinds.len(), expected, "round {round}: {kinds:?}");
        }
        eprintln!(
            "{} rounds: notes landed {} times, uploads {} times, before the cancel",
            rounds(),
            landed[0],
            landed[1]
        );
    }
);
