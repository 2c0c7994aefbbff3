//! The store's behaviour on SQLite and on a real PostgreSQL server.
//!
//! PostgreSQL tests connect to `LECTERN_TEST_POSTGRES_URL` and create a
//! database of their own. Without that variable they are skipped, unless
//! `LECTERN_REQUIRE_POSTGRES=1` (set by `tests/run`) makes that a failure.

#![allow(clippy::print_stderr, reason = "a skipped test says why on stderr")]

use lectern_store::{
    BoardAppend, MediaUpload, NewAnswer, NewApiToken, NewMedia, NewParticipant, NewQuiz, NewRoom,
    NewRun, NewUser, QuizUpdate, RunStateUpdate, Store, StoreError,
};
use sqlx::Connection;

struct TestDatabase {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("lectern.db").display()
    );
    let store = Store::connect(&url).await.expect("SQLite store");
    TestDatabase {
        store,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<TestDatabase> {
    let Ok(admin_url) = std::env::var("LECTERN_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("LECTERN_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "LECTERN_TEST_POSTGRES_URL is not set but LECTERN_REQUIRE_POSTGRES=1"
        );
        eprintln!("skipped: set LECTERN_TEST_POSTGRES_URL to run PostgreSQL tests");
        return None;
    };

    sqlx::any::install_default_drivers();
    let name = format!(
        "lectern_store_{}",
        std::process::id() as u64 * 1000 + next_id()
    );
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("connect to the PostgreSQL test server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");

    let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
    let store = Store::connect(&format!("{base}/{name}"))
        .await
        .expect("PostgreSQL store");
    Some(TestDatabase { store, _dir: None })
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs one scenario against both backends.
macro_rules! on_both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario(super::sqlite().await.store).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(database) = super::postgres().await {
                    super::$scenario(database.store).await;
                }
            }
        }
    };
}

async fn add_lecturer(store: &Store, id: &str) {
    store
        .create_user(&NewUser {
            id,
            email: &format!("{id}@example.org"),
            name: "Ada Lovelace",
            role: "lecturer",
            password_hash: "$argon2id$not-a-real-hash",
            created_at: 1,
        })
        .await
        .expect("create user");
}

async fn add_room(store: &Store, id: &str, code: &str, owner: &str) {
    store
        .create_room(&NewRoom {
            id,
            code,
            title: "Linear algebra",
            owner_id: owner,
            created_at: 2,
        })
        .await
        .expect("create room");
}

async fn add_participant(store: &Store, id: &str, room: &str, token_hash: &str, expires_at: i64) {
    store
        .create_participant(&NewParticipant {
            id,
            room_id: room,
            name: "Grace",
            token_hash,
            created_at: 3,
            expires_at,
        })
        .await
        .expect("create participant");
}

async fn users_and_sessions(store: Store) {
    add_lecturer(&store, "u1").await;

    let duplicate = store
        .create_user(&NewUser {
            id: "u2",
            email: "u1@example.org",
            name: "Someone else",
            role: "admin",
            password_hash: "x",
            created_at: 1,
        })
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    let found = store.user_by_email("u1@example.org").await.expect("query");
    assert_eq!(
        found.expect("user exists").password_hash,
        "$argon2id$not-a-real-hash"
    );

    store
        .create_session("hash-a", "u1", 10, 100)
        .await
        .expect("session");
    let user = store.session_user("hash-a", 50).await.expect("query");
    assert_eq!(user.map(|user| user.id).as_deref(), Some("u1"));
    assert_eq!(
        store.session_user("hash-a", 100).await.expect("query"),
        None,
        "expired"
    );
    assert_eq!(
        store.session_user("hash-b", 50).await.expect("query"),
        None,
        "unknown"
    );

    store.delete_session("hash-a").await.expect("logout");
    assert_eq!(
        store.session_user("hash-a", 50).await.expect("query"),
        None,
        "logged out"
    );
}
on_both_backends!(users_and_sessions_work, users_and_sessions);

async fn rooms(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    add_room(&store, "r2", "wxyz6789", "u1").await;

    let taken = store
        .create_room(&NewRoom {
            id: "r3",
            code: "abcd2345",
            title: "Clash",
            owner_id: "u1",
            created_at: 5,
        })
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let listed = store.rooms_by_owner("u1").await.expect("list");
    assert_eq!(listed.len(), 2);

    store.close_room("r1", 99).await.expect("close");
    store.close_room("r1", 200).await.expect("close again");
    let room = store
        .room_by_code("abcd2345")
        .await
        .expect("query")
        .expect("room");
    assert_eq!(
        room.closed_at,
        Some(99),
        "closing twice keeps the first time"
    );
}
on_both_backends!(rooms_work, rooms);

