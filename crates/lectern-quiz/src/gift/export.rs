//! GIFT export of a quiz.

use std::fmt::Write as _;

use super::{GiftExport, SkippedQuestion};
use crate::model::{Choice, Feedback, NumericMatch, Question, QuestionKind, Quiz};

/// Writes `quiz` as GIFT.
///
/// Each question is preceded by a `// question: ID` comment, which
/// [`fn@super::import`] reads back as the question's id and Moodle ignores.
/// Questions GIFT cannot express are left out, listed in
/// [`GiftExport::skipped`] and marked by a comment: polls and word clouds,
/// which GIFT has no syntax for, and texts that GIFT cannot escape (`->` in
/// a matching prompt or a short-text answer).
pub fn export(quiz: &Quiz) -> GiftExport {
    let mut text = String::new();
    let mut skipped = Vec::new();

    let _ = writeln!(text, "// {}", single_line(&quiz.title));
    text.push('\n');

    for question in &quiz.questions {
        match write_question(question) {
            Ok(gift) => {
                let _ = writeln!(text, "// question: {}", single_line(&question.id));
                text.push_str(&gift);
            }
            Err(reason) => {
                let _ = writeln!(
                    text,
                    "// Skipped question {}: {}",
                    single_line(&question.id),
                    reason
                );
                skipped.push(SkippedQuestion {
                    id: question.id.clone(),
                    reason,
                });
            }
        }
        text.push('\n');
    }
    GiftExport { text, skipped }
}

/// Writes one question, or returns why GIFT cannot express it.
fn write_question(question: &Question) -> Result<String, String> {
    let mut out = String::new();
    if let Some(title) = &question.title {
        out.push_str("::");
        out.push_str(&escape(title));
        out.push_str("::");
    }
    out.push_str(&escape_question_text(
        &question.text,
        question.title.is_some(),
    ));

    let feedback = &question.feedback;
    match &question.kind {
        QuestionKind::SingleChoice { choices } => write_single_choice(&mut out, choices),
        QuestionKind::MultipleChoice { choices, penalties } => {
            write_multiple_choice(&mut out, choices, *penalties);
        }
        QuestionKind::TrueFalse { answer } => {
            out.push('{');
            out.push_str(if *answer { "TRUE" } else { "FALSE" });
            match (&feedback.incorrect, &feedback.correct) {
                (None, None) => {}
                (incorrect, correct) => {
                    out.push('#');
                    out.push_str(&escape_text(incorrect.as_deref().unwrap_or("")));
                    if let Some(correct) = correct {
                        out.push('#');
                        out.push_str(&escape_text(correct));
                    }
                }
            }
        }
        QuestionKind::Numeric { answers } => {
            out.push_str("{#\n");
            for answer in answers {
                out.push('\t');
                out.push('=');
                if answer.weight != 100.0 {
                    let _ = write!(out, "%{}%", answer.weight);
                }
                match answer.matcher {
                    NumericMatch::Exact { value, tolerance } => {
                        let _ = write!(out, "{value}:{tolerance}");
                    }
                    NumericMatch::Range { min, max } => {
                        let _ = write!(out, "{min}..{max}");
                    }
                }
                write_answer_feedback(&mut out, answer.feedback.as_deref());
                out.push('\n');
            }
            if let Some(incorrect) = &feedback.incorrect {
                out.push_str("\t~#");
                out.push_str(&escape_text(incorrect));
                out.push('\n');
            }
        }
        QuestionKind::ShortText { accepted, .. } => {
            out.push_str("{\n");
            for answer in accepted {
                let feedback_text = answer.feedback.as_deref().unwrap_or("");
                if answer.text.contains("->") || feedback_text.contains("->") {
                    return Err(format!(
                        "short-text answer `{}` or its feedback contains `->`, which GIFT reads as a matching question",
                        single_line(&answer.text)
                    ));
                }
                out.push_str("\t=");
                if answer.weight != 100.0 || answer.text.starts_with('%') {
                    let _ = write!(out, "%{}%", answer.weight);
                }
                out.push_str(&escape_text(&answer.text));
                write_answer_feedback(&mut out, answer.feedback.as_deref());
                out.push('\n');
            }
        }
        QuestionKind::Ordering { items } => {
            // Syntax of Moodle's ordering question type: show ALL items.
            let _ = writeln!(out, "{{>{} ALL", items.len());
            for item in items {
                out.push('\t');
                out.push_str(&escape_text(item));
                out.push('\n');
            }
        }
        QuestionKind::Matching { pairs, distractors } => {
            out.push_str("{\n");
            for pair in pairs {
                if pair.prompt.contains("->") {
                    return Err(format!(
                        "matching prompt `{}` contains `->`, which GIFT cannot escape",
                        single_line(&pair.prompt)
                    ));
                }
                let _ = writeln!(
                    out,
                    "\t={} -> {}",
                    escape_text(&pair.prompt),
                    escape(&pair.answer)
                );
            }
            for distractor in distractors {
                let _ = writeln!(out, "\t= -> {}", escape(distractor));
            }
        }
        QuestionKind::Poll { .. } => {
            return Err("GIFT has no poll questions".to_owned());
        }
        QuestionKind::WordCloud { .. } => {
            return Err("GIFT has no word-cloud questions".to_owned());
        }
    }

    if matches!(question.kind, QuestionKind::TrueFalse { .. }) {
        // A true/false block stays on one line, as Moodle writes it.
        if let Some(general) = &feedback.general {
            out.push_str("####");
            out.push_str(&escape_text(general));
        }
    } else {
        write_general_feedback(&mut out, feedback);
    }
    out.push_str("}\n");
    Ok(out)
}

