use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// A lecture room.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Room {
    pub id: String,
    pub code: String,
    pub title: String,
    pub owner_id: String,
    /// 1 when students who join are allowed to draw.
    pub students_can_draw: i64,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

impl Room {
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }
}

/// The fields of a room to create.
#[derive(Debug, Clone)]
pub struct NewRoom<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub title: &'a str,
    pub owner_id: &'a str,
    pub created_at: i64,
}

const ROOM_COLUMNS: &str = "id, code, title, owner_id, students_can_draw, created_at, closed_at";

impl Store {
    /// Creates a room; a code already taken is [`StoreError::Conflict`], so
    /// the caller can draw another.
    pub async fn create_room(&self, new: &NewRoom<'_>) -> Result<Room, StoreError> {
        sqlx::query(
            "INSERT INTO rooms (id, code, title, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.id)
        .bind(new.code)
        .bind(new.title)
        .bind(new.owner_id)
        .bind(new.created_at)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "a room with this code"))?;

        Ok(Room {
            id: new.id.to_owned(),
            code: new.code.to_owned(),
            title: new.title.to_owned(),
            owner_id: new.owner_id.to_owned(),
            students_can_draw: 0,
            created_at: new.created_at,
            closed_at: None,
        })
    }

    pub async fn room_by_code(&self, code: &str) -> Result<Option<Room>, StoreError> {
        let query = format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE code = $1");
        Ok(sqlx::query_as(&query)
            .bind(code)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn room_by_id(&self, id: &str) -> Result<Option<Room>, StoreError> {
        let query = format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1");
        Ok(sqlx::query_as(&query)
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Lists a user's rooms, newest first.
    pub async fn rooms_by_owner(&self, owner_id: &str) -> Result<Vec<Room>, StoreError> {
        let query = format!(
            "SELECT {ROOM_COLUMNS} FROM rooms WHERE owner_id = $1 ORDER BY created_at DESC, id"
        );
        Ok(sqlx::query_as(&query)
            .bind(owner_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Marks a room closed; closing it again keeps the first time.
    pub async fn close_room(&self, room_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE rooms SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
            .bind(now)
            .bind(room_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Grants or revokes drawing for every student of a room, present and
    /// future, in one transaction.
    pub async fn set_students_can_draw(
        &self,
        room_id: &str,
        allowed: bool,
    ) -> Result<(), StoreError> {
        let flag = i64::from(allowed);
        let mut transaction = self.pool().begin().await?;

        sqlx::query("UPDATE rooms SET students_can_draw = $1 WHERE id = $2")
            .bind(flag)
            .bind(room_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("UPDATE participants SET can_draw = $1 WHERE room_id = $2")
            .bind(flag)
            .bind(room_id)
            .execute(&mut *transaction)
            .await?;

        transaction.commit().await?;
        Ok(())
    }
}
