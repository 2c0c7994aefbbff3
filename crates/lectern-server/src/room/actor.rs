//! The task that owns one room's board.
//!
//! Commands arrive on a bounded channel. The actor handles every command
//! already queued, stores the updates they produced in one transaction
//! (group commit), and only then delivers the frames, so no client ever sees
//! an update that a crash could lose.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use lectern_board::{Access, BoardError, BoardRoom, ConnectionId, Frame, Output};
use lectern_store::Store;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::presence::{PRESENCE_INTERVAL, PresenceThrottle};
use super::writer::BoardWriter;
use super::{RoomRegistry, close_code};
use crate::clock::now_millis;
use crate::registry::RoomActorKind;

/// Maximum number of commands handled before their updates are stored and delivered.
const MAX_BATCH: usize = 256;

/// A request to close one connection, with the WebSocket close code and reason.
#[derive(Debug, Clone)]
pub struct CloseSignal {
    pub code: u16,
    pub reason: String,
}

/// The actor's side of one connection: its outgoing queue and its closer.
#[derive(Debug)]
pub struct ConnectionLink {
    pub outbox: mpsc::Sender<Frame>,
    pub closer: oneshot::Sender<CloseSignal>,
}

/// Everything a connection brings when it joins.
#[derive(Debug)]
pub struct JoinRequest {
    pub connection: ConnectionId,
    pub participant_id: String,
    /// Whether the connection is a lecturer's, which keeps write access
    /// whatever the student permissions are.
    pub is_lecturer: bool,
    pub access: Access,
    pub link: ConnectionLink,
}

/// Whose write access a permission change affects.
#[derive(Debug, Clone)]
pub enum AccessTarget {
    Participant(String),
    AllStudents,
}

/// Drawing rights as stored in the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrawingRights {
    /// Whether students who join from now on may draw.
    pub students_can_draw: bool,
    /// Participant ids of the students who may draw.
    pub can_draw: BTreeSet<String>,
}

/// The commands a room actor handles.
#[derive(Debug)]
pub enum RoomCommand {
    Join {
        request: JoinRequest,
        joined: oneshot::Sender<()>,
    },
    Frame {
        connection: ConnectionId,
        bytes: Vec<u8>,
    },
    Leave {
        connection: ConnectionId,
    },
    /// Applies a permission change to open connections, with the rights
    /// that clients are shown, as stored after the change.
    SetAccess {
        target: AccessTarget,
        access: Access,
        rights: DrawingRights,
    },
    /// Starts or ends a board grant of the floor for a student, with the
    /// drawing right the floor decided (`FloorEvent::DrawingChanged`).
    /// While the grant lasts the student may draw whatever their stored
    /// permission is. The grant is not stored, so a restart ends it.
    /// Replies once applied.
    SetBoardGrant {
        participant_id: String,
        on_board: bool,
        can_draw: bool,
        done: oneshot::Sender<()>,
    },
    /// Replies whether the floor has called the student to the board, so
    /// that they may draw whatever their stored permission is.
    HasBoardGrant {
        participant_id: String,
        reply: oneshot::Sender<bool>,
    },
    /// Encodes the whole board as one v1 update.
    Export {
        reply: oneshot::Sender<Vec<u8>>,
    },
    /// Merges an update into the board; replies once it is stored.
    Import {
        update: Vec<u8>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Closes every connection and unloads the room.
    Close {
        code: u16,
        reason: String,
        done: oneshot::Sender<()>,
    },
}

struct Member {
    participant_id: String,
    is_lecturer: bool,
    outbox: mpsc::Sender<Frame>,
    closer: Option<oneshot::Sender<CloseSignal>>,
}

/// Settings an actor needs from the server configuration.
#[derive(Debug, Clone)]
pub struct ActorSettings {
    pub idle_timeout: Duration,
    pub compact_after_updates: u64,
    /// Stores the updates of every room, several rooms per transaction.
    pub writer: BoardWriter,
}

/// The kind of the board's room actor, for the [`RoomRegistry`].
#[derive(Debug)]
pub struct BoardActor;

impl RoomActorKind for BoardActor {
    type Command = RoomCommand;
    type Settings = ActorSettings;

