use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The expected outcome of cancel for each status: the status afterwards, or
/// `None` for a refusal (409).
fn after_cancel(status: &str) -> Option<&'static str> {
    match status {
        "unprocessed" | "pending" | "cancelled" => Some("cancelled"),
        _ => None,
    }
}

/// The expected outcome of submit-for-processing with a note.
fn after_submit(status: &str) -> Option<&'static str> {
    match status {
        "unprocessed" => Some("pending"),
        "pending" | "submitted" => Some("submitted"),
        "on_hold" | "rejected" | "resubmitted" => Some("resubmitted"),
        _ => None,
    }
}

on_both_databases!(
    every_status_by_every_customer_action,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1001").await;
        for status in STATUSES {
            for (action, expected) in [
                ("cancel", after_cancel(status)),
                ("submit-for-processing", after_submit(status)),
            ] {
                app.force_status("ORD-1001", status).await;
                let events = app.status_events("ORD-1001").await;
                let path = format!("/order/{id}/{action}");
                let (code, body) = if action == "cancel" {
                    app.post_empty(&ava, &path).await
                } else {
                    app.post_json(&ava, &path, json!({"note": "Corrected the parcel number."}))
                        .await
                };
                match expected {
                    Some(after) => {
                        assert_eq!(code, StatusCode::OK, "{action} on {status}: {body}");
                        assert_eq!(body["status"], after, "{action} on {status}");
                        assert_eq!(app.status_of("ORD-1001").await, after);
                        let changed = i64::from(after != status);
                        assert_eq!(
                            app.status_events("ORD-1001").await,
                            events + changed,
                            "{action} on {status}"
                        );
                    }
                    None => {
                        assert_eq!(code, StatusCode::CONFLICT, "{action} on {status}: {body}");
                        assert_eq!(error_code(&body), "invalid_status");
                        assert_eq!(body["error"]["status"], status);
                        let label = body["error"]["message"].as_str().unwrap().to_lowercase();
                        assert!(label.contains(&status.replace('_', " ")), "{label}");
                        assert_eq!(app.status_of("ORD-1001").await, status, "unchanged");
                        assert_eq!(app.status_events("ORD-1001").await, events);
                    }
                }
            }
        }
    }
);

on_both_databases!(
    every_status_by_note_upload_and_download,
    async |app: TestApp| {
        const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1001").await;
        // Staff may attach at any status: a document to try downloading.
        let (status, stored) = app.upload(&sam, id, &[("deed.pdf", PDF)], None).await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        let attachment = stored[0]["id"].as_i64().unwrap();
        for status in STATUSES {
            app.force_status("ORD-1001", status).await;
            let note_allowed = status != "cancelled";
            let upload_allowed = matches!(
                status,
                "unprocessed" | "pending" | "submitted" | "resubmitted" | "on_hold" | "rejected"
            );
            let download_allowed = matches!(status, "received" | "complete");

            let (code, body) = app
                .post_json(
                    &ava,
                    &format!("/ordering/api/orders/{id}/notes"),
                    json!({"body": "A note."}),
                )
                .await;
            let expected = if note_allowed {
                StatusCode::CREATED
            } else {
                StatusCode::CONFLICT
            };
            assert_eq!(code, expected, "note on {status}: {body}");

            let (code, body) = app.upload(&ava, id, &[("more.pdf", PDF)], None).await;
            let expected = if upload_allowed {
                StatusCode::CREATED
            } else {
                StatusCode::CONFLICT
            };
            assert_eq!(code, expected, "upload on {status}: {body}");

            let response = ava
                .get(app.url(&format!("/attachment/{attachment}/download")))
                .send()
                .await
                .unwrap();
            let expected = if download_allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "download on {status}");
            assert_eq!(
                app.status_of("ORD-1001").await,
                status,
                "nothing changes the status"
            );
        }
    }
);

