//! Moodle XML import of every supported question type, read from
//! `fixtures/moodle_xml/all_types.xml`.

use lectern_quiz::moodle_xml::{self, MoodleXmlErrorKind, MoodleXmlImport};
use lectern_quiz::{
    AcceptedText, Choice, MatchPair, NumericAnswer, NumericMatch, PointsMode, Question,
    QuestionKind,
};

fn import_all_types() -> MoodleXmlImport {
    moodle_xml::import(include_str!("fixtures/moodle_xml/all_types.xml")).expect("well-formed")
}

fn question<'a>(import: &'a MoodleXmlImport, title: &str) -> &'a Question {
    import
        .questions
        .iter()
        .find(|question| question.title.as_deref() == Some(title))
        .unwrap_or_else(|| panic!("no question titled {title:?}"))
}

#[test]
fn supported_types_are_imported() {
    let import = import_all_types();
    let titles: Vec<Option<&str>> = import
        .questions
        .iter()
        .map(|question| question.title.as_deref())
        .collect();

    assert_eq!(
        titles,
        vec![
            Some("Largest planet"),
            Some("Gas giants"),
            Some("Moon"),
            Some("Capital"),
            Some("Grant"),
            Some("Capitals"),
            Some("Order"),
            Some("Sun"),
        ]
    );
}

#[test]
fn unsupported_questions_have_line_numbers() {
    let import = import_all_types();
    let lines: Vec<usize> = import.errors.iter().map(|error| error.line).collect();

    assert_eq!(lines, vec![207, 217, 227, 237]);
    assert!(matches!(
        &import.errors[0].kind,
        MoodleXmlErrorKind::UnsupportedType { question_type, .. } if question_type == "description"
    ));
    assert!(matches!(
        &import.errors[1].kind,
        MoodleXmlErrorKind::UnsupportedType { question_type, .. } if question_type == "essay"
    ));
    assert!(matches!(
        &import.errors[2].kind,
        MoodleXmlErrorKind::UnsupportedType { question_type, .. } if question_type == "calculated"
    ));
    assert!(matches!(
        &import.errors[3].kind,
        MoodleXmlErrorKind::InvalidNumber { value, .. } if value == "150"
    ));
    assert!(
        import.errors[0]
            .to_string()
            .starts_with("line 207: question type `description` is not supported")
    );
}

#[test]
fn category_gives_note() {
    let import = import_all_types();

    assert_eq!(import.notes[0].line, 4);
    assert!(import.notes[0].message.contains("$course$/top/Planets"));
}

#[test]
fn idnumber_sets_id() {
    let import = import_all_types();
    let ids: Vec<&str> = import.questions.iter().map(|q| q.id.as_str()).collect();

    assert_eq!(
        ids,
        vec!["largest", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]
    );
}

#[test]
fn single_multichoice_with_html() {
    let import = import_all_types();
    let question = question(&import, "Largest planet");

    assert_eq!(question.text, "Which planet is the largest?");
    assert_eq!(question.points, PointsMode::Double);
    assert_eq!(
        question.kind,
        QuestionKind::SingleChoice {
            choices: vec![
                Choice {
                    text: "Jupiter".to_owned(),
                    weight: 100.0,
                    feedback: Some("Right.".to_owned()),
                },
                Choice {
                    text: "Mars".to_owned(),
                    weight: 0.0,
                    feedback: None,
                },
                Choice {
                    text: "Saturn".to_owned(),
                    weight: 50.0,
                    feedback: None,
                },
            ]
        }
    );
    assert_eq!(
        question.feedback.general.as_deref(),
        Some("Jupiter & Saturn are gas giants.")
    );
    assert_eq!(
        question.feedback.correct.as_deref(),
        Some("Your answer is correct.")
    );
    assert_eq!(
        question.feedback.incorrect.as_deref(),
        Some("Your answer is incorrect.")
    );
}

