//! Test servers that run in the test's own process.

// Each test binary uses only some of the servers.
#![allow(dead_code)]

pub mod board_server;

use std::net::SocketAddr;

use lectern_bench::framing::Framing;
use lectern_bench::targets::Endpoint;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A server running on a loopback port until `shutdown` is cancelled.
#[derive(Debug)]
pub struct TestServer {
    pub address: SocketAddr,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<()>,
}

impl TestServer {
    /// Starts the raw broadcast server of the bench.
    pub async fn raw() -> Self {
        let listener = bind().await;
        let address = listener.local_addr().expect("local address");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(lectern_bench::raw::serve(listener, shutdown.clone()));
        Self {
            address,
            shutdown,
            task,
        }
    }

    /// Starts [`board_server`], which keeps each room's document.
    pub async fn board() -> Self {
        let listener = bind().await;
        let address = listener.local_addr().expect("local address");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(board_server::serve(listener, shutdown.clone()));
        Self {
            address,
            shutdown,
            task,
        }
    }

    /// Returns an endpoint for room `room` of the board server, with
    /// `readers` reader URLs.
    pub fn board_room(&self, room: usize, readers: usize) -> Endpoint {
        let url = format!("ws://{}/room-{room}", self.address);
        Endpoint {
            system: "board-test".to_owned(),
            version: "test".to_owned(),
            writer_url: url.clone(),
            reader_urls: vec![url; readers],
            server_pid: None,
            server_syncs: true,
            framing: Framing::YWebsocket,
            author: "bench".to_owned(),
        }
    }

    /// Stops the server and waits for its accept loop to end.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.expect("the server task ends");
    }
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback")
}
