//! A real server on port 0 with a temporary data directory, and clients
//! that speak its REST API and the y-websocket protocol.

#![allow(dead_code)]

pub mod audio;
pub mod media;

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use lectern_board::protocol::{Message, decode_frame, encode};
use lectern_server::{Server, Settings, hash_password};
use lectern_store::{NewUser, Store};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, Map, ReadTxn, StateVector, Text, Transact, Update};

/// How long a test waits for an event before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub const LECTURER_EMAIL: &str = "ada@example.org";
pub const LECTURER_PASSWORD: &str = "analytical-engine";
pub const OTHER_LECTURER_EMAIL: &str = "charles@example.org";
pub const ADMIN_EMAIL: &str = "grace@example.org";

pub struct TestServer {
    pub server: Option<Server>,
    pub base: String,
    pub settings: Settings,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// Sends the server's log to the test output, filtered by `LECTERN_LOG`
/// (default `warn`), for reading a failed test's output.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LECTERN_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
}

/// Settings for a test server; `tune` adjusts them before start.
pub async fn start_with(tune: impl FnOnce(&mut Settings)) -> TestServer {
    init_tracing();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::new(([127, 0, 0, 1], 0).into(), dir.path());
    // Media binds the listen address, 127.0.0.1, on ports the system picks,
    // so that test processes running at once never compete for a range.
    settings.audio.ports = lectern_sfu::MediaPorts::Ephemeral;
    tune(&mut settings);
    add_accounts(&settings.database_url).await;
    start_in(dir, settings).await
}

