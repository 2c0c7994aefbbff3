//! Results of a run for the teacher: per-question reports and per-student
//! totals, as serde types for JSON and as CSV text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::distribution::{Distribution, distribution};
use crate::error::ViewError;
use crate::model::{Answer, PointsMode};
use crate::run::{AnswerRecord, Run};
use crate::scoring::Correctness;
use crate::view::count_u32;

/// Summary of the class's answers to one question, for the teacher at any
/// time, including while the question is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionReport {
    /// Position in the quiz, counting from zero.
    pub index: usize,
    /// The question's id.
    pub id: String,
    /// The question kind's `type` tag.
    #[serde(rename = "type")]
    pub kind: String,
    /// The question's points mode.
    pub points: PointsMode,
    /// Whether the question has been opened.
    pub opened: bool,
    /// Number of answers.
    pub answered: u32,
    /// Answers with full credit.
    pub correct: u32,
    /// Answers with partial credit.
    pub partial: u32,
    /// Answers with no credit.
    pub incorrect: u32,
    /// Mean points per answer, streak bonus excluded, or 0 with no answers.
    pub average_points: f64,
    /// Mean response time in milliseconds, or 0 with no answers.
    pub average_response_ms: f64,
    /// Spread of the answers, in the authored order.
    pub distribution: Distribution,
}

/// One participant's answer to one question in [`RunResults`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerResult {
    /// Position of the question, counting from zero.
    pub index: usize,
    /// The answer as sent, in display indices.
    pub answer: Answer,
    /// Classification of the answer.
    pub correctness: Correctness,
    /// Points without the streak bonus.
    pub points: u32,
    /// Streak bonus.
    pub streak_bonus: u32,
    /// Milliseconds from opening to arrival.
    pub response_ms: u64,
}

/// One participant's totals and answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantResults {
    /// The participant's id.
    pub participant_id: String,
    /// The participant's display name, when the caller supplied one with
    /// [`RunResults::with_names`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Rank from 1, shared on equal scores.
    pub rank: u32,
    /// Points including streak bonuses, over closed questions.
    pub total: u64,
    /// Fully correct answers among closed questions.
    pub correct: u32,
    /// `answers[i]` is the answer to question `i`, `None` when there is none.
    pub answers: Vec<Option<AnswerResult>>,
}

/// Everything a teacher exports after a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// The quiz title.
    pub title: String,
    /// One report per question, in quiz order.
    pub questions: Vec<QuestionReport>,
    /// One entry per participant, best first.
    pub participants: Vec<ParticipantResults>,
}

impl Run {
    /// Returns how many participants have answered question `index`.
    ///
    /// Unlike [`Run::question_report`] this counts nothing, so the server
    /// reads it after every stored batch of answers.
    pub fn answered_count(&self, index: usize) -> Result<u32, ViewError> {
        let (_, state) = self.question_and_state(index)?;
        Ok(count_u32(state.answers.len()))
    }

    /// Returns the distribution of the answers to question `index`, the
    /// same as in [`Run::question_report`], in one pass over the answers.
    pub fn answer_distribution(&self, index: usize) -> Result<Distribution, ViewError> {
        let (question, state) = self.question_and_state(index)?;
        Ok(distribution(
            &question.kind,
            state.answers.values().map(|record| &record.authored),
        ))
    }

    /// Returns the report of question `index`.
    pub fn question_report(&self, index: usize) -> Result<QuestionReport, ViewError> {
        let (question, state) = self.question_and_state(index)?;
        let records: Vec<&AnswerRecord> = state.answers.values().collect();
        let count_of = |wanted: Correctness| {
            count_u32(
                records
                    .iter()
                    .filter(|record| record.correctness == wanted)
                    .count(),
            )
        };
        let mean = |sum: f64| {
            if records.is_empty() {
                0.0
            } else {
                sum / records.len() as f64
            }
        };

        Ok(QuestionReport {
            index,
            id: question.id.clone(),
            kind: question.kind.type_name().to_owned(),
            points: question.points,
            opened: state.opened_at.is_some(),
            answered: count_u32(records.len()),
            correct: count_of(Correctness::Correct),
            partial: count_of(Correctness::Partial),
            incorrect: count_of(Correctness::Incorrect),
            average_points: mean(records.iter().map(|r| f64::from(r.points)).sum()),
            average_response_ms: mean(records.iter().map(|r| r.response_ms as f64).sum()),
            distribution: distribution(&question.kind, records.iter().map(|r| &r.authored)),
        })
    }

