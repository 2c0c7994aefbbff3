//! The sending side of the floor measurement: a blocking loop that writes
//! one frame to every peer per round, paced to a fixed rate, and nothing
//! else. It runs in the `send-floor` process, which the bench pins to the
//! server's CPU.

use std::io::{IoSlice, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::socket::{ControlMessage, MsgFlags, MultiHeaders, SockaddrIn, sendmmsg};
use nix::time::{ClockId, clock_gettime};

use super::{Plan, SenderReport, Transport};

/// The maximum number of datagrams in one `sendmmsg` call (the kernel's `UIO_MAXIOV`).
const BATCH_LIMIT: usize = 1024;

/// The frames' destinations: accepted TCP connections, or UDP peers'
/// addresses.
#[derive(Debug)]
pub enum Peers {
    Tcp(Vec<TcpStream>),
    Udp(Vec<SocketAddr>),
}

/// Accepts `count` connections on `listener`, with Nagle's algorithm off
/// (`TCP_NODELAY`) so that each write leaves at once.
pub fn accept(listener: &TcpListener, count: usize) -> std::io::Result<Vec<TcpStream>> {
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let (stream, _) = listener.accept()?;
        stream.set_nodelay(true)?;
        streams.push(stream);
    }
    Ok(streams)
}

/// Runs the plan's warm-up and measured rounds and returns the process's
/// CPU time over the measured ones.
pub fn send(plan: &Plan, peers: Peers) -> anyhow::Result<SenderReport> {
    let frame = vec![0x5a_u8; plan.frame_bytes];
    let mut output = Output::open(plan.transport, peers)?;
    let period = Duration::from_secs_f64(1.0 / f64::from(plan.rate.max(1)));
    let mut errors = 0_u64;
    let mut sends = 0_u64;
    let mut cpu_start = None;
    let mut next_round = Instant::now();

    for round in 0..plan.warm_up_rounds + plan.rounds {
        if round == plan.warm_up_rounds {
            cpu_start = Some(process_cpu()?);
            sends = 0;
            errors = 0;
        }

        // An absolute schedule, so that a slow round does not shift the rest.
        next_round += period;
        if let Some(wait) = next_round.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }

        let (sent, failed) = output.send_round(&frame);
        sends += sent;
        errors += failed;
    }

    let cpu_seconds = match cpu_start {
        Some(start) => (process_cpu()? - start).as_secs_f64(),
        None => 0.0,
    };
    Ok(SenderReport {
        sends,
        errors,
        cpu_seconds,
    })
}

/// The sockets one round writes to.
enum Output {
    Tcp(Vec<TcpStream>),
    /// One socket per peer, as a WebRTC server has one per peer connection.
    Udp(Vec<(UdpSocket, SocketAddr)>),
    /// One socket for every peer, written with `sendmmsg`.
    UdpBatch {
        socket: UdpSocket,
        addresses: Vec<Option<SockaddrIn>>,
        headers: MultiHeaders<SockaddrIn>,
    },
}

impl Output {
    fn open(transport: Transport, peers: Peers) -> anyhow::Result<Self> {
        match (transport, peers) {
            (Transport::Tcp, Peers::Tcp(streams)) => Ok(Self::Tcp(streams)),
            (Transport::Udp, Peers::Udp(addresses)) => {
                let sockets = addresses
                    .into_iter()
                    .map(|address| Ok((UdpSocket::bind(loopback(address))?, address)))
                    .collect::<std::io::Result<_>>()?;
                Ok(Self::Udp(sockets))
            }
            (Transport::UdpBatch, Peers::Udp(addresses)) => {
                let addresses = addresses
                    .into_iter()
                    .map(|address| match address {
                        SocketAddr::V4(v4) => Ok(Some(SockaddrIn::from(v4))),
                        SocketAddr::V6(_) => {
                            anyhow::bail!("sendmmsg peers must be IPv4, got {address}")
                        }
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
                let headers = MultiHeaders::preallocate(addresses.len().min(BATCH_LIMIT), None);
                Ok(Self::UdpBatch {
                    socket,
                    addresses,
                    headers,
                })
            }
            (transport, _) => {
                anyhow::bail!("invalid peers for {transport}: tcp needs connections, udp addresses")
            }
        }
    }

    /// Writes `frame` to every peer once; returns the frames sent and the
    /// writes that failed.
    fn send_round(&mut self, frame: &[u8]) -> (u64, u64) {
        let mut sent = 0;
        let mut failed = 0;
        match self {
            Self::Tcp(streams) => {
                for stream in streams.iter_mut() {
                    match stream.write_all(frame) {
                        Ok(()) => sent += 1,
                        Err(_) => failed += 1,
                    }
                }
            }
            Self::Udp(sockets) => {
                for (socket, address) in sockets.iter() {
                    match socket.send_to(frame, address) {
                        Ok(_) => sent += 1,
                        Err(_) => failed += 1,
                    }
                }
            }
            Self::UdpBatch {
                socket,
                addresses,
                headers,
            } => {
                let slices = [IoSlice::new(frame)];
                for chunk in addresses.chunks(BATCH_LIMIT) {
                    let buffers = std::iter::repeat_n(&slices, chunk.len());
                    let no_control: [ControlMessage<'_>; 0] = [];
                    let result = sendmmsg(
                        socket.as_raw_fd(),
                        headers,
                        buffers,
                        chunk,
                        no_control,
                        MsgFlags::empty(),
                    );
                    match result {
                        Ok(results) => {
                            let count = results.count() as u64;
                            sent += count;
                            failed += chunk.len() as u64 - count;
                        }
                        Err(_) => failed += chunk.len() as u64,
                    }
                }
            }
        }
        (sent, failed)
    }
}

/// Returns the loopback address of `peer`'s family, on a free port.
fn loopback(peer: SocketAddr) -> SocketAddr {
    match peer {
        SocketAddr::V4(_) => SocketAddr::V4(SocketAddrV4::new([127, 0, 0, 1].into(), 0)),
        SocketAddr::V6(_) => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 0)),
    }
}

/// Returns this process's CPU time so far: the user and system time of all
/// its threads, as `/proc/PID/stat` counts it, at nanosecond resolution.
fn process_cpu() -> anyhow::Result<Duration> {
    let time = clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID)?;
    Ok(Duration::from(time))
}
