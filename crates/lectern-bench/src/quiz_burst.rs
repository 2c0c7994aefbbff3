//! The `quiz-burst` scenario: a class of students answers one question
//! within a short spread, against Lectern only.
//!
//! Setup, unmeasured: the lecturer logs in and creates a quiz of one
//! single-choice question and a room over REST, the students join over REST,
//! and everyone opens a control WebSocket. The server's memory is sampled
//! before and after the students connect, for the memory per connection.
//! The lecturer launches the quiz and opens its question. Once every
//! student has the question, the burst starts: student `i` of `n` sends its
//! answer at `i / n` of the spread and times the reply, which Lectern sends
//! only after the answer is stored. The server's CPU time is sampled at the
//! start of the burst and after the last reply. Then the lecturer ends the
//! run, and the stored answers are counted through the results endpoint
//! and in the server's SQLite file.

mod lecturer;
mod messages;
mod rest;
mod run_queue;
mod storage;
mod student;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::latency::LatencySummary;
use crate::procfs::{self, ProcessSample};
use crate::targets::Deployment;
use lecturer::LecturerChannel;
use rest::{CHOICES, LecturerSession};
use student::{AnswerOutcome, Shared, Stage, StageEvent, StudentOutcome, StudentPlan};

/// How many students open their control WebSocket at once.
const CONNECT_CONCURRENCY: usize = 64;

/// The question's time limit, Lectern's default. Its deadline counts from
/// `quiz.next`, after every student has connected, so only the question's
/// delivery and the spread must fit in it.
const TIME_LIMIT_SECS: u32 = 20;

/// How long the scenario waits for every student to connect.
const CONNECT_STAGE_TIMEOUT: Duration = Duration::from_secs(300);

/// How long the scenario waits for every student to see the question.
const QUESTION_STAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Time between the burst's announcement and its start, so that the first
/// students are not late because they woke up late.
const BURST_LEAD: Duration = Duration::from_millis(50);

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct QuizBurstOptions {
    pub students: usize,
    /// The time over which the students' answers are spread evenly.
    pub spread: Duration,
}

/// The measurements of one run. Fields are `None` when they could not be
/// measured, such as server figures without a process id.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub students: usize,
    pub spread_seconds: f64,
    /// Students whose control WebSocket opened.
    pub students_connected: usize,
    /// Students that received the open question.
    pub question_received: usize,
    /// From the lecturer's `quiz.next` to each student's open question.
    pub question_p50_ms: Option<f64>,
    pub question_p99_ms: Option<f64>,
    pub question_max_ms: Option<f64>,
    pub answers_sent: u64,
    /// Answers acknowledged with `quiz.accepted`, duplicates included.
    pub answers_accepted: u64,
    /// Acknowledgements marked `duplicate`, which a correct run has none of.
    pub answers_duplicate: u64,
    /// Answers the server rejected with an `error`.
    pub answers_rejected: u64,
    /// Rejections by error code.
    pub rejections: BTreeMap<String, u64>,
    /// Answers sent without a reply within the acknowledgement timeout.
    pub answers_unacknowledged: u64,
    /// From sending an answer to its `quiz.accepted`, accepted answers only.
    pub ack_p50_ms: Option<f64>,
    pub ack_p99_ms: Option<f64>,
    pub ack_max_ms: Option<f64>,
    /// How late the generator sent answers against their planned times
    /// (99th percentile); a high value means the generator fell behind.
    pub send_lag_p99_ms: Option<f64>,
    /// From the burst's start to the last reply.
    pub burst_seconds: f64,
    pub disconnects: u64,
    pub errors: u64,
    /// Server user plus system CPU time from the burst's start to the last
    /// reply.
    pub server_cpu_seconds: Option<f64>,
    /// `server_cpu_seconds` over `burst_seconds`, in percent of one core.
    pub server_cpu_percent: Option<f64>,
    /// Time the server's threads were runnable but waiting for a CPU over
    /// the burst, summed over threads. A large value means other processes
    /// held the server's CPU, so the latencies are not the server's own.
    pub server_run_queue_wait_seconds: Option<f64>,
    /// The load generator's own CPU time over the same span as
    /// `server_cpu_seconds`, divided by `burst_seconds`, in percent of one
    /// core. Near 100 % the generator, not the server, limits the latencies.
    pub generator_cpu_percent: Option<f64>,
    /// The server's peak resident set size (VmHWM) at the end of the burst,
    /// joins and connects included, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// Growth of the server's resident set from no student connection to
    /// all connected and idle, divided by the students, in KiB.
    pub rss_per_connection_kib: Option<f64>,
    /// From the lecturer's `quiz.end` to its `ended` state, which the
    /// server sends after the final state has gone to every student.
    pub end_seconds: Option<f64>,
    /// The server's peak resident set size once the run ended, in MiB.
    pub end_peak_rss_mib: Option<f64>,
    /// Time the results endpoint took to answer.
    pub results_seconds: Option<f64>,
    /// The server's peak resident set size after the bench read the
    /// results, in MiB.
    pub results_peak_rss_mib: Option<f64>,
    /// `quiz.progress` messages the lecturer received during the burst.
    pub lecturer_progress_messages: u64,
    /// Answers to the question in the results endpoint after the run ended.
    pub stored_results_endpoint: Option<u64>,
    /// Rows of the run's question in the server's SQLite file.
    pub stored_database: Option<u64>,
    /// Whether every student's answer was acknowledged and both counts
    /// match the number of students.
    pub all_stored: bool,
    /// The open-file limit of the generator, inherited by the server.
    pub open_file_limit: Option<u64>,
    /// CPU placement of the server and the generator, or the reason they
    /// were not pinned.
    pub pinning: String,
}

