//! `POST /api/v1/rooms/{code}/media`: checks who may upload before the body
//! is read, then processes, stores and records the file.

use futures_util::TryStreamExt;
use lectern_media::MediaCategory;
use lectern_store::{MediaUpload, NewMedia, Room};
use warp::filters::BoxedFilter;
use warp::filters::multipart::FormData;
use warp::http::StatusCode;
use warp::hyper::body::Buf;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::filename::{clean_filename, filename_from_header};
use super::rejection::upload_error;
use super::{MediaView, new_media_id};
use crate::api::openapi::ErrorResponse;
use crate::api::principal;
use crate::auth::{Principal, RoomRole};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::media::{StoredPicture, StoredUpload};
use crate::room::RoomCommand;
use crate::state::{SharedState, with_state};

/// The header that carries the uploader's file name, percent-encoded.
const FILENAME_HEADER: &str = "x-lectern-filename";

/// The room and the participant of an authorised upload.
#[derive(Debug)]
struct Uploader {
    room: Room,
    /// The user id of a lecturer or the participant id of a student.
    participant_id: String,
}

/// The uploaded file and the name it came with in a multipart form.
#[derive(Debug)]
struct UploadBody {
    bytes: Vec<u8>,
    form_filename: Option<String>,
}

pub fn route(state: SharedState) -> BoxedFilter<(Response,)> {
    let limit = state.media.max_upload_bytes();
    warp::path!("rooms" / String / "media")
        .and(warp::post())
        .and(principal(state.clone()))
        .and(with_state(state.clone()))
        .and_then(authorize)
        .and(warp::header::optional::<String>(FILENAME_HEADER))
        .and(body(limit))
        .and(with_state(state))
        .and_then(upload)
        .boxed()
}

/// Reads the file from a `multipart/form-data` form, or else the whole
/// body, each up to `limit` bytes. A body without `Content-Length`, such
/// as a chunked one, is counted while it is read. The body's problems are
/// passed on as a value, because a rejection after the body was consumed
/// would let warp try the raw-body branch on a body that is gone.
///
/// NOTE: the whole body is held in memory until it is processed, up to the
/// largest per-kind limit (512 MiB for videos by default), and only the
/// processing is limited to one upload per core. The number of uploads
/// being received at once is not limited.
fn body(
    limit: u64,
) -> impl Filter<Extract = (Result<UploadBody, ApiError>,), Error = Rejection> + Clone {
    let declared_length = || warp::header::optional::<u64>("content-length");
    let form = warp::header::<String>("content-type")
        .and_then(|content_type: String| async move {
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            if essence.eq_ignore_ascii_case("multipart/form-data") {
                Ok(())
            } else {
                Err(warp::reject::not_found())
            }
        })
        .untuple_one()
        .and(declared_length())
        .and(warp::multipart::form().max_length(None))
        .then(move |length: Option<u64>, form| async move {
            check_declared_length(length, limit)?;
            read_form(form, limit).await
        });
    let raw = declared_length().and(warp::body::stream()).then(
        move |length: Option<u64>, stream| async move {
            check_declared_length(length, limit)?;
            let bytes = read_limited(stream, limit).await?;
            Ok(UploadBody {
                bytes,
                form_filename: None,
            })
        },
    );
    form.or(raw).unify()
}

/// Rejects a `Content-Length` over `limit`, before the body is read.
fn check_declared_length(length: Option<u64>, limit: u64) -> Result<(), ApiError> {
    match length {
        Some(length) if length > limit => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the upload is {length} bytes, over the limit of {limit} bytes; upload a smaller file"
            ),
        )),
        _ => Ok(()),
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the upload is over the limit of {limit} bytes; upload a smaller file"),
    )
}

/// Collects a body stream, failing with 413 once it passes `limit` bytes.
async fn read_limited<S, B>(stream: S, limit: u64) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut stream = std::pin::pin!(stream);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.try_next().await.map_err(|error| {
        ApiError::bad_request(
            "invalid_body",
            format!("the upload could not be read ({error}); send it again"),
        )
    })? {
        if bytes.len() as u64 + chunk.remaining() as u64 > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(chunk.chunk());
    }
    Ok(bytes)
}

