//! Import and export of Moodle's GIFT text format.
//!
//! # Supported syntax
//!
//! Questions are separated by blank lines. Lines starting with `//` are
//! comments, and a `// question: ID` comment sets the id of the question
//! that follows. A question may start with a `::title::`, and its text may
//! start with a `[html]`, `[moodle]`, `[markdown]` or `[plain]` marker:
//! the marker is dropped, and `[html]` text is converted to plain text.
//! A backslash escapes `~ = # { } : \`, and `\n` is a line break.
//!
//! The answer block `{...}` decides the kind, in the order Moodle checks:
//!
//! | block | kind |
//! | --- | --- |
//! | `{>3 ...}` with one item a line | ordering (syntax of Moodle's ordering question type) |
//! | `{#3.14:0.01}`, `{#1..5}`, `{#=%50%3:1 ~#wrong}` | numeric |
//! | any unescaped `~`, with an `=` answer | single choice |
//! | any unescaped `~`, without an `=` answer | multiple choice |
//! | `=` answers containing `->` | matching (`= -> x` adds distractor `x`) |
//! | `{T}`, `{TRUE}`, `{F}`, `{FALSE}`, with `#wrong#right` feedback | true/false |
//! | other `=` answers | short text |
//!
//! Weights are written `%50%` after `~` (or after `=` in short-text and
//! numeric answers), feedback for one answer follows `#`, and general
//! feedback follows `####` at the end of the block. Text after the block
//! makes a missing-word question: the block is replaced by `_____`.
//!
//! Essays (`{}`) and descriptions (no block) have no counterpart in the
//! model: each is reported as an error with its line number, and import
//! goes on with the next question. `$CATEGORY:` lines are skipped with a
//! note.
//!
//! # Export
//!
//! [`fn@export`] writes every kind GIFT can carry. Polls and word clouds have
//! no GIFT form: they are left out, listed in [`GiftExport::skipped`] and
//! marked by a `//` comment in the output. Settings GIFT cannot carry are
//! dropped: time limits, points, images, `case_sensitive` of short-text
//! questions, and correct/incorrect feedback except on true/false
//! questions (and incorrect feedback on numeric ones, written as `~#`).

mod export;
mod import;
mod syntax;

pub use export::export;
pub use import::import;

pub(crate) use import::IdAllocator;

use crate::model::Question;

/// Maximum size of a GIFT input in bytes, 4 MiB. A question bank of a few
/// thousand questions takes well under 1 MiB.
pub const MAX_GIFT_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// Result of [`fn@import`]: the questions read, with errors and notes.
#[derive(Debug, Clone, PartialEq)]
pub struct GiftImport {
    /// The questions read, in file order.
    pub questions: Vec<Question>,
    /// One error per question that could not be read.
    pub errors: Vec<GiftError>,
    /// Lines read but ignored, such as `$CATEGORY:`.
    pub notes: Vec<GiftNote>,
}

/// Something in the input that was read but has no effect on the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftNote {
    /// 1-based line number.
    pub line: usize,
    /// Message naming the ignored part and the reason.
    pub message: String,
}

/// A question that could not be imported, or an input that was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct GiftError {
    /// 1-based line number where the problem was found.
    pub line: usize,
    /// The reason for the rejection.
    pub kind: GiftErrorKind,
}

/// The reasons a GIFT question cannot be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GiftErrorKind {
    /// The whole input is larger than [`MAX_GIFT_INPUT_BYTES`].
    #[error("input is {size} bytes, larger than the maximum of {max} bytes")]
    InputTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The maximum, [`MAX_GIFT_INPUT_BYTES`].
        max: usize,
    },
    /// An essay question, `{}`: Lectern cannot grade free text.
    #[error("essay questions ({{}}) are not supported: give the question answers or remove it")]
    EssayNotSupported,
    /// A description, text without an answer block.
    #[error(
        "text without an answer block {{...}} is a Moodle description, which is not supported: add answers or remove it"
    )]
    DescriptionNotSupported,
    /// A title opened with `::` but never closed.
    #[error("question title is missing its closing `::`")]
    UnclosedTitle,
    /// `{` without a matching `}`.
    #[error("answer block `{{` is missing its closing `}}`: escape a literal brace as `\\{{`")]
    UnclosedAnswerBlock,
    /// `}` without a `{` before it.
    #[error("`}}` without an opening `{{`: escape a literal brace as `\\}}`")]
    UnexpectedClosingBrace,
    /// A second `{` inside or after the answer block.
    #[error("question has more than one answer block: escape literal braces as `\\{{` and `\\}}`")]
    MultipleAnswerBlocks,
    /// A weight like `%150%` outside -100 to 100.
    #[error("weight `{weight}` is invalid: write a percentage from -100 to 100 between two `%`")]
    InvalidWeight {
        /// The weight as written, without the `%` signs.
        weight: String,
    },
    /// A numeric answer part that is not a finite number.
    #[error("`{text}` is not a number: write numbers like `3.14`, `-2` or `1e3`")]
    InvalidNumber {
        /// The text as written.
        text: String,
    },
    /// A negative tolerance in `value:tolerance`.
    #[error("tolerance `{tolerance}` is negative")]
    NegativeTolerance {
        /// The tolerance as written.
        tolerance: String,
    },
    /// A range `min..max` with `min` above `max`.
    #[error("range `{min}..{max}` has its minimum above its maximum")]
    InvertedRange {
        /// The minimum as written.
        min: String,
        /// The maximum as written.
        max: String,
    },
    /// Too few answers for the question kind.
    #[error("{kind} question needs at least {min} answers, found {found}")]
    TooFewAnswers {
        /// The question kind, in words.
        kind: &'static str,
        /// Minimum number of answers.
        min: usize,
        /// Number of answers found.
        found: usize,
    },
    /// A matching answer without `->`.
    #[error("matching answer `{text}` is missing `->` between prompt and answer")]
    MissingMatchArrow {
        /// The answer as written.
        text: String,
    },
}

/// Result of [`fn@export`]: the text and the questions left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftExport {
    /// The GIFT text.
    pub text: String,
    /// Questions left out because GIFT cannot express them.
    pub skipped: Vec<SkippedQuestion>,
}

/// A question [`fn@export`] left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedQuestion {
    /// The question's id.
    pub id: String,
    /// The reason it was left out.
    pub reason: String,
}
