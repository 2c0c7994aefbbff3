//! GIFT import: one question block at a time into the quiz model.

use std::collections::HashSet;

use super::syntax::{
    Block, Sym, find, find_str, is_blank, is_syntax, rfind_str, split_blocks, split_markers,
    to_string, trim,
};
use super::{GiftError, GiftErrorKind, GiftImport, GiftNote, MAX_GIFT_INPUT_BYTES};
use crate::model::{
    AcceptedText, Choice, DEFAULT_TIME_LIMIT_SECS, Feedback, MatchPair, NumericAnswer,
    NumericMatch, PointsMode, Question, QuestionKind,
};
use crate::moodle_xml::html::html_to_text;

/// Blank that replaces the answer block of a missing-word question.
const BLANK: &str = "_____";

/// Reads the questions of a GIFT file.
///
/// A question that cannot be read is reported in [`GiftImport::errors`]
/// and the import goes on with the next one. Imported questions get the id
/// of a `// question: ID` comment when it is a valid, unused id, and
/// `q1`, `q2`, ... by position otherwise. Time limits and points are the
/// model's defaults, because GIFT cannot express them.
///
/// # Errors
///
/// Returns [`GiftErrorKind::InputTooLarge`] when `input` is larger than
/// [`MAX_GIFT_INPUT_BYTES`]; every other problem is per question.
pub fn import(input: &str) -> Result<GiftImport, GiftError> {
    if input.len() > MAX_GIFT_INPUT_BYTES {
        return Err(GiftError {
            line: 1,
            kind: GiftErrorKind::InputTooLarge {
                size: input.len(),
                max: MAX_GIFT_INPUT_BYTES,
            },
        });
    }

    let mut result = GiftImport {
        questions: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let mut ids = IdAllocator::default();

    for block in split_blocks(input) {
        match read_block(&block) {
            Ok(Item::Category(path)) => result.notes.push(GiftNote {
                line: block.line,
                message: format!(
                    "category `{path}` ignored: Lectern quizzes have no question categories"
                ),
            }),
            Ok(Item::Question(parsed)) => {
                let id = ids.assign(block.id_hint.as_deref(), result.questions.len() + 1);
                result.notes.extend(parsed.notes);
                result.questions.push(Question {
                    id,
                    title: parsed.title,
                    text: parsed.text,
                    kind: parsed.kind,
                    time_limit_secs: DEFAULT_TIME_LIMIT_SECS,
                    points: PointsMode::Standard,
                    image: None,
                    feedback: parsed.feedback,
                });
            }
            Err(error) => result.errors.push(error),
        }
    }
    Ok(result)
}

enum Item {
    Category(String),
    Question(Parsed),
}

struct Parsed {
    title: Option<String>,
    text: String,
    kind: QuestionKind,
    feedback: Feedback,
    notes: Vec<GiftNote>,
}

/// Text format named by a `[html]`-style marker at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextFormat {
    Moodle,
    Html,
    Plain,
    Markdown,
}

fn error(line: usize, kind: GiftErrorKind) -> GiftError {
    GiftError { line, kind }
}

fn line_of(syms: &[Sym], fallback: usize) -> usize {
    syms.first().map_or(fallback, |sym| sym.line)
}

fn read_block(block: &Block) -> Result<Item, GiftError> {
    let syms = trim(&block.syms);
    let line = line_of(syms, block.line);

    if find_str(syms, "$CATEGORY:") == Some(0) {
        let path = to_string(trim(&syms["$CATEGORY:".len()..]));
        return Ok(Item::Category(path));
    }

    let (title, rest) = split_title(syms, line)?;
    let Parts {
        before,
        inner,
        after,
    } = split_answer_block(rest, line)?;

    let mut text_syms = before.to_vec();
    if !is_blank(after) {
        let blank_line = line_of(after, line);
        text_syms.extend(BLANK.chars().map(|ch| Sym {
            ch,
            escaped: true,
            line: blank_line,
        }));
        text_syms.extend_from_slice(after);
    }
    let (format, text) = render_with_format(&text_syms, TextFormat::Moodle);

    let (answers, general) = match rfind_str(inner, "####") {
        Some(position) => (&inner[..position], render(&inner[position + 4..], format)),
        None => (inner, String::new()),
    };
    let answers = trim(answers);
    let answers_line = line_of(answers, line);

    let mut notes = Vec::new();
    let mut feedback = Feedback {
        general: non_empty(general),
        ..Feedback::default()
    };
    let kind = read_answers(answers, answers_line, format, &mut feedback, &mut notes)?;

    Ok(Item::Question(Parsed {
        title,
        text,
        kind,
        feedback,
        notes,
    }))
}

