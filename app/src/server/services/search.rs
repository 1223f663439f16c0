//! How rare each trigram of the order numbers and titles is, so that a
//! search asks the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL)
//! for the rarest few trigrams of its text only. Both engines read the
//! whole list of orders holding each trigram they are asked for: "par" of
//! "parcel" is in nearly every title, "424" of "4242" in a few thousand.
//! The orders the rare trigrams name are then checked for the whole text,
//! so the answer stays an exact substring match.
//!
//! The counts are refreshed by housekeeping and after scale data is
//! loaded; stale counts only make a search slower, never wrong. So each
//! process keeps a copy for [`COUNTS_KEPT_FOR`] instead of asking the
//! database at every search.

use crate::model::{MAX_SEARCH_CHARS, MIN_SEARCH_CHARS};
use crate::server::db::{self, Db, Engine};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::Sql;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Trigrams held by fewer orders are not recorded: unknown means rare.
const RECORDED_FROM_DOCS: i64 = 500;
/// Trigrams a search asks the index for, at most.
const TRIGRAMS_ASKED: usize = 3;
/// How many times commoner than the rarest a trigram may be and still be
/// asked for.
const COMMONER_AT_MOST: i64 = 8;
/// Orders PostgreSQL reads to estimate the counts.
const POSTGRES_SAMPLE_ORDERS: f64 = 20_000.0;
/// How long a process searches with the counts it read before it reads
/// them again: counts another instance made reach it within this time.
const COUNTS_KEPT_FOR: Duration = Duration::from_secs(60);

/// The rarest trigrams of a search text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RareTrigrams {
    /// Rarest first, at most [`TRIGRAMS_ASKED`].
    pub trigrams: Vec<String>,
    /// Orders holding the rarest (0 when it is not recorded): about how
    /// many orders the index names for the text.
    pub candidates: i64,
}

/// The distinct trigrams of `text`, lower-cased as both indexes fold them;
/// `None` for text that is not ASCII, which they fold by Unicode's rules.
fn trigrams(text: &str) -> Option<Vec<String>> {
    if !text.is_ascii() {
        return None;
    }
    Some(distinct_windows(&text.to_ascii_lowercase(), |_| true))
}

/// What PostgreSQL's trigram index of titles holds: the lower-cased title,
/// each space read as the letter q. pg_trgm splits text into words at
/// spaces and keeps no word's neighbours; joined, a text of several words
/// has trigrams across them ("street oak": "tqo", "qoa") that only titles
/// holding those words side by side hold. The migration
/// `search_across_words` explains the choice. Order numbers have no
/// spaces: their index holds `LOWER(number)`.
pub const POSTGRES_INDEXED_TITLE: &str = "replace(LOWER(o.title), ' ', 'q')";

/// `text` as [`POSTGRES_INDEXED_TITLE`] reads it, lower-cased as the check
/// of each order lower-cases it: an order's text holding `text` holds this.
fn joined_words(text: &str) -> String {
    text.to_lowercase().replace(' ', "q")
}

/// The trigrams of `text` that the engine's index of orders can be asked
/// for: FTS5's (`None` for text that is not ASCII), or the trigrams of
/// letters and digits of the joined words on PostgreSQL, which pg_trgm
/// indexes and every order holding the text holds.
pub fn indexed_trigrams(engine: Engine, text: &str) -> Option<Vec<String>> {
    match engine {
        Engine::Sqlite => trigrams(text),
        Engine::Postgres => Some(distinct_windows(&joined_words(text), |window| {
            window.iter().all(char::is_ascii_alphanumeric)
        })),
    }
}

/// A `LIKE` pattern (with `ESCAPE '\\'`) for an order whose
/// [`POSTGRES_INDEXED_TITLE`] or number may hold `text` (no text a number
/// could hold has a space).
pub fn postgres_pattern(text: &str) -> String {
    like_pattern(&joined_words(text))
}

/// The distinct windows of three characters of `text` that `keep` keeps.
fn distinct_windows(text: &str, keep: impl Fn(&[char]) -> bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut windows: Vec<String> = chars
        .windows(3)
        .filter(|window| keep(window))
        .map(|window| window.iter().collect())
        .collect();
    windows.sort();
    windows.dedup();
    windows
}

/// The rarest of `text`'s [`indexed_trigrams`], or `None` when there are
/// none and the text must be searched whole.
pub async fn rare_trigrams(db: &Db, text: &str) -> AppResult<Option<RareTrigrams>> {
    let Some(trigrams) = indexed_trigrams(Engine::of_pool(db), text) else {
        return Ok(None);
    };
    if trigrams.is_empty() {
        return Ok(None);
    }
    let recorded = recorded_counts(db).await?;
    let mut docs: Vec<(i64, String)> = trigrams
        .into_iter()
        .map(|trigram| (recorded.get(&trigram).copied().unwrap_or(0), trigram))
        .collect();
    docs.sort();
    let Some(&(candidates, _)) = docs.first() else {
        return Ok(None);
    };
    // A trigram much commoner than the rarest narrows the candidates little
    // and costs the index as much as its orders.
    let worth_asking = candidates.max(RECORDED_FROM_DOCS) * COMMONER_AT_MOST;
    Ok(Some(RareTrigrams {
        trigrams: docs
            .into_iter()
            .take_while(|(docs, _)| *docs <= worth_asking)
            .take(TRIGRAMS_ASKED)
            .map(|(_, trigram)| trigram)
            .collect(),
        candidates,
    }))
}

