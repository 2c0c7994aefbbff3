//! `GET /api/v1/rooms/{code}/media/{id}`: serves a stored file to the
//! room's participants, streamed from disk, with single `Range` requests
//! for videos.

use std::str::FromStr;

use lectern_media::{Digest, parse_range};
use lectern_store::MediaItem;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::hyper::Body;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::filename::content_disposition;
use super::is_media_id;
use crate::api::extract::resolve_token;
use crate::api::openapi::ErrorResponse;
use crate::auth::TOKEN_COOKIE;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

/// The cookie that joining a room sets, holding the student's token, with
/// its path limited to the room's media URLs so that `<img>` and `<video>`
/// elements can load them.
pub const SEAT_COOKIE: &str = "lectern_seat";

/// One year, the longest `max-age` that caches are asked to honour: a
/// media id never changes its content.
const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";

#[derive(Debug, Deserialize)]
struct MediaQuery {
    variant: Option<String>,
}

/// The version of a media item to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Display,
    Thumbnail,
    Original,
}

impl FromStr for Variant {
    type Err = ApiError;

    fn from_str(text: &str) -> Result<Self, ApiError> {
        match text {
            "display" => Ok(Variant::Display),
            "thumbnail" => Ok(Variant::Thumbnail),
            "original" => Ok(Variant::Original),
            other => Err(ApiError::bad_request(
                "invalid_query",
                format!(
                    "unknown variant {:?}; use display, thumbnail or original",
                    other.chars().take(40).collect::<String>()
                ),
            )),
        }
    }
}

/// The request headers that serving reads.
#[derive(Debug)]
struct Credentials {
    authorization: Option<String>,
    seat: Option<String>,
    login: Option<String>,
}

pub fn route(state: SharedState) -> BoxedFilter<(Response,)> {
    let credentials = warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(SEAT_COOKIE))
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .map(|authorization, seat, login| Credentials {
            authorization,
            seat,
            login,
        });
    warp::path!("rooms" / String / "media" / String)
        .and(warp::get())
        .and(warp::query::<MediaQuery>())
        .and(credentials)
        .and(warp::header::optional::<String>("range"))
        .and(warp::header::optional::<String>("if-none-match"))
        .and(with_state(state))
        .and_then(serve_media)
        .boxed()
}

/// Checks that one of the request's tokens belongs to a participant of the
/// room. `Authorization: Bearer` is used alone when present. Otherwise the
/// seat cookie is tried, then the login cookie, and the first that grants
/// access wins. The error is that of the first token tried.
async fn authorize(
    state: &SharedState,
    code: &str,
    credentials: Credentials,
) -> Result<lectern_store::Room, ApiError> {
    let tokens: Vec<String> = match credentials.authorization {
        Some(header) => {
            let token = header
                .strip_prefix("Bearer ")
                .map(str::trim)
                .filter(|token| !token.is_empty())
                .ok_or_else(|| {
                    ApiError::unauthorized("Authorization header must be \"Bearer <token>\"")
                })?;
            vec![token.to_owned()]
        }
        None => credentials
            .seat
            .into_iter()
            .chain(credentials.login)
            .collect(),
    };
    if tokens.is_empty() {
        return Err(ApiError::unauthorized(
            "missing token; send Authorization: Bearer <token>, or join the room in this browser",
        ));
    }

    let room = state.room(code).await?;
    let mut first_error = None;
    for token in &tokens {
        let allowed = match resolve_token(state, token).await {
            Ok(principal) => principal.role_in(&room).map(|_| ()),
            Err(error) => Err(error),
        };
        match allowed {
            Ok(()) => return Ok(room),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ApiError::unauthorized("missing token")))
}

