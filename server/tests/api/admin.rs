use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(only_staff_admins_administer, async |app: TestApp| {
    for email in ["ava@acme.test", "sam@fts.test"] {
        let client = app.login(email).await;
        for path in ["/ordering/api/admin/companies", "/ordering/api/admin/users"] {
            let (status, body) = app.get_json(&client, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{email} {path}");
            error_code(&body);
        }
        let (status, _) = app
            .post_json(
                &client,
                "/ordering/api/admin/companies",
                json!({"name": "Evil Corp"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let root = app.login("root@fts.test").await;
    let (status, companies) = app.get_json(&root, "/ordering/api/admin/companies").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(companies["items"].as_array().unwrap().len(), 2);
    assert_eq!(companies["next_cursor"], serde_json::Value::Null);
    let (_, users) = app.get_json(&root, "/ordering/api/admin/users").await;
    assert_eq!(users["items"].as_array().unwrap().len(), 5);
    assert!(!users.to_string().contains("argon2"), "no password hashes");
});

on_both_databases!(company_flags_take_effect_at_once, async |app: TestApp| {
    let root = app.login("root@fts.test").await;
    let cleo = app.login("cleo@birch.test").await;
    let birch = app.get_json(&cleo, "/ordering/api/me").await.1["company"]["id"]
        .as_i64()
        .unwrap();
    let (status, company) = app
        .patch_json(
            &root,
            &format!("/ordering/api/admin/companies/{birch}"),
            json!({"enable_cancel_order": true, "has_account": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{company}");
    assert_eq!(company["enable_cancel_order"], true);
    let (_, me) = app.get_json(&cleo, "/ordering/api/me").await;
    assert_eq!(me["features"]["enable_cancel_order"], true);
    assert_eq!(me["hasAccount"], true);
    let order = app.order_id("ORD-2002").await;
    let (status, cancelled) = app
        .post_empty(&cleo, &format!("/order/{order}/cancel"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["refund"]["kind"], "account_credit");

    for (bad, expected) in [
        (json!({"name": ""}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"name": "Acme Title"}), StatusCode::CONFLICT),
        (json!({"id": 9}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, body) = app
            .patch_json(
                &root,
                &format!("/ordering/api/admin/companies/{birch}"),
                bad.clone(),
            )
            .await;
        assert_eq!(status, expected, "{bad}: {body}");
    }
    let (status, _) = app
        .patch_json(
            &root,
            "/ordering/api/admin/companies/999999",
            json!({"has_account": false}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, created) = app
        .post_json(
            &root,
            "/ordering/api/admin/companies",
            json!({"name": "Cedar Escrow"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["enable_cancel_order"], true);
    assert_eq!(created["has_account"], false);
});

on_both_databases!(
    users_are_created_changed_and_disabled,
    async |app: TestApp| {
        let root = app.login("root@fts.test").await;
        let cleo = app.login("cleo@birch.test").await;
        let birch = app.get_json(&cleo, "/ordering/api/me").await.1["company"]["id"]
            .as_i64()
            .unwrap();
        let new_user = json!({"email": "Dana@Birch.test", "name": "Dana Dell", "password": "correct horse battery staple",
                          "group": "customer_user", "company_id": birch});
        let (status, dana) = app
            .post_json(&root, "/ordering/api/admin/users", new_user.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dana}");
        assert_eq!(dana["email"], "dana@birch.test");
        let (status, _) = app
            .post_json(&root, "/ordering/api/admin/users", new_user)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "the e-mail is taken");

        let dana_client = app.anonymous();
        let response = app
            .sign_in(
                &dana_client,
                json!({"email": "dana@birch.test", "password": "correct horse battery staple"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            app.numbers(&dana_client, "/ordering/api/orders")
                .await
                .is_empty(),
            "she placed none"
        );

        for bad in [
            json!({"email": "x@birch.test", "name": "X", "password": "short", "group": "customer_user", "company_id": birch}),
            json!({"email": "not-an-email", "name": "X", "password": "long enough", "group": "customer_user", "company_id": birch}),
            json!({"email": "y@fts.test", "name": "Y", "password": "long enough", "group": "staff", "company_id": birch}),
            json!({"email": "z@birch.test", "name": "Z", "password": "long enough", "group": "customer_user"}),
            json!({"email": "w@birch.test", "name": "W", "password": "long enough", "group": "root", "company_id": birch}),
        ] {
            let (status, body) = app
                .post_json(&root, "/ordering/api/admin/users", bad.clone())
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        }

        // Promotion, then disabling: her session ends at once.
        let dana_id = dana["id"].as_i64().unwrap();
        let (status, promoted) = app
            .patch_json(
                &root,
                &format!("/ordering/api/admin/users/{dana_id}"),
                json!({"group": "customer_admin"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(promoted["group"], "customer_admin");
        assert_eq!(
            app.numbers(&dana_client, "/ordering/api/orders?limit=100")
                .await
                .len(),
            14
        );
        let (status, disabled) = app
            .patch_json(
                &root,
                &format!("/ordering/api/admin/users/{dana_id}"),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(disabled["disabled"], true);
        let (status, _) = app.get_json(&dana_client, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let root_id = app.get_json(&root, "/ordering/api/me").await.1["user"]["id"]
            .as_i64()
            .unwrap();
        let (status, _) = app
            .patch_json(
                &root,
                &format!("/ordering/api/admin/users/{root_id}"),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no locking yourself out"
        );
    }
);

on_both_databases!(
    administrators_set_a_new_password_and_end_the_sessions,
    async |app: TestApp| {
        let root = app.login("root@fts.test").await;
        let ben = app.login("ben@acme.test").await;
        let ben_id = app
            .count("SELECT id FROM users WHERE email = $1", "ben@acme.test")
            .await;
        let path = format!("/ordering/api/admin/users/{ben_id}");

        // Too short, or asked by someone who is not an administrator: no change.
        let (status, body) = app
            .patch_json(&root, &path, json!({"password": "short"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let ava = app.login("ava@acme.test").await;
        let (status, _) = app
            .patch_json(&ava, &path, json!({"password": "ava chose this"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get_json(&ben, "/ordering/api/me").await.0,
            StatusCode::OK
        );

        let (status, body) = app
            .patch_json(&root, &path, json!({"password": "a brand new passphrase"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("password").is_none() && body.get("password_hash").is_none());
        // Ben's session ended; the old password is gone, the new one works.
        assert_eq!(
            app.get_json(&ben, "/ordering/api/me").await.0,
            StatusCode::UNAUTHORIZED
        );
        let old = app
            .sign_in(
                &app.anonymous(),
                json!({"email": "ben@acme.test", "password": PASSWORD}),
            )
            .await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        let new = app
            .sign_in(
                &app.anonymous(),
                json!({"email": "ben@acme.test", "password": "a brand new passphrase"}),
            )
            .await;
        assert_eq!(new.status(), StatusCode::OK);
        // The administrator's own session is untouched.
        assert_eq!(
            app.get_json(&root, "/ordering/api/me").await.0,
            StatusCode::OK
        );
    }
);

#[test]
fn create_user_makes_the_first_administrator() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("new.db").display());
    let run = |password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ordering-portal"))
            .args([
                "create-user",
                "--email",
                "admin@example.com",
                "--name",
                "First Admin",
            ])
            .env("DATABASE_URL", &database_url)
            .env("FILES_DIR", dir.path().join("files"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run("short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));
    let created = run("a long admin passphrase\n");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(
        String::from_utf8_lossy(&created.stdout)
            .contains("Created admin@example.com (FTS administrator).")
    );
    let again = run("a long admin passphrase\n");
    assert!(!again.status.success(), "the e-mail is taken");
}

on_both_databases!(
    racing_duplicates_answer_409_and_make_one_record,
    async |app: TestApp| {
        let root = app.login("root@fts.test").await;
        let birch: i64 = app
            .scalar("SELECT id FROM companies WHERE name = 'Birch Legal'")
            .await;
        for round in 0..5 {
            let company = json!({"name": format!("Racing Escrow {round}")});
            let user = json!({"email": format!("racer{round}@birch.test"), "name": "Racer",
                              "password": "correct horse battery staple",
                              "group": "customer_user", "company_id": birch});
            let companies = (0..8)
                .map(|_| app.post_json(&root, "/ordering/api/admin/companies", company.clone()));
            let users =
                (0..8).map(|_| app.post_json(&root, "/ordering/api/admin/users", user.clone()));
            let answers = futures_util::future::join(
                futures_util::future::join_all(companies),
                futures_util::future::join_all(users),
            )
            .await;
            for (what, answers) in [("company", answers.0), ("user", answers.1)] {
                let statuses: Vec<StatusCode> = answers.iter().map(|(status, _)| *status).collect();
                let created = statuses
                    .iter()
                    .filter(|status| **status == StatusCode::CREATED)
                    .count();
                assert_eq!(created, 1, "{what} {round}: {statuses:?}");
                for (status, body) in &answers {
                    if *status != StatusCode::CREATED {
                        assert_eq!(*status, StatusCode::CONFLICT, "{what} {round}: {body}");
                        assert_eq!(body["error"]["code"], "conflict");
                    }
                }
            }
        }
    }
);
