//! The storm clients' WebSocket connection, which reads large frames
//! through one small buffer.
//!
//! In a storm every client receives the same document of several MiB. A
//! general WebSocket client gives each of them a fresh buffer of that size
//! to fill. The generator's core then goes to page faults and memory
//! traffic, and the generator, not the server, limits the times to synced.
//! This client reads into one 64 KiB buffer instead and compares each
//! large frame, as it arrives, with the large frames seen before
//! ([`KnownFrames`]). A frame equal to a known one is returned as that
//! frame. Any other is kept whole and becomes known. Every byte is still
//! received and checked.
//!
//! It speaks only what the storm needs: `ws://` URLs, unfragmented or
//! fragmented binary messages, pings, and close. Frames it sends are
//! masked, as RFC 6455 requires of clients.

use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, anyhow, bail};
use bytes::Bytes;
use lectern_board::protocol::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::http::Uri;

use crate::clients::CONNECT_TIMEOUT;
use crate::framing::{Codec, Framing};

/// The read buffer of each connection.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Frames at least this large are compared with the known frames as they
/// arrive.
pub const LARGE_FRAME_BYTES: usize = 64 * 1024;

/// The largest message a connection accepts.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// The longest HTTP response head the handshake accepts.
const MAX_RESPONSE_HEAD_BYTES: usize = 16 * 1024;

/// Distinct large frames [`KnownFrames`] keeps.
const KNOWN_FRAMES: usize = 4;

const OPCODE_CONTINUATION: u8 = 0x0;
const OPCODE_TEXT: u8 = 0x1;
const OPCODE_BINARY: u8 = 0x2;
const OPCODE_CLOSE: u8 = 0x8;
const OPCODE_PING: u8 = 0x9;
const OPCODE_PONG: u8 = 0xa;

/// Large frames received whole before, shared by the clients of a run.
#[derive(Debug, Default)]
pub struct KnownFrames {
    frames: Mutex<Vec<Bytes>>,
    /// Large frames that matched a known frame.
    matches: AtomicU64,
}

impl KnownFrames {
    /// Returns the known frames of `len` bytes.
    fn of_len(&self, len: usize) -> Vec<Bytes> {
        self.lock()
            .iter()
            .filter(|frame| frame.len() == len)
            .cloned()
            .collect()
    }

    /// Adds a large frame that matched none, dropping the oldest when full.
    fn insert(&self, frame: Bytes) {
        let mut frames = self.lock();
        if frames.len() >= KNOWN_FRAMES {
            frames.remove(0);
        }
        frames.push(frame);
    }

