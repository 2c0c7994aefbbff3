//! Import and export of Moodle XML question files.
//!
//! # Import
//!
//! [`fn@import`] reads `<quiz>` documents as Moodle writes them:
//!
//! | `type` | kind |
//! | --- | --- |
//! | `multichoice` | single choice when `<single>` is true, multiple choice otherwise |
//! | `truefalse` | true/false; the answers' feedback becomes correct/incorrect feedback |
//! | `shortanswer` | short text, with `<usecase>` as `case_sensitive` |
//! | `numerical` | numeric, value with `<tolerance>`; a `*` answer's feedback becomes incorrect feedback |
//! | `matching` | matching; a `<subquestion>` with an empty prompt is a distractor |
//! | `ordering` | ordering, items sorted by their `fraction` (their position) |
//! | `category` | skipped with a note |
//! | `description`, `essay`, others | reported as an error with the line number |
//!
//! `<name>` becomes the title unless it equals `<idnumber>`, which becomes
//! the id when it is a valid, unused id. The exporter writes the id as the
//! name of a question without a title, so a title equal to the id does
//! not survive a round trip. Texts in `html` or
//! `moodle_auto_format` are converted to plain text. `<generalfeedback>`,
//! `<correctfeedback>` and `<incorrectfeedback>` become the question's
//! feedback. `<defaultgrade>` 0 means no points, 2 double points, and any
//! other grade standard points. `<shuffleanswers>`, penalties, hints,
//! units and images are ignored.
//!
//! A question that cannot be read is reported in
//! [`MoodleXmlImport::errors`] and the import goes on with the next one.
//! The whole document is rejected when it is larger than
//! [`MAX_MOODLE_XML_INPUT_BYTES`], has a DOCTYPE (so no entity can be
//! defined, let alone fetched), uses an entity other than XML's predefined
//! ones, nests deeper than [`MAX_ELEMENT_DEPTH`] or is not well-formed.
//!
//! # Export
//!
//! [`fn@export`] writes every kind Moodle has: polls and word clouds are left
//! out, listed in [`MoodleXmlExport::skipped`] and marked by a comment.
//! Moodle has no numeric ranges, so `min..max` is written as its midpoint
//! with half its width as tolerance. Short-text questions lose their
//! correct/incorrect feedback, and every question loses its time limit
//! and image.

mod export;
pub(crate) mod html;
mod import;
mod tree;

pub use export::export;
pub use import::import;

use crate::model::Question;

/// Maximum size of a Moodle XML input in bytes, 16 MiB. Moodle's own
/// exports of a few thousand questions stay well below it, unless they
/// embed images, which the importer ignores anyway.
pub const MAX_MOODLE_XML_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Maximum nesting of XML elements. Moodle's files nest 5 levels deep.
pub const MAX_ELEMENT_DEPTH: usize = 32;

/// Result of [`fn@import`]: the questions read, with errors and notes.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodleXmlImport {
    /// The questions read, in document order.
    pub questions: Vec<Question>,
    /// One error per question that could not be read.
    pub errors: Vec<MoodleXmlError>,
    /// Parts read but ignored, such as categories.
    pub notes: Vec<MoodleXmlNote>,
}

/// Something in the input that was read but has no effect on the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoodleXmlNote {
    /// 1-based line number.
    pub line: usize,
    /// Message naming the ignored part and the reason.
    pub message: String,
}

/// A question that could not be imported, or a document that was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct MoodleXmlError {
    /// 1-based line number where the problem was found.
    pub line: usize,
    /// The reason for the rejection.
    pub kind: MoodleXmlErrorKind,
}

/// The reasons a Moodle XML document or question cannot be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoodleXmlErrorKind {
    /// The whole input is larger than [`MAX_MOODLE_XML_INPUT_BYTES`].
    #[error("input is {size} bytes, larger than the maximum of {max} bytes")]
    InputTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The maximum, [`MAX_MOODLE_XML_INPUT_BYTES`].
        max: usize,
    },
    /// The document has a `<!DOCTYPE>`.
    #[error("DOCTYPE declarations are not allowed: remove the <!DOCTYPE ...> line")]
    DoctypeNotAllowed,
    /// An entity other than `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` or
    /// a character reference.
    #[error("entity `&{name};` is undefined: only XML's predefined entities are allowed")]
    UndefinedEntity {
        /// The entity name.
        name: String,
    },
    /// Elements nested deeper than [`MAX_ELEMENT_DEPTH`].
    #[error("elements are nested more than {max} levels deep")]
    TooDeep {
        /// The maximum, [`MAX_ELEMENT_DEPTH`].
        max: usize,
    },
    /// The document is not well-formed XML.
    #[error("invalid XML: {reason}")]
    MalformedXml {
        /// The parser's message.
        reason: String,
    },
    /// The root element is not `<quiz>`, or there is none.
    #[error("missing <quiz> root element")]
    MissingQuiz,
    /// A question type Lectern has no counterpart for.
    #[error("question type `{question_type}` is not supported: {hint}")]
    UnsupportedType {
        /// The `type` attribute.
        question_type: String,
        /// Advice on what to use instead.
        hint: &'static str,
    },
    /// A required element is missing.
    #[error("<question type=\"{question_type}\"> is missing <{element}>")]
    MissingElement {
        /// The `type` attribute.
        question_type: String,
        /// The missing element.
        element: &'static str,
    },
    /// A number that does not parse or is out of range.
    #[error("<{element}> value `{value}` is invalid: {expected}")]
    InvalidNumber {
        /// Element or attribute that contains the value.
        element: &'static str,
        /// The value as written.
        value: String,
        /// Description of a valid value.
        expected: &'static str,
    },
    /// Too few answers for the question kind.
    #[error("{question_type} question needs at least {min} answers, found {found}")]
    TooFewAnswers {
        /// The `type` attribute.
        question_type: String,
        /// Minimum number of answers.
        min: usize,
        /// Number of answers found.
        found: usize,
    },
}

/// Result of [`fn@export`]: the text and the questions left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoodleXmlExport {
    /// The XML document.
    pub text: String,
    /// Questions left out because Moodle has no such question type.
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
