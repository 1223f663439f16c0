//! Scale data (`seed-scale`): what it loads is consistent with what the
//! portal shows. Each view's badge equals a count of its statuses, search
//! finds what a substring match finds, and keyset pages cover a list
//! without gaps or repeats, for a customer administrator, a customer user
//! and staff.

use crate::helpers::*;
use crate::on_both_databases;
use app::rules::sla::NO_DUE_DAY;
use app::server::db::{self, now_ms};
use app::server::scale::{ScalePlan, load_scale};
use app::server::services::search;
use reqwest::{Client, StatusCode};
use sqlx::Row;
use std::collections::BTreeSet;
use std::process::Command;

const PLAN: ScalePlan = ScalePlan {
    orders: 3_000,
    companies: 12,
    big_tenant_orders: 1_200,
    seed: 7,
};

/// Each view and its statuses, as docs/rules.md lists them.
const VIEWS: [(&str, &str, &[&str]); 5] = [
    (
        "in_progress",
        "in-progress",
        &[
            "unprocessed",
            "pending",
            "submitted",
            "resubmitted",
            "ordered",
            "allocated",
        ],
    ),
    ("on_hold", "on-hold", &["on_hold", "rejected"]),
    ("resubmitted", "resubmitted", &["resubmitted"]),
    ("completed", "completed", &["received", "complete"]),
    ("cancelled", "cancelled", &["cancelled"]),
];

