//! The servers a scenario runs against.
//!
//! A [`Target`] names a system. [`Deployment::start`] starts it, or
//! [`Deployment::running`] reaches one already running. [`Deployment::room`]
//! prepares a fresh room as an [`Endpoint`], which contains the WebSocket
//! URLs of its writer and readers, the server's process id, and how the
//! server speaks the protocol. Scenarios use nothing else, so
//! adding a peer means a `Target` variant and its arms in `Deployment`.
//! The peers installed by `bench/setup` are started by [`crate::peers`];
//! [`Target::available`] says whether one is installed.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tracing::{debug, info, warn};

use crate::clients::Protocol;
use crate::framing::Framing;
use crate::peers::{self, NotInstalled};

/// How long a started server has to print its listening address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The password of the lecturer the bench creates in its own data directory.
const BENCH_PASSWORD: &str = "bench-lecturer-password";
const BENCH_EMAIL: &str = "bench@example.org";

/// A system a scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Lectern's `lectern serve`.
    Lectern,
    /// The raw broadcast server of this crate, the ceiling.
    Raw,
    /// `@y/websocket-server`, the Node.js reference y-websocket server.
    YWebsocket,
    /// `@hocuspocus/server`, Hocuspocus with no extensions.
    Hocuspocus,
    /// y-sweet, Jamsocket's Rust y-websocket server, with no store.
    YSweet,
}

impl Target {
    /// The system's name in results.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lectern => "lectern",
            Self::Raw => "raw",
            Self::YWebsocket => "y-websocket",
            Self::Hocuspocus => "hocuspocus",
            Self::YSweet => "y-sweet",
        }
    }

    /// Checks that the target can be started here: the peers need
    /// `bench/setup` first, while Lectern and raw are built with the bench.
    pub fn available(self) -> Result<(), NotInstalled> {
        peers::check_installed(self)
    }

    /// Returns the target's framing of y-websocket messages.
    pub fn framing(self) -> Framing {
        match self {
            Self::Hocuspocus => Framing::Hocuspocus,
            Self::Lectern | Self::Raw | Self::YWebsocket | Self::YSweet => Framing::YWebsocket,
        }
    }
}

/// Returns the targets of `targets` that are installed, logging a warning
/// that names `bench/setup` for each one that is skipped.
pub fn available_targets(targets: &[Target]) -> Vec<Target> {
    targets
        .iter()
        .copied()
        .filter(|target| match target.available() {
            Ok(()) => true,
            Err(error) => {
                warn!(target = target.name(), %error, "skipping a peer that is not installed");
                false
            }
        })
        .collect()
}

/// Binaries and placement for [`Deployment::start`].
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// The `lectern` binary [default: next to this binary].
    pub lectern_bin: Option<PathBuf>,
    /// The `raw-broadcast` binary [default: next to this binary].
    pub raw_bin: Option<PathBuf>,
    /// The CPU to pin the server to, or `None` to leave it unpinned.
    pub server_cpu: Option<usize>,
}

/// One running server of a [`Target`], started by the bench or reached at
/// a URL. A server the bench started stops when this is dropped.
#[derive(Debug)]
pub struct Deployment {
    pub target: Target,
    pub version: String,
    pub server_pid: Option<u32>,
    /// `http://HOST:PORT` for Lectern and y-sweet, `ws://HOST:PORT` for
    /// raw, y-websocket and Hocuspocus.
    base_url: String,
    lecturer: Lecturer,
    /// Rooms handed out so far, for unique room names.
    rooms: std::sync::atomic::AtomicUsize,
    _server: Option<ServerProcess>,
}

