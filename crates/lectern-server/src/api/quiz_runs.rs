//! Results of live quiz runs: a room's runs, and each run's results as
//! JSON and CSV, per question and per student.
//!
//! The room's lecturer (or an admin) reads everything, with a login or an
//! API token, at any time. A student reads only their own entry, and only
//! once the run has ended. Runs stay readable after the room is closed.

use std::collections::BTreeMap;

use lectern_quiz::{ParticipantResults, Question, QuestionReport, RunResults};
use lectern_store::{Room, RunSummary};
use serde::Serialize;
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::openapi::ErrorResponse;
use super::principal;
use crate::auth::{Principal, RoomRole};
use crate::class::quiz::QuizRun;
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

/// A run in a room's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunSummaryView {
    pub id: String,
    /// The quiz the run was launched from; the run plays a copy taken at
    /// launch.
    pub quiz_id: String,
    pub title: String,
    /// Id of the user who launched the run.
    pub started_by: String,
    /// Milliseconds since the Unix epoch.
    pub started_at: i64,
    /// Milliseconds since the Unix epoch; absent while the run has not ended.
    pub ended_at: Option<i64>,
    /// `lobby`, `question_open`, `question_closed`, `answer_revealed`,
    /// `leaderboard` or `ended`, as last saved.
    pub phase: String,
}

impl From<&RunSummary> for RunSummaryView {
    fn from(run: &RunSummary) -> Self {
        Self {
            id: run.id.clone(),
            quiz_id: run.quiz_id.clone(),
            title: run.title.clone(),
            started_by: run.started_by.clone(),
            started_at: run.started_at,
            ended_at: run.ended_at,
            phase: run.phase.clone(),
        }
    }
}

/// A run's results: one report per question and one entry per student,
/// best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunResultsView {
    pub run: RunSummaryView,
    /// `QuestionReport` of the `lectern-quiz` crate: counts, averages and
    /// the distribution of one question's answers.
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<QuestionReport>,
    /// `ParticipantResults` of the `lectern-quiz` crate with the student's
    /// display name: rank, total, correct answers and each answer.
    #[schema(value_type = Vec<Object>)]
    pub participants: Vec<ParticipantResults>,
}

/// One question of a run with its key and the class's answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResultsView {
    pub run_id: String,
    /// The question as played, with its key and feedback.
    #[schema(value_type = Object)]
    pub question: Question,
    /// `QuestionReport` of the `lectern-quiz` crate.
    #[schema(value_type = Object)]
    pub report: QuestionReport,
}

/// One student's answers and totals in a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentResultsView {
    pub run_id: String,
    /// `ParticipantResults` of the `lectern-quiz` crate with the student's
    /// display name.
    #[schema(value_type = Object)]
    pub student: ParticipantResults,
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let principal = || principal(state.clone());
    let with_state = || with_state(state.clone());

    let list = warp::path!("rooms" / String / "quiz-runs")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(list_runs);

    let results = warp::path!("quiz-runs" / String / "results")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(run_results);

    let csv = warp::path!("quiz-runs" / String / "results.csv")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(run_results_csv);

    let question = warp::path!("quiz-runs" / String / "questions" / usize)
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(question_results);

    let student = warp::path!("quiz-runs" / String / "students" / String)
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(student_results);

    list.or(results)
        .unify()
        .or(csv)
        .unify()
        .or(question)
        .unify()
        .or(student)
        .unify()
        .boxed()
}

/// A stored run restored for reading, with its room and the caller's role
/// in that room.
struct LoadedRun {
    summary: RunSummaryView,
    run: QuizRun,
    room: Room,
    role: RoomRole,
}

impl LoadedRun {
    /// Returns the results with the students' display names.
    async fn results(&self, state: &SharedState) -> Result<RunResults, ApiError> {
        let names: BTreeMap<String, String> = state
            .store
            .participants(&self.room.id)
            .await?
            .into_iter()
            .map(|participant| (participant.id, participant.name))
            .collect();
        Ok(self.run.run.results().with_names(&names))
    }

    /// Returns 403 unless the caller is the room's lecturer or an admin.
    fn require_lecturer(&self) -> Result<(), ApiError> {
        match &self.role {
            RoomRole::Lecturer(_) => Ok(()),
            RoomRole::Student(participant) => {
                tracing::warn!(room = %self.room.id, run = %self.summary.id, participant = %participant.id, "quiz results denied to a student");
                Err(ApiError::forbidden(format!(
                    "only the lecturer of room {} may read the whole run; students may read their own entry once it has ended",
                    self.room.code
                )))
            }
        }
    }
}

/// Loads run `run_id` and checks that the caller belongs to its room:
/// 404 for an unknown run, 403 for someone else's room.
async fn load_run(
    state: &SharedState,
    principal: &Principal,
    run_id: &str,
) -> Result<LoadedRun, ApiError> {
    let not_found = || ApiError::not_found(format!("no quiz run with id {run_id:?}"));
    let stored = state.store.load_run(run_id).await?.ok_or_else(not_found)?;
    let room = state
        .store
        .room_by_id(&stored.run.room_id)
        .await?
        .ok_or_else(not_found)?;
    let role = principal.role_in(&room).inspect_err(|error| {
        tracing::warn!(room = %room.id, run = %run_id, "quiz results denied: {}", error.message);
    })?;

    let mut run = QuizRun::restore(&stored).map_err(ApiError::internal)?;
    // A question whose deadline passed while no class actor was loaded
    // still reads as open in storage; it counts as closed at its deadline.
    run.run.tick(unix_millis());

    let summary = RunSummaryView {
        id: stored.run.id.clone(),
        quiz_id: stored.run.quiz_id.clone(),
        title: stored.run.title.clone(),
        started_by: stored.run.started_by.clone(),
        started_at: stored.run.started_at,
        ended_at: stored.run.ended_at,
        phase: run.run.phase().name().to_owned(),
    };
    Ok(LoadedRun {
        summary,
        run,
        room,
        role,
    })
}

