//! Board export rendered on the server: PNG of one page or all pages, and
//! a PDF of all pages, checked by pixels and by poppler's pdfinfo and
//! pdftoppm.

mod support;

use std::io::Cursor;
use std::process::Command;
use std::sync::Arc;

use image::{ImageFormat, Rgb, RgbImage, RgbaImage};
use lectern_board::schema::{Point, encode_points};
use support::{OTHER_LECTURER_EMAIL, TestServer, start};
use yrs::{Any, Array, ArrayPrelim, Doc, Map, MapPrelim, MapRef, ReadTxn, StateVector, Transact};

/// The colour of the uploaded picture.
const PICTURE: [u8; 3] = [0, 128, 255];

fn picture_png() -> Vec<u8> {
    let picture = RgbImage::from_pixel(80, 30, Rgb(PICTURE));
    let mut bytes = Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, ImageFormat::Png)
        .expect("PNG encodes");
    bytes.into_inner()
}

fn add_element(doc: &Doc, id: &str, page: &str, fields: &[(&str, Any)]) -> MapRef {
    let elements = doc.get_or_insert_map("elements");
    let mut txn = doc.transact_mut();
    let element = elements.insert(&mut txn, id, MapPrelim::default());
    element.insert(&mut txn, "page", page);
    for (key, value) in fields {
        element.insert(&mut txn, *key, value.clone());
    }
    element
}

fn text(value: &str) -> Any {
    Any::String(value.into())
}

/// Builds a two-page board: page `p1` has the picture at (0, 0, 800, 300)
/// and a red stroke along y = 380 from x = 100 to 700, and page `p2` a green
/// rectangle. Returns it as one Yjs v1 update.
fn board_update(media_id: &str) -> Vec<u8> {
    let doc = Doc::new();
    {
        let pages = doc.get_or_insert_map("pages");
        let mut txn = doc.transact_mut();
        for (id, order) in [("p2", "a1"), ("p1", "a0")] {
            let page = pages.insert(&mut txn, id, MapPrelim::default());
            page.insert(&mut txn, "title", id);
            page.insert(&mut txn, "order", order);
        }
    }

    add_element(
        &doc,
        "picture",
        "p1",
        &[
            ("kind", text("image")),
            ("z", text("a0")),
            ("media", text(media_id)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(0.0)),
            ("y", Any::from(0.0)),
            ("w", Any::from(800.0)),
            ("h", Any::from(300.0)),
        ],
    );
    let stroke = add_element(
        &doc,
        "ink",
        "p1",
        &[
            ("kind", text("stroke")),
            ("z", text("a1")),
            ("color", text("#ff0000")),
            ("width", Any::from(6.0)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(0.0)),
            ("y", Any::from(380.0)),
        ],
    );
    {
        let points: Vec<Point> = (1..=7)
            .map(|i| Point {
                x: f64::from(i) * 100.0,
                y: 0.0,
                pressure: 0.5,
            })
            .collect();
        let mut txn = doc.transact_mut();
        let chunks = stroke.insert(&mut txn, "points", ArrayPrelim::default());
        let bytes: Arc<[u8]> = encode_points(&points).into();
        chunks.push_back(&mut txn, Any::Buffer(bytes));
    }
    add_element(
        &doc,
        "box",
        "p2",
        &[
            ("kind", text("rectangle")),
            ("z", text("a0")),
            ("color", text("#000000")),
            ("fill", text("#00ff00")),
            ("width", Any::from(2.0)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(0.0)),
            ("y", Any::from(0.0)),
            ("w", Any::from(300.0)),
            ("h", Any::from(200.0)),
        ],
    );

    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// Creates a room with the two-page board; returns (token, code).
async fn room_with_board(server: &TestServer) -> (String, String) {
    let (token, code) = server.lecturer_room().await;
    let upload = server.upload_ok(&code, &token, picture_png()).await;
    let media_id = upload["id"].as_str().expect("media id");

    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/board")))
        .bearer_auth(&token)
        .body(board_update(media_id))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 204, "board import");
    (token, code)
}

struct Export {
    status: u16,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> Export {
    let mut request = server.http.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    Export {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        disposition: header("content-disposition"),
        body: response.bytes().await.expect("body").to_vec(),
    }
}

fn decode(export: &Export) -> RgbaImage {
    image::load_from_memory_with_format(&export.body, ImageFormat::Png)
        .expect("a PNG")
        .to_rgba8()
}

/// Returns the pixel at board point (x, y) of page `p1` at scale 1. The
/// page starts 24 board units (the margin) above and left of its content,
/// which starts at (0, 0).
fn board_pixel(image: &RgbaImage, x: u32, y: u32) -> [u8; 3] {
    let pixel = image.get_pixel(x + 24, y + 24).0;
    [pixel[0], pixel[1], pixel[2]]
}

#[tokio::test]
async fn page_png_shows_picture_and_ink() {
    let server = start().await;
    let (token, code) = room_with_board(&server).await;

    let export = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png?page=p1"),
        Some(&token),
    )
    .await;
    assert_eq!(export.status, 200);
    assert_eq!(export.content_type, "image/png");
    assert_eq!(
        export.disposition,
        format!("attachment; filename=\"lectern-{code}-page-1.png\"")
    );

