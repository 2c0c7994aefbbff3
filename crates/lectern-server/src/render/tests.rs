use std::sync::Arc;

use lectern_board::schema::{ELEMENTS, PAGES, Point, encode_points};
use yrs::{Any, Array, ArrayPrelim, Doc, Map, MapPrelim, Transact};

use super::*;

fn doc_with_page() -> Doc {
    let doc = Doc::new();
    let pages = doc.get_or_insert_map(PAGES);
    let mut txn = doc.transact_mut();
    let page = pages.insert(&mut txn, "p1", MapPrelim::default());
    page.insert(&mut txn, "title", "One");
    page.insert(&mut txn, "order", "a0");
    drop(txn);
    doc
}

/// Adds an element on page `p1` with the given fields.
fn add(doc: &Doc, id: &str, fields: &[(&str, Any)]) -> yrs::MapRef {
    let elements = doc.get_or_insert_map(ELEMENTS);
    let mut txn = doc.transact_mut();
    let element = elements.insert(&mut txn, id, MapPrelim::default());
    element.insert(&mut txn, "page", "p1");
    for (key, value) in fields {
        element.insert(&mut txn, *key, value.clone());
    }
    element
}

fn text(value: &str) -> Any {
    Any::String(value.into())
}

fn render_only_page(doc: &Doc, pictures: &Pictures) -> (Pixmap, Bounds) {
    let pages = read_pages(doc);
    assert_eq!(pages.len(), 1);
    let bounds = page_bounds(&pages[0]);
    (
        render_page(&pages[0], pictures, 1.0).expect("page renders"),
        bounds,
    )
}

/// Returns the RGBA pixel at board point (x, y) of a page rendered at scale 1.
fn pixel_at(pixmap: &Pixmap, bounds: Bounds, x: f64, y: f64) -> [u8; 4] {
    let px = (x - bounds.x) as u32;
    let py = (y - bounds.y) as u32;
    let color = pixmap
        .pixel(px, py)
        .unwrap_or_else(|| panic!("({x}, {y}) is outside the page"))
        .demultiply();
    [color.red(), color.green(), color.blue(), color.alpha()]
}

fn is_reddish(pixel: [u8; 4]) -> bool {
    pixel[0] > 200 && pixel[1] < 80 && pixel[2] < 80
}

#[test]
fn empty_page_is_blank_minimum_size() {
    let doc = doc_with_page();
    let (pixmap, _) = render_only_page(&doc, &Pictures::new());

    assert_eq!(pixmap.width(), paint::MIN_WIDTH as u32);
    assert_eq!(pixmap.height(), paint::MIN_HEIGHT as u32);
    assert!(
        pixmap
            .pixels()
            .iter()
            .all(|pixel| pixel.red() == 255 && pixel.green() == 255 && pixel.blue() == 255),
        "an empty page is white"
    );
}

#[test]
fn stroke_paints_along_its_path() {
    let doc = doc_with_page();
    let element = add(
        &doc,
        "s1",
        &[
            ("kind", text("stroke")),
            ("z", text("a0")),
            ("color", text("#ff0000")),
            ("width", Any::from(6.0)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(100.0)),
            ("y", Any::from(50.0)),
        ],
    );
    let points: Vec<Point> = (0..=10)
        .map(|i| Point {
            x: f64::from(i) * 40.0,
            y: 0.0,
            pressure: 0.5,
        })
        .collect();
    {
        let mut txn = doc.transact_mut();
        let chunks = element.insert(&mut txn, "points", ArrayPrelim::default());
        let bytes: Arc<[u8]> = encode_points(&points).into();
        chunks.push_back(&mut txn, Any::Buffer(bytes));
    }

    let (pixmap, bounds) = render_only_page(&doc, &Pictures::new());
    for x in [110.0, 300.0, 490.0] {
        let pixel = pixel_at(&pixmap, bounds, x, 50.0);
        assert!(is_reddish(pixel), "stroke pixel at x {x}: {pixel:?}");
    }
    let far = pixel_at(&pixmap, bounds, 300.0, 120.0);
    assert_eq!(far, [255, 255, 255, 255], "70 units below the stroke");
}

#[test]
fn rectangle_fill_covers_its_box() {
    let doc = doc_with_page();
    add(
        &doc,
        "r1",
        &[
            ("kind", text("rectangle")),
            ("z", text("a0")),
            ("color", text("#000000")),
            ("fill", text("#00ff00")),
            ("width", Any::from(2.0)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(0.0)),
            ("y", Any::from(0.0)),
            ("w", Any::from(200.0)),
            ("h", Any::from(100.0)),
        ],
    );

    let (pixmap, bounds) = render_only_page(&doc, &Pictures::new());
    assert_eq!(pixel_at(&pixmap, bounds, 100.0, 50.0), [0, 255, 0, 255]);
    let edge = pixel_at(&pixmap, bounds, 0.0, 50.0);
    assert!(edge[0] < 60, "outline pixel red: {edge:?}");
    assert!(edge[1] < 160, "outline pixel green: {edge:?}");
    assert_eq!(pixel_at(&pixmap, bounds, 250.0, 50.0), [255, 255, 255, 255]);
}