/// A fresh PostgreSQL database on the test server named by
/// `LECTERN_TEST_POSTGRES_URL`, or `None` when that is unset and
/// `LECTERN_REQUIRE_POSTGRES` is not `1`.
pub async fn postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("LECTERN_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("LECTERN_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "LECTERN_TEST_POSTGRES_URL is not set but LECTERN_REQUIRE_POSTGRES=1"
        );
        return None;
    };

    use sqlx::Connection;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    sqlx::any::install_default_drivers();

    let name = format!(
        "lectern_server_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("connect to the PostgreSQL test server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
    Some(format!("{base}/{name}"))
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

async fn start_in(dir: tempfile::TempDir, settings: Settings) -> TestServer {
    let server = Server::start(settings.clone())
        .await
        .expect("server starts");
    let base = format!("http://{}", server.address());
    TestServer {
        server: Some(server),
        base,
        settings,
        dir,
        http: reqwest::Client::new(),
    }
}

async fn add_accounts(database_url: &str) {
    let store = Store::connect(database_url).await.expect("store");
    let hash = hash_password(LECTURER_PASSWORD).expect("hash");
    for (id, email, role) in [
        ("lecturer-1", LECTURER_EMAIL, "lecturer"),
        ("lecturer-2", OTHER_LECTURER_EMAIL, "lecturer"),
        ("admin-1", ADMIN_EMAIL, "admin"),
    ] {
        store
            .create_user(&NewUser {
                id,
                email,
                name: id,
                role,
                password_hash: &hash,
                created_at: 0,
            })
            .await
            .expect("create user");
    }
    store.close().await;
}

impl TestServer {
    /// Stops the server and starts a new one on the same data directory
    /// and port, as a restart would.
    pub async fn restart(mut self) -> TestServer {
        let server = self.server.take().expect("running");
        let address = server.address();
        server.shutdown().await;

        let mut settings = self.settings.clone();
        settings.listen = address;
        start_in(self.dir, settings).await
    }

    /// A client for a server running in another process.
    pub fn remote(base: &str, dir: tempfile::TempDir) -> TestServer {
        TestServer {
            server: None,
            base: base.to_owned(),
            settings: Settings::new(([127, 0, 0, 1], 0).into(), dir.path()),
            dir,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws_url(&self, code: &str, token: &str) -> String {
        format!(
            "{}/ws/board/{code}?token={token}",
            self.base.replace("http://", "ws://")
        )
    }

    /// Sends a JSON request and returns the status and the JSON body
    /// (`Value::Null` when the body is empty).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({ "email": email, "password": LECTURER_PASSWORD })),
            )
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Logs in as the lecturer and creates a room; returns (token, code).
    pub async fn lecturer_room(&self) -> (String, String) {
        let token = self.login(LECTURER_EMAIL).await;
        let (status, body) = self
            .call(
                "POST",
                "/api/v1/rooms",
                Some(&token),
                Some(json!({ "title": "Calculus" })),
            )
            .await;
        assert_eq!(status, 201, "create room failed: {body}");
        (token, body["code"].as_str().expect("code").to_owned())
    }

    /// Joins a room as a student; returns (token, participant id).
    pub async fn join(&self, code: &str, name: &str) -> (String, String) {
        let (status, body) = self
            .call(
                "POST",
                &format!("/api/v1/rooms/{code}/join"),
                None,
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 201, "join failed: {body}");
        (
            body["token"].as_str().expect("token").to_owned(),
            body["participant_id"]
                .as_str()
                .expect("participant id")
                .to_owned(),
        )
    }

    /// Downloads the board and returns it as a document.
    pub async fn board(&self, code: &str, token: &str) -> Doc {
        let response = self
            .http
            .get(self.url(&format!("/api/v1/rooms/{code}/board")))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), 200);
        let bytes = response.bytes().await.expect("body");
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(Update::decode_v1(&bytes).expect("valid update"))
            .expect("applies");
        doc
    }

    pub async fn stop(mut self) {
        // The client's idle keep-alive connections go first. NOTE: with them
        // open, a shutdown on the multi-threaded runtime sometimes waited for
        // the 30 s timeout of `Server::shutdown`, and would now wait for the
        // grace period (10 s by default). The cause inside warp is not known.
        self.http = reqwest::Client::new();
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// Reads the text of `notes`, the root text type the tests write to.
pub fn notes(doc: &Doc) -> String {
    let text = doc.get_or_insert_text("notes");
    text.get_string(&doc.transact())
}

/// Returns the keys of the `elements` map.
pub fn element_ids(doc: &Doc) -> Vec<String> {
    let elements = doc.get_or_insert_map("elements");
    let txn = doc.transact();
    let mut keys: Vec<String> = elements.keys(&txn).map(str::to_owned).collect();
    keys.sort();
    keys
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a board client observed besides document updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    PermissionDenied(String),
    /// The server's awareness entry changed; see `BoardClient::server_state`.
    ServerState,
    Awareness(Vec<u8>),
    Closed(Option<(u16, String)>),
}

/// A board client holding its own copy of the document.
pub struct BoardClient {
    pub socket: Socket,
    pub doc: Doc,
    /// Sync step 2 messages received so far.
    pub sync_replies: usize,
    /// The latest server awareness state (client id 0): drawing rights and
    /// who is online.
    pub server_state: Option<Value>,
}

impl BoardClient {
    /// Connects and completes the handshake: sends sync step 1 and waits
    /// for the server's sync step 2.
    pub async fn connect(server: &TestServer, code: &str, token: &str) -> BoardClient {
        let (socket, _) = tokio_tungstenite::connect_async(server.ws_url(code, token))
            .await
            .expect("WebSocket connects");
        let mut client = BoardClient {
            socket,
            doc: Doc::new(),
            sync_replies: 0,
            server_state: None,
        };
        client.round_trip().await;
        client
    }

    /// Sends sync step 1 and waits for the server's sync step 2. The server
    /// handles a connection's frames in order, so once this returns every
    /// frame sent before it has been handled, and the local copy holds
    /// everything the server had.
    pub async fn round_trip(&mut self) {
        let expected = self.sync_replies + 1;
        let state_vector = self.doc.transact().state_vector().encode_v1();
        self.send(&encode(&Message::SyncStep1(&state_vector))).await;
        self.wait_for(|client, _| client.sync_replies >= expected)
            .await;
    }

    /// Runs [`BoardClient::round_trip`] twice and returns the events seen,
    /// so that replies to the client's own sync step 2 are included.
    pub async fn wait_for_round_trip_events(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        for _ in 0..2 {
            let expected = self.sync_replies + 1;
            let state_vector = self.doc.transact().state_vector().encode_v1();
            self.send(&encode(&Message::SyncStep1(&state_vector))).await;
            events.extend(
                self.wait_for(|client, _| client.sync_replies >= expected)
                    .await,
            );
        }
        events
    }

    pub async fn send(&mut self, frame: &[u8]) {
        self.socket
            .send(WsMessage::binary(frame.to_vec()))
            .await
            .expect("frame sent");
    }

    /// Edits the local copy with `edit` and sends the resulting update.
    pub async fn edit(&mut self, edit: impl FnOnce(&Doc, &mut yrs::TransactionMut)) {
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            edit(&self.doc, &mut txn);
        }
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        self.send(&encode(&Message::Update(&update))).await;
    }

    /// Appends `text` to the shared `notes` text.
    pub async fn type_text(&mut self, text: &str) {
        let notes = self.doc.get_or_insert_text("notes");
        self.edit(|_, txn| {
            let length = notes.len(txn);
            notes.insert(txn, length, text);
        })
        .await;
    }

    /// Adds an element with the given id to `elements`.
    pub async fn add_element(&mut self, id: &str) {
        let elements = self.doc.get_or_insert_map("elements");
        self.edit(|_, txn| {
            elements.insert(txn, id, "stroke");
        })
        .await;
    }

    /// Reads frames, applying updates to the local copy, until `done`
    /// returns true for the client and the last event. Panics after [`WAIT`].
    pub async fn wait_for(
        &mut self,
        mut done: impl FnMut(&BoardClient, Option<&Event>) -> bool,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("timed out waiting for the expected board event");
            let event = match next {
                None => Some(Event::Closed(None)),
                Some(Err(tungstenite::Error::ConnectionClosed)) => Some(Event::Closed(None)),
                Some(Err(error)) => panic!("WebSocket error: {error}"),
                Some(Ok(message)) => self.handle(message).await,
            };
            let closed = matches!(event, Some(Event::Closed(_)));
            if done(self, event.as_ref()) {
                if let Some(event) = event {
                    events.push(event);
                }
                return events;
            }
            if let Some(event) = event {
                events.push(event);
            }
            assert!(
                !closed,
                "connection closed before the expected event: {events:?}"
            );
        }
    }

    async fn handle(&mut self, message: WsMessage) -> Option<Event> {
        match message {
            WsMessage::Binary(bytes) => {
                let messages = decode_frame(&bytes).expect("server frames are valid");
                let mut event = None;
                for message in messages {
                    match message {
                        Message::SyncStep1(state_vector) => {
                            let state_vector = StateVector::decode_v1(state_vector).expect("valid");
                            let diff = self.doc.transact().encode_state_as_update_v1(&state_vector);
                            self.socket
                                .send(WsMessage::binary(encode(&Message::SyncStep2(&diff))))
                                .await
                                .expect("reply sent");
                        }
                        Message::SyncStep2(update) => {
                            let update = Update::decode_v1(update).expect("valid update");
                            self.doc
                                .transact_mut()
                                .apply_update(update)
                                .expect("applies");
                            self.sync_replies += 1;
                        }
                        Message::Update(update) => {
                            let update = Update::decode_v1(update).expect("valid update");
                            self.doc
                                .transact_mut()
                                .apply_update(update)
                                .expect("applies");
                        }
                        Message::Awareness(update) => event = self.split_awareness(update),
                        Message::PermissionDenied(reason) => {
                            event = Some(Event::PermissionDenied(reason.to_owned()))
                        }
                        Message::QueryAwareness => {}
                    }
                }
                event
            }
            WsMessage::Close(frame) => {
                Some(Event::Closed(frame.map(|CloseFrame { code, reason }| {
                    (u16::from(code), reason.to_string())
                })))
            }
            _ => None,
        }
    }

    /// Waits until the server's awareness state satisfies `check`.
    pub async fn until_server_state(&mut self, check: impl Fn(&Value) -> bool) {
        let satisfied = |client: &BoardClient| client.server_state.as_ref().is_some_and(&check);
        if satisfied(self) {
            return;
        }
        self.wait_for(|client, _| satisfied(client)).await;
    }

    /// Keeps the server's entry (client id 0) in `server_state` and returns
    /// the rest of an awareness update as an event, re-encoded without it.
    fn split_awareness(&mut self, update: &[u8]) -> Option<Event> {
        let mut reader = lectern_board::encoding::Reader::new(update);
        let count = reader.read_var_u64("count").expect("valid awareness");
        let mut clients = Vec::new();
        for _ in 0..count {
            let client_id = reader.read_var_u64("client").expect("valid awareness");
            let clock = reader.read_var_u64("clock").expect("valid awareness");
            let state = reader.read_var_string("state").expect("valid awareness");
            if client_id == 0 {
                self.server_state =
                    Some(serde_json::from_str(state).expect("server state is JSON"));
            } else {
                clients.push((client_id, clock, state.to_owned()));
            }
        }

        if clients.is_empty() && count > 0 {
            return Some(Event::ServerState);
        }
        let mut out = Vec::new();
        lectern_board::encoding::write_var_u64(&mut out, clients.len() as u64);
        for (client_id, clock, state) in &clients {
            lectern_board::encoding::write_var_u64(&mut out, *client_id);
            lectern_board::encoding::write_var_u64(&mut out, *clock);
            lectern_board::encoding::write_var_string(&mut out, state);
        }
        Some(Event::Awareness(out))
    }

    /// Waits until the connection closes and returns its close code and reason.
    pub async fn closed(&mut self) -> Option<(u16, String)> {
        let events = self
            .wait_for(|_, event| matches!(event, Some(Event::Closed(_))))
            .await;
        match events.last() {
            Some(Event::Closed(frame)) => frame.clone(),
            _ => None,
        }
    }

    /// Waits until the local copy satisfies `check`.
    pub async fn until(&mut self, check: impl Fn(&Doc) -> bool) {
        if check(&self.doc) {
            return;
        }
        self.wait_for(|client, _| check(&client.doc)).await;
    }
}

