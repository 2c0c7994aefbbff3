//! Quizzes shared by the scenario tests.

#![allow(dead_code)]

use lectern_quiz::{Quiz, Run, RunConfig, StreakBonus};

/// Parses a quiz from JSON, panicking with the parse error.
pub fn quiz_from_json(json: &str) -> Quiz {
    serde_json::from_str(json).expect("test quiz JSON parses")
}

/// Builds a quiz with one question of every kind, each with a 20 s limit.
pub fn every_kind_quiz() -> Quiz {
    quiz_from_json(
        r#"{
        "title": "Every kind",
        "questions": [
            { "id": "single", "text": "Largest planet?", "type": "single_choice",
              "choices": [
                { "text": "Jupiter", "weight": 100, "feedback": "Yes, Jupiter." },
                { "text": "Mars", "weight": 0, "feedback": "Mars is small." }
              ],
              "feedback": { "general": "Jupiter is a gas giant.", "correct": "Well done." } },
            { "id": "multiple", "text": "Gas giants?", "type": "multiple_choice",
              "choices": [
                { "text": "Jupiter", "weight": 50 },
                { "text": "Saturn", "weight": 50 },
                { "text": "Mars", "weight": -100 }
              ],
              "penalties": true },
            { "id": "truth", "text": "Pluto is a planet.", "type": "true_false", "answer": false },
            { "id": "number", "text": "Moons of Mars?", "type": "numeric",
              "answers": [ { "match": "exact", "value": 2, "weight": 100 } ] },
            { "id": "text", "text": "Capital of France?", "type": "short_text",
              "accepted": [ { "text": "Paris", "weight": 100 } ] },
            { "id": "order", "text": "Order from the Sun.", "type": "ordering",
              "items": ["Mercury", "Venus", "Earth", "Mars"] },
            { "id": "match", "text": "Match planet and moon.", "type": "matching",
              "pairs": [
                { "prompt": "Earth", "answer": "Moon" },
                { "prompt": "Mars", "answer": "Phobos" }
              ],
              "distractors": ["Titan"] },
            { "id": "poll", "text": "Favourite planet?", "type": "poll",
              "options": ["Earth", "Saturn"] },
            { "id": "cloud", "text": "Words for space?", "type": "word_cloud", "max_words": 3 }
        ]
    }"#,
    )
}

/// Builds a quiz of `count` true/false questions whose answer is true, 20 s each.
pub fn true_false_quiz(count: usize) -> Quiz {
    let questions: Vec<String> = (0..count)
        .map(|index| {
            format!(
                r#"{{ "id": "q{index}", "text": "Statement {index}", "type": "true_false", "answer": true }}"#
            )
        })
        .collect();
    quiz_from_json(&format!(
        r#"{{ "title": "True or false", "questions": [{}] }}"#,
        questions.join(",")
    ))
}

/// Starts a run without streak bonus and seed 7.
pub fn start(quiz: Quiz) -> Run {
    Run::new(
        quiz,
        RunConfig {
            seed: 7,
            streak_bonus: None,
        },
    )
    .expect("test quiz is valid")
}

/// Starts a run with the default streak bonus.
pub fn start_with_streaks(quiz: Quiz) -> Run {
    let config = RunConfig {
        seed: 7,
        streak_bonus: Some(StreakBonus::default()),
    };
    Run::new(quiz, config).expect("test quiz is valid")
}