    /// Returns how many large frames matched a known frame so far.
    pub fn matches(&self) -> u64 {
        self.matches.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Bytes>> {
        self.frames
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// A message from the server, or the end of the connection.
#[derive(Debug)]
pub enum Received {
    /// A binary message.
    Binary(Bytes),
    /// The server closed the connection, with a close frame or without.
    Closed,
}

/// One WebSocket connection of a storm client.
#[derive(Debug)]
pub struct StreamSocket {
    stream: TcpStream,
    codec: Codec,
    buffer: Box<[u8]>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    masks: MaskSource,
    /// A fragmented message received so far, with its opcode.
    fragments: Option<(u8, Vec<u8>)>,
}

impl StreamSocket {
    /// Connects to `url`, completes the handshake and sends the framing's
    /// opening frame, if it has one, all within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &str, framing: Framing) -> anyhow::Result<Self> {
        let codec = framing.codec(url)?;
        let connecting = Self::handshake(url, codec);
        let mut socket = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
            .await
            .map_err(|_| anyhow!("connecting timed out after {CONNECT_TIMEOUT:?}"))??;
        if let Some(opening) = socket.codec.opening() {
            socket.send_frame(OPCODE_BINARY, &opening).await?;
        }
        Ok(socket)
    }

    async fn handshake(url: &str, codec: Codec) -> anyhow::Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("invalid URL {url:?}"))?;
        if uri.scheme_str() != Some("ws") {
            bail!("only ws:// URLs are supported, not {url:?}");
        }
        let host = uri.host().context("the URL has no host")?;
        let port = uri.port_u16().unwrap_or(80);
        let path = uri.path_and_query().map_or("/", |path| path.as_str());

        let mut stream = TcpStream::connect((host, port)).await?;
        // Nagle's algorithm off, as browsers do.
        stream.set_nodelay(true)?;
        let key = generate_key();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;

        let mut socket = Self {
            stream,
            codec,
            buffer: vec![0; READ_BUFFER_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            masks: MaskSource::new(),
            fragments: None,
        };
        let head_len = socket.read_response_head().await?;
        let head = String::from_utf8_lossy(&socket.buffer[..head_len]).into_owned();
        check_response(&head, &derive_accept_key(key.as_bytes()))?;
        // Frames the server sent right after its response are already read.
        socket.start = head_len;
        Ok(socket)
    }

    /// Reads until the buffer contains the whole response head; returns its
    /// length, final blank line included.
    async fn read_response_head(&mut self) -> anyhow::Result<usize> {
        loop {
            if let Some(at) = find(&self.buffer[..self.end], b"\r\n\r\n") {
                return Ok(at + 4);
            }
            if self.end >= MAX_RESPONSE_HEAD_BYTES {
                bail!("the handshake response head exceeds {MAX_RESPONSE_HEAD_BYTES} bytes");
            }
            let read = self.stream.read(&mut self.buffer[self.end..]).await?;
            if read == 0 {
                bail!("the server closed the connection during the handshake");
            }
            self.end += read;
        }
    }

    /// Returns the codec of this connection's server.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// Encodes `message` and sends it as one binary frame.
    pub async fn send(&mut self, message: &Message<'_>) -> std::io::Result<()> {
        let frame = self.codec.encode(message);
        self.send_frame(OPCODE_BINARY, &frame).await
    }

    /// Returns the next binary message. Replies to pings on the way and
    /// skips text and pong frames. A large frame is compared with `known`
    /// as it arrives; see the module docs.
    pub async fn receive(&mut self, known: &KnownFrames) -> anyhow::Result<Received> {
        loop {
            let Some(header) = self.read_header().await? else {
                return Ok(Received::Closed);
            };
            let len = usize::try_from(header.len)
                .ok()
                .filter(|&len| len <= MAX_MESSAGE_BYTES)
                .ok_or_else(|| anyhow!("a frame of {} bytes is too large", header.len))?;

            if header.is_control() {
                let payload = self.read_payload(len).await?;
                match header.opcode {
                    OPCODE_CLOSE => return Ok(Received::Closed),
                    OPCODE_PING => self.send_frame(OPCODE_PONG, &payload).await?,
                    _ => {}
                }
                continue;
            }

            let whole = header.fin && header.opcode != OPCODE_CONTINUATION;
            let payload = if whole && len >= LARGE_FRAME_BYTES {
                self.read_large_payload(len, known).await?
            } else {
                Bytes::from(self.read_payload(len).await?)
            };
            if whole {
                if header.opcode == OPCODE_BINARY {
                    return Ok(Received::Binary(payload));
                }
                continue;
            }
            if let Some(message) = self.add_fragment(&header, &payload)? {
                return Ok(Received::Binary(message));
            }
        }
    }

    /// Adds a fragment; returns the binary message it completes.
    fn add_fragment(&mut self, header: &Header, payload: &[u8]) -> anyhow::Result<Option<Bytes>> {
        let (opcode, mut message) = match (self.fragments.take(), header.opcode) {
            (None, OPCODE_CONTINUATION) => bail!("a continuation frame started no message"),
            (None, opcode) => (opcode, Vec::new()),
            (Some(started), OPCODE_CONTINUATION) => started,
            (Some(_), _) => bail!("a new message started inside a fragmented one"),
        };
        if message.len() + payload.len() > MAX_MESSAGE_BYTES {
            bail!("a fragmented message exceeds {MAX_MESSAGE_BYTES} bytes");
        }
        message.extend_from_slice(payload);
        if !header.fin {
            self.fragments = Some((opcode, message));
            return Ok(None);
        }
        Ok((opcode == OPCODE_BINARY).then(|| Bytes::from(message)))
    }

    /// Closes the connection with a close frame; a failure is not an error
    /// here, as the connection is finished with either way.
    pub async fn close(mut self) {
        let _ = self.send_frame(OPCODE_CLOSE, &[]).await;
        let _ = self.stream.shutdown().await;
    }

    /// Reads a frame header; `None` when the connection ended between
    /// frames.
    async fn read_header(&mut self) -> anyhow::Result<Option<Header>> {
        loop {
            match Header::parse(&self.buffer[self.start..self.end])? {
                Some((header, used)) => {
                    self.start += used;
                    return Ok(Some(header));
                }
                None => {
                    if !self.fill().await? {
                        if self.start == self.end {
                            return Ok(None);
                        }
                        bail!("the connection ended inside a frame header");
                    }
                }
            }
        }
    }

    /// Reads `len` payload bytes into a new vector.
    async fn read_payload(&mut self, len: usize) -> anyhow::Result<Vec<u8>> {
        let mut payload = Vec::with_capacity(len);
        while payload.len() < len {
            let chunk = self.next_chunk(len - payload.len()).await?;
            payload.extend_from_slice(chunk);
        }
        Ok(payload)
    }

    /// Reads `len` payload bytes, comparing them with the known frames of
    /// that length as they arrive. Returns the known frame they equal, or
    /// else the bytes, which become known.
    async fn read_large_payload(
        &mut self,
        len: usize,
        known: &KnownFrames,
    ) -> anyhow::Result<Bytes> {
        let mut candidates = known.of_len(len);
        let mut offset = 0;
        let mut copy: Option<Vec<u8>> = None;
        while offset < len {
            let chunk = self.next_chunk(len - offset).await?;
            let end = offset + chunk.len();
            match &mut copy {
                Some(copy) => copy.extend_from_slice(chunk),
                None => {
                    let first = candidates.first().cloned();
                    candidates.retain(|candidate| candidate[offset..end] == *chunk);
                    if candidates.is_empty() {
                        let mut bytes = Vec::with_capacity(len);
                        if let Some(first) = first {
                            bytes.extend_from_slice(&first[..offset]);
                        }
                        bytes.extend_from_slice(chunk);
                        copy = Some(bytes);
                    }
                }
            }
            offset = end;
        }

        if let Some(copy) = copy {
            let frame = Bytes::from(copy);
            known.insert(frame.clone());
            return Ok(frame);
        }
        known.matches.fetch_add(1, Ordering::Relaxed);
        // Every byte matched, so the list still contains a candidate.
        candidates
            .pop()
            .context("a large frame matched no known frame")
    }

    /// Returns up to `max` unread bytes, reading when the buffer is empty.
    async fn next_chunk(&mut self, max: usize) -> anyhow::Result<&[u8]> {
        if self.start == self.end && !self.fill().await? {
            bail!("the connection ended inside a frame");
        }
        let take = max.min(self.end - self.start);
        let chunk = &self.buffer[self.start..self.start + take];
        self.start += take;
        Ok(chunk)
    }

    /// Reads more bytes after the unread ones; returns `false` at the end
    /// of the stream.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buffer.len() {
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let read = self.stream.read(&mut self.buffer[self.end..]).await?;
        self.end += read;
        Ok(read > 0)
    }

