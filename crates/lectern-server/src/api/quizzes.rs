//! Quizzes: authoring, validation, question edits, and GIFT and Moodle XML
//! import and export.
//!
//! A quiz belongs to the user who created it. Every other caller, admins
//! included, gets 404 for it, so a quiz id reveals nothing about whether
//! the quiz exists. Every write validates the whole quiz with
//! [`lectern_quiz::validate`], so a stored quiz is always valid, and adds 1
//! to its version. A write carries the version it read as a condition, so
//! of two concurrent writers one gets 409 instead of losing the other's
//! change.

use std::collections::{HashMap, HashSet};

use lectern_quiz::{Location, Question, Quiz, ValidationError, gift, moodle_xml, validate};
use lectern_store::{NewQuiz, QuizSummary, QuizUpdate, StoredQuiz, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::openapi::ErrorResponse;
use super::{json_body, principal};
use crate::auth::Principal;
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

/// Maximum size of a quiz or question JSON body, 2 MiB. The largest valid
/// quiz (200 questions at the model's text limits) can exceed it.
/// NOTE: fixed here, not a setting like `limits.max_json_bytes`.
const MAX_QUIZ_JSON_BYTES: u64 = 2 * 1024 * 1024;

/// A stored quiz with its metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizView {
    pub id: String,
    /// 1 when created; each change adds 1. Send it as `If-Match` to update
    /// only this version.
    pub version: i64,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
    #[schema(value_type = QuizDocument)]
    pub quiz: Quiz,
}

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

/// The quiz JSON of the `lectern-quiz` model: a title, an optional
/// description and 1 to 200 questions. Each question has an `id`, a `text`
/// and a `type` (`single_choice`, `multiple_choice`, `true_false`,
/// `numeric`, `short_text`, `ordering`, `matching`, `poll` or
/// `word_cloud`) with that type's answer fields. The `lectern_quiz::model`
/// documentation describes every field.
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "describes lectern_quiz::Quiz for the OpenAPI document only"
)]
pub struct QuizDocument {
    title: String,
    description: Option<String>,
    #[schema(value_type = Vec<Object>)]
    questions: Vec<serde_json::Value>,
}

/// A new question order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionOrder {
    /// Every question id of the quiz once, in the new order.
    pub ids: Vec<String>,
}

/// One broken rule of a quiz.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizProblem {
    /// `quiz` or `question`.
    pub scope: &'static str,
    /// Position of the question, counting from zero; absent for the quiz.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_index: Option<usize>,
    /// The question's id as sent; absent for the quiz.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    /// Path of the field, such as `choices[2].weight`.
    pub field: String,
    pub message: String,
}

impl From<&ValidationError> for QuizProblem {
    fn from(error: &ValidationError) -> Self {
        let (scope, question_index, question_id) = match &error.location {
            Location::Quiz => ("quiz", None, None),
            Location::Question { index, id } => ("question", Some(*index), Some(id.clone())),
        };
        Self {
            scope,
            question_index,
            question_id,
            field: error.field.clone(),
            message: error.message.clone(),
        }
    }
}

/// The 422 body for an invalid quiz: the usual error with every problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidQuizResponse {
    pub error: InvalidQuizDetail,
}

/// An `invalid_quiz` error and the list of problems.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidQuizDetail {
    /// Always `invalid_quiz`.
    pub code: &'static str,
    pub message: String,
    pub errors: Vec<QuizProblem>,
}

/// The result of validating a quiz that passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidQuiz {
    /// Always `true`; an invalid quiz gets 422.
    pub valid: bool,
}

/// A question that could not be imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// 1-based line of the input, when the importer found the problem;
    /// absent for a question that was read but failed validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The question's id, for a question that failed validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    pub message: String,
}

/// A part of the input that was read but ignored, such as a category.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportNote {
    /// 1-based line of the input.
    pub line: usize,
    pub message: String,
}

/// The quiz created by an import, and what could not be imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub quiz: QuizView,
    /// Questions left out, each with the reason.
    pub errors: Vec<ImportProblem>,
    pub notes: Vec<ImportNote>,
}

/// The interchange formats of import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Gift,
    MoodleXml,
}

