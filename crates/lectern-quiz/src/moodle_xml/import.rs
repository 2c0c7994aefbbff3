//! Moodle XML import: `<question>` elements into the quiz model.

use super::html::html_to_text;
use super::tree::{self, Element};
use super::{
    MAX_MOODLE_XML_INPUT_BYTES, MoodleXmlError, MoodleXmlErrorKind, MoodleXmlImport, MoodleXmlNote,
};
use crate::gift::IdAllocator;
use crate::model::{
    AcceptedText, Choice, DEFAULT_TIME_LIMIT_SECS, Feedback, MatchPair, NumericAnswer,
    NumericMatch, PointsMode, Question, QuestionKind,
};

/// Reads the questions of a Moodle XML document.
///
/// A question that cannot be read is reported in
/// [`MoodleXmlImport::errors`] and the import goes on with the next one.
/// Questions get their `<idnumber>` as id when it is a valid, unused id,
/// and `q1`, `q2`, ... by position otherwise.
///
/// # Errors
///
/// Rejects the whole document when it is larger than
/// [`MAX_MOODLE_XML_INPUT_BYTES`], has a DOCTYPE or an undefined entity,
/// nests too deep, is not well-formed or has no `<quiz>` root.
pub fn import(input: &str) -> Result<MoodleXmlImport, MoodleXmlError> {
    if input.len() > MAX_MOODLE_XML_INPUT_BYTES {
        return Err(MoodleXmlError {
            line: 1,
            kind: MoodleXmlErrorKind::InputTooLarge {
                size: input.len(),
                max: MAX_MOODLE_XML_INPUT_BYTES,
            },
        });
    }
    let root = tree::parse(input)?;
    if root.name != "quiz" {
        return Err(MoodleXmlError {
            line: root.line,
            kind: MoodleXmlErrorKind::MissingQuiz,
        });
    }

    let mut result = MoodleXmlImport {
        questions: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let mut ids = IdAllocator::default();

    for element in root.children_named("question") {
        let question_type = element.attribute("type").unwrap_or("");
        if question_type == "category" {
            let path = element
                .child("category")
                .and_then(Element::text_child)
                .unwrap_or("")
                .trim();
            result.notes.push(MoodleXmlNote {
                line: element.line,
                message: format!(
                    "category `{path}` ignored: Lectern quizzes have no question categories"
                ),
            });
            continue;
        }

        match read_question(element, question_type, &mut result.notes) {
            Ok(mut question) => {
                let hint = idnumber(element);
                question.id = ids.assign(hint.as_deref(), result.questions.len() + 1);
                result.questions.push(question);
            }
            Err(kind) => result.errors.push(MoodleXmlError {
                line: element.line,
                kind,
            }),
        }
    }
    Ok(result)
}

fn idnumber(element: &Element) -> Option<String> {
    let id = element.child("idnumber")?.text.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

fn read_question(
    element: &Element,
    question_type: &str,
    notes: &mut Vec<MoodleXmlNote>,
) -> Result<Question, MoodleXmlErrorKind> {
    let mut feedback = Feedback {
        general: formatted_text(element.child("generalfeedback")),
        correct: formatted_text(element.child("correctfeedback")),
        incorrect: formatted_text(element.child("incorrectfeedback")),
    };

    let kind = match question_type {
        "multichoice" => read_multichoice(element)?,
        "truefalse" => read_true_false(element, &mut feedback)?,
        "shortanswer" => read_short_answer(element)?,
        "numerical" => read_numerical(element, &mut feedback)?,
        "matching" => read_matching(element)?,
        "ordering" => read_ordering(element)?,
        "description" => {
            return Err(unsupported(
                question_type,
                "descriptions have no answers, so put their text into the next question",
            ));
        }
        "essay" => {
            return Err(unsupported(
                question_type,
                "Lectern cannot grade free text, so use a short-answer question",
            ));
        }
        _ => {
            return Err(unsupported(
                question_type,
                "Lectern reads multichoice, truefalse, shortanswer, numerical, matching and ordering",
            ));
        }
    };

    let text = formatted_text(element.child("questiontext")).unwrap_or_default();
    let name = element
        .child("name")
        .and_then(Element::text_child)
        .map(str::trim)
        .unwrap_or("");
    let title = if name.is_empty() || idnumber(element).as_deref() == Some(name) {
        None
    } else {
        Some(name.to_owned())
    };

    Ok(Question {
        // The caller assigns the id once the question is known to be valid.
        id: String::new(),
        title,
        text,
        kind,
        time_limit_secs: DEFAULT_TIME_LIMIT_SECS,
        points: read_points(element, notes)?,
        image: None,
        feedback,
    })
}

fn unsupported(question_type: &str, hint: &'static str) -> MoodleXmlErrorKind {
    MoodleXmlErrorKind::UnsupportedType {
        question_type: question_type.to_owned(),
        hint,
    }
}

/// Maps `<defaultgrade>` to points: 0 is none, 2 is double, and anything
/// else is standard, with a note unless it is 1.
fn read_points(
    element: &Element,
    notes: &mut Vec<MoodleXmlNote>,
) -> Result<PointsMode, MoodleXmlErrorKind> {
    let Some(grade) = element.child("defaultgrade") else {
        return Ok(PointsMode::Standard);
    };
    let value = parse_number(&grade.text, "defaultgrade", "a number of 0 or more")?;
    if value < 0.0 {
        return Err(MoodleXmlErrorKind::InvalidNumber {
            element: "defaultgrade",
            value: grade.text.trim().to_owned(),
            expected: "a number of 0 or more",
        });
    }
    Ok(if value == 0.0 {
        PointsMode::NoPoints
    } else if value == 2.0 {
        PointsMode::Double
    } else {
        if value != 1.0 {
            notes.push(MoodleXmlNote {
                line: grade.line,
                message: format!(
                    "default grade {value} imported as standard points: Lectern has standard (1), double (2) and none (0)"
                ),
            });
        }
        PointsMode::Standard
    })
}

fn read_multichoice(element: &Element) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let single = element
        .child("single")
        .is_none_or(|single| matches!(single.text.trim(), "true" | "1"));

    let mut choices = Vec::new();
    for answer in element.children_named("answer") {
        choices.push(Choice {
            text: formatted_text(Some(answer)).unwrap_or_default(),
            weight: read_fraction(answer)?,
            feedback: formatted_text(answer.child("feedback")),
        });
    }
    if choices.len() < 2 {
        return Err(too_few("multichoice", 2, choices.len()));
    }

    if single {
        Ok(QuestionKind::SingleChoice { choices })
    } else {
        let penalties = choices.iter().any(|choice| choice.weight < 0.0);
        Ok(QuestionKind::MultipleChoice { choices, penalties })
    }
}

/// Reads a true/false question. The feedback of the correct answer
/// becomes correct feedback and that of the other answer incorrect
/// feedback, unless the question already has those.
fn read_true_false(
    element: &Element,
    feedback: &mut Feedback,
) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let mut correct = None;
    let mut answer_feedback = Vec::new();
    for answer in element.children_named("answer") {
        let value = match plain_text(answer).to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => continue,
        };
        let weight = read_fraction(answer)?;
        if weight == 100.0 {
            correct = Some(value);
        }
        answer_feedback.push((weight == 100.0, formatted_text(answer.child("feedback"))));
    }

    let Some(answer) = correct else {
        return Err(MoodleXmlErrorKind::MissingElement {
            question_type: "truefalse".to_owned(),
            element: "answer fraction=\"100\"",
        });
    };
    for (is_correct, text) in answer_feedback {
        let slot = if is_correct {
            &mut feedback.correct
        } else {
            &mut feedback.incorrect
        };
        if slot.is_none() {
            *slot = text;
        }
    }
    Ok(QuestionKind::TrueFalse { answer })
}

