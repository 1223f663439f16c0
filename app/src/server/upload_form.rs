//! Reading an upload's multipart body within fixed bounds, storing each
//! file as its bytes arrive: whatever a client sends, one upload holds at
//! most one part of a file (see `Storage::writer`) and the start of it
//! (to recognise its type) in memory, plus a few KiB per part.
//!
//! - The file parts together may carry `files_limit` bytes.
//! - The whole body may carry that plus [`PART_ALLOWANCE`] per part.
//! - A part's headers (its name, filename and type) may take
//!   [`MAX_PART_HEADER_BYTES`].
//! - The `kind` field may take [`MAX_KIND_BYTES`], the `checklist_item`
//!   field [`MAX_CHECKLIST_ITEM_BYTES`]; no other field is read.
//! - At most [`MAX_FILES`] files, one `kind` and one `checklist_item`.
//!
//! Each bound is checked as the bytes arrive, so a request over one is
//! refused without the rest of it being read.

use crate::model::{Attachment, AttachmentKind};
use crate::server::auth::CurrentUser;
use crate::server::db::Db;
use crate::server::error::{AppError, AppResult};
use crate::server::services::attachments::{self, MAX_FILES, ReceivedFile, TypeCheck};
use crate::server::state::AppState;
use crate::server::storage::Storage;
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// The most a part's headers may take.
pub const MAX_PART_HEADER_BYTES: usize = 16 * 1024;
/// The most the `kind` field's value may take (`document` or `report`).
pub const MAX_KIND_BYTES: u64 = 16;
/// The most the `checklist_item` field's value may take: an item's id, or
/// its name of up to 200 characters.
pub const MAX_CHECKLIST_ITEM_BYTES: u64 = 1024;
/// What the body may carry per part beyond the files' bytes: its boundary,
/// its headers and the value of a `kind` or `checklist_item` field.
pub const PART_ALLOWANCE: u64 = 2 * MAX_PART_HEADER_BYTES as u64;

/// What an upload form holds: the kind of document, the checklist item it
/// answers, and its files, stored.
#[derive(Debug)]
pub struct UploadForm {
    pub kind: AttachmentKind,
    pub checklist_item: Option<String>,
    pub files: Vec<ReceivedFile>,
}

/// The form's fields besides its files.
struct Fields {
    kind: AttachmentKind,
    checklist_item: Option<String>,
}

/// A part's headers ran past [`MAX_PART_HEADER_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("a part's headers are longer than {MAX_PART_HEADER_BYTES} bytes")]
struct HeadersTooLong;

/// Follows the body as it streams to the parser and measures each part's
/// headers: from the end of a boundary line's delimiter to the blank line.
/// The parser itself buffers headers until their end, however far.
struct HeaderMeter {
    /// `\r\n--boundary`.
    delimiter: Vec<u8>,
    state: Scan,
}

enum Scan {
    /// In a part's contents, with this much of the delimiter seen at the
    /// end of the last chunk.
    Contents { matched: usize },
    /// In a part's headers: so many bytes, the last of which match this
    /// much of the blank line `\r\n\r\n`.
    Headers { length: usize, matched: usize },
}

impl HeaderMeter {
    fn new(boundary: &str) -> HeaderMeter {
        HeaderMeter {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            // The first delimiter opens the body, without a line break.
            state: Scan::Contents { matched: 2 },
        }
    }

