//! Polls and word clouds accept answers, earn nothing and show a spread.

mod common;

use lectern_quiz::{Answer, Correctness, Distribution, TextCount};

#[test]
fn poll_counts_without_points() {
    let mut run = common::start_with_streaks(common::every_kind_quiz());
    for _ in 0..8 {
        if run.phase().question_index().is_some() {
            run.close(0).expect("closes");
        }
        run.open_next(0).expect("opens");
    }

    run.submit("alice", Answer::Poll { index: 1 }, 0)
        .expect("accepted");
    run.submit("bob", Answer::Poll { index: 1 }, 0)
        .expect("accepted");
    run.submit("carol", Answer::Poll { index: 0 }, 0)
        .expect("accepted");
    run.close(1).expect("closes");
    run.reveal().expect("reveals");

    let revealed = run.revealed_question(7).expect("revealed");
    assert_eq!(
        revealed.distribution,
        Distribution::Options { counts: vec![1, 2] }
    );
    let result = run.student_result("alice", 7).expect("revealed");
    assert_eq!(result.correctness, Correctness::Unscored);
    assert_eq!(result.points, 0);
    assert_eq!(result.streak_bonus, 0);
}

#[test]
fn word_cloud_frequencies() {
    let mut run = common::start(common::every_kind_quiz());
    for _ in 0..9 {
        if run.phase().question_index().is_some() {
            run.close(0).expect("closes");
        }
        run.open_next(0).expect("opens");
    }
    let words = |list: &[&str]| Answer::Words {
        words: list.iter().map(|word| (*word).to_owned()).collect(),
    };

    run.submit("alice", words(&["Dark", "vast"]), 0)
        .expect("accepted");
    run.submit("bob", words(&["dark "]), 0).expect("accepted");
    let too_many = run.submit("carol", words(&["a", "b", "c", "d"]), 0);
    run.close(1).expect("closes");
    run.reveal().expect("reveals");

    assert!(too_many.is_err());
    let revealed = run.revealed_question(8).expect("revealed");
    assert_eq!(revealed.answered, 2);
    assert_eq!(
        revealed.distribution,
        Distribution::Words {
            words: vec![
                TextCount {
                    text: "dark".to_owned(),
                    count: 2
                },
                TextCount {
                    text: "vast".to_owned(),
                    count: 1
                },
            ]
        }
    );
    let record = run.answer_record("alice", 8).expect("recorded");
    assert_eq!(record.points, 0);
}
