//! Janus (Debian's `janus` package) as the audio scenario's peer server:
//! starting it from the configuration templates in bench/janus/, and
//! negotiating bench peers with its VideoRoom plugin over the HTTP API.
//!
//! The bench loads only the VideoRoom plugin and the HTTP transport, both
//! symlinked into a temporary directory, serves its HTTP API on 127.0.0.1
//! and gathers ICE candidates on the bench address of [`super::network`]
//! only. One Janus session carries every plugin handle. A single long
//! poll on the session receives the asynchronous events and routes each
//! to its handle by `sender`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use webrtc::peer_connection::RTCIceCandidateInit;

use super::AudioError;
use super::network::{PeerNetwork, keep_accepted_candidates};
use super::peer::{CONNECT_TIMEOUT, LocalCandidate, Peer, PeerCounters};

const CORE_TEMPLATE: &str = include_str!("../../../../bench/janus/janus.jcfg");
const HTTP_TEMPLATE: &str = include_str!("../../../../bench/janus/janus.transport.http.jcfg");
const VIDEOROOM_TEMPLATE: &str =
    include_str!("../../../../bench/janus/janus.plugin.videoroom.jcfg");

/// The line Janus prints once its HTTP API accepts requests.
const READY_LINE: &str = "HTTP webserver started";

/// Events a handle may have waiting before the bench reads them.
const HANDLE_QUEUE: usize = 64;

/// Events one long poll returns at most.
const EVENTS_PER_POLL: usize = 50;

/// Pause before the next long poll after one failed.
const POLL_RETRY: Duration = Duration::from_millis(500);

/// A Janus process the bench started; it is killed when dropped.
#[derive(Debug)]
pub struct JanusServer {
    child: Child,
    /// `http://127.0.0.1:PORT/janus`.
    pub api_url: String,
    pub version: String,
    /// The configuration directory, removed after Janus stops.
    _config_dir: tempfile::TempDir,
}

impl JanusServer {
    /// Starts `binary` with generated settings, pinned to `cpu` when given,
    /// and waits until its HTTP API is up. `rtp_ports` is `"FIRST-LAST"`.
    pub fn start(binary: &Path, cpu: Option<usize>, rtp_ports: &str) -> Result<Self, AudioError> {
        let failed = |reason: String| AudioError::Start {
            system: "janus",
            reason,
        };
        let libraries = find_library_dir().ok_or_else(|| {
            failed(
                "no Janus plugin directory with libjanus_videoroom.so was found; \
                 install Janus with bench/janus/setup.sh"
                    .to_owned(),
            )
        })?;
        let config_dir = tempfile::tempdir().map_err(|error| failed(error.to_string()))?;
        let http_port = free_tcp_port().map_err(|error| failed(error.to_string()))?;
        write_configuration(config_dir.path(), &libraries, http_port, rtp_ports)
            .map_err(|error| failed(format!("cannot write the configuration: {error}")))?;

        let mut command = match cpu {
            Some(cpu) => {
                let mut command = Command::new("taskset");
                command.arg("-c").arg(cpu.to_string()).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        command
            .arg("--config")
            .arg(config_dir.path().join("janus.jcfg"))
            .arg("--configs-folder")
            .arg(config_dir.path())
            .arg("--disable-colors")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command
            .spawn()
            .map_err(|error| failed(format!("cannot run {}: {error}", binary.display())))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| failed("Janus's standard output is not piped".to_owned()))?;

        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                debug!(target: "janus", "{line}");
                if line.contains(READY_LINE)
                    && let Some(sender) = ready_tx.take()
                {
                    let _ = sender.send(());
                }
            }
        });
        let mut server = Self {
            child,
            api_url: format!("http://127.0.0.1:{http_port}/janus"),
            version: janus_version(binary),
            _config_dir: config_dir,
        };
        if ready_rx.recv_timeout(CONNECT_TIMEOUT).is_err() {
            let status = server.child.try_wait().ok().flatten();
            return Err(failed(format!(
                "Janus did not print {READY_LINE:?} within {CONNECT_TIMEOUT:?} (exit status {status:?}); \
                 run it with LECTERN_BENCH_LOG=janus=debug to see its log"
            )));
        }
        info!(pid = server.pid(), url = %server.api_url, "Janus started");
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for JanusServer {
    fn drop(&mut self) {
        if let Err(error) = self.child.kill() {
            debug!(%error, "Janus already stopped");
        }
        let _ = self.child.wait();
    }
}