    fn measure(&mut self, mut chunk: &[u8]) -> Result<(), HeadersTooLong> {
        while !chunk.is_empty() {
            let rest = match &mut self.state {
                Scan::Contents { matched } => match find_delimiter(&self.delimiter, matched, chunk)
                {
                    Some(end) => {
                        self.state = Scan::Headers {
                            length: 0,
                            matched: 0,
                        };
                        end
                    }
                    None => chunk.len(),
                },
                Scan::Headers { length, matched } => {
                    let mut end = None;
                    for (at, &byte) in chunk.iter().enumerate() {
                        *matched = match (byte, *matched) {
                            (b'\r', 0 | 2) => *matched + 1,
                            (b'\n', 1 | 3) => *matched + 1,
                            (b'\r', _) => 1,
                            _ => 0,
                        };
                        if *matched == 4 {
                            end = Some(at + 1);
                            break;
                        }
                    }
                    *length += end.unwrap_or(chunk.len());
                    if *length > MAX_PART_HEADER_BYTES {
                        return Err(HeadersTooLong);
                    }
                    match end {
                        Some(end) => {
                            self.state = Scan::Contents { matched: 0 };
                            end
                        }
                        None => chunk.len(),
                    }
                }
            };
            chunk = &chunk[rest..];
        }
        Ok(())
    }
}

/// Where in `chunk` the `delimiter` ends, of which `matched` bytes ended
/// the last chunk; otherwise how much of it ends this one, in `matched`.
/// A boundary holds no line break, so a partial match never hides the
/// start of another.
fn find_delimiter(delimiter: &[u8], matched: &mut usize, chunk: &[u8]) -> Option<usize> {
    let mut from = 0;
    if *matched > 0 {
        let wanted = &delimiter[*matched..];
        let seen = wanted.len().min(chunk.len());
        if chunk[..seen] == wanted[..seen] {
            if seen == wanted.len() {
                *matched = 0;
                return Some(seen);
            }
            *matched += seen;
            return None;
        }
        *matched = 0;
    }
    while let Some(at) = memchr::memchr(b'\r', &chunk[from..]).map(|at| from + at) {
        let seen = delimiter.len().min(chunk.len() - at);
        if chunk[at..at + seen] == delimiter[..seen] {
            if seen == delimiter.len() {
                return Some(at + seen);
            }
            *matched = seen;
            return None;
        }
        from = at + 1;
    }
    None
}

/// An upload to order `order_id`, by either way in (the JSON route and the
/// server function): the order and the caller's right to add to it are
/// checked first, then the body is read within this module's bounds and
/// stored.
pub async fn receive_upload<S, E>(
    state: &AppState,
    user: &CurrentUser,
    order_id: i64,
    content_type: Option<&str>,
    body: S,
) -> AppResult<Vec<Attachment>>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let target = attachments::may_upload(&state.db, user, order_id).await?;
    let form = read_upload_form(
        content_type,
        body,
        state.settings.max_upload_bytes,
        &state.db,
        &state.storage,
    )
    .await?;
    attachments::upload(
        &state.db,
        &state.storage,
        user,
        target,
        form.kind,
        form.checklist_item.as_deref(),
        form.files,
    )
    .await
}

/// The most an upload's body may carry when its files may carry
/// `files_limit` bytes: those, and an allowance for each part.
pub fn max_body_bytes(files_limit: u64) -> u64 {
    let max_parts = MAX_FILES as u64 + 2;
    files_limit.saturating_add(max_parts * PART_ALLOWANCE)
}

/// Reads an upload form from `body`, sent with `content_type`, storing its
/// files in `storage` as they arrive, each recorded in `db` as pending
/// before its first byte is written (see `attachments::expect_file`). When
/// the form is refused part-way, the files already stored are removed
/// again.
pub async fn read_upload_form<S, E>(
    content_type: Option<&str>,
    body: S,
    files_limit: u64,
    db: &Db,
    storage: &Storage,
) -> AppResult<UploadForm>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let mut keys = Vec::new();
    let mut files = Vec::new();
    let read = read_parts(
        content_type,
        body,
        files_limit,
        db,
        storage,
        &mut keys,
        &mut files,
    )
    .await;
    if read.is_err() {
        attachments::discard(db, storage, &keys).await;
    }
    let fields = read?;
    Ok(UploadForm {
        kind: fields.kind,
        checklist_item: fields.checklist_item,
        files,
    })
}

