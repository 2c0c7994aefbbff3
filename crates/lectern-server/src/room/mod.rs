//! Room actors: one task per loaded room owns its board and connections.

mod actor;
mod presence;
mod writer;

pub use crate::registry::RoomUnavailable;
pub(crate) use actor::load_rights;
pub use actor::{
    AccessTarget, ActorSettings, BoardActor, CloseSignal, ConnectionLink, JoinRequest, RoomCommand,
};
pub use writer::{AppendError, BoardWriter};

/// The registry of loaded rooms' board actors.
pub type RoomRegistry = crate::registry::Registry<BoardActor>;

/// WebSocket close codes the server sends, with the reason text beside them.
pub mod close_code {
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The frame broke the y-websocket protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text frame; the protocol is binary.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// The connection stopped answering pings.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A message over the size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The server failed, for example while storing an update.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// The client could not keep up; it resyncs when it reconnects.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The lecturer closed the room.
    pub const ROOM_CLOSED: u16 = 4000;
}