    fn spawn(
        room_id: Arc<str>,
        generation: u64,
        commands: mpsc::Receiver<RoomCommand>,
        store: Store,
        registry: Arc<RoomRegistry>,
        settings: ActorSettings,
    ) {
        RoomActor::spawn(room_id, generation, commands, store, registry, settings);
    }
}

pub(crate) struct RoomActor {
    room_id: Arc<str>,
    generation: u64,
    board: BoardRoom,
    members: HashMap<ConnectionId, Member>,
    commands: mpsc::Receiver<RoomCommand>,
    store: Store,
    registry: Arc<RoomRegistry>,
    settings: ActorSettings,
    /// The sequence number of the last stored update.
    last_seq: i64,
    updates_since_snapshot: u64,
    /// Replies to imports, sent once the batch that holds them is stored.
    pending_imports: Vec<oneshot::Sender<Result<(), String>>>,
    rights: DrawingRights,
    /// Open board connections per participant id.
    online: BTreeMap<String, usize>,
    /// Whether rights or presence changed since the server state was last
    /// published.
    presence_changed: bool,
    /// Whether drawing rights changed since then, which is published without
    /// waiting for `presence_throttle`.
    rights_changed: bool,
    presence_throttle: PresenceThrottle,
    /// Students the floor called to the board. They may draw whatever
    /// `rights` contains, and the room stays loaded while any grant lasts, so
    /// that a board connection opened later still gets write access.
    board_grants: BTreeSet<String>,
}

/// Reason the actor stops.
enum Stop {
    Idle,
    Closed(oneshot::Sender<()>),
    Failed,
}

impl RoomActor {
    /// Loads the room's board and runs the actor until the room unloads.
    pub(crate) fn spawn(
        room_id: Arc<str>,
        generation: u64,
        commands: mpsc::Receiver<RoomCommand>,
        store: Store,
        registry: Arc<RoomRegistry>,
        settings: ActorSettings,
    ) {
        // A root span: the connection that loaded the room is not its parent.
        let span = info_span!(parent: None, "room", room = %room_id);
        tokio::spawn(
            async move {
                let log = match store.load_board(&room_id).await {
                    Ok(log) => log,
                    Err(error) => {
                        error!(%error, "cannot load the board; the room stays unloaded");
                        registry.forget(&room_id, generation);
                        return;
                    }
                };
                let updates = log.updates.iter().map(|(_, update)| update.as_slice());
                let board = match BoardRoom::load(log.snapshot.as_deref(), updates) {
                    Ok(board) => board,
                    Err(error) => {
                        error!(%error, "stored board does not decode; the room stays unloaded");
                        registry.forget(&room_id, generation);
                        return;
                    }
                };
                let rights = match load_rights(&store, &room_id).await {
                    Ok(rights) => rights,
                    Err(error) => {
                        error!(%error, "cannot load drawing rights; the room stays unloaded");
                        registry.forget(&room_id, generation);
                        return;
                    }
                };
                info!(
                    updates = log.updates.len(),
                    last_seq = log.last_seq,
                    "room loaded"
                );

                let actor = RoomActor {
                    room_id,
                    generation,
                    board,
                    members: HashMap::new(),
                    commands,
                    store,
                    registry,
                    settings,
                    last_seq: log.last_seq,
                    updates_since_snapshot: log.updates.len() as u64,
                    pending_imports: Vec::new(),
                    rights,
                    online: BTreeMap::new(),
                    presence_changed: true,
                    rights_changed: false,
                    presence_throttle: PresenceThrottle::new(PRESENCE_INTERVAL),
                    board_grants: BTreeSet::new(),
                };
                actor.run().await;
            }
            .instrument(span),
        );
    }

