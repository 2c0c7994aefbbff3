//! Answer distributions: how a class answered one question.

use serde::{Deserialize, Serialize};

use crate::model::{Answer, QuestionKind};
use crate::normalize::normalize_text;

/// Spread of the answers to one question over its options or values.
///
/// Indices are in the authored order, not the shuffled display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Distribution {
    /// Single choice, multiple choice and polls: `counts[i]` students picked
    /// option `i`. A multiple-choice answer counts once per picked choice.
    Options {
        /// Count per option.
        counts: Vec<u32>,
    },
    /// True/false.
    TrueFalse {
        /// Students who answered true.
        true_count: u32,
        /// Students who answered false.
        false_count: u32,
    },
    /// Numeric: each distinct value with its count, smallest first.
    Numbers {
        /// Values and counts.
        values: Vec<NumberCount>,
    },
    /// Short text: each distinct normalised text with its count, most
    /// frequent first.
    Texts {
        /// Texts and counts.
        values: Vec<TextCount>,
    },
    /// Ordering: `correct_per_position[p]` students put the right item at
    /// position `p`.
    Ordering {
        /// Count per position.
        correct_per_position: Vec<u32>,
    },
    /// Matching: `correct_per_prompt[i]` students matched prompt `i` right.
    Matching {
        /// Count per prompt.
        correct_per_prompt: Vec<u32>,
    },
    /// Word clouds: each distinct normalised word with its count, most
    /// frequent first.
    Words {
        /// Words and counts.
        words: Vec<TextCount>,
    },
}

/// A numeric answer value and how many students gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberCount {
    /// The value.
    pub value: f64,
    /// Number of students who gave it.
    pub count: u32,
}

/// A text or word and how many students gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCount {
    /// The normalised text.
    pub text: String,
    /// Number of students who gave it.
    pub count: u32,
}

/// Computes the distribution of `answers` to a question of `kind`.
///
/// `answers` are in the authored order, as [`crate::answer_check`] returns
/// them. Answers of another type are skipped.
pub fn distribution<'a>(
    kind: &QuestionKind,
    answers: impl IntoIterator<Item = &'a Answer>,
) -> Distribution {
    match kind {
        QuestionKind::SingleChoice { choices } | QuestionKind::MultipleChoice { choices, .. } => {
            option_counts(choices.len(), answers)
        }
        QuestionKind::Poll { options } => option_counts(options.len(), answers),
        QuestionKind::TrueFalse { .. } => {
            let (mut true_count, mut false_count) = (0, 0);
            for answer in answers {
                match answer {
                    Answer::Boolean { value: true } => true_count += 1,
                    Answer::Boolean { value: false } => false_count += 1,
                    _ => {}
                }
            }
            Distribution::TrueFalse {
                true_count,
                false_count,
            }
        }
        QuestionKind::Numeric { .. } => {
            let mut values: Vec<f64> = answers
                .into_iter()
                .filter_map(|answer| match answer {
                    Answer::Number { value } => Some(*value),
                    _ => None,
                })
                .collect();
            values.sort_by(f64::total_cmp);

            let mut counts: Vec<NumberCount> = Vec::new();
            for value in values {
                match counts.last_mut() {
                    Some(last) if last.value == value => last.count += 1,
                    _ => counts.push(NumberCount { value, count: 1 }),
                }
            }
            Distribution::Numbers { values: counts }
        }
        QuestionKind::ShortText { case_sensitive, .. } => {
            let texts = answers.into_iter().filter_map(|answer| match answer {
                Answer::Text { value } => Some(normalize_text(value, *case_sensitive)),
                _ => None,
            });
            Distribution::Texts {
                values: count_texts(texts),
            }
        }
        QuestionKind::Ordering { items } => {
            let mut counts = vec![0; items.len()];
            for answer in answers {
                if let Answer::Order { indices } = answer {
                    for (position, index) in indices.iter().enumerate() {
                        let placed = items.get(*index);
                        if placed.is_some() && placed == items.get(position) {
                            counts[position] += 1;
                        }
                    }
                }
            }
            Distribution::Ordering {
                correct_per_position: counts,
            }
        }
        QuestionKind::Matching { pairs, distractors } => {
            let mut counts = vec![0; pairs.len()];
            for answer in answers {
                if let Answer::Matching { answers: picked } = answer {
                    for (prompt, index) in picked.iter().enumerate().take(pairs.len()) {
                        let text = pairs
                            .get(*index)
                            .map(|pair| &pair.answer)
                            .or_else(|| distractors.get(index - pairs.len()));
                        if text == Some(&pairs[prompt].answer) {
                            counts[prompt] += 1;
                        }
                    }
                }
            }
            Distribution::Matching {
                correct_per_prompt: counts,
            }
        }
        QuestionKind::WordCloud { .. } => {
            let words = answers
                .into_iter()
                .filter_map(|answer| match answer {
                    Answer::Words { words } => Some(words),
                    _ => None,
                })
                .flatten()
                .map(|word| normalize_text(word, false));
            Distribution::Words {
                words: count_texts(words),
            }
        }
    }
}

