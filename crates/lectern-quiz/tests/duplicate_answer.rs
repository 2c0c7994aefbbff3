//! A participant answers each question once, and repeats return the first.

mod common;

use lectern_quiz::{Answer, SubmitError};

#[test]
fn repeat_returns_first_answer() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");

    let first = run
        .submit("alice", Answer::Boolean { value: false }, 2_000)
        .expect("first answer");
    let repeat = run
        .submit("alice", Answer::Boolean { value: true }, 3_000)
        .expect("repeat is acknowledged");

    assert!(!first.duplicate);
    assert!(repeat.duplicate);
    assert_eq!(repeat.answer, Answer::Boolean { value: false });
    assert_eq!(repeat.received_at, 2_000);
    assert_eq!(repeat.response_ms, 2_000);
}

#[test]
fn repeat_does_not_change_score() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: false }, 0)
        .expect("first answer");
    run.submit("alice", Answer::Boolean { value: true }, 0)
        .expect("repeat");
    run.close(1_000).expect("closes");

    let record = run.answer_record("alice", 0).expect("recorded");

    assert_eq!(record.points, 0);
    assert_eq!(run.leaderboard(1)[0].score, 0);
}

#[test]
fn repeat_after_close_is_duplicate_not_late() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 1_000)
        .expect("first answer");
    run.close(2_000).expect("closes");

    let repeat = run
        .submit("alice", Answer::Boolean { value: true }, 50_000)
        .expect("retry is acknowledged");

    assert!(repeat.duplicate);
}

#[test]
fn invalid_answer_does_not_use_up_turn() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");

    let error = run
        .submit("alice", Answer::Choice { index: 0 }, 1_000)
        .expect_err("wrong type");
    let accepted = run
        .submit("alice", Answer::Boolean { value: true }, 2_000)
        .expect("valid answer after a rejected one");

    assert!(matches!(error, SubmitError::InvalidAnswer(_)));
    assert!(!accepted.duplicate);
}

#[test]
fn each_participant_answers_once() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");

    let alice = run
        .submit("alice", Answer::Boolean { value: true }, 0)
        .expect("alice");
    let bob = run
        .submit("bob", Answer::Boolean { value: true }, 0)
        .expect("bob");

    assert!(!alice.duplicate);
    assert!(!bob.duplicate);
}