    async fn run(mut self) {
        let stop = loop {
            let command = if self.members.is_empty() {
                let deadline = Instant::now() + self.settings.idle_timeout;
                match tokio::time::timeout_at(deadline, self.commands.recv()).await {
                    Ok(command) => command,
                    Err(_) => {
                        if self.try_unload_idle().await {
                            break Stop::Idle;
                        }
                        continue;
                    }
                }
            } else if let Some(deadline) = self.presence_throttle.deadline() {
                tokio::select! {
                    command = self.commands.recv() => command,
                    () = tokio::time::sleep_until(Instant::from_std(deadline)) => {
                        if !self.flush().await {
                            break Stop::Failed;
                        }
                        continue;
                    }
                }
            } else {
                self.commands.recv().await
            };
            let Some(command) = command else {
                break Stop::Idle;
            };

            let mut stop = self.handle(command);
            let mut handled = 1;
            while stop.is_none() && handled < MAX_BATCH {
                let Ok(command) = self.commands.try_recv() else {
                    break;
                };
                stop = self.handle(command);
                handled += 1;
            }

            if !self.flush().await {
                break Stop::Failed;
            }
            if let Some(stop) = stop {
                break stop;
            }
            self.compact_if_due().await;
        };

        match stop {
            Stop::Idle => info!("room unloaded"),
            Stop::Closed(done) => {
                self.compact().await;
                self.registry.forget(&self.room_id, self.generation);
                info!("room closed and unloaded");
                let _ = done.send(());
            }
            Stop::Failed => {
                self.close_all(
                    close_code::INTERNAL_ERROR,
                    "the server failed to store the board; reconnect",
                );
                self.registry.forget(&self.room_id, self.generation);
                warn!("room unloaded after a failure; the next join reloads it from storage");
            }
        }
    }

    fn handle(&mut self, command: RoomCommand) -> Option<Stop> {
        match command {
            RoomCommand::Join { request, joined } => {
                self.join(request);
                let _ = joined.send(());
            }
            RoomCommand::Frame { connection, bytes } => self.receive(connection, &bytes),
            RoomCommand::Leave { connection } => {
                if let Some(member) = self.members.remove(&connection) {
                    info!(%connection, participant = %member.participant_id, "left the board");
                    self.mark_offline(&member.participant_id);
                }
                self.board.disconnect(connection);
            }
            RoomCommand::SetAccess {
                target,
                access,
                rights,
            } => {
                self.set_access(&target, access);
                self.rights = rights;
                self.presence_changed = true;
                self.rights_changed = true;
            }
            RoomCommand::SetBoardGrant {
                participant_id,
                on_board,
                can_draw,
                done,
            } => {
                self.set_board_grant(participant_id, on_board, can_draw);
                let _ = done.send(());
            }
            RoomCommand::HasBoardGrant {
                participant_id,
                reply,
            } => {
                let _ = reply.send(self.board_grants.contains(&participant_id));
            }
            RoomCommand::Export { reply } => {
                let _ = reply.send(self.board.encode_state());
            }
            RoomCommand::Import { update, reply } => match self.board.apply_update(&update) {
                Ok(()) => self.pending_imports.push(reply),
                Err(error) => {
                    let _ = reply.send(Err(error.to_string()));
                    if self.board.is_poisoned() {
                        return Some(Stop::Failed);
                    }
                }
            },
            RoomCommand::Close { code, reason, done } => {
                self.close_all(code, &reason);
                return Some(Stop::Closed(done));
            }
        }
        None
    }

    fn join(&mut self, request: JoinRequest) {
        let JoinRequest {
            connection,
            participant_id,
            is_lecturer,
            access,
            link,
        } = request;
        *self.online.entry(participant_id.clone()).or_default() += 1;
        if !is_lecturer && access == Access::ReadWrite {
            self.rights.can_draw.insert(participant_id.clone());
        }
        self.presence_changed = true;
        let access = if !is_lecturer && self.board_grants.contains(&participant_id) {
            Access::ReadWrite
        } else {
            access
        };
        info!(%connection, participant = %participant_id, ?access, "joined the board");

        self.members.insert(
            connection,
            Member {
                participant_id,
                is_lecturer,
                outbox: link.outbox,
                closer: Some(link.closer),
            },
        );
        self.board.connect(connection, access);
    }

    fn receive(&mut self, connection: ConnectionId, bytes: &[u8]) {
        let Some(member) = self.members.get(&connection) else {
            return;
        };
        let participant = member.participant_id.clone();
        let refused_before = self.board.refused_edits();

        match self.board.receive(connection, bytes) {
            Ok(()) => {}
            Err(BoardError::DocumentPoisoned) => {
                error!(%connection, %participant, "an update broke the document; reloading the room from storage");
                self.close(
                    connection,
                    close_code::INTERNAL_ERROR,
                    "the update could not be integrated",
                );
            }
            Err(error) => {
                warn!(%connection, %participant, %error, "closing connection after a protocol error");
                self.close(connection, close_code::PROTOCOL_ERROR, &error.to_string());
            }
        }

        if self.board.refused_edits() > refused_before {
            warn!(%connection, %participant, "edit refused: the participant may not draw");
        }
    }

