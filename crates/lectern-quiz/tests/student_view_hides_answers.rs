//! Student views carry no answer key, weights or feedback before reveal.

mod common;

use lectern_quiz::{Answer, StudentKind, ViewError};

/// Field names that only the answer key or feedback would use.
const KEY_FIELDS: [&str; 9] = [
    "weight",
    "correct",
    "feedback",
    "accepted",
    "penalties",
    "pairs",
    "tolerance",
    "case_sensitive",
    "general",
];

#[test]
fn student_question_json_has_no_key_fields() {
    let mut run = common::start(common::every_kind_quiz());
    let count = run.quiz().questions.len();

    for index in 0..count {
        run.open_next(u64::try_from(index).expect("small") * 60_000)
            .expect("opens");
        let view = run.student_question().expect("question open");
        let json = serde_json::to_value(&view).expect("serialises");
        let object = json.as_object().expect("object");

        for field in KEY_FIELDS {
            assert!(
                !object.contains_key(field),
                "question {}: student view has key field {field}: {json}",
                view.id
            );
        }
        let text = json.to_string();
        assert!(!text.contains("\"answer\":"), "{}: {text}", view.id);
        assert!(!text.contains("Yes, Jupiter."), "{}: {text}", view.id);
        assert!(!text.contains("Well done."), "{}: {text}", view.id);

        run.close(u64::try_from(index).expect("small") * 60_000 + 1)
            .expect("closes");
    }
}

#[test]
fn true_false_view_has_type_only() {
    let mut run = common::start(common::every_kind_quiz());
    for _ in 0..3 {
        run.open_next(0).expect("opens");
        run.close(0).expect("closes");
    }
    run.reveal().expect("reveals");
    run.open_next(0).expect("opens numeric");

    let json = serde_json::to_value(run.student_question().expect("open")).expect("JSON");

    assert_eq!(json["type"], "numeric");
    assert!(json.get("answers").is_none(), "{json}");
}

#[test]
fn ordering_view_is_shuffled() {
    let mut run = common::start(common::every_kind_quiz());
    let ordering = 5;
    for _ in 0..=ordering {
        if run.phase().question_index().is_some() {
            run.close(0).expect("closes");
        }
        run.open_next(0).expect("opens");
    }

    let view = run.student_question().expect("open");
    let StudentKind::Ordering { items } = view.kind else {
        panic!("question {ordering} should be the ordering question");
    };

    assert_ne!(items, ["Mercury", "Venus", "Earth", "Mars"]);
    let mut sorted = items.clone();
    sorted.sort();
    assert_eq!(sorted, ["Earth", "Mars", "Mercury", "Venus"]);
}

#[test]
fn results_hidden_until_reveal() {
    let mut run = common::start(common::every_kind_quiz());
    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Choice { index: 0 }, 1_000)
        .expect("accepted");

    assert_eq!(
        run.student_result("alice", 0),
        Err(ViewError::NotRevealed { index: 0 })
    );
    assert_eq!(
        run.revealed_question(0).map(|revealed| revealed.index),
        Err(ViewError::NotRevealed { index: 0 })
    );

    run.close(2_000).expect("closes");
    assert!(
        run.student_result("alice", 0).is_err(),
        "closed but not revealed"
    );

    run.reveal().expect("reveals");
    let result = run.student_result("alice", 0).expect("revealed");
    assert_eq!(
        result.feedback,
        ["Jupiter is a gas giant.", "Well done.", "Yes, Jupiter."]
    );
    assert_eq!(result.points, 975);
}

#[test]
fn accepted_receipt_hides_correctness() {
    let mut run = common::start(common::every_kind_quiz());
    run.open_next(0).expect("opens");

    let accepted = run
        .submit("alice", Answer::Choice { index: 1 }, 1_000)
        .expect("accepted");
    let json = serde_json::to_value(&accepted).expect("serialises");

    assert!(json.get("points").is_none(), "{json}");
    assert!(json.get("correctness").is_none(), "{json}");
    assert!(json.get("credit").is_none(), "{json}");
}
