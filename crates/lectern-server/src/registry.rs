//! The map from room id to the running actor of each loaded room, generic
//! over the kind of actor: the board's room actor and the class actor each
//! have a registry of their own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lectern_store::Store;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};

/// A kind of per-room actor that a [`Registry`] starts on demand.
pub trait RoomActorKind: Sized + Send + Sync + 'static {
    /// The commands the actor handles.
    type Command: Send + 'static;
    /// Settings every actor of this kind gets.
    type Settings: Clone + Send + Sync + std::fmt::Debug + 'static;

    /// Starts the actor of room `room_id` as a task. The actor must call
    /// [`Registry::remove`] or [`Registry::forget`] with `generation` when
    /// it stops.
    fn spawn(
        room_id: Arc<str>,
        generation: u64,
        commands: mpsc::Receiver<Self::Command>,
        store: Store,
        registry: Arc<Registry<Self>>,
        settings: Self::Settings,
    );
}

/// Commands queued for one room before senders wait.
const COMMAND_QUEUE: usize = 1024;

/// How often a command is retried when it reached an actor that was just
/// unloading.
const ATTEMPTS: usize = 3;

/// The room could not be reached, for example because its board or quiz run
/// failed to load.
#[derive(Debug, Error)]
#[error("room is unavailable; its state could not be loaded from storage, try again")]
pub struct RoomUnavailable;

struct Handle<K: RoomActorKind> {
    commands: mpsc::Sender<K::Command>,
    generation: u64,
}

impl<K: RoomActorKind> Clone for Handle<K> {
    fn clone(&self) -> Self {
        Self {
            commands: self.commands.clone(),
            generation: self.generation,
        }
    }
}

/// Registry that starts room actors on demand and drops their entries when they unload.
pub struct Registry<K: RoomActorKind> {
    rooms: Mutex<HashMap<Arc<str>, Handle<K>>>,
    next_generation: AtomicU64,
    store: Store,
    settings: K::Settings,
}

impl<K: RoomActorKind> std::fmt::Debug for Registry<K> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Registry")
            .field("loaded", &self.lock().len())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<K: RoomActorKind> Registry<K> {
    pub fn new(store: Store, settings: K::Settings) -> Arc<Self> {
        Arc::new(Self {
            rooms: Mutex::new(HashMap::new()),
            next_generation: AtomicU64::new(1),
            store,
            settings,
        })
    }

    /// Sends a command that carries a reply channel, loading the room if
    /// needed, and waits for the reply. `make` builds the command around the
    /// reply sender; it is called again if the actor unloaded before
    /// replying.
    pub async fn request<T>(
        self: &Arc<Self>,
        room_id: &str,
        mut make: impl FnMut(oneshot::Sender<T>) -> K::Command,
    ) -> Result<(T, mpsc::Sender<K::Command>), RoomUnavailable> {
        for _ in 0..ATTEMPTS {
            let (reply, answer) = oneshot::channel();
            let commands = self.handle(room_id).commands;
            if commands.send(make(reply)).await.is_err() {
                continue;
            }
            if let Ok(value) = answer.await {
                return Ok((value, commands));
            }
        }
        Err(RoomUnavailable)
    }

    /// Sends a command to a room only if it is loaded; a room that is not
    /// loaded has no connections to tell.
    pub async fn send_if_loaded(&self, room_id: &str, command: K::Command) {
        let commands = self
            .lock()
            .get(room_id)
            .map(|handle| handle.commands.clone());
        if let Some(commands) = commands {
            let _ = commands.send(command).await;
        }
    }

    /// Sends a command that carries a reply channel only if the room is
    /// loaded, and waits for the reply. Returns `None` when the room is not
    /// loaded, or when its actor stopped before replying.
    pub async fn request_if_loaded<T>(
        &self,
        room_id: &str,
        make: impl FnOnce(oneshot::Sender<T>) -> K::Command,
    ) -> Option<T> {
        let commands = self
            .lock()
            .get(room_id)
            .map(|handle| handle.commands.clone())?;
        let (reply, answer) = oneshot::channel();
        commands.send(make(reply)).await.ok()?;
        answer.await.ok()
    }

    /// Returns the ids of the loaded rooms.
    pub fn loaded(&self) -> Vec<Arc<str>> {
        self.lock().keys().cloned().collect()
    }

    fn handle(self: &Arc<Self>, room_id: &str) -> Handle<K> {
        let mut rooms = self.lock();
        if let Some(handle) = rooms.get(room_id)
            && !handle.commands.is_closed()
        {
            return handle.clone();
        }

        let (commands, receiver) = mpsc::channel(COMMAND_QUEUE);
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        let room_id: Arc<str> = room_id.into();
        let handle = Handle {
            commands,
            generation,
        };
        rooms.insert(room_id.clone(), handle.clone());
        drop(rooms);

        K::spawn(
            room_id,
            generation,
            receiver,
            self.store.clone(),
            Arc::clone(self),
            self.settings.clone(),
        );
        handle
    }

    /// Removes an actor's entry if no command is waiting for it. Returns
    /// whether the actor may stop. A command sent after this check fails and
    /// is retried against a fresh actor.
    pub(crate) fn remove(
        &self,
        room_id: &str,
        generation: u64,
        commands: &mpsc::Receiver<K::Command>,
    ) -> bool {
        let mut rooms = self.lock();
        if !commands.is_empty() {
            return false;
        }
        if rooms
            .get(room_id)
            .is_some_and(|handle| handle.generation == generation)
        {
            rooms.remove(room_id);
        }
        true
    }

    /// Removes an actor's entry even though commands may be queued, for an
    /// actor that closed or failed. The queued commands are dropped, which
    /// their senders see as a closed channel.
    pub(crate) fn forget(&self, room_id: &str, generation: u64) {
        let mut rooms = self.lock();
        if rooms
            .get(room_id)
            .is_some_and(|handle| handle.generation == generation)
        {
            rooms.remove(room_id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Handle<K>>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}
