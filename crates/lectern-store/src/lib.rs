//! Lectern's storage on SQLite or PostgreSQL.
//!
//! # What this crate owns
//!
//! The schema (the SQL files under `migrations/`, one folder per backend),
//! and every query: accounts, sessions, rooms, participants, each room's
//! board as a snapshot plus an append-only log of updates, quizzes, live
//! quiz runs with their answers, and the rows that tie uploaded media files
//! to rooms.
//!
//! # What it must never do
//!
//! It never interprets board bytes, hashes passwords or decides who may do
//! what. Callers pass token hashes, never tokens, so no secret reaches the
//! database or the logs. One process writes a room's log at a time; the
//! server's room registry guarantees that.
//!
//! Both backends run through sqlx's `Any` driver with the same SQL text,
//! using `$1` placeholders (SQLite accepts them too). Times are milliseconds
//! since the Unix epoch as `i64`, flags are `0`/`1` integers, because those
//! are the types the `Any` driver carries on both backends.

mod api_tokens;
mod board;
mod error;
mod media;
mod participants;
mod quiz_runs;
mod quizzes;
mod rooms;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use api_tokens::{ApiToken, NewApiToken};
pub use board::{BoardAppend, BoardLog};
pub use error::StoreError;
pub use media::{MediaItem, MediaUpload, NewMedia};
pub use participants::{NewParticipant, Participant};
pub use quiz_runs::{
    NewAnswer, NewRun, RunStateUpdate, RunSummary, RunWithAnswers, StoredAnswer, StoredRun,
};
pub use quizzes::{NewQuiz, QuizSummary, QuizUpdate, StoredQuiz};
pub use rooms::{NewRoom, Room};
pub use users::{NewUser, User, UserWithPassword};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// The database product behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(scheme_of(url)))
        }
    }
}

/// A connection pool with the schema migrated.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects, creating an SQLite file if it does not exist, and applies
    /// pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;

        let options = AnyConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite allows one writer at a time; more connections only
                // add lock waits.
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL keeps readers off the writer's back, and with it
                        // `synchronous = NORMAL` loses no committed
                        // transaction when the process dies; only an OS crash
                        // or power loss can lose the last ones.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;

        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        tracing::info!(?backend, "database ready");

        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

impl StoreError {
    /// Returns whether no pooled connection came free within the acquire
    /// timeout. The database is then busy rather than broken, so the same
    /// request may succeed when retried.
    pub fn is_pool_timeout(&self) -> bool {
        matches!(self, StoreError::Query(sqlx::Error::PoolTimedOut))
    }

    /// Returns the error of a pool that timed out, for tests of callers.
    pub fn pool_timeout() -> Self {
        StoreError::Query(sqlx::Error::PoolTimedOut)
    }
}

/// Returns the part of a URL before `:`, so an error can name it without
/// echoing a password.
fn scheme_of(url: &str) -> String {
    url.split(':').next().unwrap_or_default().to_owned()
}
