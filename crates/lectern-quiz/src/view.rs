//! Views of a question sent to students.
//!
//! [`StudentQuestion`] is a separate type from [`Question`] so that the
//! answer key cannot reach a student by accident: it has no field for
//! weights, correct answers or feedback. Those travel only in
//! [`RevealedQuestion`] and [`StudentResult`], which the run hands out
//! once the answer is revealed.

use serde::{Deserialize, Serialize};

use crate::distribution::{Distribution, distribution};
use crate::error::ViewError;
use crate::model::{Answer, PointsMode, Question, QuestionKind};
use crate::normalize::normalize_text;
use crate::run::{QuestionState, Run};
use crate::scoring::Correctness;

/// A question as a student sees it while answering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentQuestion {
    /// Position in the quiz, counting from zero.
    pub index: usize,
    /// Number of questions in the quiz.
    pub count: usize,
    /// The question's id.
    pub id: String,
    /// The question text.
    pub text: String,
    /// URL or path of an image shown with the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Seconds allowed to answer.
    pub time_limit_secs: u32,
    /// Points mode, so the client can announce double points.
    pub points: PointsMode,
    /// When the question opened, in the run's milliseconds.
    pub opened_at: u64,
    /// When answers stop being accepted, in the run's milliseconds.
    pub deadline: u64,
    /// Options to show and the answer type to send.
    #[serde(flatten)]
    pub kind: StudentKind,
}

/// The answerable part of a question, without its key.
///
/// Serialised with a `type` tag equal to the question kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StudentKind {
    /// Send [`Answer::Choice`].
    SingleChoice {
        /// Choice texts in the authored order.
        choices: Vec<String>,
    },
    /// Send [`Answer::Choices`].
    MultipleChoice {
        /// Choice texts in the authored order.
        choices: Vec<String>,
    },
    /// Send [`Answer::Boolean`].
    TrueFalse,
    /// Send [`Answer::Number`].
    Numeric,
    /// Send [`Answer::Text`].
    ShortText,
    /// Send [`Answer::Order`] with indices into `items`.
    Ordering {
        /// Items in a shuffled order, never the correct one.
        items: Vec<String>,
    },
    /// Send [`Answer::Matching`] with indices into `answers`.
    Matching {
        /// Prompts in the authored order.
        prompts: Vec<String>,
        /// Pair answers and distractors in a shuffled order.
        answers: Vec<String>,
    },
    /// Send [`Answer::Poll`].
    Poll {
        /// Option texts in the authored order.
        options: Vec<String>,
    },
    /// Send [`Answer::Words`].
    WordCloud {
        /// Maximum number of words.
        max_words: u8,
    },
}

impl StudentKind {
    /// Builds the student view of `kind`, showing ordering items and
    /// matching answers in `display_order`.
    pub fn from_kind(kind: &QuestionKind, display_order: &[usize]) -> Self {
        match kind {
            QuestionKind::SingleChoice { choices } => Self::SingleChoice {
                choices: choices.iter().map(|choice| choice.text.clone()).collect(),
            },
            QuestionKind::MultipleChoice { choices, .. } => Self::MultipleChoice {
                choices: choices.iter().map(|choice| choice.text.clone()).collect(),
            },
            QuestionKind::TrueFalse { .. } => Self::TrueFalse,
            QuestionKind::Numeric { .. } => Self::Numeric,
            QuestionKind::ShortText { .. } => Self::ShortText,
            QuestionKind::Ordering { items } => Self::Ordering {
                items: in_display_order(items, display_order),
            },
            QuestionKind::Matching { pairs, distractors } => {
                let answers: Vec<String> = pairs
                    .iter()
                    .map(|pair| pair.answer.clone())
                    .chain(distractors.iter().cloned())
                    .collect();
                Self::Matching {
                    prompts: pairs.iter().map(|pair| pair.prompt.clone()).collect(),
                    answers: in_display_order(&answers, display_order),
                }
            }
            QuestionKind::Poll { options } => Self::Poll {
                options: options.clone(),
            },
            QuestionKind::WordCloud { max_words } => Self::WordCloud {
                max_words: *max_words,
            },
        }
    }
}

/// Returns `values` reordered so that position `p` holds
/// `values[display_order[p]]`, or `values` unchanged when the order does not
/// fit.
fn in_display_order(values: &[String], display_order: &[usize]) -> Vec<String> {
    let reordered: Option<Vec<String>> = display_order
        .iter()
        .map(|index| values.get(*index).cloned())
        .collect();

    match reordered {
        Some(list) if list.len() == values.len() => list,
        _ => values.to_vec(),
    }
}

/// A question after its answer is revealed: the full key and how the class
/// answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevealedQuestion {
    /// Position in the quiz, counting from zero.
    pub index: usize,
    /// The question with its answer key and feedback.
    pub question: Question,
    /// The display order students saw for ordering items or matching
    /// answers: `display_order[p]` is the authored index shown at position
    /// `p`. Empty for other kinds.
    pub display_order: Vec<usize>,
    /// Number of students who answered.
    pub answered: u32,
    /// Spread of the answers, in the authored order.
    pub distribution: Distribution,
}

