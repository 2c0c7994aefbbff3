//! Uploading pictures, videos and PDF slides to a room's board, and serving
//! them to the room's participants only. The PDF tests need poppler-utils'
//! `pdfinfo` and `pdftoppm` on `PATH`.

mod support;

// The picture, EXIF and PDF fixtures of the media crate's own tests.
#[path = "../../lectern-media/tests/common/mod.rs"]
mod fixtures;

use image::{DynamicImage, GenericImageView};
use serde_json::{Value, json};
use support::media::{contains, mp4, sha256_hex};
use support::{BoardClient, ControlClient, TestServer, notes, start};

/// Returns a 320x200 PNG picture with a red left and a blue right half.
fn png() -> Vec<u8> {
    fixtures::encode_png(&DynamicImage::ImageRgb8(fixtures::red_left_blue_right(
        320, 200,
    )))
}

fn path_of(url: &Value) -> String {
    url.as_str().expect("URL is a string").to_owned()
}

/// Returns the value of the `lectern_seat` cookie and the whole
/// `Set-Cookie` line of a real join response.
async fn join_with_cookie(server: &TestServer, code: &str, name: &str) -> (String, String, String) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/join")))
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("join sent");
    assert_eq!(response.status().as_u16(), 201);
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("lectern_seat="))
        .expect("join sets the lectern_seat cookie")
        .to_owned();
    let body: Value = response.json().await.expect("join body");
    let token = body["token"].as_str().expect("token").to_owned();
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("cookie pair")
        .to_owned();
    (token, cookie, set_cookie)
}

#[tokio::test]
async fn lecturer_png_upload_is_served() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;

    let (status, body) = server
        .upload(&code, Some(&token), png(), Some("Tafel%20%C3%BCbung.png"))
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    assert!(id.starts_with("m_"), "{id}");
    assert_eq!(id.len(), 34, "{id}");
    assert_eq!(body["kind"], "image");
    assert_eq!(body["width"], 320);
    assert_eq!(body["height"], 200);
    assert_eq!(body["url"], format!("/api/v1/rooms/{code}/media/{id}"));
    assert_eq!(
        body["thumbnail_url"],
        format!("/api/v1/rooms/{code}/media/{id}?variant=thumbnail")
    );
    assert!(body.get("pages").is_none(), "{body}");

    let url = path_of(&body["url"]);
    let display = server.download_with(&url, &token).await;
    assert_eq!(display.status, 200);
    assert_eq!(display.header("content-type"), "image/png");
    assert_eq!(display.header("x-content-type-options"), "nosniff");
    assert_eq!(
        display.header("cache-control"),
        "private, max-age=31536000, immutable"
    );
    assert_eq!(
        display.header("etag"),
        format!("\"{}\"", sha256_hex(&display.body))
    );
    assert_eq!(
        display.header("content-disposition"),
        "inline; filename=\"Tafel _bung.png\"; filename*=UTF-8''Tafel%20%C3%BCbung.png"
    );
    assert_eq!(display.header("accept-ranges"), "", "ranges are for videos");
    let picture = image::load_from_memory(&display.body).expect("display decodes");
    assert_eq!(picture.dimensions(), (320, 200));

    let thumbnail = server
        .download_with(&path_of(&body["thumbnail_url"]), &token)
        .await;
    assert_eq!(thumbnail.status, 200);
    let picture = image::load_from_memory(&thumbnail.body).expect("thumbnail decodes");
    assert_eq!(picture.dimensions(), (256, 160));

    let original = server
        .download_with(&format!("{url}?variant=original"), &token)
        .await;
    assert_eq!(original.status, 200);
    let picture = image::load_from_memory(&original.body).expect("original decodes");
    assert_eq!(picture.dimensions(), (320, 200));

    // A cache that stored the file revalidates it with its ETag.
    let etag = display.header("etag").to_owned();
    let revalidated = server
        .download(
            &url,
            &[
                ("authorization", &format!("Bearer {token}")),
                ("if-none-match", &etag),
            ],
        )
        .await;
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn same_file_stored_once() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (status, other) = server
        .call(
            "POST",
            "/api/v1/rooms",
            Some(&token),
            Some(json!({ "title": "Algebra" })),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let other_code = other["code"].as_str().expect("code");

    let first = server.upload_ok(&code, &token, png()).await;
    let files = server.media_file_count();
    // A picture under the display edge has the same original and display.
    assert_eq!(
        files, 2,
        "original and display in one file, and the thumbnail"
    );
    let second = server.upload_ok(&code, &token, png()).await;
    let third = server.upload_ok(other_code, &token, png()).await;
    assert_eq!(server.media_file_count(), files, "no file is written twice");

    assert_ne!(first["id"], second["id"], "each upload gets its own id");
    assert_ne!(first["id"], third["id"]);
    let etag = |body: Value, code: String| {
        let server = &server;
        let token = &token;
        async move {
            let download = server.download_with(&path_of(&body["url"]), token).await;
            assert_eq!(download.status, 200, "media of room {code}");
            download.header("etag").to_owned()
        }
    };
    let first_etag = etag(first, code.clone()).await;
    assert_eq!(first_etag, etag(second, code.clone()).await);
    assert_eq!(first_etag, etag(third, other_code.to_owned()).await);
    server.stop().await;
}