/// Splits a leading `::title::` off the question.
fn split_title(syms: &[Sym], line: usize) -> Result<(Option<String>, &[Sym]), GiftError> {
    let opens_title = syms.len() >= 2 && is_syntax(&syms[0], ':') && is_syntax(&syms[1], ':');
    if !opens_title {
        return Ok((None, syms));
    }
    let after_open = &syms[2..];
    let Some(end) = find_str(after_open, "::") else {
        return Err(error(line, GiftErrorKind::UnclosedTitle));
    };
    let title = to_string(trim(&after_open[..end]));
    Ok((non_empty(title), trim(&after_open[end + 2..])))
}

/// A question split around its answer block.
struct Parts<'a> {
    before: &'a [Sym],
    inner: &'a [Sym],
    after: &'a [Sym],
}

/// Splits the question into the text before the answer block, the block's
/// content and the text after it.
fn split_answer_block(syms: &[Sym], line: usize) -> Result<Parts<'_>, GiftError> {
    let open = find(syms, '{');
    let close = find(syms, '}');
    let (open, close) = match (open, close) {
        (None, None) => return Err(error(line, GiftErrorKind::DescriptionNotSupported)),
        (Some(open), None) => {
            return Err(error(syms[open].line, GiftErrorKind::UnclosedAnswerBlock));
        }
        (None, Some(close)) => {
            return Err(error(
                syms[close].line,
                GiftErrorKind::UnexpectedClosingBrace,
            ));
        }
        (Some(open), Some(close)) if close < open => {
            return Err(error(
                syms[close].line,
                GiftErrorKind::UnexpectedClosingBrace,
            ));
        }
        (Some(open), Some(close)) => (open, close),
    };

    let inner = &syms[open + 1..close];
    let after = &syms[close + 1..];
    if let Some(nested) = find(inner, '{') {
        return Err(error(
            inner[nested].line,
            GiftErrorKind::MultipleAnswerBlocks,
        ));
    }
    if let Some(second) = find(after, '{') {
        return Err(error(
            after[second].line,
            GiftErrorKind::MultipleAnswerBlocks,
        ));
    }
    if let Some(stray) = find(after, '}') {
        return Err(error(
            after[stray].line,
            GiftErrorKind::UnexpectedClosingBrace,
        ));
    }
    Ok(Parts {
        before: &syms[..open],
        inner,
        after,
    })
}

/// Decides the question kind from the answer block, in the order Moodle's
/// GIFT importer checks, and reads its answers.
fn read_answers(
    answers: &[Sym],
    line: usize,
    format: TextFormat,
    feedback: &mut Feedback,
    notes: &mut Vec<GiftNote>,
) -> Result<QuestionKind, GiftError> {
    if answers.is_empty() {
        return Err(error(line, GiftErrorKind::EssayNotSupported));
    }
    if is_ordering(answers) {
        return read_ordering(&answers[1..], line, format, notes);
    }
    if is_syntax(&answers[0], '#') {
        return read_numeric(&answers[1..], line, format, feedback);
    }
    if find(answers, '~').is_some() {
        return read_choices(answers, line, format);
    }
    if find(answers, '=').is_some() && find_str(answers, "->").is_some() {
        return read_matching(answers, line, format);
    }
    if let Some(kind) = read_true_false(answers, format, feedback) {
        return Ok(kind);
    }
    read_short_text(answers, line, format)
}

fn is_ordering(answers: &[Sym]) -> bool {
    let Some((first, rest)) = answers.split_first() else {
        return false;
    };
    let next = rest.iter().find(|sym| !sym.ch.is_whitespace());
    is_syntax(first, '>') && next.is_some_and(|sym| sym.ch.is_ascii_digit())
}

