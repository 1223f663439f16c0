//! The administration lists: paging, search and filters, checked against
//! what the database itself says of the same rows.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;
use std::collections::HashSet;

/// Adds `companies` companies ("Firm 000", …) with three users each: an
/// administrator, a user and, for every fifth company, a disabled user.
/// Dates and ids run in different orders, so that each sort is its own.
async fn add_directory(app: &TestApp, companies: usize) {
    let mut firms = Vec::new();
    for i in 0..companies {
        let created = 1_700_000_000_000_i64 + ((i * 7919) % companies) as i64 * 1000;
        firms.push(format!(
            "('Firm {i:03} {}', {}, 1, {created})",
            ["North", "South", "Élan"][i % 3],
            i % 2
        ));
    }
    sqlx::query(&format!(
        "INSERT INTO companies (name, has_account, enable_cancel_order, created_at) VALUES {}",
        firms.join(", ")
    ))
    .execute(&app.state.db)
    .await
    .expect("companies");
    let ids: Vec<(i64, String)> =
        sqlx::query("SELECT id, name FROM companies WHERE name LIKE 'Firm %'")
            .fetch_all(&app.state.db)
            .await
            .expect("company ids")
            .iter()
            .map(|row| (row.get("id"), row.get("name")))
            .collect();
    let mut users = Vec::new();
    for (index, (id, name)) in ids.iter().enumerate() {
        let number = &name[5..8];
        for (role, group) in [("admin", "customer_admin"), ("clerk", "customer_user")] {
            users.push(format!(
                "('{role}{number}@firm{number}.test', '{} {role}', 'x', '{group}', {id}, 0, {})",
                ["Zoë", "adam", "Bea"][index % 3],
                1_700_000_000_000_i64 + (index as i64 * 31 % 97) * 1000
            ));
        }
        if index % 5 == 0 {
            users.push(format!(
                "('gone{number}@firm{number}.test', 'Gone {number}', 'x', 'customer_user', {id}, 1, 1700000000000)"
            ));
        }
    }
    sqlx::query(&format!(
        "INSERT INTO users (email, name, password_hash, group_code, company_id, disabled, created_at) VALUES {}",
        users.join(", ")
    ))
    .execute(&app.state.db)
    .await
    .expect("users");
}

