//! Property-based fuzzing of every route: malformed JSON, forms, query
//! strings, path values and multipart bodies, signed in and not. Every
//! answer must be below 500 and the server must keep serving.
//! `FUZZ_CASES` sets the number of requests (default 400 per database).

use crate::helpers::*;
use crate::on_both_databases;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use server::routes::table::RouteEntry;

/// Requests per database: `FUZZ_CASES`, 400 by default.
pub fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(400)
}

/// Field names the routes know, mixed in so that the bodies get past the
/// first checks and reach deeper ones.
const FIELDS: [&str; 24] = [
    "order_ids",
    "ids",
    "id",
    "note",
    "to",
    "reason",
    "email",
    "password",
    "body",
    "internal",
    "name",
    "has_account",
    "enable_cancel_order",
    "group",
    "disabled",
    "company_id",
    "status",
    "role",
    "query",
    "view",
    "q",
    "cursor",
    "limit",
    "sort",
];

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(&FIELDS[..]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-3i64..3000).prop_map(Value::from),
        any::<f64>().prop_map(|number| json!(number)),
        any::<String>().prop_map(Value::from),
        proptest::sample::select(
            &[
                "pending",
                "cancelled",
                "on_hold",
                "staff",
                "staff_admin",
                "in-progress",
                ""
            ][..]
        )
        .prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(field(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn form_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (-3i64..3000).prop_map(|number| number.to_string()),
        Just("%ZZ".to_owned()),
        Just("a%00b".to_owned()),
        Just("[]".to_owned()),
    ]
}