/// Runs the scenario on `deployment`, a Lectern server.
pub async fn run(
    deployment: &Deployment,
    options: &QuizBurstOptions,
    pinning: &str,
    open_file_limit: Option<u64>,
) -> anyhow::Result<SystemResult> {
    let ticks_per_second = procfs::ticks_per_second();
    let sample_server = || {
        deployment
            .server_pid
            .and_then(|pid| match procfs::sample(pid, ticks_per_second) {
                Ok(sample) => Some(sample),
                Err(error) => {
                    warn!(%error, "cannot sample the server process");
                    None
                }
            })
    };

    // Setup over REST.
    let session = LecturerSession::login(deployment.base_url(), deployment.lecturer()).await?;
    let quiz_id = session.create_quiz(TIME_LIMIT_SECS).await?;
    let code = session.create_room().await?;
    let joined_at = Instant::now();
    let seats = session.join_students(&code, options.students).await?;
    info!(
        students = seats.len(),
        seconds = joined_at.elapsed().as_secs_f64(),
        "students joined"
    );

    // Control connections, students first so that all join the run.
    let control_base = format!(
        "{}/ws/control/{code}",
        deployment.base_url().replacen("http", "ws", 1)
    );
    let (events_tx, events_rx) = mpsc::channel(Stage::ALL.len() * seats.len().max(1));
    let mut stages = StageTally::new(events_rx);
    let (burst_tx, burst_rx) = watch::channel(None);
    let shared = Shared {
        events: events_tx,
        connect_slots: Arc::new(Semaphore::new(CONNECT_CONCURRENCY)),
        burst_start: burst_rx,
        question_sent_at: Arc::new(OnceLock::new()),
        stop: CancellationToken::new(),
    };

    let before_students = sample_server();
    let connect_started = Instant::now();
    let mut students = JoinSet::new();
    for (index, seat) in seats.iter().enumerate() {
        let plan = StudentPlan {
            url: format!("{control_base}?token={}", seat.token),
            reference: format!("s{index}"),
            offset: options.spread.mul_f64(index as f64 / seats.len() as f64),
            choice: index % CHOICES.len(),
        };
        students.spawn(student::run(plan, shared.clone()));
    }
    let connected = stages
        .wait(Stage::Connected, seats.len(), CONNECT_STAGE_TIMEOUT)
        .await;
    info!(
        connected,
        seconds = connect_started.elapsed().as_secs_f64(),
        "student control connections open"
    );
    let idle = sample_server();
    let rss_per_connection_kib = match (before_students, idle) {
        (Some(before), Some(after)) if connected > 0 => {
            Some((after.rss_kib as f64 - before.rss_kib as f64) / connected as f64)
        }
        _ => None,
    };

    let lecturer_url = format!("{control_base}?token={}", session.token());
    let mut lecturer = LecturerChannel::connect(&lecturer_url).await?;
    let run_id = lecturer.launch(&quiz_id).await?;
    let question_index = lecturer.open_question(&shared.question_sent_at).await?;
    let stop_lecturer = CancellationToken::new();
    let lecturer_drain = lecturer.drain(stop_lecturer.clone());

    let question_received = stages
        .wait(Stage::QuestionSeen, seats.len(), QUESTION_STAGE_TIMEOUT)
        .await;
    info!(question_received, "students have the question");

    // The burst.
    let burst_start = sample_server();
    let generator_at_start = procfs::own_cpu_seconds(ticks_per_second);
    let wait_at_start = deployment.server_pid.and_then(run_queue::wait_seconds);
    let started = tokio::time::Instant::now() + BURST_LEAD;
    burst_tx.send_replace(Some(started));
    let settle_timeout = BURST_LEAD + options.spread + student::ACK_TIMEOUT * 2;
    stages
        .wait(Stage::Settled, seats.len(), settle_timeout)
        .await;
    let burst_seconds = started.elapsed().as_secs_f64();
    let burst_end = sample_server();
    let generator_at_end = procfs::own_cpu_seconds(ticks_per_second);
    let wait_at_end = deployment.server_pid.and_then(run_queue::wait_seconds);
    info!(burst_seconds, "every answer settled");

    stop_lecturer.cancel();
    let (mut lecturer, progress) = lecturer_drain
        .await
        .context("the lecturer's task panicked")?;
    let end_started = Instant::now();
    let end_seconds = match lecturer.end().await {
        Ok(()) => {
            let seconds = end_started.elapsed().as_secs_f64();
            info!(seconds, "run ended");
            Some(seconds)
        }
        Err(error) => {
            warn!(%error, "ending the run failed; counting the stored answers anyway");
            None
        }
    };

    let after_end = sample_server();

    let results_started = Instant::now();
    let stored_results_endpoint = match session.stored_results(&run_id).await {
        Ok(results) => {
            info!(
                answered = results.answered,
                participants = results.participants,
                seconds = results_started.elapsed().as_secs_f64(),
                "results endpoint"
            );
            Some(results.answered)
        }
        Err(error) => {
            warn!(%error, "cannot read the results endpoint");
            None
        }
    };
    let results_seconds = stored_results_endpoint
        .is_some()
        .then(|| results_started.elapsed().as_secs_f64());
    let stored_database = match deployment.data_dir() {
        Some(dir) => {
            let database = dir.join(storage::DATABASE_FILE);
            match storage::count_answers(&database, &run_id, question_index).await {
                Ok(count) => Some(count),
                Err(error) => {
                    warn!(%error, "cannot count the answers in the database");
                    None
                }
            }
        }
        None => None,
    };
    let final_sample = sample_server();

    shared.stop.cancel();
    let mut outcomes = Vec::with_capacity(seats.len());
    while let Some(joined) = students.join_next().await {
        outcomes.push(joined.context("a student task panicked")?);
    }
    drop(stages);

    let mut result = tally(&outcomes);
    let expected = seats.len() as u64;
    let all_stored = result.accepted == expected
        && stored_results_endpoint == Some(expected)
        && stored_database.is_none_or(|count| count == expected);
    let server_cpu_seconds = cpu_between(burst_start, burst_end);
    Ok(SystemResult {
        system: deployment.target.name().to_owned(),
        version: deployment.version.clone(),
        students: seats.len(),
        spread_seconds: options.spread.as_secs_f64(),
        students_connected: connected,
        question_received,
        question_p50_ms: result.question.map(|summary| summary.p50_ms),
        question_p99_ms: result.question.map(|summary| summary.p99_ms),
        question_max_ms: result.question.map(|summary| summary.max_ms),
        answers_sent: result.sent,
        answers_accepted: result.accepted,
        answers_duplicate: result.duplicate,
        answers_rejected: result.rejections.values().sum(),
        rejections: std::mem::take(&mut result.rejections),
        answers_unacknowledged: result.unacknowledged,
        ack_p50_ms: result.ack.map(|summary| summary.p50_ms),
        ack_p99_ms: result.ack.map(|summary| summary.p99_ms),
        ack_max_ms: result.ack.map(|summary| summary.max_ms),
        send_lag_p99_ms: result.send_lag.map(|summary| summary.p99_ms),
        burst_seconds,
        disconnects: result.disconnects + u64::from(progress.disconnected),
        errors: result.errors,
        server_cpu_seconds,
        server_cpu_percent: server_cpu_seconds.map(|seconds| seconds / burst_seconds * 100.0),
        peak_rss_mib: burst_end.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
        server_run_queue_wait_seconds: wait_at_end
            .zip(wait_at_start)
            .map(|(end, start)| end - start),
        generator_cpu_percent: generator_at_start
            .zip(generator_at_end)
            .map(|(start, end)| (end - start) / burst_seconds * 100.0),
        rss_per_connection_kib,
        end_seconds,
        end_peak_rss_mib: after_end.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
        results_seconds,
        results_peak_rss_mib: final_sample.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
        lecturer_progress_messages: progress.messages,
        stored_results_endpoint,
        stored_database,
        all_stored,
        open_file_limit,
        pinning: pinning.to_owned(),
    })
}

