use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

async fn attachment_count(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM attachments")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("n")
}

on_both_databases!(
    uploads_are_checked_stored_and_listed,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        let files_before = app.stored_files();
        let (status, body) = app
            .upload(
                &ava,
                id,
                &[
                    ("signed form.pdf", PDF),
                    ("parcels.csv", b"parcel,owner\n12,Ava\n"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body[0]["filename"], "signed form.pdf");
        assert_eq!(body[0]["content_type"], "application/pdf");
        assert_eq!(body[0]["size"], PDF.len());
        assert_eq!(body[0]["kind"], "document");
        assert_eq!(body[1]["content_type"], "text/csv");
        assert_eq!(app.stored_files(), files_before + 2);
        let (_, order) = app
            .get_json(&ava, &format!("/ordering/api/orders/{id}"))
            .await;
        let names: Vec<&str> = order["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["filename"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"signed form.pdf"), "{names:?}");
        assert!(
            order["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "upload")
        );
        let sha: String = {
            use sqlx::Row;
            sqlx::query("SELECT sha256 FROM attachments WHERE filename = 'signed form.pdf'")
                .fetch_one(&app.state.db)
                .await
                .unwrap()
                .get("sha256")
        };
        assert_eq!(sha.len(), 64);
    }
);

on_both_databases!(bad_uploads_change_nothing, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let id = app.order_id("ORD-1006").await;
    let (rows, files) = (attachment_count(&app).await, app.stored_files());
    let big = vec![b'a'; 1024 * 1024 + 1];
    for (name, bytes, expected) in [
        (
            "report.pdf",
            b"<html><script>alert(1)</script></html>".as_slice(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "tool.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00".as_slice(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "empty.pdf",
            b"".as_slice(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("big.txt", big.as_slice(), StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let (status, body) = app
            .upload(&ava, id, &[("ok.pdf", PDF), (name, bytes)], None)
            .await;
        assert_eq!(status, expected, "{name}: {body}");
        error_code(&body);
    }
    // Not allowed: ordered orders take no uploads; other tenants' orders do
    // not exist; customers add no vendor reports.
    let (status, _) = app
        .upload(
            &ava,
            app.order_id("ORD-1010").await,
            &[("a.pdf", PDF)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .upload(
            &ava,
            app.order_id("ORD-2006").await,
            &[("a.pdf", PDF)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .upload(&ava, id, &[("a.pdf", PDF)], Some("report"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.upload(&ava, id, &[], Some("document")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Broken multipart bodies.
    let url = app.url(&format!("/ordering/api/orders/{id}/attachments"));
    let cases: [(&str, &[u8]); 3] = [
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 trunc"),
        ("application/json", b"{}"),
    ];
    for (content_type, body) in cases {
        let response = ava
            .post(&url)
            .header("content-type", content_type)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let (status, json) = json_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{content_type}: {json}");
        error_code(&json);
    }
    assert_eq!(attachment_count(&app).await, rows, "no row added");
    assert_eq!(app.stored_files(), files, "no file left behind");
    // The server still serves.
    let (status, _) = app.get_json(&ava, "/ordering/api/me").await;
    assert_eq!(status, StatusCode::OK);
});

async fn first_attachment(
    app: &TestApp,
    client: &reqwest::Client,
    number: &str,
    kind: &str,
) -> i64 {
    let id = app.order_id(number).await;
    let (_, order) = app
        .get_json(client, &format!("/ordering/api/orders/{id}"))
        .await;
    order["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
        .and_then(|a| a["id"].as_i64())
        .unwrap_or_else(|| panic!("{number} has no {kind}"))
}

on_both_databases!(downloads_follow_status_and_tenant, async |app: TestApp| {
    let ava = app.login("ava@acme.test").await;
    let sam = app.login("sam@fts.test").await;
    let report = first_attachment(&app, &ava, "ORD-1013", "report").await;
    let response = ava
        .get(app.url(&format!("/attachment/{report}/download")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"ORD-1013-vendor-report.pdf\"; filename*=UTF-8''ORD%2D1013%2Dvendor%2Dreport%2Epdf"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "sandbox");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("private")
    );
    assert!(response.bytes().await.unwrap().starts_with(b"%PDF"));
    let view = ava
        .get(app.url(&format!("/attachment/{report}/view")))
        .send()
        .await
        .unwrap();
    assert_eq!(view.status(), StatusCode::OK);
    assert!(
        view.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );

    // Before the order is received the customer may not download; staff may.
    let early = first_attachment(&app, &ava, "ORD-1006", "document").await;
    let (status, body) = json_of(
        ava.get(app.url(&format!("/attachment/{early}/download")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let staff = sam
        .get(app.url(&format!("/attachment/{early}/download")))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::OK);

    // Other tenants' files do not exist; nor do they for anonymous callers.
    let cleo = app.login("cleo@birch.test").await;
    let (status, foreign) = json_of(
        cleo.get(app.url(&format!("/attachment/{report}/download")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, missing) = json_of(
        cleo.get(app.url("/attachment/999999/download"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(foreign, missing);
    let ben = app.login("ben@acme.test").await;
    let avas_report = first_attachment(&app, &ava, "ORD-1012", "report").await;
    let (status, _) = json_of(
        ben.get(app.url(&format!("/attachment/{avas_report}/view")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = json_of(
        app.anonymous()
            .get(app.url(&format!("/attachment/{report}/view")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_databases!(
    staff_upload_vendor_reports_and_hostile_names_stay_inert,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1011").await;
        let (status, body) = app
            .upload(
                &sam,
                id,
                &[("../../final\"; x=y\u{202E}.pdf", PDF)],
                Some("report"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body[0]["kind"], "report");
        let filename = body[0]["filename"].as_str().unwrap().to_owned();
        assert_eq!(filename, "final\"; x=y.pdf");
        let attachment = body[0]["id"].as_i64().unwrap();
        let response = sam
            .get(app.url(&format!("/attachment/{attachment}/download")))
            .send()
            .await
            .unwrap();
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(disposition.matches('"').count(), 2, "{disposition}");
        assert_eq!(disposition.matches(';').count(), 2, "{disposition}");
        assert!(
            disposition.ends_with("filename*=UTF-8''final%22%3B%20x%3Dy%2Epdf"),
            "{disposition}"
        );
    }
);

on_both_databases!(
    the_clean_up_removes_only_what_interrupted_uploads_left,
    async |app: TestApp| {
        use app::server::services::attachments::{expect_file, reconcile};
        use app::server::storage::Storage;
        let rows = attachment_count(&app).await;
        assert!(rows > 0);
        let dir = app.files_dir();
        let files = app.state.storage.files().await.unwrap().len();
        // What an upload cut short leaves: its key recorded as pending,
        // and the file, whole or (as `#0`) part-written.
        let whole = Storage::new_key();
        let partial = Storage::new_key();
        for key in [&whole, &partial] {
            expect_file(&app.state.db, key).await.unwrap();
        }
        std::fs::write(dir.join(&whole), b"orphan").unwrap();
        std::fs::write(dir.join(format!("{partial}#0")), b"part").unwrap();
        // What the clean-up did not record is not its to remove: another
        // program's file, even one named like a stored file.
        let foreign = Storage::new_key();
        std::fs::write(dir.join("README"), b"keep").unwrap();
        std::fs::write(dir.join(&foreign), b"not ours").unwrap();

        // Within the grace period an upload may still be under way.
        let removed = reconcile(&app.state.db, &app.state.storage, 3_600_000)
            .await
            .unwrap();
        assert_eq!(removed, 0);
        assert!(dir.join(&whole).exists());

        let removed = reconcile(&app.state.db, &app.state.storage, 0)
            .await
            .unwrap();
        assert_eq!(removed, 2);
        assert!(!dir.join(&whole).exists());
        assert!(!dir.join(format!("{partial}#0")).exists());
        assert!(dir.join("README").exists());
        assert!(dir.join(&foreign).exists());
        assert_eq!(app.state.storage.files().await.unwrap().len(), files + 2);
        assert_eq!(attachment_count(&app).await, rows);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM pending_files").await, 0);
    }
);

on_both_databases!(
    an_upload_outlived_by_its_clean_up_is_refused_whole,
    async |app: TestApp| {
        use app::server::services::attachments::{self, ReceivedFile, TypeCheck};
        let ava = app
            .scalar("SELECT id FROM users WHERE email = 'ava@acme.test'")
            .await;
        let user = app::server::auth::load_user(&app.state.db, ava)
            .await
            .unwrap()
            .expect("ava");
        let order = app.order_id("ORD-1007").await;
        let target = attachments::may_upload(&app.state.db, &user, order)
            .await
            .unwrap();
        // A file received and stored, whose pending record the clean-up
        // took (the upload outlasted the grace period) before its row was
        // written.
        let key = app::server::storage::Storage::new_key();
        attachments::expect_file(&app.state.db, &key).await.unwrap();
        app.state
            .storage
            .put(&key, bytes::Bytes::from_static(b"%PDF-1.4\n"))
            .await
            .unwrap();
        assert_eq!(
            attachments::reconcile(&app.state.db, &app.state.storage, -60_000)
                .await
                .unwrap(),
            1
        );
        let mut check = TypeCheck::default();
        check.feed(b"%PDF-1.4\n");
        let rows = attachment_count(&app).await;
        let refused = attachments::upload(
            &app.state.db,
            &app.state.storage,
            &user,
            target,
            app::model::AttachmentKind::Document,
            None,
            vec![ReceivedFile {
                file_type: check.finish("late.pdf"),
                filename: "late.pdf".to_owned(),
                key,
                size: 9,
                sha256: String::new(),
            }],
        )
        .await
        .expect_err("no row may name a file the clean-up removed");
        assert_eq!(refused.code(), "conflict");
        assert_eq!(attachment_count(&app).await, rows);
    }
);

/// How a test upload's body ends.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    /// With the end of the form.
    Whole,
    /// It never ends: the client waits, as a slow one would, so any answer
    /// came without the rest of the body.
    Stalled,
}

/// Sends an upload whose body is `head`, then `filler` bytes of the last
/// part's value, then `ending`, made as the server reads it. Answers the
/// status (`None` if the server closed the connection while the client
/// was still sending) and how many bytes the server pulled.
async fn send_large_upload(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    head: String,
    filler: u64,
    ending: Ending,
) -> (Option<StatusCode>, u64) {
    use futures_util::stream::{self, StreamExt};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    const CHUNK: u64 = 64 * 1024;
    let pulled = Arc::new(AtomicU64::new(0));
    let chunks = filler.div_ceil(CHUNK) as usize;
    let filling = stream::iter(0..chunks).map(|_| bytes_of(vec![b'a'; CHUNK as usize]));
    let end = stream::once(async move {
        if ending == Ending::Stalled {
            std::future::pending::<()>().await;
        }
        bytes_of(b"\r\n--LARGE--\r\n".to_vec())
    });
    let body = stream::once(async move { bytes_of(head.into_bytes()) })
        .chain(filling)
        .chain(end)
        .map({
            let pulled = Arc::clone(&pulled);
            move |chunk| {
                if let Ok(bytes) = &chunk {
                    pulled.fetch_add(bytes.len() as u64, Ordering::SeqCst);
                }
                chunk
            }
        });
    let answer = client
        .post(app.url(path))
        .header("content-type", "multipart/form-data; boundary=LARGE")
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    (
        answer.ok().map(|response| response.status()),
        pulled.load(Ordering::SeqCst),
    )
}

fn bytes_of(bytes: Vec<u8>) -> Result<Vec<u8>, std::io::Error> {
    Ok(bytes)
}

/// What a refused body of hundreds of megabytes may have been read of:
/// what the server reads before refusing, plus what the sockets buffer.
const READ_BEFORE_REFUSAL: u64 = 16 * 1024 * 1024;

on_both_databases!(
    uploads_are_refused_before_their_body_is_read,
    async |app: TestApp| {
        for way in [UploadWay::JsonRoute, UploadWay::ServerFn] {
            refused_before_read(&app, way).await;
        }
    }
);

async fn refused_before_read(app: &TestApp, way: UploadWay) {
    let ava = app.login("ava@acme.test").await;
    let open = app.order_id("ORD-1006").await;
    let file_head = "--LARGE\r\nContent-Disposition: form-data; name=\"file\"; \
                         filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        .to_owned();
    let files_before = app.stored_files();
    // Orders the caller may not add to: answered while the client still
    // holds back the file.
    for (order, expected) in [
        (app.order_id("ORD-2006").await, StatusCode::NOT_FOUND),
        (app.order_id("ORD-1010").await, StatusCode::CONFLICT),
        (i64::MAX, StatusCode::NOT_FOUND),
    ] {
        let (status, pulled) = send_large_upload(
            app,
            &ava,
            &way.path(order),
            file_head.clone(),
            0,
            Ending::Stalled,
        )
        .await;
        assert_eq!(status, Some(expected), "{way:?}, order {order}");
        assert_eq!(pulled, file_head.len() as u64, "{way:?}, order {order}");
    }
    // A long kind field, a long filename, a file past the limit: each is
    // answered as soon as it passes its bound, the client still holding
    // back the end of the form...
    let file_limit = app.state.settings.max_upload_bytes;
    let kind_head =
        "--LARGE\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ndocument".to_owned();
    let name_head =
        "--LARGE\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a".to_owned();
    let cases = [
        (
            "kind",
            kind_head,
            256 * 1024,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("filename", name_head, 256 * 1024, StatusCode::BAD_REQUEST),
        (
            "file",
            file_head.clone(),
            file_limit + 64 * 1024,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (case, head, filler, expected) in cases.clone() {
        let (status, _) =
            send_large_upload(app, &ava, &way.path(open), head, filler, Ending::Stalled).await;
        assert_eq!(status, Some(expected), "{way:?}, {case}");
    }
    // ...and sent whole at 300 MB, they are read no further than their
    // bound and what the sockets hold (the connection may close before
    // the client, still sending, reads the answer).
    for (case, head, _, expected) in cases {
        let (status, pulled) =
            send_large_upload(app, &ava, &way.path(open), head, 300 << 20, Ending::Whole).await;
        assert!(
            status.is_none_or(|status| status == expected),
            "{way:?}, {case}: {status:?}"
        );
        assert!(
            pulled < file_limit + READ_BEFORE_REFUSAL,
            "{way:?}, {case}: {pulled} bytes read"
        );
    }
    assert_eq!(app.stored_files(), files_before);
    // The server still answers, and a small upload still lands.
    let (status, body) = app.upload(&ava, open, &[("a.pdf", PDF)], None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

on_both_databases!(
    stored_names_match_their_type_and_markup_is_refused,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        // A PDF named as a program, with a direction mark to hide it, and
        // invisible characters: stored under a name of its own type.
        let (status, body) = app
            .upload(
                &ava,
                id,
                &[
                    ("invoice\u{202E}fdp.exe", PDF),
                    ("sc\u{200B}an\u{061C}.pdf", PDF),
                    ("minutes.html", b"Agreed: parcel 12 < parcel 14 in size.\n"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body[0]["filename"], "invoicefdp.exe.pdf");
        assert_eq!(body[1]["filename"], "scan.pdf");
        assert_eq!(body[2]["filename"], "minutes.html.txt");
        assert_eq!(body[2]["content_type"], "text/plain");
        // Markup anywhere in a text file is refused, and nothing is stored.
        let files_before = app.stored_files();
        for contents in [
            &b"Hi <html><script>alert(1)</script>"[..],
            b"parcel,owner\n12,<img src=x onerror=alert(1)>\n",
        ] {
            let (status, body) = app.upload(&ava, id, &[("evil.txt", contents)], None).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        }
        assert_eq!(app.stored_files(), files_before);
    }
);

on_both_databases!(
    pages_and_json_are_compressed_and_files_are_not,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let report = first_attachment(&app, &ava, "ORD-1013", "report").await;
        let encoding_of = async |path: &str| {
            let response = ava
                .get(app.url(path))
                .header("accept-encoding", "br, gzip")
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let encoding = response
                .headers()
                .get("content-encoding")
                .map(|value| value.to_str().unwrap().to_owned());
            let vary = response.headers().get_all("vary").iter().any(|value| {
                value
                    .to_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("accept-encoding")
            });
            (encoding, vary)
        };
        // Gzip, though brotli is asked for first: a brotli encoder per
        // answer costs far more memory and time (`docs/decisions.md`).
        for path in ["/orders", "/ordering/api/orders"] {
            assert_eq!(
                encoding_of(path).await,
                (Some("gzip".to_owned()), true),
                "{path}"
            );
        }
        for path in [
            format!("/attachment/{report}/download"),
            format!("/attachment/{report}/view"),
        ] {
            assert_eq!(encoding_of(&path).await.0, None, "{path}");
        }
    }
);
