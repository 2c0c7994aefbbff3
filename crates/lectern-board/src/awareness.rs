//! Awareness: the ephemeral per-client state (cursor, name, colour) that
//! y-protocols relays between peers without storing it in the document.
//!
//! An awareness update is a varint count followed by, per client, the client
//! id, a clock and the state as a JSON string (`"null"` for a removed state).
//! The server keeps the newest state per client id, remembers which
//! connection sent it, and announces removal when that connection closes.

use std::collections::HashMap;

use serde_json::value::RawValue;
use thiserror::Error;

use crate::encoding::{DecodeError, Reader, write_var_string, write_var_u64};
use crate::room::ConnectionId;

/// Maximum number of awareness client ids one connection may own. A browser tab uses
/// one; the limit stops a connection from filling the server's memory.
pub const MAX_CLIENTS_PER_CONNECTION: usize = 16;

/// The awareness client id the server publishes room state under. Clients
/// cannot write it; their entries for it are ignored.
pub const SERVER_CLIENT_ID: u64 = 0;

/// The owner recorded for the server's own entry.
const SERVER_OWNER: ConnectionId = ConnectionId(u64::MAX);

/// Maximum size in bytes of one awareness state's JSON.
pub const MAX_STATE_BYTES: usize = 64 * 1024;

/// An awareness update that could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AwarenessError {
    #[error("malformed awareness update: {0}")]
    Decode(#[from] DecodeError),

    #[error("awareness state of client {client_id} is not valid JSON")]
    InvalidJson { client_id: u64 },

    #[error(
        "awareness state of client {client_id} is {size} bytes, over the limit of {MAX_STATE_BYTES}"
    )]
    StateTooLarge { client_id: u64, size: usize },

    #[error("connection sent awareness for more than {MAX_CLIENTS_PER_CONNECTION} client ids")]
    TooManyClients,

    #[error("awareness update has {extra} bytes after its last entry")]
    TrailingBytes { extra: usize },
}

#[derive(Debug)]
struct Entry {
    clock: u64,
    /// JSON text of the state; `None` once the client removed it.
    state: Option<String>,
    owner: ConnectionId,
}

/// The awareness states of one room.
#[derive(Debug, Default)]
pub struct AwarenessStates {
    entries: HashMap<u64, Entry>,
}

