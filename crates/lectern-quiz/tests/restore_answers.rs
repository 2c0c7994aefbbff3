//! Restoring answers that a stored snapshot of a run lacks, and retracting
//! an answer that could not be stored.

mod common;

use lectern_quiz::{Answer, Phase, Run, RunError};

/// Returns a run with question 0 open since 0 ms, and alice's answer
/// accepted at 5 s.
fn open_run() -> Run {
    let mut run = common::start(common::true_false_quiz(2));
    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 5_000)
        .expect("accepted");
    run
}

#[test]
fn restore_inserts_missing_answer() {
    let snapshot = common::start(common::true_false_quiz(2));
    let mut live = snapshot.clone();
    live.open_next(0).expect("opens");
    let mut restored = live.clone();
    live.submit("bob", Answer::Boolean { value: true }, 2_000)
        .expect("accepted");
    let record = live.answer_record("bob", 0).expect("stored").clone();

    let inserted = restored
        .restore_answer("bob", 0, record.clone())
        .expect("in range");

    assert!(inserted);
    assert_eq!(restored.answer_record("bob", 0), Some(&record));
    assert_eq!(restored.participants().collect::<Vec<_>>(), ["bob"]);
    assert_eq!(restored, live, "the restored run equals the live one");
}

#[test]
fn restore_keeps_first_answer() {
    let mut run = open_run();
    let first = run.answer_record("alice", 0).expect("stored").clone();
    let mut other = first.clone();
    other.answer = Answer::Boolean { value: false };
    other.received_at = 9_000;

    let inserted = run.restore_answer("alice", 0, other).expect("in range");

    assert!(!inserted);
    assert_eq!(run.answer_record("alice", 0), Some(&first));
}

#[test]
fn restore_rejects_out_of_range_index() {
    let mut run = open_run();
    let record = run.answer_record("alice", 0).expect("stored").clone();

    let error = run
        .restore_answer("bob", 2, record)
        .expect_err("no question 2");

    assert_eq!(error, RunError::NoSuchQuestion { index: 2, count: 2 });
    assert!(run.answer_record("bob", 2).is_none());
    assert_eq!(
        run.participants().collect::<Vec<_>>(),
        ["alice"],
        "bob did not join"
    );
}

#[test]
fn retract_open_answer_allows_resend() {
    let mut run = open_run();

    let retracted = run.retract_answer("alice", 0);
    let again = run
        .submit("alice", Answer::Boolean { value: false }, 6_000)
        .expect("accepted again");

    assert!(retracted.is_some());
    assert!(!again.duplicate);
    assert_eq!(again.answer, Answer::Boolean { value: false });
}

#[test]
fn retract_refused_after_close() {
    let mut run = open_run();
    run.close(10_000).expect("closes");

    assert!(run.retract_answer("alice", 0).is_none());
    assert!(run.answer_record("alice", 0).is_some());
    assert!(matches!(
        run.phase(),
        Phase::QuestionClosed { index: 0, .. }
    ));
}