/// Writes a single-choice block. The first full-credit choice is written
/// with `=`, which makes Moodle and [`fn@super::import`] read the block as
/// single choice. Other choices use `~`, so the block always has a `~`
/// and is never read as a short-text question.
fn write_single_choice(out: &mut String, choices: &[Choice]) {
    out.push_str("{\n");
    let mut wrote_equals = false;
    for choice in choices {
        out.push('\t');
        if choice.weight == 100.0 && !wrote_equals {
            wrote_equals = true;
            out.push('=');
        } else {
            write_tilde_weight(out, choice.weight, &choice.text);
        }
        out.push_str(&escape_text(&choice.text));
        write_answer_feedback(out, choice.feedback.as_deref());
        out.push('\n');
    }
}

/// Writes a multiple-choice block with `~` answers only, which Moodle and
/// [`fn@super::import`] read as multiple choice. Without `penalties`,
/// negative weights count as zero in Lectern, so they are written as zero
/// to keep Moodle's grading the same.
fn write_multiple_choice(out: &mut String, choices: &[Choice], penalties: bool) {
    out.push_str("{\n");
    for choice in choices {
        let weight = if penalties {
            choice.weight
        } else {
            choice.weight.max(0.0)
        };
        out.push('\t');
        write_tilde_weight(out, weight, &choice.text);
        out.push_str(&escape_text(&choice.text));
        write_answer_feedback(out, choice.feedback.as_deref());
        out.push('\n');
    }
}

/// Writes `~` and the weight, which may be left out when it is zero and
/// the text does not start with `%`.
fn write_tilde_weight(out: &mut String, weight: f64, text: &str) {
    out.push('~');
    if weight != 0.0 || text.starts_with('%') {
        let _ = write!(out, "%{weight}%");
    }
}

fn write_answer_feedback(out: &mut String, feedback: Option<&str>) {
    if let Some(feedback) = feedback {
        out.push('#');
        out.push_str(&escape_text(feedback));
    }
}

fn write_general_feedback(out: &mut String, feedback: &Feedback) {
    if let Some(general) = &feedback.general {
        out.push_str("\t####");
        out.push_str(&escape_text(general));
        out.push('\n');
    }
}

/// Escapes question text. A text that a reader could mistake for a
/// comment line gets an explicit `[moodle]` format marker.
fn escape_question_text(text: &str, has_title: bool) -> String {
    if !has_title && text.trim_start().starts_with("//") {
        format!("[moodle]{}", escape(text))
    } else {
        escape_text(text)
    }
}

/// Escapes a text that the importer reads with format markers. A text
/// that starts like a marker gets an explicit `[moodle]` marker in front,
/// so the importer drops that one and keeps the text whole.
fn escape_text(text: &str) -> String {
    let escaped = escape(text);
    let looks_like_marker = ["[moodle]", "[html]", "[plain]", "[markdown]"]
        .iter()
        .any(|marker| text.trim_start().starts_with(marker));
    if looks_like_marker {
        format!("[moodle]{escaped}")
    } else {
        escaped
    }
}

/// Escapes GIFT's special characters and writes line breaks as `\n`, so
/// every text stays on one line.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '~' | '=' | '#' | '{' | '}' | ':' => {
                escaped.push('\\');
                escaped.push(ch);
            }
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// Flattens text for a `//` comment line.
fn single_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
