//! The HTTP server: hyper serving warp's routes.
//!
//! warp's own server keeps a request's HTTP upgrade where only `warp::ws()`
//! can take it, and that builds every socket with tungstenite's default
//! buffers. This server runs the same routes through `warp::service` and
//! gives each request two things that warp's server would have owned:
//!
//! - the client's address, read by [`client_addr`] and by [`request_span`];
//! - on the board and control socket paths, the upgrade itself as a
//!   [`PendingUpgrade`] extension, so those routes can build their sockets
//!   with their own buffer sizes (see [`crate::socket`]).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::Span;
use tracing::field::{Empty, display};
use warp::filters::BoxedFilter;
use warp::filters::trace::Info;
use warp::hyper::server::conn::{AddrIncoming, AddrStream};
use warp::hyper::service::{Service, make_service_fn, service_fn};
use warp::hyper::upgrade::OnUpgrade;
use warp::hyper::{Body, Request, Server};
use warp::reply::Response;
use warp::ws::Ws;
use warp::{Filter, Rejection};

use crate::api::{BOARD_SOCKET_PREFIX, CONTROL_SOCKET_PREFIX};
use crate::error::ApiError;

tokio::task_local! {
    /// The address of the client whose request the current task serves.
    static CLIENT_ADDR: SocketAddr;
}

/// The HTTP upgrade of a board or control socket request, taken once by
/// the route that accepts the socket.
#[derive(Clone)]
pub struct PendingUpgrade(Arc<Mutex<Option<OnUpgrade>>>);

impl PendingUpgrade {
    fn new(upgrade: OnUpgrade) -> Self {
        Self(Arc::new(Mutex::new(Some(upgrade))))
    }

    /// Takes the upgrade, or returns `None` when it was already taken.
    pub fn take(&self) -> Option<OnUpgrade> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl fmt::Debug for PendingUpgrade {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PendingUpgrade")
            .finish_non_exhaustive()
    }
}

/// Checks a WebSocket handshake with `warp::ws()`, whose rejections are
/// unchanged, and extracts its `Sec-WebSocket-Key` and the HTTP upgrade
/// that [`bind`] kept for the route.
pub fn websocket_upgrade() -> impl Filter<Extract = (String, OnUpgrade), Error = Rejection> + Clone
{
    warp::ws()
        .and(warp::header::<String>("sec-websocket-key"))
        .and(warp::ext::optional::<PendingUpgrade>())
        .and_then(
            |_: Ws, key: String, upgrade: Option<PendingUpgrade>| async move {
                match upgrade.as_ref().and_then(PendingUpgrade::take) {
                    Some(upgrade) => Ok((key, upgrade)),
                    None => Err(Rejection::from(ApiError::internal(
                        "the socket request carries no HTTP upgrade",
                    ))),
                }
            },
        )
        .untuple_one()
}

/// Binds `listen` and returns the bound address and the future that
/// serves `routes` until `shutdown` completes and the open requests end.
/// A connection whose request headers take longer than `header_timeout` to
/// arrive is closed, so a stalled client cannot hold it, or the shutdown,
/// forever.
pub fn bind(
    routes: BoxedFilter<(Response,)>,
    listen: SocketAddr,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl Future<Output = ()>), warp::hyper::Error> {
    let mut incoming = AddrIncoming::bind(&listen)?;
    incoming.set_nodelay(true);
    let address = incoming.local_addr();

    let service = warp::service(routes);
    let make_service = make_service_fn(move |connection: &AddrStream| {
        let client = connection.remote_addr();
        let service = service.clone();
        async move {
            Ok::<_, Infallible>(service_fn(move |mut request: Request<Body>| {
                let path = request.uri().path();
                let is_socket = path.starts_with(BOARD_SOCKET_PREFIX)
                    || path.starts_with(CONTROL_SOCKET_PREFIX);
                if is_socket && let Some(upgrade) = request.extensions_mut().remove::<OnUpgrade>() {
                    request
                        .extensions_mut()
                        .insert(PendingUpgrade::new(upgrade));
                }
                let mut service = service.clone();
                CLIENT_ADDR.scope(client, service.call(request))
            }))
        }
    });

    let server = Server::builder(incoming)
        .http1_header_read_timeout(header_timeout)
        .serve(make_service)
        .with_graceful_shutdown(shutdown);
    let serve = async move {
        if let Err(error) = server.await {
            tracing::error!(%error, "the HTTP server failed");
        }
    };
    Ok((address, serve))
}

/// Extracts the client's address, which is `None` outside a request
/// served by [`bind`], such as in `warp::test`.
pub fn client_addr() -> impl Filter<Extract = (Option<SocketAddr>,), Error = Infallible> + Clone {
    warp::any().map(|| CLIENT_ADDR.try_with(|client| *client).ok())
}

/// Returns the span of one request, with the fields of
/// `warp::trace::request()`, whose client address warp's service no
/// longer has.
pub fn request_span(info: Info<'_>) -> Span {
    let span = tracing::info_span!(
        "request",
        remote.addr = Empty,
        method = %info.method(),
        path = %info.path(),
        version = ?info.version(),
        referer = Empty,
    );
    if let Ok(client) = CLIENT_ADDR.try_with(|client| *client) {
        span.record("remote.addr", display(client));
    }
    if let Some(referer) = info.referer() {
        span.record("referer", display(referer));
    }
    tracing::debug!(parent: &span, "received request");
    span
}
