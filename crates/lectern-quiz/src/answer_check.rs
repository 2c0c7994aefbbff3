//! Checks that a submitted answer fits its question, and maps display
//! indices back to the authored order.

use crate::model::{Answer, QuestionKind};
use crate::normalize::normalize_text;

/// Maximum length of a short-text answer.
pub const MAX_ANSWER_TEXT_CHARS: usize = 200;
/// Maximum length of one word-cloud word.
pub const MAX_WORD_CHARS: usize = 40;

/// Reasons a submitted answer does not fit its question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    /// The answer's `type` does not match the question kind.
    #[error("answer type {found} does not fit a {kind} question, send type {expected}")]
    WrongType {
        /// The question kind.
        kind: &'static str,
        /// The answer type the question takes.
        expected: &'static str,
        /// The answer type received.
        found: &'static str,
    },
    /// An index points past the displayed options.
    #[error("index {index} is out of range, the question shows {len} options")]
    IndexOutOfRange {
        /// The index received.
        index: usize,
        /// Number of options shown.
        len: usize,
    },
    /// The same index appears twice.
    #[error("index {index} appears more than once")]
    DuplicateIndex {
        /// The repeated index.
        index: usize,
    },
    /// A list has the wrong number of entries.
    #[error("expected {expected} entries, found {found}")]
    WrongCount {
        /// Number of entries the question takes.
        expected: usize,
        /// Number of entries received.
        found: usize,
    },
    /// A multiple-choice answer picks nothing.
    #[error("pick at least one choice")]
    NothingPicked,
    /// A number answer is NaN or infinite.
    #[error("number {value} is not finite")]
    NotFinite {
        /// The value received.
        value: f64,
    },
    /// A text or word list is empty after normalisation.
    #[error("the answer is empty")]
    Empty,
    /// A text or word is too long.
    #[error("text is {length} characters long, max {max}")]
    TooLong {
        /// Length received, in characters.
        length: usize,
        /// Maximum length.
        max: usize,
    },
    /// A word cloud answer has more words than the question allows.
    #[error("{found} words sent, max {max}")]
    TooManyWords {
        /// Number of non-empty words received.
        found: usize,
        /// The question's `max_words`.
        max: usize,
    },
}

/// Checks `answer` against a question of `kind` and returns it with indices
/// mapped to the authored order.
///
/// `display_order[p]` is the authored index shown at position `p` for
/// ordering items and matching answers. Other kinds ignore it. Word-cloud
/// words come back normalised, without empty words.
pub fn check_answer(
    kind: &QuestionKind,
    answer: &Answer,
    display_order: &[usize],
) -> Result<Answer, AnswerError> {
    match (kind, answer) {
        (QuestionKind::SingleChoice { choices }, Answer::Choice { index }) => {
            check_index(*index, choices.len())?;
            Ok(answer.clone())
        }
        (QuestionKind::MultipleChoice { choices, .. }, Answer::Choices { indices }) => {
            if indices.is_empty() {
                return Err(AnswerError::NothingPicked);
            }
            check_distinct_indices(indices, choices.len())?;
            Ok(answer.clone())
        }
        (QuestionKind::TrueFalse { .. }, Answer::Boolean { .. }) => Ok(answer.clone()),
        (QuestionKind::Numeric { .. }, Answer::Number { value }) => {
            if value.is_finite() {
                Ok(answer.clone())
            } else {
                Err(AnswerError::NotFinite { value: *value })
            }
        }
        (QuestionKind::ShortText { .. }, Answer::Text { value }) => {
            check_length(value, MAX_ANSWER_TEXT_CHARS)?;
            if normalize_text(value, true).is_empty() {
                return Err(AnswerError::Empty);
            }
            Ok(answer.clone())
        }
        (QuestionKind::Ordering { items }, Answer::Order { indices }) => {
            check_count(indices.len(), items.len())?;
            check_distinct_indices(indices, items.len())?;
            let authored = indices
                .iter()
                .map(|position| to_authored(*position, display_order))
                .collect();
            Ok(Answer::Order { indices: authored })
        }
        (QuestionKind::Matching { pairs, distractors }, Answer::Matching { answers }) => {
            check_count(answers.len(), pairs.len())?;
            let shown = pairs.len() + distractors.len();
            for index in answers {
                check_index(*index, shown)?;
            }
            let authored = answers
                .iter()
                .map(|position| to_authored(*position, display_order))
                .collect();
            Ok(Answer::Matching { answers: authored })
        }
        (QuestionKind::Poll { options }, Answer::Poll { index }) => {
            check_index(*index, options.len())?;
            Ok(answer.clone())
        }
        (QuestionKind::WordCloud { max_words }, Answer::Words { words }) => {
            check_words(words, usize::from(*max_words))
        }
        _ => Err(AnswerError::WrongType {
            kind: kind.type_name(),
            expected: expected_answer_type(kind),
            found: answer.type_name(),
        }),
    }
}

