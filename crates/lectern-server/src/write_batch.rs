//! A socket wrapper that gathers writes until a flush, takes shared
//! payloads without copying them, and frees its buffers once they are
//! written.
//!
//! tungstenite copies every frame it sends into its own write buffer,
//! which keeps its peak capacity until the socket closes. The board socket
//! therefore sends only small messages through tungstenite. A long message,
//! such as the whole document for a joining student, is queued here through
//! [`SharedFrames`]: a frame header, then the room's own copy of the
//! payload. Both go to the kernel in one vectored write, with no copy in
//! user space. A payload queued with its [`FrameFile`] is sent from the
//! file with `sendfile` where the stream allows it ([`SendFile`]), so the
//! kernel does not copy it either.
//!
//! Small writes are gathered and written together on flush, or whenever
//! [`BATCH_BYTES`] are waiting. Everything leaves in the order it was
//! queued. Once all of it is written the buffers are released, so an idle
//! connection keeps none.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::frame_file::FrameFile;

/// Number of waiting bytes at which small writes are written without
/// waiting for a flush.
pub const BATCH_BYTES: usize = 64 * 1024;

/// Most buffers handed to one vectored write.
const MAX_IO_SLICES: usize = 64;

/// A stream that can send part of a [`FrameFile`] without copying it.
pub trait SendFile {
    /// Returns whether [`SendFile::poll_send_file`] works on this stream.
    fn can_send_file(&self) -> bool {
        false
    }

    /// Sends up to `len` bytes of `file` from `offset`; returns how many
    /// the stream took.
    fn poll_send_file(
        &mut self,
        _context: &mut Context<'_>,
        _file: &FrameFile,
        _offset: usize,
        _len: usize,
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::ErrorKind::Unsupported.into()))
    }
}

/// A queued buffer, with the file it came from when it can be sent from
/// there.
#[derive(Debug)]
struct Segment {
    bytes: Bytes,
    /// The file whose last `bytes.len()` bytes are `bytes`.
    file: Option<Arc<FrameFile>>,
}

impl Segment {
    fn memory(bytes: Bytes) -> Self {
        Self { bytes, file: None }
    }
}

/// Bytes waiting to be written, oldest first.
#[derive(Debug, Default)]
struct Pending {
    /// Shared payloads, and runs of small writes that came before one.
    segments: VecDeque<Segment>,
    /// Small writes since the last segment, which follow every segment.
    tail: Vec<u8>,
    /// Bytes at the start of `tail` that the inner stream already took.
    tail_written: usize,
}

impl Pending {
    fn len(&self) -> usize {
        let segments: usize = self
            .segments
            .iter()
            .map(|segment| segment.bytes.len())
            .sum();
        segments + self.tail.len() - self.tail_written
    }

    fn is_empty(&self) -> bool {
        self.segments.is_empty() && self.tail_written == self.tail.len()
    }

    /// Turns the unwritten small writes into a segment, so that what is
    /// queued next goes after them.
    fn close_tail(&mut self) {
        let mut tail = std::mem::take(&mut self.tail);
        tail.drain(..std::mem::take(&mut self.tail_written));
        if !tail.is_empty() {
            self.segments.push_back(Segment::memory(Bytes::from(tail)));
        }
    }

    /// Drops the first `written` bytes.
    fn consume(&mut self, mut written: usize) {
        while let Some(front) = self.segments.front_mut() {
            if front.bytes.len() > written {
                front.bytes.advance(written);
                return;
            }
            written -= front.bytes.len();
            self.segments.pop_front();
        }
        self.tail_written += written;
    }
}

/// Queues frames on a [`BatchedWrites`] from outside the WebSocket library
/// that writes through it.
#[derive(Debug, Clone)]
pub struct SharedFrames {
    pending: Arc<Mutex<Pending>>,
}

