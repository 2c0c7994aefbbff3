//! Standings: totals, ranks, the leaderboard and the podium.

use serde::{Deserialize, Serialize};

use crate::run::Run;
use crate::scoring::Correctness;

/// Number of places on the podium.
pub const PODIUM_PLACES: u32 = 3;

/// Maximum number of standings the podium lists.
///
/// Tied participants share a rank, so without a cap a class in which
/// everyone ties would put every participant on the podium, and the server
/// sends the podium to every participant. The podium counts the rest in
/// [`Podium::unlisted`].
pub const PODIUM_MAX_ENTRIES: usize = 10;

/// One participant's place in the standings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Rank from 1. Equal scores share a rank and the next rank is skipped
    /// (1, 2, 2, 4).
    pub rank: u32,
    /// The participant's id.
    pub participant_id: String,
    /// Points including streak bonuses, over closed questions.
    pub score: u64,
    /// Fully correct answers among closed questions.
    pub correct: u32,
    /// Current streak of correct answers.
    pub streak: u32,
}

/// The top places at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Podium {
    /// Standings with rank 1 to 3, best first and in the order of
    /// [`Run::standings`], at most [`PODIUM_MAX_ENTRIES`] of them. Ties can
    /// make it longer than three entries, and a run with fewer participants
    /// makes it shorter.
    pub places: Vec<Standing>,
    /// Number of participants ranked 1 to 3 who are not in `places`
    /// because the list reached [`PODIUM_MAX_ENTRIES`].
    #[serde(default)]
    pub unlisted: u32,
}

impl Podium {
    /// Builds the podium from `standings` sorted best first with ranks
    /// assigned, as [`Run::standings`] returns them.
    pub fn from_standings(standings: &[Standing]) -> Podium {
        let ranked = standings
            .iter()
            .take_while(|standing| standing.rank <= PODIUM_PLACES)
            .count();
        let places = standings[..ranked.min(PODIUM_MAX_ENTRIES)].to_vec();
        let unlisted = u32::try_from(ranked - places.len()).unwrap_or(u32::MAX);
        Podium { places, unlisted }
    }
}

impl Run {
    /// Returns the full standings, best first.
    ///
    /// Only closed questions count, so standings taken while a question is
    /// open do not hint at whether the answers just sent were right. Ties
    /// are listed by participant id.
    pub fn standings(&self) -> Vec<Standing> {
        let mut standings: Vec<Standing> = self
            .participants
            .iter()
            .map(|(participant_id, streak)| {
                let (score, correct) = self.totals_of(participant_id, self.questions.len());
                Standing {
                    rank: 0,
                    participant_id: participant_id.clone(),
                    score,
                    correct,
                    streak: *streak,
                }
            })
            .collect();

        standings.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.participant_id.cmp(&b.participant_id))
        });
        assign_ranks(&mut standings);
        standings
    }

    /// Returns the first `n` standings, best first.
    pub fn leaderboard(&self, n: usize) -> Vec<Standing> {
        let mut standings = self.standings();
        standings.truncate(n);
        standings
    }

    /// Returns the podium: the first [`PODIUM_MAX_ENTRIES`] standings
    /// ranked 1 to 3 and the number of the others ranked 1 to 3.
    pub fn podium(&self) -> Podium {
        Podium::from_standings(&self.standings())
    }

    /// Returns the score and correct-answer count of `participant_id` over
    /// the closed questions before index `until`.
    pub(crate) fn totals_of(&self, participant_id: &str, until: usize) -> (u64, u32) {
        let mut score = 0;
        let mut correct = 0;

        for (index, state) in self.questions.iter().enumerate().take(until) {
            if !self.is_closed(index) {
                continue;
            }
            if let Some(record) = state.answers.get(participant_id) {
                score += record.total_points();
                if record.correctness == Correctness::Correct {
                    correct += 1;
                }
            }
        }
        (score, correct)
    }
}

/// Sets competition ranks on `standings`, which must be sorted best first.
fn assign_ranks(standings: &mut [Standing]) {
    let mut previous: Option<(u64, u32)> = None;

    for (position, standing) in standings.iter_mut().enumerate() {
        let rank = match previous {
            Some((score, rank)) if score == standing.score => rank,
            _ => u32::try_from(position + 1).unwrap_or(u32::MAX),
        };
        standing.rank = rank;
        previous = Some((standing.score, rank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(id: &str, score: u64) -> Standing {
        Standing {
            rank: 0,
            participant_id: id.to_owned(),
            score,
            correct: 0,
            streak: 0,
        }
    }

    #[test]
    fn ranks_share_ties() {
        let mut standings = vec![
            standing("a", 900),
            standing("b", 800),
            standing("c", 800),
            standing("d", 100),
        ];

        assign_ranks(&mut standings);
        let ranks: Vec<u32> = standings.iter().map(|standing| standing.rank).collect();

        assert_eq!(ranks, vec![1, 2, 2, 4]);
    }
}
