//! The staff dashboard's figures agree with counting the orders outright,
//! and exist for staff only.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY_MS: i64 = 86_400_000;

/// Unix milliseconds of a `YYYY-MM-DD` midnight (UTC).
fn midnight_ms(date: &str) -> i64 {
    let date = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .expect("a date");
    date.midnight().assume_utc().unix_timestamp() * 1000
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// Sam moves order `id` as `body` asks (`{"to": …, "reason": …}`).
async fn staff_moves(app: &TestApp, sam: &reqwest::Client, id: i64, body: Value) {
    let (status, answer) = app
        .post_json(sam, &format!("/ordering/api/orders/{id}/transition"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

pub async fn stats(app: &TestApp, client: &reqwest::Client) -> Value {
    let (status, body) = app.get_json(client, "/ordering/api/stats").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Checks every figure of `stats` against counting the orders outright.
pub async fn assert_agrees_with_counting(app: &TestApp, stats: &Value) {
    for (status, n) in stats["by_status"].as_object().expect("by_status") {
        let expected = count(
            app,
            &format!("SELECT COUNT(*) FROM orders WHERE status = '{status}'"),
        )
        .await;
        assert_eq!(n.as_i64(), Some(expected), "{status}");
    }
    assert_eq!(stats["by_status"].as_object().unwrap().len(), 11);

    let open = "status NOT IN ('received', 'complete', 'cancelled')";
    // Ages are calendar days (UTC) since the day placed.
    let today =
        (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64 / DAY_MS;
    let mut aged = 0;
    for bucket in stats["aging"].as_array().expect("aging") {
        let first = bucket["min_days"].as_i64().unwrap();
        let before = (today - first + 1) * DAY_MS;
        let mut sql = format!("SELECT COUNT(*) FROM orders WHERE {open} AND created_at < {before}");
        if let Some(last) = bucket["max_days"].as_i64() {
            sql.push_str(&format!(" AND created_at >= {}", (today - last) * DAY_MS));
        }
        assert_eq!(
            bucket["orders"].as_i64(),
            Some(count(app, &sql).await),
            "{bucket}"
        );
        aged += bucket["orders"].as_i64().unwrap();
    }
    assert_eq!(
        aged,
        count(app, &format!("SELECT COUNT(*) FROM orders WHERE {open}")).await,
        "every open order is in one bucket"
    );

    let weeks = stats["weekly"].as_array().expect("weekly");
    assert_eq!(weeks.len(), 12);
    for week in weeks {
        let start = midnight_ms(week["week_start"].as_str().unwrap());
        let end = start + 7 * DAY_MS;
        let placed = count(
            app,
            &format!(
                "SELECT COUNT(*) FROM orders WHERE created_at >= {start} AND created_at < {end}"
            ),
        )
        .await;
        let completed = count(
            app,
            &format!(
                "SELECT COUNT(*) FROM orders WHERE status = 'complete' \
                 AND updated_at >= {start} AND updated_at < {end}"
            ),
        )
        .await;
        assert_eq!(week["placed"].as_i64(), Some(placed), "{week}");
        assert_eq!(week["completed"].as_i64(), Some(completed), "{week}");
    }
    let first_week = midnight_ms(weeks[0]["week_start"].as_str().unwrap());

    for reason in stats["holds_by_reason"].as_array().expect("holds") {
        let text = reason["reason"].as_str().unwrap().replace('\'', "''");
        let expected = count(
            app,
            &format!(
                "SELECT COUNT(*) FROM orders WHERE status IN ('on_hold', 'rejected') \
                 AND hold_reason = '{text}'"
            ),
        )
        .await;
        assert_eq!(reason["orders"].as_i64(), Some(expected), "{reason}");
    }
    let listed: i64 = stats["holds_by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason["orders"].as_i64().unwrap())
        .sum();
    assert_eq!(
        listed,
        count(
            app,
            "SELECT COUNT(*) FROM orders WHERE status IN ('on_hold', 'rejected')"
        )
        .await
    );

    for product in stats["completion_by_product"].as_array().expect("products") {
        let name = product["product"].as_str().unwrap();
        let completed = count(
            app,
            &format!(
                "SELECT COUNT(*) FROM orders o JOIN products p ON p.id = o.product_id \
                 WHERE p.name = '{name}' AND o.status = 'complete' AND o.updated_at >= {first_week}"
            ),
        )
        .await;
        assert_eq!(product["completed"].as_i64(), Some(completed), "{product}");
        assert_eq!(
            product["median_days"].is_null(),
            completed == 0,
            "{product}"
        );
    }
}

on_both_databases!(
    the_dashboard_figures_agree_with_counting_the_orders,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let before = stats(&app, &sam).await;
        assert_agrees_with_counting(&app, &before).await;
        assert!(
            before["weekly"]
                .as_array()
                .unwrap()
                .iter()
                .any(|week| week["placed"].as_i64().unwrap() > 0),
            "the demo orders were placed in the last weeks"
        );

        // A hold and a completion move the figures.
        let held = app.order_id("ORD-1006").await;
        staff_moves(
            &app,
            &sam,
            held,
            json!({"to": "on_hold", "reason": "The survey plat is missing."}),
        )
        .await;
        let done = app.order_id("ORD-1012").await;
        staff_moves(&app, &sam, done, json!({"to": "complete"})).await;
        let after = stats(&app, &sam).await;
        assert_agrees_with_counting(&app, &after).await;
        assert_eq!(
            after["by_status"]["on_hold"].as_i64().unwrap(),
            before["by_status"]["on_hold"].as_i64().unwrap() + 1
        );
        assert!(
            after["holds_by_reason"]
                .as_array()
                .unwrap()
                .iter()
                .any(|reason| reason["reason"] == "The survey plat is missing."
                    && reason["orders"] == 1)
        );
        let completed = |stats: &Value| -> i64 {
            stats["weekly"]
                .as_array()
                .unwrap()
                .iter()
                .map(|week| week["completed"].as_i64().unwrap())
                .sum()
        };
        assert_eq!(completed(&after), completed(&before) + 1);

        // Resubmitted, rejected for another reason, then cancelled: each
        // reason leaves the list when its order moves on.
        let reasons = |stats: &Value| -> Vec<String> {
            stats["holds_by_reason"]
                .as_array()
                .unwrap()
                .iter()
                .map(|reason| reason["reason"].as_str().unwrap().to_owned())
                .collect()
        };
        let ben = app.login("ben@acme.test").await;
        let (status, body) = app
            .post_json(
                &ben,
                &format!("/order/{held}/submit-for-processing"),
                json!({"note": "The plat is attached now."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let resubmitted = stats(&app, &sam).await;
        assert_agrees_with_counting(&app, &resubmitted).await;
        assert!(!reasons(&resubmitted).contains(&"The survey plat is missing.".to_owned()));
        staff_moves(
            &app,
            &sam,
            held,
            json!({"to": "rejected", "reason": "The deed is unsigned."}),
        )
        .await;
        let rejected = stats(&app, &sam).await;
        assert_agrees_with_counting(&app, &rejected).await;
        assert!(reasons(&rejected).contains(&"The deed is unsigned.".to_owned()));
        let (status, _) = app.post_empty(&sam, &format!("/order/{held}/cancel")).await;
        assert_eq!(status, StatusCode::OK);
        let cancelled = stats(&app, &sam).await;
        assert_agrees_with_counting(&app, &cancelled).await;
        assert!(!reasons(&cancelled).contains(&"The deed is unsigned.".to_owned()));
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM order_reason_counts WHERE n = 0")
                .await,
            0,
            "a reason no order has any more leaves no row"
        );
    }
);

on_both_databases!(the_dashboard_exists_for_staff_only, async |app: TestApp| {
    for email in ["ava@acme.test", "ben@acme.test", "cleo@birch.test"] {
        let customer = app.login(email).await;
        let (status, body) = app.get_json(&customer, "/ordering/api/stats").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{email}: {body}");
        assert_eq!(error_code(&body), "not_found");
        let page = customer
            .get(app.url("/dashboard"))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{email}");
    }
    let root = app.login("root@fts.test").await;
    stats(&app, &root).await;
    let page = root.get(app.url("/dashboard")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Open orders by status"),
        "drawn on the server"
    );
    assert!(html.contains("<svg"), "drawn on the server");
});
