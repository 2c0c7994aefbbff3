//! Ordering and matching answers use display positions and still score.

mod common;

use lectern_quiz::{Answer, Correctness, StudentKind};

/// Opens question `target` of the every-kind quiz.
fn open_question(run: &mut lectern_quiz::Run, target: usize) {
    for _ in 0..=target {
        if run.phase().question_index().is_some() {
            run.close(0).expect("closes");
        }
        run.open_next(0).expect("opens");
    }
}

#[test]
fn ordering_correct_from_display() {
    let mut run = common::start(common::every_kind_quiz());
    open_question(&mut run, 5);
    let StudentKind::Ordering { items } = run.student_question().expect("open").kind else {
        panic!("question 5 should be ordering");
    };

    let correct = ["Mercury", "Venus", "Earth", "Mars"];
    let indices = correct
        .iter()
        .map(|name| items.iter().position(|item| item == name).expect("shown"))
        .collect();
    run.submit("alice", Answer::Order { indices }, 0)
        .expect("accepted");

    let record = run.answer_record("alice", 5).expect("recorded");
    assert_eq!(record.correctness, Correctness::Correct);
    assert_eq!(record.points, 1000);
}

#[test]
fn ordering_displayed_order_scores_less() {
    let mut run = common::start(common::every_kind_quiz());
    open_question(&mut run, 5);

    run.submit(
        "alice",
        Answer::Order {
            indices: vec![0, 1, 2, 3],
        },
        0,
    )
    .expect("accepted");

    let record = run.answer_record("alice", 5).expect("recorded");
    assert_ne!(record.correctness, Correctness::Correct);
}

#[test]
fn matching_correct_from_display() {
    let mut run = common::start(common::every_kind_quiz());
    open_question(&mut run, 6);
    let StudentKind::Matching { prompts, answers } = run.student_question().expect("open").kind
    else {
        panic!("question 6 should be matching");
    };
    assert_eq!(prompts, ["Earth", "Mars"]);
    assert_eq!(answers.len(), 3);

    let picks = ["Moon", "Phobos"]
        .iter()
        .map(|name| {
            answers
                .iter()
                .position(|answer| answer == name)
                .expect("shown")
        })
        .collect();
    run.submit("alice", Answer::Matching { answers: picks }, 10_000)
        .expect("accepted");
    let titan = answers
        .iter()
        .position(|answer| answer == "Titan")
        .expect("distractor shown");
    let moon = answers
        .iter()
        .position(|answer| answer == "Moon")
        .expect("shown");
    run.submit(
        "bob",
        Answer::Matching {
            answers: vec![moon, titan],
        },
        10_000,
    )
    .expect("accepted");

    let alice = run.answer_record("alice", 6).expect("recorded");
    let bob = run.answer_record("bob", 6).expect("recorded");
    assert_eq!(alice.points, 750);
    assert_eq!(bob.correctness, Correctness::Partial);
    assert_eq!(bob.points, 375);
}
