//! The task that owns one room's control connections, its quiz run, its
//! floor and its audio room.
//!
//! Commands arrive on a bounded channel. The actor handles every command
//! already queued. Accepted answers wait in a batch that is stored in one
//! transaction (group commit) before any reply about them goes out, and
//! before any other command is handled, so no participant ever sees an
//! answer that a crash could lose. Phase changes are saved before their
//! `quiz.state` is sent.
//!
//! The floor (`floor.rs`) and the audio signalling (`audio.rs`) live in
//! memory only: a restart ends every grant, hand and audio session.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use lectern_board::ConnectionId;
use lectern_floor::{Floor, FloorConfig};
use lectern_quiz::Quiz;
use lectern_sfu::{RoomEvent, Sfu};
use lectern_store::Store;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::{Instrument, error, info, info_span, warn};

use super::ClassRegistry;
use super::audio::AudioState;
use super::protocol::{ClientMessage, ErrorCode, Rejection, Request, Role, Senders, ServerMessage};
use super::quiz::{PhaseCommand, QuizRun, SharedView, Viewer, run_error, submit_error};
use crate::clock::unix_millis;
use crate::registry::RoomActorKind;
use crate::room::{AccessTarget, CloseSignal, RoomRegistry, close_code};

/// Maximum number of commands handled before the batch's answers are
/// stored and acknowledged.
const MAX_BATCH: usize = 256;

/// The actor's side of one control connection.
#[derive(Debug)]
pub struct ControlLink {
    pub outbox: mpsc::Sender<String>,
    pub closer: oneshot::Sender<CloseSignal>,
}

/// Everything a control connection brings when it joins.
#[derive(Debug)]
pub struct ControlJoin {
    pub connection: ConnectionId,
    pub participant_id: String,
    pub role: Role,
    pub name: String,
    /// The room's code, shown in `welcome`.
    pub room_code: String,
    /// A student's own drawing permission as stored when the connection
    /// opened; false for lecturers.
    pub drawing_permission: bool,
    pub link: ControlLink,
}

/// The commands a class actor handles.
#[derive(Debug)]
pub enum ClassCommand {
    Join {
        request: ControlJoin,
        joined: oneshot::Sender<()>,
    },
    /// A decoded client message that arrived at `received_at`.
    Message {
        connection: ConnectionId,
        request: Request,
        received_at: u64,
    },
    Leave {
        connection: ConnectionId,
    },
    /// Tells the floor about a stored change of students' own drawing
    /// permissions, so that the end of a board grant restores the right one.
    SetDrawingPermission {
        target: AccessTarget,
        allowed: bool,
    },
    /// Closes every control connection and unloads. With `end_run`, a run
    /// that has not ended is ended and saved first, as when the lecturer
    /// closes the room.
    Close {
        code: u16,
        reason: String,
        end_run: bool,
        done: oneshot::Sender<()>,
    },
}

/// Settings a class actor needs from the server configuration.
#[derive(Debug, Clone)]
pub struct ClassSettings {
    pub idle_timeout: Duration,
    /// Settings of each room's floor.
    pub floor: FloorConfig,
    /// The process-wide SFU, or `None` when audio is disabled.
    pub sfu: Option<Sfu>,
    /// The board actors, which apply board grants of the floor.
    pub rooms: Arc<RoomRegistry>,
}

/// The kind of the class actor, for the [`ClassRegistry`].
#[derive(Debug)]
pub struct ClassActorKind;

impl RoomActorKind for ClassActorKind {
    type Command = ClassCommand;
    type Settings = ClassSettings;

