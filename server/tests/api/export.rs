//! `GET /ordering/api/orders/export.csv`: the list's orders, all of them,
//! as CSV.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::{Client, StatusCode};
use serde_json::json;

/// Every order number the list gives for `query`, page after page.
async fn listed(app: &TestApp, client: &Client, query: &str) -> Vec<String> {
    app.every_listed_order(client, query)
        .await
        .iter()
        .map(|order| order["number"].as_str().expect("a number").to_owned())
        .collect()
}

/// The export's rows (header first), as the `csv` crate reads them.
async fn exported(app: &TestApp, client: &Client, query: &str) -> Vec<Vec<String>> {
    let response = client
        .get(app.url(&format!("/ordering/api/orders/export.csv?{query}")))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|value| value.starts_with("attachment; filename=\"orders")),
    );
    let body = response.bytes().await.expect("the file");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_ref())
        .records()
        .map(|record| {
            record
                .expect("a CSV record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn numbers(rows: &[Vec<String>]) -> Vec<String> {
    assert_eq!(rows[0][0], "Number", "the header comes first");
    assert!(rows.iter().all(|row| row.len() == rows[0].len()));
    rows[1..].iter().map(|row| row[0].clone()).collect()
}

on_both_databases!(
    the_export_holds_exactly_the_lists_orders,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let cleo = app.login("cleo@birch.test").await;
        for (client, query) in [
            (&ava, "view=in-progress"),
            (&ava, "view=completed&sort=oldest"),
            (&ava, "q=ord-10"),
            (&sam, "view=in-progress&status=pending"),
            (&sam, "view=on-hold&sort=oldest"),
            (&cleo, "view=in-progress"),
        ] {
            let list = listed(&app, client, query).await;
            assert!(!list.is_empty(), "{query} lists something");
            assert_eq!(
                numbers(&exported(&app, client, query).await),
                list,
                "{query}"
            );
        }
        // The page's own link: the list's query as the page writes it.
        let query = app::model::OrderQuery {
            view: Some(app::rules::View::InProgress),
            q: Some("Lane & Co".to_owned()),
            sort: app::model::Sort::Oldest,
            ..Default::default()
        }
        .list_query_string();
        assert_eq!(query, "view=in-progress&q=Lane+%26+Co&sort=oldest");
        assert_eq!(
            numbers(&exported(&app, &sam, &query).await),
            listed(&app, &sam, &query).await
        );
        // Another company's orders are not in it.
        let cleos = numbers(&exported(&app, &cleo, "view=in-progress").await);
        let avas = numbers(&exported(&app, &ava, "view=in-progress").await);
        assert!(cleos.iter().all(|number| !avas.contains(number)));
    }
);

on_both_databases!(
    an_export_longer_than_a_page_holds_every_order_once,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let product = app.scalar("SELECT MIN(id) FROM products").await;
        for batch in 0..6 {
            let orders: Vec<_> = (0..20)
                .map(
                    |index| json!({"product_id": product, "title": format!("Lot {batch}-{index}")}),
                )
                .collect();
            let (status, body) = app
                .post_json(&ava, "/ordering/api/orders", json!({"orders": orders}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let list = listed(&app, &ava, "view=in-progress").await;
        assert!(list.len() > 120, "{} orders", list.len());
        let rows = numbers(&exported(&app, &ava, "view=in-progress&limit=5&cursor=").await);
        assert_eq!(rows, list, "cursor and limit do not cut the export short");
        let unique: std::collections::BTreeSet<_> = rows.iter().collect();
        assert_eq!(unique.len(), rows.len());
    }
);

on_both_databases!(
    cells_are_escaped_and_formulas_neutralised,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let product = app.scalar("SELECT MIN(id) FROM products").await;
        let titles = [
            "=HYPERLINK(\"https://evil.test\",\"Click\")",
            "+1 Main St",
            "-2 Side St",
            "@SUM(A1)",
            "Smith, \"Jr.\" parcel",
        ];
        let orders: Vec<_> = titles
            .iter()
            .map(|title| json!({"product_id": product, "title": title}))
            .collect();
        let (status, _) = app
            .post_json(&ava, "/ordering/api/orders", json!({"orders": orders}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let rows = exported(&app, &ava, "view=in-progress").await;
        let title_column = rows[0]
            .iter()
            .position(|name| name == "Title")
            .expect("a title column");
        let exported_titles: Vec<&str> = rows[1..]
            .iter()
            .map(|row| row[title_column].as_str())
            .collect();
        for expected in [
            "'=HYPERLINK(\"https://evil.test\",\"Click\")",
            "'+1 Main St",
            "'-2 Side St",
            "'@SUM(A1)",
            "Smith, \"Jr.\" parcel",
        ] {
            assert!(
                exported_titles.contains(&expected),
                "{expected} in {exported_titles:?}"
            );
        }
        assert!(
            exported_titles
                .iter()
                .all(|title| !title.starts_with(['=', '+', '-', '@'])),
            "{exported_titles:?}"
        );
    }
);

on_both_databases!(
    a_query_the_list_refuses_is_refused_before_any_row,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        for query in [
            "q=ab",
            "view=nowhere",
            "status=lost",
            "cursor=",
            "sort=sideways",
        ] {
            let response = ava
                .get(app.url(&format!("/ordering/api/orders/export.csv?{query}")))
                .send()
                .await
                .expect("answer");
            if query == "cursor=" {
                assert_eq!(
                    response.status(),
                    StatusCode::OK,
                    "an empty cursor is no cursor"
                );
                continue;
            }
            let (status, body) = json_of(response).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        }
        let anonymous = app
            .anonymous()
            .get(app.url("/ordering/api/orders/export.csv"))
            .send()
            .await
            .expect("answer");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }
);
