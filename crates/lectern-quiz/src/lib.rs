//! Lectern's live quiz engine, without I/O.
//!
//! # What this crate owns
//!
//! The quiz model ([`model`]), its validation, short-text normalisation,
//! scoring, and the state machine of one live run of a quiz: which question
//! is open, who answered what and when, points, standings and exports.
//!
//! # What it must never do
//!
//! It never performs I/O, spawns tasks or reads a clock. Every input that
//! depends on time carries `now`, milliseconds since an epoch the caller
//! chooses, so runs are deterministic and tests need no sleeping. It never
//! panics on caller input: illegal transitions and bad answers return
//! errors. Views meant for students never carry correct answers, weights or
//! feedback before the answer is revealed.
//!
//! # Scoring
//!
//! A scored answer earns
//!
//! ```text
//! points = round(base * credit * (1 - (response_time / time_limit) / 2))
//! ```
//!
//! where `base` is 1000 for standard questions, 2000 for double and 0 for
//! none, `credit` is the partial credit from 0 to 1, and `response_time` is
//! clamped to `0..=time_limit`. A correct instant answer earns the full
//! base and one at the deadline earns half, the formula Kahoot publishes
//! for its quizzes. Rounding is half away from zero.

pub mod model;
pub mod normalize;

pub use model::{
    AcceptedText, Answer, Choice, Feedback, MatchPair, NumericAnswer, NumericMatch, PointsMode,
    Question, QuestionKind, Quiz,
};
