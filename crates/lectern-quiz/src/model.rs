//! The quiz model: what a teacher authors and what a student submits.
//!
//! Every type here is plain data with serde derives, so a quiz can be stored
//! as JSON, sent to the teacher's editor and produced by the importers.
//! Nothing here checks limits: [`crate::validate()`] does, and a
//! [`crate::Run`] only starts from a quiz that passes it.
//!
//! Weights are percentages of a question's points, as GIFT and Moodle XML
//! write them: `100.0` is full credit, `50.0` half, `-25.0` a penalty.
//!
//! JSON shape of a question (fields with defaults may be left out):
//!
//! ```json
//! {
//!   "id": "q1",
//!   "text": "Which planet is largest?",
//!   "type": "single_choice",
//!   "choices": [
//!     { "text": "Jupiter", "weight": 100 },
//!     { "text": "Mars", "weight": 0, "feedback": "Mars is smaller than Earth." }
//!   ],
//!   "time_limit_secs": 20
//! }
//! ```

use serde::{Deserialize, Serialize};

/// Time limit a question gets when its JSON leaves `time_limit_secs` out.
pub const DEFAULT_TIME_LIMIT_SECS: u32 = 20;

/// A quiz as the teacher authored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quiz {
    /// Title shown in the lobby and on exports.
    pub title: String,
    /// Optional longer description, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Questions in the order they are asked.
    pub questions: Vec<Question>,
}

/// One question of a quiz.
///
/// `text`, `title`, choice texts and feedback are plain text: clients must
/// render them as text, never as HTML. Importers convert other formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Identifier unique within the quiz: 1 to 64 ASCII letters, digits,
    /// `-`, `_` or `.`. Results and exports refer to questions by it.
    pub id: String,
    /// Short name, as a GIFT `::title::` gives it. Not shown to students.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The question text shown to students.
    pub text: String,
    /// The kind of question and its answer key.
    #[serde(flatten)]
    pub kind: QuestionKind,
    /// Seconds students have to answer, 5 to 600.
    #[serde(default = "default_time_limit")]
    pub time_limit_secs: u32,
    /// How many points a correct answer is worth.
    #[serde(default)]
    pub points: PointsMode,
    /// URL or path of an image shown with the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Feedback shown to students once the answer is revealed.
    #[serde(default, skip_serializing_if = "Feedback::is_empty")]
    pub feedback: Feedback,
}

fn default_time_limit() -> u32 {
    DEFAULT_TIME_LIMIT_SECS
}

/// Base points of a question, before partial credit and the time factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsMode {
    /// 1000 points.
    #[default]
    Standard,
    /// 2000 points.
    Double,
    /// No points: answers are still checked and revealed, but earn nothing
    /// and leave the answer streak unchanged.
    #[serde(rename = "none")]
    NoPoints,
}

/// Feedback texts shown once the answer is revealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Shown to everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general: Option<String>,
    /// Shown to students who earned full credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<String>,
    /// Shown to students who earned less than full credit or did not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorrect: Option<String>,
}

impl Feedback {
    /// Returns true when no feedback text is set.
    pub fn is_empty(&self) -> bool {
        self.general.is_none() && self.correct.is_none() && self.incorrect.is_none()
    }
}