#[tokio::test]
async fn student_loads_media_with_seat_cookie() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let body = server.upload_ok(&code, &token, png()).await;
    let url = path_of(&body["url"]);
    let (student_token, cookie, set_cookie) = join_with_cookie(&server, &code, "Grace").await;

    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        set_cookie.contains(&format!("Path=/api/v1/rooms/{code}/media;")),
        "{set_cookie}"
    );
    assert_eq!(cookie, format!("lectern_seat={student_token}"));

    let with_cookie = server.download(&url, &[("cookie", &cookie)]).await;
    assert_eq!(with_cookie.status, 200, "{:?}", with_cookie.json());
    assert_eq!(with_cookie.header("content-type"), "image/png");
    let thumbnail = server
        .download(&path_of(&body["thumbnail_url"]), &[("cookie", &cookie)])
        .await;
    assert_eq!(thumbnail.status, 200);

    let with_bearer = server.download_with(&url, &student_token).await;
    assert_eq!(with_bearer.status, 200);
    assert_eq!(with_bearer.body, with_cookie.body);

    // A stale login cookie beside the seat cookie does not get in the way.
    let both = server
        .download(
            &url,
            &[("cookie", &format!("lectern_token=stale; {cookie}"))],
        )
        .await;
    assert_eq!(both.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn media_needs_token_of_room() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let body = server.upload_ok(&code, &token, png()).await;
    let url = path_of(&body["url"]);
    let id = body["id"].as_str().expect("id");

    let anonymous = server.download(&url, &[]).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json()["error"]["code"], "unauthorized");

    let (status, other) = server
        .call(
            "POST",
            "/api/v1/rooms",
            Some(&token),
            Some(json!({ "title": "Algebra" })),
        )
        .await;
    assert_eq!(status, 201);
    let other_code = other["code"].as_str().expect("code");
    let (outsider, _) = server.join(other_code, "Edsger").await;

    let foreign = server.download_with(&url, &outsider).await;
    assert_eq!(foreign.status, 403, "{:?}", foreign.json());
    let (_, outsider_cookie, _) = join_with_cookie(&server, other_code, "Barbara").await;
    let foreign_cookie = server.download(&url, &[("cookie", &outsider_cookie)]).await;
    assert_eq!(foreign_cookie.status, 403);

    // The id of room A under the code of room B is unknown there.
    let moved = server
        .download_with(&format!("/api/v1/rooms/{other_code}/media/{id}"), &outsider)
        .await;
    assert_eq!(moved.status, 404, "{:?}", moved.json());
    assert_eq!(moved.json()["error"]["code"], "not_found");

    let other_lecturer = server.login(support::OTHER_LECTURER_EMAIL).await;
    let stranger = server.download_with(&url, &other_lecturer).await;
    assert_eq!(stranger.status, 403);
    server.stop().await;
}

#[tokio::test]
async fn student_upload_follows_permission() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (student, student_id) = server.join(&code, "Grace").await;

    let (status, body) = server.upload(&code, Some(&student), png(), None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _) = server.upload(&code, None, png(), None).await;
    assert_eq!(status, 401);

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{student_id}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": true })),
        )
        .await;
    assert_eq!(status, 200);
    let uploaded = server.upload_ok(&code, &student, png()).await;
    assert_eq!(uploaded["kind"], "image");

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{student_id}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": false })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server.upload(&code, Some(&student), png(), None).await;
    assert_eq!(status, 403, "the revoke applies at once");

    let (status, _) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/permissions"),
            Some(&token),
            Some(json!({ "students_can_draw": true })),
        )
        .await;
    assert_eq!(status, 200);
    let (latecomer, _) = server.join(&code, "Edsger").await;
    server.upload_ok(&code, &latecomer, png()).await;
    server.stop().await;
}

