//! The document a join storm syncs: strokes drawn point by point, batched
//! into the updates that fill the room, and the writer clocks that mark it
//! complete.
//!
//! The writer starts a new Yjs client every [`STROKES_PER_CLIENT`]
//! strokes, as a browser does on each reload of the board. One client
//! drawing all 10,000 strokes would take minutes to build, because yrs
//! walks the whole document to encode the delete set of every point's
//! update.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, ReadTxn, StateVector, Transact, Update};

use crate::stroke::StrokeWriter;

/// Strokes the writer sends in one update while filling the room.
pub const STROKES_PER_UPDATE: usize = 50;

/// Strokes drawn by one Yjs client before the writer starts the next.
pub const STROKES_PER_CLIENT: usize = 250;

/// The Yjs client id of the first client; the next ones count up from it.
pub const FIRST_CLIENT_ID: u64 = 0x00be_7c42;

/// Updates at least this large have their clocks cached.
const CACHE_MIN_BYTES: usize = 64 * 1024;

/// Distinct large payloads the clock cache keeps.
const CACHE_ENTRIES: usize = 4;

/// Each client id in an update with the highest clock of its blocks.
pub type ClientClocks = Arc<[(u64, u32)]>;

/// The strokes of a join storm.
#[derive(Debug)]
pub struct StrokeDocument {
    /// The updates that fill the room, in send order.
    pub updates: Vec<Vec<u8>>,
    /// Each writing client's id and its clock once the document is whole.
    pub final_clocks: Vec<(u64, u32)>,
    /// The whole document encoded as one Yjs v1 update, in bytes.
    pub document_bytes: usize,
}

impl StrokeDocument {
    /// Draws `strokes` strokes of `points_per_stroke` points with
    /// [`StrokeWriter`], one point per transaction as the board UI adds
    /// them, and batches them into updates of [`STROKES_PER_UPDATE`].
    pub fn build(strokes: usize, points_per_stroke: usize, author: &str) -> Self {
        let points_per_stroke = points_per_stroke.max(1);
        let mut updates = Vec::with_capacity(strokes.div_ceil(STROKES_PER_UPDATE));
        let mut final_clocks = Vec::with_capacity(strokes.div_ceil(STROKES_PER_CLIENT));

        let mut drawn = 0;
        while drawn < strokes {
            let client_id = FIRST_CLIENT_ID + final_clocks.len() as u64;
            let mut writer = StrokeWriter::new(client_id, author, points_per_stroke);
            let client_strokes = STROKES_PER_CLIENT.min(strokes - drawn);

            let mut client_drawn = 0;
            while client_drawn < client_strokes {
                let batch = STROKES_PER_UPDATE.min(client_strokes - client_drawn);
                let before = writer.doc().transact().state_vector();
                for _ in 0..batch * points_per_stroke {
                    writer.next_update(0);
                }
                updates.push(writer.encode_diff(&before));
                client_drawn += batch;
            }

            let clock = writer
                .doc()
                .transact()
                .state_vector()
                .get(&ClientID::new(client_id));
            final_clocks.push((client_id, clock));
            drawn += client_strokes;
        }

        let document_bytes = merged_size(&updates);
        Self {
            updates,
            final_clocks,
            document_bytes,
        }
    }
}

/// Returns the size of `updates` applied to one document and encoded whole.
fn merged_size(updates: &[Vec<u8>]) -> usize {
    let doc = Doc::new();
    {
        let mut txn = doc.transact_mut();
        for update in updates {
            // The updates come from StrokeWriter, so they decode and apply.
            if let Ok(update) = Update::decode_v1(update) {
                let _ = txn.apply_update(update);
            }
        }
    }
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
        .len()
}

/// Returns each client's highest clock among the blocks of a v1 update,
/// or `None` when the update is invalid.
pub fn client_end_clocks(update: &[u8]) -> Option<Vec<(u64, u32)>> {
    let update = Update::decode_v1(update).ok()?;
    let insertions = update.insertions(true);
    let clocks = insertions
        .iter()
        .filter_map(|(client, ranges)| {
            let end = ranges.iter().map(|range| range.end).max()?;
            Some((client.get(), end))
        })
        .collect();
    Some(clocks)
}

/// [`client_end_clocks`] of large updates, computed once per distinct
/// payload.
///
/// Every joining client receives the same sync step 2, some MiB for
/// 10,000 strokes. Decoding it once per client would load the generator's
/// core more than the server's, and a payload equal byte for byte has the
/// same clocks. A client whose frame equals a known frame
/// ([`super::stream::KnownFrames`]) passes that very frame, so its update
/// is found by address without comparing its bytes.
#[derive(Debug, Default)]
pub struct ClockCache {
    entries: Mutex<VecDeque<(Bytes, ClientClocks)>>,
    /// Large payloads decoded because no equal payload was cached.
    decodes: AtomicU64,
}

