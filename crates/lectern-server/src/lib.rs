//! Lectern's server: rooms, the REST API, the board WebSocket, the room
//! control channel and room audio.
//!
//! # What this crate owns
//!
//! Sockets, storage calls, configuration and time. Each loaded room runs as
//! one actor task ([`room`]) that drives the sans-IO board from
//! `lectern-board`; WebSocket connections (`connection`) only move frames
//! between their socket and their room. Both kinds of socket, board and
//! control, are built by `socket`. Board frames of 64 KiB or more, such
//! as the whole board for a joining student, are sent from sealed
//! in-memory files (`frame_file`). Beside the board actor, each room
//! with control connections runs a class actor (`class`). It drives the
//! room's live quiz run from `lectern-quiz` and the room's floor from
//! `lectern-floor` (raised hands, who may speak, who is called to the
//! board). It also runs the room's audio on the process-wide SFU from
//! `lectern-sfu`, whose forwarding follows the floor. A floor grant with
//! `to_board` reaches the board actor as a temporary write grant that is
//! never stored.
//!
//! # What it must never do
//!
//! Decide protocol rules (that is the board crate's job), hold a lock across
//! an `.await`, let one slow client delay a room (outboxes are bounded and a
//! full one disconnects its client), or log a token or password.
//!
//! # Durability
//!
//! An update is written to the database before any client receives it, so a
//! crash, even `kill -9`, loses no update that any client has seen. The same
//! holds for quiz answers: a student is told an answer was accepted only
//! after it is stored, and each phase change is saved before it is sent.

mod api;
mod auth;
mod class;
mod clock;
mod codes;
pub mod config;
mod connection;
mod error;
mod frame_file;
mod http_server;
mod media;
mod rate_limit;
mod registry;
mod render;
pub mod room;
mod site;
mod socket;
mod state;
mod write_batch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lectern_floor::FloorConfig;
use lectern_sfu::{Sfu, SfuStats};
use lectern_store::Store;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use auth::hash_password;
pub use config::{Limits, Settings};

use crate::class::{ClassCommand, ClassRegistry, ClassSettings};
use crate::media::MediaService;
use crate::room::{RoomCommand, RoomRegistry, close_code};
use crate::state::AppState;

/// A started server.
#[derive(Debug)]
pub struct Server {
    address: SocketAddr,
    public_url: String,
    sfu: Option<Sfu>,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Server {
    /// Connects to the database, migrates it, binds the listening socket and
    /// starts serving. Port 0 picks a free port, which [`Server::address`] returns.
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        settings
            .validate()
            .map_err(|problems| anyhow::anyhow!("invalid settings: {problems}"))?;
        let sfu = if settings.audio.enabled {
            let config = settings.audio.sfu_config(settings.listen.ip());
            tracing::info!(bind_ip = %config.network.bind_ip, ports = ?config.network.ports, public_ip = ?config.network.public_ip, ice_tcp = config.network.ice_tcp, "audio enabled");
            Some(Sfu::new(config).context("invalid audio settings")?)
        } else {
            tracing::info!("audio disabled by the settings");
            None
        };
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        let media_dir = settings.data_dir.join("media");
        let media = MediaService::new(&media_dir, settings.media.clone())
            .with_context(|| format!("cannot open the media store {}", media_dir.display()))?;
        let store = Store::connect(&settings.database_url)
            .await
            .context("cannot open the database")?;

        let rooms = RoomRegistry::new(
            store.clone(),
            room::ActorSettings {
                idle_timeout: settings.limits.room_idle_timeout,
                compact_after_updates: settings.limits.compact_after_updates,
                writer: room::BoardWriter::spawn(store.clone()),
            },
        );

        let classes = ClassRegistry::new(
            store.clone(),
            ClassSettings {
                idle_timeout: settings.limits.room_idle_timeout,
                floor: FloorConfig {
                    max_speakers: settings.audio.max_speakers,
                    ..FloorConfig::default()
                },
                sfu: sfu.clone(),
                rooms: rooms.clone(),
            },
        );

        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", settings.listen))
            .trim_end_matches('/')
            .to_owned();
        let listen = settings.listen;
        let header_timeout = settings.limits.request_header_timeout;
        let grace = settings.limits.shutdown_grace;
        let state = Arc::new(AppState::new(
            store.clone(),
            rooms.clone(),
            classes.clone(),
            media,
            settings,
        ));
        let routes = api::routes(state.clone());

        let shutdown = CancellationToken::new();
        let rooms_closed = CancellationToken::new();
        let signal = shutdown.clone();
        let closed = rooms_closed.clone();
        let (address, server) = http_server::bind(routes, listen, header_timeout, async move {
            signal.cancelled().await;
            close_all_classes(&classes).await;
            close_all_rooms(&rooms).await;
            closed.cancel();
        })
        .with_context(|| format!("cannot listen on {listen}"))?;
        let task = tokio::spawn(async move {
            // Rooms are saved before the grace period starts, so requests cut
            // off after it lose no accepted board data.
            // NOTE: a cut-off request runs on in hyper's connection task until
            // the runtime stops, which `lectern serve` does right after.
            let grace_over = async {
                rooms_closed.cancelled().await;
                tokio::time::sleep(grace).await;
            };
            tokio::select! {
                () = server => tracing::info!("HTTP connections closed; closing the database"),
                () = grace_over => tracing::warn!(
                    grace_secs = grace.as_secs_f64(),
                    "HTTP requests still open after the shutdown grace period; closing the database without them"
                ),
            }
            store.close().await;
            tracing::info!("server stopped");
        });

        // With port 0 the real port is only known now.
        let public_url = public_url.replace(&listen.to_string(), &address.to_string());
        state.set_public_url(public_url.clone());
        tracing::info!(url = %format!("{public_url}/"), %address, "listening");
        Ok(Self {
            address,
            public_url,
            sfu,
            shutdown,
            task,
        })
    }

    /// Returns the SFU's counters (sessions, tasks, packets), or `None`
    /// when audio is disabled.
    pub fn audio_stats(&self) -> Option<SfuStats> {
        self.sfu.as_ref().map(Sfu::stats)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the base URL of join links.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Closes every board and control connection, waits for the rooms to
    /// save, and stops.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(30), self.task).await;
    }

    /// Waits until the server stops.
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// Returns a token that stops the server when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

async fn close_all_rooms(rooms: &Arc<RoomRegistry>) {
    tracing::info!("shutting down: closing board connections");
    for room_id in rooms.loaded() {
        let (done, closed) = tokio::sync::oneshot::channel();
        rooms
            .send_if_loaded(
                &room_id,
                RoomCommand::Close {
                    code: close_code::GOING_AWAY,
                    reason: "the server is restarting; reconnect".to_owned(),
                    done,
                },
            )
            .await;
        let _ = closed.await;
    }
}

async fn close_all_classes(classes: &Arc<ClassRegistry>) {
    tracing::info!("shutting down: closing control connections");
    for room_id in classes.loaded() {
        let (done, closed) = tokio::sync::oneshot::channel();
        classes
            .send_if_loaded(
                &room_id,
                ClassCommand::Close {
                    code: close_code::GOING_AWAY,
                    reason: "the server is restarting; reconnect".to_owned(),
                    end_run: false,
                    done,
                },
            )
            .await;
        let _ = closed.await;
    }
}