fn floor_message(type_name: &str, participant_id: &str, to_board: Option<bool>) -> Value {
    let mut message = json!({"v": 1, "type": type_name, "participant_id": participant_id});
    if let Some(to_board) = to_board {
        message["to_board"] = json!(to_board);
    }
    message
}

#[tokio::test]
async fn board_grant_allows_upload() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (mut lecturer, _) = ControlClient::connect_class(&server, &code, &token).await;
    let (student, student_id) = server.join(&code, "Ada").await;
    let (_student_control, _) = ControlClient::connect_class(&server, &code, &student).await;
    let mut board = BoardClient::connect(&server, &code, &student).await;

    let (status, _) = server.upload(&code, Some(&student), png(), None).await;
    assert_eq!(status, 403);

    lecturer
        .send(floor_message("floor.grant", &student_id, Some(true)))
        .await;
    board
        .until_server_state(|state| {
            state["lectern"]["canDraw"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|id| id == student_id.as_str()))
        })
        .await;
    server.upload_ok(&code, &student, png()).await;

    lecturer
        .send(floor_message("floor.revoke", &student_id, None))
        .await;
    board
        .until_server_state(|state| {
            state["lectern"]["canDraw"]
                .as_array()
                .is_some_and(|ids| !ids.iter().any(|id| id == student_id.as_str()))
        })
        .await;
    let (status, _) = server.upload(&code, Some(&student), png(), None).await;
    assert_eq!(status, 403, "the grant ended");
    server.stop().await;
}

#[tokio::test]
async fn jpeg_metadata_never_served() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let jpeg = fixtures::jpeg_with_metadata(&fixtures::photo(400, 300), 1);
    assert!(contains(&jpeg, fixtures::CAMERA_SERIAL.as_bytes()));

    let body = server.upload_ok(&code, &token, jpeg).await;
    let url = path_of(&body["url"]);
    for variant in ["display", "thumbnail", "original"] {
        let download = server
            .download_with(&format!("{url}?variant={variant}"), &token)
            .await;
        assert_eq!(download.status, 200, "{variant}");
        assert_eq!(download.header("content-type"), "image/jpeg", "{variant}");
        let served = &download.body;
        assert!(!contains(served, b"Exif"), "{variant} has EXIF");
        assert!(
            !contains(served, fixtures::CAMERA_SERIAL.as_bytes()),
            "{variant} has the serial number"
        );
        assert!(
            !contains(served, fixtures::CAMERA_MAKE.as_bytes()),
            "{variant} has the camera make"
        );
        assert!(
            !contains(served, fixtures::XMP_MARKER.as_bytes()),
            "{variant} has XMP"
        );
        assert!(
            !contains(served, fixtures::COMMENT_TEXT.as_bytes()),
            "{variant} has the comment"
        );
        // The GPS latitude's seconds, the rational 2958/100 big-endian.
        assert!(
            !contains(served, &[0, 0, 0x0B, 0x8E, 0, 0, 0, 100]),
            "{variant} has the GPS latitude"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn video_served_in_ranges() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let video = mp4(10_000);
    let (status, body) = server
        .upload(&code, Some(&token), video.clone(), Some("lecture.mp4"))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["kind"], "video");
    assert_eq!(body["width"], Value::Null);
    assert_eq!(body["height"], Value::Null);
    assert_eq!(body["thumbnail_url"], Value::Null);
    let url = path_of(&body["url"]);
    let bearer = format!("Bearer {token}");
    let get = |range: Option<&'static str>| {
        let server = &server;
        let url = url.clone();
        let bearer = bearer.clone();
        async move {
            let mut headers = vec![("authorization", bearer.as_str())];
            if let Some(range) = range {
                headers.push(("range", range));
            }
            server.download(&url, &headers).await
        }
    };

    let whole = get(None).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, video);
    assert_eq!(whole.header("content-type"), "video/mp4");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert_eq!(whole.header("content-length"), "10000");
    assert_eq!(
        whole.header("content-disposition"),
        "inline; filename=\"lecture.mp4\"; filename*=UTF-8''lecture.mp4"
    );

    let middle = get(Some("bytes=100-199")).await;
    assert_eq!(middle.status, 206);
    assert_eq!(middle.header("content-range"), "bytes 100-199/10000");
    assert_eq!(middle.header("content-length"), "100");
    assert_eq!(middle.body, video[100..200]);

    let open_ended = get(Some("bytes=9990-")).await;
    assert_eq!(open_ended.status, 206);
    assert_eq!(open_ended.body, video[9990..]);

    let suffix = get(Some("bytes=-10")).await;
    assert_eq!(suffix.status, 206);
    assert_eq!(suffix.header("content-range"), "bytes 9990-9999/10000");
    assert_eq!(suffix.body, video[9990..]);

    let outside = get(Some("bytes=10000-")).await;
    assert_eq!(outside.status, 416);
    assert_eq!(outside.header("content-range"), "bytes */10000");
    assert_eq!(outside.json()["error"]["code"], "range_not_satisfiable");

    // Several ranges, or a malformed one, get the whole file.
    let several = get(Some("bytes=0-9, 20-29")).await;
    assert_eq!(several.status, 200);
    assert_eq!(several.body, video);
    let malformed = get(Some("bytes=abc")).await;
    assert_eq!(malformed.status, 200);

    let thumbnail = server
        .download_with(&format!("{url}?variant=thumbnail"), &token)
        .await;
    assert_eq!(thumbnail.status, 404, "a video has no thumbnail");
    server.stop().await;
}

