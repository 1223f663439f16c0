//! The download audit: every file sent to someone (viewed, downloaded, or
//! in a report bundle) is recorded, so that staff see who downloaded each
//! file and when, and customers when their company first did.

use crate::model::{Attachment, DownloadRecord, NamedRef};
use crate::rules::Permission;
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, now_ms, rfc3339};
use crate::server::error::AppResult;
use crate::server::sql::Sql;
use sqlx::Row;

/// How many of a file's downloads staff see by name (the newest).
pub const SHOWN_DOWNLOADS: i64 = 10;

/// How a file was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadWay {
    View,
    Download,
    Bundle,
}

impl DownloadWay {
    pub fn as_str(self) -> &'static str {
        match self {
            DownloadWay::View => "view",
            DownloadWay::Download => "download",
            DownloadWay::Bundle => "bundle",
        }
    }
}

/// Records that `user` was sent the files `attachment_ids`, now.
pub(crate) async fn record(
    db: &Db,
    user: &CurrentUser,
    attachment_ids: &[i64],
    way: DownloadWay,
) -> AppResult<()> {
    if attachment_ids.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut sql = Sql::new(
        "INSERT INTO downloads (attachment_id, user_id, company_id, via, created_at) VALUES ",
    );
    for (index, id) in attachment_ids.iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind_int(*id)
            .push(", ")
            .bind_int(user.id)
            .push(", ")
            .bind_optional_int(user.company.as_ref().map(|company| company.id))
            .push(", ")
            .bind_text(way.as_str())
            .push(", ")
            .bind_int(now)
            .push(")");
    }
    let mut tx = db::begin_write(db).await?;
    sql.query().execute(&mut *tx).await?;
    tx.commit().await
}

/// ` <the time the company of `user` first downloaded attachment `alias`>`,
/// a column for customers (`NULL` for staff, who see [`fill_for_staff`]):
/// read with the attachments, by the index on (company, attachment).
pub(crate) fn push_first_download(sql: &mut Sql, alias: &str, user: &CurrentUser) {
    match &user.company {
        Some(company) if !user.can(Permission::OrdersViewAll) => {
            sql.push(&format!(
                "(SELECT MIN(d.created_at) FROM downloads d WHERE d.attachment_id = {alias}.id \
                 AND d.company_id = "
            ))
            .bind_int(company.id)
            .push(")");
        }
        _ => {
            sql.push("CAST(NULL AS BIGINT)");
        }
    }
}

/// For staff, who downloaded each of `attachments` (all of one order) and
/// when, the newest [`SHOWN_DOWNLOADS`], and how often; nothing for
/// anyone else.
pub(crate) async fn fill_for_staff(
    db: &Db,
    user: &CurrentUser,
    attachments: &mut [Attachment],
) -> AppResult<()> {
    if attachments.is_empty() || !user.can(Permission::OrdersViewAll) {
        return Ok(());
    }
    let ids: Vec<i64> = attachments.iter().map(|attachment| attachment.id).collect();
    let mut sql = Sql::new(
        "SELECT attachment_id, user_id, name, via, created_at, n, total FROM (\
         SELECT d.attachment_id, d.user_id, u.name, d.via, d.created_at, \
         ROW_NUMBER() OVER (PARTITION BY d.attachment_id ORDER BY d.created_at DESC, d.id DESC) AS n, \
         COUNT(*) OVER (PARTITION BY d.attachment_id) AS total \
         FROM downloads d JOIN users u ON u.id = d.user_id WHERE d.attachment_id IN (",
    );
    sql.bind_int_list(&ids)
        .push(")) recent WHERE n <= ")
        .bind_int(SHOWN_DOWNLOADS)
        .push(" ORDER BY attachment_id, n");
    for row in sql.query().fetch_all(db).await? {
        let id: i64 = row.try_get("attachment_id")?;
        if let Some(attachment) = attachments
            .iter_mut()
            .find(|attachment| attachment.id == id)
        {
            attachment.download_count = row.try_get("total")?;
            attachment.downloads.push(DownloadRecord {
                by: NamedRef {
                    id: row.try_get("user_id")?,
                    name: row.try_get("name")?,
                },
                via: row.try_get("via")?,
                at: rfc3339(row.try_get("created_at")?),
            });
        }
    }
    Ok(())
}
