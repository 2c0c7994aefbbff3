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
//!
//! `credit` comes from [`scoring::credit`]: the picked choice's weight, the
//! sum of picked multiple-choice weights (negative ones only with
//! penalties, floored at 0), the fraction of ordering items in place or of
//! matching prompts matched, or the best numeric or short-text weight. An
//! optional [`StreakBonus`] adds `min(per_answer * (streak - 1), max)` to a
//! fully correct answer, +100 per correct answer in a row beyond the first
//! up to +500 by default.
//!
//! # Using a run
//!
//! ```
//! use lectern_quiz::{Answer, Quiz, Run, RunConfig};
//!
//! let quiz: Quiz = serde_json::from_str(r#"{
//!     "title": "Planets",
//!     "questions": [{ "id": "q1", "text": "Is Jupiter a gas giant?",
//!                     "type": "true_false", "answer": true }]
//! }"#).expect("valid quiz JSON");
//!
//! let mut run = Run::new(quiz, RunConfig::default()).expect("valid quiz");
//! run.open_next(0).expect("first question");
//! run.submit("alice", Answer::Boolean { value: true }, 10_000).expect("in time");
//! assert!(run.tick(20_000));
//! run.reveal().expect("closed question");
//! assert_eq!(run.leaderboard(1)[0].score, 750);
//! ```

pub mod answer_check;
pub mod distribution;
pub mod error;
pub mod export;
pub mod gift;
pub mod model;
pub mod moodle_xml;
pub mod normalize;
pub mod run;
pub mod scoring;
pub mod shuffle;
pub mod standings;
pub mod validate;
pub mod view;

pub use answer_check::{AnswerError, check_answer};
pub use distribution::{Distribution, NumberCount, TextCount};
pub use error::{RunError, SubmitError, ViewError};
pub use export::{AnswerResult, ParticipantResults, QuestionReport, RunResults};
pub use model::{
    AcceptedText, Answer, Choice, Feedback, MatchPair, NumericAnswer, NumericMatch, PointsMode,
    Question, QuestionKind, Quiz,
};
pub use run::{Accepted, AnswerRecord, Closure, Phase, Run, RunConfig};
pub use scoring::{Correctness, StreakBonus};
pub use standings::{Podium, Standing};
pub use validate::{Location, ValidationError, validate};
pub use view::{RevealedQuestion, StudentKind, StudentQuestion, StudentResult};