    fn set_access(&mut self, target: &AccessTarget, access: Access) {
        let targets: Vec<ConnectionId> = self
            .members
            .iter()
            .filter(|(_, member)| !member.is_lecturer)
            // A board grant of the floor outlasts a permission change; the
            // floor sends the access to apply when the grant ends.
            .filter(|(_, member)| !self.board_grants.contains(&member.participant_id))
            .filter(|(_, member)| match target {
                AccessTarget::AllStudents => true,
                AccessTarget::Participant(id) => &member.participant_id == id,
            })
            .map(|(&connection, _)| connection)
            .collect();

        for connection in targets {
            self.board.set_access(connection, access);
            info!(%connection, ?access, "board access changed");
        }
    }

    fn set_board_grant(&mut self, participant_id: String, on_board: bool, can_draw: bool) {
        let access = if on_board || can_draw {
            Access::ReadWrite
        } else {
            Access::ReadOnly
        };
        let connections: Vec<ConnectionId> = self
            .members
            .iter()
            .filter(|(_, member)| !member.is_lecturer && member.participant_id == participant_id)
            .map(|(&connection, _)| connection)
            .collect();
        for &connection in &connections {
            self.board.set_access(connection, access);
        }
        info!(participant = %participant_id, on_board, ?access, connections = connections.len(), "board grant changed");

        if on_board {
            self.board_grants.insert(participant_id);
        } else {
            // `can_draw` is the student's own permission once the grant ends.
            if can_draw {
                self.rights.can_draw.insert(participant_id.clone());
            } else {
                self.rights.can_draw.remove(&participant_id);
            }
            self.board_grants.remove(&participant_id);
        }
        self.presence_changed = true;
        self.rights_changed = true;
    }

    fn mark_offline(&mut self, participant_id: &str) {
        if let Some(count) = self.online.get_mut(participant_id) {
            *count -= 1;
            if *count == 0 {
                self.online.remove(participant_id);
            }
        }
        self.presence_changed = true;
    }

    /// Publishes drawing rights and who is online as the server's awareness
    /// state, which the browser reads to enable drawing and list people.
    /// A change of rights goes out at once; joins and leaves wait for the
    /// presence throttle.
    // NOTE: each publication still carries the whole online list, about 19
    // KiB for 500 students. Sending only who joined and left would need a
    // message the browser merges.
    fn publish_presence(&mut self) {
        if !self.presence_changed {
            return;
        }
        let now = Instant::now().into_std();
        if self.rights_changed {
            self.presence_throttle.published(now);
        } else if !self.presence_throttle.try_publish(now) {
            return;
        }
        self.presence_changed = false;
        self.rights_changed = false;

        let can_draw: BTreeSet<&String> = self
            .rights
            .can_draw
            .iter()
            .chain(&self.board_grants)
            .collect();
        let state = serde_json::json!({
            "lectern": {
                "v": 1,
                "studentsCanDraw": self.rights.students_can_draw,
                "canDraw": can_draw,
                "online": self.online.keys().collect::<Vec<_>>(),
            }
        });
        self.board.set_server_state(state.to_string());
    }

    /// Stores the updates of the batch, then delivers its frames. Returns
    /// `false` when storing failed and the room must unload.
    async fn flush(&mut self) -> bool {
        if self.board.is_poisoned() {
            return false;
        }
        self.publish_presence();

        loop {
            let outputs: Vec<Output> = std::iter::from_fn(|| self.board.poll_output()).collect();
            if outputs.is_empty() {
                break;
            }

            let mut updates = Vec::new();
            let mut deliveries = Vec::with_capacity(outputs.len());
            for output in outputs {
                match output {
                    Output::Persist { update } => updates.push(update),
                    delivery => deliveries.push(delivery),
                }
            }
            if !updates.is_empty() && !self.persist(updates).await {
                for reply in self.pending_imports.drain(..) {
                    let _ = reply.send(Err("storing the update failed".to_owned()));
                }
                return false;
            }

            for output in deliveries {
                self.deliver(output);
            }
        }

        for reply in self.pending_imports.drain(..) {
            let _ = reply.send(Ok(()));
        }
        true
    }

