//! Report bundles and the download audit: one zip of what the caller may
//! download, named by order number, the rest listed in its manifest; and
//! every file sent recorded, for staff by name, for customers as their
//! company's first download.

use crate::helpers::*;
use crate::on_both_databases;
use async_zip::base::read::mem::ZipFileReader;
use futures_lite::io::AsyncReadExt;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// The zip's files, by path, with their contents.
async fn bundle(app: &TestApp, client: &Client, ids: &[i64]) -> Vec<(String, Vec<u8>)> {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let response = client
        .get(app.url(&format!(
            "/ordering/api/orders/reports.zip?ids={}",
            ids.join(",")
        )))
        .send()
        .await
        .expect("bundle");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let bytes = response.bytes().await.expect("the zip").to_vec();
    let zip = ZipFileReader::new(bytes).await.expect("a valid zip");
    let mut files = Vec::new();
    for index in 0..zip.file().entries().len() {
        let name = zip.file().entries()[index]
            .filename()
            .as_str()
            .expect("a UTF-8 name")
            .to_owned();
        let mut contents = Vec::new();
        zip.reader_with_entry(index)
            .await
            .expect("an entry")
            .read_to_end(&mut contents)
            .await
            .expect("its contents");
        files.push((name, contents));
    }
    files
}

fn names(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(name, _)| name.as_str()).collect()
}

fn manifest(files: &[(String, Vec<u8>)]) -> String {
    let (_, text) = files
        .iter()
        .find(|(name, _)| name == "manifest.txt")
        .expect("a manifest");
    String::from_utf8(text.clone()).expect("text")
}

on_both_databases!(
    a_bundle_holds_what_the_caller_may_download_and_lists_the_rest,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let received = app.order_id("ORD-1012").await;
        let complete = app.order_id("ORD-1013").await;
        let submitted = app.order_id("ORD-1006").await;
        let birch = app.order_id("ORD-2006").await;
        let ids = [received, complete, submitted, birch, 999_999_999];

        let files = bundle(&app, &ava, &ids).await;
        assert_eq!(
            names(&files),
            [
                "ORD-1012/documents/purchase-agreement.pdf",
                "ORD-1012/reports/ORD-1012-vendor-report.pdf",
                "ORD-1013/documents/purchase-agreement.pdf",
                "ORD-1013/reports/ORD-1013-vendor-report.pdf",
                "manifest.txt",
            ]
        );
        let text = manifest(&files);
        assert!(
            text.contains(
                "ORD-1006: its files can be downloaded once it is received; it is Submitted."
            ),
            "{text}"
        );
        assert!(
            text.contains(&format!("Order {birch}: not found.")),
            "{text}"
        );
        assert!(text.contains("Order 999999999: not found."), "{text}");
        assert!(
            !text.contains("ORD-2006"),
            "another tenant's order stays unnamed: {text}"
        );

        // Each file is the one a single download sends.
        let (_, detail) = app
            .get_json(&ava, &format!("/ordering/api/orders/{received}"))
            .await;
        let document = detail["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|attachment| attachment["filename"] == "purchase-agreement.pdf")
            .expect("the document")
            .clone();
        let single = ava
            .get(app.url(&format!("/attachment/{}/download", document["id"])))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(files[0].1, single.to_vec());

        // Ben sees only the orders he placed; staff get everything.
        let files = bundle(&app, &ben, &ids).await;
        assert_eq!(
            names(&files),
            [
                "ORD-1013/documents/purchase-agreement.pdf",
                "ORD-1013/reports/ORD-1013-vendor-report.pdf",
                "manifest.txt",
            ]
        );
        assert!(manifest(&files).contains(&format!("Order {received}: not found.")));
        let files = bundle(&app, &sam, &ids).await;
        assert!(names(&files).contains(&"ORD-2006/documents/purchase-agreement.pdf"));
        assert!(names(&files).contains(&"ORD-1006/documents/purchase-agreement.pdf"));
        assert!(manifest(&files).contains("Order 999999999: not found."));

        // Bad requests change nothing.
        let before = app.scalar("SELECT COUNT(*) FROM downloads").await;
        let many: Vec<String> = (1..=101).map(|id: i64| id.to_string()).collect();
        for (query, expected) in [
            ("ids=", StatusCode::UNPROCESSABLE_ENTITY),
            ("ids=1,x", StatusCode::BAD_REQUEST),
            ("", StatusCode::BAD_REQUEST),
            (
                &format!("ids={}", many.join(",")) as &str,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let (status, body) = app
                .get_json(&ava, &format!("/ordering/api/orders/reports.zip?{query}"))
                .await;
            assert_eq!(status, expected, "{query}: {body}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM downloads").await, before);
        let (status, _) = app
            .get_json(
                &app.anonymous(),
                &format!("/ordering/api/orders/reports.zip?ids={received}"),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

fn attachment<'a>(detail: &'a Value, filename: &str) -> &'a Value {
    detail["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|attachment| attachment["filename"] == filename)
        .unwrap_or_else(|| panic!("{filename} in {detail}"))
}

on_both_databases!(
    every_download_is_recorded_for_staff_and_first_downloads_shown_to_customers,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let complete = app.order_id("ORD-1013").await;
        let path = format!("/ordering/api/orders/{complete}");
        let report = "ORD-1013-vendor-report.pdf";

        let (_, detail) = app.get_json(&ben, &path).await;
        assert_eq!(
            attachment(&detail, report)["first_downloaded_at"],
            Value::Null
        );

        // Ava takes it in a bundle, Ben downloads it alone, then views it.
        bundle(&app, &ava, &[complete]).await;
        let id = attachment(&detail, report)["id"].as_i64().unwrap();
        for way in ["download", "view"] {
            let response = ben
                .get(app.url(&format!("/attachment/{id}/{way}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }

        let (_, detail) = app.get_json(&sam, &path).await;
        let seen = attachment(&detail, report);
        assert_eq!(seen["download_count"], 3);
        let by: Vec<(&str, &str)> = seen["downloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|download| {
                (
                    download["by"]["name"].as_str().unwrap(),
                    download["via"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by,
            [
                ("Ben Brooks", "view"),
                ("Ben Brooks", "download"),
                ("Ava Adams", "bundle")
            ]
        );

        // Customers see when their company first took it, not who.
        let (_, detail) = app.get_json(&ben, &path).await;
        let seen = attachment(&detail, report);
        assert!(seen["first_downloaded_at"].is_string(), "{seen}");
        assert_eq!(seen["downloads"], serde_json::json!([]));
        let first = seen["first_downloaded_at"].clone();
        let (_, detail) = app.get_json(&ava, &path).await;
        assert_eq!(attachment(&detail, report)["first_downloaded_at"], first);

        // A refused download is not recorded.
        let submitted = app.order_id("ORD-1006").await;
        let (_, detail) = app
            .get_json(&ava, &format!("/ordering/api/orders/{submitted}"))
            .await;
        let document = attachment(&detail, "purchase-agreement.pdf")["id"]
            .as_i64()
            .unwrap();
        let before = app.scalar("SELECT COUNT(*) FROM downloads").await;
        let response = ava
            .get(app.url(&format!("/attachment/{document}/download")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM downloads").await, before);
    }
);