/// Returns the directory holding Janus's `plugins` and `transports`.
fn find_library_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("janus"))
        .collect();
    candidates.extend(
        [
            "/usr/lib/janus",
            "/usr/local/lib/janus",
            "/opt/janus/lib/janus",
        ]
        .map(PathBuf::from),
    );
    candidates
        .into_iter()
        .find(|dir| dir.join("plugins/libjanus_videoroom.so").is_file())
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// NOTE: another process may take the port between this check and Janus's
/// bind; Janus then fails to start and the run reports it.
fn free_tcp_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Writes the configuration files and the plugin and transport folders,
/// which link only the VideoRoom plugin and the HTTP transport.
fn write_configuration(
    dir: &Path,
    libraries: &Path,
    http_port: u16,
    rtp_ports: &str,
) -> std::io::Result<()> {
    let plugins = dir.join("plugins");
    let transports = dir.join("transports");
    let empty = dir.join("empty");
    for folder in [&plugins, &transports, &empty] {
        std::fs::create_dir(folder)?;
    }
    std::os::unix::fs::symlink(
        libraries.join("plugins/libjanus_videoroom.so"),
        plugins.join("libjanus_videoroom.so"),
    )?;
    std::os::unix::fs::symlink(
        libraries.join("transports/libjanus_http.so"),
        transports.join("libjanus_http.so"),
    )?;

    let fill = |template: &str| {
        template
            .replace("@CONFIGS_DIR@", &dir.to_string_lossy())
            .replace("@PLUGINS_DIR@", &plugins.to_string_lossy())
            .replace("@TRANSPORTS_DIR@", &transports.to_string_lossy())
            .replace("@EMPTY_DIR@", &empty.to_string_lossy())
            .replace("@RTP_PORT_RANGE@", rtp_ports)
            .replace("@HTTP_PORT@", &http_port.to_string())
    };
    std::fs::write(dir.join("janus.jcfg"), fill(CORE_TEMPLATE))?;
    std::fs::write(dir.join("janus.transport.http.jcfg"), fill(HTTP_TEMPLATE))?;
    std::fs::write(
        dir.join("janus.plugin.videoroom.jcfg"),
        fill(VIDEOROOM_TEMPLATE),
    )?;
    Ok(())
}

/// Returns Janus's version and, when dpkg lists the package, its version.
fn janus_version(binary: &Path) -> String {
    let janus = Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("Janus version:").map(str::trim))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let package = Command::new("dpkg-query")
        .args(["--show", "--showformat=${Version}", "janus"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok());
    match package {
        Some(package) => format!("{janus}, Debian package {package}"),
        None => janus,
    }
}

