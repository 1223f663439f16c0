//! Hold checklists: a hold asks for documents, each upload may answer one,
//! and resubmission waits until every one is answered; the next hold
//! replaces the list. Also the product lists staff pick from.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

/// Uploads one PDF named `filename` to order `id`, answering `item`.
async fn upload_for(
    app: &TestApp,
    client: &Client,
    id: i64,
    filename: &str,
    item: &str,
    files: usize,
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new().text("checklist_item", item.to_owned());
    for _ in 0..files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name(filename.to_owned()),
        );
    }
    json_of(
        client
            .post(app.url(&format!("/ordering/api/orders/{id}/attachments")))
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await
}

async fn hold(app: &TestApp, staff: &Client, id: i64, documents: &[&str]) -> (StatusCode, Value) {
    app.post_json(
        staff,
        &format!("/ordering/api/orders/{id}/transition"),
        json!({ "to": "on_hold", "reason": "We need more from you.", "required_documents": documents }),
    )
    .await
}

async fn detail(app: &TestApp, client: &Client, id: i64) -> Value {
    let (status, body) = app
        .get_json(client, &format!("/ordering/api/orders/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn items(order: &Value) -> Vec<(String, bool, Option<String>)> {
    order["checklist"]
        .as_array()
        .expect("a checklist")
        .iter()
        .map(|item| {
            (
                item["item"].as_str().expect("item").to_owned(),
                item["satisfied"].as_bool().expect("satisfied"),
                item["filename"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn resubmit(app: &TestApp, client: &Client, id: i64) -> (StatusCode, Value) {
    app.post_json(
        client,
        &format!("/order/{id}/submit-for-processing"),
        json!({ "note": "Here is what you asked for." }),
    )
    .await
}

on_both_databases!(
    resubmission_waits_for_every_document_the_hold_asked_for,
    async |app: TestApp| {
        let cleo = app.login("cleo@birch.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-2006").await;

        let (status, held) =
            hold(&app, &sam, id, &["Signed authorization", "Flood zone map"]).await;
        assert_eq!(status, StatusCode::OK, "{held}");
        assert_eq!(
            items(&held),
            [
                ("Signed authorization".to_owned(), false, None),
                ("Flood zone map".to_owned(), false, None)
            ]
        );
        let first = held["checklist"][0]["id"].as_i64().expect("an item id");

        // The customer sees it on the order and on its card in the list.
        assert_eq!(items(&detail(&app, &cleo, id).await).len(), 2);
        let listed = app
            .every_listed_order(&cleo, "view=on-hold")
            .await
            .into_iter()
            .find(|order| order["number"] == "ORD-2006")
            .expect("listed on hold");
        assert_eq!(items(&listed).len(), 2);

        let (status, body) = resubmit(&app, &cleo, id).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_code(&body), "checklist_incomplete");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2 documents"),
            "{body}"
        );

        // One document, answering the first item by its id.
        let (status, uploaded) =
            upload_for(&app, &cleo, id, "authorization.pdf", &first.to_string(), 1).await;
        assert_eq!(status, StatusCode::CREATED, "{uploaded}");
        let order = detail(&app, &cleo, id).await;
        assert_eq!(
            items(&order),
            [
                (
                    "Signed authorization".to_owned(),
                    true,
                    Some("authorization.pdf".to_owned())
                ),
                ("Flood zone map".to_owned(), false, None)
            ]
        );
        assert_eq!(order["checklist"][0]["attachment_id"], uploaded[0]["id"]);

        // Still one missing: refused alone and, per order, in a batch.
        let (status, body) = resubmit(&app, &cleo, id).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1 document "),
            "{body}"
        );
        let (status, batch) = app
            .post_json(
                &cleo,
                "/ordering/api/orders/resubmit",
                json!({ "order_ids": [id], "note": "All there." }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{batch}");
        assert_eq!(batch["results"][0]["ok"], false);
        assert_eq!(batch["results"][0]["error"]["code"], "checklist_incomplete");
        assert_eq!(app.status_of("ORD-2006").await, "on_hold");

        // An item the checklist does not have: refused, and nothing kept.
        let files_before = app.scalar("SELECT COUNT(*) FROM attachments").await;
        let (status, body) = upload_for(&app, &cleo, id, "birth.pdf", "Birth certificate", 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM attachments").await,
            files_before
        );

        // The second, named by its text in any case.
        let (status, body) = upload_for(&app, &cleo, id, "map.pdf", "flood ZONE map", 1).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = resubmit(&app, &cleo, id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "resubmitted");

        // Staff see which file answered which item, and the timeline has
        // each step.
        let order = detail(&app, &sam, id).await;
        assert_eq!(
            items(&order),
            [
                (
                    "Signed authorization".to_owned(),
                    true,
                    Some("authorization.pdf".to_owned())
                ),
                (
                    "Flood zone map".to_owned(),
                    true,
                    Some("map.pdf".to_owned())
                )
            ]
        );
        let steps: Vec<&str> = order["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["kind"] == "checklist")
            .map(|event| event["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "Documents asked for: Signed authorization; Flood zone map",
                "“Signed authorization” answered by authorization.pdf",
                "“Flood zone map” answered by map.pdf",
            ]
        );

        // The next hold replaces the list.
        let (status, held) = hold(&app, &sam, id, &["Corrected legal description"]).await;
        assert_eq!(status, StatusCode::OK, "{held}");
        assert_eq!(
            items(&held),
            [("Corrected legal description".to_owned(), false, None)]
        );
    }
);

on_both_databases!(
    an_order_held_without_a_checklist_resubmits_as_before,
    async |app: TestApp| {
        let cleo = app.login("cleo@birch.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-2006").await;
        let (status, _) = hold(&app, &sam, id, &["Signed authorization"]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = upload_for(&app, &cleo, id, "a.pdf", "Signed authorization", 1).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = resubmit(&app, &cleo, id).await;
        assert_eq!(status, StatusCode::OK);

        // A hold that asks for nothing clears the last list.
        let (status, held) = hold(&app, &sam, id, &[]).await;
        assert_eq!(status, StatusCode::OK, "{held}");
        assert_eq!(held["checklist"], json!([]));
        let (status, body) = resubmit(&app, &cleo, id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

on_both_databases!(
    the_pages_batch_move_asks_every_order_for_the_same_documents,
    async |app: TestApp| {
        let sam = app.login("sam@fts.test").await;
        let ids = [
            app.order_id("ORD-1006").await,
            app.order_id("ORD-2006").await,
        ];
        // Documents only with a hold or a rejection: nothing moves otherwise.
        let (status, body) = app
            .post_json(
                &sam,
                "/api/transition-orders",
                json!({ "ids": ids, "to": "ordered", "reason": null, "required_documents": ["Deed"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (&body["succeeded"], &body["failed"]),
            (&json!(0), &json!(2)),
            "{body}"
        );
        assert_eq!(app.status_of("ORD-1006").await, "submitted");

        let (status, body) = app
            .post_json(
                &sam,
                "/api/transition-orders",
                json!({
                    "ids": ids,
                    "to": "on_hold",
                    "reason": "Both need the deed.",
                    "required_documents": ["Copy of the vesting deed"],
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["succeeded"], 2, "{body}");
        assert!(body["batch_id"].as_i64().is_some(), "{body}");
        for id in ids {
            let order = detail(&app, &sam, id).await;
            assert_eq!(order["status"], "on_hold");
            assert_eq!(
                items(&order),
                [("Copy of the vesting deed".to_owned(), false, None)]
            );
        }
    }
);

on_both_databases!(
    bad_checklists_are_refused_and_change_nothing,
    async |app: TestApp| {
        let cleo = app.login("cleo@birch.test").await;
        let sam = app.login("sam@fts.test").await;
        let id = app.order_id("ORD-2006").await;
        let path = format!("/ordering/api/orders/{id}/transition");
        let too_many: Vec<String> = (0..21).map(|n| format!("Document {n}")).collect();
        for body in [
            json!({ "to": "ordered", "required_documents": ["Deed"] }),
            json!({ "to": "on_hold", "reason": "More.", "required_documents": too_many }),
            json!({ "to": "on_hold", "reason": "More.", "required_documents": ["Deed", "  "] }),
            json!({ "to": "on_hold", "reason": "More.", "required_documents": ["x".repeat(201)] }),
        ] {
            let (status, answer) = app.post_json(&sam, &path, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        }
        assert_eq!(app.status_of("ORD-2006").await, "submitted");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM checklist_items").await, 0);

        // A checklist item only while the order waits for it, answered by
        // one document.
        let (status, body) = upload_for(&app, &cleo, id, "a.pdf", "Deed", 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = hold(&app, &sam, id, &["Deed"]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = upload_for(&app, &cleo, id, "a.pdf", "Deed", 2).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let long_item = "d".repeat(2_000);
        let (status, body) = upload_for(&app, &cleo, id, "a.pdf", &long_item, 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM checklist_items WHERE attachment_id IS NOT NULL")
                .await,
            0
        );

        // Another tenant's order does not exist for Cleo.
        let ava_order = app.order_id("ORD-1006").await;
        let (status, _) = hold(&app, &sam, ava_order, &["Deed"]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = upload_for(&app, &cleo, ava_order, "a.pdf", "Deed", 1).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
);

on_both_databases!(
    administrators_keep_the_documents_staff_pick_from,
    async |app: TestApp| {
        let ava = app.login("ava@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let root = app.login("root@fts.test").await;
        let (status, products) = app.get_json(&sam, "/ordering/api/admin/products").await;
        assert_eq!(status, StatusCode::OK, "{products}");
        let title = products
            .as_array()
            .unwrap()
            .iter()
            .find(|listed| listed["product"]["name"] == "Title Search")
            .expect("Title Search")
            .clone();
        assert_eq!(
            title["documents"],
            json!(["Signed authorization", "Copy of the vesting deed"])
        );
        let (status, _) = app.get_json(&ava, "/ordering/api/admin/products").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let path = format!("/ordering/api/admin/products/{}", title["product"]["id"]);
        let change = json!({ "documents": ["Photo ID", " Signed authorization ", "photo id"] });
        let (status, _) = app.patch_json(&sam, &path, change.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "staff do not edit the lists");
        let (status, saved) = app.patch_json(&root, &path, change).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(
            saved["documents"],
            json!(["Photo ID", "Signed authorization"])
        );
        let (status, body) = app
            .patch_json(&root, &path, json!({ "documents": [""] }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = app
            .patch_json(
                &root,
                "/ordering/api/admin/products/999999",
                json!({ "documents": [] }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (_, products) = app.get_json(&root, "/ordering/api/admin/products").await;
        let title = products
            .as_array()
            .unwrap()
            .iter()
            .find(|listed| listed["product"]["name"] == "Title Search")
            .unwrap()
            .clone();
        assert_eq!(
            title["documents"],
            json!(["Photo ID", "Signed authorization"])
        );
    }
);