async fn drawing_permissions(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    add_participant(&store, "p1", "r1", "t1", 1_000).await;
    assert_eq!(
        store
            .participant_by_token("t1", 10)
            .await
            .expect("query")
            .expect("p1")
            .can_draw,
        0
    );

    store
        .set_students_can_draw("r1", true)
        .await
        .expect("grant all");
    add_participant(&store, "p2", "r1", "t2", 1_000).await;
    let all = store.participants("r1").await.expect("list");
    assert!(
        all.iter().all(|participant| participant.can_draw == 1),
        "{all:?}"
    );

    assert!(
        store
            .set_participant_can_draw("r1", "p1", false)
            .await
            .expect("revoke")
    );
    assert!(
        !store
            .set_participant_can_draw("r1", "nobody", false)
            .await
            .expect("revoke")
    );
    let p1 = store
        .participant_by_token("t1", 10)
        .await
        .expect("query")
        .expect("p1");
    assert_eq!(p1.can_draw, 0);

    store
        .set_students_can_draw("r1", false)
        .await
        .expect("revoke all");
    let all = store.participants("r1").await.expect("list");
    assert!(
        all.iter().all(|participant| participant.can_draw == 0),
        "{all:?}"
    );

    assert_eq!(
        store
            .participant_by_token("t1", 1_000)
            .await
            .expect("query"),
        None,
        "expired"
    );
}
on_both_backends!(drawing_permissions_work, drawing_permissions);

async fn board_log(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    assert_eq!(store.load_board("r1").await.expect("load").last_seq, 0);

    store
        .append_board_updates("r1", 1, &[vec![1, 1], vec![2, 2], vec![3, 3]], 7)
        .await
        .expect("append");
    let log = store.load_board("r1").await.expect("load");
    assert_eq!(log.snapshot, None);
    assert_eq!(
        log.updates,
        [(1, vec![1, 1]), (2, vec![2, 2]), (3, vec![3, 3])]
    );
    assert_eq!(log.last_seq, 3);

    let clash = store
        .append_board_updates("r1", 3, &[vec![4], vec![5]], 8)
        .await;
    assert!(clash.is_err(), "sequence number 3 is taken");
    let log = store.load_board("r1").await.expect("load");
    assert_eq!(
        log.last_seq, 3,
        "a failed batch stores nothing, not even its free seq 4"
    );

    store
        .compact_board("r1", &[9, 9, 9], 2, 8)
        .await
        .expect("compact");
    let log = store.load_board("r1").await.expect("load");
    assert_eq!(log.snapshot.as_deref(), Some(&[9, 9, 9][..]));
    assert_eq!(log.updates, [(3, vec![3, 3])]);
    assert_eq!(log.last_seq, 3);

    store
        .compact_board("r1", &[8], 3, 9)
        .await
        .expect("compact again");
    let log = store.load_board("r1").await.expect("load");
    assert_eq!(log.snapshot.as_deref(), Some(&[8][..]));
    assert!(log.updates.is_empty());
    assert_eq!(
        log.last_seq, 3,
        "the snapshot remembers the sequence it covers"
    );
}
on_both_backends!(board_log_works, board_log);

