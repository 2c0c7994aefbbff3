//! The live run of a quiz: a state machine driven by the teacher's commands
//! and the students' answers.
//!
//! ```text
//! lobby ─open_next─▶ question open ─close/tick─▶ question closed ─reveal─▶ answer revealed
//!                         ▲                           │                       │
//!                         │                           └──show_leaderboard──┐  show_leaderboard
//!                         │                                                ▼  ▼
//!                         └──────────────open_next───────────────────── leaderboard
//! ```
//!
//! `open_next` also works from the closed and revealed phases, so a teacher
//! may skip the reveal or the leaderboard. `end` works from every phase but
//! `ended`. Any other transition returns [`RunError::IllegalTransition`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answer_check::check_answer;
use crate::error::{RunError, SubmitError};
use crate::model::{Answer, Question, QuestionKind, Quiz};
use crate::scoring::{self, Correctness, StreakBonus};
use crate::shuffle;
use crate::standings::Podium;
use crate::validate::validate;

/// Settings of one run, fixed at launch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Seed of the shuffled display order of ordering items and matching
    /// answers. Pick a fresh random value per run.
    pub seed: u64,
    /// Streak bonus, or `None` to award none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streak_bonus: Option<StreakBonus>,
}

/// Phase of a run. Times are the caller's milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Students join, and no question has been asked yet.
    Lobby,
    /// Question `index` accepts answers until `deadline`, exclusive.
    QuestionOpen {
        /// Position of the question, counting from zero.
        index: usize,
        /// When it opened.
        opened_at: u64,
        /// First instant at which answers are late.
        deadline: u64,
    },
    /// Question `index` no longer accepts answers, and its key is hidden.
    QuestionClosed {
        /// Position of the question, counting from zero.
        index: usize,
        /// When it closed: the close time or the deadline, whichever came first.
        closed_at: u64,
    },
    /// The key and distribution of question `index` are shown.
    AnswerRevealed {
        /// Position of the question, counting from zero.
        index: usize,
    },
    /// Standings after question `index` are shown.
    Leaderboard {
        /// Position of the last question asked, counting from zero.
        index: usize,
    },
    /// The run is over, and results are final.
    Ended,
}

impl Phase {
    /// Returns the snake_case name used as the JSON `phase` tag.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Lobby => "lobby",
            Self::QuestionOpen { .. } => "question_open",
            Self::QuestionClosed { .. } => "question_closed",
            Self::AnswerRevealed { .. } => "answer_revealed",
            Self::Leaderboard { .. } => "leaderboard",
            Self::Ended => "ended",
        }
    }

    /// Returns the index of the question this phase concerns, if any.
    pub fn question_index(&self) -> Option<usize> {
        match *self {
            Self::QuestionOpen { index, .. }
            | Self::QuestionClosed { index, .. }
            | Self::AnswerRevealed { index }
            | Self::Leaderboard { index } => Some(index),
            Self::Lobby | Self::Ended => None,
        }
    }
}

/// Receipt for an answer the run accepted.
///
/// It says nothing about correctness, so it is safe to send to the student
/// before the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    /// Position of the question, counting from zero.
    pub index: usize,
    /// The question's id.
    pub question_id: String,
    /// The first accepted answer, as the student sent it.
    pub answer: Answer,
    /// When the first accepted answer arrived.
    pub received_at: u64,
    /// Milliseconds from opening to the first accepted answer.
    pub response_ms: u64,
    /// True when this submission repeats an earlier one, which stays in
    /// force unchanged.
    pub duplicate: bool,
}

/// When and how a question closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The close time, or the deadline when that came first.
    pub closed_at: u64,
    /// True when the deadline closed the question, false when the teacher
    /// closed it before the deadline.
    pub by_deadline: bool,
}

/// An accepted answer with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The answer as the student sent it, in display indices.
    pub answer: Answer,
    /// The answer in authored indices, as scored. Word-cloud words are
    /// normalised.
    pub authored: Answer,
    /// When it arrived.
    pub received_at: u64,
    /// Milliseconds from opening to arrival.
    pub response_ms: u64,
    /// Partial credit from 0 to 1.
    pub credit: f64,
    /// Classification of `credit`.
    pub correctness: Correctness,
    /// Points from the scoring formula, without the streak bonus.
    pub points: u32,
    /// Streak bonus earned with this answer.
    pub streak_bonus: u32,
}

impl AnswerRecord {
    /// Returns the points plus the streak bonus.
    pub fn total_points(&self) -> u64 {
        u64::from(self.points) + u64::from(self.streak_bonus)
    }
}

