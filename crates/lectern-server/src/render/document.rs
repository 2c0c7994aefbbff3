//! Reads the pages and elements of a board document (the schema in
//! `lectern_board::schema`) into plain structs for painting.

use std::collections::BTreeSet;

use lectern_board::schema::{ELEMENTS, ElementKind, PAGES, Point, decode_points};
use yrs::{Any, Array, Doc, GetString, Map, MapRef, Out, ReadTxn, Transact};

/// One page of the board with its elements in paint order.
#[derive(Debug, Clone)]
pub struct BoardPage {
    pub id: String,
    pub order: String,
    pub background: Option<Background>,
    pub elements: Vec<Element>,
}

/// A slide picture painted under a page's elements, centred on the origin.
#[derive(Debug, Clone)]
pub struct Background {
    pub media: String,
    pub width: f64,
    pub height: f64,
}

/// One board element with the fields that painting reads.
#[derive(Debug, Clone)]
pub struct Element {
    pub id: String,
    pub kind: ElementKind,
    pub z: String,
    /// `#rrggbb`, or black when missing or invalid.
    pub color: [u8; 3],
    pub width: f64,
    pub opacity: f64,
    pub fill: Option<[u8; 3]>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub rotation: f64,
    /// Stroke and highlighter points, relative to `x`, `y`.
    pub points: Vec<Point>,
    pub text: String,
    pub media: Option<String>,
}

impl BoardPage {
    /// Returns the media ids that the page's background and pictures show.
    pub fn media_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self
            .elements
            .iter()
            .filter(|element| element.kind == ElementKind::Image)
            .filter_map(|element| element.media.clone())
            .collect();
        if let Some(background) = &self.background {
            ids.insert(background.media.clone());
        }
        ids
    }
}

/// Reads every page, sorted by `order` (then id), each with its elements
/// sorted for painting: highlighters first, then by `z`, then by id.
/// Elements of unknown kind or on a missing page are skipped.
pub fn read_pages(doc: &Doc) -> Vec<BoardPage> {
    let pages_map = doc.get_or_insert_map(PAGES);
    let elements_map = doc.get_or_insert_map(ELEMENTS);
    let txn = doc.transact();

    let mut pages: Vec<BoardPage> = pages_map
        .iter(&txn)
        .filter_map(|(id, value)| match value {
            Out::YMap(map) => Some(read_page(&txn, id, &map)),
            _ => None,
        })
        .collect();
    pages.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));

    for (id, value) in elements_map.iter(&txn) {
        let Out::YMap(map) = value else { continue };
        let Some(page_id) = string(&txn, &map, "page") else {
            continue;
        };
        let Some(page) = pages.iter_mut().find(|page| page.id == page_id) else {
            continue;
        };
        if let Some(element) = read_element(&txn, id, &map) {
            page.elements.push(element);
        }
    }

    for page in &mut pages {
        page.elements.sort_by(|a, b| {
            let a_ink = a.kind != ElementKind::Highlighter;
            let b_ink = b.kind != ElementKind::Highlighter;
            a_ink
                .cmp(&b_ink)
                .then_with(|| a.z.cmp(&b.z))
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    pages
}

fn read_page<T: ReadTxn>(txn: &T, id: &str, map: &MapRef) -> BoardPage {
    let background = string(txn, map, "background").map(|media| Background {
        media,
        width: number(txn, map, "background_w").unwrap_or(0.0),
        height: number(txn, map, "background_h").unwrap_or(0.0),
    });
    BoardPage {
        id: id.to_owned(),
        order: string(txn, map, "order").unwrap_or_default(),
        background,
        elements: Vec::new(),
    }
}

fn read_element<T: ReadTxn>(txn: &T, id: &str, map: &MapRef) -> Option<Element> {
    let kind = ElementKind::from_name(&string(txn, map, "kind")?)?;
    let finite = |key: &str, default: f64| {
        number(txn, map, key)
            .filter(|value| value.is_finite())
            .unwrap_or(default)
    };
    let text = match map.get(txn, "text") {
        Some(Out::YText(text)) => text.get_string(txn),
        Some(Out::Any(Any::String(text))) => text.to_string(),
        _ => String::new(),
    };
    Some(Element {
        id: id.to_owned(),
        kind,
        z: string(txn, map, "z").unwrap_or_default(),
        color: string(txn, map, "color")
            .and_then(|color| parse_color(&color))
            .unwrap_or([0, 0, 0]),
        width: finite("width", 2.0).max(0.0),
        opacity: finite("opacity", 1.0).clamp(0.0, 1.0),
        fill: string(txn, map, "fill").and_then(|color| parse_color(&color)),
        x: finite("x", 0.0),
        y: finite("y", 0.0),
        w: finite("w", 0.0),
        h: finite("h", 0.0),
        rotation: finite("rotation", 0.0),
        points: read_points(txn, map),
        text,
        media: string(txn, map, "media"),
    })
}

/// Decodes the chunks of `points`; an undecodable chunk is skipped.
fn read_points<T: ReadTxn>(txn: &T, map: &MapRef) -> Vec<Point> {
    let Some(Out::YArray(chunks)) = map.get(txn, "points") else {
        return Vec::new();
    };
    chunks
        .iter(txn)
        .filter_map(|chunk| match chunk {
            Out::Any(Any::Buffer(bytes)) => decode_points(&bytes).ok(),
            _ => None,
        })
        .flatten()
        .collect()
}

fn string<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<String> {
    match map.get(txn, key)? {
        Out::Any(Any::String(text)) => Some(text.to_string()),
        _ => None,
    }
}

fn number<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<f64> {
    match map.get(txn, key)? {
        Out::Any(Any::Number(value)) => value.as_f64(),
        _ => None,
    }
}

/// Parses `#rrggbb`.
pub fn parse_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let channel = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}
