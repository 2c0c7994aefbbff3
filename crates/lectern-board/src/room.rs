//! The board of one room, driven by inputs and polled for outputs.
//!
//! [`BoardRoom`] owns the Yrs document, the awareness states and the access
//! level of every connection. The server feeds it frames and connection
//! events and delivers what [`BoardRoom::poll_output`] returns. It never
//! touches a socket or a clock, so every protocol rule is tested in-process.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use thiserror::Error;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, IdSet, ReadTxn, StateVector, Transact, Update};

use crate::awareness::{AwarenessError, AwarenessStates};
use crate::protocol::{Message, ProtocolError, decode_frame, encode};

/// Identifies one WebSocket connection within the server process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "c{}", self.0)
    }
}

/// Access level of a connection to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Receives the board and sends awareness, but its edits are refused.
    ReadOnly,
    /// Edits the board.
    ReadWrite,
}

/// The reason sent with the auth permission-denied message.
pub const READ_ONLY_REASON: &str = "read-only: the lecturer has not allowed you to draw";

/// An encoded frame, shared by every connection it goes to.
pub type Frame = Arc<[u8]>;

/// Work for the driver, in the order it must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Stores an accepted update. Frames polled after it may reveal the
    /// update, so the driver stores it before delivering them.
    Persist { update: Vec<u8> },
    /// Sends a frame to one connection.
    Send { to: ConnectionId, frame: Frame },
    /// Sends a frame to every connection except `except`.
    Broadcast {
        except: Option<ConnectionId>,
        frame: Frame,
    },
}

/// Reason a frame was rejected. The driver closes the connection with this text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BoardError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),

    #[error(transparent)]
    Awareness(#[from] AwarenessError),

    #[error("invalid update: {0}")]
    InvalidUpdate(String),

    #[error("invalid state vector: {0}")]
    InvalidStateVector(String),

    #[error("clients may not send permission-denied messages")]
    UnexpectedPermissionDenied,

    #[error("connection {0} is not in this room")]
    UnknownConnection(ConnectionId),

    /// Yrs panicked while integrating an update. The document may be
    /// inconsistent, so the driver must discard this room and reload it from
    /// storage, which never saw the update.
    #[error("the document failed while integrating an update and must be reloaded")]
    DocumentPoisoned,
}

/// The sans-IO board of one room.
#[derive(Debug)]
pub struct BoardRoom {
    doc: Doc,
    awareness: AwarenessStates,
    connections: BTreeMap<ConnectionId, Access>,
    outputs: VecDeque<Output>,
    poisoned: bool,
    refused_edits: u64,
    /// The sync step 2 frame that carries the whole document, for clients
    /// whose state vector is empty. Encoding a large document takes long,
    /// and every client that joins at once would otherwise get its own
    /// copy. Every integration clears it.
    full_state_frame: Option<Frame>,
}

impl Default for BoardRoom {
    fn default() -> Self {
        Self::new()
    }
}

impl BoardRoom {
    /// Creates a room with an empty document.
    pub fn new() -> Self {
        Self {
            doc: Doc::new(),
            awareness: AwarenessStates::default(),
            connections: BTreeMap::new(),
            outputs: VecDeque::new(),
            poisoned: false,
            refused_edits: 0,
            full_state_frame: None,
        }
    }

    /// Rebuilds a room from its stored snapshot and the updates logged after it.
    pub fn load<'a>(
        snapshot: Option<&[u8]>,
        updates: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, BoardError> {
        let mut room = Self::new();
        if let Some(snapshot) = snapshot {
            room.integrate(snapshot)?;
        }
        for update in updates {
            room.integrate(update)?;
        }
        Ok(room)
    }

    /// Registers a connection and queues the server's half of the handshake:
    /// its state vector (sync step 1) and the awareness states present.
    pub fn connect(&mut self, connection: ConnectionId, access: Access) {
        self.connections.insert(connection, access);

        let state_vector = self.doc.transact().state_vector().encode_v1();
        self.send(connection, &Message::SyncStep1(&state_vector));

        if let Some(states) = self.awareness.encode_present() {
            self.send(connection, &Message::Awareness(&states));
        }
    }

    /// Removes a connection and broadcasts the removal of its awareness states.
    pub fn disconnect(&mut self, connection: ConnectionId) {
        if self.connections.remove(&connection).is_none() {
            return;
        }
        if let Some(removal) = self.awareness.remove_connection(connection) {
            self.broadcast(None, &Message::Awareness(&removal));
        }
    }