/// The kind of a question together with its answer key.
///
/// Serialised with a `type` tag in snake_case, flattened into [`Question`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Students pick one choice. The picked choice's weight is the credit,
    /// and a negative weight counts as zero. At least one choice weighs 100.
    SingleChoice {
        /// 2 to 10 choices, shown in this order.
        choices: Vec<Choice>,
    },
    /// Students pick any number of choices, one at least. The credit is the
    /// sum of the picked choices' weights. Positive weights add up to 100.
    MultipleChoice {
        /// 2 to 10 choices, shown in this order.
        choices: Vec<Choice>,
        /// When true, picked choices with negative weights subtract, and
        /// the credit is floored at zero. When false, negative weights count
        /// as zero, so picking every choice earns full credit: set it for
        /// any question where guessing should cost something.
        #[serde(default)]
        penalties: bool,
    },
    /// Students answer true or false.
    TrueFalse {
        /// The correct answer.
        answer: bool,
    },
    /// Students type a number. The credit is the largest weight among the
    /// answers that match it.
    Numeric {
        /// 1 to 10 accepted answers. One at least weighs 100.
        answers: Vec<NumericAnswer>,
    },
    /// Students type a short text, compared after
    /// [`crate::normalize::normalize_text`]. The credit is the largest
    /// weight among the accepted texts that match it.
    ShortText {
        /// 1 to 20 accepted texts. One at least weighs 100.
        accepted: Vec<AcceptedText>,
        /// When false, letter case is ignored.
        #[serde(default)]
        case_sensitive: bool,
    },
    /// Students put items in order. The credit is the fraction of items in
    /// their correct position.
    Ordering {
        /// 2 to 10 items, given in the correct order. Students see them
        /// shuffled.
        items: Vec<String>,
    },
    /// Students match each prompt with an answer. The credit is the fraction
    /// of prompts matched correctly.
    Matching {
        /// 2 to 10 pairs. Students see the prompts in this order and the
        /// answers shuffled.
        pairs: Vec<MatchPair>,
        /// Wrong answers offered beside the pairs' answers, as Moodle XML
        /// writes them (a subquestion with an empty prompt).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        distractors: Vec<String>,
    },
    /// Students pick one option. Unscored: every answer earns nothing.
    Poll {
        /// 2 to 10 options.
        options: Vec<String>,
    },
    /// Students type up to `max_words` words. Unscored.
    WordCloud {
        /// Maximum number of words in one answer, 1 to 10.
        max_words: u8,
    },
}

impl QuestionKind {
    /// Returns the snake_case name used as the JSON `type` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::TrueFalse { .. } => "true_false",
            Self::Numeric { .. } => "numeric",
            Self::ShortText { .. } => "short_text",
            Self::Ordering { .. } => "ordering",
            Self::Matching { .. } => "matching",
            Self::Poll { .. } => "poll",
            Self::WordCloud { .. } => "word_cloud",
        }
    }

    /// Returns true for kinds that have a correct answer. Polls and word
    /// clouds do not, so they earn no points whatever their [`PointsMode`].
    pub fn is_scored(&self) -> bool {
        !matches!(self, Self::Poll { .. } | Self::WordCloud { .. })
    }
}

/// One choice of a single- or multiple-choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Text shown to students.
    pub text: String,
    /// Credit in percent, -100 to 100.
    pub weight: f64,
    /// Feedback shown after reveal to students who picked this choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// One accepted answer of a numeric question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    /// Numbers this answer accepts.
    #[serde(flatten)]
    pub matcher: NumericMatch,
    /// Credit in percent, 0 to 100.
    pub weight: f64,
    /// Feedback shown after reveal to students whose answer matched this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// The numbers a [`NumericAnswer`] accepts. Serialised with a `match` tag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "match", rename_all = "snake_case")]
pub enum NumericMatch {
    /// Numbers within `tolerance` of `value`, both ends included.
    Exact {
        /// The expected number.
        value: f64,
        /// Allowed absolute difference, zero or more.
        #[serde(default)]
        tolerance: f64,
    },
    /// Numbers from `min` to `max`, both ends included.
    Range {
        /// Smallest accepted number.
        min: f64,
        /// Largest accepted number.
        max: f64,
    },
}

impl NumericMatch {
    /// Returns true when `value` is accepted.
    pub fn accepts(&self, value: f64) -> bool {
        match *self {
            Self::Exact {
                value: expected,
                tolerance,
            } => (value - expected).abs() <= tolerance,
            Self::Range { min, max } => min <= value && value <= max,
        }
    }
}