    async fn persist(&mut self, updates: Vec<Vec<u8>>) -> bool {
        let first_seq = self.last_seq + 1;
        let count = updates.len();
        match self
            .settings
            .writer
            .append(self.room_id.clone(), first_seq, updates)
            .await
        {
            Ok(()) => {
                self.last_seq += count as i64;
                self.updates_since_snapshot += count as u64;
                true
            }
            Err(error) => {
                error!(%error, count, "storing board updates failed");
                false
            }
        }
    }

    fn deliver(&mut self, output: Output) {
        match output {
            Output::Persist { .. } => {}
            Output::Send { to, frame } => self.send(to, frame),
            Output::Broadcast { except, frame } => {
                let recipients: Vec<ConnectionId> = self
                    .members
                    .keys()
                    .copied()
                    .filter(|&connection| Some(connection) != except)
                    .collect();
                for connection in recipients {
                    self.send(connection, frame.clone());
                }
            }
        }
    }

    /// Queues a frame for one connection. A full queue means the client
    /// cannot keep up. Skipping the frame would leave its board silently
    /// wrong, so the client is disconnected and resyncs when it reconnects.
    fn send(&mut self, connection: ConnectionId, frame: Frame) {
        let Some(member) = self.members.get(&connection) else {
            return;
        };
        match member.outbox.try_send(frame) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!(%connection, participant = %member.participant_id, "client too slow; disconnecting");
                self.close(
                    connection,
                    close_code::TRY_AGAIN_LATER,
                    "client too slow to keep up; reconnect to resync",
                );
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                // The connection task ended; its Leave command is on the way.
            }
        }
    }

    /// Closes one connection and removes it from the board at once.
    fn close(&mut self, connection: ConnectionId, code: u16, reason: &str) {
        if let Some(mut member) = self.members.remove(&connection) {
            self.mark_offline(&member.participant_id);
            if let Some(closer) = member.closer.take() {
                let _ = closer.send(CloseSignal {
                    code,
                    reason: reason.to_owned(),
                });
            }
        }
        self.board.disconnect(connection);
    }

    fn close_all(&mut self, code: u16, reason: &str) {
        let connections: Vec<ConnectionId> = self.members.keys().copied().collect();
        for connection in connections {
            self.close(connection, code, reason);
        }
        // The removals the closes queued have no one left to go to.
        while self.board.poll_output().is_some() {}
    }

    async fn compact_if_due(&mut self) {
        if self.updates_since_snapshot >= self.settings.compact_after_updates {
            self.compact().await;
        }
    }

    async fn compact(&mut self) {
        if self.updates_since_snapshot == 0 {
            return;
        }
        let snapshot = self.board.encode_state();
        match self
            .store
            .compact_board(&self.room_id, &snapshot, self.last_seq, now_millis())
            .await
        {
            Ok(()) => {
                debug!(
                    bytes = snapshot.len(),
                    last_seq = self.last_seq,
                    "board compacted"
                );
                self.updates_since_snapshot = 0;
            }
            // The log still contains every update, so nothing is lost.
            Err(error) => error!(%error, "compacting the board failed"),
        }
    }

    /// Compacts and leaves the registry unless a command arrived meanwhile
    /// or a board grant lasts.
    async fn try_unload_idle(&mut self) -> bool {
        self.compact().await;
        if !self.board_grants.is_empty() {
            return false;
        }
        self.registry
            .remove(&self.room_id, self.generation, &self.commands)
    }
}

/// Reads the room's drawing rights from storage.
pub(crate) async fn load_rights(
    store: &Store,
    room_id: &str,
) -> Result<DrawingRights, lectern_store::StoreError> {
    let students_can_draw = store
        .room_by_id(room_id)
        .await?
        .is_some_and(|room| room.students_can_draw != 0);
    let can_draw = store
        .participants(room_id)
        .await?
        .into_iter()
        .filter(|participant| participant.can_draw != 0)
        .map(|participant| participant.id)
        .collect();
    Ok(DrawingRights {
        students_can_draw,
        can_draw,
    })
}
