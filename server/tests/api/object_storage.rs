//! Files in S3-compatible object storage (`FILES_URL=s3://…`), against a
//! real server (SeaweedFS, started by `scripts/object-store`).

use crate::helpers::*;
use crate::{on_both_databases, on_both_databases_with_object_storage};
use app::server::services::attachments;
use app::server::storage::Storage;
use bytes::Bytes;
use reqwest::StatusCode;
use serde_json::json;

const REPORT: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

/// The names of the objects under the test's prefix that the storage gave.
async fn stored_objects(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = app
        .state
        .storage
        .files()
        .await
        .expect("list the bucket")
        .into_iter()
        .map(|file| file.name)
        .filter(|name| Storage::is_stored_name(name))
        .collect();
    names.sort();
    names
}

on_both_databases_with_object_storage!(
    files_are_kept_in_and_served_from_the_object_store,
    async |app: TestApp| {
        // The demo data's files went to the bucket, none to the directory.
        let before = stored_objects(&app).await;
        let recorded = app.scalar("SELECT COUNT(*) FROM attachments").await;
        assert_eq!(before.len() as i64, recorded, "one object per attachment");
        assert_eq!(app.stored_files(), 0, "nothing in FILES_DIR");

        let ava = app.login("ava@acme.test").await;
        let order = app.order_id("ORD-1007").await;
        let body = [REPORT, &vec![b'%'; 300_000]].concat();
        let (status, stored) = app
            .upload(&ava, order, &[("signed form.pdf", &body)], None)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        let id = stored[0]["id"].as_i64().expect("id");
        assert_eq!(stored_objects(&app).await.len(), before.len() + 1);

        // Staff download it, streamed from the store, byte for byte.
        let sam = app.login("sam@fts.test").await;
        let response = sam
            .get(app.url(&format!("/attachment/{id}/download")))
            .send()
            .await
            .expect("download");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-length"],
            body.len().to_string().as_str()
        );
        assert_eq!(response.bytes().await.expect("body"), Bytes::from(body));

        let (status, ready) = app.get_json(&app.anonymous(), "/readyz").await;
        assert_eq!((status, ready), (StatusCode::OK, json!({"status": "ok"})));

        // A bucket that does not exist is no store to be ready with, though
        // the server answers.
        let (endpoint, _) = object_store().expect("the S3 server");
        let missing = spawn_app_with(app.engine(), |config| {
            use_object_store(config, &endpoint, "no-such-bucket");
            config.seed_demo = false;
        })
        .await;
        let (status, ready) = missing.get_json(&missing.anonymous(), "/readyz").await;
        assert_eq!(
            (status, ready),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable"})
            )
        );
    }
);

on_both_databases_with_object_storage!(
    the_clean_up_after_a_crash_works_in_the_object_store,
    async |app: TestApp| {
        let storage = &app.state.storage;
        // A file stored, as uploads store them, without its row: the
        // process stopped in between.
        let orphan = Storage::new_key();
        attachments::expect_file(&app.state.db, &orphan)
            .await
            .expect("recorded as pending");
        storage
            .put(&orphan, Bytes::from_static(REPORT))
            .await
            .expect("store");
        let files_before = stored_objects(&app).await.len();

        // A young orphan may be an upload in progress: it stays.
        let spared = attachments::reconcile(&app.state.db, storage, 3_600_000)
            .await
            .expect("reconcile");
        assert_eq!(spared, 0);
        assert!(stored_objects(&app).await.contains(&orphan));
        let removed = attachments::reconcile(&app.state.db, storage, 0)
            .await
            .expect("reconcile");
        assert_eq!(removed, 1);
        assert!(!stored_objects(&app).await.contains(&orphan));
        assert_eq!(stored_objects(&app).await.len(), files_before - 1);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM pending_files").await,
            0,
            "forgotten once removed"
        );
    }
);

on_both_databases!(
    an_object_store_out_of_reach_makes_the_instance_unready,
    async |app: TestApp| {
        // Nothing listens on port 9 of this machine.
        let unreachable = spawn_app_with(app.engine(), |config| {
            use_object_store(config, "http://127.0.0.1:9", "nowhere");
            config.seed_demo = false;
        })
        .await;
        let (status, body) = unreachable
            .get_json(&unreachable.anonymous(), "/readyz")
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable"})
            )
        );
        let (status, _) = unreachable
            .get_json(&unreachable.anonymous(), "/healthz")
            .await;
        assert_eq!(status, StatusCode::OK, "the process itself answers");
    }
);
