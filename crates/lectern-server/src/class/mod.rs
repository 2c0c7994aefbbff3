//! The room control channel: one class actor per loaded room owns the
//! room's control connections, its live quiz run, its floor and its audio
//! signalling.
//!
//! It runs beside the board's room actor ([`crate::room`]) and shares
//! nothing with it but the room id. docs/control-protocol.md describes the
//! messages.

mod actor;
mod audio;
pub mod connection;
mod floor;
pub mod protocol;
pub mod quiz;

pub use actor::{ClassActorKind, ClassCommand, ClassSettings, ControlJoin, ControlLink};

/// The registry of loaded rooms' class actors.
pub type ClassRegistry = crate::registry::Registry<ClassActorKind>;