fn cpu_between(start: Option<ProcessSample>, end: Option<ProcessSample>) -> Option<f64> {
    Some(end?.cpu_seconds - start?.cpu_seconds)
}

/// Counts the students' stage events as they arrive, in any order.
struct StageTally {
    events: mpsc::Receiver<StageEvent>,
    reported: [usize; Stage::ALL.len()],
    reached: [usize; Stage::ALL.len()],
}

impl StageTally {
    fn new(events: mpsc::Receiver<StageEvent>) -> Self {
        Self {
            events,
            reported: [0; Stage::ALL.len()],
            reached: [0; Stage::ALL.len()],
        }
    }

    /// Waits until `students` students have reported `stage`, or for
    /// `timeout`, and returns how many reached it.
    async fn wait(&mut self, stage: Stage, students: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        let index = stage as usize;
        while self.reported[index] < students {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => {
                    let event_index = event.stage as usize;
                    self.reported[event_index] += 1;
                    self.reached[event_index] += usize::from(event.reached);
                }
                Ok(None) => break,
                Err(_) => {
                    warn!(
                        ?stage,
                        reported = self.reported[index],
                        students,
                        "timed out waiting for the students"
                    );
                    break;
                }
            }
        }
        self.reached[index]
    }
}

/// The students' outcomes added up.
#[derive(Debug, Default)]
struct Tally {
    sent: u64,
    accepted: u64,
    duplicate: u64,
    rejections: BTreeMap<String, u64>,
    unacknowledged: u64,
    disconnects: u64,
    errors: u64,
    ack: Option<LatencySummary>,
    question: Option<LatencySummary>,
    send_lag: Option<LatencySummary>,
}

