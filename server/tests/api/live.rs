//! The live event stream: who hears of what, what a reconnect is sent
//! again, and when a stream ends.

use crate::helpers::*;
use crate::on_both_databases;
use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// Longer than any event takes to arrive; a test that waits this long
/// for one has failed.
const PATIENCE: Duration = Duration::from_secs(20);

/// One event of a stream, comments left out.
#[derive(Debug, Clone, PartialEq)]
struct SseEvent {
    event: String,
    id: Option<i64>,
    data: Value,
}

/// An open `GET /ordering/api/events`, read event by event.
struct EventStream {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// Comments seen so far (keep-alives).
    comments: usize,
}

impl EventStream {
    async fn open(app: &TestApp, client: &Client, last_event_id: Option<i64>) -> EventStream {
        let mut request = client.get(app.url("/ordering/api/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("open the event stream");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "an event stream"
        );
        assert!(
            response.headers().get("content-encoding").is_none(),
            "event streams are never compressed"
        );
        EventStream {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event; `None` when the stream ended.
    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    event: "message".to_owned(),
                    id: None,
                    data: Value::Null,
                };
                let mut data = String::new();
                let mut comment = true;
                for line in block.lines() {
                    if line.starts_with(':') || line.is_empty() {
                        continue;
                    }
                    comment = false;
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "event" => event.event = value.to_owned(),
                        "id" => event.id = Some(value.parse().expect("numeric id")),
                        "data" => data.push_str(value),
                        _ => {}
                    }
                }
                if comment {
                    self.comments += 1;
                    continue;
                }
                event.data = serde_json::from_str(&data).expect("JSON data");
                return Some(event);
            }
            match tokio::time::timeout(PATIENCE, self.body.next()).await {
                Ok(Some(Ok(chunk))) => self
                    .buffer
                    .push_str(std::str::from_utf8(&chunk).expect("UTF-8")),
                Ok(Some(Err(_)) | None) => return None,
                Err(_) => panic!("no event within {PATIENCE:?}"),
            }
        }
    }

    /// The next event, which must exist.
    async fn expect(&mut self) -> SseEvent {
        self.next().await.expect("the stream ended")
    }

    /// Reads up to `ready` (what was missed comes before it) and returns
    /// the events read before it and its id.
    async fn until_ready(&mut self) -> (Vec<SseEvent>, i64) {
        let mut before = Vec::new();
        loop {
            let event = self.expect().await;
            if event.event == "ready" {
                return (before, event.id.expect("ready has an id"));
            }
            before.push(event);
        }
    }

    /// Reads until the stream ends; panics on an event.
    async fn expect_end(&mut self) {
        if let Some(event) = self.next().await {
            panic!("an event instead of the end: {event:?}");
        }
    }
}

