use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::{Store, StoreError};

/// Maximum number of rows per INSERT statement when appending updates.
/// Each row binds four values, so a statement stays under 999 parameters,
/// the default limit of SQLite before version 3.32.
const ROWS_PER_INSERT: usize = 200;

/// One room's updates to append, numbered from `first_seq`.
#[derive(Debug, Clone, Copy)]
pub struct BoardAppend<'a> {
    pub room_id: &'a str,
    pub first_seq: i64,
    pub updates: &'a [Vec<u8>],
}

/// A room's stored board: the last snapshot and the updates logged after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardLog {
    pub snapshot: Option<Vec<u8>>,
    /// Updates newer than the snapshot as (sequence number, v1 update), in order.
    pub updates: Vec<(i64, Vec<u8>)>,
    /// The highest sequence number stored, in the snapshot or the log; 0 for
    /// a new room.
    pub last_seq: i64,
}

impl Store {
    /// Loads a room's snapshot and the updates logged after it.
    pub async fn load_board(&self, room_id: &str) -> Result<BoardLog, StoreError> {
        let snapshot = sqlx::query("SELECT data, last_seq FROM board_snapshots WHERE room_id = $1")
            .bind(room_id)
            .fetch_optional(self.pool())
            .await?;
        let (snapshot, snapshot_seq) = match snapshot {
            Some(row) => (
                Some(row.try_get::<Vec<u8>, _>("data")?),
                row.try_get::<i64, _>("last_seq")?,
            ),
            None => (None, 0),
        };

        let rows = sqlx::query(
            "SELECT seq, data FROM board_updates WHERE room_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(room_id)
        .bind(snapshot_seq)
        .fetch_all(self.pool())
        .await?;

        let mut updates = Vec::with_capacity(rows.len());
        for row in rows {
            updates.push((
                row.try_get::<i64, _>("seq")?,
                row.try_get::<Vec<u8>, _>("data")?,
            ));
        }
        let last_seq = updates.last().map_or(snapshot_seq, |(seq, _)| *seq);

        Ok(BoardLog {
            snapshot,
            updates,
            last_seq,
        })
    }

    /// Appends updates numbered from `first_seq` in one transaction, so a
    /// batch is stored whole or not at all.
    pub async fn append_board_updates(
        &self,
        room_id: &str,
        first_seq: i64,
        updates: &[Vec<u8>],
        now: i64,
    ) -> Result<(), StoreError> {
        let append = BoardAppend {
            room_id,
            first_seq,
            updates,
        };
        self.append_board_updates_of_rooms(&[append], now).await
    }

    /// Appends the updates of several rooms in one transaction, so all of
    /// them are stored or none. With one commit for many rooms, a server
    /// with hundreds of active rooms keeps up on SQLite's single writer.
    pub async fn append_board_updates_of_rooms(
        &self,
        appends: &[BoardAppend<'_>],
        now: i64,
    ) -> Result<(), StoreError> {
        let rows: Vec<(&str, i64, &[u8])> = appends
            .iter()
            .flat_map(|append| {
                (append.first_seq..)
                    .zip(append.updates)
                    .map(|(seq, update)| (append.room_id, seq, update.as_slice()))
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }

        // One statement is atomic on its own, and skipping BEGIN and COMMIT
        // saves two round trips to SQLite's connection thread.
        if rows.len() <= ROWS_PER_INSERT {
            let sql = insert_updates_sql(rows.len());
            bind_rows(sqlx::query(&sql), &rows, now)
                .execute(self.pool())
                .await?;
            return Ok(());
        }

        let mut transaction = self.pool().begin().await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = insert_updates_sql(chunk.len());
            bind_rows(sqlx::query(&sql), chunk, now)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Replaces the snapshot with `snapshot`, which covers every update up
    /// to `last_seq`, and deletes those updates, in one transaction.
    pub async fn compact_board(
        &self,
        room_id: &str,
        snapshot: &[u8],
        last_seq: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut transaction = self.pool().begin().await?;

        sqlx::query(
            "INSERT INTO board_snapshots (room_id, data, last_seq, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (room_id) DO UPDATE SET data = excluded.data, last_seq = excluded.last_seq, \
             updated_at = excluded.updated_at",
        )
        .bind(room_id)
        .bind(snapshot)
        .bind(last_seq)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM board_updates WHERE room_id = $1 AND seq <= $2")
            .bind(room_id)
            .bind(last_seq)
            .execute(&mut *transaction)
            .await?;

        transaction.commit().await?;
        Ok(())
    }
}

/// Builds an `INSERT INTO board_updates` statement with `rows` rows of
/// numbered parameters, which both SQLite and PostgreSQL accept.
fn insert_updates_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * 4 + 1;
            format!(
                "(${}, ${}, ${}, ${})",
                first,
                first + 1,
                first + 2,
                first + 3
            )
        })
        .collect();
    format!(
        "INSERT INTO board_updates (room_id, seq, data, created_at) VALUES {}",
        values.join(", ")
    )
}

/// Binds the values of `rows`, in the order `insert_updates_sql` numbers them.
fn bind_rows<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    rows: &[(&'q str, i64, &'q [u8])],
    now: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    for &(room_id, seq, update) in rows {
        query = query.bind(room_id).bind(seq).bind(update).bind(now);
    }
    query
}
