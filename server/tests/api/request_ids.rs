//! Request ids: `X-Request-Id` on every answer, in error bodies and in the
//! log lines of the request.

use crate::crash::{free_port, wait_until_serving};
use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::process::{Command, Stdio};

/// The answer's `X-Request-Id`, which every answer has.
fn answer_id(headers: &HeaderMap) -> String {
    crate::helpers::request_id(headers).expect("an X-Request-Id")
}

on_both_databases!(
    every_answer_carries_an_id_and_errors_name_it,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;

        let first = ava.get(app.url("/healthz")).send().await.expect("answer");
        let second = ava.get(app.url("/orders")).send().await.expect("answer");
        let (first, second) = (answer_id(first.headers()), answer_id(second.headers()));
        assert_eq!(first.len(), 32, "{first}");
        assert!(first.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(first, second, "each request has its own id");

        // The JSON API's error shape: the id inside `error`.
        let missing = ava
            .get(app.url("/ordering/api/orders/999999"))
            .send()
            .await
            .expect("answer");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let id = answer_id(missing.headers());
        let body: Value = missing.json().await.expect("JSON");
        assert_eq!(body["error"]["code"], "not_found");
        assert_eq!(body["error"]["request_id"], id.as_str());

        // The server functions' error shape: the id beside `code`.
        let refused = app
            .anonymous()
            .post(app.url("/api/get-order"))
            .form(&[("id", "1")])
            .send()
            .await
            .expect("answer");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let id = answer_id(refused.headers());
        let body: Value = refused.json().await.expect("JSON");
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(body["request_id"], id.as_str());

        // Successful answers keep their bodies as they were.
        let (status, order) = app.get_json(&ava, "/ordering/api/orders/1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(order.get("request_id").is_none());
    }
);

on_both_databases!(
    a_request_s_own_id_is_replaced_unless_a_proxy_is_trusted,
    async |app: TestApp| {
        let client = app.anonymous();
        let sent = client
            .get(app.url("/healthz"))
            .header("x-request-id", "lb-4711")
            .send()
            .await
            .expect("answer");
        assert_ne!(answer_id(sent.headers()), "lb-4711");

        let behind_proxy = spawn_app_with(app.engine(), |config| {
            config.request_id_from_proxy = true;
        })
        .await;
        let client = behind_proxy.anonymous();
        for (sent, kept) in [
            ("lb-4711", true),
            ("01HZX:a.b_c", true),
            ("two words", false),
            (&"x".repeat(129), false),
        ] {
            let answer = client
                .get(behind_proxy.url("/ordering/api/me"))
                .header("x-request-id", sent)
                .send()
                .await
                .expect("answer");
            let id = answer_id(answer.headers());
            assert_eq!(id == sent, kept, "{sent}");
            let body: Value = answer.json().await.expect("JSON");
            assert_eq!(body["error"]["request_id"], id.as_str());
        }
    }
);

/// The binary with `LOG_FORMAT=json`: the error body's id is the id of the
/// request's log lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_body_and_its_log_lines_carry_the_same_id() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, _) = new_database(Engine::Sqlite, dir.path()).await;
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("log.jsonl")).expect("log file");
    let mut portal = Command::new(env!("CARGO_BIN_EXE_ordering-portal"))
        .env("DATABASE_URL", &database_url)
        .env("FILES_DIR", dir.path().join("files"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "warn,tower_http=debug")
        .stdout(Stdio::from(log))
        .stderr(Stdio::null())
        .spawn()
        .expect("start the portal");
    let base = format!("http://127.0.0.1:{port}");
    wait_until_serving(&base).await;

    let answer = reqwest::Client::new()
        .get(format!("{base}/ordering/api/orders"))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let id = answer_id(answer.headers());
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["error"]["request_id"], id.as_str());
    // The trace layer logs the answer once its body has gone.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    portal.kill().expect("stop the portal");
    portal.wait().expect("the portal stopped");

    let text = std::fs::read_to_string(dir.path().join("log.jsonl")).expect("log");
    // Log lines are JSON; the start-up banner (address, demo logins) is
    // printed for people.
    let lines: Vec<Value> = text
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).expect("each log line is one JSON object"))
        .collect();
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|line| line["span"]["request_id"] == id.as_str())
        .collect();
    assert!(
        of_request
            .iter()
            .any(|line| line["status"] == 401 && line["span"]["uri"] == "/ordering/api/orders"),
        "no log line of request {id} with its status in:\n{text}"
    );
}