async fn hold(app: &TestApp, staff: &Client, number: &str, reason: &str) {
    let id = app.order_id(number).await;
    let (status, body) = app
        .post_json(
            staff,
            &format!("/ordering/api/orders/{id}/transition"),
            json!({"to": "on_hold", "reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn add_note(app: &TestApp, client: &Client, number: &str, body: &str) {
    let id = app.order_id(number).await;
    let (status, answer) = app
        .post_json(
            client,
            &format!("/ordering/api/orders/{id}/notes"),
            json!({ "body": body }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

on_both_databases!(
    changes_reach_exactly_the_users_who_see_them,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let mut streams = Vec::new();
        for email in [
            "ava@acme.test",
            "ben@acme.test",
            "cleo@birch.test",
            "sam@fts.test",
        ] {
            let client = app.login(email).await;
            let mut stream = EventStream::open(&app, &client, None).await;
            let (missed, _) = stream.until_ready().await;
            assert!(
                missed.is_empty(),
                "nothing is replayed without Last-Event-ID"
            );
            streams.push((client, stream));
        }
        // Staff hold ORD-1006, which Ben placed at Acme.
        hold(&app, &sam, "ORD-1006", "The survey is unreadable.").await;
        let order = app.order_id("ORD-1006").await;
        let expected = json!({
            "order_id": order, "number": "ORD-1006", "status": "on_hold", "change": "status"
        });
        let (_, ava) = &mut streams[0];
        let event = ava.expect().await;
        assert_eq!((event.event.as_str(), &event.data), ("order", &expected));
        let (_, ben) = &mut streams[1];
        let first = ben.expect().await;
        let second = ben.expect().await;
        assert_eq!((first.event.as_str(), &first.data), ("order", &expected));
        assert_eq!(second.event, "notification", "Ben placed it: {second:?}");
        assert_eq!(second.data, json!({"order_id": order, "kind": "on_hold"}));
        assert!(first.id < second.id, "ids grow: {first:?} {second:?}");
        let (_, staff) = &mut streams[3];
        assert_eq!(staff.expect().await.data, expected);

        // Cleo's company does not see Acme's orders: the next thing her
        // stream says is about her own order.
        let (cleo_client, _) = &streams[2];
        add_note(&app, cleo_client, "ORD-2002", "Any news?").await;
        let (_, cleo) = &mut streams[2];
        let event = cleo.expect().await;
        assert_eq!(event.data["number"], "ORD-2002", "{event:?}");
        assert_eq!(event.data["change"], "note");
        // Ben sees only the orders he placed: Ava's ORD-1001 passes him by.
        let (ava_client, _) = &streams[0];
        add_note(&app, ava_client, "ORD-1001", "For Ava's eyes.").await;
        let (ben_client, _) = &streams[1];
        add_note(&app, ben_client, "ORD-1002", "Ben's own.").await;
        let (_, ben) = &mut streams[1];
        assert_eq!(ben.expect().await.data["number"], "ORD-1002");
        // Staff see everything, in order; and the staff hear of a
        // customer's note as a change, not as a notification.
        let (_, staff) = &mut streams[3];
        let numbers: Vec<Value> = [
            staff.expect().await,
            staff.expect().await,
            staff.expect().await,
        ]
        .into_iter()
        .map(|event| event.data["number"].clone())
        .collect();
        assert_eq!(numbers, ["ORD-2002", "ORD-1001", "ORD-1002"]);
    }
);

on_both_databases!(
    a_reconnect_is_first_sent_what_it_missed,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let ava = app.login("ava@acme.test").await;
        let cleo = app.login("cleo@birch.test").await;
        let mut stream = EventStream::open(&app, &ava, None).await;
        let (_, ready) = stream.until_ready().await;
        drop(stream);
        // While Ava is away: two changes of hers, one of another tenant's.
        hold(&app, &sam, "ORD-1006", "Missing page 2.").await;
        add_note(&app, &cleo, "ORD-2002", "Birch's business.").await;
        add_note(&app, &sam, "ORD-1001", "Staff checked the deed.").await;
        let mut stream = EventStream::open(&app, &ava, Some(ready)).await;
        let (missed, ready_again) = stream.until_ready().await;
        let seen: Vec<(String, Value, Value)> = missed
            .iter()
            .map(|event| {
                (
                    event.event.clone(),
                    event.data["number"].clone(),
                    event.data["change"].clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("order".to_owned(), json!("ORD-1006"), json!("status")),
                ("order".to_owned(), json!("ORD-1001"), json!("note")),
            ],
            "Ava's company's changes, oldest first, and nothing of Birch's"
        );
        assert!(missed.windows(2).all(|pair| pair[0].id < pair[1].id));
        assert!(ready_again >= missed.last().and_then(|event| event.id).unwrap_or(0));
        // Asked again from the newest id, nothing more is replayed, and live
        // events follow the replay without a repeat.
        let mut again = EventStream::open(&app, &ava, Some(ready_again)).await;
        let (missed, _) = again.until_ready().await;
        assert!(missed.is_empty(), "{missed:?}");
        add_note(&app, &ava, "ORD-1001", "Live again.").await;
        let live = again.expect().await;
        assert_eq!(live.data["number"], "ORD-1001");
        assert!(live.id > Some(ready_again));

        // A Last-Event-ID that is no event's id is refused.
        for bad in ["soon", "-1", "1e3"] {
            let response = ava
                .get(app.url("/ordering/api/events"))
                .header("Last-Event-ID", bad)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }
);

on_both_databases!(
    a_reconnect_after_events_were_forgotten_is_told_to_reload,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let ava = app.login("ava@acme.test").await;
        let mut stream = EventStream::open(&app, &ava, None).await;
        let (_, ready) = stream.until_ready().await;
        drop(stream);
        add_note(&app, &sam, "ORD-1001", "Forgotten by the time Ava is back.").await;
        // A day passes: what Ava missed is pruned, and then more happens.
        let day_later = app::server::db::now_ms() + app::server::live::KEEP_MS + 60_000;
        app::server::live::prune(&app.state.db, day_later)
            .await
            .expect("prune");
        add_note(&app, &sam, "ORD-1001", "After the clean-up.").await;
        let mut stream = EventStream::open(&app, &ava, Some(ready)).await;
        let (missed, _) = stream.until_ready().await;
        let kinds: Vec<&str> = missed.iter().map(|event| event.event.as_str()).collect();
        assert_eq!(
            kinds,
            ["order", "reset"],
            "what is kept, then word that more is gone: {missed:?}"
        );
    }
);

on_both_databases!(internal_notes_reach_staff_only, async |app: TestApp| {
    let sam = app.login("sam@fts.test").await;
    let root = app.login("root@fts.test").await;
    let ava = app.login("ava@acme.test").await;
    let mut staff = EventStream::open(&app, &root, None).await;
    staff.until_ready().await;
    let mut customer = EventStream::open(&app, &ava, None).await;
    let (_, ready) = customer.until_ready().await;
    let order = app.order_id("ORD-1001").await;
    let (status, note) = app
        .post_json(
            &sam,
            &format!("/ordering/api/orders/{order}/notes"),
            json!({"body": "The county clerk is slow this week.", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let heard = staff.expect().await;
    assert_eq!(
        (heard.data["number"].clone(), heard.data["change"].clone()),
        (json!("ORD-1001"), json!("note"))
    );
    // Ava hears of her own note next, not of the internal one, live
    // or replayed.
    add_note(&app, &ava, "ORD-1001", "Ava's own note.").await;
    assert_eq!(customer.expect().await.id, staff.expect().await.id);
    let mut again = EventStream::open(&app, &ava, Some(ready)).await;
    let (missed, _) = again.until_ready().await;
    assert_eq!(missed.len(), 1, "only her own note: {missed:?}");
});

on_both_databases!(
    a_notification_of_a_customers_change_reaches_staff,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let ava = app.login("ava@acme.test").await;
        let mut staff = EventStream::open(&app, &sam, None).await;
        staff.until_ready().await;
        let order = app.order_id("ORD-1001").await;
        let (status, body) = app
            .post_empty(&ava, &format!("/order/{order}/cancel"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let change = staff.expect().await;
        assert_eq!(change.data["status"], "cancelled");
        let notification = staff.expect().await;
        assert_eq!(notification.event, "notification");
        assert_eq!(
            notification.data,
            json!({"order_id": order, "kind": "cancelled"})
        );
    }
);

on_both_databases!(a_stream_ends_with_its_session, async |app: TestApp| {
    // Streams check their session every half second in the tests.
    let ava = app.login("ava@acme.test").await;
    let mut stream = EventStream::open(&app, &ava, None).await;
    stream.until_ready().await;
    let response = ava
        .post(app.url("/ordering/api/logout"))
        .send()
        .await
        .expect("sign out");
    assert!(response.status().is_success(), "{}", response.status());
    stream.expect_end().await;
    let response = ava
        .get(app.url("/ordering/api/events"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // A user disabled by an administrator loses the stream too.
    let ben = app.login("ben@acme.test").await;
    let mut stream = EventStream::open(&app, &ben, None).await;
    stream.until_ready().await;
    let before = stream.comments;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let root = app.login("root@fts.test").await;
    let ben_id = app
        .scalar("SELECT id FROM users WHERE email = 'ben@acme.test'")
        .await;
    let (status, body) = app
        .patch_json(
            &root,
            &format!("/ordering/api/admin/users/{ben_id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    stream.expect_end().await;
    assert!(stream.comments > before, "keep-alives came meanwhile");
});

on_both_databases!(
    streams_end_when_the_server_shuts_down,
    async |app: TestApp| {
        let mut app = app;
        let ava = app.login("ava@acme.test").await;
        let mut stream = EventStream::open(&app, &ava, None).await;
        stream.until_ready().await;
        let ending = tokio::spawn(async move { stream.expect_end().await });
        app.shut_down().expect("shut down with a stream open");
        ending.await.expect("the stream ended");
    }
);

on_both_databases!(
    health_checks_answer_without_a_session,
    async |app: TestApp| {
        let client = app.anonymous();
        for path in ["/healthz", "/readyz"] {
            let (status, body) = app.get_json(&client, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, json!({"status": "ok"}), "{path}");
        }
        let response = client
            .get(app.url("/ordering/api/events"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
);

/// PostgreSQL is the engine for several instances: a change made through
/// one reaches the streams of another, by LISTEN/NOTIFY.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_reaches_the_streams_of_another() {
    if !postgres_available().await {
        report_postgres_skip(module_path!());
        return;
    }
    let app = spawn_app(Engine::Postgres).await;
    let other = app.other_instance().await;
    let ava = app.login("ava@acme.test").await;
    let mut stream = EventStream::open(&app, &ava, None).await;
    stream.until_ready().await;
    let sam = other.login("sam@fts.test").await;
    hold(&other, &sam, "ORD-1006", "Signed on the wrong page.").await;
    let event = stream.expect().await;
    assert_eq!(event.data["number"], "ORD-1006");
    assert_eq!(event.data["status"], "on_hold");
    // And the other way round, with a reconnect to the other instance
    // replaying what was missed.
    drop(stream);
    let mut elsewhere = EventStream::open(&other, &sam, Some(event.id.expect("id"))).await;
    add_note(&app, &ava, "ORD-1001", "Through the first instance.").await;
    let (missed, _) = elsewhere.until_ready().await;
    let live_or_missed = match missed.first() {
        Some(first) => first.clone(),
        None => elsewhere.expect().await,
    };
    assert_eq!(live_or_missed.data["number"], "ORD-1001");
}

on_both_databases!(
    a_user_holds_a_bounded_number_of_streams,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let mut streams = Vec::new();
        for _ in 0..app::server::live::STREAMS_PER_USER {
            let mut stream = EventStream::open(&app, &ava, None).await;
            stream.until_ready().await;
            streams.push(stream);
        }
        let refused = ava
            .get(app.url("/ordering/api/events"))
            .send()
            .await
            .expect("request");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
        // Others are not held up by Ava's streams.
        let ben = app.login("ben@acme.test").await;
        EventStream::open(&app, &ben, None)
            .await
            .until_ready()
            .await;
        // A stream closed by its client frees its place at once.
        drop(streams.pop());
        let mut freed = None;
        for _ in 0..50 {
            let response = ava
                .get(app.url("/ordering/api/events"))
                .send()
                .await
                .expect("request");
            if response.status() == StatusCode::OK {
                freed = Some(response);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(freed.is_some(), "a place came free within 5 s");
    }
);