/// Run state of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct QuestionState {
    /// Authored index shown at each display position, for ordering items
    /// and matching answers. Empty for other kinds.
    pub(crate) display_order: Vec<usize>,
    pub(crate) opened_at: Option<u64>,
    pub(crate) deadline: Option<u64>,
    pub(crate) closed_at: Option<u64>,
    pub(crate) revealed: bool,
    pub(crate) answers: BTreeMap<String, AnswerRecord>,
    /// Each participant's streak after the question closed.
    pub(crate) streak_after: BTreeMap<String, u32>,
}

/// One live run of a quiz.
///
/// The run keeps its own copy of the quiz taken at launch, so later edits to
/// the quiz do not change a running game. It is serde-serialisable, so a
/// server can snapshot it and restore it after a restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub(crate) quiz: Quiz,
    pub(crate) config: RunConfig,
    pub(crate) phase: Phase,
    pub(crate) questions: Vec<QuestionState>,
    /// Joined participants and their current answer streak.
    pub(crate) participants: BTreeMap<String, u32>,
}

impl Run {
    /// Starts a run of `quiz` in the lobby.
    ///
    /// Returns [`RunError::InvalidQuiz`] when the quiz fails [`validate`].
    pub fn new(quiz: Quiz, config: RunConfig) -> Result<Self, RunError> {
        validate(&quiz).map_err(RunError::InvalidQuiz)?;

        let questions = quiz
            .questions
            .iter()
            .enumerate()
            .map(|(index, question)| QuestionState {
                display_order: display_order_of(&question.kind, config.seed, index),
                opened_at: None,
                deadline: None,
                closed_at: None,
                revealed: false,
                answers: BTreeMap::new(),
                streak_after: BTreeMap::new(),
            })
            .collect();

        Ok(Self {
            quiz,
            config,
            phase: Phase::Lobby,
            questions,
            participants: BTreeMap::new(),
        })
    }

    /// Returns the quiz copy this run plays.
    pub fn quiz(&self) -> &Quiz {
        &self.quiz
    }

    /// Returns the run's settings.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Returns the current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Returns the ids of joined participants, sorted.
    pub fn participants(&self) -> impl Iterator<Item = &str> {
        self.participants.keys().map(String::as_str)
    }

    /// Returns the number of joined participants.
    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    /// Returns when question `index` closed and whether its deadline closed
    /// it, or `None` while it has not closed.
    pub fn closure(&self, index: usize) -> Option<Closure> {
        let state = self.questions.get(index)?;
        let closed_at = state.closed_at?;
        let by_deadline = state.deadline.is_some_and(|deadline| closed_at >= deadline);
        Some(Closure {
            closed_at,
            by_deadline,
        })
    }

    /// Returns the answer `participant_id` gave to question `index`, with
    /// its score. Meant for the teacher: it reveals correctness.
    pub fn answer_record(&self, participant_id: &str, index: usize) -> Option<&AnswerRecord> {
        self.questions.get(index)?.answers.get(participant_id)
    }

    /// Registers a participant so they appear in standings before they
    /// answer. Returns false when they had already joined.
    ///
    /// Submitting an answer registers the participant too.
    pub fn join(&mut self, participant_id: &str) -> bool {
        if self.participants.contains_key(participant_id) {
            return false;
        }
        self.participants.insert(participant_id.to_owned(), 0);
        true
    }

    /// Opens the next question at `now` and returns its index.
    ///
    /// Allowed from the lobby, a closed or revealed question and the
    /// leaderboard.
    pub fn open_next(&mut self, now: u64) -> Result<usize, RunError> {
        let next = match self.phase {
            Phase::Lobby => 0,
            Phase::QuestionClosed { index, .. }
            | Phase::AnswerRevealed { index }
            | Phase::Leaderboard { index } => index.saturating_add(1),
            Phase::QuestionOpen { .. } | Phase::Ended => {
                return Err(self.illegal("open the next question"));
            }
        };
        let Some(question) = self.quiz.questions.get(next) else {
            return Err(RunError::NoMoreQuestions { count: next });
        };

        let limit_ms = u64::from(question.time_limit_secs) * 1000;
        let deadline = now.saturating_add(limit_ms);
        if let Some(state) = self.questions.get_mut(next) {
            state.opened_at = Some(now);
            state.deadline = Some(deadline);
        }
        self.phase = Phase::QuestionOpen {
            index: next,
            opened_at: now,
            deadline,
        };
        Ok(next)
    }

