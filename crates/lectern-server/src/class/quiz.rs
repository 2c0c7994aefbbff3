//! One room's live quiz run: launching it from a copy of a quiz, applying
//! the lecturer's commands, restoring it from storage, and the views each
//! participant gets.
//!
//! This module decides nothing about sockets. Times are milliseconds since
//! the Unix epoch, passed in as `now`.

use std::collections::HashMap;

use lectern_quiz::{
    AnswerRecord, Phase, Podium, Quiz, Run, RunConfig, RunError, Standing, StreakBonus, SubmitError,
};
use lectern_store::{NewAnswer, NewRun, RunStateUpdate, RunWithAnswers};

use super::protocol::{
    ErrorCode, LEADERBOARD_SIZE, LeaderboardEntry, MyAnswer, MyStanding, Rejection, RunView,
};
use crate::class::protocol::ClientMessage;

/// A run with the metadata stored beside it.
#[derive(Debug, Clone)]
pub struct QuizRun {
    pub id: String,
    pub quiz_id: String,
    pub title: String,
    pub started_by: String,
    pub started_at: u64,
    pub run: Run,
}

/// Failure to restore a stored run.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("stored state of run {run_id} is not a valid run: {source}")]
    State {
        run_id: String,
        source: serde_json::Error,
    },
    #[error(
        "stored answer of {participant_id} to question {index} of run {run_id} is invalid: {reason}"
    )]
    Answer {
        run_id: String,
        participant_id: String,
        index: i64,
        reason: String,
    },
}

/// A lecturer command that changes the run's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseCommand {
    Next,
    Close,
    Reveal,
    Leaderboard,
    End,
}

impl PhaseCommand {
    /// Returns the phase command a client message asks for, if it is one.
    pub fn of(message: &ClientMessage) -> Option<Self> {
        match message {
            ClientMessage::Next {} => Some(Self::Next),
            ClientMessage::Close {} => Some(Self::Close),
            ClientMessage::Reveal {} => Some(Self::Reveal),
            ClientMessage::Leaderboard {} => Some(Self::Leaderboard),
            ClientMessage::End {} => Some(Self::End),
            _ => None,
        }
    }
}

impl QuizRun {
    /// Starts a run of `quiz` in the lobby. `seed` shuffles ordering items
    /// and matching answers.
    pub fn launch(
        id: String,
        quiz_id: String,
        quiz: Quiz,
        streak_bonus: bool,
        seed: u64,
        started_by: String,
        now: u64,
    ) -> Result<Self, RunError> {
        let config = RunConfig {
            seed,
            streak_bonus: streak_bonus.then(StreakBonus::default),
        };
        let title = quiz.title.clone();
        let run = Run::new(quiz, config)?;
        Ok(Self {
            id,
            quiz_id,
            title,
            started_by,
            started_at: now,
            run,
        })
    }

    /// Rebuilds a run from its stored state and inserts the stored answers
    /// that the state lacks: those accepted after its last phase change.
    pub fn restore(stored: &RunWithAnswers) -> Result<Self, RestoreError> {
        let meta = &stored.run;
        let mut run: Run =
            serde_json::from_str(&meta.state).map_err(|source| RestoreError::State {
                run_id: meta.id.clone(),
                source,
            })?;

        for answer in &stored.answers {
            let invalid = |reason: String| RestoreError::Answer {
                run_id: meta.id.clone(),
                participant_id: answer.participant_id.clone(),
                index: answer.question_index,
                reason,
            };
            let record: AnswerRecord =
                serde_json::from_str(&answer.record).map_err(|error| invalid(error.to_string()))?;
            let index = usize::try_from(answer.question_index)
                .map_err(|_| invalid("negative question index".to_owned()))?;
            run.restore_answer(&answer.participant_id, index, record)
                .map_err(|error| invalid(error.to_string()))?;
        }

        Ok(Self {
            id: meta.id.clone(),
            quiz_id: meta.quiz_id.clone(),
            title: meta.title.clone(),
            started_by: meta.started_by.clone(),
            started_at: u64::try_from(meta.started_at).unwrap_or_default(),
            run,
        })
    }

    pub fn is_ended(&self) -> bool {
        self.run.phase() == Phase::Ended
    }

    /// Returns the deadline of the open question, if one is open.
    pub fn deadline(&self) -> Option<u64> {
        match self.run.phase() {
            Phase::QuestionOpen { deadline, .. } => Some(deadline),
            _ => None,
        }
    }