/// Returns a stored picture, video or slide page.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/media/{id}",
    tag = "media",
    params(
        ("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored"),
        ("id" = String, Path, description = "Media id: m_ and 32 hex digits"),
        ("variant" = Option<String>, Query, description = "display (default), thumbnail or original"),
        ("Range" = Option<String>, Header, description = "One byte range, for videos only, such as bytes=0-1023 or bytes=-500"),
    ),
    responses(
        (status = 200, description = "The file, with Content-Type, ETag (the SHA-256 digest) and Cache-Control: private, immutable", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 206, description = "The requested range of a video, with Content-Range", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 304, description = "If-None-Match matched the ETag"),
        (status = 400, description = "`invalid_media_id` or `invalid_query` (unknown variant)", body = ErrorResponse),
        (status = 401, description = "No token, or an invalid or expired one", body = ErrorResponse),
        (status = 403, description = "The token is not of this room", body = ErrorResponse),
        (status = 404, description = "No such room or media in this room, or a video's thumbnail", body = ErrorResponse),
        (status = 416, description = "The range is outside the file; Content-Range gives the length", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn serve_media(
    code: String,
    id: String,
    query: MediaQuery,
    credentials: Credentials,
    range: Option<String>,
    if_none_match: Option<String>,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = authorize(&state, &code, credentials).await?;
    if !is_media_id(&id) {
        return Err(ApiError::bad_request(
            "invalid_media_id",
            format!(
                "invalid media id {:?}; a media id is m_ and 32 lowercase hex digits",
                id.chars().take(80).collect::<String>()
            ),
        )
        .into());
    }
    let variant = query
        .variant
        .as_deref()
        .map_or(Ok(Variant::Display), str::parse)?;

    let not_found = || ApiError::not_found(format!("no media {id} in room {}", room.code));
    let item = state
        .store
        .media_item(&room.id, &id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(not_found)?;
    let digest_text = match variant {
        Variant::Display => Some(&item.display_digest),
        Variant::Original => Some(&item.original_digest),
        Variant::Thumbnail => item.thumbnail_digest.as_ref(),
    }
    .ok_or_else(|| ApiError::not_found(format!("media {id} is a video, which has no thumbnail")))?;
    let digest = Digest::from_str(digest_text).map_err(|error| {
        ApiError::internal(format!("media {id} has an invalid stored digest: {error}"))
    })?;

    let etag = format!("\"{digest}\"");
    if if_none_match.is_some_and(|value| etag_matches(&value, &etag)) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set_cache_headers(&mut response, &etag);
        return Ok(response);
    }

    let is_video = item.kind == "video";
    let range = range.filter(|_| is_video);
    let mut response = stream_file(&state, &digest, range.as_deref(), &id).await?;
    set_cache_headers(&mut response, &etag);
    set_content_headers(&mut response, &item, is_video)?;
    Ok(response)
}

/// Returns whether an `If-None-Match` value lists the entity tag, or is `*`.
fn etag_matches(value: &str, etag: &str) -> bool {
    value
        .split(',')
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == etag || candidate == "*")
}

/// Opens the file and builds a 200 response with all of it, a 206 with the
/// requested range, or a 416 for a range outside it.
async fn stream_file(
    state: &SharedState,
    digest: &Digest,
    range: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    let path = state.media.store().path(digest);
    let mut file = tokio::fs::File::open(&path).await.map_err(|error| {
        ApiError::internal(format!(
            "media {id}: cannot open stored file {}: {error}",
            path.display()
        ))
    })?;
    let length = file
        .metadata()
        .await
        .map_err(|error| {
            ApiError::internal(format!(
                "media {id}: cannot read the size of {}: {error}",
                path.display()
            ))
        })?
        .len();

    let parsed = range.map(|value| parse_range(value, length));
    let (status, first, count, content_range) = match parsed {
        None => (StatusCode::OK, 0, length, None),
        Some(Ok(range)) => (
            StatusCode::PARTIAL_CONTENT,
            range.first,
            range.len(),
            Some(range.content_range(length)),
        ),
        Some(Err(error)) if error.serve_whole_file() => {
            tracing::debug!(media = %id, %error, "Range header ignored");
            (StatusCode::OK, 0, length, None)
        }
        Some(Err(error)) => {
            let mut response = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                error.to_string(),
            )
            .into_response();
            if let Some(value) = error
                .content_range()
                .and_then(|value| HeaderValue::from_str(&value).ok())
            {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            response
                .headers_mut()
                .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            return Ok(response);
        }
    };

    if first > 0 {
        file.seek(std::io::SeekFrom::Start(first))
            .await
            .map_err(|error| {
                ApiError::internal(format!(
                    "media {id}: cannot seek in {}: {error}",
                    path.display()
                ))
            })?;
    }
    let body = Body::wrap_stream(ReaderStream::new(file.take(count)));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if let Some(value) = content_range.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}

fn set_cache_headers(response: &mut Response, etag: &str) {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
}

fn set_content_headers(
    response: &mut Response,
    item: &MediaItem,
    is_video: bool,
) -> Result<(), ApiError> {
    let extension = match item.content_type.as_str() {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        other => {
            return Err(ApiError::internal(format!(
                "media {} has the unexpected stored content type {other:?}",
                item.id
            )));
        }
    };
    let content_type = HeaderValue::from_str(&item.content_type)
        .map_err(|error| ApiError::internal(format!("media {}: {error}", item.id)))?;
    let disposition = content_disposition(item.filename.as_deref(), &item.id, extension);
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|error| ApiError::internal(format!("media {}: {error}", item.id)))?;

    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    if is_video {
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_lists_are_matched() {
        let etag = "\"abc\"";
        assert!(etag_matches("\"abc\"", etag));
        assert!(etag_matches("\"x\", W/\"abc\"", etag));
        assert!(etag_matches("*", etag));
        assert!(!etag_matches("\"abd\"", etag));
    }

    #[test]
    fn variants_parse() {
        assert_eq!(
            "thumbnail".parse::<Variant>().ok(),
            Some(Variant::Thumbnail)
        );
        let error = "huge".parse::<Variant>().expect_err("unknown variant");
        assert_eq!(error.code, "invalid_query");
        assert!(error.message.contains("\"huge\""), "{}", error.message);
    }
}
