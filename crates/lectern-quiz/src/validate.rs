//! Quiz validation: the limits a quiz must meet before a run can start.
//!
//! [`validate`] checks every rule and returns every error it finds, so an
//! editor or importer can show them all at once. Lengths count Unicode
//! scalar values (`char`s), not bytes.

use std::fmt;

use serde::Serialize;

use crate::model::{Choice, Feedback, Question, QuestionKind, Quiz};
use crate::normalize::normalize_text;

/// Maximum length of the quiz title.
pub const MAX_QUIZ_TITLE_CHARS: usize = 200;
/// Maximum length of the quiz description.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Maximum number of questions in a quiz.
pub const MAX_QUESTIONS: usize = 200;
/// Maximum length of a question id.
pub const MAX_ID_CHARS: usize = 64;
/// Maximum length of a question title.
pub const MAX_QUESTION_TITLE_CHARS: usize = 200;
/// Maximum length of a question text.
pub const MAX_QUESTION_TEXT_CHARS: usize = 2000;
/// Maximum length of a choice, item, prompt, answer, option or accepted text.
pub const MAX_OPTION_CHARS: usize = 500;
/// Maximum length of one feedback text.
pub const MAX_FEEDBACK_CHARS: usize = 1000;
/// Maximum length of an image URL or path.
pub const MAX_IMAGE_CHARS: usize = 2048;
/// Shortest allowed time limit, in seconds.
pub const MIN_TIME_LIMIT_SECS: u32 = 5;
/// Longest allowed time limit, in seconds.
pub const MAX_TIME_LIMIT_SECS: u32 = 600;
/// Minimum number of choices, ordering items, matching pairs or poll options.
pub const MIN_OPTIONS: usize = 2;
/// Maximum number of choices, ordering items, matching pairs or poll options.
pub const MAX_OPTIONS: usize = 10;
/// Maximum number of accepted answers of a numeric question.
pub const MAX_NUMERIC_ANSWERS: usize = 10;
/// Maximum number of accepted texts of a short-text question.
pub const MAX_ACCEPTED_TEXTS: usize = 20;
/// Maximum number of distractors of a matching question.
pub const MAX_DISTRACTORS: usize = 10;
/// Largest `max_words` a word cloud may set.
pub const MAX_WORD_CLOUD_WORDS: u8 = 10;
/// Allowed difference between 100 and the sum of a multiple-choice
/// question's positive weights, so that three weights of 33.33333 (as
/// Moodle XML writes thirds) pass.
pub const WEIGHT_SUM_TOLERANCE: f64 = 0.01;

/// Part of a quiz that a validation error refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Location {
    /// The quiz itself: its title, description or question list.
    Quiz,
    /// One question.
    Question {
        /// Position in the quiz, counting from zero. Messages count from one.
        index: usize,
        /// The question's id as authored, which may itself be invalid.
        id: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Quiz => formatter.write_str("quiz"),
            Self::Question { index, id } => write!(formatter, "question {} ({id})", index + 1),
        }
    }
}

/// One broken rule, naming the question and field it concerns.
///
/// Displays as `question 3 (q-abc): choices: single_choice needs 2 to 10
/// choices, found 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: {field}: {message}")]
pub struct ValidationError {
    /// The quiz or question the error concerns.
    pub location: Location,
    /// Path of the field, such as `choices[2].weight`.
    pub field: String,
    /// Description of the problem and the allowed values.
    pub message: String,
}

/// Checks `quiz` against every rule of this module.
///
/// Returns all errors found, in quiz order, or `Ok(())` when there are none.
pub fn validate(quiz: &Quiz) -> Result<(), Vec<ValidationError>> {
    let mut errors = Errors::default();

    check_quiz(quiz, &mut errors);
    for (index, question) in quiz.questions.iter().enumerate() {
        let location = Location::Question {
            index,
            id: question.id.clone(),
        };
        let mut question_errors = QuestionErrors {
            location,
            errors: &mut errors,
        };
        check_question(question, &mut question_errors);
    }

    if errors.list.is_empty() {
        Ok(())
    } else {
        Err(errors.list)
    }
}

