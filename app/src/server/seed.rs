//! The demo data of docs/demo-data.md, which examples, docs and tests rely on.
//!
//! Two companies, each with orders in every status, some paid, a group of
//! three pending orders, notes (one of them internal), documents, and a
//! vendor report on every received and complete order.

use crate::model::EventKind;
use crate::rules::sla::SlaClock;
use crate::rules::{self, Group, Status};
use crate::server::auth::{hash_password, install_groups};
use crate::server::db::{self, Db, Tx, date_of_ms, now_ms};
use crate::server::error::AppResult;
use crate::server::services::history::{NoteText, create_refund, insert_note, record_event};
use crate::server::storage::Storage;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// The demo accounts: e-mail, name, group, company (index into `COMPANIES`).
pub const DEMO_USERS: [(&str, &str, Group, Option<usize>); 5] = [
    ("ava@acme.test", "Ava Adams", Group::CustomerAdmin, Some(0)),
    ("ben@acme.test", "Ben Brooks", Group::CustomerUser, Some(0)),
    (
        "cleo@birch.test",
        "Cleo Birch",
        Group::CustomerAdmin,
        Some(1),
    ),
    ("sam@fts.test", "Sam Staff", Group::Staff, None),
    ("root@fts.test", "Root Admin", Group::StaffAdmin, None),
];

/// Name, account billing, cancel flag.
const COMPANIES: [(&str, bool, bool); 2] =
    [("Acme Title", true, true), ("Birch Legal", false, false)];

/// Name, turnaround in business days, and the documents a hold of it
/// usually asks for.
const PRODUCTS: [(&str, i64, &[&str]); 5] = [
    (
        "Title Search",
        5,
        &["Signed authorization", "Copy of the vesting deed"],
    ),
    ("Lien Search", 3, &["Signed authorization"]),
    ("Tax Certificate", 4, &["Parcel number confirmation"]),
    (
        "Flood Certification",
        2,
        &["Legal description", "Signed authorization"],
    ),
    (
        "Property Survey",
        10,
        &["Legal description", "Site access contact"],
    ),
];

/// One demo order: number, status, placed by (index into `DEMO_USERS`),
/// product (index into `PRODUCTS`), title, paid cents, in the company's group,
/// hold or reject reason.
struct DemoOrder {
    number: &'static str,
    status: Status,
    placed_by: usize,
    product: usize,
    title: &'static str,
    paid_cents: i64,
    grouped: bool,
    reason: Option<&'static str>,
}

const fn order(
    number: &'static str,
    status: Status,
    placed_by: usize,
    product: usize,
    title: &'static str,
    paid_cents: i64,
) -> DemoOrder {
    DemoOrder {
        number,
        status,
        placed_by,
        product,
        title,
        paid_cents,
        grouped: false,
        reason: None,
    }
}

const fn grouped(mut demo: DemoOrder) -> DemoOrder {
    demo.grouped = true;
    demo
}

const fn with_reason(mut demo: DemoOrder, reason: &'static str) -> DemoOrder {
    demo.reason = Some(reason);
    demo
}

const AVA: usize = 0;
const BEN: usize = 1;
const CLEO: usize = 2;
const SAM: usize = 3;

const MISSING_FORM: &str = "The signed borrower authorization form is missing. Please upload it.";
const WRONG_PARCEL: &str = "The parcel number does not match the county records.";

/// Acme's orders: ben placed 1002, 1006, 1008, 1010 and 1013; ava the rest.
fn acme_orders() -> Vec<DemoOrder> {
    use Status::*;
    vec![
        order(
            "ORD-1001",
            Unprocessed,
            AVA,
            0,
            "12 Harbor View Rd, Portland",
            0,
        ),
        order("ORD-1002", Pending, BEN, 1, "88 Elm St, Salem", 12_500),
        grouped(order(
            "ORD-1003",
            Pending,
            AVA,
            0,
            "Lot 4, Cedar Ridge subdivision",
            8_500,
        )),
        grouped(order(
            "ORD-1004",
            Pending,
            AVA,
            2,
            "Lot 5, Cedar Ridge subdivision",
            0,
        )),
        grouped(order(
            "ORD-1005",
            Pending,
            AVA,
            3,
            "Lot 6, Cedar Ridge subdivision",
            4_000,
        )),
        order("ORD-1006", Submitted, BEN, 0, "301 Main St, Eugene", 15_000),
        with_reason(
            order("ORD-1007", OnHold, AVA, 4, "7 Lakeshore Dr, Bend", 0),
            MISSING_FORM,
        ),
        with_reason(
            order("ORD-1008", Rejected, BEN, 2, "19 Pine Ct, Medford", 6_000),
            WRONG_PARCEL,
        ),
        order("ORD-1009", Resubmitted, AVA, 1, "45 Oak Ave, Corvallis", 0),
        order("ORD-1010", Ordered, BEN, 0, "230 River Rd, Albany", 15_000),
        order(
            "ORD-1011",
            Allocated,
            AVA,
            3,
            "9 Summit Way, Hood River",
            3_500,
        ),
        order(
            "ORD-1012",
            Received,
            AVA,
            0,
            "1500 Broadway, Portland",
            15_000,
        ),
        order("ORD-1013", Complete, BEN, 2, "64 Vine St, Ashland", 6_000),
        order(
            "ORD-1014",
            Cancelled,
            AVA,
            1,
            "5 Birch Ln, Beaverton",
            9_900,
        ),
    ]
}

