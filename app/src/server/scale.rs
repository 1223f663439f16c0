//! Scale data (`seed-scale`, see the README): on top of the demo data, many companies, each
//! with a customer administrator, and many orders, a share of them for the
//! demo's Acme Title, so that every list, count and search can be measured
//! and tested at the size of a real business.
//!
//! The same seed gives the same companies, users and orders (numbers,
//! titles, statuses, placers, groups); dates are counted back from the day
//! the data is loaded. Rows are written many to a statement inside one
//! transaction: a million orders load in well under two minutes on either
//! engine.

use super::auth::hash_password;
use super::db::{self, DAY_MS, Db, Engine, Tx, date_of_ms, now_ms};
use super::error::{AppError, AppResult};
use super::order_number;
use super::services::search;
use crate::rules::sla::{self, SlaClock};
use crate::rules::{self, Group, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use time::Date;

/// PostgreSQL's triggers that count each inserted order, which the load
/// turns off while it inserts and counts once at the end instead.
const COUNTING_TRIGGERS: [&str; 2] = [
    "orders_count_insert_delete",
    "orders_reason_count_insert_delete",
];

/// `ENABLE`s or `DISABLE`s [`COUNTING_TRIGGERS`].
async fn set_counting_triggers(tx: &mut Tx, switch: &str) -> AppResult<()> {
    for trigger in COUNTING_TRIGGERS {
        sqlx::query(&format!("ALTER TABLE orders {switch} TRIGGER {trigger}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes the badge and dashboard counters (`order_counts`,
/// `order_day_counts`, `order_completion_week_counts`,
/// `order_reason_counts`) afresh from the orders.
async fn recount_orders(tx: &mut Tx) -> AppResult<()> {
    for table in [
        "order_counts",
        "order_day_counts",
        "order_completion_week_counts",
        "order_reason_counts",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
    }
    for recount in [
        "INSERT INTO order_day_counts (status, day, shard, n) \
         SELECT status, created_at / 86400000, 0, COUNT(*) FROM orders \
         GROUP BY status, created_at / 86400000",
        "INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n) \
         SELECT (updated_at / 86400000 + 3) / 7, product_id, \
         (updated_at - created_at) / 86400000, 0, COUNT(*) FROM orders \
         WHERE status = 'complete' \
         GROUP BY (updated_at / 86400000 + 3) / 7, product_id, (updated_at - created_at) / 86400000",
        "INSERT INTO order_reason_counts (status, hold_reason, shard, n) \
         SELECT status, hold_reason, 0, COUNT(*) FROM orders WHERE hold_reason IS NOT NULL \
         GROUP BY status, hold_reason",
    ] {
        sqlx::query(recount).execute(&mut **tx).await?;
    }
    for (scope, scope_id, group_by) in [
        ("all", "0", "status"),
        ("company", "company_id", "company_id, status"),
        ("placer", "placed_by", "placed_by, status"),
    ] {
        sqlx::query(&format!(
            "INSERT INTO order_counts (scope, scope_id, status, shard, n) \
             SELECT '{scope}', {scope_id}, status, 0, COUNT(*) FROM orders \
             GROUP BY {group_by}"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalePlan {
    /// Orders in all.
    pub orders: u64,
    /// New companies that share the orders not for Acme Title.
    pub companies: u64,
    /// Orders for Acme Title, placed by Ava and Ben.
    pub big_tenant_orders: u64,
    pub seed: u64,
}

/// What was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleLoaded {
    /// One administrator each.
    pub companies: u64,
    pub orders: u64,
    pub groups: u64,
}

/// The company whose orders are the big tenant's, from the demo data.
const BIG_TENANT: &str = "Acme Title";
/// Who places the big tenant's orders, from the demo data.
const BIG_TENANT_PLACERS: [&str; 2] = ["ava@acme.test", "ben@acme.test"];
/// The domain of the new companies' administrators: `admin<i>@scale.test`.
pub const SCALE_DOMAIN: &str = "scale.test";

/// Orders are spread over the two years before the load.
const SPAN_MS: i64 = 730 * DAY_MS;
/// Orders written by one statement: 17 values each stay under SQLite's
/// limit of 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 1_900;

impl ScalePlan {
    fn check(&self) -> AppResult<()> {
        if self.big_tenant_orders > self.orders {
            return Err(AppError::BadRequest(
                "--big-tenant-orders cannot be more than --orders.".to_owned(),
            ));
        }
        if self.orders > self.big_tenant_orders && self.companies == 0 {
            return Err(AppError::BadRequest(
                "Orders beyond the big tenant's need at least one company (--companies)."
                    .to_owned(),
            ));
        }
        Ok(())
    }
}

/// Loads the scale data in one transaction. The demo data must be there;
/// scale data must not be yet.
pub async fn load_scale(db: &Db, plan: &ScalePlan) -> AppResult<ScaleLoaded> {
    plan.check()?;
    // One hash for every new administrator: hashing thousands of times
    // would take minutes and prove nothing.
    let password_hash = hash_password(super::seed::DEMO_PASSWORD).await?;
    let engine = Engine::of_pool(db);
    let mut tx = db::begin_write(db).await?;
    let base = Base::read(&mut tx).await?;
    let now = now_ms();
    let anchor = now - now.rem_euclid(DAY_MS);
    let mut rng = StdRng::seed_from_u64(plan.seed);

    let companies = new_companies(&mut rng, &base, plan.companies, anchor);
    insert_rows(&mut tx, engine, &COMPANY_TABLE, &companies).await?;
    // Each company has an administrator (who places its orders) and a
    // customer user: 10,000 users for 5,000 companies, as administration
    // meets them.
    let company_count = companies.len() as i64;
    let users: Vec<Vec<Value>> = companies
        .iter()
        .enumerate()
        .flat_map(|(index, company)| {
            let number = index as i64 + 1;
            [
                (0, "admin", "Administrator", Group::CustomerAdmin),
                (company_count, "user", "Customer", Group::CustomerUser),
            ]
            .map(|(offset, mailbox, title, group)| {
                vec![
                    Value::Int(base.user_id + offset + number),
                    Value::Text(format!("{mailbox}{number}@{SCALE_DOMAIN}")),
                    Value::Text(format!("{title} {number}")),
                    Value::Text(password_hash.clone()),
                    Value::Text(group.as_str().to_owned()),
                    company[0].clone(),
                    Value::Int(anchor - SPAN_MS + number * 1000),
                ]
            })
        })
        .collect();
    insert_rows(&mut tx, engine, &USER_TABLE, &users).await?;

    if engine == Engine::Postgres {
        // Counted once at the end: a trigger per row would update the same
        // few counter rows a million times in one transaction.
        set_counting_triggers(&mut tx, "DISABLE").await?;
    }
    let mut orders = OrderMaker {
        rng,
        plan: *plan,
        base: &base,
        anchor,
        made: 0,
        big_left: plan.big_tenant_orders,
        groups: 0,
    };
    while orders.made < plan.orders {
        let (groups, rows) = orders.next_batch();
        insert_rows(&mut tx, engine, &GROUP_TABLE, &groups).await?;
        insert_rows(&mut tx, engine, &ORDER_TABLE, &rows).await?;
    }
    let groups = orders.groups;
    if engine == Engine::Postgres {
        set_counting_triggers(&mut tx, "ENABLE").await?;
        recount_orders(&mut tx).await?;
        // Rows came with their ids: the identity columns continue after them.
        for table in ["companies", "users", "order_groups", "orders"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    // The planner's statistics, for the new sizes, and the search's. On
    // PostgreSQL a vacuum also merges the rows waiting in the trigram
    // indexes' pending lists, which every search would read until
    // autovacuum came by.
    let analyze = match engine {
        Engine::Sqlite => "ANALYZE",
        Engine::Postgres => "VACUUM ANALYZE",
    };
    // Sent as a simple query: PostgreSQL runs VACUUM outside any transaction.
    sqlx::raw_sql(analyze).execute(db).await?;
    search::refresh_trigram_docs(db).await?;
    Ok(ScaleLoaded {
        companies: plan.companies,
        orders: plan.orders,
        groups,
    })
}

/// What the scale data is built on: the demo data's big tenant and
/// products, and where the new ids start.
struct Base {
    big_tenant: i64,
    big_tenant_placers: Vec<i64>,
    /// Product ids and their turnaround in business days.
    products: Vec<(i64, u32)>,
    company_id: i64,
    user_id: i64,
    group_id: i64,
    order_id: i64,
}

impl Base {
    async fn read(tx: &mut Tx) -> AppResult<Base> {
        let missing_demo =
            || AppError::BadRequest("Load the demo data first (ordering-portal seed-demo).".into());
        let big_tenant: i64 = sqlx::query("SELECT id FROM companies WHERE name = $1")
            .bind(BIG_TENANT)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(missing_demo)?
            .try_get("id")?;
        let mut big_tenant_placers = Vec::new();
        for email in BIG_TENANT_PLACERS {
            let row = sqlx::query("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(missing_demo)?;
            big_tenant_placers.push(row.try_get("id")?);
        }
        let already = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email LIKE $1")
            .bind(format!("%@{SCALE_DOMAIN}"))
            .fetch_one(&mut **tx)
            .await?
            .try_get::<i64, _>("n")?;
        if already > 0 {
            return Err(AppError::Conflict(
                "This database already holds scale data; load it into a fresh one.".to_owned(),
            ));
        }
        let products = sqlx::query("SELECT id, turnaround_days FROM products ORDER BY id")
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| {
                let turnaround: i64 = row.try_get("turnaround_days")?;
                Ok((row.try_get("id")?, u32::try_from(turnaround).unwrap_or(0)))
            })
            .collect::<AppResult<Vec<(i64, u32)>>>()?;
        if products.is_empty() {
            return Err(missing_demo());
        }
        let mut max_ids = Vec::new();
        for table in ["companies", "users", "order_groups", "orders"] {
            let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"))
                .fetch_one(&mut **tx)
                .await?;
            max_ids.push(row.try_get::<i64, _>("id")?);
        }
        Ok(Base {
            big_tenant,
            big_tenant_placers,
            products,
            company_id: max_ids[0],
            user_id: max_ids[1],
            group_id: max_ids[2],
            order_id: max_ids[3],
        })
    }
}

/// A value to bind; rows of them are written many to a statement.
#[derive(Debug, Clone)]
enum Value {
    Int(i64),
    Text(String),
    NoInt,
    NoText,
}

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
}

const COMPANY_TABLE: Table = Table {
    name: "companies",
    columns: &[
        "id",
        "name",
        "has_account",
        "enable_cancel_order",
        "created_at",
    ],
};

const USER_TABLE: Table = Table {
    name: "users",
    columns: &[
        "id",
        "email",
        "name",
        "password_hash",
        "group_code",
        "company_id",
        "created_at",
    ],
};

const GROUP_TABLE: Table = Table {
    name: "order_groups",
    columns: &["id", "company_id", "created_by", "created_at"],
};

const ORDER_TABLE: Table = Table {
    name: "orders",
    columns: &[
        "id",
        "number",
        "company_id",
        "placed_by",
        "group_id",
        "product_id",
        "title",
        "status",
        "expected_date",
        "hold_reason",
        "paid_cents",
        "created_at",
        "updated_at",
        "sla_due_day",
        "sla_paused_days",
        "sla_paused_since",
        "sla_stopped_on",
    ],
};

/// Writes `rows` into `table`, many to a statement.
async fn insert_rows(
    tx: &mut Tx,
    engine: Engine,
    table: &Table,
    rows: &[Vec<Value>],
) -> AppResult<()> {
    let width = table.columns.len();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (0..chunk.len())
            .map(|row| {
                let values: Vec<String> = (1..=width)
                    .map(|column| match engine {
                        // SQLite looks a numbered parameter up by a linear
                        // scan of all of them: thousands of `$n` in one
                        // statement cost seconds. Plain `?` binds in order.
                        Engine::Sqlite => "?".to_owned(),
                        Engine::Postgres => format!("${}", row * width + column),
                    })
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            table.columns.join(", "),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Int(number) => query.bind(*number),
                Value::Text(text) => query.bind(text.as_str()),
                Value::NoInt => query.bind(None::<i64>),
                Value::NoText => query.bind(None::<String>),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words[rng.gen_range(0..words.len())]
}

fn new_companies(rng: &mut StdRng, base: &Base, count: u64, anchor: i64) -> Vec<Vec<Value>> {
    (1..=count as i64)
        .map(|number| {
            let name = format!(
                "{} {} {number:04}",
                pick(rng, &PLACES),
                pick(rng, &COMPANY_KINDS)
            );
            vec![
                Value::Int(base.company_id + number),
                Value::Text(name),
                Value::Int(i64::from(rng.gen_bool(0.5))),
                Value::Int(i64::from(rng.gen_bool(0.8))),
                Value::Int(anchor - SPAN_MS),
            ]
        })
        .collect()
}

/// Makes the orders, oldest first, a statement's worth at a time.
struct OrderMaker<'a> {
    rng: StdRng,
    plan: ScalePlan,
    base: &'a Base,
    anchor: i64,
    made: u64,
    /// The big tenant's orders still to make.
    big_left: u64,
    groups: u64,
}

impl OrderMaker<'_> {
    /// The next orders, and the groups some of them form.
    fn next_batch(&mut self) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
        let mut groups = Vec::new();
        let mut orders = Vec::new();
        while orders.len() < ROWS_PER_STATEMENT && self.made < self.plan.orders {
            let left = self.plan.orders - self.made;
            let other_left = left - self.big_left;
            // Exactly `big_tenant_orders` go to the big tenant, spread evenly
            // over time: each order is the big tenant's with the share of
            // its orders among those still to make.
            let big = self.rng.gen_range(0..left) < self.big_left;
            let (company, placer) = if big {
                let placers = &self.base.big_tenant_placers;
                (
                    self.base.big_tenant,
                    placers[self.rng.gen_range(0..placers.len())],
                )
            } else {
                let index = self.rng.gen_range(1..=self.plan.companies as i64);
                (self.base.company_id + index, self.base.user_id + index)
            };
            // Some orders are placed together, as a group of two to four.
            let wanted = if self.rng.gen_bool(0.02) {
                self.rng.gen_range(2..=4)
            } else {
                1
            };
            let size = wanted.min(if big { self.big_left } else { other_left });
            let created_at = self.anchor - SPAN_MS
                + (SPAN_MS as f64 * self.made as f64 / self.plan.orders as f64) as i64
                + self.rng.gen_range(0..DAY_MS / 24);
            let group = (size > 1).then(|| {
                self.groups += 1;
                let id = self.base.group_id + self.groups as i64;
                groups.push(vec![
                    Value::Int(id),
                    Value::Int(company),
                    Value::Int(placer),
                    Value::Int(created_at),
                ]);
                id
            });
            for _ in 0..size {
                orders.push(self.order(company, placer, group, created_at));
                self.made += 1;
                if big {
                    self.big_left -= 1;
                }
            }
        }
        (groups, orders)
    }

    fn order(
        &mut self,
        company: i64,
        placer: i64,
        group: Option<i64>,
        created_at: i64,
    ) -> Vec<Value> {
        let id = self.base.order_id + self.made as i64 + 1;
        let rng = &mut self.rng;
        let age_days = (self.anchor - created_at) / DAY_MS;
        let status = status_for_age(rng, age_days);
        let (product, turnaround) = self.base.products[rng.gen_range(0..self.base.products.len())];
        let title = format!(
            "{} for parcel {}, {} {} {}, {}",
            pick(rng, &ORDER_KINDS),
            rng.gen_range(1000..10_000),
            rng.gen_range(1..1000),
            pick(rng, &STREETS),
            pick(rng, &STREET_KINDS),
            pick(rng, &PLACES)
        );
        let expected = rules::add_business_days(date_of_ms(created_at), turnaround);
        let hold_reason = if status.needs_attention() {
            Value::Text(pick(rng, &HOLD_REASONS).to_owned())
        } else {
            Value::NoText
        };
        let paid_cents = if rng.gen_bool(0.6) {
            rng.gen_range(10..300) * 500
        } else {
            0
        };
        let updated_at = created_at + rng.gen_range(0..age_days.clamp(1, 30)) * DAY_MS;
        let clock = SlaClock::replay(
            clock_path(status, date_of_ms(created_at), date_of_ms(updated_at)),
            turnaround,
        );
        let optional = |day: Option<i64>| day.map_or(Value::NoInt, Value::Int);
        vec![
            Value::Int(id),
            Value::Text(order_number::of(id)),
            Value::Int(company),
            Value::Int(placer),
            group.map_or(Value::NoInt, Value::Int),
            Value::Int(product),
            Value::Text(title),
            Value::Text(status.as_str().to_owned()),
            Value::Text(expected.to_string()),
            hold_reason,
            Value::Int(paid_cents),
            Value::Int(created_at),
            Value::Int(updated_at),
            Value::Int(clock.due_day),
            Value::Int(clock.paused_days),
            optional(clock.paused_since),
            optional(clock.stopped_on),
        ]
    }
}

/// The steps of an order's life that move its service-level clock, for an
/// order placed and submitted on `placed` and last changed on `changed`:
/// held orders were held then, resubmitted ones held on the day they were
/// placed, and delivered ones received then.
fn clock_path(status: Status, placed: Date, changed: Date) -> Vec<(Status, Date)> {
    if !sla::has_clock(status) {
        return Vec::new();
    }
    let mut path = vec![(Status::Submitted, placed)];
    if status == Status::Resubmitted {
        path.push((Status::OnHold, placed));
    }
    if status.needs_attention() || status == Status::Resubmitted {
        path.push((status, changed));
    } else if rules::customer_status_allows(status, rules::Action::Download) {
        path.push((Status::Received, changed));
    }
    path
}

/// A status as an order of that age would have it: orders older than six
/// weeks are nearly all done; recent ones are anywhere along the way.
fn status_for_age(rng: &mut StdRng, age_days: i64) -> Status {
    const SETTLED: [(Status, u32); 5] = [
        (Status::Complete, 88),
        (Status::Cancelled, 8),
        (Status::Received, 2),
        (Status::OnHold, 1),
        (Status::Rejected, 1),
    ];
    const RECENT: [(Status, u32); 11] = [
        (Status::Unprocessed, 10),
        (Status::Pending, 10),
        (Status::Submitted, 15),
        (Status::OnHold, 8),
        (Status::Rejected, 4),
        (Status::Resubmitted, 5),
        (Status::Ordered, 12),
        (Status::Allocated, 8),
        (Status::Received, 10),
        (Status::Complete, 13),
        (Status::Cancelled, 5),
    ];
    let weights: &[(Status, u32)] = if age_days > 42 { &SETTLED } else { &RECENT };
    let total: u32 = weights.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.gen_range(0..total);
    for (status, weight) in weights {
        if roll < *weight {
            return *status;
        }
        roll -= weight;
    }
    Status::Complete
}

const PLACES: [&str; 12] = [
    "Springfield",
    "Riverton",
    "Fairview",
    "Lakewood",
    "Georgetown",
    "Ashland",
    "Clinton",
    "Madison",
    "Oakdale",
    "Salem",
    "Bristol",
    "Dover",
];

const COMPANY_KINDS: [&str; 6] = [
    "Title",
    "Escrow",
    "Land Title",
    "Abstract",
    "Closing Services",
    "Settlement",
];

const ORDER_KINDS: [&str; 8] = [
    "Title search",
    "Tax certificate",
    "Lien search",
    "Survey",
    "Flood certification",
    "HOA estoppel",
    "Municipal lien search",
    "Judgment search",
];

const STREETS: [&str; 10] = [
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Walnut", "Hillside", "Lake", "Main", "Church",
];

const STREET_KINDS: [&str; 4] = ["Street", "Avenue", "Road", "Lane"];

const HOLD_REASONS: [&str; 4] = [
    "Missing authorization form",
    "Parcel number does not match the county record",
    "Owner's name is incomplete",
    "Payment authorization expired",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settled_orders_are_mostly_complete_and_recent_ones_spread_out() {
        let mut rng = StdRng::seed_from_u64(1);
        let settled: Vec<Status> = (0..10_000).map(|_| status_for_age(&mut rng, 400)).collect();
        let complete = settled.iter().filter(|s| **s == Status::Complete).count();
        assert!((8_500..9_100).contains(&complete), "{complete}");
        let recent: std::collections::BTreeSet<&str> = (0..10_000)
            .map(|_| status_for_age(&mut rng, 3).as_str())
            .collect();
        assert_eq!(recent.len(), Status::ALL.len(), "{recent:?}");
    }

    #[test]
    fn impossible_plans_are_refused() {
        let plan = |orders, companies, big_tenant_orders| ScalePlan {
            orders,
            companies,
            big_tenant_orders,
            seed: 1,
        };
        assert!(plan(10, 0, 11).check().is_err());
        assert!(plan(10, 0, 5).check().is_err());
        assert!(plan(10, 0, 10).check().is_ok());
        assert!(plan(10, 3, 5).check().is_ok());
    }
}