#[derive(Default)]
struct Errors {
    list: Vec<ValidationError>,
}

impl Errors {
    fn push(&mut self, location: &Location, field: &str, message: String) {
        self.list.push(ValidationError {
            location: location.clone(),
            field: field.to_owned(),
            message,
        });
    }
}

/// Errors of one question, so checks need not pass its location around.
struct QuestionErrors<'a> {
    location: Location,
    errors: &'a mut Errors,
}

impl QuestionErrors<'_> {
    fn push(&mut self, field: &str, message: String) {
        self.errors.push(&self.location, field, message);
    }

    fn text(&mut self, field: &str, value: &str, max: usize) {
        if let Some(message) = text_problem(value, max) {
            self.push(field, message);
        }
    }

    fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(field, value, max);
        }
    }

    fn count(&mut self, field: &str, kind: &str, found: usize, min: usize, max: usize) {
        if found < min || found > max {
            self.push(
                field,
                format!("{kind} needs {min} to {max} {field}, found {found}"),
            );
        }
    }

    fn weight(&mut self, field: &str, weight: f64, min: f64) {
        if !weight.is_finite() || weight < min || weight > 100.0 {
            self.push(
                field,
                format!("weight {weight} is out of range, expected {min} to 100 (percent)"),
            );
        }
    }
}

/// Returns why `value` is not a valid required text, if it is not.
fn text_problem(value: &str, max: usize) -> Option<String> {
    let length = value.chars().count();

    if value.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if length > max {
        Some(format!("is {length} characters long, max {max}"))
    } else {
        None
    }
}

fn check_quiz(quiz: &Quiz, errors: &mut Errors) {
    let location = Location::Quiz;

    if let Some(message) = text_problem(&quiz.title, MAX_QUIZ_TITLE_CHARS) {
        errors.push(&location, "title", message);
    }
    if let Some(description) = &quiz.description {
        let length = description.chars().count();
        if length > MAX_DESCRIPTION_CHARS {
            let message = format!("is {length} characters long, max {MAX_DESCRIPTION_CHARS}");
            errors.push(&location, "description", message);
        }
    }

    let count = quiz.questions.len();
    if count == 0 || count > MAX_QUESTIONS {
        let message = format!("a quiz needs 1 to {MAX_QUESTIONS} questions, found {count}");
        errors.push(&location, "questions", message);
    }

    let mut seen: Vec<&str> = Vec::with_capacity(count);
    for (index, question) in quiz.questions.iter().enumerate() {
        if let Some(first) = seen.iter().position(|id| *id == question.id) {
            let location = Location::Question {
                index,
                id: question.id.clone(),
            };
            let message = format!("duplicate id, question {} has it too", first + 1);
            errors.push(&location, "id", message);
        }
        seen.push(&question.id);
    }
}

fn check_question(question: &Question, errors: &mut QuestionErrors<'_>) {
    check_id(&question.id, errors);
    errors.optional_text("title", question.title.as_deref(), MAX_QUESTION_TITLE_CHARS);
    errors.text("text", &question.text, MAX_QUESTION_TEXT_CHARS);
    errors.optional_text("image", question.image.as_deref(), MAX_IMAGE_CHARS);
    check_feedback(&question.feedback, errors);

    let limit = question.time_limit_secs;
    if !(MIN_TIME_LIMIT_SECS..=MAX_TIME_LIMIT_SECS).contains(&limit) {
        errors.push(
            "time_limit_secs",
            format!(
                "time limit {limit} s is out of range, expected {MIN_TIME_LIMIT_SECS} to {MAX_TIME_LIMIT_SECS} s"
            ),
        );
    }

    check_kind(&question.kind, errors);
}

