use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError, User};

/// A long-lived bearer token that a user created for scripts and tools.
/// The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    /// `None` for a token that does not expire.
    pub expires_at: Option<i64>,
}

/// The fields of an API token to create.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

const API_TOKEN_COLUMNS: &str = "id, user_id, name, created_at, expires_at";

impl Store {
    /// Stores an API token under the hash of its secret.
    pub async fn create_api_token(&self, new: &NewApiToken<'_>) -> Result<ApiToken, StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new.id)
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.token_hash)
        .bind(new.created_at)
        .bind(new.expires_at)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "an API token with this id or secret"))?;

        Ok(ApiToken {
            id: new.id.to_owned(),
            user_id: new.user_id.to_owned(),
            name: new.name.to_owned(),
            created_at: new.created_at,
            expires_at: new.expires_at,
        })
    }

    /// Returns the user of an API token that has not expired at `now`.
    pub async fn api_token_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, u.created_at \
             FROM users u JOIN api_tokens t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Lists a user's API tokens, expired ones included, oldest first.
    pub async fn api_tokens_by_user(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let query = format!(
            "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id"
        );
        Ok(sqlx::query_as(&query)
            .bind(user_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Deletes one of a user's API tokens. Returns `false` when the user
    /// has no token with this id.
    pub async fn delete_api_token(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() > 0)
    }
}
