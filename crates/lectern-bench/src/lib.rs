//! Load generator for Lectern and the servers it is compared with.
//!
//! Many WebSocket clients run in one process: a writer that sends the Yjs
//! updates of a lecturer drawing ([`stroke`]) and readers that measure when
//! each update arrives ([`latency`], [`clients`]). Each scenario runs them
//! against a target ([`targets`]): Lectern itself, the peers that
//! `bench/setup` installs ([`peers`], with Hocuspocus's framing in
//! [`framing`]), or the raw broadcast server ([`raw`]) that relays frames
//! without CRDT work. The scenarios are [`lecture`], [`many_rooms`],
//! [`join_storm`], [`audio`] and [`render`]; [`commands`] holds their command lines.
//! The delivery figures that lecture and many-rooms both report are in
//! [`figures`]. [`floor`] measures the send system calls alone, the floor
//! under every server's CPU time per delivery.

pub mod audio;
pub mod clients;
pub mod commands;
pub mod figures;
pub mod floor;
pub mod framing;
pub mod join_storm;
pub mod latency;
pub mod lecture;
pub mod many_rooms;
pub mod open_files;
pub mod peers;
pub mod pinning;
pub mod procfs;
pub mod quiz_burst;
pub mod raw;
pub mod render;
pub mod repeat;
pub mod report;
pub mod stroke;
pub mod targets;