async fn board_log_of_several_rooms(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    add_room(&store, "r2", "efgh2345", "u1").await;
    store
        .append_board_updates("r2", 1, &[vec![20]], 5)
        .await
        .expect("append to r2");

    let first = [vec![10], vec![11]];
    let second = [vec![21], vec![22], vec![23]];
    store
        .append_board_updates_of_rooms(
            &[
                BoardAppend {
                    room_id: "r1",
                    first_seq: 1,
                    updates: &first,
                },
                BoardAppend {
                    room_id: "r2",
                    first_seq: 2,
                    updates: &second,
                },
            ],
            6,
        )
        .await
        .expect("append to both rooms");
    let log = store.load_board("r1").await.expect("load r1");
    assert_eq!(log.updates, [(1, vec![10]), (2, vec![11])]);
    let log = store.load_board("r2").await.expect("load r2");
    assert_eq!(
        log.updates,
        [(1, vec![20]), (2, vec![21]), (3, vec![22]), (4, vec![23])]
    );

    // More rows than fit in one INSERT statement.
    let many: Vec<Vec<u8>> = (0..450_u16).map(|n| n.to_le_bytes().to_vec()).collect();
    store
        .append_board_updates("r1", 3, &many, 7)
        .await
        .expect("append a long batch");
    let log = store.load_board("r1").await.expect("load r1");
    assert_eq!(log.last_seq, 452);
    assert_eq!(log.updates[451], (452, 449_u16.to_le_bytes().to_vec()));

    let fresh = [vec![30]];
    let clashing = [vec![40]];
    let clash = store
        .append_board_updates_of_rooms(
            &[
                BoardAppend {
                    room_id: "r2",
                    first_seq: 5,
                    updates: &fresh,
                },
                BoardAppend {
                    room_id: "r1",
                    first_seq: 452,
                    updates: &clashing,
                },
            ],
            8,
        )
        .await;
    assert!(clash.is_err(), "sequence number 452 of r1 is taken");
    assert_eq!(
        store.load_board("r2").await.expect("load r2").last_seq,
        4,
        "a failed call stores no room's updates"
    );

    // Longer than one statement: the clash is in the second INSERT.
    let long: Vec<Vec<u8>> = vec![vec![50]; 250];
    let clash = store
        .append_board_updates_of_rooms(
            &[
                BoardAppend {
                    room_id: "r2",
                    first_seq: 5,
                    updates: &long,
                },
                BoardAppend {
                    room_id: "r1",
                    first_seq: 452,
                    updates: &clashing,
                },
            ],
            9,
        )
        .await;
    assert!(clash.is_err(), "sequence number 452 of r1 is still taken");
    assert_eq!(
        store.load_board("r2").await.expect("load r2").last_seq,
        4,
        "the statements before the clash are rolled back"
    );
}
on_both_backends!(board_log_of_several_rooms_works, board_log_of_several_rooms);

async fn add_api_token(store: &Store, id: &str, user: &str, hash: &str, expires_at: Option<i64>) {
    store
        .create_api_token(&NewApiToken {
            id,
            user_id: user,
            name: "quiz export script",
            token_hash: hash,
            created_at: 5,
            expires_at,
        })
        .await
        .expect("create API token");
}

async fn api_tokens(store: Store) {
    add_lecturer(&store, "u1").await;
    add_lecturer(&store, "u2").await;
    add_api_token(&store, "t1", "u1", "hash-1", None).await;
    add_api_token(&store, "t2", "u1", "hash-2", Some(100)).await;
    add_api_token(&store, "t3", "u2", "hash-3", None).await;

    let same_secret = store
        .create_api_token(&NewApiToken {
            id: "t4",
            user_id: "u2",
            name: "clash",
            token_hash: "hash-1",
            created_at: 6,
            expires_at: None,
        })
        .await;
    assert!(
        matches!(same_secret, Err(StoreError::Conflict(_))),
        "{same_secret:?}"
    );

    let user = store
        .api_token_user("hash-1", 1_000_000)
        .await
        .expect("query");
    assert_eq!(
        user.map(|user| user.id).as_deref(),
        Some("u1"),
        "a token without expiry never expires"
    );
    let user = store.api_token_user("hash-2", 99).await.expect("query");
    assert_eq!(user.map(|user| user.id).as_deref(), Some("u1"));
    assert_eq!(
        store.api_token_user("hash-2", 100).await.expect("query"),
        None,
        "expired"
    );
    assert_eq!(
        store.api_token_user("hash-9", 10).await.expect("query"),
        None,
        "unknown"
    );

    let listed = store.api_tokens_by_user("u1").await.expect("list");
    let ids: Vec<&str> = listed.iter().map(|token| token.id.as_str()).collect();
    assert_eq!(ids, ["t1", "t2"], "only the user's own tokens");
    assert_eq!(listed[1].expires_at, Some(100));
    assert_eq!(listed[0].expires_at, None);

    assert!(
        !store.delete_api_token("u2", "t1").await.expect("delete"),
        "another user cannot revoke the token"
    );
    assert!(store.delete_api_token("u1", "t1").await.expect("delete"));
    assert!(
        !store
            .delete_api_token("u1", "t1")
            .await
            .expect("delete again"),
        "already revoked"
    );
    assert_eq!(
        store.api_token_user("hash-1", 10).await.expect("query"),
        None,
        "revoked"
    );
}
on_both_backends!(api_tokens_work, api_tokens);

