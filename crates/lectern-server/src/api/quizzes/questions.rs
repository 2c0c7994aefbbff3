//! Edits of single questions and of the question order.

use std::collections::HashSet;

use lectern_quiz::{Question, Quiz};
use serde::Deserialize;
use utoipa::ToSchema;
use warp::Rejection;
use warp::reply::Response;

use super::{InvalidQuizResponse, QuizView, change_quiz};
use crate::api::openapi::ErrorResponse;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::SharedState;

/// A new question order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionOrder {
    /// Every question id of the quiz once, in the new order.
    pub ids: Vec<String>,
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
pub(super) async fn append_question(
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
pub(super) async fn replace_question(
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
pub(super) async fn delete_question(
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
pub(super) async fn reorder_questions(
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
