//! Every route × every kind of caller → the expected status. The table
//! must name exactly the routes the portal serves (`route_list`), so a new
//! route without an entry fails this test.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use server::routes::table::RouteEntry;
use std::collections::BTreeSet;

/// The kinds of caller, in the column order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// Cleo: customer admin of another company.
    OtherCompany,
    /// Ben: Acme's customer user, who did not place the target order.
    NotPlacer,
    /// Ava: Acme's customer admin, who placed it.
    CustomerAdmin,
    Staff,
    StaffAdmin,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::OtherCompany,
    Caller::NotPlacer,
    Caller::CustomerAdmin,
    Caller::Staff,
    Caller::StaffAdmin,
];

impl Caller {
    fn email(self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => None,
            Caller::OtherCompany => Some("cleo@birch.test"),
            Caller::NotPlacer => Some("ben@acme.test"),
            Caller::CustomerAdmin => Some("ava@acme.test"),
            Caller::Staff => Some("sam@fts.test"),
            Caller::StaffAdmin => Some("root@fts.test"),
        }
    }

    fn tag(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

/// What no answer to a customer may contain: password hashes, storage
/// internals, and the text of the demo data's internal staff notes.
const NEVER_TO_CUSTOMERS: [&str; 5] = [
    "$argon2",
    "password_hash",
    "storage_key",
    "sha256",
    "the county office is slow",
];

/// In the table: a batch answered 200 whose one order was refused.
const REFUSED_IN_BATCH: u16 = 0;

/// What a probe sends. `{id}` in paths and bodies stands for the probe's
/// target, `{caller}` for the caller's tag, `{email}` for its account.
enum Body {
    None,
    Json(&'static str),
    Form(&'static str),
    Pdf,
}

/// The target a probe acts on.
#[derive(Clone, Copy)]
enum Target {
    /// ORD-1001 (Acme, placed by Ava), put in this status before each call.
    Order(&'static str),
    /// A document of ORD-1012 (received, placed by Ava).
    Attachment,
    /// One of Sam's notifications.
    Notification,
    /// Acme.
    Company,
    /// Ben.
    User,
    /// A batch Ava ran (a cancel of an order that does not exist).
    Batch,
    /// Title Search.
    Product,
    Nothing,
}

struct Probe {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    target: Target,
    /// Sign in afresh for this call (sign-in and sign-out change the session).
    fresh: bool,
    expect: [u16; 6],
}

const fn probe(
    method: &'static str,
    route: &'static str,
    body: Body,
    target: Target,
    expect: [u16; 6],
) -> Probe {
    Probe {
        method,
        route,
        path: route,
        body,
        target,
        fresh: false,
        expect,
    }
}

const B: u16 = REFUSED_IN_BATCH;

fn table() -> Vec<Probe> {
    use Target::*;
    let pending = Order("pending");
    let on_hold = Order("on_hold");
    let submitted = Order("submitted");
    let unprocessed = Order("unprocessed");
    vec![
        // Start page and the browser bundle: the same for everyone.
        probe("GET", "/", Body::None, Nothing, [303; 6]),
        Probe {
            path: "/pkg/probe.css",
            ..probe("GET", "/pkg/{*file}", Body::None, Nothing, [200; 6])
        },
        // Pages.
        probe(
            "GET",
            "/login",
            Body::None,
            Nothing,
            [200, 303, 303, 303, 303, 303],
        ),
        probe(
            "GET",
            "/orders",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/orders/on-hold",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/orders/resubmitted",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/orders/completed",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/orders/cancelled",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/notifications",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/orders/new",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 404, 404],
        ),
        probe(
            "GET",
            "/dashboard",
            Body::None,
            Nothing,
            [303, 404, 404, 404, 200, 200],
        ),
        probe(
            "GET",
            "/admin",
            Body::None,
            Nothing,
            [303, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/admin/companies",
            Body::None,
            Nothing,
            [303, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/admin/companies/{id}",
            Body::None,
            Company,
            [303, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/admin/users",
            Body::None,
            Nothing,
            [303, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/admin/products",
            Body::None,
            Nothing,
            [303, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/batches",
            Body::None,
            Nothing,
            [303, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/batches/{id}",
            Body::None,
            Batch,
            [303, 404, 404, 200, 200, 200],
        ),
        Probe {
            path: "/order/{id}",
            ..probe(
                "GET",
                "/order/{id}",
                Body::None,
                pending,
                [303, 404, 404, 200, 200, 200],
            )
        },
        // JSON API: session.
        Probe {
            fresh: true,
            ..probe(
                "POST",
                "/ordering/api/login",
                Body::Json(r#"{"email": "{email}", "password": "demo-password"}"#),
                Nothing,
                [200; 6],
            )
        },
        Probe {
            fresh: true,
            ..probe(
                "POST",
                "/ordering/api/logout",
                Body::None,
                Nothing,
                [204; 6],
            )
        },
        probe(
            "GET",
            "/ordering/api/me",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        // JSON API: orders.
        probe(
            "GET",
            "/ordering/api/orders",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/orders/counts",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/stats",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/batches",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/batches/{id}",
            Body::None,
            Batch,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/admin/products",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 200, 200],
        ),
        probe(
            "PATCH",
            "/ordering/api/admin/products/{id}",
            Body::Json(r#"{"documents": ["Signed authorization", "Copy of the vesting deed"]}"#),
            Product,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/ordering/api/orders/reports.zip",
            Body::None,
            Nothing,
            [401, 400, 400, 400, 400, 400],
        ),
        Probe {
            path: "/ordering/api/orders/reports.zip?ids={id}",
            ..probe(
                "GET",
                "/ordering/api/orders/reports.zip",
                Body::None,
                pending,
                [401, 200, 200, 200, 200, 200],
            )
        },
        probe(
            "GET",
            "/ordering/api/orders/export.csv",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/orders/{id}",
            Body::None,
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "GET",
            "/ordering/api/orders/{id}/notes",
            Body::None,
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/ordering/api/orders/{id}/notes",
            Body::Json(r#"{"body": "From {caller}"}"#),
            pending,
            [401, 404, 404, 201, 201, 201],
        ),
        probe(
            "POST",
            "/ordering/api/orders",
            Body::Json(r#"{"orders": [{"product_id": 1, "title": "From {caller}"}]}"#),
            Nothing,
            [401, 201, 201, 201, 403, 403],
        ),
        probe(
            "POST",
            "/api/place-orders",
            Body::Json(r#"{"orders": [{"product_id": 1, "title": "Fn {caller}"}]}"#),
            Nothing,
            [401, 200, 200, 200, 403, 403],
        ),
        probe(
            "POST",
            "/ordering/api/orders/{id}/attachments",
            Body::Pdf,
            pending,
            [401, 404, 404, 201, 201, 201],
        ),
        Probe {
            path: "/api/upload-attachments?order={id}",
            ..probe(
                "POST",
                "/api/upload-attachments",
                Body::Pdf,
                pending,
                [401, 404, 404, 200, 200, 200],
            )
        },
        probe(
            "GET",
            "/attachment/{id}/view",
            Body::None,
            Attachment,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "GET",
            "/attachment/{id}/download",
            Body::None,
            Attachment,
            [401, 404, 404, 200, 200, 200],
        ),
        // JSON API: actions.
        probe(
            "POST",
            "/order/{id}/cancel",
            Body::None,
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/orders/cancel-multiple",
            Body::Json(r#"{"order_ids": [{id}]}"#),
            pending,
            [401, B, B, 200, 200, 200],
        ),
        probe(
            "POST",
            "/order/{id}/submit-for-processing",
            Body::None,
            unprocessed,
            [401, 404, 404, 200, 403, 403],
        ),
        probe(
            "POST",
            "/ordering/api/orders/resubmit",
            Body::Json(r#"{"order_ids": [{id}], "note": "Corrected"}"#),
            on_hold,
            [401, B, B, 200, B, B],
        ),
        probe(
            "POST",
            "/ordering/api/orders/{id}/transition",
            Body::Json(r#"{"to": "ordered"}"#),
            submitted,
            [401, 404, 404, 403, 200, 200],
        ),
        probe(
            "POST",
            "/ordering/api/orders/transition",
            Body::Json(r#"{"order_ids": [{id}], "to": "ordered"}"#),
            submitted,
            [401, B, B, B, 200, 200],
        ),
        // JSON API: notifications.
        probe(
            "GET",
            "/ordering/api/notifications",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/ordering/api/notifications/{id}/read",
            Body::None,
            Notification,
            [401, 404, 404, 404, 204, 404],
        ),
        // The live event stream.
        probe(
            "GET",
            "/ordering/api/events",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        // Health checks: for load balancers, without a session.
        probe("GET", "/healthz", Body::None, Nothing, [200; 6]),
        probe("GET", "/readyz", Body::None, Nothing, [200; 6]),
        // Metrics: not served without METRICS_TOKEN (see metrics.rs).
        probe("GET", "/metrics", Body::None, Nothing, [404; 6]),
        // The API document and its docs page: public.
        probe(
            "GET",
            "/ordering/api/openapi.json",
            Body::None,
            Nothing,
            [200; 6],
        ),
        probe("GET", "/ordering/api/docs", Body::None, Nothing, [308; 6]),
        probe("GET", "/ordering/api/docs/", Body::None, Nothing, [200; 6]),
        Probe {
            path: "/ordering/api/docs/swagger-ui.css",
            ..probe(
                "GET",
                "/ordering/api/docs/{*file}",
                Body::None,
                Nothing,
                [200; 6],
            )
        },
        // JSON API: administration.
        probe(
            "GET",
            "/ordering/api/admin/companies",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/ordering/api/admin/companies",
            Body::Json(r#"{"name": "Company of {caller}"}"#),
            Nothing,
            [401, 404, 404, 404, 404, 201],
        ),
        probe(
            "GET",
            "/ordering/api/admin/companies/{id}",
            Body::None,
            Company,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "PATCH",
            "/ordering/api/admin/companies/{id}",
            Body::Json(r#"{"has_account": true}"#),
            Company,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "GET",
            "/ordering/api/admin/users",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/ordering/api/admin/users",
            Body::Json(
                r#"{"email": "{caller}@fts.test", "name": "New {caller}", "password": "a long passphrase", "group": "staff"}"#,
            ),
            Nothing,
            [401, 404, 404, 404, 404, 201],
        ),
        probe(
            "PATCH",
            "/ordering/api/admin/users/{id}",
            Body::Json(r#"{"disabled": false}"#),
            User,
            [401, 404, 404, 404, 404, 200],
        ),
        // Server functions: the same rules through the UI's own calls.
        Probe {
            fresh: true,
            ..probe(
                "POST",
                "/api/login",
                Body::Form("email={email}&password=demo-password"),
                Nothing,
                [200; 6],
            )
        },
        Probe {
            fresh: true,
            ..probe("POST", "/api/logout", Body::None, Nothing, [200; 6])
        },
        probe(
            "POST",
            "/api/get-me",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-stats",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-batches",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-batch",
            Body::Form("id={id}"),
            Batch,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-product-documents",
            Body::None,
            Nothing,
            [401, 404, 404, 404, 200, 200],
        ),
        probe(
            "POST",
            "/api/set-product-documents",
            Body::Json(
                r#"{"product_id": {id}, "documents": ["Signed authorization", "Copy of the vesting deed"]}"#,
            ),
            Product,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/set-list-layout",
            Body::Form("layout=cards"),
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/order-counts",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/list-orders",
            Body::Json(r#"{"query": {}}"#),
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/find-companies",
            Body::Form("q=Birch"),
            Nothing,
            [401, 404, 404, 404, 200, 200],
        ),
        probe(
            "POST",
            "/api/filter-options",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-order",
            Body::Form("id={id}"),
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/cancel-order",
            Body::Form("id={id}"),
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/cancel-orders",
            Body::Form("ids[0]={id}"),
            pending,
            [401, B, B, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/submit-order",
            Body::Form("id={id}"),
            unprocessed,
            [401, 404, 404, 200, 403, 403],
        ),
        probe(
            "POST",
            "/api/resubmit-orders",
            Body::Form("ids[0]={id}&note=Corrected"),
            on_hold,
            [401, B, B, 200, B, B],
        ),
        probe(
            "POST",
            "/api/add-note",
            Body::Form("id={id}&body=From+{caller}&internal=false"),
            pending,
            [401, 404, 404, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/transition-order",
            Body::Json(
                r#"{"id": {id}, "to": "ordered", "reason": null, "required_documents": []}"#,
            ),
            submitted,
            [401, 404, 404, 403, 200, 200],
        ),
        probe(
            "POST",
            "/api/transition-orders",
            Body::Json(
                r#"{"ids": [{id}], "to": "ordered", "reason": null, "required_documents": []}"#,
            ),
            submitted,
            [401, B, B, B, 200, 200],
        ),
        probe(
            "POST",
            "/api/get-notifications",
            Body::None,
            Nothing,
            [401, 200, 200, 200, 200, 200],
        ),
        probe(
            "POST",
            "/api/read-notification",
            Body::Form("id={id}"),
            Notification,
            [401, 404, 404, 404, 200, 404],
        ),
        probe(
            "POST",
            "/api/admin-companies",
            Body::Json(r#"{"query": {}}"#),
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-company",
            Body::Form("id={id}"),
            Company,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-create-company",
            Body::Form("name=Firm+of+{caller}&has_account=false&enable_cancel_order=true"),
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-update-company",
            Body::Form("id={id}&has_account=true"),
            Company,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-users",
            Body::Json(r#"{"query": {}}"#),
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-create-user",
            Body::Form(
                "email=fn-{caller}@fts.test&name=Fn+{caller}&password=a+long+passphrase&group=staff",
            ),
            Nothing,
            [401, 404, 404, 404, 404, 200],
        ),
        probe(
            "POST",
            "/api/admin-update-user",
            Body::Form("id={id}&disabled=false"),
            User,
            [401, 404, 404, 404, 404, 200],
        ),
    ]
}

/// The ids the targets stand for in this app's demo data.
struct Targets {
    order: i64,
    attachment: i64,
    notification: i64,
    company: i64,
    user: i64,
    batch: i64,
    product: i64,
}

impl Targets {
    async fn of(app: &TestApp) -> Targets {
        Targets {
            order: app.order_id("ORD-1001").await,
            attachment: app
                .scalar(
                    "SELECT a.id FROM attachments a JOIN orders o ON o.id = a.order_id \
                 WHERE o.number = 'ORD-1012' AND a.kind = 'document'",
                )
                .await,
            notification: app
                .scalar(
                    "SELECT n.id FROM notifications n JOIN users u ON u.id = n.recipient_id \
                 WHERE u.email = 'sam@fts.test' ORDER BY n.id",
                )
                .await,
            company: app
                .scalar("SELECT id FROM companies WHERE name = 'Acme Title'")
                .await,
            user: app
                .scalar("SELECT id FROM users WHERE email = 'ben@acme.test'")
                .await,
            batch: {
                let ava = app.login("ava@acme.test").await;
                let (status, body) = app
                    .post_json(
                        &ava,
                        "/orders/cancel-multiple",
                        serde_json::json!({ "order_ids": [999_999_999] }),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body["batch_id"].as_i64().expect("the batch is kept")
            },
            product: app
                .scalar("SELECT id FROM products WHERE name = 'Title Search'")
                .await,
        }
    }

    fn id(&self, target: Target) -> i64 {
        match target {
            Target::Order(_) => self.order,
            Target::Attachment => self.attachment,
            Target::Notification => self.notification,
            Target::Company => self.company,
            Target::User => self.user,
            Target::Batch => self.batch,
            Target::Product => self.product,
            Target::Nothing => 0,
        }
    }
}

async fn client_for(app: &TestApp, caller: Caller) -> Client {
    match caller.email() {
        Some(email) => app.login(email).await,
        None => app.anonymous(),
    }
}

async fn send(
    app: &TestApp,
    client: &Client,
    probe: &Probe,
    caller: Caller,
    id: i64,
) -> (StatusCode, String) {
    let fill = |text: &str| {
        text.replace("{id}", &id.to_string())
            .replace("{caller}", &caller.tag())
            .replace("{email}", caller.email().unwrap_or("ava@acme.test"))
    };
    let method = reqwest::Method::from_bytes(probe.method.as_bytes()).expect("method");
    let mut request = client.request(method, app.url(&fill(probe.path)));
    request = match &probe.body {
        Body::None => request,
        Body::Json(json) => request
            .header("content-type", "application/json")
            .body(fill(json)),
        Body::Form(form) => request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(fill(form)),
        Body::Pdf => request.multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("matrix.pdf"),
        )),
    };
    let cell = format!("{} {} as {caller:?}", probe.method, probe.path);
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("{cell}: request: {error:?}"));
    let status = response.status();
    let streams = response
        .headers()
        .get("content-type")
        .is_some_and(|kind| kind == "text/event-stream");
    if streams {
        // An event stream does not end: its status is the answer.
        return (status, String::new());
    }
    let body = response
        .text()
        .await
        .unwrap_or_else(|error| panic!("{cell} ({status}): body: {error:?}"));
    (status, body)
}

on_both_databases!(
    every_route_answers_every_caller_as_listed,
    async |app: TestApp| {
        let probes = table();
        let listed: BTreeSet<RouteEntry> = probes
            .iter()
            .map(|probe| RouteEntry {
                method: probe.method.to_owned(),
                path: probe.route.to_owned(),
            })
            .collect();
        let served: BTreeSet<RouteEntry> = server::startup::route_list().into_iter().collect();
        let missing: Vec<_> = served.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&served).collect();
        assert!(
            missing.is_empty(),
            "routes without an entry in the table: {missing:?}"
        );
        assert!(
            stale.is_empty(),
            "entries for routes that do not exist: {stale:?}"
        );

        let targets = Targets::of(&app).await;
        let mut clients = Vec::new();
        for caller in CALLERS {
            clients.push(client_for(&app, caller).await);
        }
        // An internal note on the target order, which customers must never see.
        let (status, _) = app
        .post_json(
            &clients[4],
            &format!("/ordering/api/orders/{}/notes", targets.order),
            serde_json::json!({"body": "Internal: the county office is slow.", "internal": true}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let mut cells = 0;
        let mut mismatches = Vec::new();
        for probe in &probes {
            for (column, caller) in CALLERS.into_iter().enumerate() {
                if let Target::Order(status) = probe.target {
                    app.force_status("ORD-1001", status).await;
                }
                let client = if probe.fresh {
                    client_for(&app, caller).await
                } else {
                    clients[column].clone()
                };
                let id = targets.id(probe.target);
                let (status, body) = send(&app, &client, probe, caller, id).await;
                let cell = format!("{} {} as {caller:?}", probe.method, probe.path);
                let expected = probe.expect[column];
                let answered_as_expected = if expected == REFUSED_IN_BATCH {
                    // Orders of others are "not found" in a batch too.
                    let hidden = matches!(caller, Caller::OtherCompany | Caller::NotPlacer);
                    status == StatusCode::OK
                        && serde_json::from_str::<Value>(&body).is_ok_and(|batch| {
                            batch["failed"] == 1
                                && (!hidden || batch["results"][0]["error"]["code"] == "not_found")
                        })
                } else {
                    status.as_u16() == expected
                };
                if !answered_as_expected {
                    let excerpt: String = body.chars().take(160).collect();
                    mismatches.push(format!(
                        "{cell}: expected {expected}, got {status}: {excerpt}"
                    ));
                    continue;
                }
                if matches!(
                    caller,
                    Caller::OtherCompany | Caller::NotPlacer | Caller::CustomerAdmin
                ) {
                    for secret in NEVER_TO_CUSTOMERS {
                        assert!(!body.contains(secret), "{cell} reveals {secret}: {body}");
                    }
                }
                let refused = expected == REFUSED_IN_BATCH || expected >= 400;
                if let (true, Target::Order(before)) = (refused, probe.target) {
                    assert_eq!(
                        app.status_of("ORD-1001").await,
                        before,
                        "{cell} changed the order"
                    );
                }
                // Another tenant's order is indistinguishable from none at all
                // (pages differ by their nonces, so only data answers compare).
                if expected == 404
                    && matches!(caller, Caller::OtherCompany | Caller::NotPlacer)
                    && matches!(probe.target, Target::Order(_) | Target::Attachment)
                    && !body.starts_with("<!DOCTYPE")
                {
                    let (missing_status, missing_body) =
                        send(&app, &client, probe, caller, 999_999_999).await;
                    assert_eq!(missing_status, status, "{cell}");
                    assert_eq!(
                        without_request_id(&missing_body),
                        without_request_id(&body),
                        "{cell}: same body as a missing id"
                    );
                }
                cells += 1;
            }
        }
        assert!(
            mismatches.is_empty(),
            "{} of {cells} cells differ:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
        eprintln!(
            "{} routes × {} callers = {cells} cells",
            probes.len(),
            CALLERS.len()
        );
    }
);

on_both_databases!(
    pages_with_a_trailing_slash_are_sent_to_their_one_address,
    async |app: TestApp| {
        let anonymous = app.anonymous();
        let root = app.login("root@fts.test").await;
        let ben = app.login("ben@acme.test").await;
        for (path, to) in [
            ("/admin/", "/admin"),
            ("/notifications/", "/notifications"),
            (
                "/orders/on-hold/?sort=oldest",
                "/orders/on-hold?sort=oldest",
            ),
            ("/admin/companies//", "/admin/companies"),
        ] {
            for client in [&anonymous, &root, &ben] {
                let response = client.get(app.url(path)).send().await.expect("request");
                assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
                assert_eq!(response.headers()["location"], to, "{path}");
            }
        }
        // Where the one address leads, each caller's own answer.
        for (client, expected) in [
            (&anonymous, StatusCode::SEE_OTHER),
            (&ben, StatusCode::NOT_FOUND),
            (&root, StatusCode::OK),
        ] {
            let response = client.get(app.url("/admin")).send().await.expect("request");
            assert_eq!(response.status(), expected);
        }
        // The API keeps exact paths.
        let response = root
            .get(app.url("/ordering/api/orders/"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

/// An answer's body as it reads without its request's id, which every
/// request has its own of.
fn without_request_id(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(mut json) => {
            take_request_id(&mut json);
            json.to_string()
        }
        Err(_) => body.to_owned(),
    }
}