on_both_databases!(cancel_creates_one_credit_or_refund, async |app: TestApp| {
    // Acme bills to an account: a credit.
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1002").await;
    let (status, order) = app.post_empty(&ava, &format!("/order/{id}/cancel")).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "cancelled");
    assert_eq!(
        order["refund"],
        json!({"kind": "account_credit", "amount_cents": 12_500, "state": "credited"})
    );
    assert_eq!(order["allowed_actions"], json!([]));
    // A repeat succeeds with no second effect.
    let (status, again) = app.post_empty(&ava, &format!("/order/{id}/cancel")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "cancelled");
    assert_eq!(app.refunds("ORD-1002").await, 1);
    assert_eq!(
        app.status_events("ORD-1002").await,
        3,
        "created, pending, cancelled"
    );
    assert_eq!(
        app.notifications("ORD-1002").await,
        2,
        "one per staff user, once"
    );

    // An unpaid order: no refund at all.
    let unpaid = app.order_id("ORD-1004").await;
    let (_, order) = app
        .post_empty(&ava, &format!("/order/{unpaid}/cancel"))
        .await;
    assert_eq!(order["refund"], Value::Null);
    assert_eq!(app.refunds("ORD-1004").await, 0);

    // Birch has cancelling turned off: refused, nothing changed.
    let cleo = app.login("cleo@birch.test").await;
    let birch = app.order_id("ORD-2002").await;
    let (status, body) = app
        .post_empty(&cleo, &format!("/order/{birch}/cancel"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    assert_eq!(app.status_of("ORD-2002").await, "pending");
    let (status, _) = app
        .post_json(
            &cleo,
            "/orders/cancel-multiple",
            json!({"order_ids": [birch]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.status_of("ORD-2002").await, "pending");

    // With the flag on, Birch (no account billing) gets a pending refund.
    sqlx::query("UPDATE companies SET enable_cancel_order = 1 WHERE name = 'Birch Legal'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let (status, order) = app
        .post_empty(&cleo, &format!("/order/{birch}/cancel"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        order["refund"],
        json!({"kind": "pending_refund", "amount_cents": 11_000, "state": "pending"})
    );
});

on_both_databases!(
    customers_act_only_on_orders_they_may_see,
    async |app: TestApp| {
        let ben = app.login("ben@acme.test").await;
        let avas = app.order_id("ORD-1001").await;
        let (status, foreign) = app.post_empty(&ben, &format!("/order/{avas}/cancel")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, missing) = app.post_empty(&ben, "/order/999999/cancel").await;
        assert_eq!(foreign, missing);
        assert_eq!(app.status_of("ORD-1001").await, "unprocessed");
        let (status, _) = app
            .post_empty(
                &ben,
                &format!("/order/{}/cancel", app.order_id("ORD-1002").await),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let ava = app.login("ava@acme.test").await;
        let birch = app.order_id("ORD-2001").await;
        for path in [
            format!("/order/{birch}/cancel"),
            format!("/order/{birch}/submit-for-processing"),
        ] {
            let (status, body) = app.post_empty(&ava, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(body, missing);
        }
        assert_eq!(app.status_of("ORD-2001").await, "unprocessed");

        // Staff do not submit for the customer.
        let sam = app.login("sam@fts.test").await;
        let (status, _) = app
            .post_empty(&sam, &format!("/order/{birch}/submit-for-processing"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.status_of("ORD-2001").await, "unprocessed");

        let anonymous = app.anonymous();
        let (status, body) = app
            .post_empty(&anonymous, &format!("/order/{birch}/cancel"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(&body), "unauthorized");
    }
);

on_both_databases!(batch_cancel_reports_each_order, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let cancellable = app.order_id("ORD-1003").await;
    let already = app.order_id("ORD-1014").await;
    let submitted = app.order_id("ORD-1006").await;
    let foreign = app.order_id("ORD-2003").await;
    let before: Vec<String> = futures_statuses(&app).await;
    let (status, body) = app
        .post_json(
            &ava,
            "/orders/cancel-multiple",
            json!({"order_ids": [cancellable, already, submitted, foreign, 999_999, cancellable]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["succeeded"], 2);
    assert_eq!(body["failed"], 3);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "duplicates are answered once");
    assert_eq!(
        results[0],
        json!({"order_id": cancellable, "ok": true, "status": "cancelled"})
    );
    assert_eq!(
        results[1],
        json!({"order_id": already, "ok": true, "status": "cancelled"})
    );
    assert_eq!(results[2]["ok"], false);
    assert_eq!(results[2]["status"], "submitted");
    assert_eq!(results[2]["error"]["code"], "invalid_status");
    assert_eq!(results[3]["error"]["code"], "not_found");
    assert_eq!(results[4]["error"]["code"], "not_found");
    assert_eq!(
        results[3]["error"], results[4]["error"],
        "foreign looks like unknown"
    );
    assert!(results[3].get("status").is_none());
    // Exactly one order changed.
    let after = futures_statuses(&app).await;
    let changed: Vec<usize> = (0..before.len())
        .filter(|i| before[*i] != after[*i])
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(app.status_of("ORD-1003").await, "cancelled");
    assert_eq!(app.refunds("ORD-1003").await, 1);

    for bad in [
        json!({"order_ids": []}),
        json!({"order_ids": (0..101).collect::<Vec<_>>()}),
    ] {
        let (status, body) = app.post_json(&ava, "/orders/cancel-multiple", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        error_code(&body);
    }
    let (status, _) = app
        .post_json(&ava, "/orders/cancel-multiple", json!({"order_ids": ["x"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});

/// Every order's status, in id order.
async fn futures_statuses(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    sqlx::query("SELECT status FROM orders ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("status"))
        .collect()
}

on_both_databases!(
    resubmit_needs_a_correction_and_notifies_staff_once,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let held = app.order_id("ORD-1007").await;
        let (status, body) = app
            .post_empty(&ava, &format!("/order/{held}/submit-for-processing"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(app.status_of("ORD-1007").await, "on_hold");

        let (status, order) = app
            .post_json(
                &ava,
                &format!("/order/{held}/submit-for-processing"),
                json!({"note": "Uploaded the signed form."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["status"], "resubmitted");
        assert_eq!(order["hold_reason"], Value::Null, "the reason is answered");
        // Property Survey takes 10 business days from today.
        let expected = order["expected_date"].as_str().unwrap().to_owned();
        assert!(expected > time_today(), "{expected}");
        assert_eq!(app.notifications("ORD-1007").await, 2);
        let (status, _) = app
            .post_json(
                &ava,
                &format!("/order/{held}/submit-for-processing"),
                json!({"note": "Again."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            app.notifications("ORD-1007").await,
            2,
            "no second notification"
        );

        // A note added before resubmitting counts as the correction.
        let rejected = app.order_id("ORD-1008").await;
        let ben = app.login("ben@acme.test").await;
        let (status, _) = app
            .post_json(
                &ben,
                &format!("/ordering/api/orders/{rejected}/notes"),
                json!({"body": "Fixed the parcel number."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, order) = app
            .post_empty(&ben, &format!("/order/{rejected}/submit-for-processing"))
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["status"], "resubmitted");
    }
);

fn time_today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

on_both_databases!(batch_resubmit_with_one_note, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let ids = [
        app.order_id("ORD-1007").await,
        app.order_id("ORD-1008").await,
        app.order_id("ORD-1001").await,
    ];
    let (status, body) = app
        .post_json(
            &ava,
            "/ordering/api/orders/resubmit",
            json!({"order_ids": ids, "note": "All documents re-signed."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["succeeded"], 2);
    assert_eq!(body["failed"], 1);
    assert_eq!(body["results"][2]["error"]["code"], "invalid_status");
    assert_eq!(app.status_of("ORD-1007").await, "resubmitted");
    assert_eq!(app.status_of("ORD-1008").await, "resubmitted");
    assert_eq!(app.status_of("ORD-1001").await, "unprocessed");
    let notes = app
        .count(
            "SELECT COUNT(*) FROM notes n JOIN orders o ON o.id = n.order_id \
             WHERE o.number = $1 AND n.body = 'All documents re-signed.'",
            "ORD-1008",
        )
        .await;
    assert_eq!(notes, 1);
    let (status, _) = app
        .post_json(
            &ava,
            "/ordering/api/orders/resubmit",
            json!({"order_ids": ids, "note": "x", "status": "complete"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
});

on_both_databases!(racing_requests_have_one_winner, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let sam = app.login("sam@fts.test").await;
    let pending = app.order_id("ORD-1002").await;
    let held = app.order_id("ORD-1007").await;
    for round in 0..10 {
        // Two cancels of one pending order.
        app.force_status("ORD-1002", "pending").await;
        sqlx::query("DELETE FROM refunds")
            .execute(&app.state.db)
            .await
            .unwrap();
        let events = app.status_events("ORD-1002").await;
        let path = app.url(&format!("/order/{pending}/cancel"));
        let (a, b) = tokio::join!(ava.post(&path).send(), ava.post(&path).send());
        for response in [a.unwrap(), b.unwrap()] {
            assert_eq!(response.status(), StatusCode::OK, "round {round}");
        }
        assert_eq!(
            app.status_events("ORD-1002").await,
            events + 1,
            "round {round}"
        );
        assert_eq!(app.refunds("ORD-1002").await, 1);

        // Cancel against submit of one pending order: the first wins, the
        // other finds a status it cannot act on.
        app.force_status("ORD-1002", "pending").await;
        let events = app.status_events("ORD-1002").await;
        let cancel = ava
            .post(app.url(&format!("/order/{pending}/cancel")))
            .send();
        let submit = ava
            .post(app.url(&format!("/order/{pending}/submit-for-processing")))
            .send();
        let (cancel, submit) = tokio::join!(cancel, submit);
        let mut statuses = [cancel.unwrap().status(), submit.unwrap().status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
        assert_eq!(
            app.status_events("ORD-1002").await,
            events + 1,
            "round {round}"
        );

        // Staff cancel against the customer's resubmission of an on-hold
        // order: either the cancel wins and the resubmission is refused, or
        // the resubmission lands first and staff cancel the resubmitted
        // order. Every success is one event; the order ends cancelled.
        app.force_status("ORD-1007", "on_hold").await;
        let events = app.status_events("ORD-1007").await;
        let cancel = sam.post(app.url(&format!("/order/{held}/cancel"))).send();
        let resubmit = ava
            .post(app.url(&format!("/order/{held}/submit-for-processing")))
            .json(&json!({"note": "Signed form attached."}))
            .send();
        let (cancel, resubmit) = tokio::join!(cancel, resubmit);
        let (cancel, resubmit) = (cancel.unwrap().status(), resubmit.unwrap().status());
        assert_eq!(cancel, StatusCode::OK, "round {round}");
        assert!(
            matches!(resubmit, StatusCode::OK | StatusCode::CONFLICT),
            "round {round}: {resubmit}"
        );
        let successes = 1 + i64::from(resubmit == StatusCode::OK);
        assert_eq!(
            app.status_events("ORD-1007").await,
            events + successes,
            "round {round}"
        );
        assert_eq!(app.status_of("ORD-1007").await, "cancelled");
    }
});