/// The counts of the database `db` connects to, as this process last read
/// them, by URL.
type KnownCounts = HashMap<String, (Instant, Arc<HashMap<String, i64>>)>;

static KNOWN_COUNTS: LazyLock<Mutex<KnownCounts>> = LazyLock::new(Default::default);

fn known_counts() -> std::sync::MutexGuard<'static, KnownCounts> {
    KNOWN_COUNTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Every recorded trigram count (some thousands), read again once
/// [`COUNTS_KEPT_FOR`] has passed. Looking up a search's trigrams in the
/// database cost each search a statement: PostgreSQL read the table
/// whole for them, it being too small for its index to pay.
async fn recorded_counts(db: &Db) -> AppResult<Arc<HashMap<String, i64>>> {
    let url = db::database_url(db);
    if let Some((read_at, counts)) = known_counts().get(&url)
        && read_at.elapsed() < COUNTS_KEPT_FOR
    {
        return Ok(Arc::clone(counts));
    }
    let read_at = Instant::now();
    let mut counts = HashMap::new();
    for row in sqlx::query("SELECT trigram, docs FROM search_trigram_docs")
        .fetch_all(db)
        .await?
    {
        counts.insert(row.try_get("trigram")?, row.try_get("docs")?);
    }
    let counts = Arc::new(counts);
    known_counts().insert(url, (read_at, Arc::clone(&counts)));
    Ok(counts)
}

/// The trimmed search text, if any: long enough for the trigram index to
/// answer, and not too long.
pub fn search_text(q: Option<&str>) -> AppResult<Option<String>> {
    let Some(text) = q.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    let length = text.chars().count();
    if length > MAX_SEARCH_CHARS {
        return Err(AppError::BadRequest(
            "The search text is too long.".to_owned(),
        ));
    }
    if length < MIN_SEARCH_CHARS {
        return Err(AppError::BadRequest(format!(
            "Type at least {MIN_SEARCH_CHARS} characters to search."
        )));
    }
    Ok(Some(text.to_owned()))
}

/// A `LIKE` pattern (with `ESCAPE '\\'`) for text holding `text`, lower-cased
/// to be matched against `LOWER(column)`.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// ` AND (<a column LIKE text> OR …)`, case-insensitively: each column a
/// lower-cased expression such as `LOWER(o.title)`.
pub fn push_like(sql: &mut Sql, columns: &[&str], text: &str) {
    sql.push(" AND ");
    push_like_match(sql, columns, text);
}

/// `(<a column LIKE text> OR …)`, as [`push_like`] asks it.
pub fn push_like_match(sql: &mut Sql, columns: &[&str], text: &str) {
    let pattern = like_pattern(text);
    for (index, column) in columns.iter().enumerate() {
        sql.push(if index == 0 { "(" } else { " OR " })
            .push(column)
            .push(" LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\'");
    }
    sql.push(")");
}

/// An FTS5 query for rows holding `text`: with the trigram tokenizer a
/// phrase of three characters or more matches as a substring.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// An FTS5 query for orders holding every one of `trigrams`.
pub fn fts_match(trigrams: &[String]) -> String {
    trigrams
        .iter()
        .map(|trigram| fts_phrase(trigram))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The upkeep task, in `maintenance_runs`, of counting the trigrams.
const TRIGRAM_COUNT_TASK: &str = "search_trigram_docs";

/// When the trigrams were last counted (unix milliseconds), if ever.
pub async fn trigram_docs_counted_at(db: &Db) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT ran_at FROM maintenance_runs WHERE task = $1")
            .bind(TRIGRAM_COUNT_TASK)
            .fetch_optional(db)
            .await?,
    )
}

/// Whether counts made at `counted_at` are due to be made again at `now`,
/// `every` milliseconds after they were made: a server starting, or a
/// second instance, leaves fresh counts alone (counting reads the whole
/// search index, 3 s at a million orders). Counts that seem made more
/// than `every` in the future are due too: the clock was set back, and
/// their age is unknown.
pub fn trigram_docs_due(counted_at: Option<i64>, now: i64, every: i64) -> bool {
    counted_at.is_none_or(|counted_at| now.abs_diff(counted_at) >= every.unsigned_abs())
}

