//! Bad uploads and bad media requests: each gets its own error, the server
//! keeps running, and the room's board still syncs afterwards.

mod support;

#[path = "../../lectern-media/tests/common/mod.rs"]
mod fixtures;

use std::time::{Duration, Instant};

use image::DynamicImage;
use serde_json::Value;
use support::media::{contains, mp4};
use support::{BoardClient, TestServer, notes, start_with};

/// Size limits small enough that an oversized body is quick to send.
const MAX_IMAGE_BYTES: u64 = 64 * 1024;
const MAX_VIDEO_BYTES: u64 = 256 * 1024;

async fn start_small() -> TestServer {
    start_with(|settings| {
        settings.media.limits.max_image_bytes = MAX_IMAGE_BYTES;
        settings.media.limits.max_video_bytes = MAX_VIDEO_BYTES;
        settings.media.limits.max_pdf_bytes = MAX_IMAGE_BYTES;
        settings.media.limits.max_pdf_pages = 1;
    })
    .await
}

fn png() -> Vec<u8> {
    fixtures::encode_png(&DynamicImage::ImageRgb8(fixtures::red_left_blue_right(
        64, 48,
    )))
}

/// The files under `{data_dir}/media`, temporary files included, and the
/// rows of the `media` table.
#[derive(Debug, PartialEq, Eq)]
struct StoredMedia {
    files: usize,
    rows: i64,
}

/// Counts the stored media files and rows, reading the database directly
/// because the API has no listing of a room's media.
async fn stored_media(server: &TestServer) -> StoredMedia {
    use sqlx::Connection;

    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&server.settings.database_url)
        .await
        .expect("connect to the test server's database");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media")
        .fetch_one(&mut connection)
        .await
        .expect("count media rows");
    connection
        .close()
        .await
        .expect("close the database connection");
    StoredMedia {
        files: server.media_file_count(),
        rows,
    }
}

/// Checks that a rejected upload left no file and no row behind.
async fn assert_nothing_stored(server: &TestServer, before: &StoredMedia) {
    let after = stored_media(server).await;
    assert_eq!(after.files, before.files, "files under the media directory");
    assert_eq!(after.rows, before.rows, "rows of the media table");
}

/// Uploads `bytes`, checks the status and error code, and checks that
/// nothing was stored.
async fn expect_rejected(
    server: &TestServer,
    code: &str,
    token: &str,
    bytes: Vec<u8>,
    status: u16,
    error_code: &str,
) -> Value {
    let before = stored_media(server).await;
    let (actual, body) = server.upload(code, Some(token), bytes, None).await;
    assert_eq!(actual, status, "{body}");
    assert_eq!(body["error"]["code"], error_code, "{body}");
    assert_nothing_stored(server, &before).await;
    body
}

