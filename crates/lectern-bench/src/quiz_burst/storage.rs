//! Counts a run's answers in the server's SQLite file, independently of
//! the server's own results endpoint.

use std::path::Path;

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

/// The database file Lectern creates in its data directory by default.
pub const DATABASE_FILE: &str = "lectern.db";

/// The SQLite file could not be opened or queried.
#[derive(Debug, thiserror::Error)]
#[error("cannot count the answers in {path}: {source}")]
pub struct StorageError {
    path: String,
    source: sqlx::Error,
}

/// Returns the number of rows in `quiz_answers` for question
/// `question_index` of run `run_id`, reading the database read-only.
pub async fn count_answers(
    database: &Path,
    run_id: &str,
    question_index: u64,
) -> Result<u64, StorageError> {
    let fail = |source| StorageError {
        path: database.display().to_string(),
        source,
    };
    let mut connection = SqliteConnectOptions::new()
        .filename(database)
        .read_only(true)
        .connect()
        .await
        .map_err(fail)?;
    let index = i64::try_from(question_index).unwrap_or(i64::MAX);
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_answers WHERE run_id = ? AND question_index = ?",
    )
    .bind(run_id)
    .bind(index)
    .fetch_one(&mut connection)
    .await
    .map_err(fail)?;
    Ok(u64::try_from(count).unwrap_or(0))
}
