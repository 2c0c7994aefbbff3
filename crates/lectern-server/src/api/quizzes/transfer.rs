//! Import from and export to GIFT and Moodle XML.

use std::collections::{HashMap, HashSet};

use lectern_quiz::{Location, Quiz, gift, moodle_xml, validate};
use serde::Serialize;
use utoipa::ToSchema;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use super::{QuizView, invalid_quiz, load_owned, store_new_quiz};
use crate::api::openapi::ErrorResponse;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::SharedState;

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

/// The 422 body of an import that left every question out.
#[derive(Debug, Serialize, ToSchema)]
pub struct NothingImportedResponse {
    pub error: NothingImportedDetail,
}

/// A `nothing_imported` error with the reason each question was left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct NothingImportedDetail {
    /// Always `nothing_imported`.
    pub code: &'static str,
    pub message: String,
    pub errors: Vec<ImportProblem>,
}

/// Builds the 422 response of an import in which no question could be read
/// or passed validation, listing why each one was left out.
fn nothing_imported(problems: Vec<ImportProblem>) -> Response {
    let message = match problems.first() {
        None => "the file holds no question to import".to_owned(),
        Some(first) => {
            let place = match (&first.line, &first.question_id) {
                (Some(line), _) => format!("line {line}: "),
                (None, Some(id)) => format!("question {id:?}: "),
                (None, None) => String::new(),
            };
            format!(
                "none of the questions could be imported ({} problems); the first: {place}{}",
                problems.len(),
                first.message
            )
        }
    };
    tracing::debug!(problems = problems.len(), "import left every question out");
    let body = NothingImportedResponse {
        error: NothingImportedDetail {
            code: "nothing_imported",
            message,
            errors: problems,
        },
    };
    warp::reply::with_status(warp::reply::json(&body), StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
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
        (status = 422, description = "`nothing_imported` with the reason for each question left out, as shown; or `invalid_quiz` with validation errors when the quiz breaks a quiz-wide rule", body = NothingImportedResponse),
    ),
    security(("bearer" = []))
)]
pub(super) async fn import_quiz(
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
    if quiz.questions.is_empty() {
        return Ok(nothing_imported(problems));
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
pub(super) async fn export_quiz(
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
