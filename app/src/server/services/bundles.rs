//! Report bundles: one zip of the documents and vendor reports of several
//! orders, folders named by order number, each file streamed as the store
//! sends it (never a whole file, nor the zip, in memory), and what was
//! left out listed in its `manifest.txt`.

use crate::model::AttachmentKind;
use crate::rules::{self, Action};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, flag, now_ms, rfc3339, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::services::downloads::{self, DownloadWay};
use crate::server::sql::Sql;
use crate::server::storage::Storage;
use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use bytes::Bytes;
use futures_lite::io::AsyncWriteExt;
use futures_util::{Stream, StreamExt};
use sqlx::Row;
use std::collections::HashMap;

/// The most orders one bundle may name.
pub const MAX_BUNDLE_ORDERS: usize = 100;

/// The ids of `ids=1,2,3`: 1 to [`MAX_BUNDLE_ORDERS`] ids, each named once.
pub fn parse_ids(text: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let id: i64 = part
            .parse()
            .map_err(|_| AppError::BadRequest(format!("`{part}` is not an order id.")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::Unprocessable(
            "Name at least one order.".to_owned(),
        ));
    }
    if ids.len() > MAX_BUNDLE_ORDERS {
        return Err(AppError::Unprocessable(format!(
            "A bundle may name at most {MAX_BUNDLE_ORDERS} orders."
        )));
    }
    Ok(ids)
}

/// A file going into the zip.
struct Entry {
    path: String,
    storage_key: String,
}

/// What a bundle holds, decided before a byte is sent.
pub struct Bundle {
    entries: Vec<Entry>,
    /// One line per order or file left out, and why.
    left_out: Vec<String>,
    orders: usize,
    made_for: String,
}

/// Decides what `user` gets of `ids`: every document and report of each
/// order they may download from, the rest listed as left out. The files
/// are recorded as downloaded by `user` now.
pub async fn plan(db: &Db, user: &CurrentUser, ids: &[i64]) -> AppResult<Bundle> {
    let mut sql = Sql::new(
        "SELECT o.id, o.number, o.status, c.enable_cancel_order FROM orders o \
         JOIN companies c ON c.id = o.company_id WHERE o.id IN (",
    );
    sql.bind_int_list(ids).push(")").and_visible_to("o", user);
    let mut visible = HashMap::new();
    for row in sql.query().fetch_all(db).await? {
        let status = stored_status(row.try_get("status")?)?;
        let cancel_enabled = flag(row.try_get("enable_cancel_order")?);
        let number: String = row.try_get("number")?;
        let downloadable = rules::allowed_actions(user.actor(), status, cancel_enabled)
            .contains(&Action::Download);
        visible.insert(row.try_get::<i64, _>("id")?, (number, status, downloadable));
    }
    let mut left_out = Vec::new();
    let mut open = Vec::new();
    for id in ids {
        match visible.get(id) {
            None => left_out.push(format!("Order {id}: not found.")),
            Some((number, status, false)) => left_out.push(format!(
                "{number}: its files can be downloaded once it is received; it is {}.",
                status.label()
            )),
            Some((number, _, true)) => open.push((*id, number.clone())),
        }
    }
    let mut entries = Vec::new();
    let mut attachment_ids = Vec::new();
    if !open.is_empty() {
        let mut sql = Sql::new(
            "SELECT a.id, a.order_id, a.filename, a.kind, a.storage_key FROM attachments a \
             WHERE a.order_id IN (",
        );
        let open_ids: Vec<i64> = open.iter().map(|(id, _)| *id).collect();
        sql.bind_int_list(&open_ids)
            .push(") ORDER BY a.order_id, a.created_at, a.id");
        let rows = sql.query().fetch_all(db).await?;
        for (id, number) in &open {
            let mut names: Vec<String> = Vec::new();
            for row in rows
                .iter()
                .filter(|row| row.try_get::<i64, _>("order_id").ok() == Some(*id))
            {
                let kind: String = row.try_get("kind")?;
                let folder = if kind == AttachmentKind::Report.as_str() {
                    format!("{number}/reports")
                } else {
                    format!("{number}/documents")
                };
                let name = unique_name(
                    &folder,
                    &safe_name(&row.try_get::<String, _>("filename")?),
                    &mut names,
                );
                entries.push(Entry {
                    path: name,
                    storage_key: row.try_get("storage_key")?,
                });
                attachment_ids.push(row.try_get::<i64, _>("id")?);
            }
            if names.is_empty() {
                left_out.push(format!("{number}: no documents or reports yet."));
            }
        }
    }
    downloads::record(db, user, &attachment_ids, DownloadWay::Bundle).await?;
    Ok(Bundle {
        entries,
        left_out,
        orders: ids.len(),
        made_for: user.name.clone(),
    })
}

/// A file's name as a zip path part: no folders of its own, nothing
/// hidden, never empty.
fn safe_name(filename: &str) -> String {
    let name: String = filename
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim().trim_start_matches('.').trim();
    if name.is_empty() {
        "file".to_owned()
    } else {
        name.to_owned()
    }
}