    fn spawn(
        room_id: Arc<str>,
        generation: u64,
        commands: mpsc::Receiver<ClassCommand>,
        store: Store,
        registry: Arc<ClassRegistry>,
        settings: ClassSettings,
    ) {
        let span = info_span!(parent: None, "class", room = %room_id);
        tokio::spawn(
            async move {
                let Some(loaded) = load(&store, &room_id).await else {
                    registry.forget(&room_id, generation);
                    return;
                };
                let floor = match Floor::new(settings.floor) {
                    Ok(floor) => floor,
                    Err(error) => {
                        error!(%error, "invalid floor settings; the room stays unloaded");
                        registry.forget(&room_id, generation);
                        return;
                    }
                };
                let audio = AudioState::new(settings.sfu.clone());
                let actor = ClassActor {
                    room_id,
                    generation,
                    members: HashMap::new(),
                    connection_counts: HashMap::new(),
                    lecturer_connections: HashSet::new(),
                    commands,
                    store,
                    registry,
                    settings,
                    names: loaded.names,
                    run: loaded.run,
                    pending: Vec::new(),
                    floor,
                    drawing_permissions: loaded.drawing_permissions,
                    audio,
                    departed: Vec::new(),
                };
                actor.run().await;
            }
            .instrument(span),
        );
    }
}

/// The state a class actor reads from storage when it loads.
struct Loaded {
    names: HashMap<String, String>,
    drawing_permissions: HashMap<String, bool>,
    run: Option<QuizRun>,
}

/// Loads the room's participants and restores its active run. Returns
/// `None` when storage fails, so the room stays unloaded.
async fn load(store: &Store, room_id: &str) -> Option<Loaded> {
    let participants = match store.participants(room_id).await {
        Ok(participants) => participants,
        Err(error) => {
            error!(%error, "cannot load participants; the room stays unloaded");
            return None;
        }
    };
    let drawing_permissions = participants
        .iter()
        .map(|participant| (participant.id.clone(), participant.can_draw != 0))
        .collect();
    let names = participants
        .into_iter()
        .map(|participant| (participant.id, participant.name))
        .collect();

    let stored = match store.active_run(room_id).await {
        Ok(stored) => stored,
        Err(error) => {
            error!(%error, "cannot load the active quiz run; the room stays unloaded");
            return None;
        }
    };
    let run = match stored.as_ref().map(QuizRun::restore) {
        None => None,
        Some(Ok(run)) => {
            info!(run = %run.id, phase = run.run.phase().name(), answers = stored.as_ref().map_or(0, |stored| stored.answers.len()), "quiz run restored");
            Some(run)
        }
        Some(Err(error)) => {
            // NOTE: the broken run stays in storage without an end time; a
            // new launch starts a newer run, which then counts as active.
            error!(%error, "cannot restore the active quiz run; the room starts without one");
            None
        }
    };
    Some(Loaded {
        names,
        drawing_permissions,
        run,
    })
}

pub(super) struct Member {
    pub(super) participant_id: String,
    pub(super) role: Role,
    outbox: mpsc::Sender<String>,
    closer: Option<oneshot::Sender<CloseSignal>>,
}

/// An accepted answer waiting to be stored before its reply goes out.
struct PendingAnswer {
    connection: ConnectionId,
    reference: Option<String>,
    participant_id: String,
    index: usize,
    duplicate: bool,
}

pub(super) struct ClassActor {
    pub(super) room_id: Arc<str>,
    generation: u64,
    pub(super) members: HashMap<ConnectionId, Member>,
    /// Open connections of each participant in `members`, so that a
    /// departure finds out whether it was the participant's last without
    /// scanning every member. Changed only by `add_member` and
    /// `remove_member`, as is `lecturer_connections`.
    connection_counts: HashMap<String, usize>,
    /// The lecturers' connections in `members`, which every stored batch of
    /// answers sends progress to.
    lecturer_connections: HashSet<ConnectionId>,
    commands: mpsc::Receiver<ClassCommand>,
    store: Store,
    registry: Arc<ClassRegistry>,
    pub(super) settings: ClassSettings,
    /// Display names of the room's students by participant id, and of the
    /// lecturers connected.
    pub(super) names: HashMap<String, String>,
    /// The current run, or the last one that ended since the room loaded.
    run: Option<QuizRun>,
    pending: Vec<PendingAnswer>,
    /// Hands, speakers and mutes. Participants join it when their first
    /// control connection opens and leave when their last one closes.
    pub(super) floor: Floor,
    /// Students' own drawing permissions as stored, by participant id,
    /// kept current by [`ClassCommand::SetDrawingPermission`].
    pub(super) drawing_permissions: HashMap<String, bool>,
    pub(super) audio: AudioState,
    /// Connections removed since their floor and audio were last cleaned
    /// up, with their participant ids. Removal happens where no `.await`
    /// is possible, such as when a slow client is disconnected.
    departed: Vec<(ConnectionId, String)>,
}

