//! Scoring: partial credit of an answer, the time factor and streak bonus.
//!
//! All functions are pure. The formula is in the crate documentation:
//! `points = round(base * credit * (1 - (response_time / time_limit) / 2))`.

use serde::{Deserialize, Serialize};

use crate::model::{Answer, PointsMode, QuestionKind};
use crate::normalize::normalize_text;

/// Base points of a standard question.
pub const STANDARD_POINTS: u32 = 1000;
/// Base points of a double-points question.
pub const DOUBLE_POINTS: u32 = 2000;

/// Credits this close to 1 count as full credit, so that multiple-choice
/// weights of 33.33333 picked together make a correct answer.
const FULL_CREDIT_EPSILON: f64 = 1e-4;

/// How well an answer matched the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correctness {
    /// Full credit.
    Correct,
    /// Some credit, less than full.
    Partial,
    /// No credit.
    Incorrect,
    /// A poll or word cloud, which has no correct answer.
    Unscored,
}

impl Correctness {
    /// Classifies `credit` for a question of `kind`.
    pub fn from_credit(kind: &QuestionKind, credit: f64) -> Self {
        if !kind.is_scored() {
            Self::Unscored
        } else if credit >= 1.0 {
            Self::Correct
        } else if credit > 0.0 {
            Self::Partial
        } else {
            Self::Incorrect
        }
    }
}

/// Returns the base points of `mode`: 1000, 2000 or 0.
pub fn base_points(mode: PointsMode) -> u32 {
    match mode {
        PointsMode::Standard => STANDARD_POINTS,
        PointsMode::Double => DOUBLE_POINTS,
        PointsMode::NoPoints => 0,
    }
}

/// Returns `1 - (response_time / time_limit) / 2`: 1 for an instant answer,
/// 0.5 at the deadline.
///
/// `response_ms` is clamped to `0..=time_limit_ms`. A zero time limit gives
/// 0.5, the deadline's factor.
pub fn time_factor(response_ms: u64, time_limit_ms: u64) -> f64 {
    if time_limit_ms == 0 {
        return 0.5;
    }

    let elapsed = response_ms.min(time_limit_ms) as f64;
    1.0 - (elapsed / time_limit_ms as f64) / 2.0
}

/// Returns `round(base * credit * time_factor)`, rounding half away from zero.
///
/// `credit` is clamped to `0..=1`, and a NaN credit earns nothing.
pub fn points(base: u32, credit: f64, response_ms: u64, time_limit_ms: u64) -> u32 {
    let credit = if credit.is_nan() {
        0.0
    } else {
        credit.clamp(0.0, 1.0)
    };
    let exact = f64::from(base) * credit * time_factor(response_ms, time_limit_ms);

    // The product lies in 0..=base, so the cast neither truncates nor wraps.
    exact.round() as u32
}

/// Bonus points for answering several questions in a row correctly.
///
/// A student's streak is the number of consecutive fully correct answers
/// to scored questions, counting the current one. A wrong, partial or
/// missing answer resets it to zero. Polls, word clouds and questions worth
/// no points leave it unchanged and earn no bonus. The bonus is
/// `min(per_answer * (streak - 1), max)`: nothing for the first correct
/// answer, then +100, +200 and so on up to +500 with the default values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreakBonus {
    /// Points added per correct answer in a row beyond the first.
    pub per_answer: u32,
    /// Maximum bonus on one answer.
    pub max: u32,
}

impl Default for StreakBonus {
    fn default() -> Self {
        Self {
            per_answer: 100,
            max: 500,
        }
    }
}

impl StreakBonus {
    /// Returns the bonus for an answer that brings the streak to `streak`.
    pub fn bonus(&self, streak: u32) -> u32 {
        self.per_answer
            .saturating_mul(streak.saturating_sub(1))
            .min(self.max)
    }
}