fn birch_orders() -> Vec<DemoOrder> {
    use Status::*;
    vec![
        order(
            "ORD-2001",
            Unprocessed,
            CLEO,
            1,
            "400 Market St, Seattle",
            0,
        ),
        order("ORD-2002", Pending, CLEO, 0, "17 Alder St, Tacoma", 11_000),
        grouped(order(
            "ORD-2003",
            Pending,
            CLEO,
            0,
            "Unit 101, Harbor Lofts",
            7_500,
        )),
        grouped(order(
            "ORD-2004",
            Pending,
            CLEO,
            0,
            "Unit 102, Harbor Lofts",
            7_500,
        )),
        grouped(order(
            "ORD-2005",
            Pending,
            CLEO,
            2,
            "Unit 103, Harbor Lofts",
            0,
        )),
        order(
            "ORD-2006",
            Submitted,
            CLEO,
            3,
            "88 Spruce Ave, Olympia",
            2_500,
        ),
        with_reason(
            order("ORD-2007", OnHold, CLEO, 0, "2 Ferry Rd, Bremerton", 0),
            MISSING_FORM,
        ),
        with_reason(
            order("ORD-2008", Rejected, CLEO, 4, "610 Hill St, Everett", 0),
            WRONG_PARCEL,
        ),
        order(
            "ORD-2009",
            Resubmitted,
            CLEO,
            1,
            "33 Bay St, Bellingham",
            4_500,
        ),
        order("ORD-2010", Ordered, CLEO, 2, "71 Canyon Rd, Yakima", 0),
        order(
            "ORD-2011",
            Allocated,
            CLEO,
            0,
            "12 Orchard Ln, Wenatchee",
            12_000,
        ),
        order(
            "ORD-2012",
            Received,
            CLEO,
            3,
            "908 Coast Hwy, Aberdeen",
            2_500,
        ),
        order(
            "ORD-2013",
            Complete,
            CLEO,
            0,
            "3 Lighthouse Pt, Port Angeles",
            14_000,
        ),
        order(
            "ORD-2014",
            Cancelled,
            CLEO,
            1,
            "250 Pike St, Seattle",
            8_000,
        ),
    ]
}

/// The statuses an order went through to reach `status`, after creation
/// (unprocessed), as the timeline shows them.
fn demo_path(status: Status) -> Vec<Status> {
    use Status::*;
    let processing = [Pending, Submitted, Ordered, Allocated, Received, Complete];
    match status {
        Unprocessed => vec![],
        OnHold | Rejected => vec![Pending, Submitted, status],
        Resubmitted => vec![Pending, Submitted, OnHold, Resubmitted],
        Cancelled => vec![Pending, Cancelled],
        _ => processing
            .iter()
            .position(|step| *step == status)
            .map(|end| processing[..=end].to_vec())
            .unwrap_or_default(),
    }
}

/// Whether the database holds no company yet.
pub async fn is_empty(db: &Db) -> AppResult<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM companies")
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("n")? == 0)
}