fn read_short_answer(element: &Element) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let case_sensitive = element
        .child("usecase")
        .is_some_and(|usecase| matches!(usecase.text.trim(), "1" | "true"));

    let mut accepted = Vec::new();
    for answer in element.children_named("answer") {
        accepted.push(AcceptedText {
            text: plain_text(answer),
            weight: read_fraction(answer)?,
            feedback: formatted_text(answer.child("feedback")),
        });
    }
    if accepted.is_empty() {
        return Err(too_few("shortanswer", 1, 0));
    }
    Ok(QuestionKind::ShortText {
        accepted,
        case_sensitive,
    })
}

/// Reads a numerical question. An answer `*` matches any number in Moodle:
/// its feedback becomes the question's incorrect feedback.
fn read_numerical(
    element: &Element,
    feedback: &mut Feedback,
) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let mut answers = Vec::new();
    for answer in element.children_named("answer") {
        let text = plain_text(answer);
        let answer_feedback = formatted_text(answer.child("feedback"));
        if text == "*" {
            if feedback.incorrect.is_none() {
                feedback.incorrect = answer_feedback;
            }
            continue;
        }

        let value = parse_number(&text, "answer", "a number like 3.14")?;
        let tolerance = match answer.child("tolerance") {
            Some(tolerance) if !tolerance.text.trim().is_empty() => {
                parse_number(&tolerance.text, "tolerance", "a number of 0 or more")?.abs()
            }
            _ => 0.0,
        };
        answers.push(NumericAnswer {
            matcher: NumericMatch::Exact { value, tolerance },
            weight: read_fraction(answer)?,
            feedback: answer_feedback,
        });
    }
    if answers.is_empty() {
        return Err(too_few("numerical", 1, 0));
    }
    Ok(QuestionKind::Numeric { answers })
}

