//! Documents and vendor reports: uploads checked by their bytes, stored
//! under generated names, and downloads gated by the order's status.

use crate::model::{Attachment, AttachmentKind, EventKind, NamedRef, Order};
use crate::rules::{Action, Permission};
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, now_ms, rfc3339};
use crate::server::error::{AppError, AppResult};
use crate::server::services::downloads::{self, DownloadWay};
use crate::server::services::history::record_event;
use crate::server::services::{checklists, orders};
use crate::server::sql::Sql;
use crate::server::storage::{FileStream, Storage};
use sqlx::Row;

/// The most files one upload request may carry.
pub const MAX_FILES: usize = 20;

/// A file as it arrived: stored under `key` as its bytes came, and
/// recognised on the way, but not yet accepted.
#[derive(Debug, Clone)]
pub struct ReceivedFile {
    pub filename: String,
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the contents.
    pub sha256: String,
    pub file_type: Option<FileType>,
}

/// The accepted types, recognised by their bytes: `(content type, what
/// people call it)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Docx,
    Xlsx,
    Csv,
    Text,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Tiff => "image/tiff",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Csv => "text/csv",
            FileType::Text => "text/plain",
        }
    }

    /// Recognises a file by its contents; the name only tells CSV from
    /// plain text, which look alike.
    pub fn sniff(contents: &[u8], filename: &str) -> Option<FileType> {
        let mut check = TypeCheck::default();
        check.feed(contents);
        check.finish(filename)
    }

    /// The accepted type of a recognised binary format; `None` for a
    /// format the portal does not take.
    fn of_binary(kind: infer::Type) -> Option<FileType> {
        match kind.mime_type() {
            "application/pdf" => Some(FileType::Pdf),
            "image/png" => Some(FileType::Png),
            "image/jpeg" => Some(FileType::Jpeg),
            "image/tiff" => Some(FileType::Tiff),
            mime if mime == FileType::Docx.content_type() => Some(FileType::Docx),
            mime if mime == FileType::Xlsx.content_type() => Some(FileType::Xlsx),
            _ => None,
        }
    }

    /// The extensions a file of this type goes by; the first is the one
    /// given to a name that has none of them.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Tiff => &["tif", "tiff"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Csv => &["csv"],
            FileType::Text => &["txt", "text"],
        }
    }

    /// `name` ending in an extension of this type: kept when it does,
    /// otherwise given one, so that the name never promises another type
    /// (`invoice.exe` holding a PDF is stored as `invoice.exe.pdf`).
    pub fn name_with_extension(self, name: &str) -> String {
        let extension = name
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase());
        if extension.is_some_and(|extension| self.extensions().contains(&extension.as_str())) {
            return name.to_owned();
        }
        let suffix = format!(".{}", self.extensions()[0]);
        let room = MAX_NAME_CHARS - suffix.len();
        let base: String = name.chars().take(room).collect();
        format!("{base}{suffix}")
    }

    /// Types a browser may show inline without risk.
    pub fn is_inline_safe(content_type: &str) -> bool {
        matches!(
            content_type,
            "application/pdf" | "image/png" | "image/jpeg" | "text/plain" | "text/csv"
        )
    }
}

/// The longest stored file name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// How much of a file's start is kept to recognise a binary format: the
/// office formats are told apart by entries of their zip, which may lie
/// past a large first entry (a thumbnail).
const SNIFF_BYTES: usize = 1024 * 1024;

/// Recognises a file's type as its bytes arrive, keeping only their start:
/// binary formats by their first bytes; text by every byte, which must be
/// UTF-8 without control characters (but line breaks and tabs) or markup.
#[derive(Debug)]
pub struct TypeCheck {
    head: Vec<u8>,
    /// Every byte so far is text the portal takes.
    plain: bool,
    /// A UTF-8 sequence the last chunk ended in the middle of.
    partial: Vec<u8>,
    /// The last character was `<`.
    after_lt: bool,
}

impl Default for TypeCheck {
    fn default() -> Self {
        TypeCheck {
            head: Vec::new(),
            plain: true,
            partial: Vec::new(),
            after_lt: false,
        }
    }
}

impl TypeCheck {
    pub fn feed(&mut self, chunk: &[u8]) {
        let room = SNIFF_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        if self.plain {
            if self.partial.is_empty() {
                self.check_text(chunk);
            } else {
                let mut joined = std::mem::take(&mut self.partial);
                joined.extend_from_slice(chunk);
                self.check_text(&joined);
            }
        }
    }

