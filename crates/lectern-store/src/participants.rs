use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// A student in one room, joined by display name without an account.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Participant {
    pub id: String,
    pub room_id: String,
    pub name: String,
    /// 1 when this student may draw on the board.
    pub can_draw: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The fields of a participant to create.
#[derive(Debug, Clone)]
pub struct NewParticipant<'a> {
    pub id: &'a str,
    pub room_id: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

const PARTICIPANT_COLUMNS: &str = "id, room_id, name, can_draw, created_at, expires_at";

impl Store {
    /// Creates a participant. Drawing starts as the room's
    /// `students_can_draw` says, read in the same statement.
    pub async fn create_participant(
        &self,
        new: &NewParticipant<'_>,
    ) -> Result<Participant, StoreError> {
        sqlx::query(
            "INSERT INTO participants (id, room_id, name, token_hash, can_draw, created_at, expires_at) \
             SELECT $1, $2, $3, $4, students_can_draw, $5, $6 FROM rooms WHERE id = $2",
        )
        .bind(new.id)
        .bind(new.room_id)
        .bind(new.name)
        .bind(new.token_hash)
        .bind(new.created_at)
        .bind(new.expires_at)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "a participant with this token"))?;

        let query = format!("SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE id = $1");
        Ok(sqlx::query_as(&query)
            .bind(new.id)
            .fetch_one(self.pool())
            .await?)
    }

    /// Returns the participant of an unexpired token.
    pub async fn participant_by_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Participant>, StoreError> {
        let query = format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE token_hash = $1 AND expires_at > $2"
        );
        Ok(sqlx::query_as(&query)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Lists a room's participants in joining order.
    pub async fn participants(&self, room_id: &str) -> Result<Vec<Participant>, StoreError> {
        let query = format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE room_id = $1 ORDER BY created_at, id"
        );
        Ok(sqlx::query_as(&query)
            .bind(room_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Grants or revokes drawing for one participant. Returns `false` when
    /// the room has no such participant.
    pub async fn set_participant_can_draw(
        &self,
        room_id: &str,
        participant_id: &str,
        allowed: bool,
    ) -> Result<bool, StoreError> {
        let result =
            sqlx::query("UPDATE participants SET can_draw = $1 WHERE id = $2 AND room_id = $3")
                .bind(i64::from(allowed))
                .bind(participant_id)
                .bind(room_id)
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected() > 0)
    }
}