impl Deployment {
    /// Starts `target` on 127.0.0.1 with port 0, pinned to
    /// `options.server_cpu`.
    pub async fn start(target: Target, options: &StartOptions) -> anyhow::Result<Self> {
        let (server, base_url, version) = match target {
            Target::Lectern => {
                let binary = match &options.lectern_bin {
                    Some(path) => path.clone(),
                    None => sibling_binary("lectern")?,
                };
                let server = start_lectern(&binary, options.server_cpu)?;
                let base = format!("http://{}", server.address);
                (server, base, lectern_version(&binary))
            }
            Target::Raw => {
                let binary = match &options.raw_bin {
                    Some(path) => path.clone(),
                    None => sibling_binary("raw-broadcast")?,
                };
                let server = start_raw(&binary, options.server_cpu)?;
                let base = format!("ws://{}", server.address);
                (server, base, env!("CARGO_PKG_VERSION").to_owned())
            }
            Target::YWebsocket | Target::Hocuspocus => {
                let (server, version) = peers::start_node_peer(target, options.server_cpu)?;
                let base = format!("ws://{}", server.address);
                (server, base, version)
            }
            Target::YSweet => {
                let (server, version) = peers::start_ysweet(options.server_cpu)?;
                let base = format!("http://{}", server.address);
                (server, base, version)
            }
        };
        Ok(Self {
            target,
            version,
            server_pid: Some(server.pid()),
            base_url,
            lecturer: Lecturer::bench(),
            rooms: std::sync::atomic::AtomicUsize::new(0),
            _server: Some(server),
        })
    }

    /// Reaches a server that is already running at `url`, which must be a
    /// loopback address. `lecturer` is used by targets with accounts.
    pub fn running(
        target: Target,
        url: &str,
        server_pid: Option<u32>,
        lecturer: Lecturer,
    ) -> anyhow::Result<Self> {
        require_loopback(url)?;
        Ok(Self {
            target,
            version: "unknown".to_owned(),
            server_pid,
            base_url: url.trim_end_matches('/').to_owned(),
            lecturer,
            rooms: std::sync::atomic::AtomicUsize::new(0),
            _server: None,
        })
    }

    /// Returns the base URL: `http://HOST:PORT` for Lectern and y-sweet,
    /// `ws://HOST:PORT` for raw, y-websocket and Hocuspocus.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The lecturer account on a Lectern deployment.
    pub fn lecturer(&self) -> &Lecturer {
        &self.lecturer
    }

    /// The data directory of a server the bench started, for reading its
    /// files; `None` for a server reached at a URL or without one.
    pub fn data_dir(&self) -> Option<&Path> {
        let server = self._server.as_ref()?;
        server._data_dir.as_ref().map(tempfile::TempDir::path)
    }

    /// Prepares a new, empty room with `readers` reader URLs.
    pub async fn room(&self, readers: usize) -> anyhow::Result<Endpoint> {
        let index = self
            .rooms
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut endpoint = match self.target {
            Target::Lectern => {
                lectern_endpoint(
                    &self.base_url,
                    &self.lecturer,
                    readers,
                    self.server_pid,
                    self.version.clone(),
                )
                .await?
            }
            Target::Raw => raw_room(&self.base_url, index, readers, self.server_pid),
            Target::YWebsocket | Target::Hocuspocus => {
                let url = format!("{}/room-{}", self.base_url, index + 1);
                shared_room(self.target, url, readers, self.server_pid)
            }
            Target::YSweet => {
                let document = format!("room-{}", index + 1);
                let url = peers::ysweet_document_url(&self.base_url, &document).await?;
                shared_room(self.target, url, readers, self.server_pid)
            }
        };
        endpoint.version = self.version.clone();
        Ok(endpoint)
    }
}

/// Everything a scenario needs to reach one room of a server.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The system's name in results, [`Target::name`].
    pub system: String,
    pub version: String,
    pub writer_url: String,
    pub reader_urls: Vec<String>,
    /// The server's process, for CPU and memory; `None` when unknown.
    pub server_pid: Option<u32>,
    /// Whether the server keeps the document and replies to sync step 1.
    pub server_syncs: bool,
    /// The writer's user id, stored as each stroke's `author`.
    pub author: String,
    /// The server's framing.
    pub framing: Framing,
}

impl Endpoint {
    /// Returns what the clients need to know about this server, with
    /// `writer_client_id` as the writer's Yjs client id.
    pub fn protocol(&self, writer_client_id: u64) -> Protocol {
        Protocol {
            server_syncs: self.server_syncs,
            writer_client_id,
            framing: self.framing,
        }
    }
}

