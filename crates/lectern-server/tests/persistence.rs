//! The board survives restarts, room unloads, compaction and `kill -9`.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::{BoardClient, LECTURER_PASSWORD, TestServer, element_ids, notes, start, start_with};
use yrs::Transact;
use yrs::updates::decoder::Decode;

#[tokio::test]
async fn board_survives_clean_restart() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    lecturer.add_element("stroke-1").await;
    lecturer.type_text("limits").await;
    lecturer.round_trip().await;
    drop(lecturer);

    let server = server.restart().await;

    let board = server.board(&code, &token).await;
    assert_eq!(element_ids(&board), ["stroke-1"]);
    assert_eq!(notes(&board), "limits");
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    lecturer.round_trip().await;
    assert_eq!(
        notes(&lecturer.doc),
        "limits",
        "a reconnecting client gets the stored board"
    );
    server.stop().await;
}

#[tokio::test]
async fn board_survives_restart_on_postgres() {
    let Some(database_url) = support::postgres_database().await else {
        return;
    };
    let server = start_with(|settings| {
        settings.database_url = database_url;
        settings.limits.compact_after_updates = 3;
    })
    .await;
    let (token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    for word in ["one ", "two ", "three ", "four"] {
        lecturer.type_text(word).await;
    }
    lecturer.round_trip().await;
    drop(lecturer);

    let server = server.restart().await;

    assert_eq!(
        notes(&server.board(&code, &token).await),
        "one two three four"
    );
    server.stop().await;
}

#[tokio::test]
async fn board_survives_compaction_and_unload() {
    let server = start_with(|settings| {
        settings.limits.compact_after_updates = 5;
        settings.limits.room_idle_timeout = Duration::from_millis(50);
    })
    .await;
    let (token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    for letter in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
        lecturer.type_text(letter).await;
    }
    lecturer.round_trip().await;
    drop(lecturer);

    let store = lectern_store::Store::connect(&server.settings.database_url)
        .await
        .expect("store");
    let room = store
        .room_by_code(&code)
        .await
        .expect("query")
        .expect("room");
    let log = store.load_board(&room.id).await.expect("load");
    assert!(
        log.snapshot.is_some(),
        "twelve updates crossed the threshold of five"
    );
    assert!(
        log.updates.len() < 5,
        "compaction removed covered updates: {}",
        log.updates.len()
    );
    store.close().await;

    // The room unloads once idle; a new connection loads it from storage.
    let server = server.restart().await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    assert_eq!(notes(&lecturer.doc), "abcdefghijkl");

    lecturer.type_text("m").await;
    lecturer.round_trip().await;
    let board = server.board(&code, &token).await;
    assert_eq!(notes(&board), "abcdefghijklm");
    server.stop().await;
}

#[tokio::test]
async fn room_reloads_after_idle_unload() {
    let server = start_with(|settings| {
        settings.limits.room_idle_timeout = Duration::from_millis(20);
    })
    .await;
    let (token, code) = server.lecturer_room().await;

    for round in 0..5 {
        let mut lecturer = BoardClient::connect(&server, &code, &token).await;
        assert_eq!(
            notes(&lecturer.doc).len(),
            round,
            "round {round} sees every earlier edit"
        );
        lecturer.type_text("x").await;
        lecturer.round_trip().await;
        drop(lecturer);
        // Give the room a chance to unload between rounds, or not: both
        // orders must keep the board.
        tokio::task::yield_now().await;
    }
    server.stop().await;
}

#[tokio::test]
async fn many_rooms_updates_all_logged() {
    let server = start().await;
    let (token, first_code) = server.lecturer_room().await;
    let mut rooms = vec![(token.clone(), first_code)];
    for _ in 1..12 {
        let (status, body) = server
            .call(
                "POST",
                "/api/v1/rooms",
                Some(&token),
                Some(serde_json::json!({ "title": "Statistics" })),
            )
            .await;
        assert_eq!(status, 201, "create room failed: {body}");
        let code = body["code"].as_str().expect("code").to_owned();
        rooms.push((token.clone(), code));
    }

    let drawing = rooms.iter().map(|(token, code)| {
        let server = &server;
        async move {
            let mut lecturer = BoardClient::connect(server, code, token).await;
            for letter in ["a", "b", "c", "d", "e", "f", "g", "h"] {
                lecturer.type_text(letter).await;
            }
            // The room stores an update before it replies to any later message.
            lecturer.round_trip().await;
            lecturer
        }
    });
    let lecturers = futures_util::future::join_all(drawing).await;

    // Read the update log itself while the rooms are still loaded: a clean
    // shutdown would compact the boards from memory and hide a lost update.
    let store = lectern_store::Store::connect(&server.settings.database_url)
        .await
        .expect("store");
    for (_, code) in &rooms {
        let room = store
            .room_by_code(code)
            .await
            .expect("query")
            .expect("room");
        let log = store.load_board(&room.id).await.expect("load");
        assert_eq!(log.snapshot, None, "room {code} was not compacted");
        let doc = yrs::Doc::new();
        for (_, update) in &log.updates {
            doc.transact_mut()
                .apply_update(yrs::Update::decode_v1(update).expect("valid update"))
                .expect("applies");
        }
        assert_eq!(notes(&doc), "abcdefgh", "room {code}'s logged updates");
    }
    store.close().await;
    drop(lecturers);
    server.stop().await;
}

/// A `lectern serve` process on port 0 with its base URL.
struct Process {
    child: Child,
    base: String,
}

fn lectern() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lectern"))
}