#[test]
fn multiple_multichoice_with_penalty() {
    let import = import_all_types();
    let question = question(&import, "Gas giants");

    assert_eq!(
        question.text,
        "Which planets are gas giants?\nPick every one."
    );
    assert_eq!(question.points, PointsMode::Standard);
    let QuestionKind::MultipleChoice { choices, penalties } = &question.kind else {
        panic!("expected multiple choice, got {:?}", question.kind);
    };
    assert!(penalties);
    assert_eq!(choices[2].weight, -33.33333);
    assert_eq!(choices[2].feedback.as_deref(), Some("Mars is rocky."));
}

#[test]
fn true_false_answer_feedback() {
    let import = import_all_types();
    let question = question(&import, "Moon");

    assert_eq!(question.text, "The Moon is a planet <really>.");
    assert_eq!(question.points, PointsMode::NoPoints);
    assert_eq!(question.kind, QuestionKind::TrueFalse { answer: false });
    assert_eq!(
        question.feedback.correct.as_deref(),
        Some("Right, it is a moon.")
    );
    assert_eq!(
        question.feedback.incorrect.as_deref(),
        Some("The Moon orbits a planet.")
    );
}

#[test]
fn short_answer_usecase() {
    let import = import_all_types();

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
            ],
            case_sensitive: true,
        }
    );
}

#[test]
fn numerical_tolerance_and_catch_all() {
    let import = import_all_types();
    let question = question(&import, "Grant");
    let exact = |tolerance: f64| NumericMatch::Exact {
        value: 1822.0,
        tolerance,
    };

    assert_eq!(
        question.kind,
        QuestionKind::Numeric {
            answers: vec![
                NumericAnswer {
                    matcher: exact(0.0),
                    weight: 100.0,
                    feedback: Some("Exactly.".to_owned()),
                },
                NumericAnswer {
                    matcher: exact(2.0),
                    weight: 50.0,
                    feedback: None,
                },
            ]
        }
    );
    assert_eq!(question.feedback.incorrect.as_deref(), Some("Look it up."));
}

#[test]
fn matching_subquestions_and_distractor() {
    let import = import_all_types();

    assert_eq!(
        question(&import, "Capitals").kind,
        QuestionKind::Matching {
            pairs: vec![
                MatchPair {
                    prompt: "Canada".to_owned(),
                    answer: "Ottawa".to_owned(),
                },
                MatchPair {
                    prompt: "Italy".to_owned(),
                    answer: "Rome".to_owned(),
                },
            ],
            distractors: vec!["Sydney".to_owned()],
        }
    );
}

#[test]
fn ordering_sorted_by_fraction() {
    let import = import_all_types();

    assert_eq!(
        question(&import, "Order").kind,
        QuestionKind::Ordering {
            items: vec!["Mercury".to_owned(), "Venus".to_owned(), "Earth".to_owned()]
        }
    );
}

#[test]
fn missing_single_means_single_choice() {
    let xml = r#"<quiz><question type="multichoice"><name><text>n</text></name>
        <questiontext><text>Pick</text></questiontext>
        <answer fraction="100"><text>a</text></answer>
        <answer fraction="0"><text>b</text></answer></question></quiz>"#;
    let import = moodle_xml::import(xml).expect("well-formed");

    assert!(matches!(
        import.questions[0].kind,
        QuestionKind::SingleChoice { .. }
    ));
}

#[test]
fn unusual_grade_gives_note() {
    let xml = r#"<quiz><question type="truefalse"><name><text>n</text></name>
        <questiontext><text>Yes?</text></questiontext><defaultgrade>5</defaultgrade>
        <answer fraction="100"><text>true</text></answer>
        <answer fraction="0"><text>false</text></answer></question></quiz>"#;
    let import = moodle_xml::import(xml).expect("well-formed");

    assert_eq!(import.questions[0].points, PointsMode::Standard);
    assert_eq!(import.notes.len(), 1);
    assert_eq!(import.notes[0].line, 2);
}
