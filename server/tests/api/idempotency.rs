//! `Idempotency-Key` on POST actions: a repeat replays the first answer
//! without a second effect; the same key with another request is 422.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Posts `body` (or nothing) to `path` with an `Idempotency-Key`, and says
/// whether the answer was a replay.
async fn post_with_key(
    app: &TestApp,
    client: &Client,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value, bool) {
    let mut request = client.post(app.url(path)).header("Idempotency-Key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|value| value == "true");
    let (status, body) = json_of(response).await;
    (status, body, replayed)
}

async fn notes_on(app: &TestApp, number: &str) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM notes n JOIN orders o ON o.id = n.order_id WHERE o.number = $1",
        number,
    )
    .await
}

on_both_databases!(
    a_repeated_cancel_replays_the_first_answer,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let path = format!("/order/{id}/cancel");
        let (first, first_body, replayed) =
            post_with_key(&app, &ava, &path, "cancel-1002-a", None).await;
        assert_eq!(first, StatusCode::OK, "{first_body}");
        assert!(!replayed);
        let events = app.status_events("ORD-1002").await;
        let notifications = app.notifications("ORD-1002").await;

        // Meanwhile staff move the order on: a replay still tells what the
        // first request did, not what the order is now.
        app.force_status("ORD-1002", "pending").await;
        let (again, again_body, replayed) =
            post_with_key(&app, &ava, &path, "cancel-1002-a", None).await;
        assert_eq!(again, StatusCode::OK);
        assert!(replayed, "the second answer is a replay");
        assert_eq!(again_body, first_body);
        assert_eq!(
            app.status_of("ORD-1002").await,
            "pending",
            "no second effect"
        );
        assert_eq!(app.status_events("ORD-1002").await, events);
        assert_eq!(app.notifications("ORD-1002").await, notifications);
        assert_eq!(app.refunds("ORD-1002").await, 1);
    }
);