/// Reads the parts into `files`, answering the other fields. Every key
/// recorded as pending goes into `keys`, including that of a file whose
/// write failed.
async fn read_parts<S, E>(
    content_type: Option<&str>,
    body: S,
    files_limit: u64,
    db: &Db,
    storage: &Storage,
    keys: &mut Vec<String>,
    files: &mut Vec<ReceivedFile>,
) -> AppResult<Fields>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let boundary = content_type
        .ok_or_else(|| AppError::BadRequest("Send the upload as multipart/form-data.".to_owned()))
        .and_then(|content_type| multer::parse_boundary(content_type).map_err(invalid))?;
    let mut meter = HeaderMeter::new(&boundary);
    let measured = body.map_err(Into::into).and_then(move |chunk: Bytes| {
        let measured = meter.measure(&chunk).map(|()| chunk).map_err(Into::into);
        std::future::ready(measured)
    });
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["file", "kind", "checklist_item"])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(max_body_bytes(files_limit))
                .for_field("kind", MAX_KIND_BYTES)
                .for_field("checklist_item", MAX_CHECKLIST_ITEM_BYTES),
        );
    let mut multipart = multer::Multipart::with_constraints(measured, boundary, constraints);

    let mut kind = None;
    let mut checklist_item = None;
    let mut file_bytes: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(refusal)? {
        if field.name() == Some("kind") {
            if kind.is_some() {
                return Err(AppError::Unprocessable("Send one kind.".to_owned()));
            }
            kind = Some(match field.text().await.map_err(refusal)?.trim() {
                "report" => AttachmentKind::Report,
                "document" => AttachmentKind::Document,
                _ => return Err(kind_refused()),
            });
            continue;
        }
        if field.name() == Some("checklist_item") {
            if checklist_item.is_some() {
                return Err(AppError::Unprocessable(
                    "Send one checklist item.".to_owned(),
                ));
            }
            let item = field.text().await.map_err(|error| match error {
                multer::Error::FieldSizeExceeded { .. } => AppError::Unprocessable(
                    "That item is not on this order's checklist.".to_owned(),
                ),
                other => refusal(other),
            })?;
            checklist_item = Some(item.trim().to_owned()).filter(|item| !item.is_empty());
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(AppError::Unprocessable(format!(
                "Upload at most {MAX_FILES} files at once."
            )));
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        let key = Storage::new_key();
        attachments::expect_file(db, &key).await?;
        keys.push(key.clone());
        let mut writer = storage.writer(&key);
        let mut check = TypeCheck::default();
        let mut digest = Sha256::new();
        let mut size: u64 = 0;
        let received: AppResult<()> = async {
            while let Some(chunk) = field.chunk().await.map_err(refusal)? {
                file_bytes += chunk.len() as u64;
                if file_bytes > files_limit {
                    return Err(AppError::PayloadTooLarge);
                }
                size += chunk.len() as u64;
                check.feed(&chunk);
                digest.update(&chunk);
                writer.write_all(&chunk).await.map_err(stored_badly)?;
            }
            writer.shutdown().await.map_err(stored_badly)
        }
        .await;
        if let Err(error) = received {
            let _ = writer.abort().await;
            return Err(error);
        }
        files.push(ReceivedFile {
            file_type: check.finish(&filename),
            filename,
            key,
            size,
            sha256: hex::encode(digest.finalize()),
        });
    }
    Ok(Fields {
        kind: kind.unwrap_or(AttachmentKind::Document),
        checklist_item,
    })
}

fn stored_badly(error: std::io::Error) -> AppError {
    AppError::Internal(format!("storing an upload: {error}"))
}

fn kind_refused() -> AppError {
    AppError::Unprocessable("kind must be document or report.".to_owned())
}

fn invalid(error: multer::Error) -> AppError {
    AppError::BadRequest(format!("The upload is not valid: {error}."))
}