/// Encodes an awareness update with one client's state.
pub fn awareness_update(client_id: u64, clock: u64, state: &str) -> Vec<u8> {
    let mut out = Vec::new();
    lectern_board::encoding::write_var_u64(&mut out, 1);
    lectern_board::encoding::write_var_u64(&mut out, client_id);
    lectern_board::encoding::write_var_u64(&mut out, clock);
    lectern_board::encoding::write_var_string(&mut out, state);
    out
}

impl TestServer {
    pub fn control_url(&self, code: &str, token: &str) -> String {
        format!(
            "{}/ws/control/{code}?token={token}",
            self.base.replace("http://", "ws://")
        )
    }

    /// Creates a quiz owned by the holder of `token` and returns its id.
    pub async fn create_quiz(&self, token: &str, quiz: Value) -> String {
        let (status, body) = self
            .call("POST", "/api/v1/quizzes", Some(token), Some(quiz))
            .await;
        assert_eq!(status, 201, "create quiz failed: {body}");
        body["id"].as_str().expect("quiz id").to_owned()
    }

    /// Sends a GET request and returns the status, the headers and the
    /// body as text.
    pub async fn get_text(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("body"))
    }
}

/// Builds a quiz of two single-choice questions, `time_limit_secs` each. The
/// answer to "Largest planet?" is choice 1, and to "Red planet?" choice 0.
pub fn planets_quiz(time_limit_secs: u32) -> Value {
    json!({
        "title": "Planets",
        "questions": [
            { "id": "q1", "text": "Largest planet?", "type": "single_choice",
              "time_limit_secs": time_limit_secs,
              "choices": [ { "text": "Mars", "weight": 0, "feedback": "Mars is small." },
                           { "text": "Jupiter", "weight": 100 } ],
              "feedback": { "general": "Jupiter is a gas giant." } },
            { "id": "q2", "text": "Red planet?", "type": "single_choice",
              "time_limit_secs": time_limit_secs,
              "choices": [ { "text": "Mars", "weight": 100 },
                           { "text": "Venus", "weight": 0 } ] }
        ]
    })
}