/// Reads `{>COUNT [OPTIONS]` followed by one item a line, the syntax of
/// Moodle's ordering question type. The options on the first line (layout,
/// grading type, numbering style) are ignored.
fn read_ordering(
    body: &[Sym],
    line: usize,
    format: TextFormat,
    notes: &mut Vec<GiftNote>,
) -> Result<QuestionKind, GiftError> {
    let header_end = find(body, '\n').unwrap_or(body.len());
    let header = to_string(&body[..header_end]);
    let count: String = header
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();

    let mut items = Vec::new();
    let mut remaining = body.get(header_end + 1..).unwrap_or(&[]);
    while !remaining.is_empty() {
        let end = find(remaining, '\n').unwrap_or(remaining.len());
        let item = render(&remaining[..end], format);
        if !item.is_empty() {
            items.push(item);
        }
        remaining = remaining.get(end + 1..).unwrap_or(&[]);
    }

    if items.len() < 2 {
        return Err(too_few(line, "ordering", 2, items.len()));
    }
    if let Ok(count) = count.parse::<usize>()
        && count < items.len()
    {
        notes.push(GiftNote {
            line,
            message: format!(
                "ordering question asks to show {count} of {} items: Lectern shows all of them",
                items.len()
            ),
        });
    }
    Ok(QuestionKind::Ordering { items })
}

fn read_numeric(
    body: &[Sym],
    line: usize,
    format: TextFormat,
    feedback: &mut Feedback,
) -> Result<QuestionKind, GiftError> {
    let (main, other) = match find(body, '~') {
        Some(tilde) => (&body[..tilde], Some(&body[tilde + 1..])),
        None => (body, None),
    };
    if let Some(other) = other {
        let text = match find(other, '#') {
            Some(hash) => render(&other[hash + 1..], format),
            None => String::new(),
        };
        feedback.incorrect = non_empty(text);
    }

    let (leading, parts) = split_markers(main, &['=']);
    let mut segments: Vec<&[Sym]> = Vec::new();
    if !is_blank(leading) {
        segments.push(leading);
    }
    segments.extend(parts.into_iter().map(|(_, part)| part));

    let mut answers = Vec::with_capacity(segments.len());
    for segment in segments {
        answers.push(read_numeric_answer(segment, line, format)?);
    }
    if answers.is_empty() {
        return Err(too_few(line, "numeric", 1, 0));
    }
    Ok(QuestionKind::Numeric { answers })
}

fn read_numeric_answer(
    segment: &[Sym],
    line: usize,
    format: TextFormat,
) -> Result<NumericAnswer, GiftError> {
    let line = line_of(segment, line);
    let (weight, rest) = read_weight(segment, line)?;
    let (value_syms, feedback) = split_feedback(rest, format);
    let value = to_string(trim(value_syms));

    let matcher = if let Some(dots) = value.find("..").filter(|&index| index > 0) {
        let min_text = value[..dots].trim();
        let max_text = value[dots + 2..].trim();
        let min = parse_number(min_text, line)?;
        let max = parse_number(max_text, line)?;
        if min > max {
            return Err(error(
                line,
                GiftErrorKind::InvertedRange {
                    min: min_text.to_owned(),
                    max: max_text.to_owned(),
                },
            ));
        }
        NumericMatch::Range { min, max }
    } else if let Some(colon) = value.find(':').filter(|&index| index > 0) {
        let tolerance_text = value[colon + 1..].trim();
        let tolerance = parse_number(tolerance_text, line)?;
        if tolerance < 0.0 {
            return Err(error(
                line,
                GiftErrorKind::NegativeTolerance {
                    tolerance: tolerance_text.to_owned(),
                },
            ));
        }
        NumericMatch::Exact {
            value: parse_number(value[..colon].trim(), line)?,
            tolerance,
        }
    } else {
        NumericMatch::Exact {
            value: parse_number(&value, line)?,
            tolerance: 0.0,
        }
    };

    Ok(NumericAnswer {
        matcher,
        weight: weight.unwrap_or(100.0),
        feedback,
    })
}

fn parse_number(text: &str, line: usize) -> Result<f64, GiftError> {
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| {
            error(
                line,
                GiftErrorKind::InvalidNumber {
                    text: text.to_owned(),
                },
            )
        })
}