fn check_id(id: &str, errors: &mut QuestionErrors<'_>) {
    let length = id.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');

    if length == 0 || length > MAX_ID_CHARS {
        errors.push(
            "id",
            format!("id must be 1 to {MAX_ID_CHARS} characters, found {length}"),
        );
    } else if !id.chars().all(allowed) {
        errors.push(
            "id",
            "id may contain only ASCII letters, digits, '-', '_' and '.'".to_owned(),
        );
    }
}

fn check_feedback(feedback: &Feedback, errors: &mut QuestionErrors<'_>) {
    let texts = [
        ("feedback.general", &feedback.general),
        ("feedback.correct", &feedback.correct),
        ("feedback.incorrect", &feedback.incorrect),
    ];
    for (field, text) in texts {
        errors.optional_text(field, text.as_deref(), MAX_FEEDBACK_CHARS);
    }
}

fn check_kind(kind: &QuestionKind, errors: &mut QuestionErrors<'_>) {
    let name = kind.type_name();

    match kind {
        QuestionKind::SingleChoice { choices } => {
            check_choices(name, choices, errors);
            let has_full_credit = choices.iter().any(|choice| choice.weight == 100.0);
            if !choices.is_empty() && !has_full_credit {
                errors.push(
                    "choices",
                    format!("{name} needs a choice with weight 100 (the correct one)"),
                );
            }
        }
        QuestionKind::MultipleChoice { choices, .. } => {
            check_choices(name, choices, errors);
            let positive_sum: f64 = choices
                .iter()
                .map(|choice| choice.weight)
                .filter(|weight| weight.is_finite() && *weight > 0.0)
                .sum();
            if !choices.is_empty() && (positive_sum - 100.0).abs() > WEIGHT_SUM_TOLERANCE {
                errors.push(
                    "choices",
                    format!("{name} positive weights must add up to 100, found {positive_sum}"),
                );
            }
        }
        QuestionKind::TrueFalse { .. } => {}
        QuestionKind::Numeric { answers } => {
            errors.count("answers", name, answers.len(), 1, MAX_NUMERIC_ANSWERS);
            for (index, answer) in answers.iter().enumerate() {
                let field = format!("answers[{index}]");
                check_numeric_match(&field, &answer.matcher, errors);
                errors.weight(&format!("{field}.weight"), answer.weight, 0.0);
                let feedback = answer.feedback.as_deref();
                errors.optional_text(&format!("{field}.feedback"), feedback, MAX_FEEDBACK_CHARS);
            }
            require_full_credit(name, "answers", answers.iter().map(|a| a.weight), errors);
        }
        QuestionKind::ShortText {
            accepted,
            case_sensitive,
        } => {
            errors.count("accepted", name, accepted.len(), 1, MAX_ACCEPTED_TEXTS);
            for (index, text) in accepted.iter().enumerate() {
                let field = format!("accepted[{index}]");
                if normalize_text(&text.text, *case_sensitive).is_empty() {
                    errors.push(
                        &format!("{field}.text"),
                        "must not be empty after normalisation".to_owned(),
                    );
                } else {
                    errors.text(&format!("{field}.text"), &text.text, MAX_OPTION_CHARS);
                }
                errors.weight(&format!("{field}.weight"), text.weight, 0.0);
                let feedback = text.feedback.as_deref();
                errors.optional_text(&format!("{field}.feedback"), feedback, MAX_FEEDBACK_CHARS);
            }
            require_full_credit(name, "accepted", accepted.iter().map(|a| a.weight), errors);
        }
        QuestionKind::Ordering { items } => {
            errors.count("items", name, items.len(), MIN_OPTIONS, MAX_OPTIONS);
            for (index, item) in items.iter().enumerate() {
                errors.text(&format!("items[{index}]"), item, MAX_OPTION_CHARS);
            }
        }
        QuestionKind::Matching { pairs, distractors } => {
            errors.count("pairs", name, pairs.len(), MIN_OPTIONS, MAX_OPTIONS);
            for (index, pair) in pairs.iter().enumerate() {
                let field = format!("pairs[{index}]");
                errors.text(&format!("{field}.prompt"), &pair.prompt, MAX_OPTION_CHARS);
                errors.text(&format!("{field}.answer"), &pair.answer, MAX_OPTION_CHARS);
            }
            errors.count("distractors", name, distractors.len(), 0, MAX_DISTRACTORS);
            for (index, distractor) in distractors.iter().enumerate() {
                let field = format!("distractors[{index}]");
                errors.text(&field, distractor, MAX_OPTION_CHARS);
                if let Some(pair) = pairs.iter().position(|pair| pair.answer == *distractor) {
                    errors.push(
                        &field,
                        format!("distractor equals the answer of pairs[{pair}], so it would count as correct"),
                    );
                }
            }
        }
        QuestionKind::Poll { options } => {
            errors.count("options", name, options.len(), MIN_OPTIONS, MAX_OPTIONS);
            for (index, option) in options.iter().enumerate() {
                errors.text(&format!("options[{index}]"), option, MAX_OPTION_CHARS);
            }
        }
        QuestionKind::WordCloud { max_words } => {
            if !(1..=MAX_WORD_CLOUD_WORDS).contains(max_words) {
                errors.push(
                    "max_words",
                    format!("max_words {max_words} is out of range, expected 1 to {MAX_WORD_CLOUD_WORDS}"),
                );
            }
        }
    }
}

