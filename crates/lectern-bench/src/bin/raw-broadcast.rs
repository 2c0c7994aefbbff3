//! `raw-broadcast`: relays every binary WebSocket frame to the other
//! clients of its room (the request path). The benchmark's ceiling.
//!
//! It runs on one thread, because the bench pins each server to one core,
//! where a single-threaded runtime has no cross-thread wake-ups to pay for.

use std::net::SocketAddr;

use clap::Parser;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "raw-broadcast",
    version,
    about = "Minimal WebSocket broadcast server, the benchmark's ceiling"
)]
struct Cli {
    /// Address and port to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("RAW_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();

    let cli = Cli::parse();
    let listener = tokio::net::TcpListener::bind(cli.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");

    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("stop requested");
        }
        stop.cancel();
    });
    lectern_bench::raw::serve(listener, shutdown).await;
    Ok(())
}
