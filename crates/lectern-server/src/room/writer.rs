//! Group commit of board updates across rooms.
//!
//! Every room actor stores its updates before it delivers them. With one
//! transaction per room, hundreds of active rooms queue hundreds of commits
//! per second on SQLite's single writer, and every room waits its turn.
//! The writer task takes every append waiting on its channel and stores
//! them in one transaction, so the commit rate follows the database's speed
//! rather than the number of rooms.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use lectern_store::{BoardAppend, Store, StoreError};
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use crate::clock::now_millis;

/// Capacity of the writer's queue. When it is full, room actors wait to send.
const QUEUE_LENGTH: usize = 1024;

/// Maximum number of updates in one transaction. A batch stops growing
/// once it contains this many.
const MAX_BATCH_UPDATES: usize = 4096;

/// Error of an append that was not stored.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the board writer has stopped")]
    WriterStopped,
}

/// One room's updates waiting to be stored, with the channel that returns
/// the outcome to the room's actor.
struct Append {
    room_id: Arc<str>,
    first_seq: i64,
    updates: Vec<Vec<u8>>,
    stored: oneshot::Sender<Result<(), StoreError>>,
}

/// Handle through which room actors store their updates.
#[derive(Debug, Clone)]
pub struct BoardWriter {
    appends: mpsc::Sender<Append>,
}

/// Totals of what the writer stored, logged when it stops.
#[derive(Debug, Default)]
struct WriterCounts {
    batches: AtomicU64,
    appends: AtomicU64,
}

impl BoardWriter {
    /// Starts the writer task. It ends when the last handle is dropped.
    pub fn spawn(store: Store) -> Self {
        Self::spawn_counted(store).0
    }

    /// Starts the writer task and also returns the counters it updates.
    fn spawn_counted(store: Store) -> (Self, Arc<WriterCounts>) {
        let (appends, receiver) = mpsc::channel(QUEUE_LENGTH);
        let counts = Arc::new(WriterCounts::default());
        tokio::spawn(run(store, receiver, Arc::clone(&counts)));
        (Self { appends }, counts)
    }

    /// Stores `updates`, numbered from `first_seq`, and returns once they
    /// are committed. Appends of other rooms waiting at the same time share
    /// the transaction.
    pub async fn append(
        &self,
        room_id: Arc<str>,
        first_seq: i64,
        updates: Vec<Vec<u8>>,
    ) -> Result<(), AppendError> {
        let (stored, outcome) = oneshot::channel();
        let append = Append {
            room_id,
            first_seq,
            updates,
            stored,
        };
        self.appends
            .send(append)
            .await
            .map_err(|_| AppendError::WriterStopped)?;
        let outcome = outcome.await.map_err(|_| AppendError::WriterStopped)?;
        Ok(outcome?)
    }
}

impl std::fmt::Debug for Append {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Append")
            .field("room_id", &self.room_id)
            .field("first_seq", &self.first_seq)
            .field("updates", &self.updates.len())
            .finish_non_exhaustive()
    }
}

async fn run(store: Store, mut receiver: mpsc::Receiver<Append>, counts: Arc<WriterCounts>) {
    while let Some(first) = receiver.recv().await {
        // The first append woke this task. Yielding lets the room actors
        // already queued on this worker run first, so their appends join
        // this batch instead of each waiting for a statement of its own.
        tokio::task::yield_now().await;
        let batch = take_batch(first, &mut receiver);

        counts.batches.fetch_add(1, Ordering::Relaxed);
        counts
            .appends
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        store_batch(&store, batch).await;
    }

    info!(
        batches = counts.batches.load(Ordering::Relaxed),
        appends = counts.appends.load(Ordering::Relaxed),
        "board writer stopped"
    );
}

/// Takes the appends already waiting behind `first`, up to the batch limit.
fn take_batch(first: Append, receiver: &mut mpsc::Receiver<Append>) -> Vec<Append> {
    let mut updates = first.updates.len();
    let mut batch = vec![first];
    while updates < MAX_BATCH_UPDATES {
        let Ok(append) = receiver.try_recv() else {
            break;
        };
        updates += append.updates.len();
        batch.push(append);
    }
    batch
}

/// Stores a batch in one transaction. If that fails, each append is tried
/// on its own, so one room's failure (for example a sequence number that
/// clashes after a reload) does not fail the other rooms of the batch.
async fn store_batch(store: &Store, batch: Vec<Append>) {
    let now = now_millis();
    let outcome = {
        let appends: Vec<BoardAppend<'_>> = batch.iter().map(board_append).collect();
        store.append_board_updates_of_rooms(&appends, now).await
    };

    let error = match outcome {
        Ok(()) => {
            for append in batch {
                let _ = append.stored.send(Ok(()));
            }
            return;
        }
        Err(error) => error,
    };

    // Each room's actor logs its own failure with the room's span.
    let mut batch = batch;
    if batch.len() == 1 {
        let append = batch.remove(0);
        let _ = append.stored.send(Err(error));
        return;
    }
    let rooms: Vec<&str> = batch.iter().map(|append| &*append.room_id).collect();
    warn!(%error, ?rooms, "storing a batch of rooms' board updates failed; retrying each room alone");
    for append in batch {
        let outcome = store
            .append_board_updates_of_rooms(&[board_append(&append)], now)
            .await;
        let _ = append.stored.send(outcome);
    }
}