/// One Janus API session with the long poll that routes its events.
#[derive(Debug)]
pub struct JanusSession {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/janus/SESSION`.
    session_url: String,
    routes: Arc<Mutex<HashMap<u64, mpsc::Sender<Value>>>>,
    transactions: AtomicU64,
    poller: JoinHandle<()>,
}

/// A plugin handle and its events.
#[derive(Debug)]
struct Handle {
    id: u64,
    events: mpsc::Receiver<Value>,
}

impl JanusSession {
    /// Creates a session at `api_url` and starts its long poll, which ends
    /// with `stop`.
    pub async fn create(api_url: &str, stop: CancellationToken) -> Result<Self, AudioError> {
        let http = reqwest::Client::new();
        let reply = post(
            &http,
            api_url,
            json!({"janus": "create", "transaction": "session"}),
        )
        .await?;
        let id = reply["data"]["id"].as_u64().ok_or_else(|| {
            AudioError::Signalling(format!("create returned no session id: {reply}"))
        })?;
        let session_url = format!("{api_url}/{id}");
        let routes: Arc<Mutex<HashMap<u64, mpsc::Sender<Value>>>> = Arc::default();
        let poller = tokio::spawn(long_poll(
            http.clone(),
            session_url.clone(),
            Arc::clone(&routes),
            stop,
        ));
        Ok(Self {
            http,
            session_url,
            routes,
            transactions: AtomicU64::new(0),
            poller,
        })
    }

    fn transaction(&self) -> String {
        format!("t{}", self.transactions.fetch_add(1, Ordering::Relaxed))
    }

    /// Attaches a VideoRoom handle and routes its events to it.
    async fn attach(&self) -> Result<Handle, AudioError> {
        let reply = post(
            &self.http,
            &self.session_url,
            json!({"janus": "attach", "plugin": "janus.plugin.videoroom", "transaction": self.transaction()}),
        )
        .await?;
        let id = reply["data"]["id"].as_u64().ok_or_else(|| {
            AudioError::Signalling(format!("attach returned no handle id: {reply}"))
        })?;
        let (sender, events) = mpsc::channel(HANDLE_QUEUE);
        lock(&self.routes).insert(id, sender);
        Ok(Handle { id, events })
    }

    /// Sends a plugin message and returns the plugin's reply: the
    /// synchronous `success`, or the event with the same transaction.
    async fn message(
        &self,
        handle: &mut Handle,
        body: Value,
        jsep: Option<Value>,
    ) -> Result<Value, AudioError> {
        let transaction = self.transaction();
        let mut request = json!({"janus": "message", "transaction": transaction, "body": body});
        if let Some(jsep) = jsep {
            request["jsep"] = jsep;
        }
        let url = format!("{}/{}", self.session_url, handle.id);
        let reply = post(&self.http, &url, request).await?;
        let reply = if reply["janus"] == "ack" {
            wait_transaction(handle, &transaction).await?
        } else {
            reply
        };
        let data = &reply["plugindata"]["data"];
        if let Some(error) = data["error"].as_str() {
            return Err(AudioError::Signalling(format!(
                "VideoRoom rejected {}: {error} (code {})",
                body["request"], data["error_code"]
            )));
        }
        Ok(reply)
    }

    /// Creates audio-only room `room` for one publisher.
    pub async fn create_room(&self, room: u64) -> Result<(), AudioError> {
        let mut handle = self.attach().await?;
        let body = json!({
            "request": "create", "room": room, "description": "lectern-bench audio",
            "publishers": 1, "audiocodec": "opus", "audiolevel_ext": true,
            "notify_joining": false, "permanent": false,
        });
        let reply = self.message(&mut handle, body, None).await?;
        debug!(%reply, "VideoRoom room created");
        Ok(())
    }

    /// Joins `peer` to `room` as its publisher and returns the publisher's
    /// feed id and the task that trickles its candidates.
    pub async fn publish(
        &self,
        room: u64,
        peer: Arc<Peer>,
        counters: Arc<PeerCounters>,
        stop: CancellationToken,
    ) -> Result<(u64, JoinHandle<()>), AudioError> {
        let mut handle = self.attach().await?;
        let joined = self
            .message(
                &mut handle,
                json!({"request": "join", "ptype": "publisher", "room": room, "display": "lecturer"}),
                None,
            )
            .await?;
        let feed = joined["plugindata"]["data"]["id"]
            .as_u64()
            .ok_or_else(|| AudioError::Signalling(format!("join returned no feed id: {joined}")))?;

        let offer = peer.offer().await?;
        let configured = self
            .message(
                &mut handle,
                json!({"request": "publish", "audio": true, "video": false}),
                Some(json!({"type": "offer", "sdp": offer})),
            )
            .await?;
        let answer =
            keep_accepted_candidates(&jsep_sdp(&configured, "answer")?, PeerNetwork::BenchAddress)?;
        peer.accept_answer(answer).await?;
        let task = self.follow(handle, peer, counters, stop);
        Ok((feed, task))
    }

    /// Subscribes `peer` to `feed` in `room` and returns the task that
    /// trickles its candidates and reads its handle's events.
    pub async fn subscribe(
        &self,
        room: u64,
        feed: u64,
        peer: Arc<Peer>,
        counters: Arc<PeerCounters>,
        stop: CancellationToken,
    ) -> Result<JoinHandle<()>, AudioError> {
        let mut handle = self.attach().await?;
        let attached = self
            .message(
                &mut handle,
                json!({"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}),
                None,
            )
            .await?;
        let offer =
            keep_accepted_candidates(&jsep_sdp(&attached, "offer")?, PeerNetwork::BenchAddress)?;
        let answer = peer.answer(offer).await?;
        self.message(
            &mut handle,
            json!({"request": "start"}),
            Some(json!({"type": "answer", "sdp": answer})),
        )
        .await?;
        Ok(self.follow(handle, peer, counters, stop))
    }

    /// Spawns the task that trickles `peer`'s candidates on `handle` and
    /// applies the handle's later events until `stop`.
    fn follow(
        &self,
        handle: Handle,
        peer: Arc<Peer>,
        counters: Arc<PeerCounters>,
        stop: CancellationToken,
    ) -> JoinHandle<()> {
        let http = self.http.clone();
        let url = format!("{}/{}", self.session_url, handle.id);
        let candidates = peer.take_candidates();
        let transaction_prefix = format!("h{}-", handle.id);
        tokio::spawn(async move {
            let Handle { mut events, .. } = handle;
            let mut candidates = candidates;
            let mut sent = 0u32;
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    candidate = next_candidate(&mut candidates) => {
                        let trickle = trickle_body(candidate.as_ref(), &format!("{transaction_prefix}{sent}"));
                        sent += 1;
                        if candidate.is_none() {
                            candidates = None;
                        }
                        if let Err(error) = post(&http, &url, trickle).await {
                            warn!(%error, "trickling a candidate to Janus failed");
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    event = events.recv() => {
                        let Some(event) = event else { break };
                        apply_event(&peer, &event, &counters).await;
                    }
                }
            }
        })
    }
}

impl Drop for JanusSession {
    fn drop(&mut self) {
        self.poller.abort();
    }
}

/// Waits for the next local candidate, or forever once there are none.
async fn next_candidate(candidates: &mut Option<mpsc::Receiver<LocalCandidate>>) -> LocalCandidate {
    match candidates {
        Some(receiver) => match receiver.recv().await {
            Some(candidate) => candidate,
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

fn trickle_body(candidate: Option<&RTCIceCandidateInit>, transaction: &str) -> Value {
    match candidate {
        Some(candidate) => json!({
            "janus": "trickle", "transaction": transaction,
            "candidate": {
                "candidate": candidate.candidate,
                "sdpMid": candidate.sdp_mid,
                "sdpMLineIndex": candidate.sdp_mline_index,
            },
        }),
        None => {
            json!({"janus": "trickle", "transaction": transaction, "candidate": {"completed": true}})
        }
    }
}

/// Applies one event Janus sent a handle after its negotiation.
async fn apply_event(peer: &Peer, event: &Value, counters: &PeerCounters) {
    match event["janus"].as_str().unwrap_or_default() {
        "trickle" => {
            let candidate = &event["candidate"];
            if candidate["completed"] == true {
                return;
            }
            match serde_json::from_value::<RTCIceCandidateInit>(candidate.clone()) {
                Ok(candidate) => {
                    if let Err(error) = peer.add_remote_candidate(candidate).await {
                        warn!(%error, "a Janus candidate was rejected");
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(error) => warn!(%error, "cannot decode a Janus candidate"),
            }
        }
        "hangup" | "detached" => {
            if !counters.stopping.load(Ordering::Relaxed) {
                warn!(%event, "Janus hung up a bench peer");
            }
        }
        other => debug!(event = other, "Janus event"),
    }
}

/// Waits for the event of `transaction` on `handle`, skipping others.
async fn wait_transaction(handle: &mut Handle, transaction: &str) -> Result<Value, AudioError> {
    let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    loop {
        let event = tokio::time::timeout_at(deadline, handle.events.recv())
            .await
            .map_err(|_| AudioError::Timeout("a VideoRoom event"))?
            .ok_or_else(|| AudioError::Signalling("the Janus long poll stopped".to_owned()))?;
        if event["transaction"] == transaction {
            return Ok(event);
        }
        debug!(%event, "Janus event before the awaited reply");
    }
}

fn jsep_sdp(reply: &Value, expected_type: &str) -> Result<String, AudioError> {
    let jsep = &reply["jsep"];
    if jsep["type"] != expected_type {
        return Err(AudioError::Signalling(format!(
            "Janus sent no {expected_type}: {reply}"
        )));
    }
    jsep["sdp"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| AudioError::Signalling(format!("the {expected_type} has no SDP: {reply}")))
}

/// Long-polls `session_url` until `stop` and routes each event to the
/// handle named in its `sender`.
async fn long_poll(
    http: reqwest::Client,
    session_url: String,
    routes: Arc<Mutex<HashMap<u64, mpsc::Sender<Value>>>>,
    stop: CancellationToken,
) {
    let url = format!("{session_url}?maxev={EVENTS_PER_POLL}");
    loop {
        let response = tokio::select! {
            () = stop.cancelled() => return,
            response = get(&http, &url) => response,
        };
        let events = match response {
            Ok(Value::Array(events)) => events,
            Ok(event) => vec![event],
            Err(error) => {
                warn!(%error, "the Janus long poll failed; retrying");
                tokio::time::sleep(POLL_RETRY).await;
                continue;
            }
        };
        for event in events {
            let Some(sender) = event["sender"].as_u64() else {
                continue;
            };
            let route = lock(&routes).get(&sender).cloned();
            match route {
                Some(route) => {
                    if route.try_send(event).is_err() {
                        warn!(
                            handle = sender,
                            "a Janus event was dropped: the handle's queue is full"
                        );
                    }
                }
                None => debug!(
                    handle = sender,
                    "event for a handle the bench does not know"
                ),
            }
        }
    }
}

async fn post(http: &reqwest::Client, url: &str, body: Value) -> Result<Value, AudioError> {
    let response = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(AudioError::transport(format!("POST {url}")))?;
    let reply: Value = response
        .json()
        .await
        .map_err(AudioError::transport(format!(
            "decoding the reply of POST {url}"
        )))?;
    if reply["janus"] == "error" {
        return Err(AudioError::Signalling(format!(
            "Janus rejected {}: {}",
            body["janus"], reply["error"]
        )));
    }
    Ok(reply)
}

async fn get(http: &reqwest::Client, url: &str) -> Result<Value, AudioError> {
    http.get(url)
        .send()
        .await
        .map_err(AudioError::transport(format!("GET {url}")))?
        .json()
        .await
        .map_err(AudioError::transport(format!(
            "decoding the reply of GET {url}"
        )))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}