/// A control channel client that keeps the raw text of every message.
pub struct ControlClient {
    pub socket: Socket,
    /// Raw text of every message received so far, in order.
    pub log: Vec<String>,
    /// The `welcome` message.
    pub welcome: Value,
    /// Messages read ahead by a helper that waited for something else;
    /// `next` returns them first.
    pub pending: VecDeque<Value>,
}

impl ControlClient {
    /// Connects and reads `welcome` and the first `quiz.state`; returns the
    /// client and that state.
    pub async fn connect(server: &TestServer, code: &str, token: &str) -> (ControlClient, Value) {
        let (socket, _) = tokio_tungstenite::connect_async(server.control_url(code, token))
            .await
            .expect("control WebSocket connects");
        let mut client = ControlClient {
            socket,
            log: Vec::new(),
            welcome: Value::Null,
            pending: VecDeque::new(),
        };
        let welcome = client.next().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        client.welcome = welcome;
        let state = client.next().await;
        assert_eq!(state["type"], "quiz.state", "{state}");
        (client, state)
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(WsMessage::text(text.to_owned()))
            .await
            .expect("message sent");
    }

    /// Connects and reads `welcome`, `quiz.state`, `floor.state` and
    /// `audio.config`; returns the client and that `floor.state`.
    pub async fn connect_class(
        server: &TestServer,
        code: &str,
        token: &str,
    ) -> (ControlClient, Value) {
        let (mut client, _) = ControlClient::connect(server, code, token).await;
        let floor = client.next().await;
        assert_eq!(floor["type"], "floor.state", "{floor}");
        let audio = client.next().await;
        assert_eq!(audio["type"], "audio.config", "{audio}");
        (client, floor)
    }

