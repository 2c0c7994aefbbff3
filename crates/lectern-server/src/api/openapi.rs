//! The OpenAPI 3.1 document of the REST API, generated from the handlers'
//! `#[utoipa::path]` attributes, and a small HTML page that renders it.

use std::sync::OnceLock;

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, Response as HttpResponse, StatusCode};
use warp::hyper::Body;
use warp::reply::Response;

use super::auth::UserView;
use super::rooms::RoomView;

/// The error body every failure has.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

/// What failed, as a stable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code such as `invalid_json` or `not_found`; docs/api.md
    /// lists them.
    pub code: String,
    pub message: String,
}

/// The body of a successful login.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token; also set as the `lectern_token` cookie.
    pub token: String,
    pub user: UserView,
}

/// The body of a successful join.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinResponse {
    /// A bearer token valid in this room only.
    pub token: String,
    pub participant_id: String,
    /// Always `student`.
    pub role: String,
    pub can_draw: bool,
    pub room: RoomView,
}

/// A student as `GET /auth/me` shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentMe {
    pub participant_id: String,
    pub name: String,
    /// Always `student`.
    pub role: String,
}

/// The caller of `GET /auth/me`: a user or a student.
#[derive(Debug, Serialize, ToSchema)]
#[expect(
    dead_code,
    reason = "describes the JSON that auth::me builds, for the OpenAPI document only"
)]
#[serde(untagged)]
pub enum MeResponse {
    User(UserView),
    Student(StudentMe),
}

/// A participant's drawing right after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantPermissionsView {
    pub id: String,
    pub can_draw: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lectern REST API",
        description = "Rooms, the shared board and its media, API tokens, quizzes and quiz results. \
            Authenticate with `Authorization: Bearer <token>`: a login token \
            from `POST /api/v1/auth/login`, an API token (`lct_...`) from \
            `POST /api/v1/tokens`, or a student token from a room join."
    ),
    paths(
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::rooms::create_room,
        super::rooms::list_rooms,
        super::rooms::show_room,
        super::rooms::close_room,
        super::rooms::join_room,
        super::rooms::list_participants,
        super::rooms::set_room_permissions,
        super::rooms::set_participant_permissions,
        super::board::export_board,
        super::board::import_board,
        super::board_export::export_png,
        super::board_export::export_pdf,
        super::media::upload::upload,
        super::media::serve::serve_media,
        super::tokens::create_token,
        super::tokens::list_tokens,
        super::tokens::revoke_token,
        super::quizzes::crud::validate_quiz,
        super::quizzes::crud::create_quiz,
        super::quizzes::crud::list_quizzes,
        super::quizzes::crud::show_quiz,
        super::quizzes::crud::replace_quiz,
        super::quizzes::crud::delete_quiz,
        super::quizzes::questions::append_question,
        super::quizzes::questions::replace_question,
        super::quizzes::questions::delete_question,
        super::quizzes::questions::reorder_questions,
        super::quizzes::transfer::import_quiz,
        super::quizzes::transfer::export_quiz,
        super::quiz_runs::list_runs,
        super::quiz_runs::run_results,
        super::quiz_runs::run_results_csv,
        super::quiz_runs::question_results,
        super::quiz_runs::student_results,
        openapi_json,
        docs_page,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login, logout and the current user"),
        (name = "rooms", description = "Rooms, joins and drawing permissions"),
        (name = "board", description = "Board export and restore"),
        (name = "media", description = "Pictures, videos and PDF slides on the board"),
        (name = "tokens", description = "API tokens for scripts and tools"),
        (name = "quizzes", description = "Quiz authoring, import and export"),
        (name = "quiz runs", description = "Results of live quiz runs in a room"),
        (name = "docs", description = "This document and its HTML page"),
    )
)]
struct ApiDoc;

/// Adds the `bearer` security scheme that the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Returns the document as JSON, built once.
fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialize: {error}\"}}"))
    })
}

/// Sent with the docs page and its files: scripts, styles and requests
/// only from this origin, and no inline script.
const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const DOCS_HTML: &str = include_str!("docs/index.html");
const DOCS_SCRIPT: &str = include_str!("docs/docs.js");
const DOCS_STYLE: &str = include_str!("docs/docs.css");

pub fn routes() -> BoxedFilter<(Response,)> {
    let json = warp::path!("openapi.json")
        .and(warp::get())
        .and_then(openapi_json);
    let page = warp::path!("docs").and(warp::get()).and_then(docs_page);
    let script = warp::path!("docs" / "docs.js")
        .and(warp::get())
        .map(|| static_file(DOCS_SCRIPT, "text/javascript; charset=utf-8"));
    let style = warp::path!("docs" / "docs.css")
        .and(warp::get())
        .map(|| static_file(DOCS_STYLE, "text/css; charset=utf-8"));

    json.or(page)
        .unify()
        .or(script)
        .unify()
        .or(style)
        .unify()
        .boxed()
}

/// Returns this OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "docs",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
async fn openapi_json() -> Result<Response, warp::Rejection> {
    Ok(static_file(document(), "application/json"))
}

/// Returns an HTML page that lists the endpoints and schemas of this
/// document, rendered by a script served beside it.
#[utoipa::path(
    get,
    path = "/api/v1/docs",
    tag = "docs",
    responses((status = 200, description = "The API reference page", content_type = "text/html"))
)]
async fn docs_page() -> Result<Response, warp::Rejection> {
    Ok(static_file(DOCS_HTML, "text/html; charset=utf-8"))
}

fn static_file(body: &'static str, content_type: &'static str) -> Response {
    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(content_type));
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(DOCS_CONTENT_SECURITY_POLICY),
    );
    response
}