impl AwarenessStates {
    /// Applies an update sent by `owner` and returns the update to relay to
    /// the other connections, or `None` when nothing changed.
    ///
    /// The newest connection to send a client id owns it, so a browser that
    /// reconnects before its old connection timed out keeps its cursor.
    pub fn apply(
        &mut self,
        owner: ConnectionId,
        update: &[u8],
    ) -> Result<Option<Vec<u8>>, AwarenessError> {
        let incoming = decode_update(update)?;

        let owned_after = self.count_owned_after(owner, &incoming);
        if owned_after > MAX_CLIENTS_PER_CONNECTION {
            return Err(AwarenessError::TooManyClients);
        }

        let mut changed = Vec::new();
        for (client_id, clock, state) in incoming {
            if client_id == SERVER_CLIENT_ID {
                continue;
            }
            let is_newer = match self.entries.get(&client_id) {
                None => true,
                Some(entry) => {
                    entry.clock < clock
                        || (entry.clock == clock && state.is_none() && entry.state.is_some())
                }
            };
            if !is_newer {
                continue;
            }

            self.entries.insert(
                client_id,
                Entry {
                    clock,
                    state: state.map(str::to_owned),
                    owner,
                },
            );
            changed.push(client_id);
        }

        if changed.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.encode_clients(&changed)))
    }

    /// Replaces the server's own state (JSON text) and returns the update
    /// that announces it.
    pub fn set_server_state(&mut self, state: String) -> Vec<u8> {
        let clock = self
            .entries
            .get(&SERVER_CLIENT_ID)
            .map_or(0, |entry| entry.clock + 1);
        self.entries.insert(
            SERVER_CLIENT_ID,
            Entry {
                clock,
                state: Some(state),
                owner: SERVER_OWNER,
            },
        );
        self.encode_clients(&[SERVER_CLIENT_ID])
    }

    /// Marks every state owned by `owner` as removed and returns the update
    /// to send to the other connections, or `None` when it owned none.
    pub fn remove_connection(&mut self, owner: ConnectionId) -> Option<Vec<u8>> {
        let mut removed = Vec::new();
        for (&client_id, entry) in &mut self.entries {
            if entry.owner == owner && entry.state.is_some() {
                // Peers also accept a removal at an equal clock, so saturating
                // at u64::MAX still removes the state, where overflow would not.
                entry.clock = entry.clock.saturating_add(1);
                entry.state = None;
                removed.push(client_id);
            }
        }

        if removed.is_empty() {
            return None;
        }
        Some(self.encode_clients(&removed))
    }

    /// Encodes every present state, for a connection that just joined or
    /// sent a query-awareness message. Returns `None` when there is none.
    pub fn encode_present(&self) -> Option<Vec<u8>> {
        let present: Vec<u64> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.state.is_some())
            .map(|(&client_id, _)| client_id)
            .collect();

        if present.is_empty() {
            return None;
        }
        Some(self.encode_clients(&present))
    }

    /// Returns the number of clients with a present state.
    pub fn present_count(&self) -> usize {
        self.entries
            .values()
            .filter(|entry| entry.state.is_some())
            .count()
    }

    fn count_owned_after(
        &self,
        owner: ConnectionId,
        incoming: &[(u64, u64, Option<&str>)],
    ) -> usize {
        let already: usize = self
            .entries
            .values()
            .filter(|entry| entry.owner == owner && entry.state.is_some())
            .count();
        let new = incoming
            .iter()
            .filter(|(client_id, _, _)| {
                self.entries
                    .get(client_id)
                    .is_none_or(|entry| entry.owner != owner)
            })
            .count();
        already + new
    }

    fn encode_clients(&self, client_ids: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        write_var_u64(&mut out, client_ids.len() as u64);
        for client_id in client_ids {
            let entry = &self.entries[client_id];
            write_var_u64(&mut out, *client_id);
            write_var_u64(&mut out, entry.clock);
            write_var_string(&mut out, entry.state.as_deref().unwrap_or("null"));
        }
        out
    }
}

/// One decoded awareness entry: client id, clock, and the JSON state or
/// `None` for a removed state.
type IncomingEntry<'a> = (u64, u64, Option<&'a str>);