/// Who sees what, as SQL over `orders o`.
enum Scope {
    Company(&'static str),
    PlacedBy(&'static str),
    All,
}

impl Scope {
    fn condition(&self) -> String {
        match self {
            Scope::Company(name) => {
                format!("o.company_id = (SELECT id FROM companies WHERE name = '{name}')")
            }
            Scope::PlacedBy(email) => {
                format!("o.placed_by = (SELECT id FROM users WHERE email = '{email}')")
            }
            Scope::All => "1 = 1".to_owned(),
        }
    }
}

/// The ids of every order a list shows, page after page.
async fn every_page(app: &TestApp, client: &Client, query: &str) -> Vec<i64> {
    app.every_listed_order(client, query)
        .await
        .iter()
        .map(|order| order["id"].as_i64().expect("id"))
        .collect()
}

/// The orders of `scope` whose number or title holds `text`, whatever
/// its case: what a search must find.
async fn substring_matches(app: &TestApp, scope: &Scope, text: &str) -> BTreeSet<i64> {
    sqlx::query(&format!(
        "SELECT o.id FROM orders o WHERE {} \
         AND (LOWER(o.number) LIKE $1 OR LOWER(o.title) LIKE $1)",
        scope.condition()
    ))
    .bind(format!("%{}%", text.to_lowercase()))
    .fetch_all(&app.state.db)
    .await
    .expect("substring match")
    .iter()
    .map(|row| row.get::<i64, _>("id"))
    .collect()
}

fn assert_no_repeats(ids: &[i64], what: &str) {
    let distinct: BTreeSet<&i64> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{what}: an order shown twice");
}

on_both_databases!(
    scale_data_agrees_with_every_count_page_and_search,
    async |app: TestApp| {
        let demo_orders = app.scalar("SELECT COUNT(*) FROM orders").await;
        let loaded = load_scale(&app.state.db, &PLAN).await.expect("scale data");
        assert_eq!(loaded.orders, PLAN.orders);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM orders").await,
            demo_orders + 3_000
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM users WHERE email LIKE 'admin%@scale.test'")
                .await,
            12
        );
        // The big tenant's new orders are Ava's and Ben's; every other
        // company's orders are its administrator's; a group is one
        // company's and one placer's.
        assert_eq!(
            app.scalar(
                "SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.placed_by \
                 WHERE u.company_id <> o.company_id"
            )
            .await,
            0
        );
        assert_eq!(
            app.scalar(
                "SELECT COUNT(*) FROM orders o JOIN order_groups g ON g.id = o.group_id \
                 WHERE g.company_id <> o.company_id OR g.created_by <> o.placed_by"
            )
            .await,
            0
        );
        // Every submitted order has its service-level clock; no other has.
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM orders WHERE (sla_due_day = {NO_DUE_DAY}) = \
                 (status NOT IN ('unprocessed', 'pending', 'cancelled'))"
            ))
            .await,
            0
        );
        // The dashboard's counters were kept (SQLite) or counted again
        // (PostgreSQL) through the load.
        let sam = app.login("sam@fts.test").await;
        let figures = crate::stats::stats(&app, &sam).await;
        crate::stats::assert_agrees_with_counting(&app, &figures).await;
        let acme = Scope::Company("Acme Title");
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM orders o WHERE {}",
                acme.condition()
            ))
            .await,
            14 + 1_200
        );
        // New ids continue after the loaded ones.
        let max_id = app.scalar("SELECT MAX(id) FROM orders").await;
        let ava = app.login("ava@acme.test").await;
        let (status, placed) = app
            .post_json(
                &ava,
                "/ordering/api/orders",
                serde_json::json!({"orders": [{"product_id": 1, "title": "After the load"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        assert!(placed["orders"][0]["id"].as_i64().unwrap() > max_id);

        let callers = [
            (app.login("ava@acme.test").await, acme),
            (
                app.login("ben@acme.test").await,
                Scope::PlacedBy("ben@acme.test"),
            ),
            (app.login("sam@fts.test").await, Scope::All),
        ];
        for (client, scope) in &callers {
            let (status, counts) = app.get_json(client, "/ordering/api/orders/counts").await;
            assert_eq!(status, StatusCode::OK);
            for (count_name, view, statuses) in VIEWS {
                let listed = statuses
                    .iter()
                    .map(|status| format!("'{status}'"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let expected = app
                    .scalar(&format!(
                        "SELECT COUNT(*) FROM orders o WHERE {} AND o.status IN ({listed})",
                        scope.condition()
                    ))
                    .await;
                assert_eq!(counts[count_name], expected, "{count_name}");
                for sort in ["newest", "oldest", "urgency"] {
                    let ids = every_page(&app, client, &format!("view={view}&sort={sort}")).await;
                    assert_no_repeats(&ids, view);
                    assert_eq!(ids.len() as i64, expected, "{view} sorted {sort}");
                }
            }
            // Search: what a case-insensitive substring match of the
            // number or the title finds.
            // Common texts fill their pages from the next orders of the
            // list; rarer ones come from the trigram index. Texts no order
            // number could hold are looked for in titles only; digits may
            // be in either.
            for text in [
                "parcel",
                "LANE",
                "Cedar Lane",
                "parcel 42",
                "ord-1001",
                "D-100",
                "100",
                "HOA ESTOPPEL",
                // The words of "Street, Oakdale" side by side: a text
                // across words is matched with its signs and spaces.
                "Street, Oak",
                "street oak",
            ] {
                let expected = substring_matches(&app, scope, text).await;
                let query = format!("q={}", text.replace(' ', "+"));
                let found = every_page(&app, client, &query).await;
                assert_no_repeats(&found, &query);
                assert!(
                    !expected.is_empty() || ["ord-1001", "street oak"].contains(&text),
                    "{text} matches nothing"
                );
                assert_eq!(
                    found.into_iter().collect::<BTreeSet<_>>(),
                    expected,
                    "{text}"
                );
            }
        }
    }
);

// A text the trigram counts call too common for the index is looked for
// among the latest 500 orders first; finding fewer than a page there, the
// search checks the list in order, page after page, and finds what a
// substring match finds.
on_both_databases!(
    a_common_text_with_few_recent_matches_is_checked_in_list_order,
    async |app: TestApp| {
        load_scale(&app.state.db, &PLAN).await.expect("scale data");
        let text = "oak street";
        let engine = db::Engine::of_pool(&app.state.db);
        for trigram in search::indexed_trigrams(engine, text).expect("ASCII text") {
            sqlx::query(
                "INSERT INTO search_trigram_docs (trigram, docs) VALUES ($1, 1000000) \
                 ON CONFLICT (trigram) DO UPDATE SET docs = excluded.docs",
            )
            .bind(&trigram)
            .execute(&app.state.db)
            .await
            .expect("count the trigram as common");
        }
        let pattern = format!("%{text}%");
        let in_window = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT title FROM orders \
                 ORDER BY created_at DESC, id DESC LIMIT 500) AS latest \
                 WHERE LOWER(title) LIKE '{pattern}'"
            ))
            .await;
        assert!(
            (1..=10).contains(&in_window),
            "the latest 500 orders hold {in_window} matches, not between one and a page"
        );
        let expected = substring_matches(&app, &Scope::All, text).await;
        assert!(
            expected.len() > 20,
            "{} matches: fewer than three pages",
            expected.len()
        );
        let sam = app.login("sam@fts.test").await;
        let found = every_page(&app, &sam, "q=oak+street&limit=10").await;
        assert_no_repeats(&found, text);
        assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), expected);
    }
);