    fn check_text(&mut self, bytes: &[u8]) {
        let (text, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, &[][..]),
            // Cut in the middle of a character: the rest comes next.
            Err(error) if error.error_len().is_none() => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                (std::str::from_utf8(valid).unwrap_or_default(), rest)
            }
            Err(_) => {
                self.plain = false;
                return;
            }
        };
        let controls = text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
        let markup_across = self.after_lt && text.bytes().next().is_some_and(starts_markup);
        if controls || markup_across || holds_markup(text) {
            self.plain = false;
            return;
        }
        if !text.is_empty() {
            self.after_lt = text.ends_with('<');
        }
        self.partial = rest.to_vec();
    }

    /// The file's type, named `filename`, once all of it has been fed.
    pub fn finish(self, filename: &str) -> Option<FileType> {
        if let Some(kind) = infer::get(&self.head) {
            return FileType::of_binary(kind);
        }
        if !self.plain || !self.partial.is_empty() {
            return None;
        }
        Some(if filename.to_ascii_lowercase().ends_with(".csv") {
            FileType::Csv
        } else {
            FileType::Text
        })
    }
}

/// Whether a byte after `<` makes markup of it.
fn starts_markup(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || b"/!?".contains(&byte)
}

/// Whether text holds anything a browser could take for markup: a tag, a
/// comment, a declaration or a processing instruction (`<` followed by a
/// letter, `/`, `!` or `?`), anywhere in it.
fn holds_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'<' && starts_markup(pair[1]))
}

/// A client's file name made safe to store and show: no path, no control,
/// invisible or direction-changing characters, at most 200 characters.
pub fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_invisible(*c))
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

/// Characters that show nothing or change the direction of what follows:
/// they let a name read as something it is not.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
    )
}

/// An order the caller may add files to, as `may_upload` found it; only
/// `may_upload` makes one, so `upload` needs no second read of the order.
#[derive(Debug)]
pub struct UploadTarget(Order);

