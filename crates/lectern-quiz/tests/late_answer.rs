//! Answers outside the open window are rejected with a reason.

mod common;

use lectern_quiz::{Answer, SubmitError};

const TRUE: Answer = Answer::Boolean { value: true };

#[test]
fn answer_at_deadline_is_late() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(1_000).expect("opens");

    let error = run.submit("alice", TRUE, 21_000).expect_err("late");

    assert_eq!(
        error,
        SubmitError::Late {
            index: 0,
            deadline: 21_000,
            received_at: 21_000
        }
    );
    assert_eq!(
        error.to_string(),
        "answer arrived at 21000 ms, at or after the deadline 21000 ms"
    );
}

#[test]
fn answer_just_before_deadline_counts() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(1_000).expect("opens");

    let accepted = run.submit("alice", TRUE, 20_999).expect("in time");

    assert_eq!(accepted.response_ms, 19_999);
    assert!(!accepted.duplicate);
}

#[test]
fn answer_after_close_is_rejected() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.close(5_000).expect("closes");

    let error = run.submit("alice", TRUE, 6_000).expect_err("closed");

    assert_eq!(error, SubmitError::QuestionClosed { index: 0 });
    assert_eq!(error.to_string(), "question 1 is closed");
}

#[test]
fn answer_in_lobby_is_rejected() {
    let mut run = common::start(common::true_false_quiz(1));

    assert_eq!(
        run.submit("alice", TRUE, 0),
        Err(SubmitError::NoQuestionOpen)
    );
}

#[test]
fn answer_after_end_is_rejected() {
    let mut run = common::start(common::true_false_quiz(1));
    run.end(0).expect("ends");

    assert_eq!(run.submit("alice", TRUE, 0), Err(SubmitError::RunEnded));
}

#[test]
fn late_answer_leaves_no_record() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");

    let _ = run.submit("alice", TRUE, 30_000);

    assert!(run.answer_record("alice", 0).is_none());
    assert_eq!(run.participants().count(), 0);
}
