//! Placing orders: `POST /ordering/api/orders`.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PLACE: &str = "/ordering/api/orders";

async fn order_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM orders").await
}

async fn product_id(app: &TestApp) -> i64 {
    app.scalar("SELECT MIN(id) FROM products").await
}

on_both_databases!(
    a_customer_places_one_order_that_starts_unprocessed,
    async |app: TestApp| {
        let ben = app.login("ben@acme.test").await;
        let product = product_id(&app).await;
        let (status, body) = app
            .post_json(
                &ben,
                PLACE,
                json!({"orders": [{"product_id": product, "title": "  14 Birch Lane  "}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let order = &body["orders"][0];
        assert_eq!(order["status"], "unprocessed");
        assert_eq!(order["title"], "14 Birch Lane");
        assert_eq!(order["placed_by"]["name"], "Ben Brooks");
        assert_eq!(order["company"]["name"], "Acme Title");
        assert_eq!(order["paid_cents"], 0);
        assert!(order["group_id"].is_null());
        assert!(order["expected_date"].is_string());
        let number = order["number"].as_str().unwrap().to_owned();
        assert!(number.starts_with("ORD-1000"), "{number}");
        for action in ["cancel", "submit", "upload", "note"] {
            assert!(
                order["allowed_actions"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(action)),
                "{action}: {order}"
            );
        }
        let id = order["id"].as_i64().unwrap();
        assert_eq!(app.status_events(&number).await, 1, "the timeline starts");

        // Ben and his company's administrator see it; other tenants do not.
        assert!(
            app.numbers(&ben, "/ordering/api/orders?view=in-progress")
                .await
                .contains(&number)
        );
        let ava = app.login("ava@acme.test").await;
        assert!(
            app.numbers(&ava, "/ordering/api/orders")
                .await
                .contains(&number)
        );
        let cleo = app.login("cleo@birch.test").await;
        let (status, _) = app
            .get_json(&cleo, &format!("/ordering/api/orders/{id}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // It moves on like any order.
        let (status, body) = app
            .post_empty(&ben, &format!("/order/{id}/submit-for-processing"))
            .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("pending"))
        );
    }
);

on_both_databases!(orders_placed_together_form_a_group, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let product = product_id(&app).await;
    let (status, body) = app
        .post_json(
            &ava,
            PLACE,
            json!({"orders": [
                {"product_id": product, "title": "Lot 1"},
                {"product_id": product, "title": "Lot 2"},
                {"product_id": product, "title": "Lot 3"},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let orders = body["orders"].as_array().unwrap();
    let titles: Vec<&str> = orders
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Lot 1", "Lot 2", "Lot 3"]);
    let group = &orders[0]["group_id"];
    assert!(group.is_i64());
    assert!(orders.iter().all(|order| &order["group_id"] == group));
    let (counts_status, counts) = app.get_json(&ava, "/ordering/api/orders/counts").await;
    assert_eq!(counts_status, StatusCode::OK);
    assert_eq!(counts["in_progress"], 12, "9 demo orders and 3 new ones");
    // The whole group cancels at once.
    let ids: Vec<Value> = orders.iter().map(|order| order["id"].clone()).collect();
    let (status, body) = app
        .post_json(&ava, "/orders/cancel-multiple", json!({"order_ids": ids}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["succeeded"], 3, "{body}");
});

on_both_databases!(
    bad_orders_are_refused_and_nothing_is_placed,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let product = product_id(&app).await;
        let before = order_count(&app).await;
        let good = json!({"product_id": product, "title": "Fine"});
        let many: Vec<Value> = (0..21).map(|_| good.clone()).collect();
        let cases = [
            (json!({"orders": []}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"orders": many}), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({"orders": [good.clone(), {"product_id": product, "title": "   "}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"orders": [good.clone(), {"product_id": 999_999, "title": "No such product"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"orders": [{"product_id": product, "title": "x".repeat(201)}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"orders": [{"product_id": product, "title": "Two\nlines"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"orders": [{"product_id": product, "title": "Mine", "company_id": 2, "status": "complete"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"orders": [{"title": "No product"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (json!([good.clone()]), StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (body, expected) in cases {
            let (status, answer) = app.post_json(&ava, PLACE, body.clone()).await;
            assert_eq!(status, expected, "{body}: {answer}");
            error_code(&answer);
        }
        assert_eq!(order_count(&app).await, before, "all or nothing");

        // Staff do not place orders; anonymous callers must sign in.
        let sam = app.login("sam@fts.test").await;
        let (status, _) = app
            .post_json(&sam, PLACE, json!({"orders": [good.clone()]}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .post_json(&app.anonymous(), PLACE, json!({"orders": [good]}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(order_count(&app).await, before);
    }
);
