//! Lectern's floor control for classroom audio, without I/O.
//!
//! # What this crate owns
//!
//! Who may speak in a room, and who may draw because they were called to
//! the board. Everyone hears the lecturer. A student raises a hand and joins
//! a first-in, first-out queue. The lecturer gives a student the floor, from
//! the queue or directly, optionally with board drawing and a time limit,
//! and takes it back. The lecturer may also mute any participant. The crate
//! keeps that state, rate-limits hand changes, queues [`FloorEvent`]s for
//! the server and implements the SFU's forwarding check,
//! [`Floor::may_send_audio`].
//!
//! # What it must never do
//!
//! It never performs I/O, spawns tasks or reads a clock. Every input that
//! depends on time carries `now`, milliseconds since an epoch the caller
//! chooses, and [`Floor::poll_timeout`] returns the time at which the
//! caller calls [`Floor::tick`], so tests need no sleeping. It never unmutes a student:
//! the floor only allows speaking, and the student's browser requests
//! microphone access with the student's consent. It does not own drawing
//! permissions. The server stores them and passes each change through
//! [`Floor::set_drawing_permission`], and the floor reports through
//! [`FloorEvent::DrawingChanged`] the board access the server applies, so
//! that a board grant's end restores the student's own permission rather
//! than removing it. It never panics on caller input. Rejected commands
//! return a [`FloorError`] naming the participant and the action.
//!
//! # States of one student
//!
//! ```text
//!                         raise_hand
//!            ┌──────────┐ ─────────────────────▶ ┌──────────────┐
//!            │ no hand  │                        │ hand raised  │
//!            │          │ ◀───────────────────── │ (in queue)   │
//!            └──────────┘  lower_hand,           └──────────────┘
//!              │      ▲    lower_all_hands              │
//!   grant      │      │                                 │ grant, grant_next
//!   (no hand)  │      │ revoke, revoke_all,             │ (lowers the hand)
//!              ▼      │ tick at until, Replaced         ▼
//!            ┌──────────────────────────────────────────────────┐
//!            │ holds the floor: may speak, and draw if to_board │
//!            │ (grant again changes to_board and until)         │
//!            └──────────────────────────────────────────────────┘
//!
//! leave, from any state: off the floor, off the queue, out of the room.
//! mute / unmute, in any state: a muted participant's audio is not forwarded.
//! ```
//!
//! Lecturers have no hand and never hold the floor, but they may always
//! speak unless muted. At most `max_speakers` students (default 1) hold the floor.
//! A grant beyond that fails with [`FloorError::FloorFull`] unless it sets
//! [`WhenFull::ReplaceLongest`], which revokes the longest-holding speaker.
//!
//! # Example
//!
//! ```
//! use lectern_floor::{Floor, FloorConfig, FloorEvent, Grant, RevokeReason, Role};
//!
//! let mut floor = Floor::new(FloorConfig::default()).expect("valid config");
//! floor.join("ada", Role::Lecturer, false);
//! floor.join("grace", Role::Student, false);
//!
//! floor.raise_hand("grace", 1_000).expect("a student raises a hand");
//! let grant = Grant { to_board: true, duration_ms: Some(60_000), ..Grant::default() };
//! let next = floor.grant_next("ada", grant, 2_000).expect("grace is next");
//!
//! assert_eq!(next, "grace");
//! assert!(floor.may_send_audio("grace"));
//! assert!(floor.may_draw("grace"));
//! assert_eq!(floor.poll_timeout(), Some(62_000));
//!
//! assert_eq!(floor.tick(62_000), 1);
//! assert!(!floor.may_send_audio("grace"));
//! let revoked = std::iter::from_fn(|| floor.poll_event()).any(|event| {
//!     event == FloorEvent::FloorRevoked {
//!         participant: "grace".to_owned(),
//!         reason: RevokeReason::Expired,
//!     }
//! });
//! assert!(revoked);
//! ```

pub mod config;
pub mod error;
pub mod event;
pub mod floor;
mod hands;
mod rate_limit;
pub mod snapshot;
pub mod speakers;

pub use config::{ConfigError, FloorConfig, HandRate};
pub use error::{Action, FloorError};
pub use event::{DrawingCause, FloorEvent, LowerReason, RevokeReason};
pub use floor::{Floor, Role};
pub use snapshot::{FloorSnapshot, RaisedHand, Speaker};
pub use speakers::{Grant, WhenFull};
