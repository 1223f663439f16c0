use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(me_describes_each_demo_user, async |app: TestApp| {
    let expected = [
        (
            "ava@acme.test",
            "customer_admin",
            Some("Acme Title"),
            true,
            true,
        ),
        (
            "ben@acme.test",
            "customer_user",
            Some("Acme Title"),
            true,
            true,
        ),
        (
            "cleo@birch.test",
            "customer_admin",
            Some("Birch Legal"),
            false,
            false,
        ),
        ("sam@fts.test", "staff", None, false, false),
        ("root@fts.test", "staff_admin", None, false, false),
    ];
    for (email, group, company, has_account, cancel) in expected {
        let client = app.login(email).await;
        let (status, me) = app.get_json(&client, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["user"]["email"], email);
        assert!(
            me["user"]["name"]
                .as_str()
                .is_some_and(|name| !name.is_empty())
        );
        assert!(me["user"].get("password_hash").is_none());
        assert_eq!(me["group"], group);
        assert_eq!(me["company"]["name"].as_str(), company, "{email}");
        assert_eq!(me["hasAccount"], has_account, "{email}");
        assert_eq!(me["features"]["enable_cancel_order"], cancel, "{email}");
        let permissions: Vec<&str> = me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let staff = group.starts_with("staff");
        assert_eq!(permissions.contains(&"orders.transition"), staff, "{email}");
        assert!(permissions.contains(&"orders.cancel"), "{email}");
        assert_eq!(permissions.contains(&"admin.users"), group == "staff_admin");
        assert_eq!(
            permissions.contains(&"orders.view_company"),
            group == "customer_admin"
        );
        assert_eq!(
            permissions.contains(&"orders.view_own"),
            group == "customer_user"
        );
    }
});

