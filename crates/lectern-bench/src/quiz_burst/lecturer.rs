//! The lecturer's control WebSocket: launches the quiz, opens its question,
//! reads the progress reports during the burst and ends the run.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::messages::{self, ServerEvent};
use super::student::{Socket, connect};

/// How long the lecturer waits for the reply to a command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The lecturer's connection between commands.
pub struct LecturerChannel {
    socket: Socket,
}

/// The lecturer's tally of progress reports during the burst.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProgressTally {
    /// `quiz.progress` messages received.
    pub messages: u64,
    /// `answered` of the last one.
    pub answered: u64,
    /// The connection closed or failed while draining.
    pub disconnected: bool,
}

impl LecturerChannel {
    /// Opens the lecturer's control WebSocket at `url`.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let socket = connect(url)
            .await
            .context("the lecturer's control connection failed")?;
        Ok(Self { socket })
    }

    /// Launches quiz `quiz_id` and returns the run's id.
    pub async fn launch(&mut self, quiz_id: &str) -> anyhow::Result<String> {
        self.send(messages::launch(quiz_id)).await?;
        let (run_id, _) = self
            .wait_for_phase("lobby")
            .await
            .context("the quiz did not start")?;
        Ok(run_id)
    }

    /// Opens the next question, storing the send time in `sent_at`, and
    /// returns its index once the server reports it open.
    pub async fn open_question(&mut self, sent_at: &OnceLock<Instant>) -> anyhow::Result<u64> {
        let _ = sent_at.set(Instant::now());
        self.send(messages::next_question()).await?;
        let (_, index) = self
            .wait_for_phase("question_open")
            .await
            .context("the question did not open")?;
        index.context("the open question has no index")
    }

    /// Reads the lecturer's messages until `stop` is cancelled, so its
    /// queue on the server never fills, and returns the connection with
    /// what it read.
    pub fn drain(mut self, stop: CancellationToken) -> JoinHandle<(Self, ProgressTally)> {
        tokio::spawn(async move {
            let mut tally = ProgressTally::default();
            loop {
                let next = tokio::select! {
                    () = stop.cancelled() => break,
                    next = self.socket.next() => next,
                };
                match next {
                    Some(Ok(WsMessage::Text(text))) => {
                        if let Ok(ServerEvent::Progress { answered }) = messages::parse(&text) {
                            tally.messages += 1;
                            tally.answered = tally.answered.max(answered);
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        warn!("the lecturer's connection closed during the burst");
                        tally.disconnected = true;
                        break;
                    }
                }
            }
            (self, tally)
        })
    }

    /// Ends the run and waits for the `ended` phase.
    pub async fn end(&mut self) -> anyhow::Result<()> {
        self.send(messages::end()).await?;
        self.wait_for_phase("ended")
            .await
            .context("the run did not end")?;
        let _ = self.socket.close(None).await;
        Ok(())
    }

    async fn send(&mut self, text: String) -> anyhow::Result<()> {
        self.socket
            .send(WsMessage::text(text))
            .await
            .context("the lecturer failed to send a command")
    }

    /// Reads until a `quiz.state` in `phase`, and returns its run id and
    /// question index; an `error` reply fails.
    async fn wait_for_phase(&mut self, phase: &str) -> anyhow::Result<(String, Option<u64>)> {
        let deadline = tokio::time::Instant::now() + COMMAND_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .map_err(|_| anyhow::anyhow!("no {phase:?} state within {COMMAND_TIMEOUT:?}"))?;
            let text = match next {
                Some(Ok(WsMessage::Text(text))) => text,
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
                None => bail!("the lecturer's connection closed"),
            };
            match messages::parse(&text)? {
                ServerEvent::QuizState {
                    run_id,
                    phase: current,
                    question_index,
                } if current == phase => return Ok((run_id, question_index)),
                ServerEvent::Error { code, message, .. } => {
                    bail!("the server rejected the command: {code}: {message}")
                }
                _ => {}
            }
        }
    }
}