    /// Changes what a connection may do; the next frame it sends obeys it.
    ///
    /// A connection that may now write is sent sync step 1, so its client
    /// sends what it drew while read-only and later edits do not wait on it.
    pub fn set_access(&mut self, connection: ConnectionId, access: Access) {
        let Some(current) = self.connections.get_mut(&connection) else {
            return;
        };
        let was = std::mem::replace(current, access);

        if was == Access::ReadOnly && access == Access::ReadWrite {
            let state_vector = self.doc.transact().state_vector().encode_v1();
            self.send(connection, &Message::SyncStep1(&state_vector));
        }
    }

    /// Returns the access of a connection, if it is in the room.
    pub fn access(&self, connection: ConnectionId) -> Option<Access> {
        self.connections.get(&connection).copied()
    }

    /// Returns the number of open connections.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Publishes the server's awareness state (client id
    /// [`SERVER_CLIENT_ID`](crate::awareness::SERVER_CLIENT_ID)) to every
    /// connection, and to each one that joins later.
    pub fn set_server_state(&mut self, state_json: String) {
        let update = self.awareness.set_server_state(state_json);
        self.broadcast(None, &Message::Awareness(&update));
    }

    /// Returns how many edits from read-only connections were refused so
    /// far, so the driver can log each refusal.
    pub fn refused_edits(&self) -> u64 {
        self.refused_edits
    }

    /// Returns whether a failed integration left the document unusable.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Handles one frame from a connection.
    ///
    /// An error means the connection broke the protocol and should be closed
    /// with the error's text. The frame is decoded whole before any message
    /// is acted on. An edit from a read-only connection is not an error: it
    /// is dropped and answered with permission-denied.
    pub fn receive(&mut self, connection: ConnectionId, frame: &[u8]) -> Result<(), BoardError> {
        let access = self
            .access(connection)
            .ok_or(BoardError::UnknownConnection(connection))?;
        let messages = decode_frame(frame)?;

        for message in messages {
            match message {
                Message::SyncStep1(state_vector) => {
                    self.answer_sync_step_1(connection, state_vector)?
                }
                Message::SyncStep2(update) => {
                    self.receive_update(connection, access, update, false)?
                }
                Message::Update(update) => self.receive_update(connection, access, update, true)?,
                Message::Awareness(update) => {
                    if let Some(relay) = self.awareness.apply(connection, update)? {
                        self.broadcast(Some(connection), &Message::Awareness(&relay));
                    }
                }
                Message::QueryAwareness => {
                    if let Some(states) = self.awareness.encode_present() {
                        self.send(connection, &Message::Awareness(&states));
                    }
                }
                Message::PermissionDenied(_) => return Err(BoardError::UnexpectedPermissionDenied),
            }
        }
        Ok(())
    }

    /// Merges an update that did not come from a connection (a restore over
    /// REST) and broadcasts it like any edit.
    pub fn apply_update(&mut self, update: &[u8]) -> Result<(), BoardError> {
        let applied = self.integrate(update)?;
        self.publish(None, applied);
        Ok(())
    }