impl ClockCache {
    /// Returns [`client_end_clocks`] of `update`, a part of `frame`, empty
    /// when it is invalid.
    pub fn client_end_clocks(&self, frame: &Bytes, update: &[u8]) -> ClientClocks {
        if update.len() < CACHE_MIN_BYTES {
            return client_end_clocks(update).unwrap_or_default().into();
        }
        // Held while decoding, so that clients receiving the same payload
        // at once wait for one decode instead of each doing their own.
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let same = |payload: &Bytes| {
            std::ptr::eq(payload.as_ptr(), update.as_ptr()) && payload.len() == update.len()
        };
        let cached = entries
            .iter()
            .find(|(payload, _)| same(payload))
            .or_else(|| entries.iter().find(|(payload, _)| payload == update));
        if let Some((_, clocks)) = cached {
            return Arc::clone(clocks);
        }
        self.decodes.fetch_add(1, Ordering::Relaxed);
        let clocks: ClientClocks = client_end_clocks(update).unwrap_or_default().into();
        if entries.len() >= CACHE_ENTRIES {
            entries.pop_front();
        }
        entries.push_back((frame.slice_ref(update), Arc::clone(&clocks)));
        clocks
    }

    /// Returns how many large payloads were decoded so far.
    pub fn decodes(&self) -> u64 {
        self.decodes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_board::schema::ELEMENTS;
    use yrs::Map;

    fn apply_all(updates: &[Vec<u8>]) -> Doc {
        let doc = Doc::new();
        for update in updates {
            let update = Update::decode_v1(update).expect("valid update");
            doc.transact_mut().apply_update(update).expect("applies");
        }
        doc
    }

    fn whole_state(doc: &Doc) -> Vec<u8> {
        doc.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    #[test]
    fn document_has_every_stroke() {
        let document = StrokeDocument::build(620, 5, "lecturer-1");
        let doc = apply_all(&document.updates);
        let elements = doc.get_or_insert_map(ELEMENTS);
        assert_eq!(elements.len(&doc.transact()), 620);
    }

    #[test]
    fn strokes_batch_into_updates() {
        // 620 strokes: two clients of 250 (5 updates each) and one of 120
        // (3 updates).
        let document = StrokeDocument::build(620, 5, "lecturer-1");
        assert_eq!(document.updates.len(), 13);
        assert_eq!(document.final_clocks.len(), 3);
    }

    #[test]
    fn final_clocks_match_document() {
        let document = StrokeDocument::build(620, 5, "lecturer-1");
        let doc = apply_all(&document.updates);
        let mut clocks = client_end_clocks(&whole_state(&doc)).expect("valid update");
        clocks.sort_unstable();
        assert_eq!(clocks, document.final_clocks);
    }

    #[test]
    fn document_bytes_is_whole_state() {
        let document = StrokeDocument::build(60, 4, "lecturer-1");
        let doc = apply_all(&document.updates);
        assert_eq!(document.document_bytes, whole_state(&doc).len());
    }

    #[test]
    fn invalid_update_has_no_clocks() {
        assert_eq!(client_end_clocks(&[0xff, 0x01]), None);
    }

    #[test]
    fn cache_returns_decoded_clocks() {
        let document = StrokeDocument::build(400, 10, "lecturer-1");
        let whole = whole_state(&apply_all(&document.updates));
        assert!(whole.len() >= CACHE_MIN_BYTES, "{} bytes", whole.len());
        let expected = client_end_clocks(&whole).expect("valid update");

        let cache = ClockCache::default();
        let first = Bytes::from(whole.clone());
        let equal = Bytes::from(whole);
        assert_eq!(*cache.client_end_clocks(&first, &first), *expected);
        assert_eq!(*cache.client_end_clocks(&first, &first), *expected);
        assert_eq!(*cache.client_end_clocks(&equal, &equal), *expected);
        assert_eq!(cache.decodes(), 1);
    }

    #[test]
    fn cache_keeps_payloads_apart() {
        let smaller = StrokeDocument::build(400, 10, "lecturer-1");
        let larger = StrokeDocument::build(500, 10, "lecturer-1");
        let cache = ClockCache::default();
        for document in [&smaller, &larger, &smaller] {
            let whole = Bytes::from(whole_state(&apply_all(&document.updates)));
            let mut clocks = cache.client_end_clocks(&whole, &whole).to_vec();
            clocks.sort_unstable();
            assert_eq!(clocks, document.final_clocks);
        }
        assert_eq!(cache.decodes(), 2);
    }
}
