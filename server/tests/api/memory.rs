//! One upload costs the server bounded memory: a 300 MB field that is not a
//! file, sent by either way in (the JSON route or the pages' server
//! function), is refused while the server process's resident memory grows
//! by no more than a few MB. The portal runs as its own process here, so
//! that its memory is its own and not the test runner's.

use crate::crash::{free_port, signed_in, start_portal, wait_until_serving};
use crate::helpers::*;
use futures_util::stream::{self, StreamExt};
use reqwest::StatusCode;
use sqlx::Row;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How much the server's resident memory may grow while refusing them.
const GROWTH_ALLOWED: u64 = 8 << 20;

const FIELD_BYTES: u64 = 300 << 20;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

/// The resident memory of process `pid`, in bytes.
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|kilobytes| kilobytes.trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Sends a form whose one field, `name`, holds `FIELD_BYTES` bytes.
/// `None` when the server closed the connection while the client still sent.
async fn send_long_field(client: &reqwest::Client, url: &str, name: &str) -> Option<StatusCode> {
    const CHUNK: usize = 64 * 1024;
    let head = format!("--LONG\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
    let chunks = (FIELD_BYTES as usize).div_ceil(CHUNK);
    let body = stream::once(async move { Ok::<_, std::io::Error>(head.into_bytes()) })
        .chain(stream::iter(0..chunks).map(|_| Ok(vec![b'a'; CHUNK])))
        .chain(stream::once(async { Ok(b"\r\n--LONG--\r\n".to_vec()) }));
    client
        .post(url)
        .header("content-type", "multipart/form-data; boundary=LONG")
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .ok()
        .map(|response| response.status())
}

async fn upload_small(client: &reqwest::Client, url: &str) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("warm.pdf"),
    );
    let response = client
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert!(response.status().is_success(), "{}", response.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_mb_field_costs_the_server_a_few_mb_by_either_way_in() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, _) = new_database(Engine::Sqlite, dir.path()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut portal = start_portal(&database_url, &dir.path().join("files"), port);
    wait_until_serving(&base).await;
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&database_url)
        .await
        .expect("connect");
    let order: i64 = sqlx::query("SELECT id FROM orders WHERE number = 'ORD-1006'")
        .fetch_one(&db)
        .await
        .expect("demo order")
        .get(0);
    let client = signed_in(&base).await;
    let ways = [
        format!("{base}/ordering/api/orders/{order}/attachments"),
        format!("{base}/api/upload-attachments?order={order}"),
    ];
    // Warm up: the allocator's and the connections' first needs are met.
    for _ in 0..3 {
        for url in &ways {
            upload_small(&client, url).await;
        }
    }
    let pid = portal.id();
    let before = resident_bytes(pid);
    let peak = Arc::new(AtomicU64::new(before));
    let sending = Arc::new(AtomicBool::new(true));
    let watcher = tokio::spawn({
        let (peak, sending) = (Arc::clone(&peak), Arc::clone(&sending));
        async move {
            while sending.load(Ordering::SeqCst) {
                peak.fetch_max(resident_bytes(pid), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    for url in &ways {
        for field in ["kind", "comment"] {
            let status = send_long_field(&client, url, field).await;
            assert!(
                status.is_none_or(|status| status == StatusCode::UNPROCESSABLE_ENTITY),
                "{url}, {field}: {status:?}"
            );
        }
    }
    sending.store(false, Ordering::SeqCst);
    watcher.await.expect("watcher");
    let growth = peak.load(Ordering::SeqCst).saturating_sub(before);
    println!(
        "server memory: {} KiB before, grew by at most {} KiB while refusing four 300 MB fields",
        before / 1024,
        growth / 1024
    );
    assert!(
        growth < GROWTH_ALLOWED,
        "the server's memory grew by {growth} bytes"
    );
    // Still serving.
    upload_small(&client, &ways[1]).await;
    portal.kill().expect("stop the portal");
    portal.wait().expect("reaped");
    db.close().await;
}
