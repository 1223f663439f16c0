use crate::helpers::*;
use crate::on_both_databases;
use app::server::seed;
use app::server::services::orders;
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACME_ORDERS: usize = 14;
const BEN_ORDERS: [&str; 5] = ["ORD-1013", "ORD-1010", "ORD-1008", "ORD-1006", "ORD-1002"];

on_both_databases!(badge_counts_per_user, async |app: TestApp| {
    // in_progress, on_hold, resubmitted, completed, cancelled
    let expected = [
        ("ava@acme.test", [9, 2, 1, 2, 1]),
        ("ben@acme.test", [3, 1, 0, 1, 0]),
        ("cleo@birch.test", [9, 2, 1, 2, 1]),
        ("sam@fts.test", [18, 4, 2, 4, 2]),
    ];
    for (email, counts) in expected {
        let client = app.login(email).await;
        let (status, body) = app.get_json(&client, "/ordering/api/orders/counts").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({"in_progress": counts[0], "on_hold": counts[1], "resubmitted": counts[2],
                   "completed": counts[3], "cancelled": counts[4]}),
            "{email}"
        );
    }
});

on_both_databases!(
    each_user_lists_only_what_they_may_see,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let ava_orders = app.numbers(&ava, "/ordering/api/orders?limit=100").await;
        assert_eq!(ava_orders.len(), ACME_ORDERS);
        assert!(ava_orders.iter().all(|number| number.starts_with("ORD-1")));

        let ben = app.login("ben@acme.test").await;
        assert_eq!(app.numbers(&ben, "/ordering/api/orders").await, BEN_ORDERS);

        let cleo = app.login("cleo@birch.test").await;
        let cleo_orders = app.numbers(&cleo, "/ordering/api/orders?limit=100").await;
        assert_eq!(cleo_orders.len(), 14);
        assert!(
            cleo_orders.iter().all(|number| number.starts_with("ORD-2")),
            "{cleo_orders:?}"
        );

        let sam = app.login("sam@fts.test").await;
        assert_eq!(
            app.numbers(&sam, "/ordering/api/orders?limit=100")
                .await
                .len(),
            28
        );
    }
);

on_both_databases!(
    views_statuses_and_search_filter_the_list,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?view=on-hold").await,
            ["ORD-1008", "ORD-1007"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?view=completed")
                .await,
            ["ORD-1013", "ORD-1012"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?view=cancelled")
                .await,
            ["ORD-1014"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?view=resubmitted")
                .await,
            ["ORD-1009"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?view=in-progress")
                .await
                .len(),
            9
        );
        // Tolerant status parsing on the wire.
        for status in ["on_hold", "on-hold", "On%20Hold"] {
            assert_eq!(
                app.numbers(&ava, &format!("/ordering/api/orders?status={status}"))
                    .await,
                ["ORD-1007"]
            );
        }
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?status=completed")
                .await,
            ["ORD-1013"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?q=cedar%20ridge")
                .await,
            ["ORD-1005", "ORD-1004", "ORD-1003"]
        );
        assert_eq!(
            app.numbers(&ava, "/ordering/api/orders?q=ord-1012").await,
            ["ORD-1012"]
        );
        // LIKE wildcards and quotes are searched for literally.
        for wildcards in ["%25%25%25", "___", "%22%22%22", "%25%22_"] {
            assert!(
                app.numbers(&ava, &format!("/ordering/api/orders?q={wildcards}"))
                    .await
                    .is_empty(),
                "{wildcards}"
            );
        }
        // Shorter searches would match most orders: the list asks for more.
        for short in ["_", "%25", "10", "%20a%20"] {
            let (status, body) = app
                .get_json(&ava, &format!("/ordering/api/orders?q={short}"))
                .await;
            assert_eq!(status, 400, "{short}");
            assert_eq!(
                body["error"]["message"], "Type at least 3 characters to search.",
                "{short}"
            );
        }
        // Search never crosses the tenant line.
        assert!(
            app.numbers(&ava, "/ordering/api/orders?q=Harbor%20Lofts")
                .await
                .is_empty()
        );
    }
);

on_both_databases!(
    keyset_pagination_walks_every_order_once,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(cursor) => format!("/ordering/api/orders?limit=5&cursor={cursor}"),
                None => "/ordering/api/orders?limit=5".to_owned(),
            };
            let (status, body) = app.get_json(&ava, &path).await;
            assert_eq!(status, StatusCode::OK);
            pages += 1;
            seen.extend(
                body["orders"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o["number"].as_str().unwrap().to_owned()),
            );
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        let mut expected = app.numbers(&ava, "/ordering/api/orders?limit=100").await;
        assert_eq!(seen, expected);
        expected.dedup();
        assert_eq!(expected.len(), ACME_ORDERS);
    }
);