async fn quizzes(store: Store) {
    add_lecturer(&store, "u1").await;
    add_lecturer(&store, "u2").await;
    let body = r#"{"title":"Limits","questions":[]}"#;
    let created = store
        .create_quiz(&NewQuiz {
            id: "q1",
            owner_id: "u1",
            title: "Limits",
            question_count: 0,
            body,
            created_at: 10,
        })
        .await
        .expect("create quiz");
    assert_eq!(created.version, 1);
    assert_eq!(created.updated_at, 10);
    store
        .create_quiz(&NewQuiz {
            id: "q2",
            owner_id: "u1",
            title: "Series",
            question_count: 3,
            body: "{}",
            created_at: 20,
        })
        .await
        .expect("create second quiz");

    let duplicate = store
        .create_quiz(&NewQuiz {
            id: "q1",
            owner_id: "u2",
            title: "Clash",
            question_count: 0,
            body: "{}",
            created_at: 30,
        })
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    let loaded = store.quiz_by_id("q1").await.expect("query").expect("q1");
    assert_eq!(loaded, created, "the body comes back unchanged");

    let update = QuizUpdate {
        id: "q1",
        owner_id: "u1",
        expected_version: 1,
        title: "Limits and continuity",
        question_count: 2,
        body: r#"{"title":"Limits and continuity"}"#,
        updated_at: 40,
    };
    assert!(store.update_quiz(&update).await.expect("update"));
    assert!(
        !store.update_quiz(&update).await.expect("stale update"),
        "version 1 is gone, so a second writer with it must fail"
    );
    assert!(
        !store
            .update_quiz(&QuizUpdate {
                owner_id: "u2",
                expected_version: 2,
                ..update.clone()
            })
            .await
            .expect("update by another user"),
        "another user cannot update the quiz"
    );
    let loaded = store.quiz_by_id("q1").await.expect("query").expect("q1");
    assert_eq!(loaded.version, 2);
    assert_eq!(loaded.title, "Limits and continuity");
    assert_eq!(loaded.question_count, 2);
    assert_eq!(loaded.body, r#"{"title":"Limits and continuity"}"#);
    assert_eq!(loaded.created_at, 10);
    assert_eq!(loaded.updated_at, 40);

    let listed = store.quizzes_by_owner("u1").await.expect("list");
    let ids: Vec<&str> = listed.iter().map(|quiz| quiz.id.as_str()).collect();
    assert_eq!(ids, ["q1", "q2"], "most recently changed first");
    assert_eq!(listed[0].question_count, 2);
    assert_eq!(listed[0].version, 2);
    assert!(store.quizzes_by_owner("u2").await.expect("list").is_empty());

    assert!(
        !store.delete_quiz("u2", "q1").await.expect("delete"),
        "another user cannot delete the quiz"
    );
    assert!(store.delete_quiz("u1", "q1").await.expect("delete"));
    assert_eq!(store.quiz_by_id("q1").await.expect("query"), None);
    assert!(!store.delete_quiz("u1", "q1").await.expect("delete again"));
}
on_both_backends!(quizzes_work, quizzes);

fn new_run<'a>(id: &'a str, room: &'a str, started_at: i64) -> NewRun<'a> {
    NewRun {
        id,
        room_id: room,
        quiz_id: "quiz-1",
        title: "Planets",
        started_by: "u1",
        started_at,
        phase: "lobby",
        state: "{\"phase\":\"lobby\"}",
    }
}

fn new_answer<'a>(
    run: &'a str,
    index: i64,
    participant: &'a str,
    record: &'a str,
) -> NewAnswer<'a> {
    NewAnswer {
        run_id: run,
        question_index: index,
        participant_id: participant,
        question_id: "q1",
        answer: "{\"type\":\"choice\",\"index\":1}",
        record,
        received_at: 100 + index,
    }
}