/// A server process the bench started; it is killed when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub address: SocketAddr,
    /// The server's data directory, removed after the server stops.
    _data_dir: Option<tempfile::TempDir>,
}

impl ServerProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Err(error) = self.child.kill() {
            debug!(%error, pid = self.child.id(), "server already stopped");
        }
        let _ = self.child.wait();
    }
}

/// Returns the path of a binary built next to this one, as cargo places
/// the binaries of one workspace in one target directory.
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find the bench's own path")?;
    let dir = exe
        .parent()
        .context("the bench's path has no parent directory")?;
    Ok(dir.join(name))
}

/// Returns the address from a log line that announces it, such as
/// `INFO lectern_server: listening url=http://127.0.0.1:4123/ address=127.0.0.1:4123`
/// or y-sweet's `INFO y_sweet: Listening on ws://127.0.0.1:4123`.
/// Terminal colour codes in the line are ignored.
pub fn parse_listen_address(line: &str) -> Option<SocketAddr> {
    let line = strip_ansi_codes(line);
    if !line.to_ascii_lowercase().contains("listening") {
        return None;
    }
    line.split_whitespace().find_map(|field| {
        let address = field
            .strip_prefix("address=")
            .or_else(|| field.strip_prefix("ws://"))?;
        address.trim_end_matches('/').parse().ok()
    })
}

/// Removes ANSI escape sequences (`ESC [ ... letter`) from `line`.
fn strip_ansi_codes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for code in chars.by_ref() {
                if code.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Starts `command` and waits for the listening address in its standard
/// output or error. The rest of both is logged at debug level.
pub fn spawn_server(
    mut command: Command,
    data_dir: Option<tempfile::TempDir>,
) -> anyhow::Result<ServerProcess> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    let stdout = child
        .stdout
        .take()
        .context("the server's standard output is not piped")?;
    let stderr = child
        .stderr
        .take()
        .context("the server's standard error is not piped")?;

    let (address_tx, address_rx) = mpsc::channel();
    watch_output(stdout, address_tx.clone());
    watch_output(stderr, address_tx);

    let mut server = ServerProcess {
        child,
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
        _data_dir: data_dir,
    };
    server.address = address_rx.recv_timeout(START_TIMEOUT).map_err(|_| {
        anyhow::anyhow!(
            "the server printed no listening address within {START_TIMEOUT:?}; \
             run it by hand (with LECTERN_LOG=info for lectern, or \
             LECTERN_BENCH_LOG=debug to see its output here) to see why"
        )
    })?;
    info!(address = %server.address, pid = server.pid(), "server started");
    Ok(server)
}

/// Logs each line of `output` at debug level on a thread of its own, and
/// sends the first listening address it finds on `address`.
fn watch_output(output: impl std::io::Read + Send + 'static, address: mpsc::Sender<SocketAddr>) {
    std::thread::spawn(move || {
        let mut address = Some(address);
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            debug!(target: "server", "{line}");
            if let Some(found) = parse_listen_address(&line)
                && let Some(sender) = address.take()
            {
                let _ = sender.send(found);
            }
        }
    });
}

