//! Clients that open a connection and stop halfway through a request must
//! neither hold the connection forever nor keep a stopping server running.

use std::time::Duration;

use lectern_server::{Server, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Fails a test that would otherwise hang when the server never does what
/// the test waits for. Not a speed target: each wait normally ends in well
/// under a second.
const HANG_GUARD: Duration = Duration::from_secs(60);

async fn start(tune: impl FnOnce(&mut Settings)) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::new(([127, 0, 0, 1], 0).into(), dir.path());
    settings.audio.enabled = false;
    tune(&mut settings);
    let server = Server::start(settings).await.expect("server starts");
    (server, dir)
}

/// Opens a connection and sends a request line and one header, but never
/// the blank line that ends the headers.
async fn half_sent_request(server: &Server) -> TcpStream {
    let mut stream = TcpStream::connect(server.address()).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: lectern.test\r\n")
        .await
        .expect("send the first headers");
    stream
}

/// Reads until the server closes the connection and returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

#[tokio::test]
async fn half_sent_headers_close_connection() {
    let (server, _dir) = start(|settings| {
        settings.limits.request_header_timeout = Duration::from_millis(200);
    })
    .await;
    let mut stalled = half_sent_request(&server).await;

    let received = tokio::time::timeout(HANG_GUARD, read_until_closed(&mut stalled))
        .await
        .expect("the server closes a connection whose headers never end");
    let received = String::from_utf8_lossy(&received);
    assert!(
        !received.contains(" 200 "),
        "an unfinished request was answered: {received}"
    );

    server.shutdown().await;
}

#[tokio::test]
async fn stalled_request_does_not_block_shutdown() {
    let (server, _dir) = start(|settings| {
        // The header timeout must not be what ends the request here.
        settings.limits.request_header_timeout = Duration::from_secs(3600);
        settings.limits.shutdown_grace = Duration::from_millis(100);
    })
    .await;
    let _stalled = half_sent_request(&server).await;

    // Other clients are still served while the stalled request is open.
    let health = reqwest::get(format!("http://{}/healthz", server.address()))
        .await
        .expect("a second client is served");
    assert!(health.status().is_success(), "{}", health.status());

    server.shutdown_token().cancel();
    tokio::time::timeout(HANG_GUARD, server.wait())
        .await
        .expect("the server stops after its grace period despite the stalled request");
}
