//! The browser site, built by Vite and embedded at compile time.
//!
//! Page paths (`/`, `/join/{code}`, `/room/{code}`, and any other path
//! without a file extension outside `/api` and `/ws`) return `index.html`,
//! and the client-side router picks the page. Files under `/assets/` carry
//! content hashes in their names, so they are cached for a year.

use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, Method, Response as HttpResponse, StatusCode};
use warp::hyper::Body;
use warp::path::FullPath;
use warp::reply::Response;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Sent with every page: only this origin's scripts, and no referrer, so a
/// token in a URL never leaves the site. `blob:` media lets the board play a
/// video it fetched with the bearer token when the room's cookie is missing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
     media-src 'self' blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn routes() -> BoxedFilter<(Response,)> {
    // The method is checked inside, not with `warp::get()`, so that a POST
    // to an unknown path stays a 404 instead of becoming a 405 here.
    warp::method()
        .and(warp::path::full())
        .and_then(|method: Method, path: FullPath| async move {
            if method != Method::GET && method != Method::HEAD {
                return Err(warp::reject::not_found());
            }
            serve(path.as_str()).ok_or_else(warp::reject::not_found)
        })
        .boxed()
}

/// Returns the embedded file at `path`, or `index.html` for a path that
/// looks like a page (no file extension), so the client-side router can
/// show the page or its own "not found" page. API and socket paths are
/// never pages.
fn serve(path: &str) -> Option<Response> {
    let relative = path.trim_start_matches('/');
    if let Some((name, body)) = find(relative) {
        return Some(respond(name, body));
    }

    let is_backend = ["api/", "ws/"]
        .iter()
        .any(|prefix| relative.starts_with(prefix) || format!("{relative}/") == *prefix);
    let last_segment = relative.rsplit('/').next().unwrap_or_default();
    if is_backend || last_segment.contains('.') {
        return None;
    }
    let (name, body) = find("index.html")?;
    Some(respond(name, body))
}

fn find(name: &str) -> Option<(&'static str, &'static [u8])> {
    embedded::ASSETS
        .iter()
        .find(|(path, _)| *path == name)
        .map(|(path, body)| (*path, *body))
}

fn respond(name: &str, body: &'static [u8]) -> Response {
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };

    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(content_type(name)));
    headers.insert("cache-control", HeaderValue::from_static(cache));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_serve_index() {
        for path in ["/", "/join/abcdefgh23", "/room/abcdefgh23"] {
            let response = serve(path).expect("page");
            assert_eq!(
                response.headers()["content-type"],
                "text/html; charset=utf-8",
                "{path}"
            );
        }
    }

    #[test]
    fn unknown_file_and_backend_paths_are_not_served() {
        for path in ["/nothing-here.js", "/api/v1/unknown", "/api", "/ws/board"] {
            assert!(serve(path).is_none(), "{path}");
        }
    }

    #[test]
    fn pages_allow_board_media_from_blobs() {
        let response = serve("/room/abcdefgh23").expect("page");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .expect("ASCII policy");
        assert!(policy.contains("img-src 'self' data: blob:"), "{policy}");
        assert!(policy.contains("media-src 'self' blob:"), "{policy}");
        assert!(policy.contains("script-src 'self';"), "{policy}");
    }

    #[test]
    fn unknown_page_paths_serve_index() {
        for path in ["/join", "/nothing-here", "/room"] {
            let response = serve(path).expect("index.html");
            assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        }
    }
}