/// Returns a command that runs `program` pinned to `cpu` with taskset, or
/// unpinned when `cpu` is `None`.
pub fn pinned_command(program: &Path, cpu: Option<usize>) -> Command {
    match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(cpu.to_string()).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Settings for a benchmark server: no audio, and join and login limits
/// high enough for hundreds of students from one address.
const LECTERN_CONFIG: &str = "\
[limits]
joins_per_minute = 100000
logins_per_minute = 1000

[audio]
enabled = false
";

/// Starts `lectern serve` on 127.0.0.1 port 0 with a fresh data directory
/// and a lecturer account.
pub fn start_lectern(binary: &Path, cpu: Option<usize>) -> anyhow::Result<ServerProcess> {
    start_lectern_with_config(binary, cpu, LECTERN_CONFIG)
}

/// Starts `lectern serve` as [`start_lectern`] does, with the settings
/// file `settings` (TOML) in place of the bench's default.
pub fn start_lectern_with_config(
    binary: &Path,
    cpu: Option<usize>,
    settings: &str,
) -> anyhow::Result<ServerProcess> {
    let data_dir = tempfile::tempdir().context("cannot create a data directory")?;
    let config = data_dir.path().join("bench.toml");
    std::fs::write(&config, settings).context("cannot write the server settings")?;

    let mut add_user = Command::new(binary);
    add_user
        .args([
            "user",
            "add",
            "--email",
            BENCH_EMAIL,
            "--name",
            "Bench Lecturer",
        ])
        .args(["--role", "lecturer", "--password-stdin"])
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(data_dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = add_user.spawn().with_context(|| {
        format!(
            "cannot run {}; build it with `cargo build --release -p lectern-server --bin lectern`",
            binary.display()
        )
    })?;
    child
        .stdin
        .take()
        .context("user add has no standard input")?
        .write_all(BENCH_PASSWORD.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "`lectern user add` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }

    let mut serve = pinned_command(binary, cpu);
    serve
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(data_dir.path())
        .env("LECTERN_LOG", "info");
    spawn_server(serve, Some(data_dir))
}

/// Starts the raw broadcast server on 127.0.0.1 port 0.
pub fn start_raw(binary: &Path, cpu: Option<usize>) -> anyhow::Result<ServerProcess> {
    let mut command = pinned_command(binary, cpu);
    command.args(["--listen", "127.0.0.1:0"]);
    spawn_server(command, None)
}

/// Returns `lectern --version` without the program name.
pub fn lectern_version(binary: &Path) -> String {
    Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().trim_start_matches("lectern").trim().to_owned())
        .filter(|version| !version.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Rejects a URL whose host is not on this machine's loopback interface:
/// the bench only loads servers it runs here.
pub fn require_loopback(url: &str) -> anyhow::Result<()> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!(
            "invalid --url {url}: the bench only connects to loopback addresses (127.0.0.0/8, localhost, [::1])"
        );
    }
    Ok(())
}

/// Credentials of a lecturer on a running Lectern server.
#[derive(Debug, Clone)]
pub struct Lecturer {
    pub email: String,
    pub password: String,
}

impl Lecturer {
    /// Returns the account that [`start_lectern`] creates.
    pub fn bench() -> Self {
        Self {
            email: BENCH_EMAIL.to_owned(),
            password: BENCH_PASSWORD.to_owned(),
        }
    }
}

/// Logs in to Lectern at `base` (`http://HOST:PORT`), creates a room and
/// joins `readers` students to it.
pub async fn lectern_endpoint(
    base: &str,
    lecturer: &Lecturer,
    readers: usize,
    server_pid: Option<u32>,
    version: String,
) -> anyhow::Result<Endpoint> {
    let http = reqwest::Client::new();
    let base = base.trim_end_matches('/');

    let login = post_json(
        &http,
        &format!("{base}/api/v1/auth/login"),
        None,
        json!({ "email": lecturer.email, "password": lecturer.password }),
        200,
    )
    .await
    .context("lecturer login failed")?;
    let token = string_field(&login, "token")?;
    let author = login["user"]["id"].as_str().unwrap_or("bench").to_owned();

    let room = post_json(
        &http,
        &format!("{base}/api/v1/rooms"),
        Some(&token),
        json!({ "title": "Benchmark lecture" }),
        201,
    )
    .await
    .context("creating the room failed")?;
    let code = string_field(&room, "code")?;

    let ws_base = base.replacen("http", "ws", 1);
    let mut reader_urls = Vec::with_capacity(readers);
    for index in 0..readers {
        let joined = post_json(
            &http,
            &format!("{base}/api/v1/rooms/{code}/join"),
            None,
            json!({ "name": format!("Student {index}") }),
            201,
        )
        .await
        .with_context(|| format!("joining student {index} failed"))?;
        let student_token = string_field(&joined, "token")?;
        reader_urls.push(format!("{ws_base}/ws/board/{code}?token={student_token}"));
    }

    Ok(Endpoint {
        system: "lectern".to_owned(),
        version,
        writer_url: format!("{ws_base}/ws/board/{code}?token={token}"),
        reader_urls,
        server_pid,
        server_syncs: true,
        author,
        framing: Framing::YWebsocket,
    })
}

/// Returns an endpoint for room number `index` of the raw broadcast server
/// at `ws_base` (`ws://HOST:PORT`).
pub fn raw_room(ws_base: &str, index: usize, readers: usize, server_pid: Option<u32>) -> Endpoint {
    let room = format!("{}/room-{}", ws_base.trim_end_matches('/'), index + 1);
    Endpoint {
        system: "raw".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        writer_url: room.clone(),
        reader_urls: vec![room; readers],
        server_pid,
        server_syncs: false,
        author: "bench".to_owned(),
        framing: Framing::YWebsocket,
    }
}

/// Returns an endpoint where the writer and every reader connect to `url`
/// of a peer that keeps the document: y-websocket, Hocuspocus or y-sweet.
pub fn shared_room(
    target: Target,
    url: String,
    readers: usize,
    server_pid: Option<u32>,
) -> Endpoint {
    Endpoint {
        system: target.name().to_owned(),
        version: String::new(),
        writer_url: url.clone(),
        reader_urls: vec![url; readers],
        server_pid,
        server_syncs: true,
        author: "bench".to_owned(),
        framing: target.framing(),
    }
}

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
    expected_status: u16,
) -> anyhow::Result<Value> {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("POST {url} failed"))?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    if status != expected_status {
        bail!("POST {url} returned {status}, expected {expected_status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url} returned invalid JSON: {text}"))
}

