//! The service-level clock through the API: it starts at submission,
//! pauses while the order waits for the customer, restarts on
//! resubmission, stops on receipt; lists sort by it; orders submitted
//! before it existed get it from their timeline.

use crate::helpers::*;
use crate::on_both_databases;
use app::rules::sla::{self, add_business_days};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Date;

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

fn date(text: &str) -> Date {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .expect("a YYYY-MM-DD date")
}

/// Moves the start of the pause in progress `days` calendar days back, as
/// if the order had been waiting that long.
async fn pause_began_days_ago(app: &TestApp, number: &str, days: i64) {
    sqlx::query("UPDATE orders SET sla_paused_since = sla_paused_since - $1 WHERE number = $2")
        .bind(days)
        .bind(number)
        .execute(&app.state.db)
        .await
        .expect("move the pause");
}

/// A staff move of order `id`, as `POST …/transition` answers it.
async fn move_to(
    app: &TestApp,
    staff: &reqwest::Client,
    id: i64,
    body: Value,
) -> (StatusCode, Value) {
    app.post_json(
        staff,
        &format!("/ordering/api/orders/{id}/transition"),
        body,
    )
    .await
}

/// A customer's resubmission of order `id` with `note`.
async fn resubmit(
    app: &TestApp,
    customer: &reqwest::Client,
    id: i64,
    note: &str,
) -> (StatusCode, Value) {
    app.post_json(
        customer,
        &format!("/order/{id}/submit-for-processing"),
        json!({ "note": note }),
    )
    .await
}

