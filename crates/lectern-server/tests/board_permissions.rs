//! Drawing rights change on open connections at once.

mod support;

use lectern_board::READ_ONLY_REASON;
use serde_json::json;
use support::{BoardClient, Event, notes, start};

#[tokio::test]
async fn student_write_refused_until_granted() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (student_token, student_id) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    student.type_text("x").await;
    let events = student
        .wait_for(|_, event| matches!(event, Some(Event::PermissionDenied(_))))
        .await;
    assert_eq!(
        events.last(),
        Some(&Event::PermissionDenied(READ_ONLY_REASON.to_owned()))
    );
    lecturer.round_trip().await;
    assert_eq!(notes(&lecturer.doc), "", "the refused edit is not relayed");
    assert_eq!(notes(&server.board(&code, &token).await), "", "nor stored");

    let (status, body) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{student_id}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": true })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The refused character is still in the student's copy and the next
    // edit builds on it. The server asks the student for its state, and a
    // reading client answers, so both characters arrive.
    student.type_text("y").await;
    student.round_trip().await;
    lecturer.until(|doc| notes(doc) == "xy").await;

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{student_id}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": false })),
        )
        .await;
    assert_eq!(status, 200);
    student.type_text("z").await;
    student
        .wait_for(|_, event| matches!(event, Some(Event::PermissionDenied(_))))
        .await;
    lecturer.round_trip().await;
    assert_eq!(
        notes(&lecturer.doc),
        "xy",
        "revoking takes effect on the open connection"
    );
    server.stop().await;
}

#[tokio::test]
async fn grant_to_everyone_reaches_open_connections() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (first_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut first = BoardClient::connect(&server, &code, &first_token).await;

    let (status, body) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/permissions"),
            Some(&token),
            Some(json!({ "students_can_draw": true })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["students_can_draw"], true);

    first.type_text("a").await;
    lecturer.until(|doc| notes(doc) == "a").await;

    let (late_token, _) = server.join(&code, "Alan").await;
    let mut late = BoardClient::connect(&server, &code, &late_token).await;
    late.type_text("b").await;
    lecturer.until(|doc| notes(doc) == "ab").await;

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/permissions"),
            Some(&token),
            Some(json!({ "students_can_draw": false })),
        )
        .await;
    assert_eq!(status, 200);
    for student in [&mut first, &mut late] {
        student.type_text("!").await;
        student
            .wait_for(|_, event| matches!(event, Some(Event::PermissionDenied(_))))
            .await;
    }
    lecturer.round_trip().await;
    assert_eq!(notes(&lecturer.doc), "ab");
    server.stop().await;
}

#[tokio::test]
async fn read_only_sync_without_edits_not_refused() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    lecturer.type_text("hello").await;
    lecturer.type_text(" world").await;
    let text = lecturer.doc.get_or_insert_text("notes");
    lecturer
        .edit(|_, txn| {
            use yrs::Text;
            text.remove_range(txn, 0, 1);
        })
        .await;
    lecturer.round_trip().await;

    // The student's copy then has deletions, and it answers the server's
    // sync step 1 with its whole delete set. That adds nothing and must
    // not be answered with permission-denied.
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;
    let events = student.wait_for_round_trip_events().await;
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, Event::PermissionDenied(_))),
        "{events:?}"
    );
    assert_eq!(notes(&student.doc), "ello world");
    server.stop().await;
}

#[tokio::test]
async fn rights_published_in_server_awareness() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (student_token, student_id) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    let online_count = |count: usize| {
        move |state: &serde_json::Value| {
            state["lectern"]["online"]
                .as_array()
                .is_some_and(|online| online.len() == count)
        }
    };
    student.until_server_state(online_count(2)).await;
    let state = student.server_state.clone().expect("server state");
    assert_eq!(state["lectern"]["canDraw"], json!([]), "{state}");
    assert_eq!(state["lectern"]["studentsCanDraw"], false);

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{student_id}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": true })),
        )
        .await;
    assert_eq!(status, 200);
    student
        .until_server_state(|state| state["lectern"]["canDraw"] == json!([student_id]))
        .await;

    drop(student);
    lecturer.until_server_state(online_count(1)).await;
    server.stop().await;
}