    /// Closes the open question at `now`, or at its deadline if that came
    /// first.
    pub fn close(&mut self, now: u64) -> Result<(), RunError> {
        let Phase::QuestionOpen {
            index, deadline, ..
        } = self.phase
        else {
            return Err(self.illegal("close the question"));
        };

        let closed_at = now.min(deadline);
        self.update_streaks(index);
        if let Some(state) = self.questions.get_mut(index) {
            state.closed_at = Some(closed_at);
        }
        self.phase = Phase::QuestionClosed { index, closed_at };
        Ok(())
    }

    /// Closes the open question if its deadline has passed at `now`.
    /// Returns true when it closed the question.
    pub fn tick(&mut self, now: u64) -> bool {
        match self.phase {
            Phase::QuestionOpen { deadline, .. } if now >= deadline => self.close(now).is_ok(),
            _ => false,
        }
    }

    /// Reveals the key and distribution of the closed question.
    pub fn reveal(&mut self) -> Result<(), RunError> {
        let Phase::QuestionClosed { index, .. } = self.phase else {
            return Err(self.illegal("reveal the answer"));
        };

        if let Some(state) = self.questions.get_mut(index) {
            state.revealed = true;
        }
        self.phase = Phase::AnswerRevealed { index };
        Ok(())
    }

    /// Shows the standings after a closed or revealed question.
    pub fn show_leaderboard(&mut self) -> Result<(), RunError> {
        match self.phase {
            Phase::QuestionClosed { index, .. } | Phase::AnswerRevealed { index } => {
                self.phase = Phase::Leaderboard { index };
                Ok(())
            }
            _ => Err(self.illegal("show the leaderboard")),
        }
    }

    /// Ends the run and returns the podium.
    ///
    /// An open question is closed at `now` first, so its answers count.
    /// Every asked question counts as revealed once the run has ended.
    pub fn end(&mut self, now: u64) -> Result<Podium, RunError> {
        match self.phase {
            Phase::Ended => return Err(self.illegal("end the run")),
            Phase::QuestionOpen { .. } => self.close(now)?,
            _ => {}
        }

        self.phase = Phase::Ended;
        Ok(self.podium())
    }

    /// Accepts `answer` from `participant_id` for the open question at `now`.
    ///
    /// Each participant answers each question once. A repeat, even after
    /// the question closed, returns the first accepted answer with
    /// `duplicate: true`. Answers at or after the deadline are late even
    /// when no [`Run::tick`] has closed the question yet.
    pub fn submit(
        &mut self,
        participant_id: &str,
        answer: Answer,
        now: u64,
    ) -> Result<Accepted, SubmitError> {
        let index = match self.phase {
            Phase::Lobby => return Err(SubmitError::NoQuestionOpen),
            Phase::Ended => return Err(SubmitError::RunEnded),
            Phase::QuestionOpen { index, .. }
            | Phase::QuestionClosed { index, .. }
            | Phase::AnswerRevealed { index }
            | Phase::Leaderboard { index } => index,
        };
        let (Some(question), Some(state)) =
            (self.quiz.questions.get(index), self.questions.get(index))
        else {
            return Err(SubmitError::NoQuestionOpen);
        };

        if let Some(first) = state.answers.get(participant_id) {
            return Ok(receipt(index, question, first, true));
        }

        let Phase::QuestionOpen {
            opened_at,
            deadline,
            ..
        } = self.phase
        else {
            return Err(SubmitError::QuestionClosed { index });
        };
        if now >= deadline {
            return Err(SubmitError::Late {
                index,
                deadline,
                received_at: now,
            });
        }

        let authored = check_answer(&question.kind, &answer, &state.display_order)?;
        let streak = self.participants.get(participant_id).copied().unwrap_or(0);
        let record = score_answer(
            question,
            answer,
            authored,
            now,
            opened_at,
            streak,
            self.config.streak_bonus,
        );
        let accepted = receipt(index, question, &record, false);

        self.participants
            .entry(participant_id.to_owned())
            .or_insert(0);
        if let Some(state) = self.questions.get_mut(index) {
            state.answers.insert(participant_id.to_owned(), record);
        }
        Ok(accepted)
    }

