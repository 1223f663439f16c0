use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

/// The staff moves that are allowed (docs/rules.md, status changes).
fn allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        (
            "submitted" | "resubmitted",
            "ordered" | "on_hold" | "rejected"
        ) | ("ordered", "allocated")
            | ("allocated", "received")
            | ("received", "complete")
    ) || (to == "cancelled" && !matches!(from, "received" | "complete" | "cancelled"))
}

on_both_databases!(
    every_staff_transition_allowed_and_refused,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-2001").await;
        let path = format!("/ordering/api/orders/{id}/transition");
        for from in STATUSES {
            for to in STATUSES {
                app.force_status("ORD-2001", from).await;
                let events = app.status_events("ORD-2001").await;
                let (status, body) = app
                    .post_json(
                        &sam,
                        &path,
                        json!({"to": to, "reason": "Checked with the county."}),
                    )
                    .await;
                if allowed(from, to) {
                    assert_eq!(status, StatusCode::OK, "{from} → {to}: {body}");
                    assert_eq!(body["status"], to);
                    assert_eq!(
                        app.status_events("ORD-2001").await,
                        events + 1,
                        "{from} → {to}"
                    );
                } else if from == to {
                    // Already there: nothing to do, nothing recorded.
                    assert!(
                        matches!(status, StatusCode::OK | StatusCode::CONFLICT),
                        "{from} → {to}"
                    );
                    assert_eq!(app.status_events("ORD-2001").await, events, "{from} → {to}");
                } else {
                    assert_eq!(status, StatusCode::CONFLICT, "{from} → {to}: {body}");
                    assert_eq!(error_code(&body), "invalid_status");
                    assert_eq!(
                        app.status_of("ORD-2001").await,
                        from,
                        "{from} → {to} changed nothing"
                    );
                    assert_eq!(app.status_events("ORD-2001").await, events);
                }
            }
        }
    }
);

on_both_databases!(
    hold_and_reject_need_a_reason_the_customer_sees,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1006").await;
        let path = format!("/ordering/api/orders/{id}/transition");
        for body in [
            json!({"to": "on_hold"}),
            json!({"to": "rejected", "reason": "   "}),
        ] {
            let (status, error) = app.post_json(&sam, &path, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
            assert_eq!(app.status_of("ORD-1006").await, "submitted");
        }
        let (status, order) = app
            .post_json(
                &sam,
                &path,
                json!({"to": "on_hold", "reason": "The survey is missing its stamp."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["hold_reason"], "The survey is missing its stamp.");
        // Ben placed ORD-1006: he sees the reason and is notified.
        let ben = app.login("ben@acme.test").await;
        let (_, seen) = app
            .get_json(&ben, &format!("/ordering/api/orders/{id}"))
            .await;
        assert_eq!(seen["status"], "on_hold");
        assert_eq!(seen["hold_reason"], "The survey is missing its stamp.");
        let (_, inbox) = app.get_json(&ben, "/ordering/api/notifications").await;
        assert_eq!(inbox["unread"], 1);
        assert!(
            inbox["notifications"][0]["message"]
                .as_str()
                .unwrap()
                .contains("The survey is missing its stamp.")
        );
    }
);

on_both_databases!(customers_cannot_transition, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1006").await;
    let (status, body) = app
        .post_json(
            &ava,
            &format!("/ordering/api/orders/{id}/transition"),
            json!({"to": "ordered"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(app.status_of("ORD-1006").await, "submitted");
    let (status, _) = app
        .post_json(
            &ava,
            &format!("/ordering/api/orders/{id}/transition"),
            json!({"to": "ordered", "company_id": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post_json(
            &ava,
            &format!("/ordering/api/orders/{id}/transition"),
            json!({"to": "shipped"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});

on_both_databases!(
    staff_cancel_refunds_like_a_customer_cancel,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-2011").await;
        let (status, order) = app
            .post_json(
                &sam,
                &format!("/ordering/api/orders/{id}/transition"),
                json!({"to": "cancelled"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["refund"]["kind"], "pending_refund");
        assert_eq!(order["refund"]["amount_cents"], 12_000);
        assert_eq!(app.refunds("ORD-2011").await, 1);
    }
);

on_both_databases!(staff_move_several_orders_at_once, async |app: TestApp| {
    let sam = app.login("sam@fts.test").await;
    let ids = [
        app.order_id("ORD-1009").await,
        app.order_id("ORD-2009").await,
        app.order_id("ORD-1013").await,
    ];
    let (status, body) = app
        .post_json(
            &sam,
            "/ordering/api/orders/transition",
            json!({"order_ids": ids, "to": "on_hold"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["failed"], 3, "a hold needs a reason: {body}");
    assert_eq!(app.status_of("ORD-1009").await, "resubmitted");
    let (_, body) = app
        .post_json(
            &sam,
            "/ordering/api/orders/transition",
            json!({"order_ids": ids, "to": "ordered"}),
        )
        .await;
    assert_eq!(body["succeeded"], 2);
    assert_eq!(body["results"][2]["error"]["code"], "invalid_status");
    assert_eq!(body["results"][2]["status"], "complete");
    assert_eq!(app.status_of("ORD-1009").await, "ordered");
    assert_eq!(app.status_of("ORD-2009").await, "ordered");
    let ava = app.login("ava@acme.test").await;
    let (_, body) = app
        .post_json(
            &ava,
            "/ordering/api/orders/transition",
            json!({"order_ids": [ids[0]], "to": "allocated"}),
        )
        .await;
    assert_eq!(body["results"][0]["error"]["code"], "forbidden");
    assert_eq!(app.status_of("ORD-1009").await, "ordered");
});

on_both_databases!(
    staff_find_companies_to_filter_by_part_of_the_name,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let (status, body) = app.post_form(&sam, "/api/find-companies", "q=IRCH").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let found: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found[0]["name"], "Birch Legal");
        let (status, body) = app.post_form(&sam, "/api/find-companies", "q=zzz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "[]");
        let (status, _) = app.post_form(&sam, "/api/find-companies", "q=bi").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "too short to search");
        let ava = app.login("ava@acme.test").await;
        let (status, _) = app.post_form(&ava, "/api/find-companies", "q=Birch").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

on_both_databases!(
    the_filter_options_name_a_company_only_for_staff,
    async |app: TestApp| {
        let birch = app
            .scalar("SELECT id FROM companies WHERE name = 'Birch Legal'")
            .await;
        let form = format!("company_id={birch}");
        let (status, staff) = app
            .post_form(
                &app.login("sam@fts.test").await,
                "/api/filter-options",
                &form,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let staff: serde_json::Value = serde_json::from_str(&staff).expect("JSON");
        assert_eq!(
            staff["company"],
            json!({"id": birch, "name": "Birch Legal"})
        );
        assert!(!staff["products"].as_array().expect("products").is_empty());

        let (status, customer) = app
            .post_form(
                &app.login("ava@acme.test").await,
                "/api/filter-options",
                &form,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let customer: serde_json::Value = serde_json::from_str(&customer).expect("JSON");
        assert_eq!(customer["company"], serde_json::Value::Null, "{customer}");

        let (_, unknown) = app
            .post_form(
                &app.login("sam@fts.test").await,
                "/api/filter-options",
                "company_id=999999",
            )
            .await;
        assert!(unknown.contains("\"company\":null"), "{unknown}");
    }
);
