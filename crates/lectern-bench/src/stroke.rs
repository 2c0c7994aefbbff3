//! Builds the Yjs updates a browser sends while a lecturer draws strokes.
//!
//! Each stroke is an element of the board's `elements` map in the schema of
//! [`lectern_board::schema`]. The first update of a stroke creates the
//! element with its style fields and a `points` array holding the first
//! point. Every later update appends one chunk of one point to that array,
//! so one update carries one point, as the browser sends them while the pen
//! moves. After `points_per_stroke` points the next update starts a new
//! stroke.

use std::sync::Arc;

use lectern_board::schema::{ELEMENTS, Point, encode_points};
use yrs::updates::encoder::Encode;
use yrs::{
    Any, Array, ArrayPrelim, ArrayRef, ClientID, Doc, Map, MapPrelim, MapRef, Options, ReadTxn,
    StateVector, Transact,
};

/// The id of the page the web client shows first (`FIRST_PAGE_ID` in
/// frontend/src/board/doc.ts); every stroke goes there.
pub const FIRST_PAGE_ID: &str = "page-1";
/// One update ready to send, with the writer's clock after it.
#[derive(Debug, Clone)]
pub struct StrokeUpdate {
    /// The Yjs v1 update.
    pub update: Vec<u8>,
    /// The writer's clock once the update is applied, the key under which
    /// readers find the update in the send log.
    pub end_clock: u32,
}

/// Generates stroke updates from a document that only this writer edits.
#[derive(Debug)]
pub struct StrokeWriter {
    doc: Doc,
    elements: MapRef,
    author: String,
    points_per_stroke: usize,
    strokes_started: u64,
    /// The stroke being drawn and the number of points it has.
    current: Option<(ArrayRef, usize)>,
}

impl StrokeWriter {
    /// Creates a writer whose Yjs client id is `client_id`; `author` is
    /// stored in each element's `author` field.
    pub fn new(client_id: u64, author: &str, points_per_stroke: usize) -> Self {
        let doc = Doc::with_options(Options::with_client_id(ClientID::new(client_id)));
        let elements = doc.get_or_insert_map(ELEMENTS);
        Self {
            doc,
            elements,
            author: author.to_owned(),
            points_per_stroke: points_per_stroke.max(1),
            strokes_started: 0,
            current: None,
        }
    }

    /// Returns the Yjs client id of the writer's edits.
    pub fn client_id(&self) -> u64 {
        self.doc.client_id().get()
    }

    /// Returns the writer's document.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// Adds the next point, starting a new stroke when the current one is
    /// full, and returns the update that carries it.
    pub fn next_update(&mut self, now_ms: i64) -> StrokeUpdate {
        let before = self.doc.transact().state_vector();

        let finished =
            matches!(&self.current, Some((_, count)) if *count >= self.points_per_stroke);
        if finished || self.current.is_none() {
            self.start_stroke(now_ms);
        } else if let Some((points, count)) = &mut self.current {
            let chunk = point_chunk(self.strokes_started, *count);
            let mut txn = self.doc.transact_mut();
            points.push_back(&mut txn, chunk);
            *count += 1;
        }

        let txn = self.doc.transact();
        let update = txn.encode_state_as_update_v1(&before);
        let end_clock = txn.state_vector().get(&self.doc.client_id());
        StrokeUpdate { update, end_clock }
    }

    /// Creates the next element with its first point.
    fn start_stroke(&mut self, now_ms: i64) {
        self.strokes_started += 1;
        let id = format!("bench-{}-{}", self.doc.client_id(), self.strokes_started);
        let first = point_chunk(self.strokes_started, 0);

        let mut txn = self.doc.transact_mut();
        let element = self.elements.insert(&mut txn, id, MapPrelim::default());
        element.insert(&mut txn, "kind", "stroke");
        element.insert(&mut txn, "page", FIRST_PAGE_ID);
        element.insert(&mut txn, "z", format!("a{}", self.strokes_started));
        element.insert(&mut txn, "author", self.author.as_str());
        element.insert(&mut txn, "created", now_ms);
        element.insert(&mut txn, "color", "#1e3a8a");
        element.insert(&mut txn, "width", 3.0);
        element.insert(&mut txn, "opacity", 1.0);
        element.insert(
            &mut txn,
            "x",
            100.0 + (self.strokes_started % 20) as f64 * 30.0,
        );
        element.insert(
            &mut txn,
            "y",
            80.0 + (self.strokes_started % 12) as f64 * 40.0,
        );
        let points = element.insert(&mut txn, "points", ArrayPrelim::default());
        points.push_back(&mut txn, first);
        drop(txn);

        self.current = Some((points, 1));
    }