/// Refuses an upload to an order the caller cannot see or add to, before
/// its body is read.
pub async fn may_upload(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<UploadTarget> {
    let order = orders::get(db, user, order_id).await?;
    check_upload(user, &order, None)?;
    Ok(UploadTarget(order))
}

/// Whether `user` may add files of `kind` (of a kind they may add, when
/// not known yet) to `order` in its status.
fn check_upload(user: &CurrentUser, order: &Order, kind: Option<AttachmentKind>) -> AppResult<()> {
    let reports = user.can(Permission::OrdersVendorReports);
    let documents = user.can(Permission::OrdersUpload);
    match kind {
        Some(AttachmentKind::Report) if !reports => Err(AppError::Forbidden(
            "Only FTS staff can add vendor reports.".to_owned(),
        )),
        Some(AttachmentKind::Document) if !documents => Err(AppError::Forbidden(
            "Your account cannot upload documents.".to_owned(),
        )),
        None if !reports && !documents => Err(AppError::Forbidden(
            "Your account cannot upload documents.".to_owned(),
        )),
        _ if !order.allowed_actions.contains(&Action::Upload) => {
            Err(AppError::InvalidStatus(order.status))
        }
        _ => Ok(()),
    }
}

/// Records the files received for an order (already in the store). Each
/// file is checked first; their rows are written together. When a file is
/// refused or the rows cannot be written, every file of the upload is
/// removed from the store again.
pub async fn upload(
    db: &Db,
    storage: &Storage,
    user: &CurrentUser,
    UploadTarget(order): UploadTarget,
    kind: AttachmentKind,
    checklist_item: Option<&str>,
    files: Vec<ReceivedFile>,
) -> AppResult<Vec<Attachment>> {
    let result = record_all(db, user, &order, kind, checklist_item, &files).await;
    if result.is_err() {
        let keys: Vec<String> = files.iter().map(|file| file.key.clone()).collect();
        discard(db, storage, &keys).await;
    }
    result
}

async fn record_all(
    db: &Db,
    user: &CurrentUser,
    order: &Order,
    kind: AttachmentKind,
    checklist_item: Option<&str>,
    files: &[ReceivedFile],
) -> AppResult<Vec<Attachment>> {
    check_upload(user, order, Some(kind))?;
    if files.is_empty() {
        return Err(AppError::Unprocessable(
            "Choose at least one file.".to_owned(),
        ));
    }
    if checklist_item.is_some() {
        if kind != AttachmentKind::Document || files.len() > 1 {
            return Err(AppError::Unprocessable(
                "A checklist item is answered by one document.".to_owned(),
            ));
        }
        if !order.status.needs_attention() {
            return Err(AppError::Unprocessable(
                "The checklist can be answered only while the order is on hold or rejected."
                    .to_owned(),
            ));
        }
    }
    if files.len() > MAX_FILES {
        return Err(AppError::Unprocessable(format!(
            "Upload at most {MAX_FILES} files at once."
        )));
    }
    let mut checked = Vec::with_capacity(files.len());
    for file in files {
        let filename = display_name(&file.filename);
        if file.size == 0 {
            return Err(AppError::Unprocessable(format!("{filename} is empty.")));
        }
        let file_type = file.file_type.ok_or_else(|| {
            AppError::UnsupportedMediaType(format!(
                "{filename} is not a PDF, PNG, JPEG, TIFF, DOCX, XLSX, CSV or text file."
            ))
        })?;
        checked.push((file_type.name_with_extension(&filename), file_type, file));
    }
    let now = now_ms();
    let mut tx = db::begin_write(db).await?;
    // The status the upload was allowed in must still hold: no file lands
    // on an order that was cancelled while it arrived.
    orders::keep_status(&mut tx, order.id, order.status).await?;
    let mut recorded = Sql::new("DELETE FROM pending_files WHERE storage_key IN (");
    for (index, file) in files.iter().enumerate() {
        if index > 0 {
            recorded.push(", ");
        }
        recorded.bind_text(file.key.as_str());
    }
    let still_pending = recorded.push(")").query().execute(&mut *tx).await?;
    if still_pending.rows_affected() != files.len() as u64 {
        return Err(AppError::Conflict(
            "The upload took too long and its files were cleared away. Send it again.".to_owned(),
        ));
    }
    let order_id = order.id;
    let mut attachments = Vec::with_capacity(files.len());
    for (filename, file_type, file) in checked {
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let row = sqlx::query(
            "INSERT INTO attachments (order_id, uploaded_by, kind, filename, content_type, size, \
             sha256, storage_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(order_id)
        .bind(user.id)
        .bind(kind.as_str())
        .bind(filename.as_str())
        .bind(file_type.content_type())
        .bind(size)
        .bind(file.sha256.as_str())
        .bind(file.key.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        attachments.push(Attachment {
            id: row.try_get("id")?,
            filename: filename.clone(),
            content_type: file_type.content_type().to_owned(),
            size,
            kind,
            uploaded_by: NamedRef {
                id: user.id,
                name: user.name.clone(),
            },
            created_at: rfc3339(now),
            downloads: Vec::new(),
            download_count: 0,
            first_downloaded_at: None,
        });
        record_event(
            &mut tx,
            order_id,
            user.id,
            EventKind::Upload,
            None,
            None,
            Some(&filename),
            now,
        )
        .await?;
        if let Some(item) = checklist_item {
            let attachment_id = row.try_get("id")?;
            checklists::answer(
                &mut tx,
                order_id,
                item,
                attachment_id,
                &filename,
                user.id,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(attachments)
}

/// Records that a file is about to be stored under `key` for an upload,
/// before a byte of it is written: whatever a crash leaves of it, the
/// clean-up ([`reconcile`]) finds by this record, without reading every
/// attachment or listing the whole store.
pub async fn expect_file(db: &Db, key: &str) -> AppResult<()> {
    let mut tx = db::begin_write(db).await?;
    sqlx::query("INSERT INTO pending_files (storage_key, created_at) VALUES ($1, $2)")
        .bind(key)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Removes the files of an upload that was refused, and their records. A
/// file that cannot be removed now keeps its record, for the clean-up.
pub async fn discard(db: &Db, storage: &Storage, keys: &[String]) {
    for key in keys {
        if let Err(error) = discard_one(db, storage, key).await {
            tracing::warn!(%error, %key, "a refused upload's file is left for the clean-up");
        }
    }
}

async fn discard_one(db: &Db, storage: &Storage, key: &str) -> AppResult<()> {
    storage.discard(key).await?;
    forget_pending(db, key).await?;
    Ok(())
}

/// How many records of files still pending the clean-up reads at once.
const RECONCILE_BATCH: i64 = 500;

/// Removes what uploads cut short by a crash left in the store: each file
/// recorded as pending ([`expect_file`]) for longer than `grace_ms`, which
/// spares uploads still in progress, whose attachment row was never
/// written. Reads only those records, by age, never every attachment nor
/// the store's listing; files it did not record (another program's, or a
/// mistaken `FILES_DIR`) are never touched. Answers how many it removed.
pub async fn reconcile(db: &Db, storage: &Storage, grace_ms: i64) -> AppResult<usize> {
    let cutoff = now_ms() - grace_ms;
    let mut removed = 0;
    loop {
        let keys = sqlx::query(
            "SELECT p.storage_key, \
                    (SELECT COUNT(*) FROM attachments a WHERE a.storage_key = p.storage_key) AS rows \
             FROM pending_files p WHERE p.created_at <= $1 ORDER BY p.created_at LIMIT $2",
        )
        .bind(cutoff)
        .bind(RECONCILE_BATCH)
        .fetch_all(db)
        .await?;
        if keys.is_empty() {
            return Ok(removed);
        }
        for row in keys {
            let key: String = row.try_get("storage_key")?;
            // Claimed by forgetting it first: an upload whose record is
            // gone is refused when it comes to write its rows, so no row
            // can name a file removed here.
            if !forget_pending(db, &key).await? || row.try_get::<i64, _>("rows")? > 0 {
                continue;
            }
            tracing::warn!(%key, "removing a file an interrupted upload left behind");
            if let Err(error) = storage.discard(&key).await {
                expect_file(db, &key).await?;
                return Err(error);
            }
            removed += 1;
        }
    }
}

/// Forgets the record of a pending file; whether there was one.
async fn forget_pending(db: &Db, key: &str) -> AppResult<bool> {
    let mut tx = db::begin_write(db).await?;
    let forgotten = sqlx::query("DELETE FROM pending_files WHERE storage_key = $1")
        .bind(key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(forgotten > 0)
}

/// A stored file with what is needed to send it.
#[derive(Debug)]
pub struct Download {
    pub filename: String,
    pub content_type: String,
    pub contents: FileStream,
}

/// The file of an attachment `user` may download: customers once the order
/// is received or complete, staff always. Others' files do not exist. The
/// download is recorded (`downloads`) once the file is found.
pub async fn download(
    db: &Db,
    storage: &Storage,
    user: &CurrentUser,
    attachment_id: i64,
    way: DownloadWay,
) -> AppResult<Download> {
    let mut sql = Sql::new(
        "SELECT a.order_id, a.filename, a.content_type, a.storage_key \
         FROM attachments a JOIN orders o ON o.id = a.order_id WHERE a.id = ",
    );
    sql.bind_int(attachment_id).and_visible_to("o", user);
    let row = sql
        .query()
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = orders::get(db, user, row.try_get("order_id")?).await?;
    if !order.allowed_actions.contains(&Action::Download) {
        return Err(AppError::Forbidden(format!(
            "Documents can be downloaded once the order is received; it is {}.",
            order.status.label()
        )));
    }
    let key: String = row.try_get("storage_key")?;
    let contents = storage.stream(&key).await?;
    downloads::record(db, user, &[attachment_id], way).await?;
    Ok(Download {
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        contents,
    })
}

/// `Content-Disposition` per RFC 6266: an ASCII fallback and the exact
/// name in `filename*`, so no client's filename can add parameters.
pub fn content_disposition(disposition: &str, filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()[]".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `contents` fed in pieces of `piece` bytes.
    fn check_in_pieces(contents: &[u8], piece: usize, filename: &str) -> Option<FileType> {
        let mut check = TypeCheck::default();
        for chunk in contents.chunks(piece) {
            check.feed(chunk);
        }
        check.finish(filename)
    }

    #[test]
    fn text_is_judged_the_same_however_it_arrives() {
        let cases: [(&[u8], Option<FileType>); 6] = [
            ("Grüße aus Köln — 東京 ✓\n".as_bytes(), Some(FileType::Text)),
            (b"price < 5, a <b tag", None),
            (b"a <\nb", Some(FileType::Text)),
            (b"tab\tand\r\nline", Some(FileType::Text)),
            (b"bell\x07", None),
            (b"half a character: \xC3", None),
        ];
        for (contents, expected) in cases {
            for piece in [1, 2, 3, 5, 1024] {
                assert_eq!(
                    check_in_pieces(contents, piece, "a.txt"),
                    expected,
                    "{:?} in pieces of {piece}",
                    String::from_utf8_lossy(contents)
                );
            }
        }
        // A PDF is recognised by its start, however long it goes on.
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend(std::iter::repeat_n(0xFFu8, 3 * SNIFF_BYTES));
        assert_eq!(check_in_pieces(&pdf, 4096, "x.pdf"), Some(FileType::Pdf));
    }

    #[test]
    fn types_are_recognised_by_their_bytes() {
        assert_eq!(
            FileType::sniff(b"%PDF-1.4\n...", "a.pdf"),
            Some(FileType::Pdf)
        );
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n0000", "a.png"),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(b"\xFF\xD8\xFF\xE0abcd", "a.jpg"),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"II*\x00\x08\x00\x00\x00\x10\x00\x00\x00", "a.tif"),
            Some(FileType::Tiff)
        );
        assert_eq!(
            FileType::sniff(b"a,b\n1,2\n", "data.CSV"),
            Some(FileType::Csv)
        );
        assert_eq!(
            FileType::sniff(b"plain words", "notes.txt"),
            Some(FileType::Text)
        );
        assert_eq!(
            FileType::sniff(b"<html><script>x</script>", "report.pdf"),
            None
        );
        assert_eq!(FileType::sniff(b"MZ\x90\x00binary", "tool.pdf"), None);
        assert_eq!(FileType::sniff(b"bin\x00ary", "a.txt"), None);
        assert_eq!(FileType::sniff(b"GIF89a....", "a.gif"), None);
    }

    #[test]
    fn markup_anywhere_in_text_is_refused() {
        for markup in [
            "Hi <html><script>alert(1)</script>",
            "a,b\n1,<svg onload=x>",
            "note </p>",
            "x <!-- y -->",
            "<?xml version=\"1.0\"?>",
        ] {
            assert_eq!(
                FileType::sniff(markup.as_bytes(), "a.txt"),
                None,
                "{markup}"
            );
        }
        assert_eq!(
            FileType::sniff(b"price < 5, a <= b, 3<4", "a.txt"),
            Some(FileType::Text)
        );
    }

    #[test]
    fn stored_names_end_in_their_type() {
        assert_eq!(FileType::Pdf.name_with_extension("scan.PDF"), "scan.PDF");
        assert_eq!(
            FileType::Pdf.name_with_extension("invoicefdp.exe"),
            "invoicefdp.exe.pdf"
        );
        assert_eq!(
            FileType::Text.name_with_extension("evil.html"),
            "evil.html.txt"
        );
        assert_eq!(
            FileType::Jpeg.name_with_extension("photo.jpeg"),
            "photo.jpeg"
        );
        assert_eq!(FileType::Csv.name_with_extension("parcels"), "parcels.csv");
        let long = FileType::Docx.name_with_extension(&"x".repeat(MAX_NAME_CHARS));
        assert_eq!(long.chars().count(), MAX_NAME_CHARS);
        assert!(long.ends_with("x.docx"));
    }

    #[test]
    fn display_names_are_safe() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\scan.pdf"), "scan.pdf");
        assert_eq!(display_name("a\r\nb\0c.pdf"), "abc.pdf");
        assert_eq!(display_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(display_name("a\u{061C}b\u{200B}c\u{FEFF}d.pdf"), "abcd.pdf");
        assert_eq!(display_name(""), "document");
        assert_eq!(display_name("..."), "document");
        assert_eq!(display_name(&"x".repeat(300)).chars().count(), 200);
        assert_eq!(
            display_name("Report – final (2).pdf"),
            "Report – final (2).pdf"
        );
    }

    #[test]
    fn content_disposition_cannot_be_extended_by_a_filename() {
        let header = content_disposition("attachment", "a\"; filename=evil.html; x=\"é.pdf");
        assert!(header.starts_with(
            "attachment; filename=\"a__ filename_evil.html_ x___.pdf\"; filename*=UTF-8''"
        ));
        assert_eq!(header.matches('"').count(), 2);
        assert_eq!(header.matches(';').count(), 2);
        assert!(header.ends_with("%C3%A9%2Epdf"));
    }
}