/// `folder/name`, with " (2)", " (3)" … before the extension when the
/// folder already has that name.
fn unique_name(folder: &str, name: &str, taken: &mut Vec<String>) -> String {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (name, String::new()),
    };
    let mut candidate = format!("{folder}/{name}");
    let mut n = 2;
    while taken
        .iter()
        .any(|seen| seen.eq_ignore_ascii_case(&candidate))
    {
        candidate = format!("{folder}/{stem} ({n}){extension}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// The zip of `bundle`, as a stream of bytes: written by a task of its own
/// into a small pipe, so that memory stays flat whatever the files weigh.
pub fn stream(
    storage: Storage,
    bundle: Bundle,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (writer, reader) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Err(error) = write_zip(writer, &storage, bundle).await {
            tracing::warn!(%error, "a report bundle ended early");
        }
    });
    tokio_util::io::ReaderStream::new(reader)
}

async fn write_zip(
    writer: tokio::io::DuplexStream,
    storage: &Storage,
    bundle: Bundle,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut zip = ZipFileWriter::with_tokio(writer);
    let mut included = Vec::new();
    let mut left_out = bundle.left_out;
    for entry in bundle.entries {
        let mut file = match storage.stream(&entry.storage_key).await {
            Ok(file) => file,
            Err(_) => {
                left_out.push(format!(
                    "{}: could not be read from the file store.",
                    entry.path
                ));
                continue;
            }
        };
        let mut writer = zip
            .write_entry_stream(ZipEntryBuilder::new(
                entry.path.clone().into(),
                Compression::Stored,
            ))
            .await?;
        while let Some(chunk) = file.chunks.next().await {
            writer.write_all(&chunk?).await?;
        }
        writer.close().await?;
        included.push(entry.path);
    }
    let manifest = manifest(&bundle.made_for, bundle.orders, &included, &left_out);
    zip.write_entry_whole(
        ZipEntryBuilder::new("manifest.txt".to_owned().into(), Compression::Stored),
        manifest.as_bytes(),
    )
    .await?;
    zip.close().await?;
    Ok(())
}

/// What `manifest.txt` says.
fn manifest(made_for: &str, orders: usize, included: &[String], left_out: &[String]) -> String {
    let mut text = format!(
        "Reports and documents of {orders} order{}, for {made_for}, {}.\r\n\r\nIncluded ({}):\r\n",
        if orders == 1 { "" } else { "s" },
        rfc3339(now_ms()),
        included.len()
    );
    for path in included {
        text.push_str(&format!("  {path}\r\n"));
    }
    text.push_str(&format!("\r\nLeft out ({}):\r\n", left_out.len()));
    for line in left_out {
        text.push_str(&format!("  {line}\r\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbers_named_once_and_at_most_a_hundred() {
        assert_eq!(parse_ids(" 3, 1,3,,2 ").expect("ids"), [3, 1, 2]);
        assert!(matches!(parse_ids("1,x"), Err(AppError::BadRequest(_))));
        assert!(matches!(parse_ids(" , "), Err(AppError::Unprocessable(_))));
        let many: Vec<String> = (1..=101).map(|id: i64| id.to_string()).collect();
        assert!(matches!(
            parse_ids(&many.join(",")),
            Err(AppError::Unprocessable(_))
        ));
        assert_eq!(parse_ids(&many[..100].join(",")).expect("ids").len(), 100);
    }

    #[test]
    fn file_names_cannot_leave_their_folder_nor_hide() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("C:\\deed.pdf"), "C__deed.pdf");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name(" . "), "file");
        assert_eq!(safe_name("Kaufvertrag ü.pdf"), "Kaufvertrag ü.pdf");
    }

    #[test]
    fn a_repeated_name_gets_a_number_before_its_extension() {
        let mut taken = Vec::new();
        let folder = "ORD-1/documents";
        assert_eq!(
            unique_name(folder, "deed.pdf", &mut taken),
            "ORD-1/documents/deed.pdf"
        );
        assert_eq!(
            unique_name(folder, "DEED.pdf", &mut taken),
            "ORD-1/documents/DEED (2).pdf"
        );
        assert_eq!(
            unique_name(folder, "deed.pdf", &mut taken),
            "ORD-1/documents/deed (3).pdf"
        );
        assert_eq!(
            unique_name(folder, "notes", &mut taken),
            "ORD-1/documents/notes"
        );
        assert_eq!(
            unique_name(folder, "notes", &mut taken),
            "ORD-1/documents/notes (2)"
        );
    }

    #[test]
    fn the_manifest_says_what_is_in_and_what_was_left_out() {
        let text = manifest(
            "Ava Adams",
            2,
            &["ORD-1/reports/r.pdf".to_owned()],
            &["Order 9: not found.".to_owned()],
        );
        assert!(text.starts_with("Reports and documents of 2 orders, for Ava Adams, "));
        assert!(text.contains("Included (1):\r\n  ORD-1/reports/r.pdf\r\n"));
        assert!(text.contains("Left out (1):\r\n  Order 9: not found.\r\n"));
    }
}