on_both_databases!(
    a_key_reused_for_another_request_is_422,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1001").await;
        let other = app.order_id("ORD-1002").await;
        let notes = format!("/ordering/api/orders/{id}/notes");
        let (status, _, _) = post_with_key(
            &app,
            &ava,
            &notes,
            "note-key",
            Some(json!({"body": "First"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let before = notes_on(&app, "ORD-1001").await;
        let other_before = notes_on(&app, "ORD-1002").await;
        for (path, body) in [
            (notes.clone(), json!({"body": "Second"})),
            (
                format!("/ordering/api/orders/{other}/notes"),
                json!({"body": "First"}),
            ),
            (format!("/order/{id}/cancel"), json!({})),
        ] {
            let (status, body, _) = post_with_key(&app, &ava, &path, "note-key", Some(body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(error_code(&body), "unprocessable");
        }
        assert_eq!(notes_on(&app, "ORD-1001").await, before);
        assert_eq!(notes_on(&app, "ORD-1002").await, other_before);
        assert_eq!(app.status_of("ORD-1001").await, "unprocessed");
    }
);

on_both_databases!(
    repeats_add_one_note_and_keys_belong_to_their_user,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let ben = app.login("ben@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let path = format!("/ordering/api/orders/{id}/notes");
        let before = notes_on(&app, "ORD-1002").await;
        for _ in 0..3 {
            let (status, _, _) =
                post_with_key(&app, &ava, &path, "k1", Some(json!({"body": "Once"}))).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        assert_eq!(notes_on(&app, "ORD-1002").await, before + 1);
        // Another user's identical key is a key of its own.
        let (status, _, replayed) =
            post_with_key(&app, &ben, &path, "k1", Some(json!({"body": "Once"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(!replayed);
        assert_eq!(notes_on(&app, "ORD-1002").await, before + 2);
        // Without a key, a repeat is a new request.
        for _ in 0..2 {
            let (status, _) = app.post_json(&ava, &path, json!({"body": "Twice"})).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        assert_eq!(notes_on(&app, "ORD-1002").await, before + 4);
    }
);

on_both_databases!(
    refusals_are_replayed_and_bad_keys_are_400,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        let path = format!("/order/{id}/cancel");
        // Submitted: cancel is refused, and the refusal is the answer kept.
        let (status, body, _) = post_with_key(&app, &ava, &path, "refused", None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        app.force_status("ORD-1006", "pending").await;
        let (status, again, replayed) = post_with_key(&app, &ava, &path, "refused", None).await;
        assert_eq!((status, replayed), (StatusCode::CONFLICT, true));
        assert_eq!(again, body);
        assert_eq!(app.status_of("ORD-1006").await, "pending");

        for bad in ["two words", &"k".repeat(256)] {
            let (status, body, _) = post_with_key(&app, &ava, &path, bad, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert_eq!(error_code(&body), "bad_request");
        }
        assert_eq!(app.status_of("ORD-1006").await, "pending");
    }
);

/// What a process that stopped right after the change committed leaves:
/// the claim, marked applied in the change's transaction, without an answer.
async fn lose_the_answer(app: &TestApp, key: &str, age_ms: i64) {
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = NULL, response_content_type = NULL, \
         response_body = NULL, created_at = created_at - $1 WHERE idempotency_key = $2",
    )
    .bind(age_ms)
    .bind(key)
    .execute(&app.state.db)
    .await
    .expect("lose the answer");
}

async fn applied(app: &TestApp, key: &str) -> i64 {
    app.count(
        "SELECT applied FROM idempotency_keys WHERE idempotency_key = $1",
        key,
    )
    .await
}

on_both_databases!(
    a_change_whose_answer_was_lost_is_never_made_again,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let path = format!("/ordering/api/orders/{id}/notes");
        let note = || Some(json!({"body": "Only once"}));
        let (status, _, _) = post_with_key(&app, &ava, &path, "lost", note()).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(applied(&app, "lost").await, 1, "marked with the change");
        let notes = notes_on(&app, "ORD-1002").await;

        // Just after the stop, the first request may still be answering.
        lose_the_answer(&app, "lost", 0).await;
        let (status, body, _) = post_with_key(&app, &ava, &path, "lost", note()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(error_code(&body), "conflict");

        // Long after it, the key counts as abandoned, but its change
        // committed: it is not made a second time.
        lose_the_answer(&app, "lost", 61_000).await;
        let (status, body, _) = post_with_key(&app, &ava, &path, "lost", note()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(error_code(&body), "answer_lost");
        assert_eq!(notes_on(&app, "ORD-1002").await, notes, "no second note");
    }
);

on_both_databases!(
    an_abandoned_claim_that_changed_nothing_may_run_again,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let path = format!("/ordering/api/orders/{id}/notes");
        let note = || Some(json!({"body": "Retried"}));
        let (status, _, _) = post_with_key(&app, &ava, &path, "stopped", note()).await;
        assert_eq!(status, StatusCode::CREATED);
        let notes = notes_on(&app, "ORD-1002").await;
        // A process that stopped before its change committed leaves the
        // claim unapplied (the note above stands in for nothing here).
        lose_the_answer(&app, "stopped", 61_000).await;
        sqlx::query("UPDATE idempotency_keys SET applied = 0 WHERE idempotency_key = 'stopped'")
            .execute(&app.state.db)
            .await
            .expect("unapply");
        let (status, body, replayed) = post_with_key(&app, &ava, &path, "stopped", note()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(!replayed);
        assert_eq!(notes_on(&app, "ORD-1002").await, notes + 1);
        assert_eq!(applied(&app, "stopped").await, 1);
    }
);

on_both_databases!(
    server_functions_mark_their_claim_in_their_change,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let form = format!("id={id}&body=From%20the%20page&internal=false");
        let send = || {
            ava.post(app.url("/api/add-note"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("Idempotency-Key", "page-note")
                .body(form.clone())
                .send()
        };
        let first = send().await.expect("answer");
        assert!(first.status().is_success(), "{}", first.status());
        assert_eq!(applied(&app, "page-note").await, 1);
        let notes = notes_on(&app, "ORD-1002").await;
        lose_the_answer(&app, "page-note", 61_000).await;
        let again = send().await.expect("answer");
        assert_eq!(again.status(), StatusCode::CONFLICT);
        // In the server functions' own error shape, which the page reads.
        let body: Value = again.json().await.expect("a JSON error");
        assert_eq!(body["code"], "answer_lost", "{body}");
        assert_eq!(notes_on(&app, "ORD-1002").await, notes);
    }
);

on_both_databases!(
    a_large_keyed_upload_is_stored_once_by_either_way_in,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        // Larger than what is held in memory: it is read back from a file.
        // The same bytes each time (a form of reqwest's would draw a new
        // boundary, which makes another request).
        let mut body = b"--SCAN\r\nContent-Disposition: form-data; name=\"file\"; \
                         filename=\"scan.pdf\"\r\n\r\n%PDF-1.4\n"
            .to_vec();
        body.resize(600 * 1024, b'x');
        body.extend_from_slice(b"\r\n--SCAN--\r\n");
        for (way, key) in [
            (UploadWay::JsonRoute, "scan-json"),
            (UploadWay::ServerFn, "scan-fn"),
        ] {
            let files = app.stored_files();
            let send = || {
                ava.post(app.url(&way.path(id)))
                    .header("Idempotency-Key", key)
                    .header("content-type", "multipart/form-data; boundary=SCAN")
                    .body(body.clone())
                    .send()
            };
            let first = send().await.expect("answer");
            assert!(first.status().is_success(), "{way:?}: {}", first.status());
            let first_body = first.text().await.expect("body");
            assert!(first_body.contains("\"size\":"), "{first_body}");
            let again = send().await.expect("answer");
            assert_eq!(
                again
                    .headers()
                    .get("idempotent-replayed")
                    .map(|v| v.as_bytes()),
                Some(&b"true"[..]),
                "{way:?}"
            );
            assert_eq!(again.text().await.expect("body"), first_body);
            assert_eq!(app.stored_files(), files + 1, "{way:?}: stored once");
        }
    }
);

on_both_databases!(
    a_keyed_upload_is_refused_before_its_body_is_read,
    async |app: TestApp| {
        use futures_util::stream::{self, StreamExt};
        let ava = app.login("ava@acme.test").await;
        let foreign = app.order_id("ORD-2006").await;
        for way in [UploadWay::JsonRoute, UploadWay::ServerFn] {
            // The head of a form, then a body that never ends: only an
            // answer given before reading it comes back.
            let head = b"--H\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n".to_vec();
            let body = stream::once(async move { Ok::<_, std::io::Error>(head) })
                .chain(stream::once(std::future::pending()));
            let answer = ava
                .post(app.url(&way.path(foreign)))
                .header("Idempotency-Key", format!("foreign-{way:?}"))
                .header("content-type", "multipart/form-data; boundary=H")
                .body(reqwest::Body::wrap_stream(body))
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await
                .unwrap_or_else(|error| panic!("{way:?}: no answer before the body: {error}"));
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{way:?}");
        }
    }
);

on_both_databases!(
    a_keyed_batch_is_not_marked_and_runs_again_without_a_second_effect,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let ids = [
            app.order_id("ORD-1001").await,
            app.order_id("ORD-1002").await,
        ];
        let body = Some(json!({"order_ids": ids}));
        let (status, first, _) =
            post_with_key(&app, &ava, "/orders/cancel-multiple", "batch", body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["succeeded"], 2);
        assert_eq!(applied(&app, "batch").await, 0, "orders commit one by one");
        let refunds = app.refunds("ORD-1002").await;
        // A process that stopped half-way: the retry finishes the batch,
        // and what was done is not done again.
        lose_the_answer(&app, "batch", 61_000).await;
        let (status, again, replayed) =
            post_with_key(&app, &ava, "/orders/cancel-multiple", "batch", body).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert!(!replayed, "run again, not replayed");
        assert_eq!(app.refunds("ORD-1002").await, refunds, "no second refund");
        assert_eq!(app.status_of("ORD-1001").await, "cancelled");
    }
);