on_both_databases!(
    wrong_password_and_unknown_email_answer_alike,
    async |app: TestApp| {
        let client = app.anonymous();
        let mut bodies = Vec::new();
        for (email, password) in [
            ("ava@acme.test", "wrong-password"),
            ("nobody@acme.test", PASSWORD),
        ] {
            let response = app
                .sign_in(&client, json!({"email": email, "password": password}))
                .await;
            assert!(response.headers().get("set-cookie").is_none());
            let (status, body) = json_of(response).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(error_code(&body), "invalid_credentials");
            bodies.push(body);
        }
        assert_eq!(bodies[0], bodies[1]);
        let (status, _) = app.get_json(&client, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(
    login_sets_a_protected_cookie_and_accepts_any_email_case,
    async |app: TestApp| {
        let response = app
            .sign_in(
                &app.anonymous(),
                json!({"email": "  AVA@Acme.test ", "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("portal_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("portal_session=");
        assert!(token.len() >= 43, "at least 256 bits, base64: {token}");
        let (_, body) = json_of(response).await;
        assert_eq!(body["user"]["user"]["email"], "ava@acme.test");
    }
);

on_both_databases!(anonymous_api_calls_get_401_json, async |app: TestApp| {
    let client = app.anonymous();
    for path in [
        "/ordering/api/me",
        "/ordering/api/orders",
        "/ordering/api/orders/counts",
        "/ordering/api/orders/1",
    ] {
        let (status, body) = app.get_json(&client, path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(&body), "unauthorized", "{path}");
    }
});

on_both_databases!(anonymous_pages_redirect_to_login, async |app: TestApp| {
    let client = app.anonymous();
    for path in [
        "/orders",
        "/orders/on-hold",
        "/orders/completed",
        "/order/1",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert!(
            response.status().is_redirection(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    let login = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("Sign in"));
});

on_both_databases!(
    signed_in_users_get_pages_and_skip_the_login_page,
    async |app: TestApp| {
        let client = app.login("ava@acme.test").await;
        let page = client.get(app.url("/orders")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("ORD-1001"),
            "the list is rendered on the server"
        );
        assert!(!html.contains("ORD-2001"));
        let login = client.get(app.url("/login")).send().await.unwrap();
        assert_eq!(login.headers()["location"], "/orders");
    }
);

on_both_databases!(
    logout_ends_the_session_on_the_server,
    async |app: TestApp| {
        let client = app.anonymous();
        let response = app
            .sign_in(
                &client,
                json!({"email": "ben@acme.test", "password": PASSWORD}),
            )
            .await;
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let response = client
            .post(app.url("/ordering/api/logout"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        // The old cookie, replayed by another client, no longer works.
        let replay = app
            .anonymous()
            .get(app.url("/ordering/api/me"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(
    a_disabled_user_cannot_sign_in_and_loses_the_session,
    async |app: TestApp| {
        let client = app.login("ben@acme.test").await;
        sqlx::query("UPDATE users SET disabled = 1 WHERE email = 'ben@acme.test'")
            .execute(&app.state.db)
            .await
            .unwrap();
        let (status, _) = app.get_json(&client, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = app
            .sign_in(
                &app.anonymous(),
                json!({"email": "ben@acme.test", "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(
    server_functions_answer_with_real_status_codes,
    async |app: TestApp| {
        let client = app.anonymous();
        let wrong = client
            .post(app.url("/api/login"))
            .header("accept", "application/json")
            .form(&[("email", "ava@acme.test"), ("password", "wrong-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert!(wrong.headers().get("set-cookie").is_none());
        assert!(wrong.text().await.unwrap().contains("not correct"));

        let anonymous = client
            .post(app.url("/api/get-me"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

        let right = client
            .post(app.url("/api/login"))
            .header("accept", "application/json")
            .form(&[("email", "ava@acme.test"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(
            right.status().is_success() || right.status().is_redirection(),
            "{}",
            right.status()
        );
        let me = client
            .post(app.url("/api/get-me"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        assert!(me.text().await.unwrap().contains("ava@acme.test"));

        // Someone else's order through the server function: 404, as over JSON.
        let foreign = app.order_id("ORD-2001").await;
        let response = client
            .post(app.url("/api/get-order"))
            .header("accept", "application/json")
            .form(&[("id", foreign.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

on_both_databases!(
    idle_sessions_end_and_sign_in_rotates_the_session,
    async |app: TestApp| {
        let client = app.anonymous();
        let sign_in = async || {
            let response = app
                .sign_in(
                    &client,
                    json!({"email": "ava@acme.test", "password": PASSWORD}),
                )
                .await;
            response.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        };
        let first = sign_in().await;
        let second = sign_in().await;
        assert_ne!(first, second, "a new session id at every sign-in");
        let replay = |cookie: String| {
            app.anonymous()
                .get(app.url("/ordering/api/me"))
                .header("cookie", cookie)
                .send()
        };
        assert_eq!(
            replay(first).await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "the old session ended"
        );
        assert_eq!(
            replay(second.clone()).await.unwrap().status(),
            StatusCode::OK
        );

        // Sixty-one minutes without a request end the session.
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 61 * 60000")
            .execute(&app.state.db)
            .await
            .unwrap();
        assert_eq!(
            replay(second).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
);

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_only() {
    let app = spawn_app_with(Engine::Sqlite, |config| config.secure_cookies = true).await;
    let response = app
        .sign_in(
            &app.anonymous(),
            json!({"email": "ava@acme.test", "password": PASSWORD}),
        )
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-portal_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
}

on_both_databases!(repeated_failures_are_throttled, async |app: TestApp| {
    let client = app.anonymous();
    let attempt = async |email: &str, password: &str| {
        app.sign_in(&client, json!({"email": email, "password": password}))
            .await
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("ben@acme.test", "guess-guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now.
    let held = attempt("ben@acme.test", PASSWORD).await;
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = held.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let (_, body) = json_of(held).await;
    assert_eq!(error_code(&body), "too_many_requests");
    // Another account from the same address is not held.
    assert_eq!(
        attempt("ava@acme.test", PASSWORD).await.status(),
        StatusCode::OK
    );
});

/// A client whose requests come from `address` (any of 127.0.0.0/8).
fn client_at(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(address.parse::<std::net::IpAddr>().expect("address"))
        .build()
        .expect("client")
}

on_both_databases!(
    guessers_are_stopped_and_owners_still_get_in,
    async |app: TestApp| {
        let owner = client_at("127.0.0.1");
        let guesser = client_at("127.0.0.2");
        let sign_in = async |client: &reqwest::Client, email: &str, password: &str| {
            app.sign_in(client, json!({"email": email, "password": password}))
                .await
                .status()
        };
        // Cleo has signed in from her own address before.
        assert_eq!(
            sign_in(&owner, "cleo@birch.test", PASSWORD).await,
            StatusCode::OK
        );
        for _ in 0..5 {
            assert_eq!(
                sign_in(&guesser, "cleo@birch.test", "guess-guess").await,
                StatusCode::UNAUTHORIZED
            );
        }
        // The guesser is stopped on her account, even with the password...
        assert_eq!(
            sign_in(&guesser, "cleo@birch.test", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // ...and Cleo still gets in from her own address.
        assert_eq!(
            sign_in(&owner, "cleo@birch.test", PASSWORD).await,
            StatusCode::OK
        );
        // From a third address her account is paused a second, not locked.
        let travelling = client_at("127.0.0.3");
        let first = app
            .sign_in(
                &travelling,
                json!({"email": "cleo@birch.test", "password": PASSWORD}),
            )
            .await;
        if first.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = first.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(wait <= 2, "paused {wait} s");
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            assert_eq!(
                sign_in(&travelling, "cleo@birch.test", PASSWORD).await,
                StatusCode::OK
            );
        } else {
            assert_eq!(first.status(), StatusCode::OK);
        }

        // Twenty failures from one address across accounts (a NAT's worth
        // of typos, or a sprayer): the address is slowed, and the
        // administrator, who signed in there before, gets in at once.
        assert_eq!(
            sign_in(&guesser, "root@fts.test", PASSWORD).await,
            StatusCode::OK
        );
        for n in 0..20 {
            let status = sign_in(&guesser, &format!("nobody{n}@fts.test"), "guess-guess").await;
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
                "{status}"
            );
        }
        assert_eq!(
            sign_in(&guesser, "sam@fts.test", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "others at that address wait their pause"
        );
        assert_eq!(
            sign_in(&guesser, "root@fts.test", PASSWORD).await,
            StatusCode::OK
        );
    }
);

on_both_databases!(
    a_session_due_for_its_activity_serves_a_burst_of_requests_and_writes_once,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        // Due: last used more than a minute ago.
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 2 * 60000")
            .execute(&app.state.db)
            .await
            .unwrap();
        let due = app.scalar("SELECT MAX(last_seen_at) FROM sessions").await;
        // Reads and writes of the same session at once, as a busy client
        // sends them.
        let (_, page) = app
            .get_json(&sam, "/ordering/api/orders?view=in-progress&limit=40")
            .await;
        let ids: Vec<i64> = page["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|order| order["id"].as_i64().unwrap())
            .collect();
        let burst = ids.iter().enumerate().map(|(index, id)| {
            let request = if index % 2 == 0 {
                sam.get(app.url("/ordering/api/orders/counts"))
            } else {
                sam.post(app.url(&format!("/ordering/api/orders/{id}/notes")))
                    .json(&json!({"body": "Checked with the vendor."}))
            };
            request.send()
        });
        for answer in futures_util::future::join_all(burst).await {
            let status = answer.unwrap().status();
            assert!(status.is_success(), "{status}");
        }
        // Recorded once, in the background, soon after.
        let mut recorded = app.scalar("SELECT MAX(last_seen_at) FROM sessions").await;
        for _ in 0..50 {
            if recorded > due {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            recorded = app.scalar("SELECT MAX(last_seen_at) FROM sessions").await;
        }
        assert!(recorded > due, "the session's activity was recorded");
    }
);
