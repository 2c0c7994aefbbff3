//! The sans-IO core of Lectern's whiteboard.
//!
//! # What this crate owns
//!
//! - The y-websocket wire protocol ([`protocol`]) and the lib0 encoding under
//!   it ([`encoding`]).
//! - The board of one room ([`BoardRoom`]): the Yrs document, the awareness
//!   states, the access level of each connection, and the rule that an edit
//!   from a read-only connection is neither applied nor relayed.
//! - The board document schema ([`schema`]) and the compact stroke point
//!   encoding.
//!
//! # What it must never do
//!
//! It never opens a socket, reads a clock, spawns a task or touches storage.
//! The server crate drives it: it feeds frames in, polls [`Output`]s, stores
//! each [`Output::Persist`] before delivering the frames that follow it, and
//! decides when to compact. Keeping I/O out is what lets the protocol rules be
//! tested without a network and fuzzed.

pub mod awareness;
pub mod encoding;
pub mod protocol;
pub mod room;
pub mod schema;

pub use room::{Access, BoardError, BoardRoom, ConnectionId, Frame, Output, READ_ONLY_REASON};
