//! Kept batches: every batch action is stored with its result per order,
//! and read back within the reader's scope.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn listed_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|batch| batch["id"].as_i64().expect("id"))
        .collect()
}

on_both_databases!(
    every_batch_is_kept_with_its_results_for_those_who_may_see_it,
    async |app: TestApp| {
        let cleo = app.login("cleo@birch.test").await;
        let ava = app.login("ava@acme.test").await;
        let ben = app.login("ben@acme.test").await;
        let sam = app.login("sam@fts.test").await;
        let (first, second) = (
            app.order_id("ORD-2007").await,
            app.order_id("ORD-2008").await,
        );
        let acme_order = app.order_id("ORD-1001").await;

        // Cleo resubmits two of her orders and names one of Acme's.
        let (status, result) = app
            .post_json(
                &cleo,
                "/ordering/api/orders/resubmit",
                json!({ "order_ids": [first, acme_order, second], "note": "Corrected." }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        let cleo_batch = result["batch_id"].as_i64().expect("kept");
        let (status, kept) = app
            .get_json(&cleo, &format!("/ordering/api/batches/{cleo_batch}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{kept}");
        assert_eq!(kept["action"], "resubmit");
        assert_eq!(kept["actor"]["name"], "Cleo Birch");
        assert_eq!(
            (kept["succeeded"].as_i64(), kept["failed"].as_i64()),
            (Some(2), Some(1))
        );
        let results = kept["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["number"], "ORD-2007");
        assert_eq!(results[0]["status"], "resubmitted");
        assert_eq!(results[1]["order_id"], acme_order);
        assert_eq!(results[1]["ok"], false);
        assert_eq!(results[1]["error"]["code"], "not_found");
        assert!(
            results[1].get("number").is_none(),
            "Acme's order stays unnamed: {kept}"
        );
        assert_eq!(results[2]["number"], "ORD-2008");
        for (answered, stored) in result["results"].as_array().unwrap().iter().zip(results) {
            for field in ["order_id", "ok", "status", "error"] {
                assert_eq!(
                    answered.get(field),
                    stored.get(field),
                    "{field}: the kept result is the answered one"
                );
            }
        }

        // Ben (a customer user) resubmits; Ava, his company's administrator,
        // sees his batch, and neither sees Cleo's.
        let (status, result) = app
            .post_json(
                &ben,
                "/ordering/api/orders/resubmit",
                json!({ "order_ids": [app.order_id("ORD-1008").await], "note": "Fixed the parcel." }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        let ben_batch = result["batch_id"].as_i64().expect("kept");
        let (status, result) = app
            .post_json(
                &ava,
                "/orders/cancel-multiple",
                json!({ "order_ids": [acme_order] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        let ava_batch = result["batch_id"].as_i64().expect("kept");

        let (_, page) = app.get_json(&ava, "/ordering/api/batches").await;
        assert_eq!(listed_ids(&page), [ava_batch, ben_batch]);
        let (_, page) = app.get_json(&ben, "/ordering/api/batches").await;
        assert_eq!(
            listed_ids(&page),
            [ben_batch],
            "a customer user sees their own"
        );
        let (_, page) = app.get_json(&cleo, "/ordering/api/batches").await;
        assert_eq!(listed_ids(&page), [cleo_batch]);
        for (client, id) in [(&ava, cleo_batch), (&ben, ava_batch), (&cleo, ben_batch)] {
            let (status, body) = app
                .get_json(client, &format!("/ordering/api/batches/{id}"))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        }

        // Staff moves are kept with where they went; staff see every batch,
        // a page at a time, with every order named.
        let (status, result) = app
            .post_json(
                &sam,
                "/ordering/api/orders/transition",
                json!({ "order_ids": [app.order_id("ORD-1006").await], "to": "ordered" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        let sam_batch = result["batch_id"].as_i64().expect("kept");
        let (_, moved) = app
            .get_json(&sam, &format!("/ordering/api/batches/{sam_batch}"))
            .await;
        assert_eq!(
            (moved["action"].as_str(), moved["to_status"].as_str()),
            (Some("move"), Some("ordered"))
        );
        let (_, page) = app.get_json(&sam, "/ordering/api/batches?limit=2").await;
        assert_eq!(listed_ids(&page), [sam_batch, ava_batch]);
        let cursor = page["next_cursor"].as_str().expect("more").to_owned();
        let (_, page) = app
            .get_json(
                &sam,
                &format!("/ordering/api/batches?limit=2&cursor={cursor}"),
            )
            .await;
        assert_eq!(listed_ids(&page), [ben_batch, cleo_batch]);
        assert_eq!(page["next_cursor"], Value::Null);
        let (_, kept) = app
            .get_json(&sam, &format!("/ordering/api/batches/{cleo_batch}"))
            .await;
        assert_eq!(kept["results"][1]["number"], "ORD-1001");

        for path in [
            "/ordering/api/batches?cursor=abc",
            "/ordering/api/batches?limit=0x",
            "/ordering/api/batches/abc",
        ] {
            let (status, body) = app.get_json(&sam, path).await;
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
                "{path}: {status} {body}"
            );
        }
    }
);
