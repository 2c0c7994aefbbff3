//! Moodle XML export of a quiz.

use std::fmt::Write as _;

use super::html::text_to_html;
use super::{MoodleXmlExport, SkippedQuestion};
use crate::model::{NumericMatch, PointsMode, Question, QuestionKind, Quiz};

/// Writes `quiz` as a Moodle XML document that Moodle's question import
/// reads.
///
/// Texts are written as escaped HTML in `format="html"`. Each question's
/// id goes into `<idnumber>`, and a question without a title gets its id
/// as `<name>`, because Moodle requires a name. Polls and word clouds are
/// left out, listed in [`MoodleXmlExport::skipped`] and marked by a comment.
pub fn export(quiz: &Quiz) -> MoodleXmlExport {
    let mut out = String::new();
    let mut skipped = Vec::new();

    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let _ = writeln!(out, "<!-- {} -->", comment_text(&quiz.title));

    for question in &quiz.questions {
        let Some(question_type) = moodle_type(&question.kind) else {
            let reason = format!(
                "Moodle has no {} questions",
                question.kind.type_name().replace('_', "-")
            );
            let _ = writeln!(
                out,
                "<!-- Skipped question {}: {} -->",
                comment_text(&question.id),
                reason
            );
            skipped.push(SkippedQuestion {
                id: question.id.clone(),
                reason,
            });
            continue;
        };
        write_question(&mut out, question, question_type);
    }

    out.push_str("</quiz>\n");
    MoodleXmlExport { text: out, skipped }
}

fn moodle_type(kind: &QuestionKind) -> Option<&'static str> {
    match kind {
        QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. } => {
            Some("multichoice")
        }
        QuestionKind::TrueFalse { .. } => Some("truefalse"),
        QuestionKind::Numeric { .. } => Some("numerical"),
        QuestionKind::ShortText { .. } => Some("shortanswer"),
        QuestionKind::Ordering { .. } => Some("ordering"),
        QuestionKind::Matching { .. } => Some("matching"),
        QuestionKind::Poll { .. } | QuestionKind::WordCloud { .. } => None,
    }
}

