//! `send-floor`: writes one frame to each of many peers per round and
//! reports its own CPU time, the floor that `lectern-bench floor` measures.
//!
//! With `--transport tcp` it listens on a free loopback port, prints
//! `listening ADDRESS`, and starts once `--peers` connections are open.
//! With `udp` and `udp-batch` it reads the peers' addresses from standard
//! input, one per line, and starts at the end of input. Either way it ends
//! by printing one line of JSON with what it sent and the CPU time it took.

use std::io::{BufRead, Write};
use std::net::{SocketAddr, TcpListener};

use anyhow::{Context, bail};
use clap::Parser;
use lectern_bench::floor::sender::{self, Peers};
use lectern_bench::floor::{Plan, Transport};

#[derive(Debug, Parser)]
#[command(
    name = "send-floor",
    version,
    about = "Writes one frame per peer per round and reports its CPU time"
)]
struct Cli {
    #[arg(long, value_enum)]
    transport: Transport,

    /// Peers to send to.
    #[arg(long)]
    peers: usize,

    /// Bytes of each frame.
    #[arg(long)]
    frame_bytes: usize,

    /// Rounds a second.
    #[arg(long)]
    rate: u32,

    /// Rounds before the measured ones.
    #[arg(long, default_value_t = 0)]
    warm_up_rounds: usize,

    /// Measured rounds.
    #[arg(long)]
    rounds: usize,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if cli.peers == 0 || cli.frame_bytes == 0 || cli.rate == 0 {
        bail!("invalid options: --peers, --frame-bytes and --rate must be above zero");
    }
    let plan = Plan {
        transport: cli.transport,
        peers: cli.peers,
        frame_bytes: cli.frame_bytes,
        rate: cli.rate,
        warm_up_rounds: cli.warm_up_rounds,
        rounds: cli.rounds,
    };

    let mut stdout = std::io::stdout().lock();
    let peers = match plan.transport {
        Transport::Tcp => {
            let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen")?;
            writeln!(stdout, "listening {}", listener.local_addr()?)?;
            stdout.flush()?;
            Peers::Tcp(sender::accept(&listener, plan.peers)?)
        }
        Transport::Udp | Transport::UdpBatch => {
            let mut addresses = Vec::with_capacity(plan.peers);
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let address: SocketAddr = line
                    .trim()
                    .parse()
                    .with_context(|| format!("invalid peer address {line:?}"))?;
                addresses.push(address);
            }
            if addresses.len() != plan.peers {
                bail!(
                    "expected {} peer addresses, read {}",
                    plan.peers,
                    addresses.len()
                );
            }
            Peers::Udp(addresses)
        }
    };

    let report = sender::send(&plan, peers)?;
    writeln!(stdout, "{}", serde_json::to_string(&report)?)?;
    Ok(())
}
