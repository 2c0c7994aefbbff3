//! The board document schema, shared by the browser UI and the server.
//!
//! # Root types
//!
//! - `pages`: a `Y.Map` from page id to a `Y.Map` with
//!   - `title`: string,
//!   - `order`: fractional index string; pages are shown sorted by it, so a
//!     reorder rewrites one key instead of moving array items,
//!   - `background` (optional, a slide): the media id of a picture painted
//!     under everything else on the page, with `background_w` and
//!     `background_h`, its size in board units. The picture is centred on
//!     the board origin. A PDF upload adds one such page per PDF page.
//! - `elements`: a `Y.Map` from element id to a `Y.Map` with
//!   - `kind`: one of [`ElementKind`]'s names (`stroke`, `highlighter`,
//!     `line`, `arrow`, `rectangle`, `ellipse`, `text`, `image`, `video`),
//!   - `page`: the id of the page it is on,
//!   - `z`: fractional index string; elements are painted in ascending order,
//!     and highlighters are painted before all ink on their page,
//!   - `author`: the participant id of its creator,
//!   - `created`: creation time in milliseconds since the Unix epoch,
//!   - style: `color` (`#rrggbb`), `width` (board units), `opacity` (0 to 1),
//!     `fill` (`#rrggbb` or absent),
//!   - geometry: `x`, `y` (the origin, board units), `w`, `h` (size; for a
//!     line or arrow, the vector from start to end), `rotation` (radians),
//!   - `points` (stroke, highlighter): a `Y.Array` of byte chunks, each
//!     encoded by [`encode_points`], relative to `x`, `y`. A stroke being
//!     drawn grows by appending chunks, so peers see it grow.
//!   - `text` (text): a `Y.Text`,
//!   - `media` (image, video): the media id,
//!   - playback (video): `playing` (boolean), `position` (seconds into the
//!     video at the instant `at`) and `at` (milliseconds on the server's
//!     clock). A participant who may draw writes them on play, pause and
//!     seek. A player that is playing shows `position + (now - at) / 1000`.
//!
//! Ids are random strings chosen by the creating client.
//!
//! # Point encoding
//!
//! Storing each coordinate as a number in a `Y.Array` costs about ten bytes
//! a number. A chunk is instead one byte array that starts with a format byte
//! ([`POINTS_FORMAT`]). Each point then follows as its x and y deltas from
//! the previous point, in tenths of a board unit as zigzag varints, and its
//! pressure as one byte (0 to 255). The first point's delta is from the
//! origin. A
//! 50-point stroke drawn by hand takes about 200 bytes.

use thiserror::Error;

use crate::encoding::{DecodeError, Reader, write_var_u64};

/// The first byte of every point chunk.
pub const POINTS_FORMAT: u8 = 1;

/// Coordinates are stored in tenths of a board unit.
const SCALE: f64 = 10.0;

/// Root map of pages.
pub const PAGES: &str = "pages";

/// Root map of elements.
pub const ELEMENTS: &str = "elements";

/// The kinds of board element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    Stroke,
    Highlighter,
    Line,
    Arrow,
    Rectangle,
    Ellipse,
    Text,
    Image,
    Video,
}

impl ElementKind {
    /// Every kind, in schema order.
    pub const ALL: [ElementKind; 9] = [
        ElementKind::Stroke,
        ElementKind::Highlighter,
        ElementKind::Line,
        ElementKind::Arrow,
        ElementKind::Rectangle,
        ElementKind::Ellipse,
        ElementKind::Text,
        ElementKind::Image,
        ElementKind::Video,
    ];

    /// Returns the name stored in the element's `kind` field.
    pub fn name(self) -> &'static str {
        match self {
            ElementKind::Stroke => "stroke",
            ElementKind::Highlighter => "highlighter",
            ElementKind::Line => "line",
            ElementKind::Arrow => "arrow",
            ElementKind::Rectangle => "rectangle",
            ElementKind::Ellipse => "ellipse",
            ElementKind::Text => "text",
            ElementKind::Image => "image",
            ElementKind::Video => "video",
        }
    }

    /// Parses a stored `kind` name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One sampled point of a stroke, relative to the element's origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// Pen pressure from 0 to 1.
    pub pressure: f64,
}

/// A point chunk that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PointsError {
    #[error("point chunk is empty")]
    Empty,

    #[error("point chunk has format {0}, expected {POINTS_FORMAT}")]
    UnknownFormat(u8),

    #[error("point chunk is truncated: {0}")]
    Truncated(#[from] DecodeError),
}

/// Encodes points as one chunk.
pub fn encode_points(points: &[Point]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + points.len() * 3);
    out.push(POINTS_FORMAT);

    let (mut last_x, mut last_y) = (0_i64, 0_i64);
    for point in points {
        let x = quantize(point.x);
        let y = quantize(point.y);
        write_var_u64(&mut out, zigzag(x - last_x));
        write_var_u64(&mut out, zigzag(y - last_y));
        out.push((point.pressure.clamp(0.0, 1.0) * 255.0).round() as u8);
        (last_x, last_y) = (x, y);
    }
    out
}