    /// Encodes the whole document as one v1 update: the snapshot for
    /// compaction and the board export.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// Returns the document, for reading its content.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// Returns the next piece of work for the driver.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn answer_sync_step_1(
        &mut self,
        connection: ConnectionId,
        state_vector: &[u8],
    ) -> Result<(), BoardError> {
        let state_vector = decode_untrusted(|| StateVector::decode_v1(state_vector))
            .map_err(BoardError::InvalidStateVector)?;
        if state_vector.is_empty() {
            let frame = self.full_state_frame();
            self.outputs.push_back(Output::Send {
                to: connection,
                frame,
            });
            return Ok(());
        }
        let diff = self.doc.transact().encode_state_as_update_v1(&state_vector);
        self.send(connection, &Message::SyncStep2(&diff));
        Ok(())
    }

    /// Returns the sync step 2 frame with the whole document, encoding it
    /// only when the document changed since the last call.
    fn full_state_frame(&mut self) -> Frame {
        if let Some(frame) = &self.full_state_frame {
            return Arc::clone(frame);
        }
        let update = self
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let frame: Frame = encode(&Message::SyncStep2(&update)).into();
        self.full_state_frame = Some(Arc::clone(&frame));
        frame
    }

    fn receive_update(
        &mut self,
        connection: ConnectionId,
        access: Access,
        update: &[u8],
        is_live_edit: bool,
    ) -> Result<(), BoardError> {
        match access {
            Access::ReadWrite => {
                let had_missing = self.doc.transact().has_missing_updates();
                let applied = self.integrate(update)?;
                self.publish(Some(connection), applied);

                // An edit that builds on something the server lacks waits
                // as pending. That happens when a student draws while
                // read-only and is allowed later. Asking the sender for its
                // state fetches what is missing. Only live edits ask, so a
                // sync reply can never start a loop.
                // NOTE: pending state left by a client that has gone stays
                // until some client supplies it; only its appearance asks.
                if is_live_edit && !had_missing && self.doc.transact().has_missing_updates() {
                    let state_vector = self.doc.transact().state_vector().encode_v1();
                    self.send(connection, &Message::SyncStep1(&state_vector));
                }
            }
            Access::ReadOnly => {
                // A read-only client still answers the server's sync step 1
                // with everything it has. That reply adds nothing unless the
                // client edited its copy, so only new content is refused.
                let decoded = decode_untrusted(|| Update::decode_v1(update))
                    .map_err(BoardError::InvalidUpdate)?;
                if self.adds_content(&decoded) {
                    self.refused_edits += 1;
                    self.send(connection, &Message::PermissionDenied(READ_ONLY_REASON));
                }
            }
        }
        Ok(())
    }

    /// Queues storage and broadcast of what an update actually changed.
    fn publish(&mut self, sender: Option<ConnectionId>, applied: Vec<u8>) {
        if applied.as_slice() == Update::EMPTY_V1 {
            return;
        }
        let frame = encode(&Message::Update(&applied));
        self.outputs.push_back(Output::Persist { update: applied });
        self.outputs.push_back(Output::Broadcast {
            except: sender,
            frame: frame.into(),
        });
    }

    /// Integrates an update and returns the part of it that was new, encoded
    /// as a v1 update (`[0, 0]` when nothing was new).
    fn integrate(&mut self, update: &[u8]) -> Result<Vec<u8>, BoardError> {
        if self.poisoned {
            return Err(BoardError::DocumentPoisoned);
        }
        // Even an update that adds nothing visible may change the pending
        // state, which the full state includes, so any integration clears
        // the cached frame.
        self.full_state_frame = None;
        let decoded =
            decode_untrusted(|| Update::decode_v1(update)).map_err(BoardError::InvalidUpdate)?;

        // NOTE: Yrs has panicked on crafted updates that decode cleanly. The
        // panic is caught so that one client cannot take the server down;
        // the room is then reloaded from storage by the driver. A crafted
        // update has also crashed Yrs 0.28.1 with a segmentation fault, which
        // no catch can stop; only connections with write access reach this.
        let doc = &self.doc;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut txn = doc.transact_mut();
            txn.apply_update(decoded)
                .map(|()| txn.encode_update_v1())
                .map_err(|error| BoardError::InvalidUpdate(error.to_string()))
        }));

        match result {
            Ok(applied) => applied,
            Err(_) => {
                self.poisoned = true;
                Err(BoardError::DocumentPoisoned)
            }
        }
    }

    /// Returns whether an update contains an insertion or a deletion the document lacks.
    fn adds_content(&self, update: &Update) -> bool {
        let txn = self.doc.transact();
        let state_vector = txn.state_vector();

        let mut known = IdSet::new();
        for (client, &clock) in state_vector.iter() {
            known.insert(yrs::ID::new(*client, 0), clock);
        }
        if !update.insertions(true).diff(&known).is_empty() {
            return true;
        }

        // Building the document's delete set walks every block, and a
        // client that joins read-only replies to sync step 1 with an update
        // that deletes nothing, so that case returns before the walk.
        let deletions = update.delete_set();
        if deletions.is_empty() {
            return false;
        }
        let deleted = txn.snapshot().delete_set;
        !deletions.diff(&deleted).is_empty()
    }

    fn send(&mut self, to: ConnectionId, message: &Message<'_>) {
        self.outputs.push_back(Output::Send {
            to,
            frame: encode(message).into(),
        });
    }

    fn broadcast(&mut self, except: Option<ConnectionId>, message: &Message<'_>) {
        if self.connections.keys().all(|&id| Some(id) == except) {
            return;
        }
        self.outputs.push_back(Output::Broadcast {
            except,
            frame: encode(message).into(),
        });
    }
}

/// Runs a Yrs decoder on client bytes and returns its error as text.
///
/// Yrs 0.28 `debug_assert!`s that client ids fit in 53 bits, so a crafted id
/// panics in debug builds while decoding. Decoding does not touch the
/// document, so the panic is turned into an error instead of poisoning it.
fn decode_untrusted<T>(
    decode: impl FnOnce() -> Result<T, yrs::encoding::read::Error>,
) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(decode)) {
        Ok(result) => result.map_err(|error| error.to_string()),
        Err(_) => Err("decoding panicked, possibly on a client id over 53 bits".to_owned()),
    }
}