/// Event that woke the actor.
enum Wake {
    Command(Option<ClassCommand>),
    /// A quiz question's deadline or a timed grant's end.
    Deadline,
    Audio(Option<RoomEvent>),
    Idle,
}

impl ClassActor {
    async fn run(mut self) {
        self.close_overdue_question(unix_millis()).await;

        let done = loop {
            let wake = self.next_wake().await;
            let command = match wake {
                Wake::Command(Some(command)) => command,
                Wake::Command(None) => break None,
                Wake::Deadline => {
                    let now = unix_millis();
                    self.close_overdue_question(now).await;
                    self.end_expired_grants(now).await;
                    self.settle_departures().await;
                    continue;
                }
                Wake::Audio(event) => {
                    self.audio_event(event).await;
                    self.settle_departures().await;
                    continue;
                }
                Wake::Idle => {
                    if self
                        .registry
                        .remove(&self.room_id, self.generation, &self.commands)
                    {
                        self.close_audio_room().await;
                        info!("class unloaded");
                        return;
                    }
                    continue;
                }
            };

            let mut stop = self.handle(command).await;
            let mut handled = 1;
            while stop.is_none() && handled < MAX_BATCH {
                let Ok(command) = self.commands.try_recv() else {
                    break;
                };
                stop = self.handle(command).await;
                handled += 1;
            }
            self.flush_answers().await;

            if let Some(stop) = stop {
                break Some(stop);
            }
        };

        if let Some((code, reason, end_run, done)) = done {
            if end_run {
                self.end_run(unix_millis()).await;
            }
            self.close_audio_room().await;
            self.close_all(code, &reason);
            self.registry.forget(&self.room_id, self.generation);
            info!(code, "class closed and unloaded");
            let _ = done.send(());
        } else {
            self.close_audio_room().await;
            info!("class unloaded");
        }
    }