fn read_matching(element: &Element) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let mut pairs = Vec::new();
    let mut distractors = Vec::new();
    for subquestion in element.children_named("subquestion") {
        let prompt = formatted_text(Some(subquestion)).unwrap_or_default();
        let answer = subquestion
            .child("answer")
            .map(plain_text)
            .unwrap_or_default();
        if prompt.is_empty() {
            distractors.push(answer);
        } else {
            pairs.push(MatchPair { prompt, answer });
        }
    }
    if pairs.len() < 2 {
        return Err(too_few("matching", 2, pairs.len()));
    }
    Ok(QuestionKind::Matching { pairs, distractors })
}

/// Reads an ordering question. Moodle stores each item's position in its
/// `fraction`, so items are sorted by it, keeping document order for ties.
fn read_ordering(element: &Element) -> Result<QuestionKind, MoodleXmlErrorKind> {
    let mut items = Vec::new();
    for answer in element.children_named("answer") {
        let position = match answer.attribute("fraction") {
            Some(fraction) => parse_number(fraction, "answer fraction", "the item's position")?,
            None => 0.0,
        };
        items.push((position, formatted_text(Some(answer)).unwrap_or_default()));
    }
    if items.len() < 2 {
        return Err(too_few("ordering", 2, items.len()));
    }
    items.sort_by(|left, right| left.0.total_cmp(&right.0));
    Ok(QuestionKind::Ordering {
        items: items.into_iter().map(|(_, item)| item).collect(),
    })
}

/// Reads the `fraction` attribute, a percentage from -100 to 100.
fn read_fraction(answer: &Element) -> Result<f64, MoodleXmlErrorKind> {
    let Some(fraction) = answer.attribute("fraction") else {
        return Ok(0.0);
    };
    let expected = "a percentage from -100 to 100";
    let weight = parse_number(fraction, "answer fraction", expected)?;
    if !(-100.0..=100.0).contains(&weight) {
        return Err(MoodleXmlErrorKind::InvalidNumber {
            element: "answer fraction",
            value: fraction.trim().to_owned(),
            expected,
        });
    }
    Ok(weight)
}

fn parse_number(
    text: &str,
    element: &'static str,
    expected: &'static str,
) -> Result<f64, MoodleXmlErrorKind> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| MoodleXmlErrorKind::InvalidNumber {
            element,
            value: text.trim().to_owned(),
            expected,
        })
}

/// Returns the `<text>` of `element` converted to plain text according to
/// its `format` attribute, or `None` when it is missing or empty.
fn formatted_text(element: Option<&Element>) -> Option<String> {
    let element = element?;
    let raw = element.text_child()?;
    let text = match element.attribute("format").unwrap_or("moodle_auto_format") {
        "plain_text" | "markdown" => raw
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned(),
        // Moodle's auto-format keeps line breaks and renders HTML.
        "moodle_auto_format" => html_to_text(&raw.replace('\n', "<br>")),
        _ => html_to_text(raw),
    };
    (!text.is_empty()).then_some(text)
}

/// Returns the `<text>` of `element` as written, trimmed, for texts Moodle
/// stores without a format (short answers, matching answers, numbers).
fn plain_text(element: &Element) -> String {
    element.text_child().unwrap_or("").trim().to_owned()
}

fn too_few(question_type: &str, min: usize, found: usize) -> MoodleXmlErrorKind {
    MoodleXmlErrorKind::TooFewAnswers {
        question_type: question_type.to_owned(),
        min,
        found,
    }
}
