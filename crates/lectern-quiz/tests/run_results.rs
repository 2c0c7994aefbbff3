//! Standings, podium, reports and exports after a run.

mod common;

use std::collections::BTreeMap;

use lectern_quiz::standings::PODIUM_MAX_ENTRIES;
use lectern_quiz::{Answer, Correctness, Distribution, Run};

/// Plays two true/false questions with alice, bob and carol.
///
/// alice: right at 0 ms, right at 10 s. bob: right at 10 s, wrong.
/// carol: joins and never answers.
fn played_run() -> Run {
    let mut run = common::start(common::true_false_quiz(2));
    run.join("carol");

    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 0)
        .expect("alice");
    run.submit("bob", Answer::Boolean { value: true }, 10_000)
        .expect("bob");
    run.close(20_000).expect("closes");
    run.reveal().expect("reveals");

    run.open_next(100_000).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 110_000)
        .expect("alice");
    run.submit("bob", Answer::Boolean { value: false }, 101_000)
        .expect("bob");
    run.tick(120_000);
    run
}

#[test]
fn leaderboard_ranks_by_score() {
    let run = played_run();

    let board = run.leaderboard(10);
    let rows: Vec<(u32, &str, u64, u32)> = board
        .iter()
        .map(|s| (s.rank, s.participant_id.as_str(), s.score, s.correct))
        .collect();

    assert_eq!(
        rows,
        [
            (1, "alice", 1750, 2),
            (2, "bob", 750, 1),
            (3, "carol", 0, 0)
        ]
    );
    assert_eq!(run.leaderboard(1).len(), 1);
}

#[test]
fn open_question_not_in_standings() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    run.submit("alice", Answer::Boolean { value: true }, 0)
        .expect("accepted");

    assert_eq!(run.leaderboard(1)[0].score, 0);

    run.close(1).expect("closes");
    assert_eq!(run.leaderboard(1)[0].score, 1000);
}

#[test]
fn podium_after_end() {
    let mut run = played_run();

    let podium = run.end(200_000).expect("ends");
    let names: Vec<&str> = podium
        .places
        .iter()
        .map(|place| place.participant_id.as_str())
        .collect();

    assert_eq!(names, ["alice", "bob", "carol"]);
    assert_eq!(podium.unlisted, 0);
}

#[test]
fn podium_ties_share_rank() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    for name in ["a", "b", "c", "d"] {
        run.submit(name, Answer::Boolean { value: true }, 0)
            .expect("accepted");
    }

    let podium = run.end(1).expect("ends");

    assert_eq!(podium.places.len(), 4);
    assert!(podium.places.iter().all(|place| place.rank == 1));
    assert_eq!(podium.unlisted, 0);
}

/// Returns `count` participant ids that sort in numeric order.
fn participant_ids(count: usize) -> Vec<String> {
    (0..count).map(|number| format!("p{number:03}")).collect()
}

#[test]
fn podium_caps_many_ties() {
    let extra = 7;
    let ids = participant_ids(PODIUM_MAX_ENTRIES + extra);
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    for id in &ids {
        run.submit(id, Answer::Boolean { value: true }, 0)
            .expect("accepted");
    }

    let podium = run.end(1).expect("ends");
    let listed: Vec<&str> = podium
        .places
        .iter()
        .map(|place| place.participant_id.as_str())
        .collect();

    assert_eq!(podium.places.len(), PODIUM_MAX_ENTRIES);
    assert_eq!(podium.unlisted, u32::try_from(extra).expect("small"));
    assert!(podium.places.iter().all(|place| place.rank == 1));
    assert_eq!(listed, ids[..PODIUM_MAX_ENTRIES], "ties listed by id");
}

#[test]
fn podium_cap_keeps_winner_first() {
    let ids = participant_ids(2 * PODIUM_MAX_ENTRIES);
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    // The last id submits at 0 ms, so it alone has the top score. The
    // others submit at 10 s and tie for rank 2.
    let (winner, tied) = ids.split_last().expect("not empty");
    run.submit(winner, Answer::Boolean { value: true }, 0)
        .expect("accepted");
    for id in tied {
        run.submit(id, Answer::Boolean { value: true }, 10_000)
            .expect("accepted");
    }

    let podium = run.end(20_000).expect("ends");

    assert_eq!(podium.places.len(), PODIUM_MAX_ENTRIES);
    assert_eq!(podium.places[0].participant_id, *winner);
    assert_eq!(podium.places[0].rank, 1);
    assert!(podium.places[1..].iter().all(|place| place.rank == 2));
    assert_eq!(
        podium.unlisted,
        u32::try_from(ids.len() - PODIUM_MAX_ENTRIES).expect("small")
    );
}