// Loading scale data counts the search's trigrams and says when, so that
// the next server to start leaves the fresh counts alone.
on_both_databases!(
    the_trigram_counts_say_when_they_were_made,
    async |app: TestApp| {
        let before = now_ms();
        let plan = ScalePlan {
            orders: 200,
            companies: 2,
            big_tenant_orders: 50,
            seed: 5,
        };
        load_scale(&app.state.db, &plan).await.expect("scale data");
        let counted_at = search::trigram_docs_counted_at(&app.state.db)
            .await
            .expect("read when counted")
            .expect("counted by the load");
        assert!(counted_at >= before, "counted by this load");
        assert!(
            !search::trigram_docs_due(Some(counted_at), now_ms(), 3_600_000),
            "fresh counts are not due"
        );
        search::refresh_trigram_docs(&app.state.db)
            .await
            .expect("count again");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM maintenance_runs WHERE task = 'search_trigram_docs'")
                .await,
            1,
            "one row per task, however often it runs"
        );
    }
);

// A search reads the counts once and keeps them a while (they only steer
// its plan); counting again in this process replaces them at once.
on_both_databases!(
    a_search_keeps_the_counts_it_read_until_they_are_made_again,
    async |app: TestApp| {
        let db = &app.state.db;
        let candidates = async || {
            search::rare_trigrams(db, "qqq")
                .await
                .expect("rare trigrams")
                .expect("an ASCII text has trigrams")
                .candidates
        };
        let record_qqq = async || {
            sqlx::query("INSERT INTO search_trigram_docs (trigram, docs) VALUES ('qqq', 1000000)")
                .execute(db)
                .await
                .expect("record a count");
        };
        assert_eq!(candidates().await, 0, "no title holds qqq");
        record_qqq().await;
        assert_eq!(candidates().await, 0, "the counts read first are kept");
        search::refresh_trigram_docs(db).await.expect("count again");
        record_qqq().await;
        assert_eq!(
            candidates().await,
            1_000_000,
            "counting again drops the kept counts"
        );
    }
);

/// What identifies the scale data, for comparing two loads.
async fn loaded_orders(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    sqlx::query(
        "SELECT o.number, o.status, o.title, c.name AS company, u.email AS placer \
         FROM orders o JOIN companies c ON c.id = o.company_id \
         JOIN users u ON u.id = o.placed_by ORDER BY o.id",
    )
    .fetch_all(&app.state.db)
    .await
    .expect("orders")
    .iter()
    .map(|row| {
        (
            row.get("number"),
            row.get("status"),
            row.get("title"),
            row.get("company"),
            row.get("placer"),
        )
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_loads_the_same_data_and_a_second_load_is_refused() {
    let plan = ScalePlan {
        orders: 500,
        companies: 5,
        big_tenant_orders: 100,
        seed: 3,
    };
    let first = spawn_app(Engine::Sqlite).await;
    let second = spawn_app(Engine::Sqlite).await;
    load_scale(&first.state.db, &plan)
        .await
        .expect("first load");
    load_scale(&second.state.db, &plan)
        .await
        .expect("second load");
    assert_eq!(loaded_orders(&first).await, loaded_orders(&second).await);
    let other_seed = ScalePlan { seed: 4, ..plan };
    let third = spawn_app(Engine::Sqlite).await;
    load_scale(&third.state.db, &other_seed)
        .await
        .expect("third load");
    assert_ne!(loaded_orders(&first).await, loaded_orders(&third).await);

    let again = load_scale(&first.state.db, &plan).await;
    assert!(again.is_err(), "a second load into the same database");
    assert_eq!(
        app_orders(&first).await,
        28 + 500,
        "the refused load changed nothing"
    );
}

async fn app_orders(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM orders").await
}

/// The command a benchmark runs: a fresh database gets the demo data and
/// the scale data; bad sizes are refused with a clear message.
#[test]
fn the_seed_scale_command_loads_a_fresh_database() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |arguments: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ordering-portal"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("scale.db").display()),
            )
            .env("FILES_DIR", dir.path().join("files"))
            .env("RUST_LOG", "warn")
            .arg("seed-scale")
            .args(arguments)
            .output()
            .expect("run ordering-portal")
    };
    let refused = run(&[
        "--orders",
        "10",
        "--companies",
        "0",
        "--big-tenant-orders",
        "20",
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--big-tenant-orders"),
        "{refused:?}"
    );
    let loaded = run(&[
        "--orders",
        "400",
        "--companies",
        "4",
        "--big-tenant-orders",
        "100",
    ]);
    assert!(loaded.status.success(), "{loaded:?}");
    let said = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        said.contains("Loaded 400 orders (100 of them for Acme Title"),
        "{said}"
    );
}
