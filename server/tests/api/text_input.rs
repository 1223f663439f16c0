//! Text with NUL, which PostgreSQL cannot store and SQLite would, is refused
//! the same way on both engines at every way in: path, query string, JSON
//! keys and values, the pages' form-encoded server functions. Nothing
//! changes.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::{Client, StatusCode};
use serde_json::json;

/// Everything a refused request could have changed.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["orders", "notes", "order_events", "companies", "users"] {
        counts.push(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    counts
}

async fn assert_refused(client: &Client, request: reqwest::RequestBuilder) {
    let request = request.build().expect("a request");
    let what = format!("{} {}", request.method(), request.url());
    let response = client.execute(request).await.expect("an answer");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    assert_eq!(error_code(&body), "invalid_text", "{what}");
}

on_both_databases!(
    text_with_nul_is_refused_everywhere_and_changes_nothing,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let root = app.login("root@fts.test").await;
        let id = app.order_id("ORD-1002").await;
        let held = app.order_id("ORD-1007").await;
        let before = footprint(&app).await;
        let status_before = app.status_of("ORD-1002").await;

        for path in [
            "/ordering/api/orders?q=a%00b".to_owned(),
            "/ordering/api/orders?view=in-progress&cursor=%00".to_owned(),
            format!("/ordering/api/orders/{id}%00"),
            "/orders?q=%00".to_owned(),
        ] {
            assert_refused(&ava, ava.get(app.url(&path))).await;
        }
        let posts = [
            (
                format!("/ordering/api/orders/{id}/notes"),
                json!({"body": "fixed\u{0}"}),
            ),
            (
                format!("/ordering/api/orders/{id}/notes"),
                json!({"bo\u{0}dy": "fixed"}),
            ),
            (
                "/ordering/api/orders".to_owned(),
                json!({"orders": [{"product_id": 1, "title": "Title\u{0}"}]}),
            ),
            (
                format!("/order/{held}/submit-for-processing"),
                json!({"note": "\u{0}"}),
            ),
            (
                "/ordering/api/orders/resubmit".to_owned(),
                json!({"order_ids": [held], "note": ["\u{0}"]}),
            ),
        ];
        for (path, body) in &posts {
            assert_refused(&ava, ava.post(app.url(path)).json(body)).await;
        }
        assert_refused(
            &root,
            root.post(app.url(&format!("/ordering/api/orders/{held}/transition")))
                .json(&json!({"to": "rejected", "reason": "missing\u{0}"})),
        )
        .await;
        let company = app.scalar("SELECT MIN(id) FROM companies").await;
        assert_refused(
            &root,
            root.patch(app.url(&format!("/ordering/api/admin/companies/{company}")))
                .json(&json!({"name": "Acme\u{0}"})),
        )
        .await;
        let anonymous = app.anonymous();
        assert_refused(
            &anonymous,
            anonymous
                .post(app.url("/ordering/api/login"))
                .json(&json!({"email": "ava@acme.test\u{0}", "password": PASSWORD})),
        )
        .await;

        // The pages' server functions: refused in their own error encoding.
        let (status, body) = app
            .post_form(
                &ava,
                "/api/add-note",
                &format!("id={id}&body=a%00b&internal=false"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("NUL"), "{body}");
        let response = ava
            .post(app.url("/api/list-orders"))
            .json(&json!({"query": {"q": "\u{0}"}}))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        assert_eq!(footprint(&app).await, before);
        assert_eq!(app.status_of("ORD-1002").await, status_before);
        assert_eq!(app.status_of("ORD-1007").await, "on_hold");

        // The same text written out, without the character itself, is
        // ordinary text.
        let (status, body) = app
            .post_json(
                &ava,
                &format!("/ordering/api/orders/{id}/notes"),
                json!({"body": "\\u0000 and %00 are only characters"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["body"], "\\u0000 and %00 are only characters");
    }
);