/// Reads a multiple-choice block. As in Moodle, a block with an `=`
/// answer is single choice, and one without is multiple choice.
fn read_choices(
    answers: &[Sym],
    line: usize,
    format: TextFormat,
) -> Result<QuestionKind, GiftError> {
    let (leading, parts) = split_markers(answers, &['~', '=']);
    let mut single = false;
    let mut choices = Vec::new();

    if !is_blank(leading) {
        // Moodle keeps text before the first marker as a wrong answer.
        choices.push(read_choice(leading, None, line, format)?);
    }
    for (marker, part) in parts {
        if marker == '=' {
            single = true;
            // Moodle reads no weight after `=`: it always means full credit.
            choices.push(read_choice(part, Some(100.0), line, format)?);
        } else {
            choices.push(read_choice(part, None, line, format)?);
        }
    }

    if choices.len() < 2 {
        return Err(too_few(line, "multiple-choice", 2, choices.len()));
    }
    if single {
        Ok(QuestionKind::SingleChoice { choices })
    } else {
        let penalties = choices.iter().any(|choice| choice.weight < 0.0);
        Ok(QuestionKind::MultipleChoice { choices, penalties })
    }
}

fn read_choice(
    part: &[Sym],
    fixed_weight: Option<f64>,
    line: usize,
    format: TextFormat,
) -> Result<Choice, GiftError> {
    let line = line_of(part, line);
    let (weight, rest) = match fixed_weight {
        Some(weight) => (weight, trim(part)),
        None => {
            let (weight, rest) = read_weight(part, line)?;
            (weight.unwrap_or(0.0), rest)
        }
    };
    let (text, feedback) = split_feedback(rest, format);
    Ok(Choice {
        text: render(text, format),
        weight,
        feedback,
    })
}

fn read_matching(
    answers: &[Sym],
    line: usize,
    format: TextFormat,
) -> Result<QuestionKind, GiftError> {
    let (leading, parts) = split_markers(answers, &['=']);
    let mut segments: Vec<&[Sym]> = Vec::new();
    if !is_blank(leading) {
        segments.push(leading);
    }
    segments.extend(parts.into_iter().map(|(_, part)| part));

    if segments.len() < 2 {
        return Err(too_few(line, "matching", 2, segments.len()));
    }

    let mut pairs = Vec::new();
    let mut distractors = Vec::new();
    for segment in segments {
        let Some(arrow) = find_str(segment, "->") else {
            return Err(error(
                line_of(segment, line),
                GiftErrorKind::MissingMatchArrow {
                    text: to_string(trim(segment)),
                },
            ));
        };
        let prompt = render(&segment[..arrow], format);
        let answer = to_string(trim(&segment[arrow + 2..]));
        if prompt.is_empty() {
            // Moodle treats a pair with an empty prompt as an extra wrong answer.
            distractors.push(answer);
        } else {
            pairs.push(MatchPair { prompt, answer });
        }
    }
    Ok(QuestionKind::Matching { pairs, distractors })
}

