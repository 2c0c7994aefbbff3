//! `tick` closes a question once its deadline has passed.

mod common;

use lectern_quiz::Phase;

#[test]
fn tick_before_deadline_keeps_open() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(1_000).expect("opens");

    assert!(!run.tick(20_999));
    assert_eq!(
        run.phase(),
        Phase::QuestionOpen {
            index: 0,
            opened_at: 1_000,
            deadline: 21_000
        }
    );
}

#[test]
fn tick_at_deadline_closes() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(1_000).expect("opens");

    assert!(run.tick(21_000));
    assert_eq!(
        run.phase(),
        Phase::QuestionClosed {
            index: 0,
            closed_at: 21_000
        }
    );
}

#[test]
fn late_tick_records_deadline() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");

    assert!(run.tick(95_000));
    assert_eq!(
        run.phase(),
        Phase::QuestionClosed {
            index: 0,
            closed_at: 20_000
        }
    );
}

#[test]
fn tick_outside_open_question_does_nothing() {
    let mut run = common::start(common::true_false_quiz(1));

    assert!(!run.tick(1_000_000));
    assert_eq!(run.phase(), Phase::Lobby);

    run.open_next(0).expect("opens");
    run.close(100).expect("closes");
    assert!(!run.tick(1_000_000));
    assert_eq!(
        run.phase(),
        Phase::QuestionClosed {
            index: 0,
            closed_at: 100
        }
    );
}

#[test]
fn deadline_follows_time_limit() {
    let mut quiz = common::true_false_quiz(1);
    quiz.questions[0].time_limit_secs = 600;
    let mut run = common::start(quiz);

    run.open_next(5).expect("opens");

    assert_eq!(
        run.student_question().map(|view| view.deadline),
        Some(600_005)
    );
}

#[test]
fn closure_tells_deadline_from_teacher() {
    let mut run = common::start(common::true_false_quiz(2));
    run.open_next(0).expect("opens the first question");
    assert_eq!(run.closure(0), None, "an open question has no closure");

    assert!(run.tick(20_000));
    let by_deadline = run.closure(0).expect("the deadline closed it");
    assert_eq!(by_deadline.closed_at, 20_000);
    assert!(by_deadline.by_deadline);

    run.open_next(30_000).expect("opens the second question");
    run.close(35_000).expect("the teacher closes it early");
    let by_teacher = run.closure(1).expect("the teacher closed it");
    assert_eq!(by_teacher.closed_at, 35_000);
    assert!(!by_teacher.by_deadline);

    assert_eq!(run.closure(7), None, "no question has index 7");
}
