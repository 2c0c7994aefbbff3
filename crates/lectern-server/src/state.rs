//! State shared by every request handler.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use lectern_board::ConnectionId;
use lectern_store::{Room, Store};
use warp::Filter;

use crate::class::ClassRegistry;
use crate::codes::normalize_room_code;
use crate::config::Settings;
use crate::error::ApiError;
use crate::frame_file::FrameFiles;
use crate::media::MediaService;
use crate::rate_limit::RateLimiter;
use crate::room::RoomRegistry;

#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub rooms: Arc<RoomRegistry>,
    /// Class actors: control connections and quiz runs.
    pub classes: Arc<ClassRegistry>,
    /// The in-memory files of large board frames, shared by all rooms.
    pub frame_files: Arc<FrameFiles>,
    pub settings: Settings,
    /// The media store and the processing of uploads.
    pub media: MediaService,
    /// The base of join links, without a trailing slash; set once the
    /// listening port is known.
    public_url: OnceLock<String>,
    pub join_limiter: RateLimiter,
    pub login_limiter: RateLimiter,
    next_connection: AtomicU64,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(
        store: Store,
        rooms: Arc<RoomRegistry>,
        classes: Arc<ClassRegistry>,
        media: MediaService,
        settings: Settings,
    ) -> Self {
        Self {
            join_limiter: RateLimiter::new(settings.limits.joins_per_minute),
            login_limiter: RateLimiter::new(settings.limits.logins_per_minute),
            store,
            rooms,
            classes,
            frame_files: Arc::default(),
            media,
            settings,
            public_url: OnceLock::new(),
            next_connection: AtomicU64::new(1),
        }
    }

    pub fn next_connection_id(&self) -> ConnectionId {
        ConnectionId(self.next_connection.fetch_add(1, Ordering::Relaxed))
    }

    /// Finds a room by its code as typed, or returns 404 naming the code.
    pub async fn room(&self, typed_code: &str) -> Result<Room, ApiError> {
        let not_found = || ApiError::not_found(format!("no room with code {typed_code:?}"));
        let code = normalize_room_code(typed_code).ok_or_else(not_found)?;
        self.store.room_by_code(&code).await?.ok_or_else(not_found)
    }

    pub fn set_public_url(&self, url: String) {
        let _ = self.public_url.set(url);
    }

    pub fn join_url(&self, code: &str) -> String {
        let base = self.public_url.get().map_or("", String::as_str);
        format!("{base}/join/{code}")
    }
}

/// Passes the shared state into a handler.
pub fn with_state(
    state: SharedState,
) -> impl Filter<Extract = (SharedState,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || Arc::clone(&state))
}
