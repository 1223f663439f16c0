use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(other_sites_cannot_change_anything, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let order = app.order_id("ORD-1001").await;
    let own_origin = app.address.clone();
    let other_scheme = own_origin.replace("http://", "https://");
    let odd_scheme = own_origin.replace("http://", "evil://");
    let localhost = own_origin.replace("127.0.0.1", "localhost");
    let cases: [(&str, &str, StatusCode); 11] = [
        ("origin", "https://evil.example", StatusCode::FORBIDDEN),
        ("origin", "null", StatusCode::FORBIDDEN),
        ("sec-fetch-site", "cross-site", StatusCode::FORBIDDEN),
        ("sec-fetch-site", "same-site", StatusCode::FORBIDDEN),
        // The whole origin counts: scheme, host and port.
        ("origin", other_scheme.as_str(), StatusCode::FORBIDDEN),
        ("origin", odd_scheme.as_str(), StatusCode::FORBIDDEN),
        (
            "origin",
            "https://portal.fts.test:444",
            StatusCode::FORBIDDEN,
        ),
        ("origin", own_origin.as_str(), StatusCode::OK),
        ("origin", localhost.as_str(), StatusCode::OK),
        // PUBLIC_URL and ALLOWED_ORIGINS.
        ("origin", "https://portal.fts.test", StatusCode::OK),
        ("origin", "https://partner.fts.test:8443", StatusCode::OK),
    ];
    for (name, value, expected) in cases {
        app.force_status("ORD-1001", "unprocessed").await;
        // The JSON API, the specification's routes and server functions alike.
        let response = ava
            .post(app.url(&format!("/order/{order}/cancel")))
            .header(name, value)
            .send()
            .await
            .unwrap();
        let status = response.status();
        if expected == StatusCode::FORBIDDEN {
            let (_, body) = json_of(response).await;
            assert_eq!(status, expected, "{name}: {value}");
            assert_eq!(error_code(&body), "forbidden");
            assert_eq!(
                app.status_of("ORD-1001").await,
                "unprocessed",
                "nothing changed"
            );
            let note = ava
                .post(app.url(&format!("/ordering/api/orders/{order}/notes")))
                .header(name, value)
                .json(&json!({"body": "from elsewhere"}))
                .send()
                .await
                .unwrap();
            assert_eq!(note.status(), StatusCode::FORBIDDEN);
            let server_fn = ava
                .post(app.url("/api/cancel-order"))
                .header(name, value)
                .form(&[("id", order.to_string())])
                .send()
                .await
                .unwrap();
            assert_eq!(server_fn.status(), StatusCode::FORBIDDEN);
            let login = app
                .anonymous()
                .post(app.url("/ordering/api/login"))
                .header(name, value)
                .json(&json!({"email": "ava@acme.test", "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(login.status(), StatusCode::FORBIDDEN);
        } else {
            assert_eq!(status, expected, "same origin works");
        }
    }
    // A Host header of the attacker's choosing does not make its origin ours.
    app.force_status("ORD-1001", "unprocessed").await;
    let response = ava
        .post(app.url(&format!("/order/{order}/cancel")))
        .header("host", "evil.test")
        .header("origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.status_of("ORD-1001").await, "unprocessed");
    // Reading stays possible from anywhere the cookie goes (SameSite=Lax).
    let read = ava
        .get(app.url("/ordering/api/me"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
});

on_both_databases!(responses_carry_protective_headers, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    for path in ["/login", "/orders", "/ordering/api/me"] {
        let response = ava.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(headers.get("server").is_none(), "{path}");
    }
    let page = ava.get(app.url("/orders")).send().await.unwrap();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    assert!(nonce.len() >= 16, "{policy}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry this response's nonce"
    );
    for directive in [
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let again = ava.get(app.url("/orders")).send().await.unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce),
        "a new nonce each time"
    );
    let api = ava.get(app.url("/ordering/api/me")).send().await.unwrap();
    assert!(
        api.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
});