fn spawn_server(data_dir: &std::path::Path) -> Process {
    let mut child = lectern()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("LECTERN_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("lectern starts");

    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("lectern exited before listening")
            .expect("readable log");
        if let Some(position) = line.find("url=http://") {
            let url = line[position + 4..].split_whitespace().next().expect("url");
            break url.trim_end_matches('/').to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Process { child, base }
}

#[tokio::test]
async fn broadcast_updates_survive_kill_9() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut add = lectern()
        .args([
            "user",
            "add",
            "--email",
            "ada@example.org",
            "--name",
            "Ada",
            "--role",
            "lecturer",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .expect("lectern user add starts");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(LECTURER_PASSWORD.as_bytes())
        .expect("password written");
    assert!(add.wait().expect("user add exits").success());

    let mut process = spawn_server(dir.path());
    let server = TestServer::remote(&process.base, dir);
    let token = server.login("ada@example.org").await;
    let (code, student_token) = {
        let (_, room) = server
            .call(
                "POST",
                "/api/v1/rooms",
                Some(&token),
                Some(serde_json::json!({ "title": "Crash" })),
            )
            .await;
        let code = room["code"].as_str().expect("code").to_owned();
        let (student_token, _) = server.join(&code, "Grace").await;
        (code, student_token)
    };
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    // The lecturer writes 300 characters without waiting; the server is
    // killed once the student has seen 100 of them, mid-stream.
    for _ in 0..300 {
        lecturer.type_text("w").await;
    }
    student.until(|doc| notes(doc).len() >= 100).await;
    process.child.kill().expect("SIGKILL sent");
    process.child.wait().expect("killed");
    let seen = notes(&student.doc);
    drop((lecturer, student));

    let restarted = spawn_server(server.dir.path());
    let server = TestServer::remote(&restarted.base, server.dir);
    let board = server.board(&code, &token).await;
    let restored = notes(&board);
    assert!(
        restored.len() >= seen.len(),
        "the student saw {} characters before the kill, the restored board has {}",
        seen.len(),
        restored.len()
    );
    assert!(restored.starts_with(&seen));

    let mut restarted = restarted;
    restarted.child.kill().expect("stopped");
    let _ = restarted.child.wait();
}