fn write_question(out: &mut String, question: &Question, question_type: &str) {
    let _ = writeln!(out, "  <question type=\"{question_type}\">");
    let name = question.title.as_deref().unwrap_or(&question.id);
    let _ = writeln!(out, "    <name><text>{}</text></name>", escape(name));
    write_html(out, "questiontext", &question.text);
    write_html(
        out,
        "generalfeedback",
        question.feedback.general.as_deref().unwrap_or(""),
    );
    let grade = match question.points {
        PointsMode::Standard => "1",
        PointsMode::Double => "2",
        PointsMode::NoPoints => "0",
    };
    let _ = writeln!(out, "    <defaultgrade>{grade}</defaultgrade>");
    let _ = writeln!(out, "    <idnumber>{}</idnumber>", escape(&question.id));

    let correct = question.feedback.correct.as_deref().unwrap_or("");
    let incorrect = question.feedback.incorrect.as_deref().unwrap_or("");

    match &question.kind {
        QuestionKind::SingleChoice { choices } | QuestionKind::MultipleChoice { choices, .. } => {
            let single = matches!(question.kind, QuestionKind::SingleChoice { .. });
            let penalties = matches!(
                question.kind,
                QuestionKind::MultipleChoice {
                    penalties: true,
                    ..
                }
            );
            let _ = writeln!(out, "    <single>{single}</single>");
            out.push_str("    <shuffleanswers>false</shuffleanswers>\n");
            out.push_str("    <answernumbering>abc</answernumbering>\n");
            write_combined_feedback(out, correct, incorrect);
            for choice in choices {
                // Without penalties Lectern counts negative weights as zero,
                // so they are written as zero to keep Moodle's grading the same.
                let weight = if single || penalties {
                    choice.weight
                } else {
                    choice.weight.max(0.0)
                };
                write_answer(out, weight, &text_to_html(&choice.text), "html");
                write_answer_feedback(out, choice.feedback.as_deref());
                out.push_str("    </answer>\n");
            }
        }
        QuestionKind::TrueFalse { answer } => {
            for value in [true, false] {
                let is_correct = value == *answer;
                let weight = if is_correct { 100.0 } else { 0.0 };
                write_answer(out, weight, &value.to_string(), "moodle_auto_format");
                let feedback = if is_correct { correct } else { incorrect };
                write_answer_feedback(out, Some(feedback).filter(|text| !text.is_empty()));
                out.push_str("    </answer>\n");
            }
        }
        QuestionKind::Numeric { answers } => {
            for answer in answers {
                // Moodle has no ranges: a range is its midpoint plus or minus
                // half its width.
                let (value, tolerance) = match answer.matcher {
                    NumericMatch::Exact { value, tolerance } => (value, tolerance),
                    NumericMatch::Range { min, max } => {
                        (min / 2.0 + max / 2.0, max / 2.0 - min / 2.0)
                    }
                };
                write_answer(out, answer.weight, &value.to_string(), "moodle_auto_format");
                let _ = writeln!(out, "      <tolerance>{tolerance}</tolerance>");
                write_answer_feedback(out, answer.feedback.as_deref());
                out.push_str("    </answer>\n");
            }
            if !incorrect.is_empty() {
                // `*` matches any number the answers above do not.
                write_answer(out, 0.0, "*", "moodle_auto_format");
                out.push_str("      <tolerance>0</tolerance>\n");
                write_answer_feedback(out, Some(incorrect));
                out.push_str("    </answer>\n");
            }
        }
        QuestionKind::ShortText {
            accepted,
            case_sensitive,
        } => {
            let _ = writeln!(out, "    <usecase>{}</usecase>", u8::from(*case_sensitive));
            for answer in accepted {
                write_answer(out, answer.weight, &answer.text, "moodle_auto_format");
                write_answer_feedback(out, answer.feedback.as_deref());
                out.push_str("    </answer>\n");
            }
        }
        QuestionKind::Ordering { items } => {
            out.push_str("    <layouttype>VERTICAL</layouttype>\n");
            out.push_str("    <selecttype>ALL</selecttype>\n");
            let _ = writeln!(out, "    <selectcount>{}</selectcount>", items.len());
            out.push_str("    <gradingtype>ABSOLUTE_POSITION</gradingtype>\n");
            write_combined_feedback(out, correct, incorrect);
            for (position, item) in items.iter().enumerate() {
                // The ordering question type stores positions as fractions.
                let position = (position + 1) as f64;
                write_answer(out, position, &text_to_html(item), "html");
                out.push_str("    </answer>\n");
            }
        }
        QuestionKind::Matching { pairs, distractors } => {
            out.push_str("    <shuffleanswers>true</shuffleanswers>\n");
            write_combined_feedback(out, correct, incorrect);
            let distractor_pairs = distractors.iter().map(|answer| ("", answer.as_str()));
            let all_pairs = pairs
                .iter()
                .map(|pair| (pair.prompt.as_str(), pair.answer.as_str()))
                .chain(distractor_pairs);
            for (prompt, answer) in all_pairs {
                let _ = writeln!(
                    out,
                    "    <subquestion format=\"html\">\n      <text>{}</text>\n      <answer><text>{}</text></answer>\n    </subquestion>",
                    escape(&text_to_html(prompt)),
                    escape(answer)
                );
            }
        }
        QuestionKind::Poll { .. } | QuestionKind::WordCloud { .. } => {}
    }
    out.push_str("  </question>\n");
}

fn write_html(out: &mut String, element: &str, text: &str) {
    let _ = writeln!(
        out,
        "    <{element} format=\"html\">\n      <text>{}</text>\n    </{element}>",
        escape(&text_to_html(text))
    );
}

/// Writes `<correctfeedback>` and `<incorrectfeedback>`, which Moodle has
/// for multiple-choice, matching and ordering questions.
fn write_combined_feedback(out: &mut String, correct: &str, incorrect: &str) {
    write_html(out, "correctfeedback", correct);
    write_html(out, "incorrectfeedback", incorrect);
}

/// Opens an `<answer>` with its `<text>`; the caller closes it.
fn write_answer(out: &mut String, fraction: f64, text: &str, format: &str) {
    let _ = writeln!(
        out,
        "    <answer fraction=\"{fraction}\" format=\"{format}\">\n      <text>{}</text>",
        escape(text)
    );
}

fn write_answer_feedback(out: &mut String, feedback: Option<&str>) {
    if let Some(feedback) = feedback {
        let _ = writeln!(
            out,
            "      <feedback format=\"html\"><text>{}</text></feedback>",
            escape(&text_to_html(feedback))
        );
    }
}

/// Escapes text for XML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\r' => escaped.push_str("&#13;"),
            // XML 1.0 cannot contain these characters, not even as references.
            '\u{0}'..='\u{8}'
            | '\u{B}'
            | '\u{C}'
            | '\u{E}'..='\u{1F}'
            | '\u{FFFE}'
            | '\u{FFFF}' => {
                escaped.push('\u{FFFD}');
            }
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// Makes text safe inside `<!-- -->`, which must not contain `--`.
fn comment_text(text: &str) -> String {
    text.replace("--", "- -").replace(['\r', '\n'], " ")
}