async fn order_json(app: &TestApp, client: &reqwest::Client, number: &str) -> Value {
    let id = app.order_id(number).await;
    let (status, body) = app
        .get_json(client, &format!("/ordering/api/orders/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

on_both_databases!(
    the_clock_starts_at_submission_pauses_on_hold_and_restarts_on_resubmission,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1002").await;

        // Pending: not submitted, no clock.
        assert_eq!(order_json(&app, &ava, "ORD-1002").await["sla"], Value::Null);

        let (status, order) = app
            .post_empty(&ava, &format!("/order/{id}/submit-for-processing"))
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["status"], "submitted");
        // Lien Search turns around in 3 business days.
        let due = add_business_days(today(), 3);
        assert_eq!(order["sla"]["due_date"], due.to_string());
        assert_eq!(order["sla"]["business_days_left"], 3);
        assert_eq!(order["sla"]["paused_days"], 0);
        assert_eq!(order["sla"]["overdue"], false);
        assert_eq!(order["sla"]["state"], "running");

        // Held for a week: five business days whatever the weekday.
        let (status, order) = move_to(
            &app,
            &sam,
            id,
            json!({"to": "on_hold", "reason": "The county form is missing."}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["sla"]["state"], "paused");
        pause_began_days_ago(&app, "ORD-1002", 7).await;
        let held = order_json(&app, &ava, "ORD-1002").await;
        assert_eq!(held["sla"]["paused_days"], 5);
        assert_eq!(
            held["sla"]["due_date"],
            add_business_days(due, 5).to_string()
        );
        assert_eq!(
            held["sla"]["overdue"], false,
            "the customer's turn is not late"
        );

        let (status, order) = resubmit(&app, &ava, id, "The form is attached now.").await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["status"], "resubmitted");
        assert_eq!(order["sla"]["state"], "running");
        assert_eq!(order["sla"]["paused_days"], 5);
        let after_first_hold = add_business_days(due, 5);
        assert_eq!(order["sla"]["due_date"], after_first_hold.to_string());

        // A second hold, of two weeks, adds ten more.
        let (status, _) = move_to(
            &app,
            &sam,
            id,
            json!({"to": "rejected", "reason": "The parcel number is wrong."}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        pause_began_days_ago(&app, "ORD-1002", 14).await;
        let (status, order) = resubmit(&app, &ava, id, "Corrected the parcel number.").await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["sla"]["paused_days"], 15);
        assert_eq!(
            order["sla"]["due_date"],
            add_business_days(after_first_hold, 10).to_string()
        );

        // Customers and staff read the same clock.
        assert_eq!(
            order_json(&app, &sam, "ORD-1002").await["sla"],
            order_json(&app, &ava, "ORD-1002").await["sla"]
        );
    }
);

on_both_databases!(receipt_stops_the_clock, async |app: TestApp| {
    let sam = app.login("sam@fts.test").await;
    let id = app.order_id("ORD-1011").await;
    let (status, order) = move_to(&app, &sam, id, json!({"to": "received"})).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    let state = order["sla"]["state"].as_str().unwrap().to_owned();
    assert!(matches!(state.as_str(), "met" | "missed"), "{order}");
    let stopped = order["sla"].clone();
    let (status, order) = move_to(&app, &sam, id, json!({"to": "complete"})).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(
        order["sla"], stopped,
        "completion does not move a stopped clock"
    );

    // Cancelled orders show no clock.
    let id = app.order_id("ORD-1010").await;
    let (status, order) = move_to(
        &app,
        &sam,
        id,
        json!({"to": "cancelled", "reason": "Withdrawn by the buyer."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["sla"], Value::Null);
});

on_both_databases!(
    late_orders_are_marked_and_lead_the_urgency_sort,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        // ORD-1010 was due a month ago: before every other order.
        let late = sla::day_of(today()) - 30;
        sqlx::query("UPDATE orders SET sla_due_day = $1 WHERE number = 'ORD-1010'")
            .bind(late)
            .execute(&app.state.db)
            .await
            .expect("make it late");
        let order = order_json(&app, &sam, "ORD-1010").await;
        assert_eq!(order["sla"]["overdue"], true, "{order}");
        assert!(order["sla"]["business_days_left"].as_i64().unwrap() < 0);

        // Page by page, two at a time: due dates never go back, and orders
        // without a clock come last.
        let orders = app
            .every_listed_order(&sam, "view=in-progress&sort=urgency&limit=2")
            .await;
        assert_eq!(orders[0]["number"], "ORD-1010", "the latest is first");
        let dues: Vec<Option<Date>> = orders
            .iter()
            .map(|order| order["sla"]["due_date"].as_str().map(date))
            .collect();
        let first_unclocked = dues
            .iter()
            .position(Option::is_none)
            .expect("unsubmitted orders");
        assert!(
            dues[first_unclocked..].iter().all(Option::is_none),
            "{dues:?}"
        );
        assert!(
            dues[..first_unclocked]
                .windows(2)
                .all(|pair| pair[0] <= pair[1]),
            "{dues:?}"
        );
        let newest_first = app.every_listed_order(&sam, "view=in-progress").await;
        assert_eq!(
            orders.len(),
            newest_first.len(),
            "the same orders, in another order"
        );

        // The same for a customer, within their company.
        let ava = app.login("ava@acme.test").await;
        let numbers = app
            .numbers(&ava, "/ordering/api/orders?view=in-progress&sort=urgency")
            .await;
        assert_eq!(numbers[0], "ORD-1010");
        assert!(numbers.iter().all(|number| number.starts_with("ORD-1")));
    }
);

on_both_databases!(
    orders_submitted_before_the_clock_get_it_from_their_timeline,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let expected = order_json(&app, &sam, "ORD-1007").await["sla"].clone();
        assert_eq!(expected["state"], "paused", "{expected}");
        sqlx::query(
            "UPDATE orders SET sla_due_day = $1, sla_paused_days = 0, sla_paused_since = NULL, \
             sla_stopped_on = NULL WHERE status NOT IN ('unprocessed', 'pending', 'cancelled')",
        )
        .bind(sla::NO_DUE_DAY)
        .execute(&app.state.db)
        .await
        .expect("forget the clocks");
        assert_eq!(order_json(&app, &sam, "ORD-1007").await["sla"], Value::Null);

        let given = app::server::services::sla::backfill(&app.state.db)
            .await
            .expect("backfill");
        assert_eq!(
            given as i64,
            app.scalar(
                "SELECT COUNT(*) FROM orders WHERE status NOT IN ('unprocessed', 'pending', 'cancelled')"
            )
            .await
        );
        assert_eq!(order_json(&app, &sam, "ORD-1007").await["sla"], expected);
        assert_eq!(
            app::server::services::sla::backfill(&app.state.db)
                .await
                .expect("backfill"),
            0,
            "nothing left to do"
        );
    }
);

on_both_databases!(each_user_keeps_their_list_layout, async |app: TestApp| {
    let sam = app.login("sam@fts.test").await;
    let ava = app.login("ava@acme.test").await;
    let read = async |client: &reqwest::Client| {
        let (status, me) = app.get_json(client, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::OK);
        me["list_layout"].as_str().unwrap().to_owned()
    };
    assert_eq!(read(&sam).await, "table", "staff start with the table");
    assert_eq!(read(&ava).await, "cards");

    let (status, _) = app
        .post_form(&ava, "/api/set-list-layout", "layout=table")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read(&ava).await, "table");
    assert_eq!(read(&sam).await, "table");

    let (status, body) = app
        .post_form(&ava, "/api/set-list-layout", "layout=grid")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(read(&ava).await, "table", "a bad layout changes nothing");

    let (status, _) = app
        .post_form(&app.anonymous(), "/api/set-list-layout", "layout=cards")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});