fn option_counts<'a>(len: usize, answers: impl IntoIterator<Item = &'a Answer>) -> Distribution {
    let mut counts = vec![0; len];
    let mut add = |index: usize| {
        if let Some(count) = counts.get_mut(index) {
            *count += 1;
        }
    };

    for answer in answers {
        match answer {
            Answer::Choice { index } | Answer::Poll { index } => add(*index),
            Answer::Choices { indices } => indices.iter().for_each(|index| add(*index)),
            _ => {}
        }
    }
    Distribution::Options { counts }
}

/// Counts equal texts, most frequent first and alphabetically among ties.
fn count_texts(texts: impl Iterator<Item = String>) -> Vec<TextCount> {
    let mut counts: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    for text in texts.filter(|text| !text.is_empty()) {
        *counts.entry(text).or_default() += 1;
    }

    let mut list: Vec<TextCount> = counts
        .into_iter()
        .map(|(text, count)| TextCount { text, count })
        .collect();
    // The sort is stable, so ties keep the map's alphabetical order.
    list.sort_by_key(|entry| std::cmp::Reverse(entry.count));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Choice;

    #[test]
    fn option_counts_per_choice() {
        let kind = QuestionKind::MultipleChoice {
            choices: (0..3)
                .map(|i| Choice {
                    text: i.to_string(),
                    weight: 50.0,
                    feedback: None,
                })
                .collect(),
            penalties: false,
        };
        let answers = [
            Answer::Choices {
                indices: vec![0, 1],
            },
            Answer::Choices { indices: vec![1] },
        ];

        assert_eq!(
            distribution(&kind, &answers),
            Distribution::Options {
                counts: vec![1, 2, 0]
            }
        );
    }

    #[test]
    fn numbers_grouped_and_sorted() {
        let kind = QuestionKind::Numeric {
            answers: Vec::new(),
        };
        let answers = [3.0, 1.5, 3.0].map(|value| Answer::Number { value });

        assert_eq!(
            distribution(&kind, &answers),
            Distribution::Numbers {
                values: vec![
                    NumberCount {
                        value: 1.5,
                        count: 1
                    },
                    NumberCount {
                        value: 3.0,
                        count: 2
                    },
                ]
            }
        );
    }

    #[test]
    fn words_counted_case_folded() {
        let kind = QuestionKind::WordCloud { max_words: 3 };
        let answers = [
            Answer::Words {
                words: vec!["Rust".to_owned(), "fast".to_owned()],
            },
            Answer::Words {
                words: vec!["rust".to_owned()],
            },
        ];

        assert_eq!(
            distribution(&kind, &answers),
            Distribution::Words {
                words: vec![
                    TextCount {
                        text: "rust".to_owned(),
                        count: 2
                    },
                    TextCount {
                        text: "fast".to_owned(),
                        count: 1
                    },
                ]
            }
        );
    }

    #[test]
    fn true_false_counts() {
        let kind = QuestionKind::TrueFalse { answer: true };
        let answers = [true, true, false].map(|value| Answer::Boolean { value });

        assert_eq!(
            distribution(&kind, &answers),
            Distribution::TrueFalse {
                true_count: 2,
                false_count: 1
            }
        );
    }
}