/// `key=value&…` with raw (sometimes broken) escapes, brackets included.
fn form() -> impl Strategy<Value = String> {
    proptest::collection::vec((field(), proptest::option::of(0u8..3), form_value()), 0..6).prop_map(
        |pairs| {
            pairs
                .into_iter()
                .map(|(key, index, value)| {
                    let key = match index {
                        Some(index) => format!("{key}[{index}]"),
                        None => key,
                    };
                    format!(
                        "{}={}",
                        utf8_percent(&key),
                        if value.contains('%') {
                            value
                        } else {
                            utf8_percent(&value)
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("&")
        },
    )
}

fn utf8_percent(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'[' | b']' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// What fills a `{param}` in a path.
fn path_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..3000).prop_map(|number| number.to_string()),
        Just("99999999999999999999999".to_owned()),
        Just("abc".to_owned()),
        Just("%00".to_owned()),
        Just("..%2F..%2Fetc".to_owned()),
        any::<String>().prop_map(|text| utf8_percent(&text)),
    ]
}

#[derive(Debug, Clone)]
enum Payload {
    Nothing,
    Json(Value),
    /// Text sent as JSON that is not valid JSON.
    BrokenJson(String),
    Form(String),
    Bytes(Vec<u8>, &'static str),
    /// A multipart body: parts, whether the boundary is declared, and where
    /// the body is cut off.
    Multipart {
        parts: Vec<(String, Option<String>, Vec<u8>)>,
        declare_boundary: bool,
        cut: Option<usize>,
    },
}

fn payload() -> impl Strategy<Value = Payload> {
    let content_type = proptest::sample::select(
        &[
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain",
            "application/cbor",
            "",
        ][..],
    );
    prop_oneof![
        1 => Just(Payload::Nothing),
        4 => json_value().prop_map(Payload::Json),
        2 => any::<String>().prop_map(|text| Payload::BrokenJson(format!("{{{text}"))),
        3 => form().prop_map(Payload::Form),
        1 => (proptest::collection::vec(any::<u8>(), 0..512), content_type)
            .prop_map(|(bytes, content_type)| Payload::Bytes(bytes, content_type)),
        2 => (
            proptest::collection::vec(
                (
                    prop_oneof![Just("file".to_owned()), Just("kind".to_owned()), field()],
                    proptest::option::of(any::<String>()),
                    prop_oneof![
                        Just(b"%PDF-1.4\n%%EOF\n".to_vec()),
                        Just(b"report".to_vec()),
                        proptest::collection::vec(any::<u8>(), 0..256),
                    ],
                ),
                0..4,
            ),
            any::<bool>(),
            proptest::option::of(0usize..400),
        )
            .prop_map(|(parts, declare_boundary, cut)| Payload::Multipart {
                parts,
                declare_boundary,
                cut,
            }),
    ]
}

fn query() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(form())
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    params: Vec<String>,
    query: Option<String>,
    payload: Payload,
    /// Which signed-in client sends it (0 = anonymous).
    caller: usize,
}

fn case(routes: usize) -> impl Strategy<Value = Case> {
    (
        0..routes,
        proptest::collection::vec(path_value(), 2),
        query(),
        payload(),
        0usize..3,
    )
        .prop_map(|(route, params, query, payload, caller)| Case {
            route,
            params,
            query,
            payload,
            caller,
        })
}

/// The route's path with its parameters filled in.
fn concrete_path(route: &RouteEntry, params: &[String]) -> String {
    let mut params = params.iter();
    route
        .path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                params.next().cloned().unwrap_or_default()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn multipart_body(parts: &[(String, Option<String>, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, contents) in parts {
        body.extend_from_slice(b"--fuzzboundary\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(b"\"");
        if let Some(filename) = filename {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(filename.as_bytes());
            body.extend_from_slice(b"\"");
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(contents);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--fuzzboundary--\r\n");
    body
}

async fn send(app: &TestApp, client: &Client, route: &RouteEntry, case: &Case) -> StatusCode {
    let mut url = app.url(&concrete_path(route, &case.params));
    if let Some(query) = &case.query {
        url = format!("{url}?{query}");
    }
    let method = reqwest::Method::from_bytes(route.method.as_bytes()).expect("method");
    let request = client.request(method, url);
    let request = match &case.payload {
        Payload::Nothing => request,
        Payload::Json(value) => request
            .header("content-type", "application/json")
            .body(value.to_string()),
        Payload::BrokenJson(text) => request
            .header("content-type", "application/json")
            .body(text.clone()),
        Payload::Form(form) => request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.clone()),
        Payload::Bytes(bytes, content_type) => request
            .header("content-type", *content_type)
            .body(bytes.clone()),
        Payload::Multipart {
            parts,
            declare_boundary,
            cut,
        } => {
            let mut body = multipart_body(parts);
            if let Some(cut) = cut {
                body.truncate(*cut);
            }
            let content_type = if *declare_boundary {
                "multipart/form-data; boundary=fuzzboundary"
            } else {
                "multipart/form-data"
            };
            request.header("content-type", content_type).body(body)
        }
    };
    request
        .send()
        .await
        .unwrap_or_else(|error| panic!("no answer to {route:?} {case:?}: {error}"))
        .status()
}

on_both_databases!(
    fuzzed_requests_to_every_route_never_answer_5xx_nor_panic,
    async |app: TestApp| {
        // Signing out would leave the rest of the run anonymous; it takes no
        // input to fuzz and is covered by the route table.
        let routes: Vec<RouteEntry> = server::startup::route_list()
            .into_iter()
            .filter(|route| !route.path.ends_with("logout"))
            .collect();
        let clients = [
            app.anonymous(),
            app.login("ava@acme.test").await,
            app.login("root@fts.test").await,
        ];
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let strategy = case(routes.len());
        let mut by_class = [0u32; 6];
        let started = std::time::Instant::now();
        for _ in 0..cases() {
            let case = strategy
                .new_tree(&mut runner)
                .expect("a generated case")
                .current();
            let route = &routes[case.route];
            let status = send(&app, &clients[case.caller], route, &case).await;
            assert!(
                !status.is_server_error(),
                "{status} from {} {}: {case:?}",
                route.method,
                route.path
            );
            by_class[usize::from(status.as_u16() / 100)] += 1;
        }
        // Still serving, and the administrator (who cannot be disabled by
        // anyone's request) still signed in.
        let (status, _) = app.get_json(&clients[2], "/ordering/api/me").await;
        assert_eq!(status, StatusCode::OK);
        let panics = app.panics();
        eprintln!(
            "{} fuzzed requests over {} routes on {:?} in {:.1?}: {} 2xx, {} 3xx, {} 4xx, \
             {} 5xx; {} panics",
            cases(),
            routes.len(),
            app.engine(),
            started.elapsed(),
            by_class[2],
            by_class[3],
            by_class[4],
            by_class[5],
            panics.len()
        );
        assert!(panics.is_empty(), "the server panicked: {panics:#?}");
    }
);
