//! Moodle XML export followed by import gives back the quiz, less what
//! Moodle XML cannot carry.

use lectern_quiz::model::DEFAULT_TIME_LIMIT_SECS;
use lectern_quiz::moodle_xml;
use lectern_quiz::{NumericMatch, Question, QuestionKind, Quiz};

fn sample_quiz() -> Quiz {
    serde_json::from_str(include_str!("fixtures/sample_quiz.json")).expect("valid quiz JSON")
}

/// Returns `question` as Moodle XML carries it: without time limit and
/// image, with numeric ranges as midpoint and tolerance, and without the
/// feedback Moodle has no field for.
fn as_moodle_carries(question: &Question) -> Question {
    let mut expected = question.clone();
    expected.time_limit_secs = DEFAULT_TIME_LIMIT_SECS;
    expected.image = None;
    match &mut expected.kind {
        QuestionKind::Numeric { answers } => {
            expected.feedback.correct = None;
            for answer in answers {
                if let NumericMatch::Range { min, max } = answer.matcher {
                    answer.matcher = NumericMatch::Exact {
                        value: min / 2.0 + max / 2.0,
                        tolerance: max / 2.0 - min / 2.0,
                    };
                }
            }
        }
        QuestionKind::ShortText { .. } => {
            expected.feedback.correct = None;
            expected.feedback.incorrect = None;
        }
        _ => {}
    }
    expected
}

#[test]
fn every_moodle_kind_survives_round_trip() {
    let quiz = sample_quiz();
    let export = moodle_xml::export(&quiz);
    let import = moodle_xml::import(&export.text).expect("export is well-formed");

    assert_eq!(import.errors, vec![], "{}", export.text);
    assert_eq!(import.notes, vec![]);
    let expected: Vec<Question> = quiz
        .questions
        .iter()
        .filter(|question| question.kind.is_scored())
        .map(as_moodle_carries)
        .collect();
    assert_eq!(expected.len(), 11);
    for (imported, expected) in import.questions.iter().zip(&expected) {
        assert_eq!(imported, expected, "{}", export.text);
    }
    assert_eq!(import.questions.len(), expected.len());
}

#[test]
fn poll_and_word_cloud_are_skipped() {
    let export = moodle_xml::export(&sample_quiz());
    let skipped: Vec<&str> = export.skipped.iter().map(|skip| skip.id.as_str()).collect();

    assert_eq!(skipped, vec!["favourite", "words"]);
    assert!(
        export
            .text
            .contains("<!-- Skipped question favourite: Moodle has no poll questions -->")
    );
    assert!(
        export
            .text
            .contains("<!-- Skipped question words: Moodle has no word-cloud questions -->")
    );
}

#[test]
fn markup_in_text_is_escaped() {
    let quiz: Quiz = serde_json::from_str(
        r#"{ "title": "t -- x", "questions": [ { "id": "q1", "text": "Is <b> & ]]> a tag?\n\tIndented",
             "type": "true_false", "answer": true } ] }"#,
    )
    .expect("valid quiz JSON");
    let export = moodle_xml::export(&quiz);
    let import = moodle_xml::import(&export.text).expect("well-formed");

    assert!(
        export
            .text
            .contains("Is &amp;lt;b&amp;gt; &amp;amp; ]]&amp;gt; a tag?"),
        "{}",
        export.text
    );
    assert_eq!(import.questions[0].text, "Is <b> & ]]> a tag?\nIndented");
}

#[test]
fn export_has_moodle_fields() {
    let export = moodle_xml::export(&sample_quiz());

    for expected in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n",
        "<question type=\"multichoice\">",
        "<single>true</single>",
        "<single>false</single>",
        "<question type=\"truefalse\">",
        "<question type=\"numerical\">",
        "<tolerance>0.01</tolerance>",
        "<question type=\"shortanswer\">",
        "<usecase>1</usecase>",
        "<question type=\"matching\">",
        "<subquestion format=\"html\">",
        "<question type=\"ordering\">",
        "<defaultgrade>2</defaultgrade>",
        "<idnumber>largest</idnumber>",
        "<answer fraction=\"-25\" format=\"html\">",
    ] {
        assert!(export.text.contains(expected), "missing {expected:?}");
    }
}