impl Format {
    fn from_query(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        match query.get("format").map(String::as_str) {
            Some("gift") => Ok(Format::Gift),
            Some("moodle_xml") => Ok(Format::MoodleXml),
            Some(other) => Err(ApiError::bad_request(
                "invalid_query",
                format!("format {other:?} is not supported; use format=gift or format=moodle_xml"),
            )),
            None => Err(ApiError::bad_request(
                "invalid_query",
                "missing format; add ?format=gift or ?format=moodle_xml",
            )),
        }
    }
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let principal = || principal(state.clone());
    let with_state = || with_state(state.clone());
    let if_match = || warp::header::optional::<String>("if-match");

    let validate_only = warp::path!("quizzes" / "validate")
        .and(warp::post())
        .and(principal())
        .and(json_body::<Quiz>(MAX_QUIZ_JSON_BYTES))
        .and_then(validate_quiz);

    let import = warp::path!("quizzes" / "import")
        .and(warp::post())
        .and(principal())
        .and(warp::query::<HashMap<String, String>>())
        .and(warp::body::content_length_limit(
            moodle_xml::MAX_MOODLE_XML_INPUT_BYTES as u64,
        ))
        .and(warp::body::bytes())
        .and(with_state())
        .and_then(import_quiz);

    let create = warp::path!("quizzes")
        .and(warp::post())
        .and(principal())
        .and(json_body::<Quiz>(MAX_QUIZ_JSON_BYTES))
        .and(with_state())
        .and_then(create_quiz);

    let list = warp::path!("quizzes")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(list_quizzes);

    let export = warp::path!("quizzes" / String / "export")
        .and(warp::get())
        .and(principal())
        .and(warp::query::<HashMap<String, String>>())
        .and(with_state())
        .and_then(export_quiz);

    let show = warp::path!("quizzes" / String)
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(show_quiz);

    let replace = warp::path!("quizzes" / String)
        .and(warp::put())
        .and(principal())
        .and(if_match())
        .and(json_body::<Quiz>(MAX_QUIZ_JSON_BYTES))
        .and(with_state())
        .and_then(replace_quiz);

    let delete = warp::path!("quizzes" / String)
        .and(warp::delete())
        .and(principal())
        .and(with_state())
        .and_then(delete_quiz);

    let append = warp::path!("quizzes" / String / "questions")
        .and(warp::post())
        .and(principal())
        .and(if_match())
        .and(json_body::<Question>(MAX_QUIZ_JSON_BYTES))
        .and(with_state())
        .and_then(append_question);

    // Before `replace_question`, which would otherwise take "order" as a
    // question id.
    let reorder = warp::path!("quizzes" / String / "questions" / "order")
        .and(warp::put())
        .and(principal())
        .and(if_match())
        .and(json_body::<QuestionOrder>(MAX_QUIZ_JSON_BYTES))
        .and(with_state())
        .and_then(reorder_questions);

    let replace_one = warp::path!("quizzes" / String / "questions" / String)
        .and(warp::put())
        .and(principal())
        .and(if_match())
        .and(json_body::<Question>(MAX_QUIZ_JSON_BYTES))
        .and(with_state())
        .and_then(replace_question);

    let delete_one = warp::path!("quizzes" / String / "questions" / String)
        .and(warp::delete())
        .and(principal())
        .and(if_match())
        .and(with_state())
        .and_then(delete_question);

    validate_only
        .or(import)
        .unify()
        .or(create)
        .unify()
        .or(list)
        .unify()
        .or(export)
        .unify()
        .or(show)
        .unify()
        .or(replace)
        .unify()
        .or(delete)
        .unify()
        .or(append)
        .unify()
        .or(reorder)
        .unify()
        .or(replace_one)
        .unify()
        .or(delete_one)
        .unify()
        .boxed()
}