/// Loads the demo data into an empty database. Returns `false`, changing
/// nothing, when the database already has data.
pub async fn load_demo(db: &Db, storage: &Storage) -> AppResult<bool> {
    install_groups(db).await?;
    if !is_empty(db).await? {
        return Ok(false);
    }
    let mut password_hashes = Vec::new();
    for _ in DEMO_USERS {
        password_hashes.push(hash_password(DEMO_PASSWORD).await?);
    }
    let mut tx = db::begin_write(db).await?;
    // Checked again inside the write lock: two instances starting together
    // load the data once.
    let row = sqlx::query("SELECT COUNT(*) AS n FROM companies")
        .fetch_one(&mut *tx)
        .await?;
    if row.try_get::<i64, _>("n")? != 0 {
        return Ok(false);
    }
    let now = now_ms();
    let mut company_ids = Vec::new();
    for (name, has_account, cancel) in COMPANIES {
        company_ids.push(
            insert_id(
                &mut tx,
                sqlx::query(
                    "INSERT INTO companies (name, has_account, enable_cancel_order, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(name)
                .bind(i64::from(has_account))
                .bind(i64::from(cancel))
                .bind(now),
            )
            .await?,
        );
    }
    let mut user_ids = Vec::new();
    for ((email, name, group, company), hash) in DEMO_USERS.into_iter().zip(password_hashes) {
        user_ids.push(
            insert_id(
                &mut tx,
                sqlx::query(
                    "INSERT INTO users (email, name, password_hash, group_code, company_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(email)
                .bind(name)
                .bind(hash)
                .bind(group.as_str())
                .bind(company.map(|index| company_ids[index]))
                .bind(now),
            )
            .await?,
        );
    }
    let mut product_ids = Vec::new();
    for (name, days, documents) in PRODUCTS {
        let id = insert_id(
            &mut tx,
            sqlx::query(
                "INSERT INTO products (name, turnaround_days) VALUES ($1, $2) RETURNING id",
            )
            .bind(name)
            .bind(days),
        )
        .await?;
        for (position, document) in documents.iter().enumerate() {
            sqlx::query(
                "INSERT INTO product_documents (product_id, position, name) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(*document)
            .execute(&mut *tx)
            .await?;
        }
        product_ids.push(id);
    }

    let demo = Demo {
        storage,
        user_ids: &user_ids,
        product_ids: &product_ids,
    };
    for (company_index, orders) in [acme_orders(), birch_orders()].into_iter().enumerate() {
        let company_id = company_ids[company_index];
        let has_account = COMPANIES[company_index].1;
        let mut group_id = None;
        for (index, order) in orders.iter().enumerate() {
            // One order a day, the newest yesterday; a group's orders were
            // placed together.
            let created_at = now - db::DAY_MS * (orders.len() - index) as i64;
            if order.grouped && group_id.is_none() {
                group_id = Some(
                    insert_id(
                        &mut tx,
                        sqlx::query(
                            "INSERT INTO order_groups (company_id, created_by, created_at) \
                             VALUES ($1, $2, $3) RETURNING id",
                        )
                        .bind(company_id)
                        .bind(user_ids[order.placed_by])
                        .bind(created_at),
                    )
                    .await?,
                );
            }
            demo.insert_order(
                &mut tx,
                company_id,
                has_account,
                order,
                order.grouped.then_some(group_id).flatten(),
                created_at,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

struct Demo<'a> {
    storage: &'a Storage,
    user_ids: &'a [i64],
    product_ids: &'a [i64],
}

impl Demo<'_> {
    async fn insert_order(
        &self,
        tx: &mut Tx,
        company_id: i64,
        has_account: bool,
        order: &DemoOrder,
        group_id: Option<i64>,
        created_at: i64,
    ) -> AppResult<()> {
        let placer = self.user_ids[order.placed_by];
        let staff = self.user_ids[SAM];
        let turnaround = PRODUCTS[order.product].1 as u32;
        let expected = rules::add_business_days(date_of_ms(created_at), turnaround);
        let hour_ms = 3_600_000;
        let path = demo_path(order.status);
        let updated_at = created_at + hour_ms * path.len() as i64;
        let step_at = |step: usize| created_at + hour_ms * (step as i64 + 1);
        let clock = SlaClock::replay(
            path.iter()
                .enumerate()
                .map(|(step, status)| (*status, date_of_ms(step_at(step)))),
            turnaround,
        );
        let order_id = insert_id(
            tx,
            sqlx::query(
                "INSERT INTO orders (number, company_id, placed_by, group_id, product_id, title, status, \
                 expected_date, hold_reason, paid_cents, created_at, updated_at, \
                 sla_due_day, sla_paused_days, sla_paused_since, sla_stopped_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 RETURNING id",
            )
            .bind(order.number)
            .bind(company_id)
            .bind(placer)
            .bind(group_id)
            .bind(self.product_ids[order.product])
            .bind(order.title)
            .bind(order.status.as_str())
            .bind(expected.to_string())
            .bind(order.reason)
            .bind(order.paid_cents)
            .bind(created_at)
            .bind(updated_at)
            .bind(clock.due_day)
            .bind(clock.paused_days)
            .bind(clock.paused_since)
            .bind(clock.stopped_on),
        )
        .await?;

        record_event(
            tx,
            order_id,
            placer,
            EventKind::Status,
            None,
            Some(Status::Unprocessed),
            None,
            created_at,
        )
        .await?;
        let mut from = Status::Unprocessed;
        for (step, to) in path.into_iter().enumerate() {
            let by_staff = rules::staff_transition_allowed(from, to)
                && rules::customer_transition(rules::Action::Cancel, from) != Some(to);
            let reason = if to.needs_attention() {
                Some(order.reason.unwrap_or(MISSING_FORM))
            } else {
                None
            };
            let at = step_at(step);
            let actor = if by_staff { staff } else { placer };
            record_event(
                tx,
                order_id,
                actor,
                EventKind::Status,
                Some(from),
                Some(to),
                reason,
                at,
            )
            .await?;
            from = to;
        }

        if let Some(kind) = rules::refund_on_cancel(order.paid_cents, has_account)
            && order.status == Status::Cancelled
        {
            create_refund(tx, order_id, company_id, kind, order.paid_cents, updated_at).await?;
        }

        if order.status != Status::Unprocessed {
            insert_note(
                tx,
                order_id,
                placer,
                &NoteText::parse(
                    "Closing is scheduled for next month; please include the full chain of title.",
                )?,
                false,
                created_at + 60_000,
            )
            .await?;
            self.attach(
                tx,
                order_id,
                placer,
                "document",
                "purchase-agreement.pdf",
                &format!("Purchase agreement for {} ({})", order.number, order.title),
                created_at + 120_000,
            )
            .await?;
        }
        if order.status.needs_attention() {
            insert_note(
                tx,
                order_id,
                staff,
                &NoteText::parse(order.reason.unwrap_or(MISSING_FORM))?,
                false,
                updated_at,
            )
            .await?;
            insert_note(
                tx,
                order_id,
                staff,
                &NoteText::parse("Internal: the county office is slow this month; expect delays.")?,
                true,
                updated_at + 60_000,
            )
            .await?;
        }
        if rules::customer_status_allows(order.status, rules::Action::Download) {
            self.attach(
                tx,
                order_id,
                staff,
                "report",
                &format!("{}-vendor-report.pdf", order.number),
                &format!("Vendor report for {}: {}", order.number, order.title),
                updated_at,
            )
            .await?;
        }
        if order.status == Status::Resubmitted {
            for (index, (.., group, _)) in DEMO_USERS.iter().enumerate() {
                if group.is_staff() {
                    sqlx::query(
                        "INSERT INTO notifications (recipient_id, order_id, kind, message, created_at) \
                         VALUES ($1, $2, 'resubmitted', $3, $4)",
                    )
                    .bind(self.user_ids[index])
                    .bind(order_id)
                    .bind(format!("{} was resubmitted by the customer.", order.number))
                    .bind(updated_at)
                    .execute(&mut **tx)
                    .await?;
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn attach(
        &self,
        tx: &mut Tx,
        order_id: i64,
        uploaded_by: i64,
        kind: &str,
        filename: &str,
        text: &str,
        created_at: i64,
    ) -> AppResult<()> {
        let contents = Bytes::from(minimal_pdf(text));
        let key = Storage::new_key();
        self.storage.put(&key, contents.clone()).await?;
        sqlx::query(
            "INSERT INTO attachments (order_id, uploaded_by, kind, filename, content_type, size, sha256, \
             storage_key, created_at) VALUES ($1, $2, $3, $4, 'application/pdf', $5, $6, $7, $8)",
        )
        .bind(order_id)
        .bind(uploaded_by)
        .bind(kind)
        .bind(filename)
        .bind(contents.len() as i64)
        .bind(hex::encode(Sha256::digest(&contents)))
        .bind(key)
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

async fn insert_id<'q>(
    tx: &mut Tx,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> AppResult<i64> {
    Ok(query.fetch_one(&mut **tx).await?.try_get("id")?)
}

/// A one-page PDF showing `text`: real documents for the demo orders.
pub fn minimal_pdf(text: &str) -> Vec<u8> {
    let escaped: String = text
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect();
    let stream = format!("BT /F1 14 Tf 72 720 Td ({escaped}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", index + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_company_has_every_status_and_a_group_of_three_pending() {
        for orders in [acme_orders(), birch_orders()] {
            for status in Status::ALL {
                assert!(
                    orders.iter().any(|order| order.status == status),
                    "{status:?}"
                );
            }
            let group: Vec<_> = orders.iter().filter(|order| order.grouped).collect();
            assert!(group.len() >= 3);
            assert!(group.iter().all(|order| order.status == Status::Pending));
            assert!(orders.iter().any(|order| order.paid_cents > 0));
        }
        assert!(acme_orders().iter().any(|order| order.placed_by == BEN));
    }

    #[test]
    fn demo_paths_are_legal_transitions() {
        for status in Status::ALL {
            let mut from = Status::Unprocessed;
            for to in demo_path(status) {
                let legal = rules::staff_transition_allowed(from, to)
                    || rules::Action::ALL
                        .into_iter()
                        .any(|action| rules::customer_transition(action, from) == Some(to));
                assert!(legal, "{from:?} → {to:?}");
                from = to;
            }
            assert_eq!(from, status);
        }
    }

    #[test]
    fn the_demo_pdf_is_a_pdf() {
        let pdf = minimal_pdf("Report (final)");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        assert!(
            String::from_utf8(pdf)
                .unwrap()
                .contains("Report \\(final\\)")
        );
    }
}
