//! Overload is not an outage: while many heavy staff searches run at once,
//! a customer's order page and badges are answered, and nobody is told
//! 503. The pool is small and gives up quickly here, so that searches
//! holding every connection would turn into 503s at once.

use crate::helpers::*;
use app::server::scale::{ScalePlan, load_scale};
use reqwest::{Client, StatusCode};
use std::time::{Duration, Instant};

const PLAN: ScalePlan = ScalePlan {
    orders: 20_000,
    companies: 20,
    big_tenant_orders: 2_000,
    seed: 11,
};

/// Every title has "parcel" in it: the broadest search there is.
const HEAVY_SEARCH: &str = "/ordering/api/orders?q=parcel";
const SEARCHES_AT_ONCE: usize = 16;
const LOAD_FOR: Duration = Duration::from_secs(4);

async fn statuses_until(client: Client, url: String, until: Instant) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    while Instant::now() < until {
        let response = client.get(&url).send().await.expect("an answer");
        statuses.push(response.status());
        let _ = response.bytes().await;
    }
    statuses
}

async fn customers_are_served_while_staff_searches_pile_up(engine: Engine) {
    let app = spawn_app_with(engine, |config| {
        config.db_max_connections = 2;
        config.db_acquire_timeout_ms = 100;
        config.db_list_concurrency = 1;
    })
    .await;
    load_scale(&app.state.db, &PLAN).await.expect("scale data");
    let sam = app.login("sam@fts.test").await;
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1002").await;

    let until = Instant::now() + LOAD_FOR;
    let searches: Vec<_> = (0..SEARCHES_AT_ONCE)
        .map(|_| tokio::spawn(statuses_until(sam.clone(), app.url(HEAVY_SEARCH), until)))
        .collect();
    let detail = app.url(&format!("/ordering/api/orders/{id}"));
    let counts = app.url("/ordering/api/orders/counts");
    let mut customer = Vec::new();
    while Instant::now() < until {
        for url in [&detail, &counts] {
            let response = ava.get(url).send().await.expect("an answer");
            customer.push(response.status());
        }
    }
    let mut staff = Vec::new();
    for search in searches {
        staff.extend(search.await.expect("search task"));
    }

    eprintln!(
        "{engine:?}: {} customer requests, {} staff searches",
        customer.len(),
        staff.len()
    );
    assert!(staff.len() >= SEARCHES_AT_ONCE, "the searches ran");
    assert!(
        customer.iter().all(|status| *status == StatusCode::OK),
        "customer answers: {customer:?}"
    );
    assert!(
        staff.iter().all(|status| *status == StatusCode::OK),
        "staff answers: {:?}",
        staff
            .iter()
            .filter(|status| **status != StatusCode::OK)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    customers_are_served_while_staff_searches_pile_up(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if !postgres_available().await {
        report_postgres_skip(concat!(module_path!(), "::postgres"));
        return;
    }
    customers_are_served_while_staff_searches_pile_up(Engine::Postgres).await;
}
