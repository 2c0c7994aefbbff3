//! GIFT import of every question kind, read from `fixtures/gift/all_kinds.gift`.

use lectern_quiz::gift::{self, GiftImport};
use lectern_quiz::{
    AcceptedText, Choice, MatchPair, NumericAnswer, NumericMatch, Question, QuestionKind,
};

fn import_all_kinds() -> GiftImport {
    let input = include_str!("fixtures/gift/all_kinds.gift");
    gift::import(input).expect("fixture is small enough")
}

fn question<'a>(import: &'a GiftImport, title: &str) -> &'a Question {
    import
        .questions
        .iter()
        .find(|question| question.title.as_deref() == Some(title))
        .unwrap_or_else(|| panic!("no question titled {title:?}"))
}

fn choice(text: &str, weight: f64, feedback: Option<&str>) -> Choice {
    Choice {
        text: text.to_owned(),
        weight,
        feedback: feedback.map(str::to_owned),
    }
}

#[test]
fn fixture_imports_without_errors() {
    let import = import_all_kinds();

    assert_eq!(import.errors, vec![]);
    assert_eq!(import.questions.len(), 13);
}

#[test]
fn category_line_gives_note() {
    let import = import_all_kinds();

    assert_eq!(import.notes.len(), 1);
    assert_eq!(import.notes[0].line, 2);
    assert!(import.notes[0].message.contains("$course$/Planets"));
}

#[test]
fn question_comment_sets_id() {
    let import = import_all_kinds();

    let ids: Vec<&str> = import.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids[0], "single");
    assert_eq!(ids[1], "q2");
    assert_eq!(ids[12], "q13");
}

#[test]
fn equals_answer_makes_single_choice() {
    let import = import_all_kinds();
    let question = question(&import, "Largest planet");

    assert_eq!(question.text, "Which planet is the largest?");
    assert_eq!(
        question.kind,
        QuestionKind::SingleChoice {
            choices: vec![
                choice("Jupiter", 100.0, Some("Right, it is the largest.")),
                choice("Mars", 0.0, Some("Mars is smaller than Earth.")),
                choice("Saturn", 50.0, Some("Close: second largest.")),
            ]
        }
    );
    assert_eq!(
        question.feedback.general.as_deref(),
        Some("Jupiter is more than twice as massive as all other planets together.")
    );
}

#[test]
fn weights_without_equals_make_multiple_choice() {
    let import = import_all_kinds();
    let question = question(&import, "Gas giants");

    assert_eq!(
        question.kind,
        QuestionKind::MultipleChoice {
            choices: vec![
                choice("Jupiter", 50.0, None),
                choice("Saturn", 50.0, None),
                choice("Mars", -25.0, Some("Mars is rocky.")),
                choice("Venus", -25.0, None),
            ],
            penalties: true,
        }
    );
}

#[test]
fn true_false_without_title() {
    let import = import_all_kinds();
    let question = &import.questions[2];

    assert_eq!(question.title, None);
    assert_eq!(question.text, "The Sun is a star.");
    assert_eq!(question.kind, QuestionKind::TrueFalse { answer: true });
    assert!(question.feedback.is_empty());
}

#[test]
fn true_false_feedback_wrong_then_right() {
    let import = import_all_kinds();
    let question = question(&import, "Moon");

    assert_eq!(question.kind, QuestionKind::TrueFalse { answer: false });
    assert_eq!(
        question.feedback.incorrect.as_deref(),
        Some("The Moon orbits a planet.")
    );
    assert_eq!(
        question.feedback.correct.as_deref(),
        Some("Right, it is a moon.")
    );
    assert_eq!(
        question.feedback.general.as_deref(),
        Some("The Moon is Earth's only natural satellite.")
    );
}

#[test]
fn numeric_with_tolerance() {
    let import = import_all_kinds();

    assert_eq!(
        question(&import, "Eighth").kind,
        QuestionKind::Numeric {
            answers: vec![NumericAnswer {
                matcher: NumericMatch::Exact {
                    value: 0.125,
                    tolerance: 0.001
                },
                weight: 100.0,
                feedback: None,
            }]
        }
    );
}

#[test]
fn numeric_range() {
    let import = import_all_kinds();

    assert_eq!(
        question(&import, "Range").kind,
        QuestionKind::Numeric {
            answers: vec![NumericAnswer {
                matcher: NumericMatch::Range { min: 1.0, max: 5.0 },
                weight: 100.0,
                feedback: None,
            }]
        }
    );
}

