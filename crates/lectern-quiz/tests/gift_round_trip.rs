//! GIFT export followed by import gives back the quiz, less what GIFT
//! cannot carry.

use lectern_quiz::gift;
use lectern_quiz::model::DEFAULT_TIME_LIMIT_SECS;
use lectern_quiz::{PointsMode, Question, QuestionKind, Quiz};

fn sample_quiz() -> Quiz {
    serde_json::from_str(include_str!("fixtures/sample_quiz.json")).expect("valid quiz JSON")
}

/// Returns `question` as GIFT carries it: without time limit, points,
/// image, case sensitivity, and correct/incorrect feedback except on
/// true/false questions (and incorrect feedback on numeric ones).
fn as_gift_carries(question: &Question) -> Question {
    let mut expected = question.clone();
    expected.time_limit_secs = DEFAULT_TIME_LIMIT_SECS;
    expected.points = PointsMode::Standard;
    expected.image = None;
    match &mut expected.kind {
        QuestionKind::TrueFalse { .. } => {}
        QuestionKind::Numeric { .. } => expected.feedback.correct = None,
        QuestionKind::ShortText { case_sensitive, .. } => {
            *case_sensitive = false;
            expected.feedback.correct = None;
            expected.feedback.incorrect = None;
        }
        _ => {
            expected.feedback.correct = None;
            expected.feedback.incorrect = None;
        }
    }
    expected
}

#[test]
fn every_gift_kind_survives_round_trip() {
    let quiz = sample_quiz();
    let export = gift::export(&quiz);
    let import = gift::import(&export.text).expect("small");

    assert_eq!(import.errors, vec![], "{}", export.text);
    let expected: Vec<Question> = quiz
        .questions
        .iter()
        .filter(|question| {
            !matches!(
                question.kind,
                QuestionKind::Poll { .. } | QuestionKind::WordCloud { .. }
            )
        })
        .map(as_gift_carries)
        .collect();
    assert_eq!(expected.len(), 11);
    for (imported, expected) in import.questions.iter().zip(&expected) {
        assert_eq!(imported, expected, "{}", export.text);
    }
    assert_eq!(import.questions.len(), expected.len());
}

#[test]
fn poll_and_word_cloud_are_skipped() {
    let quiz = sample_quiz();
    let export = gift::export(&quiz);
    let skipped: Vec<&str> = export.skipped.iter().map(|skip| skip.id.as_str()).collect();

    assert_eq!(skipped, vec!["favourite", "words"]);
    assert!(
        export
            .text
            .contains("// Skipped question favourite: GIFT has no poll questions")
    );
    assert!(
        export
            .text
            .contains("// Skipped question words: GIFT has no word-cloud questions")
    );
}

#[test]
fn penalties_off_exports_negative_weight_as_zero() {
    let mut quiz = sample_quiz();
    quiz.questions.retain(|question| question.id == "giants");
    if let QuestionKind::MultipleChoice { penalties, .. } = &mut quiz.questions[0].kind {
        *penalties = false;
    }
    let import = gift::import(&gift::export(&quiz).text).expect("small");

    let QuestionKind::MultipleChoice { choices, penalties } = &import.questions[0].kind else {
        panic!(
            "expected multiple choice, got {:?}",
            import.questions[0].kind
        );
    };
    assert!(!penalties);
    let weights: Vec<f64> = choices.iter().map(|choice| choice.weight).collect();
    assert_eq!(weights, vec![50.0, 50.0, 0.0, 0.0]);
}

#[test]
fn arrow_in_short_text_is_skipped() {
    let quiz: Quiz = serde_json::from_str(
        r#"{ "title": "t", "questions": [ { "id": "q1", "text": "Arrow?", "type": "short_text",
             "accepted": [ { "text": "a -> b", "weight": 100 } ] } ] }"#,
    )
    .expect("valid quiz JSON");
    let export = gift::export(&quiz);

    assert_eq!(export.skipped.len(), 1);
    assert!(export.skipped[0].reason.contains("->"));
}

#[test]
fn export_is_readable() {
    let quiz = sample_quiz();
    let text = gift::export(&quiz).text;

    assert!(text.contains(
        "// question: moon\n::Moon::The Moon is a planet.{FALSE#The Moon orbits a planet.#Right, it is a moon.####The Moon is Earth's only natural satellite.}\n"
    ), "{text}");
    assert!(
        text.contains(
            "{#\n\t=3.14:0.01\n\t=%12.5%-3.5..4#Roughly.\n\t~#Pi is a bit more than 3.\n}"
        ),
        "{text}"
    );
}