/// Returns the credit of `answer` for a question of `kind`, from 0 to 1.
///
/// Indices in `answer` refer to the authored order, not the shuffled
/// display order. An answer of the wrong type or with out-of-range indices
/// earns 0: the run rejects those before scoring.
pub fn credit(kind: &QuestionKind, answer: &Answer) -> f64 {
    let raw = match (kind, answer) {
        (QuestionKind::SingleChoice { choices }, Answer::Choice { index }) => choices
            .get(*index)
            .map_or(0.0, |choice| choice.weight / 100.0),
        (QuestionKind::MultipleChoice { choices, penalties }, Answer::Choices { indices }) => {
            let mut picked: Vec<usize> = indices.clone();
            picked.sort_unstable();
            picked.dedup();

            let sum: f64 = picked
                .iter()
                .filter_map(|index| choices.get(*index))
                .map(|choice| choice.weight)
                .filter(|weight| *penalties || *weight > 0.0)
                .sum();
            sum / 100.0
        }
        (QuestionKind::TrueFalse { answer: key }, Answer::Boolean { value }) if key == value => 1.0,
        (QuestionKind::Numeric { answers }, Answer::Number { value }) => answers
            .iter()
            .filter(|accepted| value.is_finite() && accepted.matcher.accepts(*value))
            .map(|accepted| accepted.weight / 100.0)
            .fold(0.0, f64::max),
        (
            QuestionKind::ShortText {
                accepted,
                case_sensitive,
            },
            Answer::Text { value },
        ) => {
            let given = normalize_text(value, *case_sensitive);
            accepted
                .iter()
                .filter(|text| normalize_text(&text.text, *case_sensitive) == given)
                .map(|text| text.weight / 100.0)
                .fold(0.0, f64::max)
        }
        (QuestionKind::Ordering { items }, Answer::Order { indices }) => {
            // Compare texts, so two identical items may swap places.
            let in_place = indices
                .iter()
                .enumerate()
                .filter(|(position, index)| {
                    let placed = items.get(**index);
                    placed.is_some() && placed == items.get(*position)
                })
                .count();
            fraction(in_place, items.len())
        }
        (QuestionKind::Matching { pairs, distractors }, Answer::Matching { answers }) => {
            // Answers are the pairs' answers followed by the distractors.
            let answer_text = |index: usize| {
                pairs
                    .get(index)
                    .map(|pair| pair.answer.as_str())
                    .or_else(|| distractors.get(index - pairs.len()).map(String::as_str))
            };
            let matched = pairs
                .iter()
                .zip(answers)
                .filter(|(pair, index)| answer_text(**index) == Some(pair.answer.as_str()))
                .count();
            fraction(matched, pairs.len())
        }
        _ => 0.0,
    };

    snap_credit(raw)
}

