//! Hold checklists: the documents a hold or rejection asks the customer
//! for, the files that answer them, and the list per product that staff
//! pick from. Kept below `actions`, `attachments` and `orders`, which call
//! it inside their own transactions.

use crate::model::{ChecklistItem, EventKind, NamedRef, Order, ProductDocuments};
use crate::rules::Permission;
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, Tx};
use crate::server::error::{AppError, AppResult};
use crate::server::services::history::record_event;
use crate::server::sql::Sql;
use sqlx::Row;
use std::collections::HashMap;

/// The most documents one hold may ask for, and one product may list.
pub const MAX_ITEMS: usize = 20;
/// The longest document name, in characters.
pub const MAX_ITEM_CHARS: usize = 200;

/// A list of documents: each on one line, trimmed, 1 to
/// [`MAX_ITEM_CHARS`] characters, without control characters; at most
/// [`MAX_ITEMS`]; a name repeated (ignoring case) counts once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentList(Vec<String>);

impl DocumentList {
    pub fn parse(names: &[String]) -> AppResult<DocumentList> {
        let mut kept: Vec<String> = Vec::new();
        for name in names {
            let name: String = name.chars().filter(|c| !c.is_control()).collect();
            let name = name.trim();
            if name.is_empty() {
                return Err(AppError::Unprocessable(
                    "A required document has no name.".to_owned(),
                ));
            }
            if name.chars().count() > MAX_ITEM_CHARS {
                return Err(AppError::Unprocessable(format!(
                    "A document's name may have at most {MAX_ITEM_CHARS} characters."
                )));
            }
            if !kept
                .iter()
                .any(|seen| seen.to_lowercase() == name.to_lowercase())
            {
                kept.push(name.to_owned());
            }
        }
        if kept.len() > MAX_ITEMS {
            return Err(AppError::Unprocessable(format!(
                "Ask for at most {MAX_ITEMS} documents."
            )));
        }
        Ok(DocumentList(kept))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// Gives the order the checklist of its new hold, in the hold's
/// transaction: the last hold's items go (its answers stay in the
/// timeline), and the new ones, if any, are recorded there too.
pub(crate) async fn replace(
    tx: &mut Tx,
    order_id: i64,
    actor_id: i64,
    documents: &DocumentList,
    at: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM checklist_items WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    if documents.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(
        "INSERT INTO checklist_items (order_id, position, item, attachment_id, created_at) VALUES ",
    );
    for (position, name) in documents.names().iter().enumerate() {
        if position > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind_int(order_id)
            .push(", ")
            .bind_int(position as i64)
            .push(", ")
            .bind_text(name.as_str())
            .push(", NULL, ")
            .bind_int(at)
            .push(")");
    }
    sql.query().execute(&mut **tx).await?;
    let asked = format!("Documents asked for: {}", documents.names().join("; "));
    record_step(tx, order_id, actor_id, &asked, at).await
}

/// A step of the checklist, in the order's timeline.
async fn record_step(
    tx: &mut Tx,
    order_id: i64,
    actor_id: i64,
    step: &str,
    at: i64,
) -> AppResult<()> {
    record_event(
        tx,
        order_id,
        actor_id,
        EventKind::Checklist,
        None,
        None,
        Some(step),
        at,
    )
    .await
}

/// How many items of the order's checklist no file answers yet.
pub(crate) async fn missing(db: &Db, order_id: i64) -> AppResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM checklist_items WHERE order_id = $1 AND attachment_id IS NULL",
    )
    .bind(order_id)
    .fetch_one(db)
    .await?;
    Ok(row.try_get("n")?)
}