    /// Returns the results of every question and participant.
    pub fn results(&self) -> RunResults {
        let questions = (0..self.questions.len())
            .filter_map(|index| self.question_report(index).ok())
            .collect();

        let participants = self
            .standings()
            .into_iter()
            .map(|standing| {
                let answers = self
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(index, state)| {
                        let record = state.answers.get(&standing.participant_id)?;
                        Some(AnswerResult {
                            index,
                            answer: record.answer.clone(),
                            correctness: record.correctness,
                            points: record.points,
                            streak_bonus: record.streak_bonus,
                            response_ms: record.response_ms,
                        })
                    })
                    .collect();
                ParticipantResults {
                    participant_id: standing.participant_id,
                    name: None,
                    rank: standing.rank,
                    total: standing.score,
                    correct: standing.correct,
                    answers,
                }
            })
            .collect();

        RunResults {
            title: self.quiz.title.clone(),
            questions,
            participants,
        }
    }
}

impl RunResults {
    /// Sets each participant's display name from `names`, a map from
    /// participant id to name. Participants missing from the map keep no
    /// name.
    pub fn with_names(mut self, names: &BTreeMap<String, String>) -> Self {
        for participant in &mut self.participants {
            participant.name = names.get(&participant.participant_id).cloned();
        }
        self
    }

    /// Formats the results as [`RunResults::to_csv`] does, with a `name`
    /// column after `participant_id`, empty where a participant has no
    /// name.
    pub fn to_csv_with_names(&self) -> String {
        self.csv(true)
    }

    /// Formats one row per participant as CSV (RFC 4180, CRLF line ends):
    /// `participant_id,rank,total,correct`, then the points of each
    /// question, headed by its id, with the streak bonus included and an
    /// empty cell where there is no answer.
    ///
    /// Text cells that a spreadsheet would run as a formula (starting with
    /// `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`.
    pub fn to_csv(&self) -> String {
        self.csv(false)
    }

    fn csv(&self, with_names: bool) -> String {
        let mut csv = String::new();

        let leading: &[&str] = if with_names {
            &["participant_id", "name", "rank", "total", "correct"]
        } else {
            &["participant_id", "rank", "total", "correct"]
        };
        let mut header: Vec<String> = leading.iter().map(|cell| (*cell).to_owned()).collect();
        header.extend(self.questions.iter().map(|question| question.id.clone()));
        push_row(&mut csv, header.iter().map(|cell| text_cell(cell)));

        for participant in &self.participants {
            let mut row = vec![text_cell(&participant.participant_id)];
            if with_names {
                row.push(text_cell(participant.name.as_deref().unwrap_or_default()));
            }
            row.extend([
                participant.rank.to_string(),
                participant.total.to_string(),
                participant.correct.to_string(),
            ]);
            row.extend(participant.answers.iter().map(|answer| match answer {
                Some(answer) => {
                    (u64::from(answer.points) + u64::from(answer.streak_bonus)).to_string()
                }
                None => String::new(),
            }));
            push_row(&mut csv, row.into_iter());
        }
        csv
    }
}

fn push_row(csv: &mut String, cells: impl Iterator<Item = String>) {
    csv.push_str(&cells.collect::<Vec<_>>().join(","));
    csv.push_str("\r\n");
}

/// Quotes `value` for CSV and defuses spreadsheet formulas.
fn text_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };

    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cell_quotes_and_guards() {
        let cases = [
            ("alice", "alice"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=SUM(A1)", "'=SUM(A1)"),
            ("-1", "'-1"),
            ("line\nbreak", "\"line\nbreak\""),
        ];

        for (input, expected) in cases {
            assert_eq!(text_cell(input), expected, "{input:?}");
        }
    }
}