    /// Inserts a stored answer that a restored snapshot of the run lacks,
    /// such as one accepted after the last snapshot was taken. The
    /// participant joins the run if they had not.
    ///
    /// Returns false, changing nothing, when the run already holds an
    /// answer of `participant_id` to question `index`: the first answer
    /// stays in force, as with [`Run::submit`]. Streaks are not recomputed,
    /// so restore answers to a question before it closes, as the snapshot
    /// of a closed question already contains its answers.
    pub fn restore_answer(
        &mut self,
        participant_id: &str,
        index: usize,
        record: AnswerRecord,
    ) -> Result<bool, RunError> {
        let count = self.questions.len();
        let Some(state) = self.questions.get_mut(index) else {
            return Err(RunError::NoSuchQuestion { index, count });
        };
        if state.answers.contains_key(participant_id) {
            return Ok(false);
        }

        state.answers.insert(participant_id.to_owned(), record);
        self.participants
            .entry(participant_id.to_owned())
            .or_insert(0);
        Ok(true)
    }

    /// Removes the answer of `participant_id` to question `index` while
    /// that question is still open, and returns it.
    ///
    /// Meant for a caller that accepted an answer but failed to store it:
    /// the student may then send it again. Returns `None`, changing
    /// nothing, when there is no such answer or the question is no longer
    /// open, because closing it has already counted the answer in streaks.
    pub fn retract_answer(&mut self, participant_id: &str, index: usize) -> Option<AnswerRecord> {
        match self.phase {
            Phase::QuestionOpen { index: open, .. } if open == index => {}
            _ => return None,
        }
        self.questions
            .get_mut(index)?
            .answers
            .remove(participant_id)
    }

    /// Returns true when question `index` counts towards totals: it has
    /// been closed.
    pub(crate) fn is_closed(&self, index: usize) -> bool {
        self.questions
            .get(index)
            .is_some_and(|state| state.closed_at.is_some())
    }

    /// Returns true when the key of question `index` may be shown to
    /// students: it was revealed, or it was asked and the run has ended.
    pub(crate) fn is_revealed(&self, index: usize) -> bool {
        self.questions.get(index).is_some_and(|state| {
            state.revealed || (self.phase == Phase::Ended && state.opened_at.is_some())
        })
    }

    /// Advances every participant's streak past question `index`.
    fn update_streaks(&mut self, index: usize) {
        let (Some(question), Some(state)) = (
            self.quiz.questions.get(index),
            self.questions.get_mut(index),
        ) else {
            return;
        };
        let counts = question.kind.is_scored() && scoring::base_points(question.points) > 0;

        for (participant_id, streak) in &mut self.participants {
            if counts {
                let correct = state
                    .answers
                    .get(participant_id)
                    .is_some_and(|record| record.correctness == Correctness::Correct);
                *streak = if correct { streak.saturating_add(1) } else { 0 };
            }
            state.streak_after.insert(participant_id.clone(), *streak);
        }
    }

    fn illegal(&self, action: &'static str) -> RunError {
        RunError::IllegalTransition {
            action,
            phase: self.phase.name(),
        }
    }
}

fn display_order_of(kind: &QuestionKind, seed: u64, index: usize) -> Vec<usize> {
    let len = match kind {
        QuestionKind::Ordering { items } => items.len(),
        QuestionKind::Matching { pairs, distractors } => pairs.len() + distractors.len(),
        _ => return Vec::new(),
    };
    shuffle::display_order(len, shuffle::question_seed(seed, index))
}

fn score_answer(
    question: &Question,
    answer: Answer,
    authored: Answer,
    now: u64,
    opened_at: u64,
    streak_before: u32,
    streak_bonus: Option<StreakBonus>,
) -> AnswerRecord {
    let response_ms = now.saturating_sub(opened_at);
    let limit_ms = u64::from(question.time_limit_secs) * 1000;
    let base = scoring::base_points(question.points);

    let credit = scoring::credit(&question.kind, &authored);
    let correctness = Correctness::from_credit(&question.kind, credit);
    let points = if question.kind.is_scored() {
        scoring::points(base, credit, response_ms, limit_ms)
    } else {
        0
    };
    let bonus = match streak_bonus {
        Some(bonus) if correctness == Correctness::Correct && base > 0 => {
            bonus.bonus(streak_before.saturating_add(1))
        }
        _ => 0,
    };

    AnswerRecord {
        answer,
        authored,
        received_at: now,
        response_ms,
        credit,
        correctness,
        points,
        streak_bonus: bonus,
    }
}

fn receipt(index: usize, question: &Question, record: &AnswerRecord, duplicate: bool) -> Accepted {
    Accepted {
        index,
        question_id: question.id.clone(),
        answer: record.answer.clone(),
        received_at: record.received_at,
        response_ms: record.response_ms,
        duplicate,
    }
}