fn board_append(append: &Append) -> BoardAppend<'_> {
    BoardAppend {
        room_id: &append.room_id,
        first_seq: append.first_seq,
        updates: &append.updates,
    }
}

#[cfg(test)]
mod tests {
    use lectern_store::{NewRoom, NewUser};

    use super::*;

    async fn store_with_rooms(dir: &std::path::Path, rooms: &[&str]) -> Store {
        let url = format!("sqlite://{}?mode=rwc", dir.join("lectern.db").display());
        let store = Store::connect(&url).await.expect("SQLite store");
        store
            .create_user(&NewUser {
                id: "u1",
                email: "ada@example.org",
                name: "Ada Lovelace",
                role: "lecturer",
                password_hash: "$argon2id$not-a-real-hash",
                created_at: 1,
            })
            .await
            .expect("create user");
        for (index, &id) in rooms.iter().enumerate() {
            store
                .create_room(&NewRoom {
                    id,
                    code: &format!("code{index:04}"),
                    title: "Calculus",
                    owner_id: "u1",
                    created_at: 2,
                })
                .await
                .expect("create room");
        }
        store
    }

    #[tokio::test]
    async fn batch_clash_fails_only_its_room() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = store_with_rooms(dir.path(), &["r1", "r2", "r3"]).await;
        store
            .append_board_updates("r2", 1, &[vec![1]], 1)
            .await
            .expect("first update of r2");
        let writer = BoardWriter::spawn(store.clone());

        // On the test's single-threaded runtime all three are queued before
        // the writer task runs, so they share one batch.
        let (first, clash, third) = tokio::join!(
            writer.append("r1".into(), 1, vec![vec![10]]),
            writer.append("r2".into(), 1, vec![vec![20]]),
            writer.append("r3".into(), 1, vec![vec![30], vec![31]]),
        );

        first.expect("r1 stored");
        assert!(
            matches!(clash, Err(AppendError::Store(_))),
            "r2's sequence number 1 is taken: {clash:?}"
        );
        third.expect("r3 stored");
        let updates = |log: lectern_store::BoardLog| log.updates;
        assert_eq!(
            updates(store.load_board("r1").await.expect("load")),
            [(1, vec![10])]
        );
        assert_eq!(
            updates(store.load_board("r2").await.expect("load")),
            [(1, vec![1])]
        );
        assert_eq!(
            updates(store.load_board("r3").await.expect("load")),
            [(1, vec![30]), (2, vec![31])]
        );
    }

    #[tokio::test]
    async fn append_queued_behind_writer_joins_batch() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = store_with_rooms(dir.path(), &["r1", "r2"]).await;
        let (writer, counts) = BoardWriter::spawn_counted(store.clone());

        // On the test's single-threaded runtime the first append wakes the
        // writer, and the task spawned after it runs only after the writer
        // has started its turn.
        let first = writer.append("r1".into(), 1, vec![vec![10]]);
        tokio::pin!(first);
        assert!(
            futures_util::poll!(first.as_mut()).is_pending(),
            "the append waits for the writer"
        );
        let second = tokio::spawn({
            let writer = writer.clone();
            async move { writer.append("r2".into(), 1, vec![vec![20]]).await }
        });

        first.await.expect("r1 stored");
        second
            .await
            .expect("second append task")
            .expect("r2 stored");
        assert_eq!(counts.batches.load(Ordering::Relaxed), 1);
        assert_eq!(counts.appends.load(Ordering::Relaxed), 2);
        assert_eq!(
            store.load_board("r1").await.expect("load").updates,
            [(1, vec![10])]
        );
        assert_eq!(
            store.load_board("r2").await.expect("load").updates,
            [(1, vec![20])]
        );
    }

    #[tokio::test]
    async fn batch_stops_at_update_limit() {
        let (sender, mut receiver) = mpsc::channel(8);
        for room in ["r1", "r2", "r3"] {
            let (stored, _outcome) = oneshot::channel();
            let append = Append {
                room_id: room.into(),
                first_seq: 1,
                updates: vec![Vec::new(); MAX_BATCH_UPDATES / 2],
                stored,
            };
            sender.send(append).await.expect("queued");
        }

        let first = receiver.recv().await.expect("first append");
        let batch = take_batch(first, &mut receiver);
        let rooms: Vec<&str> = batch.iter().map(|append| &*append.room_id).collect();
        assert_eq!(rooms, ["r1", "r2"]);
        let next = receiver.recv().await.expect("the third waits");
        assert_eq!(&*next.room_id, "r3");
    }
}