/// Returns the first part of the form that has a file name, read up to
/// `limit` bytes.
async fn read_form(mut form: FormData, limit: u64) -> Result<UploadBody, ApiError> {
    let unreadable = |error: &dyn std::fmt::Display| {
        ApiError::bad_request(
            "invalid_form",
            format!(
                "the multipart form could not be read ({error}); send the file as the raw body or in a well-formed form"
            ),
        )
    };
    while let Some(part) = form.try_next().await.map_err(|error| unreadable(&error))? {
        let Some(name) = part.filename() else {
            continue;
        };
        let form_filename = clean_filename(name);
        let bytes = read_limited(part.stream(), limit)
            .await
            .map_err(|error| match error.code {
                "payload_too_large" => error,
                _ => unreadable(&error.message),
            })?;
        return Ok(UploadBody {
            bytes,
            form_filename,
        });
    }
    Err(ApiError::bad_request(
        "invalid_form",
        "the multipart form has no file part; send the file in a part with a filename",
    ))
}

/// Allows the room's lecturer, and students who may draw at this moment:
/// by their own permission, the room's, or a board grant of the floor.
async fn authorize(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Uploader, Rejection> {
    let room = state.room(&code).await?;
    let role = principal.role_in(&room).inspect_err(|error| {
        tracing::warn!(room = %room.id, reason = %error.message, "media upload rejected");
    })?;
    let participant_id = role.participant_id().to_owned();
    let reject = |error: ApiError| {
        tracing::warn!(room = %room.id, participant = %participant_id, reason = %error.message, "media upload rejected");
        Rejection::from(error)
    };

    if room.is_closed() {
        return Err(reject(ApiError::new(
            StatusCode::GONE,
            "room_closed",
            format!("room {} is closed", room.code),
        )));
    }
    if let RoomRole::Student(participant) = &role {
        let may_draw = participant.can_draw != 0
            || room.students_can_draw != 0
            || has_board_grant(&state, &room.id, &participant.id).await;
        if !may_draw {
            return Err(reject(ApiError::forbidden(
                "you may not draw on the board now, so you may not upload to it; ask the lecturer for drawing rights",
            )));
        }
    }
    Ok(Uploader {
        room,
        participant_id,
    })
}

/// Asks the board actor whether the floor called the student to the board.
/// A room that is not loaded has no grant, because a grant keeps its room
/// loaded.
async fn has_board_grant(state: &SharedState, room_id: &str, participant_id: &str) -> bool {
    state
        .rooms
        .request_if_loaded(room_id, |reply| RoomCommand::HasBoardGrant {
            participant_id: participant_id.to_owned(),
            reply,
        })
        .await
        .unwrap_or(false)
}

/// Stores a picture, a video or PDF slides for the room's board.
#[utoipa::path(
    post,
    path = "/api/v1/rooms/{code}/media",
    tag = "media",
    params(
        ("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored"),
        ("X-Lectern-Filename" = Option<String>, Header, description = "The file's name, percent-encoded; kept for display only"),
    ),
    request_body(
        content = Vec<u8>,
        content_type = "application/octet-stream",
        description = "The file: PNG, JPEG, GIF or WebP, MP4 or WebM, or PDF. Its kind comes from its bytes. A multipart/form-data form is also accepted, whose first part with a filename is the file.",
    ),
    responses(
        (status = 201, description = "The stored media; slides also list their pages", body = MediaView),
        (status = 400, description = "`invalid_media`: not a supported or readable file; `invalid_form`: a multipart form without a file part", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the room's lecturer, nor a student who may draw now", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
        (status = 410, description = "The room is closed", body = ErrorResponse),
        (status = 413, description = "`payload_too_large`: the file is over the limit for its kind", body = ErrorResponse),
        (status = 422, description = "`too_many_pixels` or `too_many_pages`", body = ErrorResponse),
        (status = 503, description = "PDF slides cannot be rendered on this server", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn upload(
    uploader: Uploader,
    header_filename: Option<String>,
    body: Result<UploadBody, ApiError>,
    state: SharedState,
) -> Result<Response, Rejection> {
    let Uploader {
        room,
        participant_id,
    } = uploader;
    let rejected = |error: ApiError| {
        tracing::warn!(room = %room.id, participant = %participant_id, status = %error.status, reason = %error.message, "media upload rejected");
        Rejection::from(error)
    };

    let body = body.map_err(rejected)?;
    let filename = header_filename
        .as_deref()
        .and_then(filename_from_header)
        .or(body.form_filename);
    let size = body.bytes.len();
    let stored = state
        .media
        .process(body.bytes)
        .await
        .map_err(|error| rejected(upload_error(&error)))?;

    let view = record(&state, &room, &participant_id, filename.as_deref(), &stored).await?;
    let digest = stored.digest().map(|digest| digest.to_string());
    tracing::info!(
        room = %room.id,
        participant = %participant_id,
        media = %view.id,
        kind = %stored.kind(),
        size,
        digest = digest.as_deref().map_or("", |digest| &digest[..12]),
        "media uploaded"
    );
    if let StoredUpload::Video { metadata_boxes, .. } = stored
        && metadata_boxes > 0
    {
        tracing::info!(media = %view.id, metadata_boxes, "blanked the MP4 user data of the upload");
    }
    Ok(warp::reply::with_status(warp::reply::json(&view), StatusCode::CREATED).into_response())
}

/// The columns of one stored picture, with owned digests.
struct PictureRow {
    id: String,
    content_type: &'static str,
    width: i64,
    height: i64,
    original: String,
    display: String,
    thumbnail: String,
}

impl PictureRow {
    fn new(picture: &StoredPicture) -> Self {
        Self {
            id: new_media_id(),
            content_type: picture.content_type,
            width: i64::from(picture.width),
            height: i64::from(picture.height),
            original: picture.original.to_string(),
            display: picture.display.to_string(),
            thumbnail: picture.thumbnail.to_string(),
        }
    }

    fn new_media<'a>(&'a self, id: &'a str, kind: &'a str) -> NewMedia<'a> {
        NewMedia {
            id,
            kind,
            content_type: self.content_type,
            width: Some(self.width),
            height: Some(self.height),
            original_digest: &self.original,
            display_digest: &self.display,
            thumbnail_digest: Some(&self.thumbnail),
        }
    }
}

/// Records the stored files as a media item of the room, and returns how
/// the API shows it.
async fn record(
    state: &SharedState,
    room: &Room,
    participant_id: &str,
    filename: Option<&str>,
    stored: &StoredUpload,
) -> Result<MediaView, ApiError> {
    let upload = MediaUpload {
        room_id: &room.id,
        filename,
        uploaded_by: participant_id,
        created_at: now_millis(),
    };
    let id = new_media_id();
    let (item, pages) = match stored {
        StoredUpload::Image { picture, .. } => {
            let row = PictureRow::new(picture);
            state
                .store
                .create_media(&upload, &row.new_media(&id, "image"), &[])
                .await?
        }
        StoredUpload::Video { kind, digest, .. } => {
            debug_assert_eq!(kind.category(), MediaCategory::Video);
            let digest = digest.to_string();
            let item = NewMedia {
                id: &id,
                kind: "video",
                content_type: kind.mime_type(),
                width: None,
                height: None,
                original_digest: &digest,
                display_digest: &digest,
                thumbnail_digest: None,
            };
            state.store.create_media(&upload, &item, &[]).await?
        }
        StoredUpload::Slides { pages } => {
            let rows: Vec<PictureRow> = pages.iter().map(PictureRow::new).collect();
            let Some(first) = rows.first() else {
                return Err(ApiError::internal("the PDF renderer returned no pages"));
            };
            let page_items: Vec<NewMedia> = rows
                .iter()
                .map(|row| row.new_media(&row.id, "image"))
                .collect();
            state
                .store
                .create_media(&upload, &first.new_media(&id, "slides"), &page_items)
                .await?
        }
    };
    Ok(MediaView::new(&room.code, &item, &pages))
}
