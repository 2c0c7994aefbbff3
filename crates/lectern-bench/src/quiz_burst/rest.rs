//! The REST calls of the quiz burst: the lecturer's login, the quiz and the
//! room, the students' joins, and the run's stored results.

use std::sync::Arc;

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::targets::Lecturer;

/// How many student joins are in flight at once.
const JOIN_CONCURRENCY: usize = 16;

/// Choices of the benchmark question; students spread their picks over them.
pub const CHOICES: [&str; 4] = ["Jupiter", "Saturn", "Neptune", "Mars"];

/// A lecturer's session on one Lectern server.
#[derive(Debug, Clone)]
pub struct LecturerSession {
    http: reqwest::Client,
    /// `http://HOST:PORT`, without a trailing slash.
    base: String,
    token: String,
}

/// A student's seat in the room.
#[derive(Debug, Clone)]
pub struct Seat {
    /// The seat token, which the control WebSocket takes.
    pub token: String,
}

/// The stored answers of a run as the results endpoint reports them.
#[derive(Debug, Clone, Copy)]
pub struct StoredResults {
    /// `answered` of the run's first question.
    pub answered: u64,
    /// Students listed in the results.
    pub participants: u64,
}

impl LecturerSession {
    /// Logs `lecturer` in to the server at `base` (`http://HOST:PORT`).
    pub async fn login(base: &str, lecturer: &Lecturer) -> anyhow::Result<Self> {
        let mut session = Self {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
            token: String::new(),
        };
        let body = json!({ "email": lecturer.email, "password": lecturer.password });
        let login = session
            .request(Method::POST, "/api/v1/auth/login", Some(body), 200)
            .await
            .context("the lecturer's login failed")?;
        session.token = string_field(&login, "token")?;
        Ok(session)
    }

    /// The lecturer's session token, which the control WebSocket takes too.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Creates a quiz of one single-choice question that stays open for
    /// `time_limit_secs`, and returns its id.
    pub async fn create_quiz(&self, time_limit_secs: u32) -> anyhow::Result<String> {
        let choices: Vec<Value> = CHOICES
            .iter()
            .enumerate()
            .map(
                |(index, text)| json!({ "text": text, "weight": if index == 0 { 100 } else { 0 } }),
            )
            .collect();
        let quiz = json!({
            "title": "Quiz burst",
            "questions": [{
                "id": "q1",
                "text": "Which planet is the largest?",
                "type": "single_choice",
                "choices": choices,
                "time_limit_secs": time_limit_secs,
            }],
        });
        let created = self
            .request(Method::POST, "/api/v1/quizzes", Some(quiz), 201)
            .await
            .context("creating the quiz failed")?;
        string_field(&created, "id")
    }

    /// Creates a room and returns its code.
    pub async fn create_room(&self) -> anyhow::Result<String> {
        let room = self
            .request(
                Method::POST,
                "/api/v1/rooms",
                Some(json!({ "title": "Quiz burst" })),
                201,
            )
            .await
            .context("creating the room failed")?;
        string_field(&room, "code")
    }

    /// Joins `students` students to room `code`, a few at a time, and
    /// returns their seats in join order.
    pub async fn join_students(&self, code: &str, students: usize) -> anyhow::Result<Vec<Seat>> {
        // A join is anonymous, as a student's browser sends it.
        let anonymous = Self {
            token: String::new(),
            ..self.clone()
        };
        let slots = Arc::new(Semaphore::new(JOIN_CONCURRENCY));
        let mut joins = JoinSet::new();
        for index in 0..students {
            let permit = Arc::clone(&slots).acquire_owned().await?;
            let session = anonymous.clone();
            let path = format!("/api/v1/rooms/{code}/join");
            joins.spawn(async move {
                let body = json!({ "name": format!("Student {index}") });
                let joined = session
                    .request(Method::POST, &path, Some(body), 201)
                    .await
                    .with_context(|| format!("joining student {index} failed"));
                drop(permit);
                (index, joined)
            });
        }

        let mut seats = vec![None; students];
        while let Some(joined) = joins.join_next().await {
            let (index, joined) = joined.context("a join task panicked")?;
            let joined = joined?;
            seats[index] = Some(Seat {
                token: string_field(&joined, "token")?,
            });
        }
        Ok(seats.into_iter().flatten().collect())
    }

    /// Reads the results of run `run_id`.
    pub async fn stored_results(&self, run_id: &str) -> anyhow::Result<StoredResults> {
        let results = self
            .request(
                Method::GET,
                &format!("/api/v1/quiz-runs/{run_id}/results"),
                None,
                200,
            )
            .await
            .context("reading the run's results failed")?;
        let answered = results["questions"][0]["answered"]
            .as_u64()
            .with_context(|| format!("the results have no questions[0].answered: {results}"))?;
        let participants = results["participants"]
            .as_array()
            .with_context(|| format!("the results have no participants array: {results}"))?
            .len() as u64;
        Ok(StoredResults {
            answered,
            participants,
        })
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expected_status: u16,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method.clone(), &url);
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {url} failed"))?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        if status != expected_status {
            bail!("{method} {url} returned {status}, expected {expected_status}: {text}");
        }
        serde_json::from_str(&text)
            .with_context(|| format!("{method} {url} returned invalid JSON: {text}"))
    }
}

fn string_field(value: &Value, name: &str) -> anyhow::Result<String> {
    value[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the response has no string field {name:?}: {value}"))
}
