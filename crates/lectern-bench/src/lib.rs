//! Load generator for Lectern's board WebSocket.
//!
//! Many y-websocket clients run in one process: a writer that sends the
//! Yjs updates of a lecturer drawing ([`stroke`]) and readers that measure
//! when each update arrives ([`latency`]). A scenario ([`lecture`]) runs
//! them against a target ([`targets`]): Lectern itself, or the raw
//! broadcast server ([`raw`]) that relays frames without CRDT work.

pub mod clients;
pub mod commands;
pub mod latency;
pub mod lecture;
pub mod pinning;
pub mod procfs;
pub mod quiz_burst;
pub mod raw;
pub mod report;
pub mod stroke;
pub mod targets;