on_both_databases!(
    orders_carry_the_contract_fields_and_allowed_actions,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1002").await;
        let (status, order) = app
            .get_json(&ava, &format!("/ordering/api/orders/{id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        for field in [
            "id",
            "number",
            "status",
            "status_label",
            "group_id",
            "company",
            "placed_by",
            "product",
            "title",
            "expected_date",
            "hold_reason",
            "paid_cents",
            "created_at",
            "updated_at",
            "allowed_actions",
            "notes",
            "attachments",
            "events",
        ] {
            assert!(order.get(field).is_some(), "missing {field}: {order}");
        }
        assert_eq!(order["status"], "pending");
        assert_eq!(order["status_label"], "Pending");
        assert_eq!(order["placed_by"]["name"], "Ben Brooks");
        assert_eq!(order["company"]["name"], "Acme Title");
        assert_eq!(order["paid_cents"], 12_500);
        assert_eq!(
            order["allowed_actions"],
            json!(["cancel", "submit", "upload", "note"])
        );

        // Birch's cancel flag is off: the same status offers no cancel.
        let cleo = app.login("cleo@birch.test").await;
        let birch = app.order_id("ORD-2002").await;
        let (_, order) = app
            .get_json(&cleo, &format!("/ordering/api/orders/{birch}"))
            .await;
        assert_eq!(
            order["allowed_actions"],
            json!(["submit", "upload", "note"])
        );

        // Staff see the transitions they may make.
        let sam = app.login("sam@fts.test").await;
        let submitted = app.order_id("ORD-1006").await;
        let (_, order) = app
            .get_json(&sam, &format!("/ordering/api/orders/{submitted}"))
            .await;
        assert_eq!(
            order["allowed_transitions"],
            json!(["on_hold", "rejected", "ordered", "cancelled"])
        );
        assert_eq!(
            order["allowed_actions"],
            json!(["cancel", "upload", "note", "download"])
        );

        // Received orders offer the download; the vendor report is there.
        let received = app.order_id("ORD-1012").await;
        let (_, order) = app
            .get_json(&ava, &format!("/ordering/api/orders/{received}"))
            .await;
        assert_eq!(order["allowed_actions"], json!(["note", "download"]));
        assert!(
            order["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["kind"] == "report")
        );
        // The grouped pending orders share a group.
        let grouped: Vec<Value> =
            app.get_json(&ava, "/ordering/api/orders?q=cedar").await.1["orders"]
                .as_array()
                .unwrap()
                .clone();
        assert!(grouped[0]["group_id"].is_i64());
        assert!(
            grouped
                .iter()
                .all(|o| o["group_id"] == grouped[0]["group_id"])
        );
    }
);

on_both_databases!(other_tenants_orders_do_not_exist, async |app: TestApp| {
    let cleo = app.login("cleo@birch.test").await;
    let acme = app.order_id("ORD-1001").await;
    let (status, foreign) = app
        .get_json(&cleo, &format!("/ordering/api/orders/{acme}"))
        .await;
    let (missing_status, missing) = app.get_json(&cleo, "/ordering/api/orders/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    assert_eq!(foreign, missing, "same body for foreign and unknown ids");
    assert_eq!(error_code(&foreign), "not_found");

    // Ben may not open the orders Ava placed.
    let ben = app.login("ben@acme.test").await;
    let avas = app.order_id("ORD-1001").await;
    let (status, body) = app
        .get_json(&ben, &format!("/ordering/api/orders/{avas}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, missing);
    let (status, _) = app
        .get_json(
            &ben,
            &format!("/ordering/api/orders/{}", app.order_id("ORD-1002").await),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
});

on_both_databases!(internal_notes_reach_staff_only, async |app: TestApp| {
    let id = app.order_id("ORD-1007").await;
    let internal = |body: &Value| {
        body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|note| note["internal"] == true)
            .count()
    };
    let ava = app.login("ava@acme.test").await;
    let (_, order) = app
        .get_json(&ava, &format!("/ordering/api/orders/{id}"))
        .await;
    assert_eq!(internal(&order), 0);
    assert!(!order.to_string().contains("Internal:"));
    assert_eq!(
        order["hold_reason"],
        "The signed borrower authorization form is missing. Please upload it."
    );
    let sam = app.login("sam@fts.test").await;
    let (_, order) = app
        .get_json(&sam, &format!("/ordering/api/orders/{id}"))
        .await;
    assert_eq!(internal(&order), 1);
    // The timeline shows the hold with its reason.
    let hold = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "on_hold")
        .unwrap();
    assert_eq!(hold["actor"]["name"], "Sam Staff");
    assert!(hold["reason"].as_str().unwrap().contains("authorization"));
});

on_both_databases!(the_service_layer_scopes_by_tenant, async |app: TestApp| {
    use app::server::auth::load_user;
    let db = &app.state.db;
    let ben_id = app
        .get_json(&app.login("ben@acme.test").await, "/ordering/api/me")
        .await
        .1["user"]["id"]
        .as_i64()
        .unwrap();
    let ben = load_user(db, ben_id).await.unwrap().unwrap();
    let counts = orders::counts(db, &ben).await.unwrap();
    assert_eq!(counts.in_progress, 3);
    let foreign = app.order_id("ORD-2001").await;
    assert!(matches!(
        orders::get(db, &ben, foreign).await,
        Err(app::server::error::AppError::NotFound)
    ));
    // The demo data loads once: a second load changes nothing.
    assert!(!seed::load_demo(db, &app.state.storage).await.unwrap());
    assert_eq!(
        app.numbers(
            &app.login("sam@fts.test").await,
            "/ordering/api/orders?limit=100"
        )
        .await
        .len(),
        28
    );
});

on_both_databases!(
    staff_filter_the_queue_by_company_and_product,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let birch = app
            .get_json(&app.login("cleo@birch.test").await, "/ordering/api/me")
            .await
            .1["company"]["id"]
            .as_i64()
            .unwrap();
        let numbers = app
            .numbers(
                &sam,
                &format!("/ordering/api/orders?limit=100&company_id={birch}"),
            )
            .await;
        assert_eq!(numbers.len(), 14);
        assert!(numbers.iter().all(|n| n.starts_with("ORD-2")));
        let product: i64 = {
            use sqlx::Row;
            sqlx::query("SELECT id FROM products WHERE name = 'Property Survey'")
                .fetch_one(&app.state.db)
                .await
                .unwrap()
                .get("id")
        };
        assert_eq!(
            app.numbers(&sam, &format!("/ordering/api/orders?product_id={product}"))
                .await,
            ["ORD-2008", "ORD-1007"]
        );
        assert_eq!(
            app.numbers(
                &sam,
                &format!("/ordering/api/orders?view=on-hold&company_id={birch}&sort=oldest")
            )
            .await,
            ["ORD-2007", "ORD-2008"]
        );
        // A customer naming another company gets nothing of it.
        let ava = app.login("ava@acme.test").await;
        assert!(
            app.numbers(&ava, &format!("/ordering/api/orders?company_id={birch}"))
                .await
                .is_empty()
        );
    }
);

// A text whose trigrams the counts cannot judge (not ASCII) is looked for
// in the latest orders of the list first. The database sends back only the
// matches: page after page they are exactly the orders holding the text,
// and a text no order holds finds nothing.
on_both_databases!(
    a_search_through_the_latest_orders_pages_through_its_matches,
    async |app: TestApp| {
        let acme = app
            .scalar("SELECT id FROM companies WHERE name = 'Acme Title'")
            .await;
        let marked: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM orders WHERE company_id = {acme} ORDER BY id LIMIT 3"
        ))
        .fetch_all(&app.state.db)
        .await
        .expect("Acme's orders");
        assert_eq!(marked.len(), 3);
        for id in &marked {
            sqlx::query("UPDATE orders SET title = title || ' Müllerstraße' WHERE id = $1")
                .bind(id)
                .execute(&app.state.db)
                .await
                .expect("mark the title");
        }
        let ava = app.login("ava@acme.test").await;
        let (status, first_page) = app
            .get_json(
                &ava,
                "/ordering/api/orders?q=M%C3%BCllerstra%C3%9Fe&limit=2",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first_page["orders"].as_array().expect("orders").len(), 2);
        assert!(first_page["next_cursor"].is_string(), "a second page");
        let mut found: Vec<i64> = app
            .every_listed_order(&ava, "q=M%C3%BCllerstra%C3%9Fe&limit=2")
            .await
            .iter()
            .map(|order| order["id"].as_i64().expect("id"))
            .collect();
        found.sort();
        assert_eq!(found, marked);
        let nothing = app.every_listed_order(&ava, "q=Stra%C3%9Fenbahn").await;
        assert!(nothing.is_empty(), "{nothing:?}");
    }
);