#[test]
fn numeric_weighted_answers_and_wrong_feedback() {
    let import = import_all_kinds();
    let question = question(&import, "Grant");

    assert_eq!(
        question.kind,
        QuestionKind::Numeric {
            answers: vec![
                NumericAnswer {
                    matcher: NumericMatch::Exact {
                        value: 1822.0,
                        tolerance: 0.0
                    },
                    weight: 100.0,
                    feedback: Some("Exactly.".to_owned()),
                },
                NumericAnswer {
                    matcher: NumericMatch::Exact {
                        value: 1822.0,
                        tolerance: 2.0
                    },
                    weight: 50.0,
                    feedback: Some("Within two years.".to_owned()),
                },
            ]
        }
    );
    assert_eq!(question.feedback.incorrect.as_deref(), Some("Look it up."));
}

#[test]
fn short_answer_with_weights() {
    let import = import_all_kinds();

    assert_eq!(
        question(&import, "Capital").kind,
        QuestionKind::ShortText {
            accepted: vec![
                AcceptedText {
                    text: "Paris".to_owned(),
                    weight: 100.0,
                    feedback: None,
                },
                AcceptedText {
                    text: "paris, France".to_owned(),
                    weight: 50.0,
                    feedback: Some("Just the city is enough.".to_owned()),
                },
                AcceptedText {
                    text: "Lutece".to_owned(),
                    weight: 100.0,
                    feedback: Some("Its Roman name.".to_owned()),
                },
            ],
            case_sensitive: false,
        }
    );
}

#[test]
fn matching_pairs_and_distractor() {
    let import = import_all_kinds();
    let pair = |prompt: &str, answer: &str| MatchPair {
        prompt: prompt.to_owned(),
        answer: answer.to_owned(),
    };

    assert_eq!(
        question(&import, "Capitals").kind,
        QuestionKind::Matching {
            pairs: vec![
                pair("Canada", "Ottawa"),
                pair("Italy", "Rome"),
                pair("Japan", "Tokyo")
            ],
            distractors: vec!["Sydney".to_owned()],
        }
    );
}

#[test]
fn missing_word_keeps_blank() {
    let import = import_all_kinds();
    let question = &import.questions[9];

    assert_eq!(question.text, "Grant is _____ in Grant's tomb.");
    assert_eq!(
        question.kind,
        QuestionKind::SingleChoice {
            choices: vec![
                choice("buried", 0.0, None),
                choice("entombed", 100.0, None),
                choice("living", 0.0, None),
            ]
        }
    );
}

#[test]
fn ordering_items_in_order() {
    let import = import_all_kinds();

    assert_eq!(
        question(&import, "Order").kind,
        QuestionKind::Ordering {
            items: vec!["Mercury".to_owned(), "Venus".to_owned(), "Earth".to_owned()]
        }
    );
}

#[test]
fn html_marker_converts_to_text() {
    let import = import_all_kinds();
    let question = question(&import, "Formatted");

    assert_eq!(question.text, "What is 2 + 2?");
    assert!(matches!(question.kind, QuestionKind::ShortText { .. }));
}

#[test]
fn markdown_marker_is_dropped() {
    let import = import_all_kinds();

    assert_eq!(
        question(&import, "Markdown").text,
        "What is *six* times seven?"
    );
}

#[test]
fn single_equals_without_tilde_is_short_text() {
    let import = gift::import("Who is buried in Grant's tomb?{=no one =nobody}").expect("small");

    assert_eq!(
        import.questions[0].kind,
        QuestionKind::ShortText {
            accepted: vec![
                AcceptedText {
                    text: "no one".to_owned(),
                    weight: 100.0,
                    feedback: None
                },
                AcceptedText {
                    text: "nobody".to_owned(),
                    weight: 100.0,
                    feedback: None
                },
            ],
            case_sensitive: false,
        }
    );
}

#[test]
fn crlf_line_endings() {
    let input = "// comment\r\n::A::Yes?{T}\r\n\r\n::B::No?{\r\n=x\r\n~y\r\n}\r\n";
    let import = gift::import(input).expect("small");

    assert_eq!(import.errors, vec![]);
    assert_eq!(import.questions.len(), 2);
    assert_eq!(import.questions[1].text, "No?");
}

#[test]
fn ordering_subset_count_gives_note() {
    let import = gift::import("Order these.{>2\nA\nB\nC\n}").expect("small");

    assert_eq!(import.questions.len(), 1);
    assert_eq!(import.notes.len(), 1);
    assert!(import.notes[0].message.contains("show 2 of 3"));
}

#[test]
fn oversized_input_is_rejected() {
    let input = "a".repeat(gift::MAX_GIFT_INPUT_BYTES + 1);
    let error = gift::import(&input).expect_err("too large");

    assert!(error.to_string().contains("larger than the maximum"));
}