    /// Sends one unfragmented, masked frame.
    async fn send_frame(&mut self, opcode: u8, payload: &[u8]) -> std::io::Result<()> {
        let mask = self.masks.next();
        let mut frame = Vec::with_capacity(payload.len() + 14);
        frame.push(0x80 | opcode);
        match payload.len() {
            len @ 0..=125 => frame.push(0x80 | len as u8),
            len @ 126..=0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(
            payload
                .iter()
                .zip(mask.iter().cycle())
                .map(|(byte, mask)| byte ^ mask),
        );
        self.stream.write_all(&frame).await
    }
}

/// The fields of a frame header the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    fin: bool,
    opcode: u8,
    len: u64,
}

impl Header {
    /// Parses a server frame's header from the start of `bytes`; returns it
    /// with its length, or `None` when `bytes` holds only part of it.
    fn parse(bytes: &[u8]) -> anyhow::Result<Option<(Self, usize)>> {
        let [first, second, rest @ ..] = bytes else {
            return Ok(None);
        };
        if first & 0x70 != 0 {
            bail!("a frame sets reserved bits: {first:#04x}");
        }
        if second & 0x80 != 0 {
            bail!("the server sent a masked frame");
        }
        let opcode = first & 0x0f;
        if !matches!(
            opcode,
            OPCODE_CONTINUATION
                | OPCODE_TEXT
                | OPCODE_BINARY
                | OPCODE_CLOSE
                | OPCODE_PING
                | OPCODE_PONG
        ) {
            bail!("unknown frame opcode {opcode:#x}");
        }

        let (len, used) = match second & 0x7f {
            126 => match rest {
                [high, low, ..] => (u64::from(u16::from_be_bytes([*high, *low])), 4),
                _ => return Ok(None),
            },
            127 => match rest.get(..8) {
                Some(len) => {
                    let mut be = [0; 8];
                    be.copy_from_slice(len);
                    (u64::from_be_bytes(be), 10)
                }
                None => return Ok(None),
            },
            len => (u64::from(len), 2),
        };
        let header = Self {
            fin: first & 0x80 != 0,
            opcode,
            len,
        };
        if header.is_control() && (!header.fin || len > 125) {
            bail!("a control frame is fragmented or longer than 125 bytes");
        }
        Ok(Some((header, used)))
    }

    fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// Masking keys for the frames a client sends (xorshift64, seeded per
/// connection).
#[derive(Debug)]
struct MaskSource(u64);

impl MaskSource {
    fn new() -> Self {
        Self(RandomState::new().hash_one(0u8) | 1)
    }

    fn next(&mut self) -> [u8; 4] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let [first, second, third, fourth, ..] = self.0.to_le_bytes();
        [first, second, third, fourth]
    }
}

/// Checks the status line and accept key of a handshake response head.
fn check_response(head: &str, expected_accept: &str) -> anyhow::Result<()> {
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    if status.split(' ').nth(1) != Some("101") {
        bail!("the server rejected the upgrade: {status:?}");
    }
    let accept = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("sec-websocket-accept")
            .then(|| value.trim())
    });
    if accept != Some(expected_accept) {
        bail!("the server's Sec-WebSocket-Accept is {accept:?}, expected {expected_accept:?}");
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio::net::TcpListener;
    use tokio_tungstenite::WebSocketStream;
    use tokio_tungstenite::tungstenite::Message as WsMessage;

    /// Accepts one WebSocket connection on a loopback port; returns the
    /// client's URL and the server side.
    async fn serve_one() -> (String, tokio::task::JoinHandle<WebSocketStream<TcpStream>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("ws://{}/board/room-1", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            tokio_tungstenite::accept_async(stream)
                .await
                .expect("handshake")
        });
        (url, server)
    }

    async fn connect(url: &str) -> StreamSocket {
        StreamSocket::connect(url, Framing::YWebsocket)
            .await
            .expect("connects")
    }

    async fn receive_binary(socket: &mut StreamSocket, known: &KnownFrames) -> Bytes {
        match socket.receive(known).await.expect("receives") {
            Received::Binary(frame) => frame,
            Received::Closed => panic!("the connection closed"),
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|at| (at * 31 % 251) as u8).collect()
    }

    #[tokio::test]
    async fn repeated_large_frame_returns_known_frame() {
        let (url, server) = serve_one().await;
        let mut socket = connect(&url).await;
        let mut server = server.await.expect("server task");

        let first = pattern(3 * LARGE_FRAME_BYTES + 17);
        let mut late_difference = first.clone();
        *late_difference.last_mut().expect("not empty") ^= 1;
        for frame in [&first, &first, &late_difference, &b"small".to_vec()] {
            server
                .send(WsMessage::binary(frame.clone()))
                .await
                .expect("sends");
        }

        let known = KnownFrames::default();
        let received = receive_binary(&mut socket, &known).await;
        assert_eq!(received[..], first[..]);
        assert_eq!(known.matches(), 0);

        let repeated = receive_binary(&mut socket, &known).await;
        assert_eq!(repeated[..], first[..]);
        assert_eq!(known.matches(), 1);
        assert_eq!(
            repeated.as_ptr(),
            received.as_ptr(),
            "the known frame itself"
        );

        let different = receive_binary(&mut socket, &known).await;
        assert_eq!(different[..], late_difference[..]);
        assert_eq!(known.matches(), 1);

        assert_eq!(&receive_binary(&mut socket, &known).await[..], b"small");
    }

    #[tokio::test]
    async fn pings_are_answered_and_sent_frames_are_masked() {
        let (url, server) = serve_one().await;
        let mut socket = connect(&url).await;
        let mut server = server.await.expect("server task");

        server
            .send(WsMessage::Ping(Bytes::from_static(b"are you there")))
            .await
            .expect("pings");
        server
            .send(WsMessage::binary(b"after the ping".to_vec()))
            .await
            .expect("sends");
        let known = KnownFrames::default();
        assert_eq!(
            &receive_binary(&mut socket, &known).await[..],
            b"after the ping"
        );
        let step_1 = Message::SyncStep1(&[0]);
        socket.send(&step_1).await.expect("sends");

        let pong = server.next().await.expect("a frame").expect("valid");
        assert_eq!(pong, WsMessage::Pong(Bytes::from_static(b"are you there")));
        // tungstenite rejects unmasked client frames, so this one was masked.
        let sent = server.next().await.expect("a frame").expect("valid");
        assert_eq!(sent, WsMessage::binary(socket.codec().encode(&step_1)));
    }

    #[tokio::test]
    async fn fragments_are_joined_and_close_ends_the_connection() {
        let (url, server) = serve_one().await;
        let mut socket = connect(&url).await;
        let mut server = server.await.expect("server task");

        // Binary "ab", a ping between the fragments, then "cd" to finish.
        let raw = [
            &[0x02, 2, b'a', b'b'][..],
            &[0x89, 0],
            &[0x80, 2, b'c', b'd'],
            &[0x88, 0],
        ]
        .concat();
        server.get_mut().write_all(&raw).await.expect("writes");

        let known = KnownFrames::default();
        assert_eq!(&receive_binary(&mut socket, &known).await[..], b"abcd");
        assert!(matches!(
            socket.receive(&known).await.expect("receives"),
            Received::Closed
        ));
    }

    #[tokio::test]
    async fn oversized_frame_rejected_before_payload() {
        let (url, server) = serve_one().await;
        let mut socket = connect(&url).await;
        let mut server = server.await.expect("server task");

        let header = [0x82, 127, 0, 0, 0, 0, 0x20, 0, 0, 0];
        server.get_mut().write_all(&header).await.expect("writes");

        let error = socket
            .receive(&KnownFrames::default())
            .await
            .expect_err("too large");
        assert!(
            error.to_string().contains("536870912 bytes is too large"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn rejected_upgrade_names_status() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("ws://{}/board/room-1", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut request = [0; 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .await;
        });

        let error = StreamSocket::connect(&url, Framing::YWebsocket)
            .await
            .expect_err("rejected");
        assert!(
            error.to_string().contains("403 Forbidden"),
            "unexpected error: {error}"
        );
    }

    #[test]
    fn headers_parse_in_pieces() {
        let long = [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0];
        for cut in 0..long.len() {
            assert_eq!(Header::parse(&long[..cut]).expect("valid so far"), None);
        }
        let (header, used) = Header::parse(&long).expect("valid").expect("whole");
        assert_eq!(
            header,
            Header {
                fin: true,
                opcode: OPCODE_BINARY,
                len: 1 << 32
            }
        );
        assert_eq!(used, 10);

        let medium = [0x02, 126, 0x01, 0x00];
        let (header, used) = Header::parse(&medium).expect("valid").expect("whole");
        assert!(!header.fin);
        assert_eq!((header.len, used), (256, 4));
    }

    #[test]
    fn invalid_headers_say_what_is_wrong() {
        let cases: [(&[u8], &str); 4] = [
            (&[0x82, 0x85], "masked"),
            (&[0xc2, 0x05], "reserved bits"),
            (&[0x83, 0x05], "opcode"),
            (&[0x09, 0x00], "control frame"),
        ];
        for (bytes, expected) in cases {
            let error = Header::parse(bytes).expect_err("invalid");
            assert!(error.to_string().contains(expected), "{bytes:?}: {error}");
        }
    }
}
