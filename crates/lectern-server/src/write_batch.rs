//! A socket wrapper that gathers writes until a flush and then frees its
//! buffer.
//!
//! The board socket sends long messages in small frames so that
//! tungstenite's own write buffer, which never shrinks, stays small (see
//! `connection::MAX_FRAME_PAYLOAD`). Written one by one, those frames
//! would cost a system call each. [`BatchedWrites`] collects them and
//! writes them together on flush, or whenever [`BATCH_BYTES`] are waiting.
//! Its buffer is released once everything is written, so an idle
//! connection keeps none.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Number of gathered bytes at which they are written without waiting
/// for a flush.
pub const BATCH_BYTES: usize = 64 * 1024;

/// An I/O stream whose writes are gathered until a flush. Reads pass
/// through unchanged.
#[derive(Debug)]
pub struct BatchedWrites<S> {
    inner: S,
    pending: Vec<u8>,
    /// Bytes at the start of `pending` that the inner stream already took.
    written: usize,
}

impl<S> BatchedWrites<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> BatchedWrites<S> {
    /// Writes the pending bytes to the inner stream, then frees the buffer.
    fn poll_write_pending(&mut self, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let written = ready!(
                Pin::new(&mut self.inner).poll_write(context, &self.pending[self.written..])
            )?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += written;
        }
        self.pending = Vec::new();
        self.written = 0;
        Poll::Ready(Ok(()))
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

impl<S: AsyncWrite + Unpin> AsyncWrite for BatchedWrites<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.pending.len() >= BATCH_BYTES {
            ready!(self.poll_write_pending(context))?;
        }
        self.pending.extend_from_slice(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_pending(context))?;
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_pending(context))?;
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

    use super::*;

    #[tokio::test]
    async fn flush_writes_gathered_bytes_in_order() {
        let (client, server) = duplex(1024 * 1024);
        let mut writer = BatchedWrites::new(client);
        let mut reader = server;

        writer.write_all(b"one ").await.expect("write");
        writer.write_all(b"two").await.expect("write");
        assert_eq!(writer.pending.len(), 7, "nothing is written before a flush");
        writer.flush().await.expect("flush");

        let mut received = [0_u8; 7];
        reader.read_exact(&mut received).await.expect("read");
        assert_eq!(&received, b"one two");
        assert_eq!(writer.pending.capacity(), 0, "the buffer is freed");
    }

    #[tokio::test]
    async fn full_batch_is_written_before_more_is_taken() {
        let (client, server) = duplex(4 * BATCH_BYTES);
        let mut writer = BatchedWrites::new(client);
        let mut reader = server;
        let chunk = vec![7_u8; 1024];

        for _ in 0..BATCH_BYTES / chunk.len() + 1 {
            writer.write_all(&chunk).await.expect("write");
        }
        assert_eq!(
            writer.pending.len(),
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
        let mut writer = BatchedWrites::new(client);
        let chunk = vec![1_u8; BATCH_BYTES];
        writer
            .write_all(&chunk)
            .await
            .expect("first batch is taken");

        let blocked = writer.write_all(&chunk).now_or_never();
        assert!(blocked.is_none(), "a full batch waits for the stream");
        assert_eq!(writer.pending.len(), BATCH_BYTES);
    }
}