impl SharedFrames {
    /// Queues `header` and then `payload` after everything written so far.
    /// Nothing is copied; the bytes leave at the next flush. `file`, when
    /// given, must contain exactly `payload`.
    ///
    /// The caller must only queue whole frames, and only when the WebSocket
    /// library has no partly written frame of its own.
    pub fn queue(&self, header: Bytes, payload: Bytes, file: Option<Arc<FrameFile>>) {
        debug_assert!(file.as_ref().is_none_or(|file| file.len() == payload.len()));
        let mut pending = lock(&self.pending);
        pending.close_tail();
        pending.segments.push_back(Segment::memory(header));
        pending.segments.push_back(Segment {
            bytes: payload,
            file,
        });
    }
}

/// An I/O stream whose writes are gathered until a flush. Reads pass
/// through unchanged.
#[derive(Debug)]
pub struct BatchedWrites<S> {
    inner: S,
    pending: Arc<Mutex<Pending>>,
}

impl<S> BatchedWrites<S> {
    /// Wraps `inner` and returns the handle that queues shared frames on it.
    pub fn new(inner: S) -> (Self, SharedFrames) {
        let pending = Arc::new(Mutex::new(Pending::default()));
        let shared = SharedFrames {
            pending: Arc::clone(&pending),
        };
        (Self { inner, pending }, shared)
    }
}

impl<S: AsyncWrite + SendFile + Unpin> BatchedWrites<S> {
    /// Writes everything waiting to the inner stream, then frees the
    /// buffers.
    fn poll_write_pending(&mut self, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pending = lock(&self.pending);
        let from_files = self.inner.can_send_file();
        while !pending.is_empty() {
            let front_file = pending
                .segments
                .front()
                .and_then(|segment| Some((segment.file.clone()?, segment.bytes.len())));
            let written = match front_file {
                Some((file, len)) if from_files => {
                    let offset = file.len() - len;
                    ready!(self.inner.poll_send_file(context, &file, offset, len))?
                }
                _ => ready!(poll_write_memory(
                    Pin::new(&mut self.inner),
                    context,
                    &pending,
                    from_files
                ))?,
            };
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            pending.consume(written);
        }
        *pending = Pending::default();
        Poll::Ready(Ok(()))
    }
}

