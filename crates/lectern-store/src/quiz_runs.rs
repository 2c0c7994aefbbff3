use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// A live quiz run as stored: its metadata and the run state as JSON.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredRun {
    pub id: String,
    pub room_id: String,
    /// The quiz the run was launched from. The run plays its own copy,
    /// inside `state`, so the quiz may since have changed or gone.
    pub quiz_id: String,
    pub title: String,
    /// Id of the user who launched the run.
    pub started_by: String,
    pub started_at: i64,
    /// `None` while the run has not ended.
    pub ended_at: Option<i64>,
    /// Name of the run's phase when the state was saved, such as `lobby`.
    pub phase: String,
    /// The run as JSON text. The store never parses it.
    pub state: String,
    pub updated_at: i64,
}

/// A run in a room's list, without its state.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RunSummary {
    pub id: String,
    pub room_id: String,
    pub quiz_id: String,
    pub title: String,
    pub started_by: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub phase: String,
    pub updated_at: i64,
}

/// The fields of a run to create.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub id: &'a str,
    pub room_id: &'a str,
    pub quiz_id: &'a str,
    pub title: &'a str,
    pub started_by: &'a str,
    pub started_at: i64,
    pub phase: &'a str,
    pub state: &'a str,
}

/// A run's state to save after a phase change.
#[derive(Debug, Clone)]
pub struct RunStateUpdate<'a> {
    pub id: &'a str,
    pub phase: &'a str,
    pub state: &'a str,
    /// Set once the run has ended.
    pub ended_at: Option<i64>,
    pub updated_at: i64,
}

/// One accepted answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredAnswer {
    pub run_id: String,
    pub question_index: i64,
    pub participant_id: String,
    pub question_id: String,
    /// The answer as the student sent it, as JSON text.
    pub answer: String,
    /// The scored answer record as JSON text.
    pub record: String,
    pub received_at: i64,
}

/// The fields of an answer to store.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    pub run_id: &'a str,
    pub question_index: i64,
    pub participant_id: &'a str,
    pub question_id: &'a str,
    pub answer: &'a str,
    pub record: &'a str,
    pub received_at: i64,
}

/// A run with every answer stored for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunWithAnswers {
    pub run: StoredRun,
    /// Answers ordered by question index, then arrival.
    pub answers: Vec<StoredAnswer>,
}

const RUN_COLUMNS: &str =
    "id, room_id, quiz_id, title, started_by, started_at, ended_at, phase, state, updated_at";
const SUMMARY_COLUMNS: &str =
    "id, room_id, quiz_id, title, started_by, started_at, ended_at, phase, updated_at";

impl Store {
    /// Creates a run that has not ended.
    pub async fn create_run(&self, new: &NewRun<'_>) -> Result<StoredRun, StoreError> {
        sqlx::query(
            "INSERT INTO quiz_runs (id, room_id, quiz_id, title, started_by, started_at, ended_at, phase, state, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $6)",
        )
        .bind(new.id)
        .bind(new.room_id)
        .bind(new.quiz_id)
        .bind(new.title)
        .bind(new.started_by)
        .bind(new.started_at)
        .bind(new.phase)
        .bind(new.state)
        .execute(self.pool())
        .await
        .map_err(|error| conflict_on_unique(error, "a quiz run with this id"))?;

        Ok(StoredRun {
            id: new.id.to_owned(),
            room_id: new.room_id.to_owned(),
            quiz_id: new.quiz_id.to_owned(),
            title: new.title.to_owned(),
            started_by: new.started_by.to_owned(),
            started_at: new.started_at,
            ended_at: None,
            phase: new.phase.to_owned(),
            state: new.state.to_owned(),
            updated_at: new.started_at,
        })
    }

    /// Saves a run's phase and state. Returns `false` when no run has this id.
    pub async fn save_run_state(&self, update: &RunStateUpdate<'_>) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE quiz_runs SET phase = $1, state = $2, ended_at = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(update.phase)
        .bind(update.state)
        .bind(update.ended_at)
        .bind(update.updated_at)
        .bind(update.id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Stores a batch of answers in one transaction, so the batch is stored
    /// whole or not at all. A second answer of a participant to the same
    /// question of a run is [`StoreError::Conflict`], and then none of the
    /// batch is stored.
    pub async fn append_answers(&self, answers: &[NewAnswer<'_>]) -> Result<(), StoreError> {
        if answers.is_empty() {
            return Ok(());
        }
        let mut transaction = self.pool().begin().await?;
        for answer in answers {
            sqlx::query(
                "INSERT INTO quiz_answers (run_id, question_index, participant_id, question_id, answer, record, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(answer.run_id)
            .bind(answer.question_index)
            .bind(answer.participant_id)
            .bind(answer.question_id)
            .bind(answer.answer)
            .bind(answer.record)
            .bind(answer.received_at)
            .execute(&mut *transaction)
            .await
            .map_err(|error| {
                conflict_on_unique(error, "an answer of this participant to this question")
            })?;
        }
        transaction.commit().await?;
        Ok(())
    }

    pub async fn run_by_id(&self, id: &str) -> Result<Option<StoredRun>, StoreError> {
        let query = format!("SELECT {RUN_COLUMNS} FROM quiz_runs WHERE id = $1");
        Ok(sqlx::query_as(&query)
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Loads a run with every answer stored for it.
    pub async fn load_run(&self, id: &str) -> Result<Option<RunWithAnswers>, StoreError> {
        let Some(run) = self.run_by_id(id).await? else {
            return Ok(None);
        };
        let answers = sqlx::query_as(
            "SELECT run_id, question_index, participant_id, question_id, answer, record, received_at \
             FROM quiz_answers WHERE run_id = $1 ORDER BY question_index, received_at, participant_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(RunWithAnswers { run, answers }))
    }

    /// Lists a room's runs, newest first.
    pub async fn runs_of_room(&self, room_id: &str) -> Result<Vec<RunSummary>, StoreError> {
        let query = format!(
            "SELECT {SUMMARY_COLUMNS} FROM quiz_runs WHERE room_id = $1 ORDER BY started_at DESC, id"
        );
        Ok(sqlx::query_as(&query)
            .bind(room_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Loads the room's newest run that has not ended, with its answers.
    pub async fn active_run(&self, room_id: &str) -> Result<Option<RunWithAnswers>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM quiz_runs WHERE room_id = $1 AND ended_at IS NULL \
             ORDER BY started_at DESC, id LIMIT 1",
        )
        .bind(room_id)
        .fetch_optional(self.pool())
        .await?;
        match id {
            Some(id) => self.load_run(&id).await,
            None => Ok(None),
        }
    }
}