async fn quiz_runs(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcdefghjk", "u1").await;
    add_room(&store, "r2", "bcdefghjkm", "u1").await;

    let created = store
        .create_run(&new_run("run-1", "r1", 10))
        .await
        .expect("create");
    assert_eq!(created.ended_at, None);
    assert_eq!(created.updated_at, 10);
    let duplicate = store.create_run(&new_run("run-1", "r1", 11)).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
    store
        .create_run(&new_run("run-2", "r1", 20))
        .await
        .expect("create");
    store
        .create_run(&new_run("run-3", "r2", 30))
        .await
        .expect("create");

    let active = store
        .active_run("r1")
        .await
        .expect("query")
        .expect("active run");
    assert_eq!(active.run.id, "run-2", "the newest run that has not ended");
    assert!(active.answers.is_empty());

    let saved = store
        .save_run_state(&RunStateUpdate {
            id: "run-2",
            phase: "ended",
            state: "{\"phase\":\"ended\"}",
            ended_at: Some(40),
            updated_at: 40,
        })
        .await
        .expect("save");
    assert!(saved);
    let missing = store
        .save_run_state(&RunStateUpdate {
            id: "no-such-run",
            phase: "ended",
            state: "{}",
            ended_at: None,
            updated_at: 40,
        })
        .await
        .expect("save");
    assert!(!missing, "no run has this id");

    let active = store
        .active_run("r1")
        .await
        .expect("query")
        .expect("active run");
    assert_eq!(active.run.id, "run-1", "run-2 has ended");
    let ended = store.run_by_id("run-2").await.expect("query").expect("run");
    assert_eq!(ended.phase, "ended");
    assert_eq!(ended.state, "{\"phase\":\"ended\"}");
    assert_eq!(ended.ended_at, Some(40));
    assert_eq!(ended.updated_at, 40);

    let listed = store.runs_of_room("r1").await.expect("list");
    let ids: Vec<&str> = listed.iter().map(|run| run.id.as_str()).collect();
    assert_eq!(ids, ["run-2", "run-1"], "newest first, this room's only");
    assert!(store.runs_of_room("r3").await.expect("list").is_empty());
}
on_both_backends!(quiz_runs_work, quiz_runs);

async fn quiz_answers(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcdefghjk", "u1").await;
    store
        .create_run(&new_run("run-1", "r1", 10))
        .await
        .expect("create");

    store
        .append_answers(&[
            new_answer("run-1", 0, "p1", "{\"first\":1}"),
            new_answer("run-1", 0, "p2", "{\"first\":2}"),
            new_answer("run-1", 1, "p1", "{\"first\":3}"),
        ])
        .await
        .expect("append a batch");
    store.append_answers(&[]).await.expect("an empty batch");

    let repeated = store
        .append_answers(&[
            new_answer("run-1", 2, "p1", "{\"first\":4}"),
            new_answer("run-1", 0, "p1", "{\"second\":1}"),
        ])
        .await;
    assert!(
        matches!(repeated, Err(StoreError::Conflict(_))),
        "{repeated:?}"
    );

    let loaded = store.load_run("run-1").await.expect("query").expect("run");
    let keys: Vec<(i64, &str, &str)> = loaded
        .answers
        .iter()
        .map(|answer| {
            (
                answer.question_index,
                answer.participant_id.as_str(),
                answer.record.as_str(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (0, "p1", "{\"first\":1}"),
            (0, "p2", "{\"first\":2}"),
            (1, "p1", "{\"first\":3}"),
        ],
        "the first answer stays and the failed batch left nothing behind"
    );
    assert_eq!(loaded.answers[0].question_id, "q1");
    assert_eq!(
        loaded.answers[0].answer,
        "{\"type\":\"choice\",\"index\":1}"
    );
    assert_eq!(loaded.answers[2].received_at, 101);
    assert_eq!(store.load_run("no-such-run").await.expect("query"), None);

    store.close_room("r1", 50).await.expect("close room");
    let after_close = store.load_run("run-1").await.expect("query").expect("run");
    assert_eq!(
        after_close.answers.len(),
        3,
        "runs outlive the room's closing"
    );
}
on_both_backends!(quiz_answers_work, quiz_answers);

#[test]
fn unsupported_scheme_is_named() {
    let error =
        lectern_store::Backend::from_url("mysql://root:secret@db/x").expect_err("unsupported");
    let message = error.to_string();
    assert!(message.contains("\"mysql\""), "{message}");
    assert!(
        !message.contains("secret"),
        "the password stays out of errors: {message}"
    );
}

/// Returns made-up original, display and thumbnail digests of 64 hex
/// digits, each starting with `digit`, and the id.
fn picture(id: &str, digit: char) -> (String, String, String, &str) {
    let digest = |variant: char| format!("{digit}{}", variant.to_string().repeat(63));
    (digest('1'), digest('2'), digest('3'), id)
}

async fn media(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    add_room(&store, "r2", "efgh6789", "u1").await;
    let (original, display, thumbnail, _) = picture("m1", 'a');
    let image = |id: &'static str| NewMedia {
        id,
        kind: "image",
        content_type: "image/png",
        width: Some(640),
        height: Some(480),
        original_digest: &original,
        display_digest: &display,
        thumbnail_digest: Some(&thumbnail),
    };
    let upload = |room_id: &'static str| MediaUpload {
        room_id,
        filename: Some("photo.png"),
        uploaded_by: "u1",
        created_at: 5,
    };

    // The same files in two rooms: one row, and one id, per room.
    let (first, pages) = store
        .create_media(&upload("r1"), &image("m1"), &[])
        .await
        .expect("create in r1");
    assert!(pages.is_empty());
    store
        .create_media(&upload("r2"), &image("m2"), &[])
        .await
        .expect("create in r2");
    let found = store.media_item("r1", "m1").await.expect("query");
    assert_eq!(found.as_ref(), Some(&first));
    let found = found.expect("m1");
    assert_eq!(found.width, Some(640));
    assert_eq!(found.thumbnail_digest.as_deref(), Some(thumbnail.as_str()));
    assert_eq!(found.filename.as_deref(), Some("photo.png"));
    assert_eq!(found.slides_id, None);
    let second = store.media_item("r2", "m2").await.expect("query");
    assert_eq!(
        second.map(|item| item.display_digest),
        Some(display.clone())
    );

    // An id of another room is not found, like an unknown id.
    assert_eq!(store.media_item("r2", "m1").await.expect("query"), None);
    assert_eq!(store.media_item("r1", "m9").await.expect("query"), None);

    let duplicate = store.create_media(&upload("r1"), &image("m1"), &[]).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    // A video has no size and no thumbnail.
    let video = NewMedia {
        id: "v1",
        kind: "video",
        content_type: "video/mp4",
        width: None,
        height: None,
        original_digest: &original,
        display_digest: &original,
        thumbnail_digest: None,
    };
    let anonymous = MediaUpload {
        filename: None,
        ..upload("r1")
    };
    store
        .create_media(&anonymous, &video, &[])
        .await
        .expect("create video");
    let video = store
        .media_item("r1", "v1")
        .await
        .expect("query")
        .expect("v1");
    assert_eq!((video.width, video.height), (None, None));
    assert_eq!(video.thumbnail_digest, None);
    assert_eq!(video.filename, None);
}
on_both_backends!(media_works, media);