#[test]
fn later_z_paints_over_earlier() {
    let doc = doc_with_page();
    let square = |id: &str, z: &str, fill: &str, x: f64| {
        add(
            &doc,
            id,
            &[
                ("kind", text("rectangle")),
                ("z", text(z)),
                ("color", text(fill)),
                ("fill", text(fill)),
                ("width", Any::from(0.0)),
                ("opacity", Any::from(1.0)),
                ("x", Any::from(x)),
                ("y", Any::from(0.0)),
                ("w", Any::from(100.0)),
                ("h", Any::from(100.0)),
            ],
        );
    };
    // Inserted in reverse so that map order cannot pass for z order.
    square("b", "a1", "#0000ff", 50.0);
    square("a", "a0", "#ff0000", 0.0);

    let (pixmap, bounds) = render_only_page(&doc, &Pictures::new());
    assert_eq!(
        pixel_at(&pixmap, bounds, 75.0, 50.0),
        [0, 0, 255, 255],
        "overlap"
    );
    assert_eq!(
        pixel_at(&pixmap, bounds, 25.0, 50.0),
        [255, 0, 0, 255],
        "red only"
    );
}

#[test]
fn image_element_draws_its_picture() {
    let doc = doc_with_page();
    add(
        &doc,
        "i1",
        &[
            ("kind", text("image")),
            ("z", text("a0")),
            ("media", text("m_1")),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(-100.0)),
            ("y", Any::from(-50.0)),
            ("w", Any::from(200.0)),
            ("h", Any::from(100.0)),
        ],
    );
    let mut picture = Pixmap::new(4, 2).expect("pixmap");
    picture.fill(Color::from_rgba8(0, 128, 255, 255));
    let pictures = Pictures::from([("m_1".to_owned(), picture)]);

    let (pixmap, bounds) = render_only_page(&doc, &pictures);
    assert_eq!(pixel_at(&pixmap, bounds, 0.0, 0.0), [0, 128, 255, 255]);
    assert_eq!(pixel_at(&pixmap, bounds, -90.0, 40.0), [0, 128, 255, 255]);
    assert_eq!(pixel_at(&pixmap, bounds, 0.0, 80.0), [255, 255, 255, 255]);
}

#[test]
fn stack_places_pages_in_order() {
    let doc = doc_with_page();
    {
        let pages = doc.get_or_insert_map(PAGES);
        let mut txn = doc.transact_mut();
        let page = pages.insert(&mut txn, "p0", MapPrelim::default());
        page.insert(&mut txn, "order", "Zz");
    }
    let pages = read_pages(&doc);
    let ids: Vec<&str> = pages.iter().map(|page| page.id.as_str()).collect();
    assert_eq!(ids, ["p0", "p1"]);

    let stacked = render_stack(&pages, &Pictures::new(), 1.0).expect("stack renders");
    assert_eq!(stacked.width(), paint::MIN_WIDTH as u32);
    assert_eq!(stacked.height(), 2 * paint::MIN_HEIGHT as u32 + PAGE_GAP);
}

#[test]
fn huge_page_is_clamped() {
    let doc = doc_with_page();
    add(
        &doc,
        "r1",
        &[
            ("kind", text("rectangle")),
            ("z", text("a0")),
            ("x", Any::from(0.0)),
            ("y", Any::from(0.0)),
            ("w", Any::from(100_000.0)),
            ("h", Any::from(10.0)),
        ],
    );
    let pages = read_pages(&doc);
    let pixmap = render_page(&pages[0], &Pictures::new(), 2.0).expect("page renders");
    assert_eq!(pixmap.width(), MAX_EDGE);
    assert!(pixmap.height() < MAX_EDGE);
}

#[test]
fn pdf_has_one_page_per_raster() {
    let pages = [
        Pixmap::new(10, 20).expect("pixmap"),
        Pixmap::new(30, 5).expect("pixmap"),
    ];
    let pdf = write_pdf(&pages);
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.starts_with("%PDF-1.4"));
    assert!(text.contains("/Count 2"));
    assert!(text.trim_end().ends_with("%%EOF"));

    // Each xref entry must point at its object's header.
    let xref_at: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|tail| tail.lines().next())
        .and_then(|line| line.parse().ok())
        .expect("startxref offset");
    let table = &pdf[xref_at..];
    let lines: Vec<&str> = std::str::from_utf8(&table[..table.len().min(400)])
        .unwrap_or_default()
        .lines()
        .collect();
    for id in 1..9 {
        let offset: usize = lines[2 + id][..10].parse().expect("offset");
        let header = format!("{id} 0 obj");
        assert!(pdf[offset..].starts_with(header.as_bytes()), "object {id}");
    }
}

#[test]
fn text_draws_glyphs_when_font_exists() {
    if !std::path::Path::new(paint::FONT_PATH).exists() {
        // The renderer skips text without the font; nothing to check.
        return;
    }
    let doc = doc_with_page();
    let element = add(
        &doc,
        "t1",
        &[
            ("kind", text("text")),
            ("z", text("a0")),
            ("color", text("#000000")),
            ("width", Any::from(4.0)),
            ("opacity", Any::from(1.0)),
            ("x", Any::from(0.0)),
            ("y", Any::from(0.0)),
            ("w", Any::from(200.0)),
            ("h", Any::from(30.0)),
        ],
    );
    {
        let mut txn = doc.transact_mut();
        element.insert(&mut txn, "text", yrs::TextPrelim::new("HELLO"));
    }

    let (pixmap, bounds) = render_only_page(&doc, &Pictures::new());
    let dark = (0..200)
        .flat_map(|x| (0..30).map(move |y| (x, y)))
        .filter(|&(x, y)| pixel_at(&pixmap, bounds, f64::from(x), f64::from(y))[0] < 100)
        .count();
    assert!(dark > 50, "{dark} dark pixels in the text box");
}