/// Reads `{T}`, `{TRUE}`, `{F}` or `{FALSE}`, optionally followed by
/// `#feedback for a wrong answer#feedback for a right answer`. Returns
/// `None` when the block is not a true/false answer.
fn read_true_false(
    answers: &[Sym],
    format: TextFormat,
    feedback: &mut Feedback,
) -> Option<QuestionKind> {
    let first_hash = find(answers, '#');
    let value_end = first_hash.unwrap_or(answers.len());
    let answer = match to_string(trim(&answers[..value_end])).as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };

    if let Some(first_hash) = first_hash {
        let rest = &answers[first_hash + 1..];
        let (wrong, right) = match find(rest, '#') {
            Some(second) => (&rest[..second], &rest[second + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        feedback.incorrect = non_empty(render(wrong, format));
        feedback.correct = non_empty(render(right, format));
    }
    Some(QuestionKind::TrueFalse { answer })
}

fn read_short_text(
    answers: &[Sym],
    line: usize,
    format: TextFormat,
) -> Result<QuestionKind, GiftError> {
    let (leading, parts) = split_markers(answers, &['=']);
    let mut segments: Vec<&[Sym]> = Vec::new();
    if !is_blank(leading) {
        segments.push(leading);
    }
    segments.extend(parts.into_iter().map(|(_, part)| part));

    let mut accepted = Vec::with_capacity(segments.len());
    for segment in segments {
        let line = line_of(segment, line);
        let (weight, rest) = read_weight(segment, line)?;
        let (text, feedback) = split_feedback(rest, format);
        accepted.push(AcceptedText {
            text: render(text, format),
            weight: weight.unwrap_or(100.0),
            feedback,
        });
    }
    Ok(QuestionKind::ShortText {
        accepted,
        case_sensitive: false,
    })
}

/// Reads a leading `%weight%`. Returns `None` as the weight when the text
/// does not start with `%`, a number and `%`, as Moodle does.
fn read_weight(syms: &[Sym], line: usize) -> Result<(Option<f64>, &[Sym]), GiftError> {
    let syms = trim(syms);
    if !syms.first().is_some_and(|sym| is_syntax(sym, '%')) {
        return Ok((None, syms));
    }
    let Some(close) = find(&syms[1..], '%') else {
        return Ok((None, syms));
    };
    let written = to_string(&syms[1..close + 1]);
    let Ok(weight) = written.trim().parse::<f64>() else {
        return Ok((None, syms));
    };
    if !weight.is_finite() || !(-100.0..=100.0).contains(&weight) {
        return Err(error(
            line,
            GiftErrorKind::InvalidWeight {
                weight: written.trim().to_owned(),
            },
        ));
    }
    Ok((Some(weight), trim(&syms[close + 2..])))
}

/// Splits an answer at its first unescaped `#` into the answer and its
/// feedback.
fn split_feedback(syms: &[Sym], format: TextFormat) -> (&[Sym], Option<String>) {
    match find(syms, '#') {
        Some(hash) => (&syms[..hash], non_empty(render(&syms[hash + 1..], format))),
        None => (syms, None),
    }
}

/// Converts a piece of GIFT text to plain text, dropping a leading format
/// marker. Text without a marker has the format `default`.
fn render(syms: &[Sym], default: TextFormat) -> String {
    render_with_format(syms, default).1
}

fn render_with_format(syms: &[Sym], default: TextFormat) -> (TextFormat, String) {
    let text = to_string(trim(syms));
    let (format, body) = match take_format_marker(&text) {
        Some((format, body)) => (format, body.trim()),
        None => (default, text.as_str()),
    };
    let plain = match format {
        TextFormat::Html => html_to_text(body),
        TextFormat::Moodle | TextFormat::Plain | TextFormat::Markdown => body.to_owned(),
    };
    (format, plain)
}

fn take_format_marker(text: &str) -> Option<(TextFormat, &str)> {
    let rest = text.strip_prefix('[')?;
    let end = rest.find(']')?;
    let format = match &rest[..end] {
        "moodle" => TextFormat::Moodle,
        "html" => TextFormat::Html,
        "plain" => TextFormat::Plain,
        "markdown" => TextFormat::Markdown,
        _ => return None,
    };
    Some((format, &rest[end + 1..]))
}

fn non_empty(text: String) -> Option<String> {
    if text.is_empty() { None } else { Some(text) }
}

fn too_few(line: usize, kind: &'static str, min: usize, found: usize) -> GiftError {
    error(line, GiftErrorKind::TooFewAnswers { kind, min, found })
}

/// Hands out question ids that are unique within one import.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: HashSet<String>,
    /// Numbers below this were tried already, so generating ids stays
    /// linear however many `q{n}` ids the comments claimed.
    next_number: usize,
}

impl IdAllocator {
    /// Returns `hint` when it is a valid, unused id, and otherwise the
    /// first unused id `q{n}` with `n` at least `position` and above every
    /// number generated before.
    pub(crate) fn assign(&mut self, hint: Option<&str>, position: usize) -> String {
        if let Some(hint) = hint
            && is_valid_id(hint)
            && self.used.insert(hint.to_owned())
        {
            return hint.to_owned();
        }
        let mut number = position.max(self.next_number);
        loop {
            let candidate = format!("q{number}");
            number += 1;
            if self.used.insert(candidate.clone()) {
                self.next_number = number;
                return candidate;
            }
        }
    }
}

/// Returns true for 1 to 64 ASCII letters, digits, `-`, `_` or `.`, the
/// model's rule for question ids.
fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
}