/// Builds a slide page's row from the digests and id of `picture`.
fn page_row<'a>(
    (original, display, thumbnail, id): &'a (String, String, String, &'a str),
) -> NewMedia<'a> {
    NewMedia {
        id,
        kind: "image",
        content_type: "image/png",
        width: Some(800),
        height: Some(600),
        original_digest: original,
        display_digest: display,
        thumbnail_digest: Some(thumbnail),
    }
}

async fn slides(store: Store) {
    add_lecturer(&store, "u1").await;
    add_room(&store, "r1", "abcd2345", "u1").await;
    let digests: Vec<(String, String, String, &str)> =
        vec![picture("p0", 'b'), picture("p1", 'c'), picture("p2", 'd')];
    let pages: Vec<NewMedia> = digests.iter().map(page_row).collect();
    let deck = NewMedia {
        id: "s1",
        kind: "slides",
        ..pages[0].clone()
    };
    let upload = MediaUpload {
        room_id: "r1",
        filename: Some("deck.pdf"),
        uploaded_by: "p9",
        created_at: 7,
    };

    let (item, created) = store
        .create_media(&upload, &deck, &pages)
        .await
        .expect("create slides");
    assert_eq!(item.kind, "slides");
    let ids: Vec<&str> = created.iter().map(|page| page.id.as_str()).collect();
    assert_eq!(ids, ["p0", "p1", "p2"]);

    let stored = store.slide_pages("s1").await.expect("pages");
    assert_eq!(stored, created);
    assert_eq!(stored[2].page_index, Some(2));
    assert_eq!(stored[2].slides_id.as_deref(), Some("s1"));
    assert_eq!(stored[1].display_digest, digests[1].1);

    // Each page is a media item of the room in its own right.
    let page = store
        .media_item("r1", "p1")
        .await
        .expect("query")
        .expect("page p1");
    assert_eq!(page.kind, "image");
    assert_eq!(page.uploaded_by, "p9");
    assert!(store.slide_pages("p1").await.expect("pages").is_empty());
}
on_both_backends!(slides_work, slides);