fn check_choices(kind: &str, choices: &[Choice], errors: &mut QuestionErrors<'_>) {
    errors.count("choices", kind, choices.len(), MIN_OPTIONS, MAX_OPTIONS);

    for (index, choice) in choices.iter().enumerate() {
        let field = format!("choices[{index}]");
        errors.text(&format!("{field}.text"), &choice.text, MAX_OPTION_CHARS);
        errors.weight(&format!("{field}.weight"), choice.weight, -100.0);
        let feedback = choice.feedback.as_deref();
        errors.optional_text(&format!("{field}.feedback"), feedback, MAX_FEEDBACK_CHARS);
    }
}

fn check_numeric_match(
    field: &str,
    matcher: &crate::model::NumericMatch,
    errors: &mut QuestionErrors<'_>,
) {
    use crate::model::NumericMatch;

    match *matcher {
        NumericMatch::Exact { value, tolerance } => {
            if !value.is_finite() {
                errors.push(
                    &format!("{field}.value"),
                    format!("value {value} is not a finite number"),
                );
            }
            if !tolerance.is_finite() || tolerance < 0.0 {
                errors.push(
                    &format!("{field}.tolerance"),
                    format!("tolerance {tolerance} must be a finite number, zero or more"),
                );
            }
        }
        NumericMatch::Range { min, max } => {
            if !min.is_finite() || !max.is_finite() {
                errors.push(field, format!("range {min}..{max} must have finite ends"));
            } else if min > max {
                errors.push(field, format!("range min {min} is greater than max {max}"));
            }
        }
    }
}