/// Uploads `bytes` as the raw body with the given `Content-Type` and
/// `X-Lectern-Filename`, and returns the status and the JSON body.
async fn upload_declared(
    server: &TestServer,
    code: &str,
    token: &str,
    bytes: Vec<u8>,
    content_type: &str,
    filename: &str,
) -> (u16, Value) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/media")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("x-lectern-filename", filename)
        .body(bytes)
        .send()
        .await
        .expect("upload sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Checks that the server still serves the room: an upload is accepted
/// and a board connection syncs an edit.
async fn assert_room_works(server: &TestServer, code: &str, token: &str) {
    let uploaded = server.upload_ok(code, token, png()).await;
    assert_eq!(uploaded["kind"], "image");

    let mut board = BoardClient::connect(server, code, token).await;
    let text = format!("still here {}", uploaded["id"]);
    board.type_text(&text).await;
    board.round_trip().await;
    assert!(
        notes(&server.board(code, token).await).contains(&text),
        "the edit was stored"
    );
}

#[tokio::test]
async fn corrupt_png_is_invalid() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let mut corrupt = png();
    let middle = corrupt.len() / 2;
    corrupt.truncate(middle);
    corrupt.extend_from_slice(&[0xAB; 64]);

    let body = expect_rejected(&server, &code, &token, corrupt, 400, "invalid_media").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("PNG"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn huge_png_header_is_fast() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    let started = Instant::now();
    let body = expect_rejected(
        &server,
        &code,
        &token,
        fixtures::png_header_only(100_000, 100_000),
        422,
        "too_many_pixels",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "rejected without decoding, took {:?}",
        started.elapsed()
    );
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("100000x100000"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn svg_is_rejected() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";

    let body = expect_rejected(&server, &code, &token, svg.to_vec(), 400, "invalid_media").await;
    assert_eq!(
        body["error"]["message"],
        "SVG is not accepted; export it as PNG"
    );
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn text_file_is_rejected() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    let body = expect_rejected(
        &server,
        &code,
        &token,
        b"Lecture notes, week 3\n".to_vec(),
        400,
        "invalid_media",
    )
    .await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("plain text"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn empty_body_is_rejected() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    let body = expect_rejected(&server, &code, &token, Vec::new(), 400, "invalid_media").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("empty"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let files_before = server.media_file_count();

    // Over the largest limit: rejected from Content-Length alone.
    let oversized = mp4(usize::try_from(MAX_VIDEO_BYTES).expect("small") + 1);
    expect_rejected(&server, &code, &token, oversized, 413, "payload_too_large").await;

    // Under the video limit but over the picture limit: rejected once the
    // bytes show a picture.
    let mut big_png = fixtures::encode_png(&DynamicImage::ImageRgb8(fixtures::photo(200, 200)));
    big_png.resize(usize::try_from(MAX_IMAGE_BYTES).expect("small") + 1, 0);
    let body = expect_rejected(&server, &code, &token, big_png, 413, "payload_too_large").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("PNG"), "{message}");

    assert_eq!(server.media_file_count(), files_before, "nothing stored");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

/// Uploads `bytes` in chunks of 16 KiB without `Content-Length`.
async fn upload_chunked(
    server: &TestServer,
    code: &str,
    token: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes
        .chunks(16 * 1024)
        .map(|chunk| Ok(chunk.to_vec()))
        .collect();
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/media")))
        .bearer_auth(token)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("upload sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn chunked_body_is_counted() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    let (status, body) = upload_chunked(&server, &code, &token, png()).await;
    assert_eq!(status, 201, "{body}");

    let before = stored_media(&server).await;
    let oversized = mp4(usize::try_from(MAX_VIDEO_BYTES).expect("small") + 1);
    let (status, body) = upload_chunked(&server, &code, &token, oversized).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_nothing_stored(&server, &before).await;
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn too_many_pages_is_422() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let pdf = fixtures::pdf_with_pages(&[fixtures::RED_RECTANGLE, fixtures::BLUE_RECTANGLE]);

    let body = expect_rejected(&server, &code, &token, pdf, 422, "too_many_pages").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("2 pages"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn unknown_variant_is_400() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let uploaded = server.upload_ok(&code, &token, png()).await;
    let url = uploaded["url"].as_str().expect("url");

    let download = server
        .download_with(&format!("{url}?variant=huge"), &token)
        .await;
    assert_eq!(download.status, 400);
    let body = download.json();
    assert_eq!(body["error"]["code"], "invalid_query", "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("\"huge\""), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn malformed_media_id_is_400() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    for id in [
        "not-an-id",
        "m_XYZ",
        "m_0123456789abcdef0123456789abcdeg",
        "..%2F..%2Flectern.db",
    ] {
        let download = server
            .download_with(&format!("/api/v1/rooms/{code}/media/{id}"), &token)
            .await;
        assert_eq!(download.status, 400, "{id}");
        let body = download.json();
        assert_eq!(body["error"]["code"], "invalid_media_id", "{id}: {body}");
    }

    // A well-formed id that does not exist is 404.
    let unknown = server
        .download_with(
            &format!("/api/v1/rooms/{code}/media/m_0123456789abcdef0123456789abcdef"),
            &token,
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn multipart_without_file_is_400() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let before = stored_media(&server).await;
    let form = reqwest::multipart::Form::new()
        .text("title", "no file here")
        .text("note", "still none");
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/media")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["error"]["code"], "invalid_form", "{body}");

    // A form whose body breaks off before the closing boundary.
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/media")))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc",
        )
        .send()
        .await
        .expect("upload sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["error"]["code"], "invalid_form", "{body}");
    assert_nothing_stored(&server, &before).await;
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn missing_renderer_is_503() {
    let server = start_with(|settings| {
        settings.media.renderer.pdfinfo = "/nonexistent/lectern-test/pdfinfo".into();
        settings.media.renderer.pdftoppm = "/nonexistent/lectern-test/pdftoppm".into();
    })
    .await;
    let (token, code) = server.lecturer_room().await;
    let pdf = fixtures::pdf_with_pages(&[fixtures::RED_RECTANGLE]);

    let body = expect_rejected(&server, &code, &token, pdf, 503, "unavailable").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(!message.contains("/nonexistent"), "no path in {message}");
    assert!(message.contains("poppler-utils"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn overfull_huffman_jpeg_is_invalid() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let jpeg = fixtures::encode_jpeg(&fixtures::photo(64, 48));
    let corrupt = fixtures::jpeg_with_overfull_huffman_tables(&jpeg);

    let body = expect_rejected(&server, &code, &token, corrupt, 400, "invalid_media").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("JPEG"), "{message}");
    assert!(message.contains("damaged or truncated"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn png_declared_as_jpeg_is_png() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let before = stored_media(&server).await;

    let (status, body) =
        upload_declared(&server, &code, &token, png(), "image/jpeg", "photo.jpg").await;
    assert_eq!(status, 201, "{body}");
    // An accepted upload shows in both counts, which the rejection tests
    // compare.
    let after = stored_media(&server).await;
    assert_eq!(after.rows, before.rows + 1, "one new media row");
    assert!(after.files > before.files, "no new file was stored");
    assert_eq!(body["kind"], "image");
    let url = body["url"].as_str().expect("url");

    let download = server.download_with(url, &token).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.header("content-type"), "image/png");
    assert!(
        download.body.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the served bytes are not a PNG"
    );
    let disposition = download.header("content-disposition");
    assert!(disposition.contains("photo.png"), "{disposition}");
    server.stop().await;
}

#[tokio::test]
async fn text_declared_as_png_is_invalid() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let before = stored_media(&server).await;

    let (status, body) = upload_declared(
        &server,
        &code,
        &token,
        b"Lecture notes, week 3\n".to_vec(),
        "image/png",
        "notes.png",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_media", "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("plain text"), "{message}");
    assert_nothing_stored(&server, &before).await;
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

/// A script planted in polyglot uploads; no served file may contain it.
const POLYGLOT_SCRIPT: &str = "<script>fetch('/steal?c='+document.cookie)</script>";

/// Downloads every variant of a picture and checks that each is served
/// as `content_type` with `nosniff` and contains none of `payloads`.
async fn assert_variants_clean(
    server: &TestServer,
    url: &str,
    token: &str,
    content_type: &str,
    payloads: &[&[u8]],
) {
    for variant in ["original", "display", "thumbnail"] {
        let download = server
            .download_with(&format!("{url}?variant={variant}"), token)
            .await;
        assert_eq!(download.status, 200, "{variant}");
        assert_eq!(download.header("content-type"), content_type, "{variant}");
        assert_eq!(
            download.header("x-content-type-options"),
            "nosniff",
            "{variant}"
        );
        for payload in payloads {
            assert!(
                !contains(&download.body, payload),
                "the {variant} variant contains {:?}",
                String::from_utf8_lossy(payload)
            );
        }
    }
}

#[tokio::test]
async fn png_polyglot_is_reencoded() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let mut polyglot = png();
    polyglot.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    polyglot.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0payload.js");
    polyglot.extend_from_slice(b"\n%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    let uploaded = server.upload_ok(&code, &token, polyglot).await;
    assert_eq!(uploaded["kind"], "image");
    let url = uploaded["url"].as_str().expect("url");
    assert_variants_clean(
        &server,
        url,
        &token,
        "image/png",
        &[
            POLYGLOT_SCRIPT.as_bytes(),
            b"<script",
            b"PK\x03\x04",
            b"%PDF",
            b"%%EOF",
        ],
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn gif_polyglot_is_reencoded_or_rejected() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    // A valid GIF with a script after its trailer: accepted as a picture,
    // served without the script.
    let mut gif = fixtures::two_frame_gif(32, 24);
    gif.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    let uploaded = server.upload_ok(&code, &token, gif).await;
    let url = uploaded["url"].as_str().expect("url");
    assert_variants_clean(
        &server,
        url,
        &token,
        "image/png",
        &[POLYGLOT_SCRIPT.as_bytes(), b"<script"],
    )
    .await;

    // A script that starts with a GIF header and a 1x1 screen size.
    let mut script = b"GIF89a\x01\0\x01\0".to_vec();
    script.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    let body = expect_rejected(&server, &code, &token, script, 400, "invalid_media").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("GIF"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn corrupt_pdf_is_invalid() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;
    let mut corrupt = b"%PDF-1.4\n".to_vec();
    corrupt.extend_from_slice(b"this is not a PDF body at all\n%%EOF\n");

    let body = expect_rejected(&server, &code, &token, corrupt, 400, "invalid_media").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("PDF"), "{message}");
    assert!(message.contains("damaged or truncated"), "{message}");
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}

#[tokio::test]
async fn encrypted_pdf_is_invalid() {
    let server = start_small().await;
    let (token, code) = server.lecturer_room().await;

    let body = expect_rejected(
        &server,
        &code,
        &token,
        fixtures::encrypted_pdf(),
        400,
        "invalid_media",
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "the PDF is password-protected; upload a copy saved without a password"
    );
    assert_room_works(&server, &code, &token).await;
    server.stop().await;
}