fn string_field(value: &Value, name: &str) -> anyhow::Result<String> {
    value[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the response has no string field {name:?}: {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_address_from_lectern_log() {
        let line = "2026-12-05T00:01:02.345Z  INFO lectern_server: listening \
                    url=http://127.0.0.1:41234/ address=127.0.0.1:41234";
        assert_eq!(
            parse_listen_address(line),
            Some(SocketAddr::from(([127, 0, 0, 1], 41234)))
        );
    }

    #[test]
    fn listen_address_from_ysweet_log() {
        let line = "\u{1b}[2m2026-12-05T00:01:02Z\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m \
                    \u{1b}[2my_sweet\u{1b}[0m\u{1b}[2m:\u{1b}[0m Listening on ws://127.0.0.1:41235";
        assert_eq!(
            parse_listen_address(line),
            Some(SocketAddr::from(([127, 0, 0, 1], 41235)))
        );
    }

    #[test]
    fn listen_address_from_node_launcher() {
        let line = "hocuspocus listening address=127.0.0.1:41236";
        assert_eq!(
            parse_listen_address(line),
            Some(SocketAddr::from(([127, 0, 0, 1], 41236)))
        );
    }

    #[test]
    fn other_log_lines_have_no_address() {
        assert_eq!(parse_listen_address("INFO starting Lectern 0.1.0"), None);
        assert_eq!(
            parse_listen_address("INFO connection closed address=127.0.0.1:5"),
            None
        );
    }

    #[test]
    fn loopback_urls_are_accepted() {
        for url in [
            "http://127.0.0.1:8080",
            "ws://localhost:9000/room",
            "http://[::1]:8080/",
            "http://127.0.0.2",
        ] {
            assert!(require_loopback(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_hosts_are_rejected() {
        for url in [
            "http://10.0.0.5:8080",
            "ws://example.org/room",
            "http://[2001:db8::1]:80",
        ] {
            assert!(require_loopback(url).is_err(), "{url}");
        }
    }

    #[test]
    fn raw_room_puts_everyone_in_one_room() {
        let endpoint = raw_room("ws://127.0.0.1:9000/", 0, 3, None);
        assert_eq!(endpoint.writer_url, "ws://127.0.0.1:9000/room-1");
        assert_eq!(endpoint.reader_urls.len(), 3);
        assert!(
            endpoint
                .reader_urls
                .iter()
                .all(|url| *url == endpoint.writer_url)
        );
        assert!(!endpoint.server_syncs);
    }
}