    /// Waits for the next command, audio event, the open question's
    /// deadline, the end of a timed grant, or the idle timeout of an empty
    /// room without a deadline.
    async fn next_wake(&mut self) -> Wake {
        let question_deadline = self.run.as_ref().and_then(QuizRun::deadline);
        let deadline = [question_deadline, self.floor.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let timer = match deadline {
            Some(deadline) => {
                let wait = deadline.saturating_sub(unix_millis());
                Some(Instant::now() + Duration::from_millis(wait))
            }
            None if self.members.is_empty() => Some(Instant::now() + self.settings.idle_timeout),
            None => None,
        };

        let commands = &mut self.commands;
        let audio_events = self.audio.events();
        let audio = async move {
            match audio_events {
                Some(events) => events.recv().await,
                None => std::future::pending().await,
            }
        };
        let sleep = async move {
            match timer {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            command = commands.recv() => Wake::Command(command),
            event = audio => Wake::Audio(event),
            () = sleep => {
                if deadline.is_some() { Wake::Deadline } else { Wake::Idle }
            }
        }
    }

    /// Handles one command. Returns the close request when the actor must
    /// stop after this batch.
    async fn handle(
        &mut self,
        command: ClassCommand,
    ) -> Option<(u16, String, bool, oneshot::Sender<()>)> {
        // Answers are the only command that may join the pending batch;
        // every other one first stores the batch, so it sees only stored
        // answers.
        let is_answer = matches!(
            &command,
            ClassCommand::Message { request, .. } if matches!(request.message, ClientMessage::Answer { .. })
        );
        if !is_answer {
            self.flush_answers().await;
        }

        match command {
            ClassCommand::Join { request, joined } => {
                self.join(request).await;
                let _ = joined.send(());
            }
            ClassCommand::Leave { connection } => {
                if let Some(member) = self.remove_member(connection) {
                    info!(%connection, participant = %member.participant_id, "left the control channel");
                    self.departed.push((connection, member.participant_id));
                }
            }
            ClassCommand::Message {
                connection,
                request,
                received_at,
            } => self.receive(connection, request, received_at).await,
            ClassCommand::SetDrawingPermission { target, allowed } => {
                self.set_drawing_permission(&target, allowed).await;
            }
            ClassCommand::Close {
                code,
                reason,
                end_run,
                done,
            } => return Some((code, reason, end_run, done)),
        }
        self.settle_departures().await;
        None
    }

    /// Cleans up after connections that were removed: a connection's audio
    /// session closes with it, and a participant whose last connection
    /// closed leaves the floor, which revokes their floor and lowers their
    /// hand.
    async fn settle_departures(&mut self) {
        while !self.departed.is_empty() {
            let departed = std::mem::take(&mut self.departed);
            let now = unix_millis();
            for (connection, participant_id) in departed {
                self.connection_closed(connection, &participant_id).await;
                if !self.connection_counts.contains_key(&participant_id) {
                    self.leave_floor(&participant_id, now);
                }
            }
            self.apply_floor_events().await;
        }
    }

    fn add_member(&mut self, connection: ConnectionId, member: Member) {
        self.remove_member(connection);
        *self
            .connection_counts
            .entry(member.participant_id.clone())
            .or_default() += 1;
        if member.role == Role::Lecturer {
            self.lecturer_connections.insert(connection);
        }
        self.members.insert(connection, member);
    }

    fn remove_member(&mut self, connection: ConnectionId) -> Option<Member> {
        let member = self.members.remove(&connection)?;
        self.lecturer_connections.remove(&connection);
        if let Some(count) = self.connection_counts.get_mut(&member.participant_id) {
            *count -= 1;
            if *count == 0 {
                self.connection_counts.remove(&member.participant_id);
            }
        }
        Some(member)
    }

    async fn join(&mut self, request: ControlJoin) {
        let ControlJoin {
            connection,
            participant_id,
            role,
            name,
            room_code,
            drawing_permission,
            link,
        } = request;
        info!(%connection, participant = %participant_id, ?role, "joined the control channel");

        self.names.insert(participant_id.clone(), name.clone());
        if role == Role::Student
            && let Some(run) = self.run.as_mut().filter(|run| !run.is_ended())
            && run.run.join(&participant_id)
        {
            // NOTE: a join is saved with the next phase change. A restart
            // before then drops a student who has not answered from the
            // run until they reconnect.
            info!(run = %run.id, participant = %participant_id, "student joined the quiz run");
        }
        self.add_member(
            connection,
            Member {
                participant_id: participant_id.clone(),
                role,
                outbox: link.outbox,
                closer: Some(link.closer),
            },
        );

        self.join_floor(&participant_id, role, drawing_permission);

        let now = unix_millis();
        let welcome = ServerMessage::Welcome {
            participant_id,
            role,
            name,
            room: room_code,
            server_time: now,
        };
        self.send(connection, &welcome);
        let shared = self.shared_view();
        self.send_state(connection, shared.as_ref(), now);
        let floor_state = self.floor_state(now);
        self.send(connection, &floor_state);
        let audio_config = self.audio.config_message();
        self.send(connection, &audio_config);
        // A lecturer who joins is forwarded unless muted.
        self.apply_floor_events().await;
    }

    async fn receive(&mut self, connection: ConnectionId, request: Request, received_at: u64) {
        let Some(member) = self.members.get(&connection) else {
            return;
        };
        let participant_id = member.participant_id.clone();
        let role = member.role;
        let Request { reference, message } = request;

        if !message.senders().allow(role) {
            warn!(%connection, participant = %participant_id, ?role, message = message.type_name(), "permission denied on the control channel");
            let text = match message.senders() {
                Senders::Student => format!("only students may send {}", message.type_name()),
                Senders::Lecturer | Senders::Anyone => {
                    format!("only the lecturer may send {}", message.type_name())
                }
            };
            self.reject(
                connection,
                Rejection::new(reference, ErrorCode::Forbidden, text),
            );
            return;
        }

        match message {
            ClientMessage::Launch {
                quiz_id,
                streak_bonus,
            } => {
                self.launch(
                    connection,
                    reference,
                    &participant_id,
                    quiz_id,
                    streak_bonus,
                )
                .await;
            }
            ClientMessage::Answer {
                run_id,
                question_index,
                answer,
            } => self.submit(
                connection,
                reference,
                &participant_id,
                &run_id,
                question_index,
                answer,
                received_at,
            ),
            message @ (ClientMessage::RaiseHand {}
            | ClientMessage::LowerHand { .. }
            | ClientMessage::LowerAllHands {}
            | ClientMessage::Grant { .. }
            | ClientMessage::Revoke { .. }
            | ClientMessage::Mute { .. }
            | ClientMessage::Unmute { .. }) => {
                let span = info_span!("floor", %connection, participant = %participant_id, message = message.type_name());
                self.floor_message(connection, reference, &participant_id, role, message)
                    .instrument(span)
                    .await;
            }
            message @ (ClientMessage::RtcOffer { .. }
            | ClientMessage::RtcAnswer { .. }
            | ClientMessage::RtcCandidate { .. }
            | ClientMessage::RtcLeave {}) => {
                let span = info_span!("audio", %connection, participant = %participant_id, message = message.type_name());
                self.audio_message(connection, reference, &participant_id, message)
                    .instrument(span)
                    .await;
            }
            other => {
                if let Some(command) = PhaseCommand::of(&other) {
                    self.change_phase(
                        connection,
                        reference,
                        &participant_id,
                        command,
                        unix_millis(),
                    )
                    .await;
                }
            }
        }
    }

    async fn launch(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        user_id: &str,
        quiz_id: String,
        streak_bonus: bool,
    ) {
        if let Some(run) = self.run.as_ref().filter(|run| !run.is_ended()) {
            let message = format!(
                "quiz run {} is in phase {}; end it before launching another",
                run.id,
                run.run.phase().name()
            );
            self.reject(
                connection,
                Rejection::new(reference, ErrorCode::RunInProgress, message),
            );
            return;
        }

        let quiz = match self.load_quiz(user_id, &quiz_id).await {
            Ok(quiz) => quiz,
            Err((code, message)) => {
                self.reject(connection, Rejection::new(reference, code, message));
                return;
            }
        };

        let now = unix_millis();
        let run_id = uuid::Uuid::new_v4().to_string();
        let mut run = match QuizRun::launch(
            run_id,
            quiz_id,
            quiz,
            streak_bonus,
            rand::random(),
            user_id.to_owned(),
            now,
        ) {
            Ok(run) => run,
            Err(error) => {
                info!(%connection, %error, "quiz launch rejected");
                self.reject(connection, run_error(reference, &error));
                return;
            }
        };
        for member in self.members.values() {
            if member.role == Role::Student {
                run.run.join(&member.participant_id);
            }
        }

        let stored = match run.state_json() {
            Ok(state) => self
                .store
                .create_run(&run.new_row(&self.room_id, &state))
                .await
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = stored {
            error!(%connection, run = %run.id, %error, "storing the new quiz run failed");
            self.reject(
                connection,
                Rejection::new(
                    reference,
                    ErrorCode::StorageFailed,
                    "the server could not store the new run; launch it again",
                ),
            );
            return;
        }

        info!(%connection, run = %run.id, quiz = %run.quiz_id, streak_bonus, "quiz run launched");
        self.run = Some(run);
        self.broadcast_state(now);
    }

    /// Loads a quiz of `user_id`, mapping failures to protocol errors.
    async fn load_quiz(&self, user_id: &str, quiz_id: &str) -> Result<Quiz, (ErrorCode, String)> {
        let no_such_quiz = || {
            (
                ErrorCode::NoSuchQuiz,
                format!("you have no quiz with id {quiz_id:?}"),
            )
        };
        let stored = match self.store.quiz_by_id(quiz_id).await {
            Ok(stored) => stored,
            Err(error) => {
                error!(quiz = %quiz_id, %error, "loading the quiz to launch failed");
                return Err((
                    ErrorCode::StorageFailed,
                    "the server could not read the quiz; launch it again".to_owned(),
                ));
            }
        };
        let stored = stored
            .filter(|stored| stored.owner_id == user_id)
            .ok_or_else(no_such_quiz)?;

        serde_json::from_str(&stored.body).map_err(|error| {
            error!(quiz = %quiz_id, %error, "stored quiz is not valid quiz JSON");
            (
                ErrorCode::InvalidQuiz,
                format!("stored quiz {quiz_id} cannot be read: {error}"),
            )
        })
    }

    /// Applies a lecturer's phase command, saves the run and broadcasts
    /// the new state. A failed save puts the run back as it was.
    async fn change_phase(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        user_id: &str,
        command: PhaseCommand,
        now: u64,
    ) {
        let Some(run) = self.run.as_mut().filter(|run| !run.is_ended()) else {
            let rejection = Rejection::new(
                reference,
                ErrorCode::NoRun,
                "no quiz is running; launch one first",
            );
            self.reject(connection, rejection);
            return;
        };

        let before = run.run.clone();
        if let Err(error) = run.apply(command, now) {
            info!(%connection, run = %run.id, ?command, %error, "quiz command rejected");
            let rejection = run_error(reference, &error);
            self.reject(connection, rejection);
            return;
        }

        if !self.save_run(now).await {
            if let Some(run) = self.run.as_mut() {
                run.run = before;
            }
            let rejection = Rejection::new(
                reference,
                ErrorCode::StorageFailed,
                "the server could not save the run; send the command again",
            );
            self.reject(connection, rejection);
            return;
        }

        if let Some(run) = &self.run {
            info!(run = %run.id, user = %user_id, phase = run.run.phase().name(), "quiz phase changed");
        }
        self.broadcast_state(now);
    }

    /// Closes the open question if its deadline has passed at `now`, saves
    /// the run and broadcasts the new state.
    async fn close_overdue_question(&mut self, now: u64) {
        self.flush_answers().await;
        let Some(run) = self.run.as_mut() else {
            return;
        };
        if !run.run.tick(now) {
            return;
        }
        info!(run = %run.id, phase = run.run.phase().name(), "question closed at its deadline");

        // NOTE: when this save fails the question stays closed in memory.
        // Late answers are rejected by the deadline either way, and the
        // next phase change saves the state again.
        self.save_run(now).await;
        self.broadcast_state(now);
    }

    /// Ends a run that has not ended and saves it.
    async fn end_run(&mut self, now: u64) {
        self.flush_answers().await;
        let Some(run) = self.run.as_mut().filter(|run| !run.is_ended()) else {
            return;
        };
        if let Err(error) = run.apply(PhaseCommand::End, now) {
            error!(run = %run.id, %error, "ending the quiz run failed");
            return;
        }
        info!(run = %run.id, "quiz run ended because the room closed");
        self.save_run(now).await;
        self.broadcast_state(now);
    }

    /// Saves the run's phase and state. Returns false, after logging, when
    /// that failed.
    async fn save_run(&self, now: u64) -> bool {
        let Some(run) = &self.run else {
            return true;
        };
        let state = match run.state_json() {
            Ok(state) => state,
            Err(error) => {
                error!(run = %run.id, %error, "encoding the quiz run failed");
                return false;
            }
        };
        match self
            .store
            .save_run_state(&run.state_update(&state, now))
            .await
        {
            Ok(true) => true,
            Ok(false) => {
                error!(run = %run.id, "saving the quiz run failed: no stored run has its id");
                false
            }
            Err(error) => {
                error!(run = %run.id, %error, "saving the quiz run failed");
                false
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn submit(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        participant_id: &str,
        run_id: &str,
        question_index: usize,
        answer: lectern_quiz::Answer,
        received_at: u64,
    ) {
        let rejection = |code, message: String| Rejection::new(reference.clone(), code, message);
        let Some(run) = self.run.as_mut().filter(|run| !run.is_ended()) else {
            let error = rejection(ErrorCode::NoRun, "no quiz is running".to_owned());
            self.reject(connection, error);
            return;
        };
        if run.id != run_id {
            let error = rejection(
                ErrorCode::WrongRun,
                format!("run {run_id:?} is not this room's current run {}", run.id),
            );
            self.reject(connection, error);
            return;
        }
        if let Some(current) = run.run.phase().question_index()
            && current != question_index
        {
            let error = rejection(
                ErrorCode::WrongQuestion,
                format!(
                    "question index {question_index} is not the current question, which is {current}"
                ),
            );
            self.reject(connection, error);
            return;
        }

        match run.submit(participant_id, answer, received_at) {
            Ok(accepted) => self.pending.push(PendingAnswer {
                connection,
                reference,
                participant_id: participant_id.to_owned(),
                index: accepted.index,
                duplicate: accepted.duplicate,
            }),
            Err(error) => {
                info!(%connection, participant = %participant_id, %error, "answer rejected");
                let rejection = submit_error(reference, &error);
                self.reject(connection, rejection);
            }
        }
    }

    /// Stores the pending answers in one transaction, then acknowledges
    /// them and updates the lecturers. When storing fails, the answers are
    /// taken back out of the run and each sender gets `storage_failed`.
    async fn flush_answers(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let Some(run) = self.run.as_mut() else {
            return;
        };

        let rows: Vec<_> = pending
            .iter()
            .filter(|answer| !answer.duplicate)
            .filter_map(|answer| run.answer_row(&answer.participant_id, answer.index))
            .collect();
        let new_rows: Vec<_> = rows.iter().map(|row| row.as_new()).collect();

        if let Err(error) = self.store.append_answers(&new_rows).await {
            error!(run = %run.id, count = new_rows.len(), %error, "storing answers failed");
            for answer in &pending {
                if !answer.duplicate {
                    run.run.retract_answer(&answer.participant_id, answer.index);
                }
            }
            for answer in pending {
                let rejection = Rejection::new(
                    answer.reference,
                    ErrorCode::StorageFailed,
                    "the server could not store the answer; send it again",
                );
                self.reject(answer.connection, rejection);
            }
            return;
        }

        let now = unix_millis();
        let run_id = run.id.clone();
        let mut accepted_new = Vec::new();
        for answer in &pending {
            let Some(record) = run.run.answer_record(&answer.participant_id, answer.index) else {
                continue;
            };
            let reply = ServerMessage::Accepted {
                reference: answer.reference.clone(),
                run_id: run_id.clone(),
                question_index: answer.index,
                answer: record.answer.clone(),
                received_at: record.received_at,
                response_ms: record.response_ms,
                duplicate: answer.duplicate,
            };
            accepted_new.push((answer.connection, reply, !answer.duplicate));
        }

        let shared = self.shared_view();
        for (connection, reply, is_new) in accepted_new {
            self.send(connection, &reply);
            if is_new {
                self.send_state(connection, shared.as_ref(), now);
            }
        }
        self.send_progress();
    }

    /// Sends `quiz.progress` to every lecturer connection.
    fn send_progress(&mut self) {
        let Some(run) = &self.run else {
            return;
        };
        let Some(index) = run.run.phase().question_index() else {
            return;
        };
        let (Ok(answered), Ok(distribution)) = (
            run.run.answered_count(index),
            run.run.answer_distribution(index),
        ) else {
            return;
        };
        let progress = ServerMessage::Progress {
            run_id: run.id.clone(),
            question_index: index,
            answered,
            participants: u32::try_from(run.run.participant_count()).unwrap_or(u32::MAX),
            distribution,
        };
        let lecturers: Vec<ConnectionId> = self.lecturer_connections.iter().copied().collect();
        for connection in lecturers {
            self.send(connection, &progress);
        }
    }

    fn shared_view(&self) -> Option<SharedView> {
        self.run.as_ref().map(|run| run.shared_view(&self.names))
    }

    /// Sends `quiz.state` to every connection, each with its own view.
    fn broadcast_state(&mut self, now: u64) {
        let shared = self.shared_view();
        let connections: Vec<ConnectionId> = self.members.keys().copied().collect();
        for connection in connections {
            self.send_state(connection, shared.as_ref(), now);
        }
    }

    fn send_state(&mut self, connection: ConnectionId, shared: Option<&SharedView>, now: u64) {
        let Some(member) = self.members.get(&connection) else {
            return;
        };
        let view = match (&self.run, shared) {
            (Some(run), Some(shared)) => {
                let viewer = match member.role {
                    Role::Lecturer => Viewer::Lecturer,
                    Role::Student => Viewer::Student(&member.participant_id),
                };
                Some(Box::new(run.view_for(shared, viewer)))
            }
            _ => None,
        };
        let state = ServerMessage::QuizState {
            server_time: now,
            run: view,
        };
        self.send(connection, &state);
    }

    pub(super) fn reject(&mut self, connection: ConnectionId, rejection: Rejection) {
        self.send(connection, &rejection.to_message());
    }

    /// Sends a message to every connection.
    pub(super) fn broadcast(&mut self, message: &ServerMessage) {
        let connections: Vec<ConnectionId> = self.members.keys().copied().collect();
        for connection in connections {
            self.send(connection, message);
        }
    }

    /// Queues a message for one connection. A full queue means the client
    /// cannot keep up. Skipping the message would leave its state silently
    /// wrong, so the client is disconnected instead, and gets the current
    /// state when it reconnects.
    pub(super) fn send(&mut self, connection: ConnectionId, message: &ServerMessage) {
        let Some(member) = self.members.get(&connection) else {
            return;
        };
        match member.outbox.try_send(message.to_text()) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!(%connection, participant = %member.participant_id, "control client too slow; disconnecting");
                self.close(
                    connection,
                    close_code::TRY_AGAIN_LATER,
                    "client too slow to keep up; reconnect for the current state",
                );
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                // The connection task ended; its Leave command is on the way.
            }
        }
    }

    fn close(&mut self, connection: ConnectionId, code: u16, reason: &str) {
        if let Some(mut member) = self.remove_member(connection) {
            if let Some(closer) = member.closer.take() {
                let _ = closer.send(CloseSignal {
                    code,
                    reason: reason.to_owned(),
                });
            }
            self.departed.push((connection, member.participant_id));
        }
    }

    fn close_all(&mut self, code: u16, reason: &str) {
        let connections: Vec<ConnectionId> = self.members.keys().copied().collect();
        for connection in connections {
            self.close(connection, code, reason);
        }
    }
}