/// Counts again how many orders hold each common trigram: exactly from
/// FTS5's vocabulary on SQLite, from a sample of orders on PostgreSQL.
pub async fn refresh_trigram_docs(db: &Db) -> AppResult<()> {
    // Counted outside the write transaction: it reads a lot.
    let counted: Vec<(String, i64)> = match Engine::of_pool(db) {
        Engine::Sqlite => sqlx::query(
            "SELECT term AS trigram, doc AS docs FROM orders_search_vocab \
             WHERE doc >= $1 AND length(term) = 3",
        )
        .bind(RECORDED_FROM_DOCS)
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("trigram")?, row.try_get("docs")?)))
        .collect::<AppResult<_>>()?,
        Engine::Postgres => postgres_sample(db).await?,
    };
    let mut tx = db::begin_write(db).await?;
    sqlx::query("DELETE FROM search_trigram_docs")
        .execute(&mut *tx)
        .await?;
    // Some thousands of rows: a statement per row would cost a round trip
    // each, while the server is starting and already answering.
    for chunk in counted.chunks(500) {
        let mut insert = Sql::new("INSERT INTO search_trigram_docs (trigram, docs) VALUES ");
        for (index, (trigram, docs)) in chunk.iter().enumerate() {
            insert
                .push(if index == 0 { "(" } else { ", (" })
                .bind_text(trigram.as_str())
                .push(", ")
                .bind_int(*docs)
                .push(")");
        }
        insert.query().execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO maintenance_runs (task, ran_at) VALUES ($1, $2) \
         ON CONFLICT (task) DO UPDATE SET ran_at = excluded.ran_at",
    )
    .bind(TRIGRAM_COUNT_TASK)
    .bind(db::now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    known_counts().remove(&db::database_url(db));
    Ok(())
}

/// Trigram counts estimated from a sample of about
/// [`POSTGRES_SAMPLE_ORDERS`] orders.
async fn postgres_sample(db: &Db) -> AppResult<Vec<(String, i64)>> {
    let orders: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM order_counts WHERE scope = 'all'",
    )
    .fetch_one(db)
    .await?;
    let percent = (POSTGRES_SAMPLE_ORDERS * 100.0 / orders.max(1) as f64).min(100.0);
    let rows = sqlx::query(&format!(
        "SELECT substr(sample.text, position.i, 3) AS trigram, \
                CAST(COUNT(DISTINCT sample.id) AS BIGINT) AS hits \
         FROM (SELECT o.id, LOWER(o.number) || ' ' || {POSTGRES_INDEXED_TITLE} AS text \
               FROM orders o TABLESAMPLE SYSTEM ({percent:.6})) AS sample \
         CROSS JOIN LATERAL generate_series(1, length(sample.text) - 2) AS position(i) \
         GROUP BY 1"
    ))
    .fetch_all(db)
    .await?;
    let mut counted = Vec::new();
    for row in rows {
        let docs = (row.try_get::<i64, _>("hits")? as f64 * 100.0 / percent) as i64;
        if docs >= RECORDED_FROM_DOCS {
            counted.push((row.try_get("trigram")?, docs));
        }
    }
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_folded_distinct_and_ascii_only() {
        assert_eq!(trigrams("Par par").unwrap(), [" pa", "ar ", "par", "r p"]);
        assert_eq!(trigrams("ORD-1").unwrap(), ["d-1", "ord", "rd-"]);
        assert_eq!(trigrams("ab"), Some(Vec::new()));
        assert_eq!(trigrams("Straße"), None);
    }

    #[test]
    fn postgres_is_asked_for_trigrams_across_words_of_letters_and_digits() {
        let asked = |text| indexed_trigrams(Engine::Postgres, text).unwrap();
        assert_eq!(
            asked("Street Oak"),
            ["eet", "etq", "oak", "qoa", "ree", "str", "tqo", "tre"]
        );
        // Other signs split words as pg_trgm splits them; letters of any
        // alphabet are checked, not asked for.
        assert_eq!(
            asked("Street, Oak"),
            ["eet", "oak", "qoa", "ree", "str", "tre"]
        );
        assert_eq!(asked("Müller Rd"), ["erq", "ler", "lle", "qrd", "rqr"]);
        assert_eq!(postgres_pattern("50% Off_Main St"), "%50\\%qoff\\_mainqst%");
    }

    #[test]
    fn trigram_counts_are_due_when_never_made_or_as_old_as_the_interval() {
        let hour = 3_600_000;
        assert!(trigram_docs_due(None, 10 * hour, hour));
        assert!(!trigram_docs_due(Some(10 * hour - 1), 10 * hour, hour));
        assert!(trigram_docs_due(Some(9 * hour), 10 * hour, hour));
        // Instances whose clocks differ a little leave each other's counts
        // alone; a clock set back by the interval or more counts again.
        assert!(!trigram_docs_due(Some(10 * hour + 5_000), 10 * hour, hour));
        assert!(trigram_docs_due(Some(11 * hour), 10 * hour, hour));
    }

    #[test]
    fn the_index_query_asks_for_every_trigram_given() {
        let asked = ["424".to_owned(), "a\"b".to_owned()];
        assert_eq!(fts_match(&asked), "\"424\" AND \"a\"\"b\"");
    }
}
