//! Board export rendered on the server: one page or the whole board as
//! PNG, and the whole board as PDF, for the room's lecturer.

use std::path::PathBuf;
use std::str::FromStr;

use lectern_media::Digest;
use serde::Deserialize;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::openapi::ErrorResponse;
use super::principal;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::render::{self, BoardPage};
use crate::room::RoomCommand;
use crate::state::{SharedState, with_state};

/// The largest `scale` a request may ask for, in pixels per board unit.
const MAX_SCALE: f64 = 4.0;

/// Query of the export endpoints.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// Id of the one page to export (PNG only); without it, every page.
    page: Option<String>,
    /// Pixels per board unit, above 0 and at most 4; default 1. Large
    /// pages are scaled down to at most 4096 pixels on the long edge.
    scale: Option<f64>,
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let png = warp::path!("rooms" / String / "export.png")
        .and(warp::get())
        .and(warp::query::<ExportQuery>())
        .and(principal(state.clone()))
        .and(with_state(state.clone()))
        .and_then(export_png);

    let pdf = warp::path!("rooms" / String / "export.pdf")
        .and(warp::get())
        .and(warp::query::<ExportQuery>())
        .and(principal(state.clone()))
        .and(with_state(state))
        .and_then(export_pdf);

    png.or(pdf).unify().boxed()
}

/// Renders one board page, or every page stacked top to bottom, as PNG.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/export.png",
    tag = "board",
    params(
        ("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored"),
        ("page" = Option<String>, Query, description = "Id of the one page to export; without it, every page"),
        ("scale" = Option<f64>, Query, description = "Pixels per board unit, above 0 and at most 4; default 1. Pages are scaled down to at most 4096 pixels on the long edge"),
    ),
    responses(
        (status = 200, description = "The page, or all pages in order with a gap between them, as a PNG attachment", body = Vec<u8>, content_type = "image/png"),
        (status = 400, description = "`invalid_query`: scale out of range", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the room's lecturer", body = ErrorResponse),
        (status = 404, description = "No such room, or no such page on its board", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn export_png(
    code: String,
    query: ExportQuery,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let scale = parse_scale(query.scale)?;
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;
    let pages = board_pages(&state, &room.id).await?;

    let (selected, filename) = match &query.page {
        Some(page_id) => {
            let index = pages
                .iter()
                .position(|page| &page.id == page_id)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no page {:?} on the board of room {}",
                        page_id.chars().take(80).collect::<String>(),
                        room.code
                    ))
                })?;
            let page = pages[index].clone();
            let filename = format!("lectern-{}-page-{}.png", room.code, index + 1);
            (vec![page], filename)
        }
        None => (pages, format!("lectern-{}.png", room.code)),
    };
    let pictures = picture_files(&state, &room.id, &selected).await?;

    let single = query.page.is_some();
    let page_count = selected.len();
    let png = run_blocking(move || {
        let pictures = render::load_pictures(pictures);
        let pixmap = match (single, selected.first()) {
            (true, Some(page)) => render::render_page(page, &pictures, scale)?,
            _ => render::render_stack(&selected, &pictures, scale)?,
        };
        render::encode_png(&pixmap)
    })
    .await?;

    tracing::info!(room = %room.id, user = %user.id, pages = page_count, bytes = png.len(), "board exported as PNG");
    Ok(attachment(png, "image/png", &filename))
}

/// Renders every board page, in order, as one page of a PDF.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/export.pdf",
    tag = "board",
    params(
        ("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored"),
        ("scale" = Option<f64>, Query, description = "Pixels per board unit, above 0 and at most 4; default 1. Pages are scaled down to at most 4096 pixels on the long edge"),
    ),
    responses(
        (status = 200, description = "A PDF attachment with one page per board page, each a raster image", body = Vec<u8>, content_type = "application/pdf"),
        (status = 400, description = "`invalid_query`: scale out of range, or a page was given", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the room's lecturer", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn export_pdf(
    code: String,
    query: ExportQuery,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let scale = parse_scale(query.scale)?;
    if query.page.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "the PDF export holds every page; use export.png?page= for one page",
        )
        .into());
    }
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;
    let pages = board_pages(&state, &room.id).await?;
    let pictures = picture_files(&state, &room.id, &pages).await?;

    let page_count = pages.len();
    let pdf = run_blocking(move || {
        let pictures = render::load_pictures(pictures);
        let rasters = pages
            .iter()
            .map(|page| render::render_page(page, &pictures, scale))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(render::write_pdf(&rasters))
    })
    .await?;

    tracing::info!(room = %room.id, user = %user.id, pages = page_count, bytes = pdf.len(), "board exported as PDF");
    let filename = format!("lectern-{}.pdf", room.code);
    Ok(attachment(pdf, "application/pdf", &filename))
}

fn parse_scale(scale: Option<f64>) -> Result<f64, ApiError> {
    let scale = scale.unwrap_or(1.0);
    if scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE {
        Ok(scale)
    } else {
        Err(ApiError::bad_request(
            "invalid_query",
            format!("invalid scale {scale}; use a number above 0 and at most {MAX_SCALE}"),
        ))
    }
}

/// Asks the room actor for the whole board and reads its pages.
async fn board_pages(state: &SharedState, room_id: &str) -> Result<Vec<BoardPage>, ApiError> {
    let (update, _) = state
        .rooms
        .request(room_id, |reply| RoomCommand::Export { reply })
        .await
        .map_err(|error| ApiError::service_unavailable(error.to_string()))?;
    run_blocking(move || {
        use yrs::updates::decoder::Decode;
        use yrs::{Transact, Update};

        let doc = yrs::Doc::new();
        let update = Update::decode_v1(&update)
            .map_err(|error| format!("cannot decode the stored board: {error}"))?;
        doc.transact_mut()
            .apply_update(update)
            .map_err(|error| format!("cannot apply the stored board: {error}"))?;
        Ok(render::read_pages(&doc))
    })
    .await
}

/// Finds the stored display file of each picture that `pages` show.
/// Videos and media missing from the room are left out, so they paint as
/// frames.
async fn picture_files(
    state: &SharedState,
    room_id: &str,
    pages: &[BoardPage],
) -> Result<Vec<(String, PathBuf)>, ApiError> {
    let ids: std::collections::BTreeSet<String> =
        pages.iter().flat_map(BoardPage::media_ids).collect();
    let mut files = Vec::new();
    for id in ids {
        let Some(item) = state.store.media_item(room_id, &id).await? else {
            tracing::warn!(room = %room_id, media = %id, "board export: the board shows media that the room does not have");
            continue;
        };
        if item.kind == "video" {
            continue;
        }
        match Digest::from_str(&item.display_digest) {
            Ok(digest) => files.push((id, state.media.store().path(&digest))),
            Err(error) => {
                tracing::warn!(room = %room_id, media = %id, "board export: invalid stored digest: {error}");
            }
        }
    }
    Ok(files)
}

/// Runs CPU-heavy work off the async threads.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::internal(format!("board export task failed: {error}")))?
        .map_err(|error| ApiError::internal(format!("board export failed: {error}")))
}

fn attachment(body: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let reply = warp::reply::with_header(body, "content-type", content_type);
    warp::reply::with_header(reply, "content-disposition", disposition).into_response()
}