/// Returns the `type` tag of the answers a question of `kind` takes.
pub fn expected_answer_type(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::SingleChoice { .. } => "choice",
        QuestionKind::MultipleChoice { .. } => "choices",
        QuestionKind::TrueFalse { .. } => "boolean",
        QuestionKind::Numeric { .. } => "number",
        QuestionKind::ShortText { .. } => "text",
        QuestionKind::Ordering { .. } => "order",
        QuestionKind::Matching { .. } => "matching",
        QuestionKind::Poll { .. } => "poll",
        QuestionKind::WordCloud { .. } => "words",
    }
}

fn to_authored(position: usize, display_order: &[usize]) -> usize {
    // A missing display order means the options are shown as authored.
    display_order.get(position).copied().unwrap_or(position)
}

fn check_index(index: usize, len: usize) -> Result<(), AnswerError> {
    if index < len {
        Ok(())
    } else {
        Err(AnswerError::IndexOutOfRange { index, len })
    }
}

fn check_distinct_indices(indices: &[usize], len: usize) -> Result<(), AnswerError> {
    let mut seen = vec![false; len];

    for index in indices {
        check_index(*index, len)?;
        if seen[*index] {
            return Err(AnswerError::DuplicateIndex { index: *index });
        }
        seen[*index] = true;
    }
    Ok(())
}

fn check_count(found: usize, expected: usize) -> Result<(), AnswerError> {
    if found == expected {
        Ok(())
    } else {
        Err(AnswerError::WrongCount { expected, found })
    }
}

fn check_length(text: &str, max: usize) -> Result<(), AnswerError> {
    let length = text.chars().count();
    if length > max {
        Err(AnswerError::TooLong { length, max })
    } else {
        Ok(())
    }
}