    /// Encodes the writer's state vector, for its sync step 1.
    pub fn doc_state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }

    /// Encodes what `state_vector` lacks, for a sync step 2 reply.
    pub fn encode_diff(&self, state_vector: &StateVector) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(state_vector)
    }
}

/// Encodes point `index` of stroke `stroke` as a one-point chunk: a wavy
/// line as a hand would draw it, relative to the element's origin.
fn point_chunk(stroke: u64, index: usize) -> Any {
    let t = index as f64;
    let phase = stroke as f64 * 0.37;
    let point = Point {
        x: 3.1 * t + (t * 0.7 + phase).sin() * 4.0,
        y: 2.4 * t + (t * 0.3 + phase).cos() * 6.0,
        pressure: 0.4 + (t * 0.2).sin().abs() * 0.5,
    };
    let bytes: Arc<[u8]> = encode_points(&[point]).into();
    Any::Buffer(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_board::schema::decode_points;
    use yrs::updates::decoder::Decode;
    use yrs::{Out, Update};

    fn apply_all(updates: &[StrokeUpdate]) -> Doc {
        let doc = Doc::new();
        for stroke_update in updates {
            let update = Update::decode_v1(&stroke_update.update).expect("valid update");
            doc.transact_mut().apply_update(update).expect("applies");
        }
        doc
    }

    fn element(doc: &Doc, id: &str) -> MapRef {
        let elements = doc.get_or_insert_map(ELEMENTS);
        let txn = doc.transact();
        match elements.get(&txn, id) {
            Some(Out::YMap(map)) => map,
            other => panic!("element {id} is missing or not a map: {other:?}"),
        }
    }

    fn point_count(doc: &Doc, element: &MapRef) -> u32 {
        let txn = doc.transact();
        match element.get(&txn, "points") {
            Some(Out::YArray(points)) => points.len(&txn),
            other => panic!("points is missing or not an array: {other:?}"),
        }
    }

    #[test]
    fn updates_build_stroke_with_n_points() {
        let mut writer = StrokeWriter::new(7, "lecturer-1", 10);
        let updates: Vec<StrokeUpdate> = (0..7).map(|_| writer.next_update(1_000)).collect();

        let doc = apply_all(&updates);
        let stroke = element(&doc, "bench-7-1");
        assert_eq!(point_count(&doc, &stroke), 7);

        let txn = doc.transact();
        let kind = stroke.get(&txn, "kind").map(|out| out.to_string(&txn));
        assert_eq!(kind.as_deref(), Some("stroke"));
        let author = stroke.get(&txn, "author").map(|out| out.to_string(&txn));
        assert_eq!(author.as_deref(), Some("lecturer-1"));
    }

    #[test]
    fn each_chunk_holds_one_point() {
        let mut writer = StrokeWriter::new(7, "lecturer-1", 10);
        let updates: Vec<StrokeUpdate> = (0..3).map(|_| writer.next_update(1_000)).collect();
        let doc = apply_all(&updates);
        let stroke = element(&doc, "bench-7-1");

        let txn = doc.transact();
        let Some(Out::YArray(points)) = stroke.get(&txn, "points") else {
            panic!("points is missing");
        };
        for chunk in points.iter(&txn) {
            let Out::Any(Any::Buffer(bytes)) = chunk else {
                panic!("chunk is not a byte array: {chunk:?}");
            };
            let decoded = decode_points(&bytes).expect("valid chunk");
            assert_eq!(decoded.len(), 1);
        }
    }

    #[test]
    fn full_stroke_starts_next_element() {
        let mut writer = StrokeWriter::new(9, "lecturer-1", 4);
        let updates: Vec<StrokeUpdate> = (0..6).map(|_| writer.next_update(1_000)).collect();

        let doc = apply_all(&updates);
        let first = element(&doc, "bench-9-1");
        let second = element(&doc, "bench-9-2");
        assert_eq!(point_count(&doc, &first), 4);
        assert_eq!(point_count(&doc, &second), 2);
    }

    #[test]
    fn end_clock_grows_with_every_update() {
        let mut writer = StrokeWriter::new(5, "lecturer-1", 3);
        let mut last = 0;
        for _ in 0..8 {
            let next = writer.next_update(1_000);
            assert!(next.end_clock > last, "{} after {last}", next.end_clock);
            last = next.end_clock;
        }
        assert_eq!(
            last,
            writer
                .doc()
                .transact()
                .state_vector()
                .get(&ClientID::new(5))
        );
    }

    #[test]
    fn point_update_is_small() {
        let mut writer = StrokeWriter::new(5, "lecturer-1", 50);
        writer.next_update(1_000);
        let point = writer.next_update(1_000);
        assert!(
            point.update.len() < 64,
            "a one-point update takes {} bytes",
            point.update.len()
        );
    }
}