/// Builds the 422 response that lists every validation error.
fn invalid_quiz(errors: &[ValidationError]) -> Response {
    let first = errors.first().map_or_else(String::new, ToString::to_string);
    let message = match errors.len() {
        1 => format!("the quiz is invalid: {first}"),
        count => format!("the quiz has {count} validation errors; the first: {first}"),
    };
    tracing::debug!(errors = errors.len(), "quiz rejected as invalid");
    let body = InvalidQuizResponse {
        error: InvalidQuizDetail {
            code: "invalid_quiz",
            message,
            errors: errors.iter().map(QuizProblem::from).collect(),
        },
    };
    warp::reply::with_status(warp::reply::json(&body), StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("you have no quiz with id {id:?}"))
}

/// Loads a quiz of `user`; another user's quiz is 404 like a missing one.
async fn load_owned(
    state: &SharedState,
    user: &User,
    id: &str,
) -> Result<(StoredQuiz, Quiz), ApiError> {
    let stored = state
        .store
        .quiz_by_id(id)
        .await?
        .filter(|stored| stored.owner_id == user.id)
        .ok_or_else(|| not_found(id))?;
    let quiz = serde_json::from_str(&stored.body).map_err(|error| {
        ApiError::internal(format!(
            "stored quiz {} is not valid quiz JSON: {error}",
            stored.id
        ))
    })?;
    Ok((stored, quiz))
}

fn quiz_view(stored: &StoredQuiz, quiz: Quiz) -> QuizView {
    QuizView {
        id: stored.id.clone(),
        version: stored.version,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        quiz,
    }
}

/// Replies with the quiz and its version as the `ETag`.
fn quiz_reply(view: &QuizView, status: StatusCode) -> Response {
    let etag = format!("\"{}\"", view.version);
    let reply = warp::reply::with_status(warp::reply::json(view), status);
    warp::reply::with_header(reply, "etag", etag).into_response()
}

/// Parses `If-Match`: a version such as `"3"` (quotes optional), or `*`
/// for any version. A weak `W/` prefix is accepted.
fn parse_if_match(header: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(value) = header.map(str::trim) else {
        return Ok(None);
    };
    if value == "*" {
        return Ok(None);
    }
    let bare = value.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i64>().map(Some).map_err(|_| {
        ApiError::bad_request(
            "invalid_header",
            format!("If-Match {value:?} is invalid; send the quiz version, such as \"3\""),
        )
    })
}

/// Validates a quiz and stores it as a new quiz of `user`.
async fn store_new_quiz(
    state: &SharedState,
    user: &User,
    quiz: Quiz,
) -> Result<QuizView, ApiError> {
    let body = serde_json::to_string(&quiz).map_err(ApiError::internal)?;
    let stored = state
        .store
        .create_quiz(&NewQuiz {
            id: &uuid::Uuid::new_v4().to_string(),
            owner_id: &user.id,
            title: &quiz.title,
            question_count: quiz.questions.len() as i64,
            body: &body,
            created_at: now_millis(),
        })
        .await?;
    tracing::info!(user = %user.id, quiz = %stored.id, "quiz created");
    Ok(quiz_view(&stored, quiz))
}

/// Loads a quiz, applies `change`, validates the result and stores it as
/// the next version. `if_match` is the version the client expects.
async fn change_quiz(
    state: &SharedState,
    principal: &Principal,
    id: &str,
    if_match: Option<&str>,
    change: impl FnOnce(&mut Quiz) -> Result<(), ApiError>,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let expected = parse_if_match(if_match)?;
    let (stored, mut quiz) = load_owned(state, user, id).await?;
    if let Some(expected) = expected
        && expected != stored.version
    {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            format!(
                "quiz {id} is at version {}, not {expected}; reload it and apply your change again",
                stored.version
            ),
        )
        .into());
    }

    change(&mut quiz)?;
    if let Err(errors) = validate(&quiz) {
        return Ok(invalid_quiz(&errors));
    }

    let body = serde_json::to_string(&quiz).map_err(ApiError::internal)?;
    let now = now_millis();
    let updated = state
        .store
        .update_quiz(&QuizUpdate {
            id,
            owner_id: &user.id,
            expected_version: stored.version,
            title: &quiz.title,
            question_count: quiz.questions.len() as i64,
            body: &body,
            updated_at: now,
        })
        .await
        .map_err(ApiError::from)?;
    if !updated {
        tracing::info!(user = %user.id, quiz = %id, "quiz update lost a race with another write");
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("quiz {id} changed or was deleted while this request ran; reload it and retry"),
        )
        .into());
    }
    tracing::info!(user = %user.id, quiz = %id, version = stored.version + 1, "quiz updated");

    let stored = StoredQuiz {
        version: stored.version + 1,
        updated_at: now,
        ..stored
    };
    Ok(quiz_reply(&quiz_view(&stored, quiz), StatusCode::OK))
}

