//! The API document names exactly the routes the portal serves, and the
//! docs page serves it from the binary.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::Value;
use server::routes::table::RouteEntry;
use std::collections::BTreeSet;

/// Routes of the API that the document leaves out, and why.
const NOT_IN_THE_DOCUMENT: [&str; 5] = [
    // Operators' Prometheus text, not JSON (`/metrics` needs its own token).
    "/metrics",
    // The document and its page describe the API; they are not part of it.
    "/ordering/api/openapi.json",
    "/ordering/api/docs",
    "/ordering/api/docs/",
    "/ordering/api/docs/{*file}",
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn documented(document: &Value) -> BTreeSet<RouteEntry> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .into_iter()
                .filter(|method| item.get(*method).is_some())
                .map(|method| RouteEntry {
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                })
        })
        .collect()
}

#[test]
fn the_document_names_every_route_of_the_api_and_no_other() {
    let document = serde_json::to_value(server::api_doc::document()).expect("JSON");
    let served: BTreeSet<RouteEntry> = server::routes::api_routes()
        .entries()
        .iter()
        .filter(|entry| !NOT_IN_THE_DOCUMENT.contains(&entry.path.as_str()))
        .cloned()
        .collect();
    let documented = documented(&document);
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "not in the document: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[test]
fn every_operation_is_unique_described_and_answers_its_errors_in_one_shape() {
    let document = serde_json::to_value(server::api_doc::document()).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let id = operation["operationId"].as_str().expect("an operation id");
            assert!(ids.insert(id.to_owned()), "{id} twice");
            assert!(
                operation["summary"]
                    .as_str()
                    .is_some_and(|text| !text.is_empty()),
                "{method} {path} has no summary"
            );
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|status| status.starts_with('2')
                    || (path == "/readyz" && status == "503")),
                "{method} {path}: no success"
            );
            for (status, response) in responses {
                if status.starts_with('4') || (status.starts_with('5') && path != "/readyz") {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            // Every route may fail for want of the database.
            assert!(responses.contains_key("503"), "{method} {path}");
        }
    }
    // Links lead to operations that exist, and name their one parameter.
    let mut links = 0;
    for item in document["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("an item").values() {
            for response in operation["responses"].as_object().into_iter().flatten() {
                for link in response.1["links"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|l| l.1)
                {
                    let target = link["operationId"].as_str().expect("an operation id");
                    assert!(ids.contains(target), "a link to {target}");
                    assert!(
                        link["parameters"]["id"]
                            .as_str()
                            .is_some_and(|id| id.starts_with("$response.body#/"))
                    );
                    links += 1;
                }
            }
        }
    }
    assert!(links >= 20, "{links} links");
    let cookie = &document["components"]["securitySchemes"]["session"];
    assert_eq!(cookie["type"], "apiKey");
    assert_eq!(cookie["in"], "cookie");
    let detail = &document["components"]["schemas"]["ErrorDetail"]["properties"];
    assert!(detail.get("request_id").is_some(), "{detail}");
}

on_both_databases!(
    the_document_and_its_page_are_served_offline,
    async |app: TestApp| {
        let anyone = app.anonymous();
        let (status, document) = app.get_json(&anyone, "/ordering/api/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            document,
            serde_json::to_value(server::api_doc::document()).expect("JSON")
        );

        let moved = anyone
            .get(app.url("/ordering/api/docs"))
            .send()
            .await
            .expect("answer");
        assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(moved.headers()["location"], "/ordering/api/docs/");

        let page = anyone
            .get(app.url("/ordering/api/docs/"))
            .send()
            .await
            .expect("answer");
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .is_ok_and(|kind| kind.starts_with("text/html"))
        );
        let policy = page.headers()["content-security-policy"]
            .to_str()
            .expect("a policy")
            .to_owned();
        assert!(policy.contains("script-src 'self'"), "{policy}");
        let html = page.text().await.expect("HTML");
        assert!(html.contains("swagger-ui-bundle.js"), "{html}");
        // Nothing is fetched from elsewhere.
        assert!(!html.contains("https://"), "{html}");

        let start = anyone
            .get(app.url("/ordering/api/docs/swagger-initializer.js"))
            .send()
            .await
            .expect("answer")
            .text()
            .await
            .expect("script");
        assert!(start.contains("/ordering/api/openapi.json"), "{start}");

        let missing = anyone
            .get(app.url("/ordering/api/docs/no-such-file.js"))
            .send()
            .await
            .expect("answer");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
);
