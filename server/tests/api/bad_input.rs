use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;

on_both_databases!(malformed_login_bodies_get_4xx_json, async |app: TestApp| {
    let client = app.anonymous();
    let cases: [(&str, &str, StatusCode); 7] = [
        ("application/json", "{not json", StatusCode::BAD_REQUEST),
        (
            "application/json",
            r#"{"email": 5, "password": "x"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            r#"{"email": "ava@acme.test"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            r#"{"email": "ava@acme.test", "password": "demo-password", "role": "staff"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            r#"{"email": "", "password": ""}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "text/plain",
            r#"{"email": "ava@acme.test", "password": "demo-password"}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("application/json", "[]", StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (content_type, body, expected) in cases {
        let response = client
            .post(app.url("/ordering/api/login"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, json) = json_of(response).await;
        assert_eq!(status, expected, "{body}: {json}");
        error_code(&json);
    }
    // Nothing signed in.
    let (status, _) = app.get_json(&client, "/ordering/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_databases!(oversized_bodies_get_413_json, async |app: TestApp| {
    let huge = format!(
        r#"{{"email": "ava@acme.test", "password": "{}"}}"#,
        "x".repeat(200 * 1024)
    );
    let response = app
        .anonymous()
        .post(app.url("/ordering/api/login"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), "payload_too_large");
    // A long password that fits is simply wrong, not an error of ours.
    let long = app
        .sign_in(
            &app.anonymous(),
            serde_json::json!({"email": "ava@acme.test", "password": "x".repeat(5000)}),
        )
        .await;
    assert_eq!(long.status(), StatusCode::UNAUTHORIZED);
});

on_both_databases!(
    bad_query_and_path_values_get_4xx_json,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        for (path, expected) in [
            ("/ordering/api/orders?view=archive", StatusCode::BAD_REQUEST),
            (
                "/ordering/api/orders?status=shipped",
                StatusCode::BAD_REQUEST,
            ),
            ("/ordering/api/orders?limit=0", StatusCode::BAD_REQUEST),
            ("/ordering/api/orders?limit=101", StatusCode::BAD_REQUEST),
            ("/ordering/api/orders?limit=-1", StatusCode::BAD_REQUEST),
            ("/ordering/api/orders?limit=abc", StatusCode::BAD_REQUEST),
            (
                "/ordering/api/orders?cursor=garbage",
                StatusCode::BAD_REQUEST,
            ),
            ("/ordering/api/orders?cursor=1.x", StatusCode::BAD_REQUEST),
            ("/ordering/api/orders/abc", StatusCode::NOT_FOUND),
            (
                "/ordering/api/orders/99999999999999999999999",
                StatusCode::NOT_FOUND,
            ),
            ("/ordering/api/orders/-1", StatusCode::NOT_FOUND),
            ("/ordering/api/nothing-here", StatusCode::NOT_FOUND),
        ] {
            let (status, body) = app.get_json(&ava, path).await;
            assert_eq!(status, expected, "{path}: {body}");
            error_code(&body);
        }
        let long_search = format!("/ordering/api/orders?q={}", "a".repeat(300));
        let (status, _) = app.get_json(&ava, &long_search).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
);

on_both_databases!(
    server_functions_refuse_bad_arguments_with_400,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        for (path, body) in [
            ("/api/get-order", "id=abc"),
            ("/api/get-order", ""),
            ("/api/cancel-orders", "ids=abc"),
            ("/api/add-note", "id=1"),
            ("/api/list-orders", "view=archive"),
        ] {
            let (status, _) = app.post_form(&ava, path, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}");
        }
    }
);

on_both_databases!(
    extra_fields_are_refused_or_ignored_never_applied,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let root = app.login("root@fts.test").await;
        let id = app.order_id("ORD-1002").await;
        let notes = format!("/ordering/api/orders/{id}/notes");
        // The JSON API refuses fields it does not know.
        for (client, path, body) in [
            (
                &ava,
                notes.as_str(),
                serde_json::json!({"body": "Hi", "status": "complete", "company_id": 2}),
            ),
            (
                &ava,
                "/orders/cancel-multiple",
                serde_json::json!({"order_ids": [id], "company_id": 2}),
            ),
            (
                &root,
                "/ordering/api/admin/users",
                serde_json::json!({"email": "x@acme.test", "name": "X", "password": "a long passphrase",
                    "group": "customer_user", "company_id": 1, "role": "staff_admin"}),
            ),
        ] {
            let (status, body) = app.post_json(client, path, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        }
        assert_eq!(app.status_of("ORD-1002").await, "pending");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = $1", "x@acme.test")
                .await,
            0
        );
        // Server functions take their named arguments and ignore the rest;
        // a customer asking for an internal note is refused outright.
        let extra = "status=complete&company_id=2&placed_by=1";
        let (status, text) = app
            .post_form(
                &ava,
                "/api/add-note",
                &format!("id={id}&body=Hi&internal=true&{extra}"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        let (status, text) = app
            .post_form(
                &ava,
                "/api/add-note",
                &format!("id={id}&body=Hi&internal=false&{extra}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(app.status_of("ORD-1002").await, "pending");
        let company: i64 = app
            .count(
                "SELECT company_id FROM orders WHERE number = $1",
                "ORD-1002",
            )
            .await;
        let acme = app
            .count("SELECT id FROM companies WHERE name = $1", "Acme Title")
            .await;
        assert_eq!(company, acme);
    }
);
