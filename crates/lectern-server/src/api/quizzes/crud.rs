//! Quiz validation, creation, listing, reading, replacement and deletion.

use lectern_quiz::{Quiz, validate};
use lectern_store::QuizSummary;
use serde::Serialize;
use utoipa::ToSchema;
use warp::Rejection;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{
    InvalidQuizResponse, QuizDocument, QuizView, change_quiz, invalid_quiz, load_owned, not_found,
    quiz_reply, quiz_view, store_new_quiz,
};
use crate::api::openapi::ErrorResponse;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::SharedState;

/// A quiz in the caller's list, without its questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizListItem {
    pub id: String,
    pub title: String,
    pub question_count: i64,
    pub version: i64,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

impl From<&QuizSummary> for QuizListItem {
    fn from(summary: &QuizSummary) -> Self {
        Self {
            id: summary.id.clone(),
            title: summary.title.clone(),
            question_count: summary.question_count,
            version: summary.version,
            updated_at: summary.updated_at,
        }
    }
}
/// The result of validating a quiz that passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidQuiz {
    /// Always `true`; an invalid quiz gets 422.
    pub valid: bool,
}
/// Checks a quiz without storing it.
#[utoipa::path(
    post,
    path = "/api/v1/quizzes/validate",
    tag = "quizzes",
    request_body = QuizDocument,
    responses(
        (status = 200, description = "The quiz is valid", body = ValidQuiz),
        (status = 400, description = "The body is not quiz JSON; the message names the field", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 422, description = "The quiz breaks rules; every problem is listed", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn validate_quiz(principal: Principal, quiz: Quiz) -> Result<Response, Rejection> {
    principal.user()?;
    match validate(&quiz) {
        Ok(()) => Ok(warp::reply::json(&ValidQuiz { valid: true }).into_response()),
        Err(errors) => Ok(invalid_quiz(&errors)),
    }
}

/// Creates a quiz owned by the caller.
#[utoipa::path(
    post,
    path = "/api/v1/quizzes",
    tag = "quizzes",
    request_body = QuizDocument,
    responses(
        (status = 201, description = "The stored quiz at version 1", body = QuizView),
        (status = 400, description = "The body is not quiz JSON; the message names the field", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 422, description = "The quiz breaks rules; every problem is listed", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn create_quiz(
    principal: Principal,
    quiz: Quiz,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    if let Err(errors) = validate(&quiz) {
        return Ok(invalid_quiz(&errors));
    }
    let view = store_new_quiz(&state, user, quiz).await?;
    Ok(quiz_reply(&view, StatusCode::CREATED))
}

/// Lists the caller's quizzes.
#[utoipa::path(
    get,
    path = "/api/v1/quizzes",
    tag = "quizzes",
    responses(
        (status = 200, description = "The caller's quizzes, the most recently changed first", body = Vec<QuizListItem>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn list_quizzes(
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let quizzes = state
        .store
        .quizzes_by_owner(&user.id)
        .await
        .map_err(ApiError::from)?;
    let items: Vec<QuizListItem> = quizzes.iter().map(QuizListItem::from).collect();
    Ok(warp::reply::json(&items).into_response())
}

/// Returns one of the caller's quizzes, with its version as the `ETag`.
#[utoipa::path(
    get,
    path = "/api/v1/quizzes/{id}",
    tag = "quizzes",
    params(("id" = String, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "The quiz", body = QuizView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn show_quiz(
    id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let (stored, quiz) = load_owned(&state, user, &id).await?;
    Ok(quiz_reply(&quiz_view(&stored, quiz), StatusCode::OK))
}

/// Replaces a quiz.
#[utoipa::path(
    put,
    path = "/api/v1/quizzes/{id}",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("If-Match" = Option<String>, Header, description = "Update only if the quiz is at this version, such as \"3\""),
    ),
    request_body = QuizDocument,
    responses(
        (status = 200, description = "The quiz at its next version", body = QuizView),
        (status = 400, description = "The body is not quiz JSON, or If-Match is invalid", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
        (status = 409, description = "Another write changed the quiz during this one", body = ErrorResponse),
        (status = 412, description = "The quiz is not at the If-Match version", body = ErrorResponse),
        (status = 422, description = "The quiz breaks rules; every problem is listed", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn replace_quiz(
    id: String,
    principal: Principal,
    if_match: Option<String>,
    replacement: Quiz,
    state: SharedState,
) -> Result<Response, Rejection> {
    change_quiz(&state, &principal, &id, if_match.as_deref(), |quiz| {
        *quiz = replacement;
        Ok(())
    })
    .await
}

/// Deletes a quiz.
#[utoipa::path(
    delete,
    path = "/api/v1/quizzes/{id}",
    tag = "quizzes",
    params(("id" = String, Path, description = "Quiz id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn delete_quiz(
    id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let deleted = state
        .store
        .delete_quiz(&user.id, &id)
        .await
        .map_err(ApiError::from)?;
    if !deleted {
        return Err(not_found(&id).into());
    }
    tracing::info!(user = %user.id, quiz = %id, "quiz deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}
