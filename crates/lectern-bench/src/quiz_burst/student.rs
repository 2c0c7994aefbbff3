//! One student's control WebSocket through the burst: connect, wait for the
//! open question, answer at its slot of the spread, and time the reply.
//!
//! Each student reports its progress through the [`Stage`]s on a channel,
//! so the scenario can wait for all students at each step. A student that
//! fails reports every stage it did not reach as failed, so the counts of
//! each stage always reach the number of students.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::messages::{self, ServerEvent};
use crate::clients::CONNECT_TIMEOUT;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a student waits for the reply to its answer.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// The steps every student goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Connected and welcomed.
    Connected = 0,
    /// Received the open question.
    QuestionSeen = 1,
    /// Received the reply to its answer, or gave up waiting.
    Settled = 2,
}

impl Stage {
    pub const ALL: [Self; 3] = [Self::Connected, Self::QuestionSeen, Self::Settled];
}

/// One student's report that it reached, or failed, a stage.
#[derive(Debug, Clone, Copy)]
pub struct StageEvent {
    pub stage: Stage,
    pub reached: bool,
}

/// State the scenario shares with every student.
#[derive(Debug, Clone)]
pub struct Shared {
    pub events: mpsc::Sender<StageEvent>,
    /// Limits how many students connect at once.
    pub connect_slots: Arc<Semaphore>,
    /// Set by the scenario once every student has the question: the
    /// instant the spread of answers begins.
    pub burst_start: watch::Receiver<Option<tokio::time::Instant>>,
    /// When the lecturer sent `quiz.next`.
    pub question_sent_at: Arc<OnceLock<Instant>>,
    /// Cancelled when the scenario is done with the students.
    pub stop: CancellationToken,
}

/// One student's part in the burst.
#[derive(Debug, Clone)]
pub struct StudentPlan {
    pub url: String,
    /// Sent as the answer's `ref`.
    pub reference: String,
    /// When to answer, after the burst starts.
    pub offset: Duration,
    pub choice: usize,
}

/// The fate of one student's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// The student never sent it.
    #[default]
    NotSent,
    Accepted {
        latency_us: u64,
        duplicate: bool,
    },
    /// The server replied with an `error` of this code.
    Rejected {
        code: String,
    },
    /// No reply within [`ACK_TIMEOUT`], or the connection ended first.
    NoReply,
}

/// One student's tally, returned when the scenario stops it.
#[derive(Debug, Clone, Default)]
pub struct StudentOutcome {
    pub connected: bool,
    /// From the lecturer's `quiz.next` to the open question's arrival.
    pub question_delay_us: Option<u64>,
    /// From the student's planned send time to the actual send.
    pub send_lag_us: Option<u64>,
    pub answer: AnswerOutcome,
    /// The connection closed or failed before the scenario stopped it.
    pub disconnected: bool,
    /// Failed connects and frames the student could not read.
    pub errors: u64,
}

/// The reason a student stopped reading before its work was done.
enum Interrupted {
    /// The scenario cancelled the students.
    Stopped,
    /// The connection closed or failed.
    Ended,
}

/// Runs one student until `shared.stop` is cancelled.
pub async fn run(plan: StudentPlan, shared: Shared) -> StudentOutcome {
    let mut outcome = StudentOutcome::default();
    let mut reporter = Reporter {
        events: shared.events.clone(),
        next: 0,
    };

    let connected = {
        let _slot = shared.connect_slots.acquire().await;
        connect(&plan.url).await
    };
    let mut socket = match connected {
        Ok(socket) => socket,
        Err(error) => {
            warn!(%error, reference = plan.reference, "student failed to connect");
            outcome.errors += 1;
            reporter.fail_rest().await;
            return outcome;
        }
    };
    outcome.connected = true;
    reporter.reach(Stage::Connected).await;

    let steps = answer_question(&mut socket, &plan, &shared, &mut outcome, &mut reporter).await;
    reporter.fail_rest().await;
    match steps {
        Err(Interrupted::Ended) => outcome.disconnected = true,
        Err(Interrupted::Stopped) => {}
        Ok(()) => {
            if let Err(Interrupted::Ended) =
                read_until(&mut socket, &shared.stop, &mut outcome, |_| false).await
            {
                outcome.disconnected = true;
            }
        }
    }
    let _ = socket.close(None).await;
    outcome
}