fn fraction(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// Clamps `credit` to `0..=1` and rounds values within
/// [`FULL_CREDIT_EPSILON`] of 1 up to 1.
fn snap_credit(credit: f64) -> f64 {
    if credit.is_nan() || credit <= 0.0 {
        0.0
    } else if credit >= 1.0 - FULL_CREDIT_EPSILON {
        1.0
    } else {
        credit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AcceptedText, Choice, MatchPair, NumericAnswer, NumericMatch};

    const LIMIT_MS: u64 = 20_000;

    #[test]
    fn points_table() {
        // (base, credit, response ms, expected points)
        let cases = [
            (1000, 1.0, 0, 1000),
            (1000, 1.0, 10_000, 750),
            (1000, 1.0, 20_000, 500),
            (1000, 1.0, 25_000, 500),
            (2000, 1.0, 0, 2000),
            (2000, 1.0, 20_000, 1000),
            (1000, 0.5, 5_000, 438),
            (1000, 0.0, 0, 0),
            (0, 1.0, 0, 0),
            (1000, 1.0, 1, 1000),
            (1000, 1.0, 3_000, 925),
            (1000, 1.0 / 3.0, 0, 333),
            (1000, 2.0, 0, 1000),
            (1000, -1.0, 0, 0),
            (1000, f64::NAN, 0, 0),
        ];

        for (base, credit, response_ms, expected) in cases {
            assert_eq!(
                points(base, credit, response_ms, LIMIT_MS),
                expected,
                "base {base}, credit {credit}, response {response_ms} ms"
            );
        }
    }

    #[test]
    fn time_factor_zero_limit() {
        assert_eq!(time_factor(0, 0), 0.5);
    }

    #[test]
    fn base_points_per_mode() {
        assert_eq!(base_points(PointsMode::Standard), 1000);
        assert_eq!(base_points(PointsMode::Double), 2000);
        assert_eq!(base_points(PointsMode::NoPoints), 0);
    }

    #[test]
    fn streak_bonus_table() {
        let bonus = StreakBonus::default();
        let expected = [
            (0, 0),
            (1, 0),
            (2, 100),
            (3, 200),
            (6, 500),
            (7, 500),
            (1000, 500),
        ];

        for (streak, points) in expected {
            assert_eq!(bonus.bonus(streak), points, "streak {streak}");
        }
        assert_eq!(
            StreakBonus {
                per_answer: u32::MAX,
                max: u32::MAX
            }
            .bonus(3),
            u32::MAX
        );
    }

    fn choice(weight: f64) -> Choice {
        Choice {
            text: format!("weight {weight}"),
            weight,
            feedback: None,
        }
    }

    #[test]
    fn single_choice_credit() {
        let kind = QuestionKind::SingleChoice {
            choices: vec![choice(100.0), choice(50.0), choice(-50.0)],
        };

        assert_eq!(credit(&kind, &Answer::Choice { index: 0 }), 1.0);
        assert_eq!(credit(&kind, &Answer::Choice { index: 1 }), 0.5);
        assert_eq!(credit(&kind, &Answer::Choice { index: 2 }), 0.0);
        assert_eq!(credit(&kind, &Answer::Choice { index: 9 }), 0.0);
        assert_eq!(credit(&kind, &Answer::Boolean { value: true }), 0.0);
    }

    #[test]
    fn multiple_choice_credit() {
        let choices = vec![choice(50.0), choice(50.0), choice(-50.0), choice(0.0)];
        let with_penalties = QuestionKind::MultipleChoice {
            choices: choices.clone(),
            penalties: true,
        };
        let without = QuestionKind::MultipleChoice {
            choices,
            penalties: false,
        };
        // (picked, credit with penalties, credit without)
        let cases: [(Vec<usize>, f64, f64); 6] = [
            (vec![0, 1], 1.0, 1.0),
            (vec![0], 0.5, 0.5),
            (vec![0, 2], 0.0, 0.5),
            (vec![2], 0.0, 0.0),
            (vec![0, 1, 2, 3], 0.5, 1.0),
            (vec![0, 0, 0], 0.5, 0.5),
        ];

        for (indices, penalised, plain) in cases {
            let answer = Answer::Choices {
                indices: indices.clone(),
            };
            assert_eq!(credit(&with_penalties, &answer), penalised, "{indices:?}");
            assert_eq!(credit(&without, &answer), plain, "{indices:?}");
        }
    }

    #[test]
    fn multiple_choice_thirds_full_credit() {
        let kind = QuestionKind::MultipleChoice {
            choices: vec![choice(33.33333), choice(33.33333), choice(33.33333)],
            penalties: false,
        };
        let answer = Answer::Choices {
            indices: vec![0, 1, 2],
        };

        assert_eq!(credit(&kind, &answer), 1.0);
    }

    #[test]
    fn true_false_credit() {
        let kind = QuestionKind::TrueFalse { answer: false };

        assert_eq!(credit(&kind, &Answer::Boolean { value: false }), 1.0);
        assert_eq!(credit(&kind, &Answer::Boolean { value: true }), 0.0);
    }

    #[test]
    fn numeric_credit_takes_best_match() {
        let kind = QuestionKind::Numeric {
            answers: vec![
                NumericAnswer {
                    matcher: NumericMatch::Exact {
                        value: 2.5,
                        tolerance: 0.005,
                    },
                    weight: 100.0,
                    feedback: None,
                },
                NumericAnswer {
                    matcher: NumericMatch::Range { min: 2.0, max: 3.5 },
                    weight: 50.0,
                    feedback: None,
                },
            ],
        };
        let cases = [
            (2.5, 1.0),
            (2.504, 1.0),
            (3.2, 0.5),
            (3.5, 0.5),
            (4.0, 0.0),
            (f64::NAN, 0.0),
            (f64::INFINITY, 0.0),
        ];

        for (value, expected) in cases {
            assert_eq!(
                credit(&kind, &Answer::Number { value }),
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn short_text_credit() {
        let accepted = vec![
            AcceptedText {
                text: "Paris".to_owned(),
                weight: 100.0,
                feedback: None,
            },
            AcceptedText {
                text: "Lutetia".to_owned(),
                weight: 50.0,
                feedback: None,
            },
        ];
        let folded = QuestionKind::ShortText {
            accepted: accepted.clone(),
            case_sensitive: false,
        };
        let exact = QuestionKind::ShortText {
            accepted,
            case_sensitive: true,
        };
        let text = |value: &str| Answer::Text {
            value: value.to_owned(),
        };

        assert_eq!(credit(&folded, &text("  paris ")), 1.0);
        assert_eq!(credit(&folded, &text("Ｐａｒｉｓ")), 1.0);
        assert_eq!(credit(&folded, &text("lutetia")), 0.5);
        assert_eq!(credit(&folded, &text("London")), 0.0);
        assert_eq!(credit(&exact, &text("paris")), 0.0);
        assert_eq!(credit(&exact, &text(" Paris")), 1.0);
    }

    #[test]
    fn ordering_credit_counts_positions() {
        let kind = QuestionKind::Ordering {
            items: ["a", "b", "c", "d"].map(str::to_owned).to_vec(),
        };
        let order = |indices: &[usize]| Answer::Order {
            indices: indices.to_vec(),
        };

        assert_eq!(credit(&kind, &order(&[0, 1, 2, 3])), 1.0);
        assert_eq!(credit(&kind, &order(&[1, 0, 2, 3])), 0.5);
        assert_eq!(credit(&kind, &order(&[3, 2, 1, 0])), 0.0);
        assert_eq!(credit(&kind, &order(&[0, 2, 3, 1])), 0.25);
    }

    #[test]
    fn ordering_equal_items_interchange() {
        let kind = QuestionKind::Ordering {
            items: ["x", "x", "y"].map(str::to_owned).to_vec(),
        };
        let answer = Answer::Order {
            indices: vec![1, 0, 2],
        };

        assert_eq!(credit(&kind, &answer), 1.0);
    }

    #[test]
    fn matching_credit_counts_pairs() {
        let pair = |prompt: &str, answer: &str| MatchPair {
            prompt: prompt.to_owned(),
            answer: answer.to_owned(),
        };
        let kind = QuestionKind::Matching {
            pairs: vec![pair("1", "one"), pair("2", "two"), pair("3", "one")],
            distractors: vec!["four".to_owned()],
        };
        let matching = |answers: &[usize]| Answer::Matching {
            answers: answers.to_vec(),
        };

        assert_eq!(credit(&kind, &matching(&[0, 1, 2])), 1.0);
        assert_eq!(credit(&kind, &matching(&[2, 1, 0])), 1.0);
        assert_eq!(credit(&kind, &matching(&[1, 1, 3])), 1.0 / 3.0);
        assert_eq!(credit(&kind, &matching(&[3, 3, 3])), 0.0);
        assert_eq!(credit(&kind, &matching(&[9, 9, 9])), 0.0);
    }

    #[test]
    fn unscored_kinds_credit_zero() {
        let poll = QuestionKind::Poll {
            options: vec!["a".to_owned(), "b".to_owned()],
        };
        let cloud = QuestionKind::WordCloud { max_words: 3 };

        assert_eq!(credit(&poll, &Answer::Poll { index: 0 }), 0.0);
        assert_eq!(
            credit(
                &cloud,
                &Answer::Words {
                    words: vec!["x".to_owned()]
                }
            ),
            0.0
        );
        assert_eq!(Correctness::from_credit(&poll, 1.0), Correctness::Unscored);
    }

    #[test]
    fn correctness_from_credit() {
        let kind = QuestionKind::TrueFalse { answer: true };

        assert_eq!(Correctness::from_credit(&kind, 1.0), Correctness::Correct);
        assert_eq!(Correctness::from_credit(&kind, 0.5), Correctness::Partial);
        assert_eq!(Correctness::from_credit(&kind, 0.0), Correctness::Incorrect);
    }
}
