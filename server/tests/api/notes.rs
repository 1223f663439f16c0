use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    notes_are_added_listed_and_validated,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        let path = format!("/ordering/api/orders/{id}/notes");
        let (status, note) = app
            .post_json(&ava, &path, json!({"body": "  Please rush this one.  "}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{note}");
        assert_eq!(note["body"], "Please rush this one.");
        assert_eq!(note["author"]["name"], "Ava Adams");
        assert_eq!(note["internal"], false);
        let (status, notes) = app.get_json(&ava, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            notes.as_array().unwrap().last().unwrap()["body"],
            "Please rush this one."
        );
        let count = notes.as_array().unwrap().len();

        for (body, expected) in [
            (json!({"body": ""}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"body": "   \n "}), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({"body": "x".repeat(10_001)}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (json!({"body": 5}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({"body": "hi", "author_id": 4}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"body": "internal?", "internal": true}),
                StatusCode::FORBIDDEN,
            ),
        ] {
            let (status, error) = app.post_json(&ava, &path, body.clone()).await;
            assert_eq!(status, expected, "{body}: {error}");
            error_code(&error);
        }
        let (status, _) = app
            .post_json(&ava, &path, json!({"body": "x".repeat(10_000)}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "10,000 characters are fine");
        assert_eq!(
            app.get_json(&ava, &path).await.1.as_array().unwrap().len(),
            count + 1
        );

        // No notes on cancelled orders; none on other tenants' orders.
        let cancelled = app.order_id("ORD-1014").await;
        let (status, body) = app
            .post_json(
                &ava,
                &format!("/ordering/api/orders/{cancelled}/notes"),
                json!({"body": "hello"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(error_code(&body), "invalid_status");
        let foreign = app.order_id("ORD-2006").await;
        let (status, _) = app
            .post_json(
                &ava,
                &format!("/ordering/api/orders/{foreign}/notes"),
                json!({"body": "hello"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .get_json(&ava, &format!("/ordering/api/orders/{foreign}/notes"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

on_both_databases!(internal_notes_stay_with_staff, async |app: TestApp| {
    let sam = app.login("sam@fts.test").await;
    let id = app.order_id("ORD-1006").await;
    let path = format!("/ordering/api/orders/{id}/notes");
    let (status, _) = app
        .post_json(
            &sam,
            &path,
            json!({"body": "Vendor is slow; chase Friday.", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post_json(
            &sam,
            &path,
            json!({"body": "We have contacted the vendor."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for email in ["ava@acme.test", "ben@acme.test"] {
        let client = app.login(email).await;
        let (_, notes) = app.get_json(&client, &path).await;
        let text = notes.to_string();
        assert!(!text.contains("chase Friday"), "{email}");
        assert!(text.contains("contacted the vendor"), "{email}");
        let (_, order) = app
            .get_json(&client, &format!("/ordering/api/orders/{id}"))
            .await;
        assert!(!order.to_string().contains("chase Friday"), "{email}");
    }
    let (_, notes) = app.get_json(&sam, &path).await;
    assert!(notes.to_string().contains("chase Friday"));
});

on_both_databases!(
    notes_keep_lines_and_lose_other_control_characters,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        let path = format!("/ordering/api/orders/{id}/notes");
        let (status, note) = app
            .post_json(
                &ava,
                &path,
                json!({"body": "Line one\r\n\tLine\u{1b}[31m two\u{7}\u{8}"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{note}");
        assert_eq!(note["body"], "Line one\n\tLine[31m two");
        let stored: String = {
            use sqlx::Row;
            sqlx::query("SELECT body FROM notes WHERE id = $1")
                .bind(note["id"].as_i64().unwrap())
                .fetch_one(&app.state.db)
                .await
                .unwrap()
                .get("body")
        };
        assert_eq!(stored, "Line one\n\tLine[31m two");
        let (status, _) = app
            .post_json(&ava, &path, json!({"body": "\u{1}\u{2}\r"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "nothing is left");
    }
);