/// Finds a question by id, or 404 naming it.
fn question_position(quiz: &Quiz, quiz_id: &str, question_id: &str) -> Result<usize, ApiError> {
    quiz.questions
        .iter()
        .position(|question| question.id == question_id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "quiz {quiz_id} has no question with id {question_id:?}"
            ))
        })
}

/// Checks that `ids` names every question of `quiz` exactly once, and
/// returns the questions in that order.
fn reordered(quiz: &Quiz, ids: &[String]) -> Result<Vec<Question>, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_field", message);

    let mut seen = HashSet::new();
    let duplicates: Vec<&str> = ids
        .iter()
        .filter(|id| !seen.insert(id.as_str()))
        .map(String::as_str)
        .collect();
    if !duplicates.is_empty() {
        return Err(invalid(format!(
            "ids must list each question once; repeated: {duplicates:?}"
        )));
    }
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| !quiz.questions.iter().any(|question| &question.id == *id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(format!(
            "ids contains unknown question ids: {unknown:?}"
        )));
    }
    let missing: Vec<&str> = quiz
        .questions
        .iter()
        .map(|question| question.id.as_str())
        .filter(|id| !seen.contains(id))
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "ids must list every question of the quiz; missing: {missing:?}"
        )));
    }

    Ok(ids
        .iter()
        .filter_map(|id| quiz.questions.iter().find(|question| &question.id == id))
        .cloned()
        .collect())
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
async fn validate_quiz(principal: Principal, quiz: Quiz) -> Result<Response, Rejection> {
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
async fn create_quiz(
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
async fn list_quizzes(principal: Principal, state: SharedState) -> Result<Response, Rejection> {
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
async fn show_quiz(
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
async fn replace_quiz(
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
async fn delete_quiz(
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

/// Appends a question to a quiz.
#[utoipa::path(
    post,
    path = "/api/v1/quizzes/{id}/questions",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("If-Match" = Option<String>, Header, description = "Update only if the quiz is at this version"),
    ),
    request_body(content = Object, description = "One question of the quiz JSON"),
    responses(
        (status = 200, description = "The quiz at its next version", body = QuizView),
        (status = 400, description = "The body is not question JSON", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
        (status = 409, description = "Another write changed the quiz during this one", body = ErrorResponse),
        (status = 412, description = "The quiz is not at the If-Match version", body = ErrorResponse),
        (status = 422, description = "The quiz with the question breaks rules", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
async fn append_question(
    id: String,
    principal: Principal,
    if_match: Option<String>,
    question: Question,
    state: SharedState,
) -> Result<Response, Rejection> {
    change_quiz(&state, &principal, &id, if_match.as_deref(), |quiz| {
        quiz.questions.push(question);
        Ok(())
    })
    .await
}

/// Replaces one question, keeping its position.
#[utoipa::path(
    put,
    path = "/api/v1/quizzes/{id}/questions/{question_id}",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("question_id" = String, Path, description = "Question id; the body's `id` must be the same"),
        ("If-Match" = Option<String>, Header, description = "Update only if the quiz is at this version"),
    ),
    request_body(content = Object, description = "One question of the quiz JSON"),
    responses(
        (status = 200, description = "The quiz at its next version", body = QuizView),
        (status = 400, description = "The body is not question JSON, or its id differs from the path", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "No such quiz or question", body = ErrorResponse),
        (status = 409, description = "Another write changed the quiz during this one", body = ErrorResponse),
        (status = 412, description = "The quiz is not at the If-Match version", body = ErrorResponse),
        (status = 422, description = "The quiz with the question breaks rules", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
async fn replace_question(
    id: String,
    question_id: String,
    principal: Principal,
    if_match: Option<String>,
    question: Question,
    state: SharedState,
) -> Result<Response, Rejection> {
    if question.id != question_id {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!(
                "id {:?} in the body differs from question id {question_id:?} in the path",
                question.id
            ),
        )
        .into());
    }
    let quiz_id = id.clone();
    change_quiz(&state, &principal, &id, if_match.as_deref(), move |quiz| {
        let position = question_position(quiz, &quiz_id, &question_id)?;
        quiz.questions[position] = question;
        Ok(())
    })
    .await
}

/// Removes one question.
#[utoipa::path(
    delete,
    path = "/api/v1/quizzes/{id}/questions/{question_id}",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("question_id" = String, Path, description = "Question id"),
        ("If-Match" = Option<String>, Header, description = "Update only if the quiz is at this version"),
    ),
    responses(
        (status = 200, description = "The quiz at its next version", body = QuizView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "No such quiz or question", body = ErrorResponse),
        (status = 409, description = "Another write changed the quiz during this one", body = ErrorResponse),
        (status = 412, description = "The quiz is not at the If-Match version", body = ErrorResponse),
        (status = 422, description = "The quiz would break rules, such as having no question", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
async fn delete_question(
    id: String,
    question_id: String,
    principal: Principal,
    if_match: Option<String>,
    state: SharedState,
) -> Result<Response, Rejection> {
    let quiz_id = id.clone();
    change_quiz(&state, &principal, &id, if_match.as_deref(), move |quiz| {
        let position = question_position(quiz, &quiz_id, &question_id)?;
        quiz.questions.remove(position);
        Ok(())
    })
    .await
}

/// Puts the questions in a new order.
#[utoipa::path(
    put,
    path = "/api/v1/quizzes/{id}/questions/order",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("If-Match" = Option<String>, Header, description = "Update only if the quiz is at this version"),
    ),
    request_body = QuestionOrder,
    responses(
        (status = 200, description = "The quiz at its next version", body = QuizView),
        (status = 400, description = "ids is not a permutation of the question ids; the message names the ids at fault", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
        (status = 409, description = "Another write changed the quiz during this one", body = ErrorResponse),
        (status = 412, description = "The quiz is not at the If-Match version", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn reorder_questions(
    id: String,
    principal: Principal,
    if_match: Option<String>,
    order: QuestionOrder,
    state: SharedState,
) -> Result<Response, Rejection> {
    change_quiz(&state, &principal, &id, if_match.as_deref(), |quiz| {
        quiz.questions = reordered(quiz, &order.ids)?;
        Ok(())
    })
    .await
}

/// Creates a quiz from a GIFT or Moodle XML file. Questions that cannot be
/// read or that fail validation are left out and listed in `errors`.
#[utoipa::path(
    post,
    path = "/api/v1/quizzes/import",
    tag = "quizzes",
    params(
        ("format" = String, Query, description = "`gift` or `moodle_xml`"),
        ("title" = Option<String>, Query, description = "Title of the new quiz; the default names the format"),
    ),
    request_body(content = String, content_type = "text/plain", description = "The GIFT text or Moodle XML document, UTF-8"),
    responses(
        (status = 201, description = "The created quiz and the questions left out", body = ImportResponse),
        (status = 400, description = "Unknown format, input that is not UTF-8, or a document the importer rejects whole", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 413, description = "The body is over 16 MiB", body = ErrorResponse),
        (status = 422, description = "No question could be imported, or the quiz breaks a quiz-wide rule", body = InvalidQuizResponse),
    ),
    security(("bearer" = []))
)]
async fn import_quiz(
    principal: Principal,
    query: HashMap<String, String>,
    body: warp::hyper::body::Bytes,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let format = Format::from_query(&query)?;
    let input = std::str::from_utf8(&body).map_err(|error| {
        ApiError::bad_request(
            "invalid_body",
            format!("the body is not UTF-8 text: {error}"),
        )
    })?;

    let (questions, mut problems, notes) = match format {
        Format::Gift => {
            let read = gift::import(input)
                .map_err(|error| ApiError::bad_request("invalid_import", error.to_string()))?;
            let problems: Vec<ImportProblem> = read
                .errors
                .iter()
                .map(|error| ImportProblem {
                    line: Some(error.line),
                    question_id: None,
                    message: error.kind.to_string(),
                })
                .collect();
            let notes = read
                .notes
                .into_iter()
                .map(|note| ImportNote {
                    line: note.line,
                    message: note.message,
                })
                .collect();
            (read.questions, problems, notes)
        }
        Format::MoodleXml => {
            let read = moodle_xml::import(input)
                .map_err(|error| ApiError::bad_request("invalid_import", error.to_string()))?;
            let problems: Vec<ImportProblem> = read
                .errors
                .iter()
                .map(|error| ImportProblem {
                    line: Some(error.line),
                    question_id: None,
                    message: error.kind.to_string(),
                })
                .collect();
            let notes = read
                .notes
                .into_iter()
                .map(|note| ImportNote {
                    line: note.line,
                    message: note.message,
                })
                .collect();
            (read.questions, problems, notes)
        }
    };

    let default_title = match format {
        Format::Gift => "Imported from GIFT",
        Format::MoodleXml => "Imported from Moodle XML",
    };
    let mut quiz = Quiz {
        title: query
            .get("title")
            .map_or(default_title, String::as_str)
            .to_owned(),
        description: None,
        questions,
    };

    // Questions that break a rule are left out like unreadable ones, so one
    // bad question does not block a whole question bank.
    if let Err(errors) = validate(&quiz) {
        let mut rejected = HashSet::new();
        for error in &errors {
            if let Location::Question { index, id } = &error.location {
                rejected.insert(*index);
                problems.push(ImportProblem {
                    line: None,
                    question_id: Some(id.clone()),
                    message: error.to_string(),
                });
            }
        }
        quiz.questions = quiz
            .questions
            .into_iter()
            .enumerate()
            .filter(|(index, _)| !rejected.contains(index))
            .map(|(_, question)| question)
            .collect();
    }
    if let Err(errors) = validate(&quiz) {
        return Ok(invalid_quiz(&errors));
    }

    let view = store_new_quiz(&state, user, quiz).await?;
    tracing::info!(
        user = %user.id,
        quiz = %view.id,
        imported = view.quiz.questions.len(),
        left_out = problems.len(),
        "quiz imported"
    );
    let body = ImportResponse {
        quiz: view,
        errors: problems,
        notes,
    };
    Ok(warp::reply::with_status(warp::reply::json(&body), StatusCode::CREATED).into_response())
}

/// Exports a quiz as GIFT text or a Moodle XML document.
#[utoipa::path(
    get,
    path = "/api/v1/quizzes/{id}/export",
    tag = "quizzes",
    params(
        ("id" = String, Path, description = "Quiz id"),
        ("format" = String, Query, description = "`gift` or `moodle_xml`"),
    ),
    responses(
        (status = 200, description = "The file. Questions the format cannot express are left out, marked by a comment, and their ids listed in the `X-Lectern-Skipped` header", body = String, content_type = "text/plain"),
        (status = 400, description = "Unknown or missing format", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no quiz with this id", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn export_quiz(
    id: String,
    principal: Principal,
    query: HashMap<String, String>,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let format = Format::from_query(&query)?;
    let (_, quiz) = load_owned(&state, user, &id).await?;

    let (text, skipped, content_type, extension): (String, Vec<String>, _, _) = match format {
        Format::Gift => {
            let export = gift::export(&quiz);
            let skipped = export.skipped.into_iter().map(|skip| skip.id).collect();
            (
                export.text,
                skipped,
                "text/plain; charset=utf-8",
                "gift.txt",
            )
        }
        Format::MoodleXml => {
            let export = moodle_xml::export(&quiz);
            let skipped = export.skipped.into_iter().map(|skip| skip.id).collect();
            (
                export.text,
                skipped,
                "application/xml; charset=utf-8",
                "xml",
            )
        }
    };

    let disposition = format!("attachment; filename=\"quiz-{id}.{extension}\"");
    let reply = warp::reply::with_header(text, "content-type", content_type);
    let reply = warp::reply::with_header(reply, "content-disposition", disposition);
    let reply = warp::reply::with_header(reply, "x-lectern-skipped", skipped.join(","));
    Ok(reply.into_response())
}