fn check_words(words: &[String], max_words: usize) -> Result<Answer, AnswerError> {
    let mut normalised = Vec::with_capacity(words.len());

    for word in words {
        check_length(word, MAX_WORD_CHARS)?;
        let word = normalize_text(word, false);
        if !word.is_empty() {
            normalised.push(word);
        }
    }

    if normalised.is_empty() {
        return Err(AnswerError::Empty);
    }
    if normalised.len() > max_words {
        return Err(AnswerError::TooManyWords {
            found: normalised.len(),
            max: max_words,
        });
    }
    Ok(Answer::Words { words: normalised })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Choice, MatchPair};

    fn single_choice() -> QuestionKind {
        QuestionKind::SingleChoice {
            choices: vec![
                Choice {
                    text: "a".to_owned(),
                    weight: 100.0,
                    feedback: None,
                },
                Choice {
                    text: "b".to_owned(),
                    weight: 0.0,
                    feedback: None,
                },
            ],
        }
    }

    #[test]
    fn wrong_type_names_expected() {
        let error = check_answer(&single_choice(), &Answer::Boolean { value: true }, &[])
            .expect_err("wrong type");

        assert_eq!(
            error.to_string(),
            "answer type boolean does not fit a single_choice question, send type choice"
        );
    }

    #[test]
    fn index_out_of_range() {
        let error = check_answer(&single_choice(), &Answer::Choice { index: 2 }, &[])
            .expect_err("out of range");

        assert_eq!(error, AnswerError::IndexOutOfRange { index: 2, len: 2 });
    }

    #[test]
    fn multiple_choice_rejects_bad_picks() {
        let kind = QuestionKind::MultipleChoice {
            choices: match single_choice() {
                QuestionKind::SingleChoice { choices } => choices,
                _ => Vec::new(),
            },
            penalties: false,
        };
        let picks = |indices: &[usize]| Answer::Choices {
            indices: indices.to_vec(),
        };

        assert_eq!(
            check_answer(&kind, &picks(&[]), &[]),
            Err(AnswerError::NothingPicked)
        );
        assert_eq!(
            check_answer(&kind, &picks(&[1, 1]), &[]),
            Err(AnswerError::DuplicateIndex { index: 1 })
        );
        assert!(check_answer(&kind, &picks(&[1, 0]), &[]).is_ok());
    }

    #[test]
    fn ordering_maps_display_to_authored() {
        let kind = QuestionKind::Ordering {
            items: ["a", "b", "c"].map(str::to_owned).to_vec(),
        };
        // Display shows c, a, b: the correct answer is positions 1, 2, 0.
        let display = [2, 0, 1];
        let answer = Answer::Order {
            indices: vec![1, 2, 0],
        };

        let authored = check_answer(&kind, &answer, &display).expect("valid order");
        assert_eq!(
            authored,
            Answer::Order {
                indices: vec![0, 1, 2]
            }
        );
        assert_eq!(
            check_answer(
                &kind,
                &Answer::Order {
                    indices: vec![0, 1]
                },
                &display
            ),
            Err(AnswerError::WrongCount {
                expected: 3,
                found: 2
            })
        );
    }

    #[test]
    fn matching_accepts_distractor_index() {
        let kind = QuestionKind::Matching {
            pairs: vec![
                MatchPair {
                    prompt: "1".to_owned(),
                    answer: "one".to_owned(),
                },
                MatchPair {
                    prompt: "2".to_owned(),
                    answer: "two".to_owned(),
                },
            ],
            distractors: vec!["three".to_owned()],
        };
        let display = [2, 0, 1];
        let answer = Answer::Matching {
            answers: vec![0, 0],
        };

        let authored = check_answer(&kind, &answer, &display).expect("valid matching");
        assert_eq!(
            authored,
            Answer::Matching {
                answers: vec![2, 2]
            }
        );
        assert_eq!(
            check_answer(
                &kind,
                &Answer::Matching {
                    answers: vec![0, 3]
                },
                &display
            ),
            Err(AnswerError::IndexOutOfRange { index: 3, len: 3 })
        );
    }

    #[test]
    fn number_must_be_finite() {
        let kind = QuestionKind::Numeric {
            answers: Vec::new(),
        };
        let result = check_answer(&kind, &Answer::Number { value: f64::NAN }, &[]);

        assert!(matches!(result, Err(AnswerError::NotFinite { .. })));
    }

    #[test]
    fn text_limits() {
        let kind = QuestionKind::ShortText {
            accepted: Vec::new(),
            case_sensitive: false,
        };
        let text = |value: String| Answer::Text { value };

        assert_eq!(
            check_answer(&kind, &text("  ".to_owned()), &[]),
            Err(AnswerError::Empty)
        );
        assert_eq!(
            check_answer(&kind, &text("x".repeat(201)), &[]),
            Err(AnswerError::TooLong {
                length: 201,
                max: 200
            })
        );
    }

    #[test]
    fn words_normalised_and_limited() {
        let kind = QuestionKind::WordCloud { max_words: 2 };
        let words = |list: &[&str]| Answer::Words {
            words: list.iter().map(|word| (*word).to_owned()).collect(),
        };

        assert_eq!(
            check_answer(&kind, &words(&[" Rust ", "", "SAFE"]), &[]),
            Ok(words(&["rust", "safe"]))
        );
        assert_eq!(
            check_answer(&kind, &words(&["a", "b", "c"]), &[]),
            Err(AnswerError::TooManyWords { found: 3, max: 2 })
        );
        assert_eq!(
            check_answer(&kind, &words(&[" "]), &[]),
            Err(AnswerError::Empty)
        );
    }
}