    let image = decode(&export);
    assert_eq!(image.width(), 800 + 2 * 24);
    assert_eq!(board_pixel(&image, 400, 150), PICTURE, "picture centre");
    assert_eq!(board_pixel(&image, 10, 10), PICTURE, "picture corner");
    assert_eq!(board_pixel(&image, 400, 380), [255, 0, 0], "stroke");
    assert_eq!(board_pixel(&image, 400, 340), [255, 255, 255], "between");
    server.stop().await;
}

#[tokio::test]
async fn whole_board_png_stacks_pages() {
    let server = start().await;
    let (token, code) = room_with_board(&server).await;

    let first = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png?page=p1"),
        Some(&token),
    )
    .await;
    let second = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png?page=p2"),
        Some(&token),
    )
    .await;
    assert_eq!(
        second.disposition,
        format!("attachment; filename=\"lectern-{code}-page-2.png\"")
    );
    let whole = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png"),
        Some(&token),
    )
    .await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.disposition,
        format!("attachment; filename=\"lectern-{code}.png\"")
    );

    let (first, second, whole) = (decode(&first), decode(&second), decode(&whole));
    assert!(
        whole.height() > first.height() + second.height(),
        "stacked height {} for pages of {} and {}",
        whole.height(),
        first.height(),
        second.height()
    );
    assert_eq!(whole.width(), first.width().max(second.width()));
    assert_eq!(board_pixel(&whole, 400, 150), PICTURE, "page 1 on top");

    // Page 2's rectangle centre, below page 1 and the gap.
    let top = whole.height() - second.height();
    let green = second.get_pixel(24 + 150, 24 + 100).0;
    assert_eq!(&green[..3], &[0, 255, 0], "rectangle fill on page 2");
    let stacked_green = whole.get_pixel(24 + 150, top + 24 + 100).0;
    assert_eq!(&stacked_green[..3], &[0, 255, 0], "page 2 in the stack");
    server.stop().await;
}

#[tokio::test]
async fn pdf_has_a_page_per_board_page() {
    let server = start().await;
    let (token, code) = room_with_board(&server).await;

    let export = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.pdf"),
        Some(&token),
    )
    .await;
    assert_eq!(export.status, 200);
    assert_eq!(export.content_type, "application/pdf");
    assert_eq!(
        export.disposition,
        format!("attachment; filename=\"lectern-{code}.pdf\"")
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("board.pdf");
    std::fs::write(&path, &export.body).expect("PDF written");

    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo runs; install poppler-utils");
    let info_text = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.status.success(),
        "pdfinfo failed: {}",
        String::from_utf8_lossy(&info.stderr)
    );
    let pages = info_text
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .map(str::trim);
    assert_eq!(pages, Some("2"), "pdfinfo output:\n{info_text}");

    let prefix = dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "24", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&path)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs; install poppler-utils");
    assert!(
        rendered.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let page = image::open(dir.path().join("page.png"))
        .expect("pdftoppm wrote page.png")
        .to_rgb8();
    let coloured = page
        .pixels()
        .filter(|pixel| pixel.0 != [255, 255, 255])
        .count();
    assert!(
        coloured > page.pixels().len() / 4,
        "page 1 shows the picture: {coloured} of {} pixels are not white",
        page.pixels().len()
    );
    server.stop().await;
}

#[tokio::test]
async fn export_requires_the_lecturer() {
    let server = start().await;
    let (token, code) = room_with_board(&server).await;
    let (student, _) = server.join(&code, "Student").await;
    let other = server.login(OTHER_LECTURER_EMAIL).await;

    for path in ["export.png", "export.png?page=p1", "export.pdf"] {
        let url = format!("/api/v1/rooms/{code}/{path}");
        assert_eq!(
            get(&server, &url, None).await.status,
            401,
            "{path} without token"
        );
        assert_eq!(
            get(&server, &url, Some("nonsense")).await.status,
            401,
            "{path} bad token"
        );
        assert_eq!(
            get(&server, &url, Some(&student)).await.status,
            403,
            "{path} student"
        );
        assert_eq!(
            get(&server, &url, Some(&other)).await.status,
            403,
            "{path} other lecturer"
        );
    }
    let missing = get(&server, "/api/v1/rooms/ZZZZ-ZZZZ/export.pdf", Some(&token)).await;
    assert_eq!(missing.status, 404, "unknown room");
    server.stop().await;
}

#[tokio::test]
async fn unknown_page_is_404() {
    let server = start().await;
    let (token, code) = room_with_board(&server).await;

    let export = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png?page=nope"),
        Some(&token),
    )
    .await;
    assert_eq!(export.status, 404);
    let body = String::from_utf8_lossy(&export.body);
    assert!(body.contains("nope"), "the error names the page: {body}");

    let bad_scale = get(
        &server,
        &format!("/api/v1/rooms/{code}/export.png?scale=0"),
        Some(&token),
    )
    .await;
    assert_eq!(bad_scale.status, 400, "scale 0");
    server.stop().await;
}
