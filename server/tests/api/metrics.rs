//! `GET /metrics`: served only with `METRICS_TOKEN`, only to its bearer,
//! and its figures follow the traffic.

use crate::crash::free_port;
use crate::helpers::*;
use crate::mail::resubmit_ord_1007;
use crate::on_both_databases;
use reqwest::StatusCode;
use std::time::Duration;

const TOKEN: &str = "scrape-me-0123456789";

/// The value of the series `name` whose labels include all of `labels`,
/// from a scrape in the Prometheus text format.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((series_name, rest)) => (series_name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let matches = series_name == name
                && labels.iter().all(|(label, wanted)| {
                    series_labels
                        .split(',')
                        .any(|pair| pair == format!("{label}=\"{wanted}\""))
                });
            matches.then(|| value.parse().expect("a number"))
        })
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .anonymous()
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.expect("text")
}

async fn spawn_with_token(engine: Engine) -> TestApp {
    spawn_app_with(engine, |config| {
        config.metrics_token = Some(TOKEN.to_owned());
    })
    .await
}

on_both_databases!(
    metrics_are_not_served_without_a_token,
    async |app: TestApp| {
        let response = app
            .anonymous()
            .get(app.url("/metrics"))
            .bearer_auth("anything")
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

on_both_databases!(metrics_require_the_bearer_token, async |app: TestApp| {
    let app = spawn_with_token(app.engine()).await;
    let staff = app.login("root@fts.test").await;
    for attempt in [None, Some("wrong-token"), Some(&TOKEN[..TOKEN.len() - 1])] {
        let mut request = staff.get(app.url("/metrics"));
        if let Some(token) = attempt {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{attempt:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"metrics\""
        );
        let (_, body) = json_of(response).await;
        assert_eq!(error_code(&body), "unauthorized");
    }
});

on_both_databases!(the_counters_follow_the_traffic, async |app: TestApp| {
    let app = spawn_with_token(app.engine()).await;
    let ava = app.login("ava@acme.test").await;
    let orders = [
        ("method", "GET"),
        ("route", "/ordering/api/orders"),
        ("status", "200"),
    ];
    let before = scrape(&app).await;
    let counted_before = value(&before, "http_requests_total", &orders).unwrap_or(0.0);
    for _ in 0..3 {
        let (status, _) = app.get_json(&ava, "/ordering/api/orders").await;
        assert_eq!(status, StatusCode::OK);
    }
    // Two paths of one route template are one series.
    for path in ["/ordering/api/orders/1", "/ordering/api/orders/999999"] {
        ava.get(app.url(path)).send().await.expect("answer");
    }
    let after = scrape(&app).await;
    assert_eq!(
        value(&after, "http_requests_total", &orders),
        Some(counted_before + 3.0),
        "{after}"
    );
    let detail = [("method", "GET"), ("route", "/ordering/api/orders/{id}")];
    let found = value(
        &after,
        "http_requests_total",
        &[detail[0], detail[1], ("status", "200")],
    );
    let missing = value(
        &after,
        "http_requests_total",
        &[detail[0], detail[1], ("status", "404")],
    );
    assert_eq!((found, missing), (Some(1.0), Some(1.0)), "{after}");
    assert!(
        !after.contains("orders/999999\""),
        "paths never become series: {after}"
    );
    let timed = value(&after, "http_request_duration_seconds_count", &orders[..2]);
    assert!(timed.is_some_and(|count| count >= 3.0), "{after}");
    let within_ten_seconds = value(
        &after,
        "http_request_duration_seconds_bucket",
        &[orders[0], orders[1], ("le", "10")],
    );
    assert_eq!(within_ten_seconds, timed, "{after}");

    // A method nobody uses is one series, whatever the client sends.
    let odd = reqwest::Method::from_bytes(b"BREW").expect("a method");
    ava.request(odd, app.url("/nowhere"))
        .send()
        .await
        .expect("answer");
    let after = scrape(&app).await;
    assert!(
        value(
            &after,
            "http_requests_total",
            &[("method", "OTHER"), ("route", "unmatched")]
        )
        .is_some(),
        "{after}"
    );
    assert!(!after.contains("BREW"), "{after}");

    let in_use = value(&after, "db_pool_connections", &[("state", "in_use")]);
    let idle = value(&after, "db_pool_connections", &[("state", "idle")]);
    let pool = f64::from(app.state.db.size());
    assert!(
        in_use
            .zip(idle)
            .is_some_and(|(in_use, idle)| in_use + idle <= pool.max(1.0) && idle >= 0.0),
        "{in_use:?} + {idle:?} of {pool}"
    );
    // No e-mail configured: no outbox to report on.
    assert!(!after.contains("email_outbox_backlog"), "{after}");
});

on_both_databases!(
    open_streams_are_counted_while_they_are_open,
    async |app: TestApp| {
        let app = spawn_with_token(app.engine()).await;
        let streams = |text: &str| value(text, "live_event_streams_open", &[]);
        assert_eq!(streams(&scrape(&app).await), Some(0.0));
        let ava = app.login("ava@acme.test").await;
        let open = ava
            .get(app.url("/ordering/api/events"))
            .send()
            .await
            .expect("a stream");
        assert_eq!(open.status(), StatusCode::OK);
        assert_eq!(streams(&scrape(&app).await), Some(1.0));
        drop(open);
        for _ in 0..50 {
            if streams(&scrape(&app).await) == Some(0.0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("a closed stream is still counted");
    }
);

on_both_databases!(
    the_email_backlog_grows_while_the_mail_server_is_away,
    async |app: TestApp| {
        // A port with nothing listening: every attempt fails and is retried.
        let closed = free_port();
        let app = spawn_app_with(app.engine(), |config| {
            config.metrics_token = Some(TOKEN.to_owned());
            config.smtp_url = Some(format!("smtp://127.0.0.1:{closed}"));
        })
        .await;
        let backlog = |text: &str| value(text, "email_outbox_backlog", &[]).expect("a backlog");
        let before = backlog(&scrape(&app).await);
        resubmit_ord_1007(&app).await;
        let notified = app
            .scalar("SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL")
            .await;
        let after = backlog(&scrape(&app).await);
        assert!(after > before, "{before} → {after}");
        assert!(after <= notified as f64, "{after} of {notified}");
    }
);
