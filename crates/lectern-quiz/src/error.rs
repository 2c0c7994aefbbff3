//! Errors of a live run: illegal transitions, rejected answers and views
//! that are not available yet.

use crate::answer_check::AnswerError;
use crate::validate::ValidationError;

/// Reasons a run cannot start or change phase.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The quiz failed validation, so no run starts from it.
    #[error("invalid quiz: {} ({} errors in total)", first_error(.0), .0.len())]
    InvalidQuiz(Vec<ValidationError>),
    /// The transition is not allowed from the current phase.
    #[error("cannot {action} while the run is in phase {phase}")]
    IllegalTransition {
        /// The transition requested, such as `reveal`.
        action: &'static str,
        /// Name of the current phase.
        phase: &'static str,
    },
    /// Every question has been opened, so only `end` remains.
    #[error("all {count} questions have been opened, end the run instead")]
    NoMoreQuestions {
        /// Number of questions in the quiz.
        count: usize,
    },
    /// No question has this index, so a stored answer cannot be restored
    /// to it.
    #[error("question index {index} is out of range, the quiz has {count} questions")]
    NoSuchQuestion {
        /// The index given.
        index: usize,
        /// Number of questions.
        count: usize,
    },
}

fn first_error(errors: &[ValidationError]) -> String {
    errors.first().map_or_else(String::new, ToString::to_string)
}

/// Why a submitted answer was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmitError {
    /// The run is in the lobby or showing results, with no question open.
    #[error("no question is open")]
    NoQuestionOpen,
    /// The run has ended.
    #[error("the quiz has ended")]
    RunEnded,
    /// The question was closed before the answer arrived.
    #[error("question {} is closed", .index + 1)]
    QuestionClosed {
        /// Position of the question, counting from zero.
        index: usize,
    },
    /// The answer arrived at or after the deadline.
    #[error("answer arrived at {received_at} ms, at or after the deadline {deadline} ms")]
    Late {
        /// Position of the question, counting from zero.
        index: usize,
        /// The question's deadline.
        deadline: u64,
        /// When the answer arrived.
        received_at: u64,
    },
    /// The answer does not fit the question.
    #[error("invalid answer: {0}")]
    InvalidAnswer(#[from] AnswerError),
}

/// Reasons a view is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    /// No question has this index.
    #[error("question index {index} is out of range, the quiz has {count} questions")]
    NoSuchQuestion {
        /// The index requested.
        index: usize,
        /// Number of questions.
        count: usize,
    },
    /// The answer to this question has not been revealed yet.
    #[error("question {} is not revealed yet", .index + 1)]
    NotRevealed {
        /// Position of the question, counting from zero.
        index: usize,
    },
}