/// Waits for the open question, answers it at the planned time and waits
/// for the reply.
async fn answer_question(
    socket: &mut Socket,
    plan: &StudentPlan,
    shared: &Shared,
    outcome: &mut StudentOutcome,
    reporter: &mut Reporter,
) -> Result<(), Interrupted> {
    let mut question = None;
    read_until(socket, &shared.stop, outcome, |event| {
        if let ServerEvent::QuizState {
            run_id,
            phase,
            question_index: Some(index),
        } = event
            && phase == "question_open"
        {
            question = Some((run_id.clone(), *index));
        }
        question.is_some()
    })
    .await?;
    let Some((run_id, question_index)) = question else {
        return Err(Interrupted::Stopped);
    };
    outcome.question_delay_us = shared
        .question_sent_at
        .get()
        .map(|sent_at| duration_us(sent_at.elapsed()));
    reporter.reach(Stage::QuestionSeen).await;

    let mut burst_start = shared.burst_start.clone();
    let start = tokio::select! {
        () = shared.stop.cancelled() => return Err(Interrupted::Stopped),
        start = burst_start.wait_for(Option::is_some) => match start {
            Ok(start) => start.unwrap_or_else(tokio::time::Instant::now),
            Err(_) => return Err(Interrupted::Stopped),
        },
    };
    let send_at = start + plan.offset;
    keep_reading_until(socket, &shared.stop, outcome, send_at).await?;

    let frame = messages::answer(&plan.reference, &run_id, question_index, plan.choice);
    let sent_at = Instant::now();
    outcome.send_lag_us = Some(duration_us(
        tokio::time::Instant::now().saturating_duration_since(send_at),
    ));
    if let Err(error) = socket.send(WsMessage::text(frame)).await {
        debug!(%error, "student failed to send its answer");
        outcome.answer = AnswerOutcome::NoReply;
        return Err(Interrupted::Ended);
    }
    outcome.answer = AnswerOutcome::NoReply;

    let reference = plan.reference.as_str();
    let mut reply = None;
    let waited = tokio::time::timeout(
        ACK_TIMEOUT,
        read_until(socket, &shared.stop, outcome, |event| {
            match event {
                ServerEvent::Accepted {
                    reference: Some(reply_ref),
                    duplicate,
                } if reply_ref == reference => {
                    reply = Some(AnswerOutcome::Accepted {
                        latency_us: duration_us(sent_at.elapsed()),
                        duplicate: *duplicate,
                    });
                }
                ServerEvent::Error {
                    reference: Some(reply_ref),
                    code,
                    message,
                } if reply_ref == reference => {
                    debug!(code, message, "answer rejected");
                    reply = Some(AnswerOutcome::Rejected { code: code.clone() });
                }
                _ => {}
            }
            reply.is_some()
        }),
    )
    .await;
    if let Some(reply) = reply {
        outcome.answer = reply;
    }
    reporter.reach(Stage::Settled).await;
    match waited {
        Ok(result) => result,
        Err(_) => {
            warn!(reference, "no reply to the answer within {ACK_TIMEOUT:?}");
            Ok(())
        }
    }
}

/// Reads server messages until `done` returns true for one of them.
async fn read_until(
    socket: &mut Socket,
    stop: &CancellationToken,
    outcome: &mut StudentOutcome,
    mut done: impl FnMut(&ServerEvent) -> bool,
) -> Result<(), Interrupted> {
    loop {
        let next = tokio::select! {
            () = stop.cancelled() => return Err(Interrupted::Stopped),
            next = socket.next() => next,
        };
        if let Some(event) = read_frame(next, outcome)?
            && done(&event)
        {
            return Ok(());
        }
    }
}

/// Reads and discards server messages until `deadline`, so the
/// connection keeps answering pings while the student waits to answer.
async fn keep_reading_until(
    socket: &mut Socket,
    stop: &CancellationToken,
    outcome: &mut StudentOutcome,
    deadline: tokio::time::Instant,
) -> Result<(), Interrupted> {
    loop {
        let next = tokio::select! {
            () = stop.cancelled() => return Err(Interrupted::Stopped),
            () = tokio::time::sleep_until(deadline) => return Ok(()),
            next = socket.next() => next,
        };
        read_frame(next, outcome)?;
    }
}

/// Decodes one item of the socket's stream; `None` for frames that carry
/// no control message.
fn read_frame(
    next: Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>>,
    outcome: &mut StudentOutcome,
) -> Result<Option<ServerEvent>, Interrupted> {
    match next {
        Some(Ok(WsMessage::Text(text))) => match messages::parse(&text) {
            Ok(event) => Ok(Some(event)),
            Err(error) => {
                warn!(%error, "student received an unreadable message");
                outcome.errors += 1;
                Ok(None)
            }
        },
        Some(Ok(WsMessage::Close(close))) => {
            debug!(?close, "server closed a student's connection");
            Err(Interrupted::Ended)
        }
        Some(Ok(_)) => Ok(None),
        Some(Err(error)) => {
            debug!(%error, "student connection failed");
            Err(Interrupted::Ended)
        }
        None => Err(Interrupted::Ended),
    }
}

/// Opens a control WebSocket and waits for its `welcome`.
pub async fn connect(url: &str) -> anyhow::Result<Socket> {
    let opened = tokio::time::timeout(CONNECT_TIMEOUT, async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
        while let Some(frame) = socket.next().await {
            if let WsMessage::Text(text) = frame?
                && messages::parse(&text)? == ServerEvent::Welcome
            {
                return Ok(socket);
            }
        }
        anyhow::bail!("the connection closed before the welcome message")
    });
    opened
        .await
        .map_err(|_| anyhow::anyhow!("connecting timed out after {CONNECT_TIMEOUT:?}"))?
}

/// Sends each stage's event once and in order.
struct Reporter {
    events: mpsc::Sender<StageEvent>,
    /// Index in [`Stage::ALL`] of the next stage to report.
    next: usize,
}

impl Reporter {
    /// Reports `stage` as reached, and any stage before it that was not
    /// reported as failed.
    async fn reach(&mut self, stage: Stage) {
        while let Some(&current) = Stage::ALL.get(self.next) {
            let reached = current == stage;
            self.send(current, reached).await;
            if reached {
                return;
            }
        }
    }

    /// Reports every stage not reported yet as failed.
    async fn fail_rest(&mut self) {
        while let Some(&current) = Stage::ALL.get(self.next) {
            self.send(current, false).await;
        }
    }

    async fn send(&mut self, stage: Stage, reached: bool) {
        self.next += 1;
        // The scenario keeps the receiver until every student has stopped.
        let _ = self.events.send(StageEvent { stage, reached }).await;
    }
}

fn duration_us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