/// One accepted answer of a short-text question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedText {
    /// The accepted text, compared after normalisation.
    pub text: String,
    /// Credit in percent, 0 to 100.
    pub weight: f64,
    /// Feedback shown after reveal to students whose answer matched this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// One prompt of a matching question with its correct answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchPair {
    /// Text on the left, shown in the authored order.
    pub prompt: String,
    /// Text on the right, shown shuffled.
    pub answer: String,
}

/// A student's answer to one question. Serialised with a `type` tag.
///
/// Indices count from zero and refer to what the student was shown in
/// [`crate::StudentQuestion`]: ordering items and matching answers are
/// shuffled there, so their indices are display positions, which the run
/// maps back to the authored order before scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// For single choice: the picked choice.
    Choice {
        /// Index of the picked choice.
        index: usize,
    },
    /// For multiple choice: the picked choices, one at least, no repeats.
    Choices {
        /// Indices of the picked choices.
        indices: Vec<usize>,
    },
    /// For true/false.
    Boolean {
        /// The student's answer.
        value: bool,
    },
    /// For numeric questions. Must be finite.
    Number {
        /// The student's answer.
        value: f64,
    },
    /// For short-text questions.
    Text {
        /// The student's answer.
        value: String,
    },
    /// For ordering: every displayed item once, first item first.
    Order {
        /// Displayed item indices in the order the student put them.
        indices: Vec<usize>,
    },
    /// For matching: one displayed answer per prompt.
    Matching {
        /// `answers[i]` is the displayed answer index picked for prompt `i`.
        answers: Vec<usize>,
    },
    /// For polls: the picked option.
    Poll {
        /// Index of the picked option.
        index: usize,
    },
    /// For word clouds: up to `max_words` words.
    Words {
        /// The student's words.
        words: Vec<String>,
    },
}

impl Answer {
    /// Returns the snake_case name used as the JSON `type` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Choice { .. } => "choice",
            Self::Choices { .. } => "choices",
            Self::Boolean { .. } => "boolean",
            Self::Number { .. } => "number",
            Self::Text { .. } => "text",
            Self::Order { .. } => "order",
            Self::Matching { .. } => "matching",
            Self::Poll { .. } => "poll",
            Self::Words { .. } => "words",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_json_round_trip() {
        let json = r#"{
            "id": "q1",
            "text": "Which planet is largest?",
            "type": "single_choice",
            "choices": [
                { "text": "Jupiter", "weight": 100 },
                { "text": "Mars", "weight": 0, "feedback": "Too small." }
            ]
        }"#;
        let question: Question = serde_json::from_str(json).expect("valid question JSON");

        assert_eq!(question.time_limit_secs, DEFAULT_TIME_LIMIT_SECS);
        assert_eq!(question.points, PointsMode::Standard);
        assert_eq!(question.kind.type_name(), "single_choice");

        let text = serde_json::to_string(&question).expect("serialises");
        let back: Question = serde_json::from_str(&text).expect("round trip");
        assert_eq!(back, question);
    }

    #[test]
    fn numeric_answer_json_shape() {
        let json = r#"[
            { "match": "exact", "value": 3.14, "tolerance": 0.01, "weight": 100 },
            { "match": "range", "min": 3, "max": 4, "weight": 50 }
        ]"#;
        let answers: Vec<NumericAnswer> = serde_json::from_str(json).expect("valid JSON");

        assert!(answers[0].matcher.accepts(3.15));
        assert!(!answers[0].matcher.accepts(3.2));
        assert!(answers[1].matcher.accepts(4.0));
        assert!(!answers[1].matcher.accepts(4.01));
    }

    #[test]
    fn points_mode_none_spelling() {
        let mode: PointsMode = serde_json::from_str(r#""none""#).expect("valid JSON");
        assert_eq!(mode, PointsMode::NoPoints);
    }

    #[test]
    fn answer_json_tag() {
        let answer: Answer =
            serde_json::from_str(r#"{ "type": "choices", "indices": [0, 2] }"#).expect("JSON");
        assert_eq!(
            answer,
            Answer::Choices {
                indices: vec![0, 2]
            }
        );
        assert_eq!(answer.type_name(), "choices");
    }
}
