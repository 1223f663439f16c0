//! The server process killed (SIGKILL) while uploads are under way: after
//! a restart every attachment row has its file and every file its row, and
//! no upload is left pending.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PDF_HEADER: &[u8] = b"%PDF-1.4\n";

/// The portal binary on its own port, over `database_url`.
pub(crate) fn start_portal(database_url: &str, files: &Path, port: u16) -> Child {
    start_portal_with(database_url, files, port, 4)
}

/// The same, taking uploads of up to `max_upload_mb` MiB of files.
pub(crate) fn start_portal_with(
    database_url: &str,
    files: &Path,
    port: u16,
    max_upload_mb: u32,
) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ordering-portal"))
        .env("DATABASE_URL", database_url)
        .env("FILES_DIR", files)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("MAX_UPLOAD_MB", max_upload_mb.to_string())
        // Anything older than the restart is left over from the crash.
        .env("ORPHAN_FILE_GRACE_MINUTES", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the portal")
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

pub(crate) async fn wait_until_serving(base: &str) {
    let started = Instant::now();
    loop {
        let probe = reqwest::Client::new()
            .get(format!("{base}/ordering/api/me"))
            .timeout(Duration::from_secs(5))
            .send();
        if let Ok(response) = probe.await
            && response.status() == StatusCode::UNAUTHORIZED
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the portal did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn signed_in(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client");
    let response = client
        .post(format!("{base}/ordering/api/login"))
        .json(&json!({"email": "ava@acme.test", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    client
}

fn upload_form(index: usize) -> reqwest::multipart::Form {
    let mut contents = PDF_HEADER.to_vec();
    contents.resize(256 * 1024 + index, b'x');
    (0..3).fold(reqwest::multipart::Form::new(), |form, part| {
        form.part(
            "file",
            reqwest::multipart::Part::bytes(contents.clone())
                .file_name(format!("scan-{index}-{part}.pdf")),
        )
    })
}

async fn stored_keys(db: &sqlx::AnyPool) -> BTreeSet<String> {
    sqlx::query("SELECT storage_key FROM attachments")
        .fetch_all(db)
        .await
        .expect("attachments")
        .iter()
        .map(|row| row.get("storage_key"))
        .collect()
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("files")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

async fn killed_uploads_leave_no_orphans(engine: Engine) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let files = dir.path().join("files");
    let (database_url, postgres_database) = new_database(engine, dir.path()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut portal = start_portal(&database_url, &files, port);
    wait_until_serving(&base).await;
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&database_url)
        .await
        .expect("connect");
    let order_id: i64 = sqlx::query("SELECT id FROM orders WHERE number = 'ORD-1001'")
        .fetch_one(&db)
        .await
        .expect("demo order")
        .get(0);
    let client = signed_in(&base).await;

    // Uploads in flight, then the process killed without warning.
    let demo_files = files_in(&files).len();
    let path = format!("{base}/ordering/api/orders/{order_id}/attachments");
    let uploads: Vec<_> = (0..24)
        .map(|index| {
            let request = client.post(&path).multipart(upload_form(index)).send();
            tokio::spawn(request)
        })
        .collect();
    // Killed as soon as a file of these uploads is on disk without its row:
    // that upload, and the rest, are on their way. (Waiting for any new
    // file let a fast upload commit its row first, now and then.)
    let started = std::time::Instant::now();
    while files_in(&files).len() <= demo_files
        || files_in(&files).difference(&stored_keys(&db).await).count() == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no upload reached the store"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    portal.kill().expect("SIGKILL");
    portal.wait().expect("reaped");
    let mut answered = 0;
    for upload in uploads {
        if let Ok(Ok(response)) = upload.await
            && response.status() == StatusCode::CREATED
        {
            answered += 1;
        }
    }
    let unrecorded = files_in(&files).difference(&stored_keys(&db).await).count();
    assert!(
        answered < 24 && unrecorded > 0,
        "{engine:?}: no upload was cut off by the kill ({answered} of 24 answered, \
         {unrecorded} files without a row)"
    );

    // What any crash may leave, as an upload leaves it: a stored file never
    // recorded, and a write cut short (the store stages it as `<key>#0`),
    // each recorded as pending before its first byte was written.
    for (key, name) in [
        (
            "0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "fedcba9876543210fedcba9876543210",
            "fedcba9876543210fedcba9876543210#0",
        ),
    ] {
        sqlx::query("INSERT INTO pending_files (storage_key, created_at) VALUES ($1, 0)")
            .bind(key)
            .execute(&db)
            .await
            .expect("a pending file");
        std::fs::write(files.join(name), b"left behind").unwrap();
    }
    let files_before = files_in(&files).len();
    // The restart must see the leftovers as older than itself.
    tokio::time::sleep(Duration::from_millis(20)).await;

    let mut portal = start_portal(&database_url, &files, port);
    wait_until_serving(&base).await;
    let keys = stored_keys(&db).await;
    let on_disk = files_in(&files);
    eprintln!(
        "{engine:?}: {answered} of 24 uploads answered before the kill, {unrecorded} files \
         stored without a row; {files_before} files before the restart, {} after; {} rows",
        on_disk.len(),
        keys.len()
    );
    assert_eq!(
        on_disk, keys,
        "every file has its row and every row its file"
    );
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_files")
        .fetch_one(&db)
        .await
        .expect("pending files");
    assert_eq!(pending, 0, "every pending file was settled");
    // The portal keeps working on the repaired store.
    let client = signed_in(&base).await;
    let response = client
        .post(&path)
        .multipart(upload_form(99))
        .send()
        .await
        .expect("upload after the restart");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(files_in(&files), stored_keys(&db).await);

    portal.kill().expect("stop");
    portal.wait().expect("reaped");
    db.close().await;
    if let Some(name) = postgres_database {
        drop_postgres_database(&name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_uploads_leave_no_orphans_on_sqlite() {
    killed_uploads_leave_no_orphans(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_uploads_leave_no_orphans_on_postgres() {
    if !postgres_available().await {
        report_postgres_skip(concat!(module_path!(), "::postgres"));
        return;
    }
    killed_uploads_leave_no_orphans(Engine::Postgres).await;
}