fn require_full_credit(
    kind: &str,
    field: &str,
    weights: impl Iterator<Item = f64>,
    errors: &mut QuestionErrors<'_>,
) {
    let mut weights = weights.peekable();
    if weights.peek().is_none() {
        return;
    }

    if !weights.any(|weight| weight == 100.0) {
        errors.push(
            field,
            format!("{kind} needs an answer with weight 100 (full credit)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AcceptedText, MatchPair, NumericAnswer, NumericMatch, PointsMode};

    fn question(id: &str, kind: QuestionKind) -> Question {
        Question {
            id: id.to_owned(),
            title: None,
            text: "Question text".to_owned(),
            kind,
            time_limit_secs: 20,
            points: PointsMode::Standard,
            image: None,
            feedback: Feedback::default(),
        }
    }

    fn choice(text: &str, weight: f64) -> Choice {
        Choice {
            text: text.to_owned(),
            weight,
            feedback: None,
        }
    }

    fn quiz(questions: Vec<Question>) -> Quiz {
        Quiz {
            title: "Quiz".to_owned(),
            description: None,
            questions,
        }
    }

    /// Returns the messages of the errors validating a one-question quiz.
    fn errors_of(kind: QuestionKind) -> Vec<String> {
        match validate(&quiz(vec![question("q-abc", kind)])) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn valid_kinds() -> Vec<QuestionKind> {
        vec![
            QuestionKind::SingleChoice {
                choices: vec![choice("a", 100.0), choice("b", -50.0)],
            },
            QuestionKind::MultipleChoice {
                choices: vec![
                    choice("a", 33.33333),
                    choice("b", 33.33333),
                    choice("c", 33.33333),
                    choice("d", -100.0),
                ],
                penalties: true,
            },
            QuestionKind::TrueFalse { answer: false },
            QuestionKind::Numeric {
                answers: vec![NumericAnswer {
                    matcher: NumericMatch::Range { min: 1.0, max: 1.0 },
                    weight: 100.0,
                    feedback: None,
                }],
            },
            QuestionKind::ShortText {
                accepted: vec![AcceptedText {
                    text: "Paris".to_owned(),
                    weight: 100.0,
                    feedback: None,
                }],
                case_sensitive: false,
            },
            QuestionKind::Ordering {
                items: vec!["a".to_owned(), "b".to_owned()],
            },
            QuestionKind::Matching {
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
            },
            QuestionKind::Poll {
                options: vec!["yes".to_owned(), "no".to_owned()],
            },
            QuestionKind::WordCloud { max_words: 3 },
        ]
    }

    #[test]
    fn valid_kinds_pass() {
        for kind in valid_kinds() {
            let name = kind.type_name();
            assert_eq!(errors_of(kind), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn error_names_question_and_field() {
        let messages = errors_of(QuestionKind::SingleChoice {
            choices: vec![choice("a", 100.0)],
        });

        assert_eq!(
            messages,
            vec!["question 1 (q-abc): choices: single_choice needs 2 to 10 choices, found 1"]
        );
    }

    #[test]
    fn validate_returns_all_errors() {
        let mut bad = question("bad id", QuestionKind::TrueFalse { answer: true });
        bad.time_limit_secs = 3;
        bad.text = " ".to_owned();
        let mut quiz = quiz(vec![bad]);
        quiz.title = String::new();

        let errors = validate(&quiz).expect_err("invalid quiz");
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();

        assert_eq!(fields, vec!["title", "id", "text", "time_limit_secs"]);
    }

    #[test]
    fn question_count_limits() {
        let errors = validate(&quiz(Vec::new())).expect_err("empty quiz");
        assert_eq!(
            errors[0].to_string(),
            "quiz: questions: a quiz needs 1 to 200 questions, found 0"
        );
    }

    #[test]
    fn duplicate_ids_rejected() {
        let kind = QuestionKind::TrueFalse { answer: true };
        let quiz = quiz(vec![question("q1", kind.clone()), question("q1", kind)]);

        let errors = validate(&quiz).expect_err("duplicate ids");
        assert_eq!(
            errors[0].to_string(),
            "question 2 (q1): id: duplicate id, question 1 has it too"
        );
    }

    #[test]
    fn time_limit_bounds() {
        for (limit, valid) in [(4, false), (5, true), (600, true), (601, false)] {
            let mut question = question("q1", QuestionKind::TrueFalse { answer: true });
            question.time_limit_secs = limit;
            assert_eq!(validate(&quiz(vec![question])).is_ok(), valid, "{limit} s");
        }
    }

    #[test]
    fn rule_messages() {
        let cases: Vec<(QuestionKind, &str)> = vec![
            (
                QuestionKind::SingleChoice {
                    choices: vec![choice("a", 50.0), choice("b", 0.0)],
                },
                "question 1 (q-abc): choices: single_choice needs a choice with weight 100 (the correct one)",
            ),
            (
                QuestionKind::SingleChoice {
                    choices: vec![choice("a", 100.0), choice("b", 150.0)],
                },
                "question 1 (q-abc): choices[1].weight: weight 150 is out of range, expected -100 to 100 (percent)",
            ),
            (
                QuestionKind::MultipleChoice {
                    choices: vec![choice("a", 50.0), choice("b", 40.0)],
                    penalties: false,
                },
                "question 1 (q-abc): choices: multiple_choice positive weights must add up to 100, found 90",
            ),
            (
                QuestionKind::SingleChoice {
                    choices: vec![choice("a", 100.0), choice("", 0.0)],
                },
                "question 1 (q-abc): choices[1].text: must not be empty",
            ),
            (
                QuestionKind::Numeric {
                    answers: vec![NumericAnswer {
                        matcher: NumericMatch::Range { min: 2.0, max: 1.0 },
                        weight: 100.0,
                        feedback: None,
                    }],
                },
                "question 1 (q-abc): answers[0]: range min 2 is greater than max 1",
            ),
            (
                QuestionKind::Numeric {
                    answers: vec![NumericAnswer {
                        matcher: NumericMatch::Exact {
                            value: 1.0,
                            tolerance: -1.0,
                        },
                        weight: 100.0,
                        feedback: None,
                    }],
                },
                "question 1 (q-abc): answers[0].tolerance: tolerance -1 must be a finite number, zero or more",
            ),
            (
                QuestionKind::Numeric {
                    answers: vec![NumericAnswer {
                        matcher: NumericMatch::Exact {
                            value: 1.0,
                            tolerance: 0.0,
                        },
                        weight: 50.0,
                        feedback: None,
                    }],
                },
                "question 1 (q-abc): answers: numeric needs an answer with weight 100 (full credit)",
            ),
            (
                QuestionKind::ShortText {
                    accepted: vec![AcceptedText {
                        text: " \t ".to_owned(),
                        weight: 100.0,
                        feedback: None,
                    }],
                    case_sensitive: false,
                },
                "question 1 (q-abc): accepted[0].text: must not be empty after normalisation",
            ),
            (
                QuestionKind::ShortText {
                    accepted: Vec::new(),
                    case_sensitive: false,
                },
                "question 1 (q-abc): accepted: short_text needs 1 to 20 accepted, found 0",
            ),
            (
                QuestionKind::Ordering {
                    items: vec!["only".to_owned()],
                },
                "question 1 (q-abc): items: ordering needs 2 to 10 items, found 1",
            ),
            (
                QuestionKind::Ordering {
                    items: (0..11).map(|i| i.to_string()).collect(),
                },
                "question 1 (q-abc): items: ordering needs 2 to 10 items, found 11",
            ),
            (
                QuestionKind::Matching {
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
                    distractors: vec!["one".to_owned()],
                },
                "question 1 (q-abc): distractors[0]: distractor equals the answer of pairs[0], so it would count as correct",
            ),
            (
                QuestionKind::Poll {
                    options: vec!["only".to_owned()],
                },
                "question 1 (q-abc): options: poll needs 2 to 10 options, found 1",
            ),
            (
                QuestionKind::WordCloud { max_words: 0 },
                "question 1 (q-abc): max_words: max_words 0 is out of range, expected 1 to 10",
            ),
        ];

        for (kind, expected) in cases {
            assert_eq!(errors_of(kind), vec![expected.to_owned()]);
        }
    }

    #[test]
    fn text_length_limits() {
        let mut long = question("q1", QuestionKind::TrueFalse { answer: true });
        long.text = "x".repeat(MAX_QUESTION_TEXT_CHARS + 1);

        let errors = validate(&quiz(vec![long])).expect_err("text too long");
        assert_eq!(
            errors[0].to_string(),
            "question 1 (q1): text: is 2001 characters long, max 2000"
        );
    }

    #[test]
    fn error_serialises_location() {
        let error = ValidationError {
            location: Location::Question {
                index: 2,
                id: "q-abc".to_owned(),
            },
            field: "text".to_owned(),
            message: "must not be empty".to_owned(),
        };

        let json = serde_json::to_value(&error).expect("serialises");
        assert_eq!(json["location"]["scope"], "question");
        assert_eq!(json["location"]["index"], 2);
        assert_eq!(json["field"], "text");
    }
}
