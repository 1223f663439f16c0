//! Pages whose visitors leave early: before the answer, after its status,
//! or halfway through the streamed HTML, many at once, with odd query
//! strings, some posting to the page. No server thread may panic, and the
//! server must still shut down within its time limit right afterwards,
//! finishing what it renders (a worker stuck in a lock would not).
//! `FUZZ_CASES` sets the number of page requests (default 400 per database).

use crate::fuzz::cases;
use crate::helpers::*;
use crate::on_both_databases;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Client;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Requests in flight at once.
const CONCURRENCY: usize = 16;

/// How a visitor leaves.
#[derive(Debug, Clone, Copy)]
enum Leave {
    /// Gives up before the answer arrives.
    BeforeAnswer(Duration),
    /// Reads the status, then closes the connection.
    AfterStatus,
    /// Reads the first piece of the body, then closes the connection.
    AfterFirstChunk,
    /// Reads the whole page.
    Never,
}

fn leave(rng: &mut StdRng) -> Leave {
    match rng.gen_range(0..4) {
        0 => Leave::BeforeAnswer(Duration::from_micros(rng.gen_range(0..20_000))),
        1 => Leave::AfterStatus,
        2 => Leave::AfterFirstChunk,
        _ => Leave::Never,
    }
}

/// Query strings a page ignores, or that a browser would never send.
const ODD_QUERIES: [&str; 7] = [
    "",
    "?q=a%00b",
    "?view=%ZZ&cursor=%FF%FE",
    "?id=-1&id=99999999999999999999",
    "?__proto__[x]=1&q[]=2",
    "?%F0%9F%92%A9=%E2%80%AE",
    "?a=1&a=2&a=3&b",
];

/// How long a visitor who reads to the end waits for the rest of a page.
const PAGE_PATIENCE: Duration = Duration::from_secs(20);

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// The visitor left early, as planned.
    Left,
    /// The visitor read the whole page.
    Read,
    /// The page stopped part-way and never finished (see the note on
    /// Leptos' streaming in docs/decisions.md): counted and reported.
    Stalled,
}

/// One visit. Some visitors post a form to the page instead of getting it.
async fn visit(client: Client, url: String, post: bool, leave: Leave) -> Visit {
    let request = if post {
        client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id=1&note=%00&q=%ZZ")
    } else {
        client.get(&url)
    };
    let request = request.send();
    let mut response = match leave {
        Leave::BeforeAnswer(patience) => {
            if let Ok(Ok(response)) = tokio::time::timeout(patience, request).await {
                assert!(
                    !response.status().is_server_error(),
                    "{} from {url}",
                    response.status()
                );
            }
            return Visit::Left;
        }
        _ => request
            .await
            .unwrap_or_else(|error| panic!("no answer to {url}: {error}")),
    };
    assert!(
        !response.status().is_server_error(),
        "{} from {url}",
        response.status()
    );
    match leave {
        Leave::AfterStatus | Leave::BeforeAnswer(_) => Visit::Left,
        Leave::AfterFirstChunk => {
            let _ = response.chunk().await;
            Visit::Left
        }
        Leave::Never => match tokio::time::timeout(PAGE_PATIENCE, response.text()).await {
            Ok(page) => {
                page.unwrap_or_else(|error| panic!("the whole page of {url}: {error}"));
                Visit::Read
            }
            Err(_) => Visit::Stalled,
        },
    }
}

on_both_databases!(
    pages_left_early_neither_panic_nor_leave_a_worker_stuck,
    async |mut app: TestApp| {
        let mut paths: Vec<String> = server::startup::page_routes()
            .into_iter()
            .filter(|route| !route.path.contains('{'))
            .map(|route| route.path)
            .collect();
        for number in ["ORD-1001", "ORD-1005", "ORD-1012", "ORD-2001"] {
            paths.push(format!("/order/{}", app.order_id(number).await));
        }
        paths.extend(["/order/0".to_owned(), "/order/abc".to_owned()]);
        let clients = [
            app.anonymous(),
            app.login("ava@acme.test").await,
            app.login("ben@acme.test").await,
            app.login("sam@fts.test").await,
            app.login("root@fts.test").await,
        ];
        let mut rng = StdRng::seed_from_u64(16);
        let started = Instant::now();
        let mut visits = JoinSet::new();
        let mut ends = Vec::new();
        for _ in 0..cases() {
            if visits.len() >= CONCURRENCY
                && let Some(visited) = visits.join_next().await
            {
                ends.push(visited.expect("a visit"));
            }
            let path = &paths[rng.gen_range(0..paths.len())];
            let query = ODD_QUERIES[rng.gen_range(0..ODD_QUERIES.len())];
            let client = clients[rng.gen_range(0..clients.len())].clone();
            let url = app.url(&format!("{path}{query}"));
            visits.spawn(visit(client, url, rng.gen_ratio(1, 8), leave(&mut rng)));
        }
        while let Some(visited) = visits.join_next().await {
            ends.push(visited.expect("a visit"));
        }
        let count = |end: Visit| ends.iter().filter(|visit| **visit == end).count();
        let visited = started.elapsed();
        let stopping = Instant::now();
        if let Err(why) = app.shut_down() {
            panic!("the server did not shut down after the visits: {why}");
        }
        let panics = app.panics();
        eprintln!(
            "{} page visits over {} paths in {visited:.1?} ({} read to the end, {} stalled); \
             stopped in {:.1?}; {} panics",
            cases(),
            paths.len(),
            count(Visit::Read),
            count(Visit::Stalled),
            stopping.elapsed(),
            panics.len()
        );
        assert!(panics.is_empty(), "panics while rendering: {panics:#?}");
    }
);