/// Records that `attachment_id` (named `filename`) answers the item of the
/// order's checklist that `item` names, by its id or by its text.
pub(crate) async fn answer(
    tx: &mut Tx,
    order_id: i64,
    item: &str,
    attachment_id: i64,
    filename: &str,
    actor_id: i64,
    at: i64,
) -> AppResult<()> {
    let item = item.trim();
    let rows =
        sqlx::query("SELECT id, item FROM checklist_items WHERE order_id = $1 ORDER BY position")
            .bind(order_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut found = None;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let text: String = row.try_get("item")?;
        if item == id.to_string() || item.to_lowercase() == text.to_lowercase() {
            found = Some((id, text));
            break;
        }
    }
    let (id, text) = found.ok_or_else(|| {
        AppError::Unprocessable("That item is not on this order's checklist.".to_owned())
    })?;
    sqlx::query("UPDATE checklist_items SET attachment_id = $1 WHERE id = $2")
        .bind(attachment_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let answered = format!("“{text}” answered by {filename}");
    record_step(tx, order_id, actor_id, &answered, at).await
}

/// Fills in the checklists of those of `orders` named in `ids` (those
/// that have one), with one query.
pub(crate) async fn fill(db: &Db, orders: &mut [Order], ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(
        "SELECT i.id, i.order_id, i.item, i.attachment_id, a.filename \
         FROM checklist_items i LEFT JOIN attachments a ON a.id = i.attachment_id \
         WHERE i.order_id IN (",
    );
    sql.bind_int_list(ids)
        .push(") ORDER BY i.order_id, i.position");
    let mut by_order: HashMap<i64, Vec<ChecklistItem>> = HashMap::new();
    for row in sql.query().fetch_all(db).await? {
        let attachment_id: Option<i64> = row.try_get("attachment_id")?;
        by_order
            .entry(row.try_get("order_id")?)
            .or_default()
            .push(ChecklistItem {
                id: row.try_get("id")?,
                item: row.try_get("item")?,
                satisfied: attachment_id.is_some(),
                attachment_id,
                filename: row.try_get("filename")?,
            });
    }
    for order in orders {
        if let Some(items) = by_order.remove(&order.id) {
            order.checklist = items;
        }
    }
    Ok(())
}

/// Every product with the documents listed for it: for administrators,
/// and for staff choosing what a hold asks for.
pub async fn products(db: &Db, user: &CurrentUser) -> AppResult<Vec<ProductDocuments>> {
    if !user.can(Permission::AdminProducts) && !user.can(Permission::OrdersTransition) {
        return Err(AppError::NotFound);
    }
    let rows = sqlx::query(
        "SELECT p.id, p.name, d.name AS document FROM products p \
         LEFT JOIN product_documents d ON d.product_id = p.id ORDER BY p.name, p.id, d.position",
    )
    .fetch_all(db)
    .await?;
    let mut products: Vec<ProductDocuments> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        if products.last().is_none_or(|last| last.product.id != id) {
            products.push(ProductDocuments {
                product: NamedRef {
                    id,
                    name: row.try_get("name")?,
                },
                documents: Vec::new(),
            });
        }
        if let (Some(product), Some(document)) = (
            products.last_mut(),
            row.try_get::<Option<String>, _>("document")?,
        ) {
            product.documents.push(document);
        }
    }
    Ok(products)
}

/// Replaces the documents listed for a product (administrators only).
pub async fn set_product_documents(
    db: &Db,
    user: &CurrentUser,
    product_id: i64,
    documents: &DocumentList,
) -> AppResult<ProductDocuments> {
    if !user.can(Permission::AdminProducts) {
        return Err(AppError::NotFound);
    }
    let mut tx = db::begin_write(db).await?;
    let name: String = sqlx::query("SELECT name FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?
        .try_get("name")?;
    sqlx::query("DELETE FROM product_documents WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    for (position, document) in documents.names().iter().enumerate() {
        sqlx::query(
            "INSERT INTO product_documents (product_id, position, name) VALUES ($1, $2, $3)",
        )
        .bind(product_id)
        .bind(position as i64)
        .bind(document.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ProductDocuments {
        product: NamedRef {
            id: product_id,
            name,
        },
        documents: documents.names().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_document_list_is_trimmed_and_says_each_name_once() {
        let list = DocumentList::parse(&names(&[" Deed ", "photo ID", "deed", "Photo\u{7} id"]))
            .expect("list");
        assert_eq!(list.names(), ["Deed", "photo ID"]);
        assert!(DocumentList::parse(&[]).expect("empty").is_empty());
    }

    #[test]
    fn a_document_list_refuses_blank_long_and_too_many_names() {
        assert!(DocumentList::parse(&names(&["Deed", " \t"])).is_err());
        assert!(DocumentList::parse(&["x".repeat(MAX_ITEM_CHARS + 1)]).is_err());
        assert!(DocumentList::parse(&["é".repeat(MAX_ITEM_CHARS)]).is_ok());
        let many: Vec<String> = (0..=MAX_ITEMS).map(|n| format!("Document {n}")).collect();
        assert!(DocumentList::parse(&many).is_err());
        assert!(DocumentList::parse(&many[..MAX_ITEMS]).is_ok());
    }
}