/// Lists the room's quiz runs, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/quiz-runs",
    tag = "quiz runs",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    responses(
        (status = 200, description = "The room's runs, newest first", body = Vec<RunSummaryView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn list_runs(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    principal.lecturer_of(&room)?;

    let runs = state
        .store
        .runs_of_room(&room.id)
        .await
        .map_err(ApiError::from)?;
    let views: Vec<RunSummaryView> = runs.iter().map(RunSummaryView::from).collect();
    Ok(warp::reply::json(&views).into_response())
}

/// Returns a run's per-question reports and per-student totals and answers.
#[utoipa::path(
    get,
    path = "/api/v1/quiz-runs/{run_id}/results",
    tag = "quiz runs",
    params(("run_id" = String, Path, description = "Quiz run id")),
    responses(
        (status = 200, description = "The run's results", body = RunResultsView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the lecturer of the run's room", body = ErrorResponse),
        (status = 404, description = "No such run", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn run_results(
    run_id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let loaded = load_run(&state, &principal, &run_id).await?;
    loaded.require_lecturer()?;

    let results = loaded.results(&state).await?;
    let view = RunResultsView {
        run: loaded.summary,
        questions: results.questions,
        participants: results.participants,
    };
    Ok(warp::reply::json(&view).into_response())
}

/// Returns a run's results as CSV: one row per student, one column per
/// question with the points earned.
#[utoipa::path(
    get,
    path = "/api/v1/quiz-runs/{run_id}/results.csv",
    tag = "quiz runs",
    params(("run_id" = String, Path, description = "Quiz run id")),
    responses(
        (status = 200, description = "`participant_id,name,rank,total,correct`, then each question's points headed by its id", body = String, content_type = "text/csv"),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the lecturer of the run's room", body = ErrorResponse),
        (status = 404, description = "No such run", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn run_results_csv(
    run_id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let loaded = load_run(&state, &principal, &run_id).await?;
    loaded.require_lecturer()?;

    let csv = loaded.results(&state).await?.to_csv_with_names();
    let disposition = format!(
        "attachment; filename=\"lectern-{}-results-{}.csv\"",
        loaded.room.code, loaded.summary.id
    );
    let reply = warp::reply::with_header(csv, "content-type", "text/csv; charset=utf-8");
    Ok(warp::reply::with_header(reply, "content-disposition", disposition).into_response())
}

/// Returns one question of a run with its key, report and distribution.
#[utoipa::path(
    get,
    path = "/api/v1/quiz-runs/{run_id}/questions/{index}",
    tag = "quiz runs",
    params(
        ("run_id" = String, Path, description = "Quiz run id"),
        ("index" = usize, Path, description = "Position of the question, counting from zero"),
    ),
    responses(
        (status = 200, description = "The question and its report", body = QuestionResultsView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Not the lecturer of the run's room", body = ErrorResponse),
        (status = 404, description = "No such run or question", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn question_results(
    run_id: String,
    index: usize,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let loaded = load_run(&state, &principal, &run_id).await?;
    loaded.require_lecturer()?;

    let report = loaded
        .run
        .run
        .question_report(index)
        .map_err(|error| ApiError::not_found(error.to_string()))?;
    let question = loaded
        .run
        .run
        .quiz()
        .questions
        .get(index)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("run {run_id} has no question {index}")))?;

    let view = QuestionResultsView {
        run_id: loaded.summary.id,
        question,
        report,
    };
    Ok(warp::reply::json(&view).into_response())
}

/// Returns one student's answers and totals in a run.
#[utoipa::path(
    get,
    path = "/api/v1/quiz-runs/{run_id}/students/{participant_id}",
    tag = "quiz runs",
    params(
        ("run_id" = String, Path, description = "Quiz run id"),
        ("participant_id" = String, Path, description = "The student's participant id"),
    ),
    responses(
        (status = 200, description = "The student's entry", body = StudentResultsView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "Neither the room's lecturer nor this student after the run ended", body = ErrorResponse),
        (status = 404, description = "No such run, or the student took no part in it", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn student_results(
    run_id: String,
    participant_id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let loaded = load_run(&state, &principal, &run_id).await?;
    if let RoomRole::Student(participant) = &loaded.role {
        if participant.id != participant_id {
            tracing::warn!(room = %loaded.room.id, run = %run_id, participant = %participant.id, "another student's quiz results denied");
            return Err(ApiError::forbidden("students may read only their own results").into());
        }
        if !loaded.run.is_ended() {
            return Err(ApiError::forbidden(format!(
                "run {run_id} has not ended; your results are available once it has"
            ))
            .into());
        }
    }

    let results = loaded.results(&state).await?;
    let student = results
        .participants
        .into_iter()
        .find(|entry| entry.participant_id == participant_id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "participant {participant_id:?} took no part in run {run_id}"
            ))
        })?;
    let view = StudentResultsView {
        run_id: loaded.summary.id,
        student,
    };
    Ok(warp::reply::json(&view).into_response())
}