    /// Submits a student's answer that arrived at `received_at`.
    ///
    /// An answer to a question that its deadline closed, arriving at or
    /// after that deadline, is [`SubmitError::Late`], as it would have been
    /// had the deadline timer not fired yet. `QuestionClosed` remains for
    /// a question the lecturer closed early.
    pub fn submit(
        &mut self,
        participant_id: &str,
        answer: lectern_quiz::Answer,
        received_at: u64,
    ) -> Result<lectern_quiz::Accepted, SubmitError> {
        let error = match self.run.submit(participant_id, answer, received_at) {
            Ok(accepted) => return Ok(accepted),
            Err(error) => error,
        };
        let SubmitError::QuestionClosed { index } = error else {
            return Err(error);
        };
        let deadline = self
            .run
            .student_question()
            .filter(|question| question.index == index)
            .map(|question| question.deadline);
        match (self.run.phase(), deadline) {
            (Phase::QuestionClosed { closed_at, .. }, Some(deadline))
                if closed_at >= deadline && received_at >= deadline =>
            {
                Err(SubmitError::Late {
                    index,
                    deadline,
                    received_at,
                })
            }
            _ => Err(error),
        }
    }

    /// Applies a lecturer's phase command at `now`.
    pub fn apply(&mut self, command: PhaseCommand, now: u64) -> Result<(), RunError> {
        match command {
            PhaseCommand::Next => self.run.open_next(now).map(|_| ()),
            PhaseCommand::Close => self.run.close(now),
            PhaseCommand::Reveal => self.run.reveal(),
            PhaseCommand::Leaderboard => self.run.show_leaderboard(),
            PhaseCommand::End => self.run.end(now).map(|_| ()),
        }
    }

    /// Serialises the run for [`lectern_store::Store::create_run`].
    pub fn state_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.run)
    }

    /// Returns the row that creates this run in storage.
    pub fn new_row<'a>(&'a self, room_id: &'a str, state: &'a str) -> NewRun<'a> {
        NewRun {
            id: &self.id,
            room_id,
            quiz_id: &self.quiz_id,
            title: &self.title,
            started_by: &self.started_by,
            started_at: to_i64(self.started_at),
            phase: self.run.phase().name(),
            state,
        }
    }

    /// Returns the update that saves the run's phase and `state` at `now`.
    pub fn state_update<'a>(&'a self, state: &'a str, now: u64) -> RunStateUpdate<'a> {
        RunStateUpdate {
            id: &self.id,
            phase: self.run.phase().name(),
            state,
            ended_at: self.is_ended().then_some(to_i64(now)),
            updated_at: to_i64(now),
        }
    }

    /// Returns the stored form of `participant_id`'s answer to question
    /// `index`, or `None` when the run contains no such answer.
    pub fn answer_row(&self, participant_id: &str, index: usize) -> Option<OwnedAnswerRow> {
        let record = self.run.answer_record(participant_id, index)?;
        let question = self.run.quiz().questions.get(index)?;
        Some(OwnedAnswerRow {
            run_id: self.id.clone(),
            question_index: i64::try_from(index).unwrap_or(i64::MAX),
            participant_id: participant_id.to_owned(),
            question_id: question.id.clone(),
            answer: serde_json::to_string(&record.answer).ok()?,
            record: serde_json::to_string(record).ok()?,
            received_at: to_i64(record.received_at),
        })
    }
}

/// An answer row that owns its text, for storing a batch.
#[derive(Debug, Clone)]
pub struct OwnedAnswerRow {
    pub run_id: String,
    pub question_index: i64,
    pub participant_id: String,
    pub question_id: String,
    pub answer: String,
    pub record: String,
    pub received_at: i64,
}

impl OwnedAnswerRow {
    pub fn as_new(&self) -> NewAnswer<'_> {
        NewAnswer {
            run_id: &self.run_id,
            question_index: self.question_index,
            participant_id: &self.participant_id,
            question_id: &self.question_id,
            answer: &self.answer,
            record: &self.record,
            received_at: self.received_at,
        }
    }
}