/// Decodes one chunk made by [`encode_points`].
pub fn decode_points(chunk: &[u8]) -> Result<Vec<Point>, PointsError> {
    let (&format, body) = chunk.split_first().ok_or(PointsError::Empty)?;
    if format != POINTS_FORMAT {
        return Err(PointsError::UnknownFormat(format));
    }

    let mut reader = Reader::new(body);
    let mut points = Vec::new();
    let (mut x, mut y) = (0_i64, 0_i64);
    while !reader.is_empty() {
        // A crafted chunk can hold deltas that overflow; wrapping keeps the
        // decoder from panicking and only garbles that chunk's coordinates.
        x = x.wrapping_add(unzigzag(reader.read_var_u64("point x")?));
        y = y.wrapping_add(unzigzag(reader.read_var_u64("point y")?));
        let pressure = reader.read_u8("point pressure")?;
        points.push(Point {
            x: x as f64 / SCALE,
            y: y as f64 / SCALE,
            pressure: f64::from(pressure) / 255.0,
        });
    }
    Ok(points)
}

fn quantize(value: f64) -> i64 {
    (value * SCALE).round() as i64
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Any, Array, ArrayPrelim, Doc, Map, MapPrelim, ReadTxn, StateVector, Transact};

    fn hand_drawn_stroke(count: usize) -> Vec<Point> {
        (0..count)
            .map(|i| {
                let t = i as f64;
                Point {
                    x: 3.1 * t + (t * 0.7).sin() * 4.0,
                    y: 2.4 * t + (t * 0.3).cos() * 6.0,
                    pressure: 0.4 + (t * 0.2).sin().abs() * 0.5,
                }
            })
            .collect()
    }

    #[test]
    fn points_round_trip_to_a_tenth() {
        let points = hand_drawn_stroke(50);
        let decoded = decode_points(&encode_points(&points)).expect("valid chunk");

        assert_eq!(decoded.len(), points.len());
        for (original, decoded) in points.iter().zip(&decoded) {
            assert!(
                (original.x - decoded.x).abs() <= 0.05,
                "x {original:?} {decoded:?}"
            );
            assert!(
                (original.y - decoded.y).abs() <= 0.05,
                "y {original:?} {decoded:?}"
            );
            assert!((original.pressure - decoded.pressure).abs() <= 0.002);
        }
    }

    #[test]
    fn negative_coordinates_round_trip() {
        let points = [
            Point {
                x: -120.5,
                y: 33.3,
                pressure: 1.0,
            },
            Point {
                x: -121.0,
                y: -40.0,
                pressure: 0.0,
            },
        ];
        let decoded = decode_points(&encode_points(&points)).expect("valid chunk");
        assert_eq!(decoded, points);
    }

    #[test]
    fn truncated_chunk_is_rejected() {
        let mut chunk = encode_points(&hand_drawn_stroke(3));
        chunk.pop();
        assert!(matches!(
            decode_points(&chunk),
            Err(PointsError::Truncated(_))
        ));
    }

    #[test]
    fn unknown_format_is_rejected() {
        assert_eq!(
            decode_points(&[9, 0, 0, 0]),
            Err(PointsError::UnknownFormat(9))
        );
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in ElementKind::ALL {
            assert_eq!(ElementKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ElementKind::from_name("circle"), None);
    }

    /// A 50-point stroke, streamed in five chunks as the UI sends it, must
    /// cost well under a kilobyte in the document.
    #[test]
    fn fifty_point_stroke_is_under_1kb() {
        let doc = Doc::new();
        let elements = doc.get_or_insert_map(ELEMENTS);
        let points = hand_drawn_stroke(50);

        let stream = {
            let mut txn = doc.transact_mut();
            let element = elements.insert(&mut txn, "k3v9q2m8x1", MapPrelim::default());
            element.insert(&mut txn, "kind", "stroke");
            element.insert(&mut txn, "page", "p1");
            element.insert(&mut txn, "z", "a0");
            element.insert(&mut txn, "author", "8f14e45f-ceea-467f-a9f5-3b1c6a2a2d1e");
            element.insert(&mut txn, "created", 1_764_870_000_000_i64);
            element.insert(&mut txn, "color", "#1e3a8a");
            element.insert(&mut txn, "width", 3.0);
            element.insert(&mut txn, "opacity", 1.0);
            element.insert(&mut txn, "x", 410.5);
            element.insert(&mut txn, "y", 220.0);
            element.insert(&mut txn, "points", ArrayPrelim::default())
        };
        for chunk in points.chunks(10) {
            let mut txn = doc.transact_mut();
            let bytes: std::sync::Arc<[u8]> = encode_points(chunk).into();
            stream.push_back(&mut txn, Any::Buffer(bytes));
        }

        let size = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
            .len();
        assert!(size < 1024, "a 50-point stroke costs {size} bytes");
    }
}