/// The answer to a body the parser stopped at.
fn refusal(error: multer::Error) -> AppError {
    match error {
        multer::Error::StreamSizeExceeded { .. } => AppError::PayloadTooLarge,
        multer::Error::FieldSizeExceeded { .. } => kind_refused(),
        multer::Error::UnknownField { .. } => {
            AppError::Unprocessable("Send files in parts named file.".to_owned())
        }
        multer::Error::StreamReadFailed(cause) if cause.is::<HeadersTooLong>() => {
            AppError::BadRequest(format!("The upload is not valid: {cause}."))
        }
        other => invalid(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::services::attachments::FileType;

    const BOUNDARY: &str = "X-BOUNDARY";

    fn content_type() -> String {
        format!("multipart/form-data; boundary={BOUNDARY}")
    }

    fn part(name: &str, filename: Option<&str>, contents: &[u8]) -> Vec<u8> {
        let filename = filename
            .map(|filename| format!("; filename=\"{filename}\""))
            .unwrap_or_default();
        let mut part = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n"
        )
        .into_bytes();
        part.extend_from_slice(contents);
        part.extend_from_slice(b"\r\n");
        part
    }

    fn body(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = parts.concat();
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        body
    }

    /// A directory store of its own, for one test.
    fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let storage = Storage::local(dir.path()).expect("storage");
        (dir, storage)
    }

    /// A database of its own, in memory, where uploads record pending files.
    async fn database() -> Db {
        let db = crate::server::db::connect("sqlite::memory:", 1)
            .await
            .expect("database");
        crate::server::db::migrate(&db).await.expect("migrations");
        db
    }

    /// Sends `body` in chunks of `chunk` bytes.
    async fn read(body: Vec<u8>, chunk: usize, limit: u64) -> AppResult<UploadForm> {
        let (_dir, storage) = storage();
        read_into(&storage, body, chunk, limit).await
    }

    async fn read_into(
        storage: &Storage,
        body: Vec<u8>,
        chunk: usize,
        limit: u64,
    ) -> AppResult<UploadForm> {
        read_typed(storage, Some(&content_type()), body, chunk, limit).await
    }

    /// Sends `body` with `content_type`, in chunks of `chunk` bytes, and
    /// checks that what is kept is pending and what is refused forgotten.
    async fn read_typed(
        storage: &Storage,
        content_type: Option<&str>,
        body: Vec<u8>,
        chunk: usize,
        limit: u64,
    ) -> AppResult<UploadForm> {
        let chunks: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(chunk)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        let db = database().await;
        let form = read_upload_form(
            content_type,
            futures_util::stream::iter(chunks),
            limit,
            &db,
            storage,
        )
        .await;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_files")
            .fetch_one(&db)
            .await
            .expect("pending files");
        let expected = form.as_ref().map_or(0, |form| form.files.len() as i64);
        assert_eq!(
            pending, expected,
            "a kept file stays pending until recorded; a refused one is forgotten"
        );
        form
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn reads_files_and_kind_in_any_chunking() {
        let big = vec![b'a'; 100_000];
        let body = body(&[
            part("kind", None, b"report"),
            part("file", Some("a.pdf"), b"%PDF-1.4"),
            part("file", Some("b.txt"), &big),
        ]);
        for chunk in [1, 7, 4096, 1 << 20] {
            let (_dir, storage) = storage();
            let form = run(read_into(&storage, body.clone(), chunk, 1 << 20)).expect("read");
            assert_eq!(form.kind, AttachmentKind::Report, "chunk {chunk}");
            assert_eq!(form.files.len(), 2);
            assert_eq!(form.files[0].filename, "a.pdf");
            assert_eq!(form.files[0].file_type, Some(FileType::Pdf));
            assert_eq!(form.files[1].size, big.len() as u64);
            assert_eq!(form.files[1].file_type, Some(FileType::Text));
            assert_eq!(
                form.files[1].sha256,
                hex::encode(Sha256::digest(&big)),
                "hashed as it streamed"
            );
            let stored = run(async {
                let mut stream = storage.stream(&form.files[1].key).await.expect("stored");
                let mut contents = Vec::new();
                while let Some(chunk) = futures_util::StreamExt::next(&mut stream.chunks).await {
                    contents.extend_from_slice(&chunk.expect("chunk"));
                }
                contents
            });
            assert_eq!(stored, big, "stored as it streamed");
        }
    }

    #[test]
    fn a_refused_form_leaves_no_file_behind() {
        let (dir, storage) = storage();
        let body = body(&[
            part("file", Some("a.pdf"), b"%PDF-1.4"),
            part("file", Some("b"), &[b'b'; 200]),
        ]);
        let error = run(read_into(&storage, body, 16, 100)).expect_err("too large");
        assert!(matches!(error, AppError::PayloadTooLarge), "{error:?}");
        let left = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(left, 0, "the first file was removed again");
    }

    #[test]
    fn a_missing_kind_is_a_document() {
        let form = run(read(body(&[part("file", Some("a.pdf"), b"x")]), 64, 100)).expect("read");
        assert_eq!(form.kind, AttachmentKind::Document);
    }

    #[test]
    fn files_past_the_limit_are_too_large() {
        let body = body(&[
            part("file", Some("a"), &[b'a'; 60]),
            part("file", Some("b"), &[b'b'; 60]),
        ]);
        let error = run(read(body, 16, 100)).expect_err("too large");
        assert!(matches!(error, AppError::PayloadTooLarge), "{error:?}");
    }

    #[test]
    fn a_long_kind_is_refused() {
        let body = body(&[part("kind", None, &[b'k'; 10_000])]);
        let error = run(read(body, 1024, 1 << 20)).expect_err("refused");
        assert!(matches!(error, AppError::Unprocessable(_)), "{error:?}");
    }

    #[test]
    fn long_part_headers_are_refused() {
        let filename = "f".repeat(100_000);
        let body = body(&[
            part("file", Some("first.pdf"), b"%PDF"),
            part("file", Some(&filename), b"x"),
        ]);
        for chunk in [1, 1000, 1 << 20] {
            let error = run(read(body.clone(), chunk, 1 << 20)).expect_err("refused");
            match error {
                AppError::BadRequest(message) => assert!(message.contains("headers"), "{message}"),
                other => panic!("chunk {chunk}: {other:?}"),
            }
        }
    }

    #[test]
    fn headers_just_under_the_limit_are_read() {
        let filename = "f".repeat(MAX_PART_HEADER_BYTES - 200);
        let body = body(&[part("file", Some(&filename), &[b'x'; 50_000])]);
        let form = run(read(body, 1 << 20, 1 << 20)).expect("read");
        assert_eq!(form.files[0].filename.len(), filename.len());
    }

    #[test]
    fn other_fields_and_too_many_parts_are_refused() {
        let other = body(&[part("comment", None, b"hello")]);
        let error = run(read(other, 64, 100)).expect_err("refused");
        assert!(matches!(error, AppError::Unprocessable(_)), "{error:?}");

        let many: Vec<Vec<u8>> = (0..=MAX_FILES)
            .map(|_| part("file", Some("a"), b"x"))
            .collect();
        let error = run(read(body(&many), 64, 1 << 20)).expect_err("refused");
        assert!(matches!(error, AppError::Unprocessable(message) if message.contains("at most")));

        let kinds = body(&[part("kind", None, b"report"), part("kind", None, b"report")]);
        let error = run(read(kinds, 64, 100)).expect_err("refused");
        assert!(matches!(error, AppError::Unprocessable(_)), "{error:?}");
    }

    #[test]
    fn bodies_that_are_not_multipart_are_bad_requests() {
        let (_dir, storage) = storage();
        let no_type = run(read_typed(&storage, None, Vec::new(), 64, 100));
        assert!(matches!(no_type, Err(AppError::BadRequest(_))));
        let no_boundary = run(read_typed(
            &storage,
            Some("multipart/form-data"),
            Vec::new(),
            64,
            100,
        ));
        assert!(matches!(no_boundary, Err(AppError::BadRequest(_))));
        let mut truncated = body(&[part("file", Some("a"), &[b'a'; 500])]);
        truncated.truncate(200);
        let error = run(read(truncated, 64, 1000)).expect_err("truncated");
        assert!(matches!(error, AppError::BadRequest(_)), "{error:?}");
    }
}
