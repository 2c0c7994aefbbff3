//! Transitions not allowed from the current phase return errors.

mod common;

use lectern_quiz::{Phase, RunError};

fn illegal(action: &'static str, phase: &'static str) -> RunError {
    RunError::IllegalTransition { action, phase }
}

#[test]
fn lobby_rejects_close_reveal_leaderboard() {
    let mut run = common::start(common::true_false_quiz(2));

    assert_eq!(run.close(0), Err(illegal("close the question", "lobby")));
    assert_eq!(run.reveal(), Err(illegal("reveal the answer", "lobby")));
    assert_eq!(
        run.show_leaderboard(),
        Err(illegal("show the leaderboard", "lobby"))
    );
    assert_eq!(run.phase(), Phase::Lobby);
}

#[test]
fn open_question_rejects_open_and_reveal() {
    let mut run = common::start(common::true_false_quiz(2));
    run.open_next(0).expect("opens");

    assert_eq!(
        run.open_next(1),
        Err(illegal("open the next question", "question_open"))
    );
    assert_eq!(
        run.reveal(),
        Err(illegal("reveal the answer", "question_open"))
    );
    assert_eq!(
        run.show_leaderboard(),
        Err(illegal("show the leaderboard", "question_open"))
    );
}

#[test]
fn reveal_twice_rejected() {
    let mut run = common::start(common::true_false_quiz(2));
    run.open_next(0).expect("opens");
    run.close(1).expect("closes");
    run.reveal().expect("reveals");

    assert_eq!(
        run.reveal(),
        Err(illegal("reveal the answer", "answer_revealed"))
    );
}

#[test]
fn no_question_after_last() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.close(1).expect("closes");

    let error = run.open_next(2).expect_err("no second question");

    assert_eq!(error, RunError::NoMoreQuestions { count: 1 });
    assert_eq!(
        error.to_string(),
        "all 1 questions have been opened, end the run instead"
    );
}

#[test]
fn ended_run_rejects_everything() {
    let mut run = common::start(common::true_false_quiz(2));
    run.end(0).expect("ends");

    assert_eq!(run.end(1), Err(illegal("end the run", "ended")));
    assert_eq!(
        run.open_next(1),
        Err(illegal("open the next question", "ended"))
    );
    assert_eq!(run.close(1), Err(illegal("close the question", "ended")));
    assert!(!run.tick(1_000_000));
}

#[test]
fn full_cycle_phases() {
    let mut run = common::start(common::true_false_quiz(2));

    assert_eq!(run.open_next(0), Ok(0));
    run.close(10).expect("closes");
    run.reveal().expect("reveals");
    run.show_leaderboard().expect("leaderboard");
    assert_eq!(run.phase(), Phase::Leaderboard { index: 0 });
    assert_eq!(run.open_next(100), Ok(1));
    run.close(110).expect("closes");
    assert_eq!(
        run.open_next(200),
        Err(RunError::NoMoreQuestions { count: 2 })
    );
    run.end(300).expect("ends");
    assert_eq!(run.phase(), Phase::Ended);
}

#[test]
fn end_closes_open_question() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.submit("alice", lectern_quiz::Answer::Boolean { value: true }, 0)
        .expect("accepted");

    let podium = run.end(5_000).expect("ends");

    assert_eq!(podium.places.len(), 1);
    assert_eq!(podium.places[0].score, 1000);
    assert!(run.revealed_question(0).is_ok(), "ended runs reveal all");
}

#[test]
fn invalid_quiz_rejected_at_launch() {
    let mut quiz = common::true_false_quiz(1);
    quiz.questions[0].time_limit_secs = 1;

    let error =
        lectern_quiz::Run::new(quiz, lectern_quiz::RunConfig::default()).expect_err("invalid quiz");

    assert_eq!(
        error.to_string(),
        "invalid quiz: question 1 (q0): time_limit_secs: time limit 1 s is out of range, expected 5 to 600 s (1 errors in total)"
    );
}
