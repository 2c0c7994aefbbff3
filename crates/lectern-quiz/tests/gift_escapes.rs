//! Backslash escapes in GIFT import and export.

use lectern_quiz::gift;
use lectern_quiz::{Choice, Question, QuestionKind, Quiz};

#[test]
fn fixture_escapes_are_literal() {
    let input = include_str!("fixtures/gift/escapes.gift");
    let import = gift::import(input).expect("small");

    assert_eq!(import.errors, vec![]);
    let question = &import.questions[0];
    assert_eq!(question.title.as_deref(), Some("Escapes: all of them"));
    assert_eq!(question.text, r"Which is written ~ = # { } : \ ?");
    assert_eq!(
        question.kind,
        QuestionKind::SingleChoice {
            choices: vec![
                Choice {
                    text: "a = b".to_owned(),
                    weight: 100.0,
                    feedback: Some("feedback with # and {braces}".to_owned()),
                },
                Choice {
                    text: "c ~ d".to_owned(),
                    weight: 0.0,
                    feedback: None,
                },
                Choice {
                    text: "line one\nline two".to_owned(),
                    weight: 0.0,
                    feedback: None,
                },
            ]
        }
    );
}

#[test]
fn unknown_escape_keeps_backslash() {
    let import = gift::import(r"Path C:\temp\x?{T}").expect("small");

    // `\:` is an escape; `\t` and `\x` are not, so their backslash stays.
    assert_eq!(import.questions[0].text, r"Path C:\temp\x?");
}

#[test]
fn escaped_braces_are_not_an_answer_block() {
    let import = gift::import(r"Is \{x\} a set?{T}").expect("small");

    assert_eq!(import.errors, vec![]);
    assert_eq!(import.questions[0].text, "Is {x} a set?");
}

#[test]
fn export_escapes_special_characters() {
    let quiz = Quiz {
        title: "Escapes".to_owned(),
        description: None,
        questions: vec![Question {
            id: "q1".to_owned(),
            title: Some("a::b".to_owned()),
            text: "x ~ = # { } : \\ y\nnext".to_owned(),
            kind: QuestionKind::TrueFalse { answer: true },
            time_limit_secs: 20,
            points: Default::default(),
            image: None,
            feedback: Default::default(),
        }],
    };
    let export = gift::export(&quiz);

    assert!(
        export
            .text
            .contains(r"::a\:\:b::x \~ \= \# \{ \} \: \\ y\nnext{TRUE}"),
        "{}",
        export.text
    );
}

#[test]
fn exported_text_like_marker_survives() {
    let quiz = Quiz {
        title: "Markers".to_owned(),
        description: None,
        questions: vec![Question {
            id: "q1".to_owned(),
            title: None,
            text: "[html] is a format marker // not a comment".to_owned(),
            kind: QuestionKind::TrueFalse { answer: true },
            time_limit_secs: 20,
            points: Default::default(),
            image: None,
            feedback: Default::default(),
        }],
    };
    let import = gift::import(&gift::export(&quiz).text).expect("small");

    assert_eq!(import.questions[0].text, quiz.questions[0].text);
}

#[test]
fn exported_text_starting_with_slashes_is_not_a_comment() {
    let quiz = Quiz {
        title: "Comment".to_owned(),
        description: None,
        questions: vec![Question {
            id: "q1".to_owned(),
            title: None,
            text: "// looks like a comment".to_owned(),
            kind: QuestionKind::TrueFalse { answer: false },
            time_limit_secs: 20,
            points: Default::default(),
            image: None,
            feedback: Default::default(),
        }],
    };
    let import = gift::import(&gift::export(&quiz).text).expect("small");

    assert_eq!(import.errors, vec![]);
    assert_eq!(import.questions[0].text, "// looks like a comment");
}
