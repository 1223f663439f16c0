//! The pages' upload server function, `POST /api/upload-attachments?order=<id>`:
//! the same checks, bounds and storage as the JSON route, with errors in the
//! server functions' shape (`{"code", "message"}`).

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::Value;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

/// The code of a server function's error, after checking its shape.
fn server_fn_error_code(body: &Value) -> &str {
    assert!(body["message"].is_string(), "error shape: {body}");
    body["code"].as_str().expect("error code")
}

async fn uploads_of(app: &TestApp, number: &str) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM attachments a JOIN orders o ON o.id = a.order_id WHERE o.number = $1",
        number,
    )
    .await
}

/// Posts `body` to the server function as `content_type`.
async fn post_raw(
    app: &TestApp,
    client: &reqwest::Client,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let response = client
        .post(app.url(&format!("/api/upload-attachments{query}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("an answer");
    json_of(response).await
}

on_both_databases!(
    the_upload_server_function_stores_like_the_json_route,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-1006").await;
        let files_before = app.stored_files();
        let (status, body) = app
            .upload_by(
                UploadWay::ServerFn,
                &ava,
                id,
                &[("signed form.pdf", PDF), ("parcels.csv", b"parcel\n12\n")],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["filename"], "signed form.pdf");
        assert_eq!(body[0]["kind"], "document");
        assert_eq!(body[1]["content_type"], "text/csv");
        assert_eq!(app.stored_files(), files_before + 2);
        // Larger than any other body the router reads (64 KiB): the server
        // function keeps the upload limit, as the JSON route does.
        let ledger = "parcel,owner\n".repeat(10_000);
        let (status, body) = app
            .upload_by(
                UploadWay::ServerFn,
                &ava,
                id,
                &[("ledger.csv", ledger.as_bytes())],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["size"], ledger.len());
        let (_, order) = app
            .get_json(&ava, &format!("/ordering/api/orders/{id}"))
            .await;
        let events = order["events"].as_array().expect("events");
        assert!(events.iter().any(|event| event["kind"] == "upload"));

        // Vendor reports: staff only.
        let received = app.order_id("ORD-1012").await;
        let (status, body) = app
            .upload_by(
                UploadWay::ServerFn,
                &sam,
                received,
                &[("report.pdf", PDF)],
                Some("report"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["kind"], "report");
        let (status, body) = app
            .upload_by(
                UploadWay::ServerFn,
                &ava,
                id,
                &[("report.pdf", PDF)],
                Some("report"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(server_fn_error_code(&body), "forbidden");
    }
);

on_both_databases!(
    the_upload_server_function_keeps_to_tenants_and_statuses,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let before = (
            uploads_of(&app, "ORD-2006").await,
            uploads_of(&app, "ORD-1010").await,
        );
        let files = app.stored_files();
        // Another company's order does not exist for Ava.
        let other = app.order_id("ORD-2006").await;
        let (status, body) = app
            .upload_by(UploadWay::ServerFn, &ava, other, &[("a.pdf", PDF)], None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(server_fn_error_code(&body), "not_found");
        // An ordered order takes no documents.
        let ordered = app.order_id("ORD-1010").await;
        let (status, body) = app
            .upload_by(UploadWay::ServerFn, &ava, ordered, &[("a.pdf", PDF)], None)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(server_fn_error_code(&body), "invalid_status");
        assert_eq!(body["status"], "ordered");
        // Nobody signed in.
        let (status, _) = app
            .upload_by(
                UploadWay::ServerFn,
                &app.anonymous(),
                other,
                &[("a.pdf", PDF)],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            (
                uploads_of(&app, "ORD-2006").await,
                uploads_of(&app, "ORD-1010").await
            ),
            before
        );
        assert_eq!(app.stored_files(), files);
    }
);

on_both_databases!(
    the_upload_server_function_refuses_bad_bodies_with_4xx,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let id = app.order_id("ORD-1006").await;
        let rows = uploads_of(&app, "ORD-1006").await;
        let files = app.stored_files();
        let part =
            "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n";
        let whole = format!("{part}%PDF-1.4\n%%EOF\n\r\n--x--\r\n").into_bytes();
        let order = format!("?order={id}");
        let cases: Vec<(&str, String, &str, Vec<u8>, StatusCode)> = vec![
            // No boundary, or no multipart at all.
            (
                "no boundary",
                order.clone(),
                "multipart/form-data",
                whole.clone(),
                StatusCode::BAD_REQUEST,
            ),
            (
                "json",
                order.clone(),
                "application/json",
                b"{}".to_vec(),
                StatusCode::BAD_REQUEST,
            ),
            // Cut off in the middle of the file.
            (
                "truncated",
                order.clone(),
                "multipart/form-data; boundary=x",
                format!("{part}%PDF-1.4 trunc").into_bytes(),
                StatusCode::BAD_REQUEST,
            ),
            // No order named.
            (
                "no order",
                String::new(),
                "multipart/form-data; boundary=x",
                whole.clone(),
                StatusCode::BAD_REQUEST,
            ),
            (
                "odd order",
                "?order=abc".to_owned(),
                "multipart/form-data; boundary=x",
                whole.clone(),
                StatusCode::BAD_REQUEST,
            ),
        ];
        for (case, query, content_type, body, expected) in cases {
            let (status, answer) = post_raw(&app, &ava, &query, content_type, body).await;
            assert_eq!(status, expected, "{case}: {answer}");
            assert_eq!(server_fn_error_code(&answer), "bad_request", "{case}");
        }

        // The bounds of the JSON route: parts, sizes, fields.
        let many: Vec<(&str, &[u8])> = vec![("a.pdf", PDF); 21];
        let (status, body) = app
            .upload_by(UploadWay::ServerFn, &ava, id, &many, None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let limit = app.state.settings.max_upload_bytes as usize;
        let big = vec![b'a'; limit + 1];
        let (status, body) = app
            .upload_by(UploadWay::ServerFn, &ava, id, &[("big.txt", &big)], None)
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        let (status, body) = app
            .upload_by(
                UploadWay::ServerFn,
                &ava,
                id,
                &[("a.pdf", PDF)],
                Some(&"k".repeat(10_000)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let long_name = format!("{}.pdf", "n".repeat(40_000));
        let (status, body) = app
            .upload_by(UploadWay::ServerFn, &ava, id, &[(&long_name, PDF)], None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        assert_eq!(uploads_of(&app, "ORD-1006").await, rows, "no row added");
        assert_eq!(app.stored_files(), files, "no file left behind");
        let (status, _) = app.get_json(&ava, "/ordering/api/me").await;
        assert_eq!(status, StatusCode::OK, "the server still serves");
    }
);