#[tokio::test]
async fn pdf_becomes_slide_pages() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let pdf = fixtures::pdf_with_pages(&[fixtures::RED_RECTANGLE, fixtures::BLUE_RECTANGLE]);

    let (status, body) = server
        .upload(&code, Some(&token), pdf, Some("deck.pdf"))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["kind"], "slides");
    // A 400x300 pt page rendered to the default 2048 px display edge.
    assert_eq!(body["width"], 2048);
    assert_eq!(body["height"], 1536);
    let pages = body["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 2);
    for page in pages {
        assert_eq!(page["kind"], "image", "{page}");
        assert_eq!(page["width"], 2048, "{page}");
        assert!(page["thumbnail_url"].is_string(), "{page}");
        assert_ne!(page["id"], body["id"]);
    }

    let expected = [[255, 0, 0], [0, 0, 255]];
    for (page, colour) in pages.iter().zip(expected) {
        let download = server.download_with(&path_of(&page["url"]), &token).await;
        assert_eq!(download.status, 200);
        let picture = image::load_from_memory(&download.body).expect("page decodes");
        assert_eq!(picture.get_pixel(1024, 768).0[..3], colour, "{page}");
    }

    // The slides' own URL serves the first page.
    let first = server.download_with(&path_of(&body["url"]), &token).await;
    let first_page = server
        .download_with(&path_of(&pages[0]["url"]), &token)
        .await;
    assert_eq!(first.body, first_page.body);
    assert_eq!(
        first.header("content-disposition"),
        format!(
            "inline; filename=\"deck.{ext}\"; filename*=UTF-8''deck.{ext}",
            ext = if first.header("content-type") == "image/png" {
                "png"
            } else {
                "jpg"
            }
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn multipart_form_upload() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let form = reqwest::multipart::Form::new()
        .text("note", "not the file")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png())
                .file_name("C:\\Users\\ada\\diagram.png")
                .mime_str("image/png")
                .expect("MIME type"),
        );
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/media")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload sent");
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["width"], 320);

    let download = server.download_with(&path_of(&body["url"]), &token).await;
    assert_eq!(
        download.header("content-disposition"),
        "inline; filename=\"diagram.png\"; filename*=UTF-8''diagram.png"
    );
    server.stop().await;
}

#[tokio::test]
async fn closed_room_rejects_upload() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let body = server.upload_ok(&code, &token, png()).await;
    let (status, _) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (status, error) = server.upload(&code, Some(&token), png(), None).await;
    assert_eq!(status, 410, "{error}");
    assert_eq!(error["error"]["code"], "room_closed");
    let download = server.download_with(&path_of(&body["url"]), &token).await;
    assert_eq!(
        download.status, 200,
        "a closed room's media is still served"
    );
    server.stop().await;
}

#[tokio::test]
async fn media_survives_restart() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let body = server.upload_ok(&code, &token, png()).await;
    let before = server.download_with(&path_of(&body["url"]), &token).await;

    let server = server.restart().await;
    let after = server.download_with(&path_of(&body["url"]), &token).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body, before.body);

    // The board still syncs next to the media endpoints.
    let mut board = BoardClient::connect(&server, &code, &token).await;
    board.type_text("after restart").await;
    board.round_trip().await;
    assert_eq!(notes(&server.board(&code, &token).await), "after restart");
    server.stop().await;
}
