use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// An account that logs in: a lecturer or an admin.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
}

/// A user with the argon2 hash of their password, for login only.
#[derive(Debug, Clone, FromRow)]
pub struct UserWithPassword {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
}

/// The fields of a user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: i64,
}

const USER_COLUMNS: &str = "id, email, name, role, created_at";

impl Store {
    /// Creates a user; an email already taken is [`StoreError::Conflict`].
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<User, StoreError> {
        sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new.id)
        .bind(new.email)
        .bind(new.name)
        .bind(new.role)
        .bind(new.password_hash)
        .bind(new.created_at)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "a user with this email"))?;

        Ok(User {
            id: new.id.to_owned(),
            email: new.email.to_owned(),
            name: new.name.to_owned(),
            role: new.role.to_owned(),
            created_at: new.created_at,
        })
    }

    /// Finds a user by email, with the password hash, for login.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserWithPassword>, StoreError> {
        let query = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1");
        Ok(sqlx::query_as(&query)
            .bind(email)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        let query = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&query)
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Stores a login session under the hash of its bearer token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Returns the user of an unexpired session.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<User>, StoreError> {
        let query = format!(
            "SELECT {} FROM users u JOIN sessions s ON s.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
            "u.id, u.email, u.name, u.role, u.created_at"
        );
        Ok(sqlx::query_as(&query)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Ends a session; ending an unknown one is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
