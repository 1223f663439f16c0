//! How rare each trigram of the order numbers and titles is, so that a
//! search on SQLite asks its trigram index (FTS5) for the rarest few
//! trigrams of the text only. FTS5 reads the whole list of orders holding
//! each trigram it is asked for: "par" of "parcel" is in nearly every
//! title, "424" of "4242" in a few hundred. The orders the rare trigrams
//! name are then checked for the whole text, so the answer stays an exact
//! substring match.
//!
//! The counts are refreshed by housekeeping and after scale data is
//! loaded; stale counts only make a search slower, never wrong.

use crate::server::db::{self, Db, Engine};
use crate::server::error::AppResult;
use sqlx::Row;

/// Trigrams held by fewer orders are not recorded: unknown means rare.
const RECORDED_FROM_DOCS: i64 = 500;
/// Trigrams a search asks the index for.
const TRIGRAMS_ASKED: usize = 3;

/// What a search on SQLite asks FTS5 for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrigramQuery {
    /// An FTS5 query over the rarest trigrams.
    pub fts_match: String,
    /// Orders holding the rarest of them (0 when none is recorded): about
    /// how many orders the index names for the text.
    pub candidates: i64,
}

/// The distinct trigrams of `text`, case-folded as the trigram tokenizer
/// folds them; `None` for text that is not ASCII, whose folding the
/// tokenizer does by Unicode's rules.
pub fn trigrams(text: &str) -> Option<Vec<String>> {
    if !text.is_ascii() {
        return None;
    }
    let folded: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let mut trigrams: Vec<String> = folded
        .windows(3)
        .map(|window| window.iter().collect())
        .collect();
    trigrams.sort();
    trigrams.dedup();
    Some(trigrams)
}

/// The index query for `text` (at least three characters), or `None` when
/// the text must be searched as one phrase.
pub async fn trigram_query(db: &Db, text: &str) -> AppResult<Option<TrigramQuery>> {
    let Some(trigrams) = trigrams(text) else {
        return Ok(None);
    };
    let mut docs = Vec::with_capacity(trigrams.len());
    for trigram in trigrams {
        let recorded: Option<i64> =
            sqlx::query_scalar("SELECT docs FROM search_trigram_docs WHERE trigram = $1")
                .bind(&trigram)
                .fetch_optional(db)
                .await?;
        docs.push((recorded.unwrap_or(0), trigram));
    }
    docs.sort();
    let candidates = docs.first().map_or(0, |(docs, _)| *docs);
    let fts_match = docs
        .iter()
        .take(TRIGRAMS_ASKED)
        .map(|(_, trigram)| format!("\"{}\"", trigram.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ");
    Ok(Some(TrigramQuery {
        fts_match,
        candidates,
    }))
}

/// Counts again how many orders hold each common trigram (SQLite only).
pub async fn refresh_trigram_docs(db: &Db) -> AppResult<()> {
    if Engine::of_pool(db) != Engine::Sqlite {
        return Ok(());
    }
    // Counted outside the write transaction: it reads the whole index.
    let counted = sqlx::query(
        "SELECT term, doc FROM orders_search_vocab WHERE doc >= $1 AND length(term) = 3",
    )
    .bind(RECORDED_FROM_DOCS)
    .fetch_all(db)
    .await?;
    let mut tx = db::begin_write(db).await?;
    sqlx::query("DELETE FROM search_trigram_docs")
        .execute(&mut *tx)
        .await?;
    for row in counted {
        sqlx::query("INSERT INTO search_trigram_docs (trigram, docs) VALUES ($1, $2)")
            .bind(row.try_get::<String, _>("term")?)
            .bind(row.try_get::<i64, _>("doc")?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
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
}
