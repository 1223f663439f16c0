//! Faults: the database going away and coming back. The first request to
//! meet the outage waits for the pool (3 s); the ones after it are turned
//! away at once for a moment (`outage.rs`).

use crate::helpers::*;
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A TCP forwarder standing between the portal and PostgreSQL, so that a
/// test can cut the database off and bring it back on the same address.
struct DatabaseLink {
    address: SocketAddr,
    target: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl DatabaseLink {
    async fn open(target: SocketAddr) -> DatabaseLink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        DatabaseLink {
            address,
            target,
            task: Some(tokio::spawn(forward(listener, target))),
        }
    }

    /// Drops every connection and refuses new ones.
    fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.address).await.expect("rebind");
        self.task = Some(tokio::spawn(forward(listener, self.target)));
    }
}

impl Drop for DatabaseLink {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Forwards every accepted connection; aborting the task drops the set and
/// with it every open connection.
async fn forward(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

fn postgres_address() -> SocketAddr {
    let url = reqwest::Url::parse(&postgres_admin_url()).expect("PostgreSQL URL");
    let host = url.host_str().unwrap_or("127.0.0.1");
    let port = url.port().unwrap_or(5432);
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .expect("resolve PostgreSQL")
        .next()
        .expect("an address")
}

/// SQLite is a file inside the process: there is no link to lose, so this
/// runs on PostgreSQL only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_answers_503_fast_and_recovers_by_itself() {
    if !postgres_available().await {
        report_postgres_skip(concat!(module_path!(), "::postgres"));
        return;
    }
    let target = postgres_address();
    let mut link = DatabaseLink::open(target).await;
    let via_link = link.address.to_string();
    let app = spawn_app_with(Engine::Postgres, |config| {
        let url = reqwest::Url::parse(&config.database_url).expect("URL");
        let direct = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        config.database_url = config.database_url.replace(&direct, &via_link);
    })
    .await;
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1002").await;
    assert_eq!(
        app.get_json(&ava, "/ordering/api/orders").await.0,
        StatusCode::OK
    );

    link.cut();
    let cancel = format!("/order/{id}/cancel");
    for (attempt, (method, path)) in [
        ("GET", "/ordering/api/orders"),
        ("GET", "/ordering/api/me"),
        ("POST", cancel.as_str()),
        ("GET", "/orders"),
    ]
    .into_iter()
    .enumerate()
    {
        let started = Instant::now();
        let request = match method {
            "GET" => ava.get(app.url(path)),
            _ => ava.post(app.url(path)),
        };
        let response = request
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .expect("an answer while the database is down");
        let elapsed = started.elapsed();
        assert!(response.headers().contains_key("retry-after"), "{path}");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(error_code(&body), "unavailable");
        let text = body.to_string().to_lowercase();
        for detail in ["sqlx", "postgres", "connection", "tcp", "/", "error:"] {
            assert!(
                !body["error"]["message"].as_str().unwrap().contains(detail),
                "{path} reveals {detail}: {text}"
            );
        }
        eprintln!("{method} {path}: 503 after {} ms", elapsed.as_millis());
        // The first request finds the database gone within the pool's
        // timeout; the breaker turns the next ones away at once, which the
        // pool's timeout (3 s) could not.
        let limit = if attempt == 0 {
            Duration::from_secs(10)
        } else {
            Duration::from_millis(300)
        };
        assert!(elapsed < limit, "{path} waited {elapsed:?}");
    }

    link.restore().await;
    let started = Instant::now();
    loop {
        let (status, _) = app.get_json(&ava, "/ordering/api/orders").await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not recovered: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!(
        "recovered {} ms after the link came back",
        started.elapsed().as_millis()
    );
    // The cancel refused during the outage changed nothing.
    assert_eq!(app.status_of("ORD-1002").await, "pending");
    assert_eq!(app.refunds("ORD-1002").await, 0);
}