fn to_i64(millis: u64) -> i64 {
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// Maps a rejected phase command or launch to the protocol's error.
pub fn run_error(reference: Option<String>, error: &RunError) -> Rejection {
    let code = match error {
        RunError::InvalidQuiz(_) => ErrorCode::InvalidQuiz,
        RunError::IllegalTransition { .. } | RunError::NoSuchQuestion { .. } => {
            ErrorCode::IllegalTransition
        }
        RunError::NoMoreQuestions { .. } => ErrorCode::NoMoreQuestions,
    };
    Rejection::new(reference, code, error.to_string())
}

/// Maps a rejected answer to the protocol's error.
pub fn submit_error(reference: Option<String>, error: &SubmitError) -> Rejection {
    let (code, message) = match error {
        SubmitError::NoQuestionOpen => (ErrorCode::NoQuestionOpen, error.to_string()),
        SubmitError::RunEnded => (ErrorCode::NoRun, error.to_string()),
        SubmitError::QuestionClosed { .. } => (ErrorCode::QuestionClosed, error.to_string()),
        SubmitError::Late {
            index,
            deadline,
            received_at,
        } => (
            ErrorCode::Late,
            format!(
                "answer arrived {} ms after the deadline of question {}",
                received_at.saturating_sub(*deadline),
                index + 1
            ),
        ),
        SubmitError::InvalidAnswer(_) => (ErrorCode::InvalidAnswer, error.to_string()),
    };
    Rejection::new(reference, code, message)
}

/// Recipient of a view.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    Lecturer,
    Student(&'a str),
}

/// The parts of the views that are the same for every participant,
/// computed once per broadcast.
#[derive(Debug)]
pub struct SharedView {
    base: RunView,
    /// The full standings in leaderboard and ended phases, for `my_standing`.
    standings: HashMap<String, (u32, u64)>,
    /// The question the phase concerns and whether its key is shown.
    current: Option<(usize, bool)>,
}

impl QuizRun {
    /// Computes the shared part of every participant's view. `names` maps
    /// participant ids to display names for the leaderboard.
    pub fn shared_view(&self, names: &HashMap<String, String>) -> SharedView {
        let run = &self.run;
        let phase = run.phase();
        let index = phase.question_index();
        let answered = index.and_then(|index| run.answered_count(index).ok());
        let reveal = index.and_then(|index| run.revealed_question(index).ok());
        let show_standings = matches!(phase, Phase::Leaderboard { .. } | Phase::Ended);

        let standings = if show_standings {
            run.standings()
        } else {
            Vec::new()
        };
        let entry = |standing: &Standing| LeaderboardEntry {
            rank: standing.rank,
            participant_id: standing.participant_id.clone(),
            name: names
                .get(&standing.participant_id)
                .cloned()
                .unwrap_or_default(),
            score: standing.score,
            correct: standing.correct,
            streak: standing.streak,
        };
        let leaderboard = show_standings.then(|| {
            standings
                .iter()
                .take(LEADERBOARD_SIZE)
                .map(entry)
                .collect::<Vec<_>>()
        });
        // The podium is capped at PODIUM_MAX_ENTRIES, because this view is
        // cloned and sent to every participant.
        let podium = (phase == Phase::Ended).then(|| Podium::from_standings(&standings));
        let podium_unlisted = podium.as_ref().map(|podium| podium.unlisted);
        let podium = podium.map(|podium| podium.places.iter().map(entry).collect::<Vec<_>>());

        let base = RunView {
            run_id: self.id.clone(),
            quiz_id: self.quiz_id.clone(),
            title: self.title.clone(),
            question_count: run.quiz().questions.len(),
            phase: phase.name(),
            question: run.student_question(),
            closed_by: index.and_then(|index| run.closure(index)).map(|closure| {
                if closure.by_deadline {
                    "deadline"
                } else {
                    "lecturer"
                }
            }),
            answered: answered.unwrap_or(0),
            participants: u32::try_from(run.participant_count()).unwrap_or(u32::MAX),
            my_answer: None,
            reveal: reveal.clone(),
            my_result: None,
            distribution: reveal.as_ref().map(|reveal| reveal.distribution.clone()),
            leaderboard,
            my_standing: None,
            podium,
            podium_unlisted,
        };
        SharedView {
            base,
            standings: standings
                .iter()
                .map(|standing| {
                    (
                        standing.participant_id.clone(),
                        (standing.rank, standing.score),
                    )
                })
                .collect(),
            current: index.map(|index| (index, reveal.is_some())),
        }
    }

    /// Builds one participant's view from the shared part.
    ///
    /// Students get the key, the distribution and their correctness only
    /// once the question is revealed, because `shared_view` leaves those
    /// fields empty before that. This adds only the student's own data.
    pub fn view_for(&self, shared: &SharedView, viewer: Viewer<'_>) -> RunView {
        let mut view = shared.base.clone();
        match viewer {
            Viewer::Lecturer => {
                // Computed per lecturer view rather than in the shared part,
                // because every stored batch of answers builds a shared part
                // for the students' replies and no lecturer view.
                view.distribution = shared
                    .current
                    .and_then(|(index, _)| self.run.answer_distribution(index).ok());
            }
            Viewer::Student(participant_id) => {
                if let Some((index, revealed)) = shared.current {
                    view.my_answer =
                        self.run
                            .answer_record(participant_id, index)
                            .map(|record| MyAnswer {
                                answer: record.answer.clone(),
                                received_at: record.received_at,
                                response_ms: record.response_ms,
                            });
                    if revealed {
                        view.my_result = self.run.student_result(participant_id, index).ok();
                    }
                }
                view.my_standing = shared
                    .standings
                    .get(participant_id)
                    .map(|&(rank, score)| MyStanding { rank, score });
            }
        }
        view
    }
}
