use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// A quiz as stored: its JSON body with the owner, a version that counts
/// changes, and the title and question count copied from the body.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredQuiz {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub question_count: i64,
    /// 1 when created; each update adds 1.
    pub version: i64,
    /// The quiz as JSON text. The store never parses it.
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A quiz in a list, without its body.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct QuizSummary {
    pub id: String,
    pub title: String,
    pub question_count: i64,
    pub version: i64,
    pub updated_at: i64,
}

/// The fields of a quiz to create.
#[derive(Debug, Clone)]
pub struct NewQuiz<'a> {
    pub id: &'a str,
    pub owner_id: &'a str,
    pub title: &'a str,
    pub question_count: i64,
    pub body: &'a str,
    pub created_at: i64,
}

/// A replacement for a quiz's content, applied only while the stored
/// version is still `expected_version`.
#[derive(Debug, Clone)]
pub struct QuizUpdate<'a> {
    pub id: &'a str,
    pub owner_id: &'a str,
    pub expected_version: i64,
    pub title: &'a str,
    pub question_count: i64,
    pub body: &'a str,
    pub updated_at: i64,
}

const QUIZ_COLUMNS: &str =
    "id, owner_id, title, question_count, version, body, created_at, updated_at";

impl Store {
    /// Creates a quiz at version 1.
    pub async fn create_quiz(&self, new: &NewQuiz<'_>) -> Result<StoredQuiz, StoreError> {
        sqlx::query(
            "INSERT INTO quizzes (id, owner_id, title, question_count, version, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6)",
        )
        .bind(new.id)
        .bind(new.owner_id)
        .bind(new.title)
        .bind(new.question_count)
        .bind(new.body)
        .bind(new.created_at)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "a quiz with this id"))?;

        Ok(StoredQuiz {
            id: new.id.to_owned(),
            owner_id: new.owner_id.to_owned(),
            title: new.title.to_owned(),
            question_count: new.question_count,
            version: 1,
            body: new.body.to_owned(),
            created_at: new.created_at,
            updated_at: new.created_at,
        })
    }

    pub async fn quiz_by_id(&self, id: &str) -> Result<Option<StoredQuiz>, StoreError> {
        let query = format!("SELECT {QUIZ_COLUMNS} FROM quizzes WHERE id = $1");
        Ok(sqlx::query_as(&query)
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Lists a user's quizzes, the most recently changed first.
    pub async fn quizzes_by_owner(&self, owner_id: &str) -> Result<Vec<QuizSummary>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, title, question_count, version, updated_at FROM quizzes \
             WHERE owner_id = $1 ORDER BY updated_at DESC, id",
        )
        .bind(owner_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Replaces a quiz's content and adds 1 to its version. Returns `false`,
    /// changing nothing, when the owner has no quiz with this id at
    /// `expected_version`, so two concurrent writers cannot both succeed.
    pub async fn update_quiz(&self, update: &QuizUpdate<'_>) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE quizzes SET title = $1, question_count = $2, body = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND owner_id = $6 AND version = $7",
        )
        .bind(update.title)
        .bind(update.question_count)
        .bind(update.body)
        .bind(update.updated_at)
        .bind(update.id)
        .bind(update.owner_id)
        .bind(update.expected_version)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Deletes a quiz. Returns `false` when the owner has no quiz with this id.
    pub async fn delete_quiz(&self, owner_id: &str, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM quizzes WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner_id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() > 0)
    }
}
