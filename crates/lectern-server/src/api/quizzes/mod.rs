//! Quizzes: authoring, validation, question edits, and GIFT and Moodle XML
//! import and export.
//!
//! A quiz belongs to the user who created it. Every other caller, admins
//! included, gets 404 for it, so a quiz id reveals nothing about whether
//! the quiz exists. Every write validates the whole quiz with
//! [`fn@lectern_quiz::validate`], so a stored quiz is always valid, and adds 1
//! to its version. A write carries the version it read as a condition, so
//! of two concurrent writers one gets 409 instead of losing the other's
//! change.

pub(super) mod crud;
pub(super) mod questions;
pub(super) mod transfer;

use std::collections::HashMap;

use lectern_quiz::{Location, Question, Quiz, ValidationError, moodle_xml, validate};
use lectern_store::{NewQuiz, QuizUpdate, StoredQuiz, User};
use serde::Serialize;
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use self::crud::{create_quiz, delete_quiz, list_quizzes, replace_quiz, show_quiz, validate_quiz};
use self::questions::{
    QuestionOrder, append_question, delete_question, reorder_questions, replace_question,
};
use self::transfer::{export_quiz, import_quiz};
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
