//! Points through a live run match the published formula exactly.

mod common;

use lectern_quiz::{Answer, Correctness, PointsMode};

/// Opens the only question at 0, submits `answer` at `at_ms` and closes.
fn points_for(quiz: lectern_quiz::Quiz, answer: Answer, at_ms: u64) -> u32 {
    let mut run = common::start(quiz);
    run.open_next(0).expect("opens");
    run.submit("alice", answer, at_ms).expect("accepted");
    run.close(20_000).expect("closes");
    run.answer_record("alice", 0).expect("recorded").points
}

#[test]
fn standard_points_by_time() {
    let cases = [(0, 1000), (5_000, 875), (10_000, 750), (19_999, 500)];

    for (at_ms, expected) in cases {
        let points = points_for(
            common::true_false_quiz(1),
            Answer::Boolean { value: true },
            at_ms,
        );
        assert_eq!(points, expected, "answer at {at_ms} ms");
    }
}

#[test]
fn double_points_by_time() {
    let cases = [(0, 2000), (10_000, 1500), (19_999, 1000)];

    for (at_ms, expected) in cases {
        let mut quiz = common::true_false_quiz(1);
        quiz.questions[0].points = PointsMode::Double;
        let points = points_for(quiz, Answer::Boolean { value: true }, at_ms);
        assert_eq!(points, expected, "answer at {at_ms} ms");
    }
}

#[test]
fn no_points_mode_scores_zero() {
    let mut quiz = common::true_false_quiz(1);
    quiz.questions[0].points = PointsMode::NoPoints;

    assert_eq!(points_for(quiz, Answer::Boolean { value: true }, 0), 0);
}

#[test]
fn wrong_answer_scores_zero() {
    let points = points_for(
        common::true_false_quiz(1),
        Answer::Boolean { value: false },
        0,
    );

    assert_eq!(points, 0);
}

#[test]
fn half_credit_at_quarter_time() {
    let quiz = common::quiz_from_json(
        r#"{ "title": "Partial", "questions": [
            { "id": "q1", "text": "Gas giants?", "type": "multiple_choice",
              "choices": [
                { "text": "Jupiter", "weight": 50 },
                { "text": "Saturn", "weight": 50 },
                { "text": "Mars", "weight": -50 }
              ] }
        ] }"#,
    );

    let points = points_for(quiz, Answer::Choices { indices: vec![0] }, 5_000);

    assert_eq!(points, 438);
}

#[test]
fn streak_bonus_grows_and_resets() {
    let mut run = common::start_with_streaks(common::true_false_quiz(5));
    // alice answers true, true, false, true, true, each instantly.
    let answers = [true, true, false, true, true];
    let mut now = 0;

    for value in answers {
        run.open_next(now).expect("opens");
        run.submit("alice", Answer::Boolean { value }, now)
            .expect("accepted");
        run.close(now + 1).expect("closes");
        now += 60_000;
    }

    let bonuses: Vec<u32> = (0..5)
        .map(|index| {
            run.answer_record("alice", index)
                .expect("recorded")
                .streak_bonus
        })
        .collect();
    assert_eq!(bonuses, [0, 100, 0, 0, 100]);
    assert_eq!(run.leaderboard(1)[0].score, 4 * 1000 + 200);
    assert_eq!(run.leaderboard(1)[0].streak, 2);
}

#[test]
fn streak_bonus_capped() {
    let mut run = common::start_with_streaks(common::true_false_quiz(8));

    for index in 0..8 {
        let now = index * 60_000;
        run.open_next(now).expect("opens");
        run.submit("alice", Answer::Boolean { value: true }, now)
            .expect("accepted");
        run.close(now + 1).expect("closes");
    }

    let last = run.answer_record("alice", 7).expect("recorded");
    assert_eq!(last.streak_bonus, 500);
}

#[test]
fn missed_question_resets_streak() {
    let mut run = common::start_with_streaks(common::true_false_quiz(3));
    run.join("alice");

    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 0)
        .expect("accepted");
    run.close(1).expect("closes");
    run.open_next(100_000)
        .expect("opens, alice does not answer");
    run.close(100_001).expect("closes");
    run.open_next(200_000).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 200_000)
        .expect("accepted");

    let record = run.answer_record("alice", 2).expect("recorded");
    assert_eq!(record.streak_bonus, 0);
    assert_eq!(record.correctness, Correctness::Correct);
}