/// One student's result on one revealed question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentResult {
    /// Position of the question, counting from zero.
    pub index: usize,
    /// The question's id.
    pub question_id: String,
    /// The student's answer as sent, or `None` when they did not answer.
    pub answer: Option<Answer>,
    /// Classification of the answer: `Incorrect` when there is no answer,
    /// `Unscored` for polls and word clouds.
    pub correctness: Correctness,
    /// Points for the answer, without the streak bonus.
    pub points: u32,
    /// Streak bonus earned with this answer.
    pub streak_bonus: u32,
    /// Correct answers in a row after this question.
    pub streak: u32,
    /// Running total after this question.
    pub total: u64,
    /// Feedback texts for this student, general first.
    pub feedback: Vec<String>,
}

impl Run {
    /// Returns the current question as students see it, or `None` in the
    /// lobby and after the end.
    pub fn student_question(&self) -> Option<StudentQuestion> {
        let index = self.phase.question_index()?;
        let question = self.quiz.questions.get(index)?;
        let state = self.questions.get(index)?;

        Some(StudentQuestion {
            index,
            count: self.quiz.questions.len(),
            id: question.id.clone(),
            text: question.text.clone(),
            image: question.image.clone(),
            time_limit_secs: question.time_limit_secs,
            points: question.points,
            opened_at: state.opened_at.unwrap_or_default(),
            deadline: state.deadline.unwrap_or_default(),
            kind: StudentKind::from_kind(&question.kind, &state.display_order),
        })
    }

    /// Returns the key and distribution of question `index` once revealed.
    pub fn revealed_question(&self, index: usize) -> Result<RevealedQuestion, ViewError> {
        let (question, state) = self.question_and_state(index)?;
        if !self.is_revealed(index) {
            return Err(ViewError::NotRevealed { index });
        }

        let answers = state.answers.values().map(|record| &record.authored);
        Ok(RevealedQuestion {
            index,
            question: question.clone(),
            display_order: state.display_order.clone(),
            answered: count_u32(state.answers.len()),
            distribution: distribution(&question.kind, answers),
        })
    }

    /// Returns `participant_id`'s result on question `index` once revealed.
    ///
    /// A participant who did not answer gets an `Incorrect` result with no
    /// answer, or `Unscored` for polls and word clouds.
    pub fn student_result(
        &self,
        participant_id: &str,
        index: usize,
    ) -> Result<StudentResult, ViewError> {
        let (question, state) = self.question_and_state(index)?;
        if !self.is_revealed(index) {
            return Err(ViewError::NotRevealed { index });
        }

        let record = state.answers.get(participant_id);
        let correctness = match record {
            Some(record) => record.correctness,
            None if question.kind.is_scored() => Correctness::Incorrect,
            None => Correctness::Unscored,
        };
        let (total, _) = self.totals_of(participant_id, index + 1);

        Ok(StudentResult {
            index,
            question_id: question.id.clone(),
            answer: record.map(|record| record.answer.clone()),
            correctness,
            points: record.map_or(0, |record| record.points),
            streak_bonus: record.map_or(0, |record| record.streak_bonus),
            streak: state.streak_after.get(participant_id).copied().unwrap_or(0),
            total,
            feedback: feedback_for(question, record.map(|record| &record.authored), correctness),
        })
    }

    /// Returns question `index` and its run state.
    pub(crate) fn question_and_state(
        &self,
        index: usize,
    ) -> Result<(&Question, &QuestionState), ViewError> {
        let count = self.quiz.questions.len();
        match (self.quiz.questions.get(index), self.questions.get(index)) {
            (Some(question), Some(state)) => Ok((question, state)),
            _ => Err(ViewError::NoSuchQuestion { index, count }),
        }
    }
}

pub(crate) fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Collects the feedback texts a student sees: the general text, the
/// correct or incorrect text, then the feedback of what they picked.
fn feedback_for(
    question: &Question,
    authored: Option<&Answer>,
    correctness: Correctness,
) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let feedback = &question.feedback;

    texts.extend(feedback.general.clone());
    match correctness {
        Correctness::Correct => texts.extend(feedback.correct.clone()),
        Correctness::Partial | Correctness::Incorrect => texts.extend(feedback.incorrect.clone()),
        Correctness::Unscored => {}
    }

    let Some(answer) = authored else {
        return texts;
    };
    match (&question.kind, answer) {
        (QuestionKind::SingleChoice { choices }, Answer::Choice { index }) => {
            texts.extend(
                choices
                    .get(*index)
                    .and_then(|choice| choice.feedback.clone()),
            );
        }
        (QuestionKind::MultipleChoice { choices, .. }, Answer::Choices { indices }) => {
            let picked = indices.iter().filter_map(|index| choices.get(*index));
            texts.extend(picked.filter_map(|choice| choice.feedback.clone()));
        }
        (QuestionKind::Numeric { answers }, Answer::Number { value }) => {
            // The best-weighted match, the one that set the credit.
            let matched = answers
                .iter()
                .filter(|accepted| accepted.matcher.accepts(*value))
                .max_by(|a, b| a.weight.total_cmp(&b.weight));
            texts.extend(matched.and_then(|accepted| accepted.feedback.clone()));
        }
        (
            QuestionKind::ShortText {
                accepted,
                case_sensitive,
            },
            Answer::Text { value },
        ) => {
            let given = normalize_text(value, *case_sensitive);
            let matched = accepted
                .iter()
                .filter(|text| normalize_text(&text.text, *case_sensitive) == given)
                .max_by(|a, b| a.weight.total_cmp(&b.weight));
            texts.extend(matched.and_then(|text| text.feedback.clone()));
        }
        _ => {}
    }
    texts
}