/// Writes the buffers at the front of `pending`. With `from_files` it stops
/// before the first segment that is sent from its file. Returns how many
/// bytes the stream took.
fn poll_write_memory<S: AsyncWrite>(
    inner: Pin<&mut S>,
    context: &mut Context<'_>,
    pending: &Pending,
    from_files: bool,
) -> Poll<io::Result<usize>> {
    let mut slices = [IoSlice::new(&[]); MAX_IO_SLICES];
    let mut count = 0;
    let mut every_segment = true;
    for segment in &pending.segments {
        if count == MAX_IO_SLICES || (from_files && segment.file.is_some()) {
            every_segment = false;
            break;
        }
        slices[count] = IoSlice::new(&segment.bytes);
        count += 1;
    }
    if every_segment && count < MAX_IO_SLICES && pending.tail_written < pending.tail.len() {
        slices[count] = IoSlice::new(&pending.tail[pending.tail_written..]);
        count += 1;
    }

    // Most flushes carry one small message. For one buffer a plain write
    // is used, because writev showed up in a lecture profile.
    if count == 1 {
        inner.poll_write(context, &slices[0])
    } else {
        inner.poll_write_vectored(context, &slices[..count])
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BatchedWrites<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl<S: AsyncWrite + SendFile + Unpin> AsyncWrite for BatchedWrites<S> {
    /// Takes all of `bytes` or none of them, so that a frame queued through
    /// [`SharedFrames`] never lands inside one written here.
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        if lock(&self.pending).len() >= BATCH_BYTES {
            ready!(self.poll_write_pending(context))?;
        }
        lock(&self.pending).tail.extend_from_slice(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !lock(&self.pending).is_empty() {
            ready!(self.poll_write_pending(context))?;
        }
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !lock(&self.pending).is_empty() {
            ready!(self.poll_write_pending(context))?;
        }
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}

/// Locks the queue. A panic under the lock (in the inner stream's write,
/// say) happens between changes to the queue, so a poisoned lock still
/// guards a consistent queue and is used as it is.
fn lock(pending: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

    use super::*;

    impl SendFile for tokio::io::DuplexStream {}

    fn waiting(writer: &BatchedWrites<impl Sized>) -> usize {
        lock(&writer.pending).len()
    }

    #[tokio::test]
    async fn flush_writes_gathered_bytes_in_order() {
        let (client, server) = duplex(1024 * 1024);
        let (mut writer, _shared) = BatchedWrites::new(client);
        let mut reader = server;

        writer.write_all(b"one ").await.expect("write");
        writer.write_all(b"two").await.expect("write");
        assert_eq!(waiting(&writer), 7, "nothing is written before a flush");
        writer.flush().await.expect("flush");

        let mut received = [0_u8; 7];
        reader.read_exact(&mut received).await.expect("read");
        assert_eq!(&received, b"one two");
        let pending = lock(&writer.pending);
        assert_eq!(pending.tail.capacity(), 0, "the buffer is freed");
        assert_eq!(pending.segments.capacity(), 0, "the queue is freed");
    }

    #[tokio::test]
    async fn shared_frames_keep_their_place_between_writes() {
        let (client, server) = duplex(1024 * 1024);
        let (mut writer, shared) = BatchedWrites::new(client);
        let mut reader = server;
        let payload = Bytes::from(vec![9_u8; 100_000]);

        writer.write_all(b"before").await.expect("write");
        shared.queue(Bytes::from_static(b"[head]"), payload.clone(), None);
        writer.write_all(b"after").await.expect("write");
        writer.flush().await.expect("flush");

        let mut received = vec![0_u8; 6 + 6 + payload.len() + 5];
        reader.read_exact(&mut received).await.expect("read");
        assert_eq!(&received[..12], b"before[head]");
        assert!(received[12..12 + payload.len()].iter().all(|&b| b == 9));
        assert_eq!(&received[12 + payload.len()..], b"after");
    }

    #[tokio::test]
    async fn partial_writes_resume_inside_a_shared_payload() {
        // A pipe of 1,000 bytes takes each vectored write only in part.
        let (client, server) = duplex(1000);
        let (mut writer, shared) = BatchedWrites::new(client);
        let payload: Bytes = (0..50_000_u32).map(|i| (i % 251) as u8).collect();
        shared.queue(Bytes::from_static(b"H"), payload.clone(), None);

        let reading = tokio::spawn(async move {
            let mut reader = server;
            let mut received = vec![0_u8; 1 + 50_000];
            reader.read_exact(&mut received).await.expect("read");
            received
        });
        writer.flush().await.expect("flush");

        let received = reading.await.expect("reader task");
        assert_eq!(received[0], b'H');
        assert_eq!(&received[1..], &payload[..]);
        assert_eq!(waiting(&writer), 0);
    }

    #[tokio::test]
    async fn full_batch_is_written_before_more_is_taken() {
        let (client, server) = duplex(4 * BATCH_BYTES);
        let (mut writer, _shared) = BatchedWrites::new(client);
        let mut reader = server;
        let chunk = vec![7_u8; 1024];

        for _ in 0..BATCH_BYTES / chunk.len() + 1 {
            writer.write_all(&chunk).await.expect("write");
        }
        assert_eq!(
            waiting(&writer),
            chunk.len(),
            "the full batch went out, one chunk waits"
        );

        let mut received = vec![0_u8; BATCH_BYTES];
        reader.read_exact(&mut received).await.expect("read");
        assert!(received.iter().all(|&byte| byte == 7));
    }

    #[tokio::test]
    async fn blocked_stream_holds_back_the_writer() {
        let (client, _server) = duplex(16);
        let (mut writer, _shared) = BatchedWrites::new(client);
        let chunk = vec![1_u8; BATCH_BYTES];
        writer
            .write_all(&chunk)
            .await
            .expect("first batch is taken");

        let blocked = writer.write_all(&chunk).now_or_never();
        assert!(blocked.is_none(), "a full batch waits for the stream");
        assert_eq!(
            waiting(&writer),
            BATCH_BYTES - 16,
            "the stream took 16 bytes, the rest of the batch waits"
        );
    }
}
