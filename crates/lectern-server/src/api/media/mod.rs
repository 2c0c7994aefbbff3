//! Pictures, videos and PDF slides on the board: `POST` and `GET` under
//! `/api/v1/rooms/{code}/media` (docs/media.md).

mod filename;
mod rejection;
pub(super) mod serve;
pub(super) mod upload;

use lectern_store::MediaItem;
use serde::Serialize;
use utoipa::ToSchema;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::state::SharedState;

pub use serve::SEAT_COOKIE;

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    upload::route(state.clone())
        .or(serve::route(state))
        .unify()
        .boxed()
}

/// Returns whether `id` has the form of a media id: `m_` and 32 lowercase
/// hex digits.
fn is_media_id(id: &str) -> bool {
    id.strip_prefix("m_").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    })
}

/// Creates a media id: `m_` and 128 random bits as hex.
fn new_media_id() -> String {
    format!("m_{}", uuid::Uuid::new_v4().simple())
}

/// A picture, or a page of slides, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaPageView {
    /// The media id, `m_` and 32 hex digits.
    id: String,
    /// Always `image`.
    kind: String,
    width: Option<u32>,
    height: Option<u32>,
    /// URL of the display version.
    url: String,
    /// URL of the thumbnail.
    thumbnail_url: Option<String>,
}

/// An upload as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaView {
    /// The media id, `m_` and 32 hex digits.
    id: String,
    /// `image`, `video` or `slides`.
    kind: String,
    /// Width in pixels of the picture or of the first page, or null for a video.
    width: Option<u32>,
    /// Height in pixels of the picture or of the first page, or null for a video.
    height: Option<u32>,
    /// URL of the display version: of the picture, the video, or the first
    /// page of slides.
    url: String,
    /// URL of the thumbnail, or null for a video.
    thumbnail_url: Option<String>,
    /// For slides only: one picture per page, in page order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<MediaPageView>>,
}

impl MediaPageView {
    fn new(room_code: &str, item: &MediaItem) -> Self {
        let url = format!("/api/v1/rooms/{room_code}/media/{}", item.id);
        let dimension = |value: Option<i64>| value.and_then(|value| u32::try_from(value).ok());
        Self {
            id: item.id.clone(),
            kind: item.kind.clone(),
            width: dimension(item.width),
            height: dimension(item.height),
            thumbnail_url: item
                .thumbnail_digest
                .as_ref()
                .map(|_| format!("{url}?variant=thumbnail")),
            url,
        }
    }
}

impl MediaView {
    fn new(room_code: &str, item: &MediaItem, pages: &[MediaItem]) -> Self {
        let MediaPageView {
            id,
            kind,
            width,
            height,
            url,
            thumbnail_url,
        } = MediaPageView::new(room_code, item);
        let pages = (item.kind == "slides").then(|| {
            pages
                .iter()
                .map(|page| MediaPageView::new(room_code, page))
                .collect()
        });
        Self {
            id,
            kind,
            width,
            height,
            url,
            thumbnail_url,
            pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ids_are_checked() {
        let id = new_media_id();
        assert!(is_media_id(&id), "{id}");
        assert_ne!(id, new_media_id());
        assert!(!is_media_id("m_"));
        assert!(!is_media_id(&id.to_uppercase()));
        assert!(!is_media_id(&format!("{id}0")));
        assert!(!is_media_id("../../lectern.db"));
        assert!(!is_media_id(&format!("x_{}", &id[2..])));
    }
}