/// Every page of a list, following `next_cursor`; fails on a repeat.
async fn all_pages(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(cursor) => format!("{path}{separator}cursor={cursor}"),
            None => path.to_owned(),
        };
        let (status, page) = app.get_json(client, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        for item in page["items"].as_array().expect("items") {
            assert!(
                seen.insert(item["id"].as_i64().unwrap()),
                "{url} repeats {item}"
            );
            items.push(item.clone());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

/// The ids a query of the test's own answers, in its order.
async fn ids_of(app: &TestApp, sql: &str) -> Vec<i64> {
    sqlx::query(sql)
        .fetch_all(&app.state.db)
        .await
        .expect(sql)
        .iter()
        .map(|row| row.get::<i64, _>(0))
        .collect()
}

on_both_databases!(
    admin_lists_page_in_every_order_without_gaps,
    async |app: TestApp| {
        add_directory(&app, 40).await;
        let root = app.login("root@fts.test").await;
        let cases = [
            (
                "/ordering/api/admin/companies?limit=7",
                "SELECT id FROM companies ORDER BY name, id",
            ),
            (
                "/ordering/api/admin/companies?limit=7&sort=newest",
                "SELECT id FROM companies ORDER BY created_at DESC, id DESC",
            ),
            (
                "/ordering/api/admin/users?limit=9",
                "SELECT id FROM users ORDER BY email, id",
            ),
            (
                "/ordering/api/admin/users?limit=9&sort=name",
                "SELECT id FROM users ORDER BY name, id",
            ),
            (
                "/ordering/api/admin/users?limit=9&sort=newest",
                "SELECT id FROM users ORDER BY created_at DESC, id DESC",
            ),
            (
                "/ordering/api/admin/users?limit=4&group=customer_user&disabled=false",
                "SELECT id FROM users WHERE group_code = 'customer_user' AND disabled = 0 ORDER BY email, id",
            ),
            (
                "/ordering/api/admin/users?disabled=true&sort=name&limit=3",
                "SELECT id FROM users WHERE disabled = 1 ORDER BY name, id",
            ),
            (
                "/ordering/api/admin/companies?has_account=true&enable_cancel_order=true&limit=5",
                "SELECT id FROM companies WHERE has_account = 1 AND enable_cancel_order = 1 ORDER BY name, id",
            ),
        ];
        for (path, expected) in cases {
            let listed = all_pages(&app, &root, path).await;
            assert_eq!(ids(&listed), ids_of(&app, expected).await, "{path}");
        }
        // A company's users.
        let firm: i64 = app
            .scalar("SELECT id FROM companies WHERE name = 'Firm 005 Élan'")
            .await;
        let listed = all_pages(
            &app,
            &root,
            &format!("/ordering/api/admin/users?company_id={firm}&limit=2"),
        )
        .await;
        assert_eq!(
            ids(&listed),
            ids_of(
                &app,
                &format!("SELECT id FROM users WHERE company_id = {firm} ORDER BY email, id")
            )
            .await
        );
        assert!(
            listed
                .iter()
                .all(|user| user["company"]["name"] == "Firm 005 Élan")
        );
        assert!(!listed.is_empty());
    }
);

on_both_databases!(
    admin_search_finds_what_a_substring_match_finds,
    async |app: TestApp| {
        add_directory(&app, 40).await;
        let root = app.login("root@fts.test").await;
        let users: Vec<(i64, String, String, String, bool)> =
            sqlx::query("SELECT id, email, name, group_code, disabled FROM users")
                .fetch_all(&app.state.db)
                .await
                .unwrap()
                .iter()
                .map(|row| {
                    (
                        row.get("id"),
                        row.get("email"),
                        row.get("name"),
                        row.get("group_code"),
                        row.get::<i64, _>("disabled") == 1,
                    )
                })
                .collect();
        let holds = |text: &str, field: &str| field.to_lowercase().contains(&text.to_lowercase());
        for (q, filter, keep) in [
            (
                "FIRM01",
                "",
                &(|_: &str, _: bool| true) as &dyn Fn(&str, bool) -> bool,
            ),
            ("rm03", "&group=customer_admin", &|group, _| {
                group == "customer_admin"
            }),
            ("zoë", "", &|_, _| true),
            ("ADAM", "&disabled=false", &|_, disabled| !disabled),
            ("gone", "&disabled=true", &|_, disabled| disabled),
            ("@acme.test", "", &|_, _| true),
            ("100%", "", &|_, _| true),
            ("no such person", "", &|_, _| true),
        ] {
            let mut expected: Vec<i64> = users
                .iter()
                .filter(|(_, email, name, group, disabled)| {
                    (holds(q, email) || holds(q, name)) && keep(group, *disabled)
                })
                .map(|user| user.0)
                .collect();
            let path = format!(
                "/ordering/api/admin/users?limit=3&q={}{filter}",
                urlencoding(q)
            );
            let mut found = ids(&all_pages(&app, &root, &path).await);
            found.sort_unstable();
            expected.sort_unstable();
            assert_eq!(found, expected, "{path}");
        }
        assert_eq!(
            ids(&all_pages(&app, &root, "/ordering/api/admin/users?q=firm0&limit=100").await).len(),
            ids_of(&app, "SELECT id FROM users WHERE email LIKE '%firm0%'")
                .await
                .len()
        );
        let companies = all_pages(
            &app,
            &root,
            "/ordering/api/admin/companies?q=%C3%A9lan&limit=4",
        )
        .await;
        let names: Vec<&str> = companies
            .iter()
            .map(|company| company["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 13, "{names:?}");
        assert!(names.iter().all(|name| name.ends_with("Élan")));
        assert!(
            names.windows(2).all(|pair| pair[0] < pair[1]),
            "by name: {names:?}"
        );
    }
);

on_both_databases!(
    a_common_search_walks_the_list_in_order,
    async |app: TestApp| {
        // More matches than the search fetches by id: the list is walked
        // in its own order instead.
        let mut rows = Vec::new();
        for i in 0..2_300 {
            rows.push(format!(
                "('bulk{i:04}@volume.test', 'Bulk {i}', 'x', 'staff', NULL, 0, {})",
                1_700_000_000_000_i64 + i
            ));
        }
        sqlx::query(&format!(
            "INSERT INTO users (email, name, password_hash, group_code, company_id, disabled, created_at) VALUES {}",
            rows.join(", ")
        ))
        .execute(&app.state.db)
        .await
        .unwrap();
        let root = app.login("root@fts.test").await;
        let listed = all_pages(
            &app,
            &root,
            "/ordering/api/admin/users?q=BULK&limit=100&sort=newest",
        )
        .await;
        assert_eq!(
            ids(&listed),
            ids_of(
                &app,
                "SELECT id FROM users WHERE email LIKE 'bulk%' ORDER BY created_at DESC, id DESC"
            )
            .await
        );
        let (status, page) = app
            .get_json(&root, "/ordering/api/admin/users?q=bulk07&limit=100")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["items"].as_array().unwrap().len(), 100);
        assert_eq!(page["items"][0]["email"], "bulk0700@volume.test");
    }
);

on_both_databases!(
    a_company_page_counts_its_users_and_orders,
    async |app: TestApp| {
        let root = app.login("root@fts.test").await;
        let ava = app.login("ava@acme.test").await;
        let (_, me) = app.get_json(&ava, "/ordering/api/me").await;
        let acme = me["company"]["id"].as_i64().unwrap();
        let (status, overview) = app
            .get_json(&root, &format!("/ordering/api/admin/companies/{acme}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{overview}");
        assert_eq!(overview["name"], "Acme Title");
        assert_eq!(overview["user_count"], 2);
        let (_, counts) = app.get_json(&ava, "/ordering/api/orders/counts").await;
        assert_eq!(overview["order_counts"], counts);
        let (status, body) = app
            .get_json(&root, "/ordering/api/admin/companies/999999")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        error_code(&body);
    }
);

on_both_databases!(
    bad_list_queries_are_refused_clearly,
    async |app: TestApp| {
        let root = app.login("root@fts.test").await;
        for path in [
            "/ordering/api/admin/users?cursor=abc",
            "/ordering/api/admin/users?cursor=99999999",
            "/ordering/api/admin/companies?cursor=-1",
            "/ordering/api/admin/users?limit=0",
            "/ordering/api/admin/companies?limit=101",
            "/ordering/api/admin/users?q=ab",
            "/ordering/api/admin/users?group=wizard",
            "/ordering/api/admin/users?disabled=maybe",
            "/ordering/api/admin/users?company_id=x",
            "/ordering/api/admin/users?sort=shoe_size",
            "/ordering/api/admin/companies?colour=red",
        ] {
            let (status, body) = app.get_json(&root, path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(!error_code(&body).is_empty());
        }
        let (_, body) = app.get_json(&root, "/ordering/api/admin/users?q=ab").await;
        assert_eq!(
            body["error"]["message"],
            "Type at least 3 characters to search."
        );
    }
);

/// `text` as a query parameter value.
fn urlencoding(text: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", [("q", text)])
        .unwrap()
        .query()
        .unwrap()
        .trim_start_matches("q=")
        .to_owned()
}