/// Decodes an awareness update into its entries.
fn decode_update(update: &[u8]) -> Result<Vec<IncomingEntry<'_>>, AwarenessError> {
    let mut reader = Reader::new(update);
    let count = reader.read_var_u64("awareness entry count")?;

    let mut entries = Vec::new();
    for _ in 0..count {
        let client_id = reader.read_var_u64("awareness client id")?;
        let clock = reader.read_var_u64("awareness clock")?;
        let json = reader.read_var_string("awareness state")?;

        if json.len() > MAX_STATE_BYTES {
            return Err(AwarenessError::StateTooLarge {
                client_id,
                size: json.len(),
            });
        }
        let parsed: Box<RawValue> =
            serde_json::from_str(json).map_err(|_| AwarenessError::InvalidJson { client_id })?;
        let state = (parsed.get() != "null").then_some(json);

        entries.push((client_id, clock, state));
    }

    if !reader.is_empty() {
        return Err(AwarenessError::TrailingBytes {
            extra: update.len() - reader.offset(),
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(entries: &[(u64, u64, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        write_var_u64(&mut out, entries.len() as u64);
        for (client_id, clock, state) in entries {
            write_var_u64(&mut out, *client_id);
            write_var_u64(&mut out, *clock);
            write_var_string(&mut out, state);
        }
        out
    }

    const ALICE: ConnectionId = ConnectionId(1);
    const BOB: ConnectionId = ConnectionId(2);

    #[test]
    fn newer_clock_replaces_state() {
        let mut states = AwarenessStates::default();
        states
            .apply(ALICE, &update(&[(7, 1, r#"{"name":"a"}"#)]))
            .expect("valid");

        let relayed = states
            .apply(ALICE, &update(&[(7, 2, r#"{"name":"b"}"#)]))
            .expect("valid");
        assert_eq!(relayed, Some(update(&[(7, 2, r#"{"name":"b"}"#)])));
    }

    #[test]
    fn stale_clock_is_ignored() {
        let mut states = AwarenessStates::default();
        states
            .apply(ALICE, &update(&[(7, 5, "{}")]))
            .expect("valid");
        let relayed = states
            .apply(ALICE, &update(&[(7, 4, r#"{"x":1}"#)]))
            .expect("valid");
        assert_eq!(relayed, None);
    }

    #[test]
    fn closing_connection_removes_its_states() {
        let mut states = AwarenessStates::default();
        states
            .apply(ALICE, &update(&[(7, 3, "{}")]))
            .expect("valid");
        states.apply(BOB, &update(&[(8, 1, "{}")])).expect("valid");

        let removal = states.remove_connection(ALICE);
        assert_eq!(removal, Some(update(&[(7, 4, "null")])));
        assert_eq!(states.present_count(), 1);
        assert_eq!(states.remove_connection(ALICE), None);
    }

    #[test]
    fn reconnect_takes_over_client_id() {
        let mut states = AwarenessStates::default();
        states
            .apply(ALICE, &update(&[(7, 3, "{}")]))
            .expect("valid");
        states.apply(BOB, &update(&[(7, 4, "{}")])).expect("valid");

        assert_eq!(
            states.remove_connection(ALICE),
            None,
            "Bob owns client 7 now"
        );
        assert!(states.remove_connection(BOB).is_some());
    }

    #[test]
    fn server_entry_cannot_be_overwritten() {
        let mut states = AwarenessStates::default();
        let announced = states.set_server_state(r#"{"lectern":{}}"#.to_owned());
        assert_eq!(
            announced,
            update(&[(SERVER_CLIENT_ID, 0, r#"{"lectern":{}}"#)])
        );

        let relayed = states
            .apply(
                ALICE,
                &update(&[(SERVER_CLIENT_ID, 9, r#"{"lectern":"forged"}"#)]),
            )
            .expect("valid");
        assert_eq!(relayed, None, "the forged entry is ignored");
        assert_eq!(
            states.encode_present(),
            Some(update(&[(SERVER_CLIENT_ID, 0, r#"{"lectern":{}}"#)]))
        );

        let next = states.set_server_state("{}".to_owned());
        assert_eq!(
            next,
            update(&[(SERVER_CLIENT_ID, 1, "{}")]),
            "the clock advances"
        );
    }

    #[test]
    fn invalid_json_state_is_rejected() {
        let mut states = AwarenessStates::default();
        let error = states
            .apply(ALICE, &update(&[(7, 1, "{not json")]))
            .expect_err("invalid JSON");
        assert_eq!(error, AwarenessError::InvalidJson { client_id: 7 });
    }

    #[test]
    fn too_many_client_ids_are_rejected() {
        let mut states = AwarenessStates::default();
        let entries: Vec<(u64, u64, &str)> = (0..=MAX_CLIENTS_PER_CONNECTION as u64)
            .map(|client_id| (client_id, 1, "{}"))
            .collect();
        let error = states
            .apply(ALICE, &update(&entries))
            .expect_err("too many");
        assert_eq!(error, AwarenessError::TooManyClients);
        assert_eq!(
            states.present_count(),
            0,
            "a rejected update changes nothing"
        );
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = update(&[(7, 1, "{}")]);
        bytes.push(0);
        let mut states = AwarenessStates::default();
        assert_eq!(
            states.apply(ALICE, &bytes),
            Err(AwarenessError::TrailingBytes { extra: 1 })
        );
    }
}