    /// Returns the participant id from `welcome`.
    pub fn participant_id(&self) -> String {
        self.welcome["participant_id"]
            .as_str()
            .expect("welcome has participant_id")
            .to_owned()
    }

    /// Waits for a `floor.state` that satisfies `check`.
    pub async fn floor_state(&mut self, check: impl Fn(&Value) -> bool) -> Value {
        self.until(|message| message["type"] == "floor.state" && check(message))
            .await
    }

    /// Returns the next message as JSON. Panics on close or after [`WAIT`].
    pub async fn next(&mut self) -> Value {
        if let Some(message) = self.pending.pop_front() {
            return message;
        }
        self.read().await
    }

    /// Reads the next message from the socket, ignoring `pending`.
    pub async fn read(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("timed out waiting for a control message");
            match next {
                Some(Ok(WsMessage::Text(text))) => {
                    self.log.push(text.to_string());
                    return serde_json::from_str(&text).expect("server messages are JSON");
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    panic!("connection closed while a message was expected: {frame:?}")
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("WebSocket error: {error}"),
                None => panic!("connection ended while a message was expected"),
            }
        }
    }

    /// Skips messages until one satisfies `check`, and returns it.
    pub async fn until(&mut self, check: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.next().await;
            if check(&message) {
                return message;
            }
        }
    }

    /// Waits for the next message of `type_name`.
    pub async fn next_of(&mut self, type_name: &str) -> Value {
        self.until(|message| message["type"] == type_name).await
    }

    /// Waits for a `quiz.state` whose run is in `phase`, and returns its run.
    pub async fn state_in(&mut self, phase: &str) -> Value {
        let state = self
            .until(|message| message["type"] == "quiz.state" && message["run"]["phase"] == phase)
            .await;
        state["run"].clone()
    }

    /// Sends `message` with `ref` and waits for the error that copies it.
    pub async fn expect_error(&mut self, mut message: Value, reference: &str) -> Value {
        message["ref"] = json!(reference);
        self.send(message).await;
        self.until(|reply| reply["type"] == "error" && reply["ref"] == reference)
            .await
    }

    /// Waits until the server closes the connection and returns the close
    /// code and reason. Messages before the close are logged.
    pub async fn closed(&mut self) -> Option<(u16, String)> {
        loop {
            let next = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("timed out waiting for the close");
            match next {
                Some(Ok(WsMessage::Text(text))) => self.log.push(text.to_string()),
                Some(Ok(WsMessage::Close(frame))) => {
                    return frame
                        .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}

/// Opens a control WebSocket that the server must reject before the
/// upgrade; returns the HTTP status and the JSON error body.
pub async fn rejected_upgrade(url: &str) -> (u16, Value) {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("the upgrade to {url} was accepted"),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .map(|bytes| serde_json::from_slice(bytes).expect("JSON error body"))
                .unwrap_or(Value::Null);
            (status, body)
        }
        Err(error) => panic!("unexpected WebSocket error: {error}"),
    }
}