#[test]
fn podium_unlisted_excludes_rank_four() {
    let mut run = common::start(common::true_false_quiz(1));
    run.open_next(0).expect("opens");
    for (id, received_at) in [("a", 0), ("b", 4_000), ("c", 8_000), ("d", 12_000)] {
        run.submit(id, Answer::Boolean { value: true }, received_at)
            .expect("accepted");
    }

    let podium = run.end(20_000).expect("ends");
    let ranks: Vec<u32> = podium.places.iter().map(|place| place.rank).collect();

    assert_eq!(ranks, [1, 2, 3]);
    assert_eq!(podium.unlisted, 0, "rank 4 is not a podium place");
}

#[test]
fn question_report_counts() {
    let run = played_run();

    let report = run.question_report(1).expect("exists");

    assert_eq!(report.answered, 2);
    assert_eq!(report.correct, 1);
    assert_eq!(report.incorrect, 1);
    assert_eq!(report.average_points, 375.0);
    assert_eq!(report.average_response_ms, 5_500.0);
    assert_eq!(
        report.distribution,
        Distribution::TrueFalse {
            true_count: 1,
            false_count: 1
        }
    );
    assert!(run.question_report(2).is_err());
}

#[test]
fn live_counts_match_the_report() {
    let mut run = common::start(common::true_false_quiz(1));
    run.join("carol");
    run.open_next(0).expect("opens");
    assert_eq!(run.answered_count(0), Ok(0));

    run.submit("alice", Answer::Boolean { value: true }, 1_000)
        .expect("alice");
    run.submit("bob", Answer::Boolean { value: false }, 2_000)
        .expect("bob");
    let report = run.question_report(0).expect("exists");

    assert_eq!(run.answered_count(0), Ok(2));
    assert_eq!(run.answered_count(0), Ok(report.answered));
    assert_eq!(run.answer_distribution(0), Ok(report.distribution));
    assert_eq!(run.participant_count(), 3);
    assert_eq!(run.participant_count(), run.participants().count());
    assert!(run.answered_count(1).is_err());
    assert!(run.answer_distribution(1).is_err());
}

#[test]
fn student_result_running_total() {
    let mut run = played_run();
    run.reveal().expect("reveals");

    let first = run.student_result("bob", 0).expect("revealed");
    let second = run.student_result("bob", 1).expect("revealed");
    let missing = run.student_result("carol", 1).expect("revealed");

    assert_eq!(first.total, 750);
    assert_eq!(second.total, 750);
    assert_eq!(second.correctness, Correctness::Incorrect);
    assert_eq!(missing.answer, None);
    assert_eq!(missing.correctness, Correctness::Incorrect);
}

#[test]
fn results_csv_export() {
    let run = played_run();

    let csv = run.results().to_csv();

    assert_eq!(
        csv,
        "participant_id,rank,total,correct,q0,q1\r\n\
         alice,1,1750,2,1000,750\r\n\
         bob,2,750,1,750,0\r\n\
         carol,3,0,0,,\r\n"
    );
}

#[test]
fn results_json_export() {
    let run = played_run();

    let json = serde_json::to_value(run.results()).expect("serialises");

    assert_eq!(json["title"], "True or false");
    assert_eq!(json["questions"][0]["id"], "q0");
    assert_eq!(json["questions"][0]["type"], "true_false");
    assert_eq!(json["participants"][0]["participant_id"], "alice");
    assert_eq!(json["participants"][0]["answers"][1]["points"], 750);
    assert_eq!(
        json["participants"][2]["answers"][0],
        serde_json::Value::Null
    );
}

#[test]
fn run_snapshot_round_trip() {
    let run = played_run();

    let snapshot = serde_json::to_string(&run).expect("serialises");
    let restored: Run = serde_json::from_str(&snapshot).expect("deserialises");

    assert_eq!(restored, run);
}

#[test]
fn csv_with_names_adds_column() {
    let run = played_run();
    let names = BTreeMap::from([
        ("alice".to_owned(), "Alice Liddell".to_owned()),
        ("bob".to_owned(), "=Bob, Jr.".to_owned()),
    ]);

    let csv = run.results().with_names(&names).to_csv_with_names();

    assert_eq!(
        csv,
        "participant_id,name,rank,total,correct,q0,q1\r\n\
         alice,Alice Liddell,1,1750,2,1000,750\r\n\
         bob,\"'=Bob, Jr.\",2,750,1,750,0\r\n\
         carol,,3,0,0,,\r\n"
    );
}

#[test]
fn json_names_only_when_given() {
    let run = played_run();
    let names = BTreeMap::from([("alice".to_owned(), "Alice Liddell".to_owned())]);

    let plain = serde_json::to_value(run.results()).expect("serialises");
    let named = serde_json::to_value(run.results().with_names(&names)).expect("serialises");

    assert!(plain["participants"][0].get("name").is_none(), "{plain}");
    assert_eq!(named["participants"][0]["name"], "Alice Liddell");
    assert!(named["participants"][1].get("name").is_none(), "{named}");
}