fn tally(outcomes: &[StudentOutcome]) -> Tally {
    let mut tally = Tally::default();
    let mut ack_us = Vec::new();
    let mut question_us = Vec::new();
    let mut send_lag_us = Vec::new();
    for outcome in outcomes {
        tally.disconnects += u64::from(outcome.disconnected);
        tally.errors += outcome.errors;
        question_us.extend(outcome.question_delay_us);
        send_lag_us.extend(outcome.send_lag_us);
        match &outcome.answer {
            AnswerOutcome::NotSent => continue,
            AnswerOutcome::Accepted {
                latency_us,
                duplicate,
            } => {
                tally.accepted += 1;
                tally.duplicate += u64::from(*duplicate);
                ack_us.push(*latency_us);
            }
            AnswerOutcome::Rejected { code } => {
                *tally.rejections.entry(code.clone()).or_default() += 1;
            }
            AnswerOutcome::NoReply => tally.unacknowledged += 1,
        }
        tally.sent += 1;
    }
    tally.ack = LatencySummary::from_us(&mut ack_us);
    tally.question = LatencySummary::from_us(&mut question_us);
    tally.send_lag = LatencySummary::from_us(&mut send_lag_us);
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(answer: AnswerOutcome) -> StudentOutcome {
        StudentOutcome {
            connected: true,
            question_delay_us: Some(2_000),
            send_lag_us: Some(100),
            answer,
            ..StudentOutcome::default()
        }
    }

    #[test]
    fn tally_counts_each_outcome() {
        let outcomes = [
            outcome(AnswerOutcome::Accepted {
                latency_us: 3_000,
                duplicate: false,
            }),
            outcome(AnswerOutcome::Accepted {
                latency_us: 5_000,
                duplicate: true,
            }),
            outcome(AnswerOutcome::Rejected {
                code: "late".to_owned(),
            }),
            outcome(AnswerOutcome::NoReply),
            StudentOutcome {
                disconnected: true,
                errors: 1,
                ..StudentOutcome::default()
            },
        ];
        let tally = tally(&outcomes);
        assert_eq!(tally.sent, 4);
        assert_eq!(tally.accepted, 2);
        assert_eq!(tally.duplicate, 1);
        assert_eq!(tally.rejections.get("late"), Some(&1));
        assert_eq!(tally.unacknowledged, 1);
        assert_eq!(tally.disconnects, 1);
        assert_eq!(tally.errors, 1);
        assert_eq!(tally.ack.map(|summary| summary.max_ms), Some(5.0));
        assert_eq!(tally.question.map(|summary| summary.p50_ms), Some(2.0));
    }

    #[test]
    fn tally_of_nobody_has_no_latency() {
        let tally = tally(&[]);
        assert_eq!(tally.sent, 0);
        assert!(tally.ack.is_none());
    }

    #[tokio::test]
    async fn stage_tally_counts_out_of_order() {
        let (events_tx, events_rx) = mpsc::channel(8);
        let mut stages = StageTally::new(events_rx);
        for (stage, reached) in [
            (Stage::Connected, true),
            (Stage::QuestionSeen, false),
            (Stage::Connected, false),
            (Stage::Settled, false),
        ] {
            events_tx
                .send(StageEvent { stage, reached })
                .await
                .expect("receiver open");
        }
        let timeout = Duration::from_secs(1);
        assert_eq!(stages.wait(Stage::Connected, 2, timeout).await, 1);
        assert_eq!(stages.wait(Stage::QuestionSeen, 1, timeout).await, 0);
        assert_eq!(stages.wait(Stage::Settled, 1, timeout).await, 0);
    }
}
