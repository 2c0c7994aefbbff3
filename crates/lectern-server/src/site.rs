//! The browser site.
//!
//! NOTE: until the classroom UI is built, every page is one placeholder
//! compiled into the binary.

use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Reply};

const PLACEHOLDER: &str = include_str!("../../../frontend/index.html");

pub fn routes() -> BoxedFilter<(Response,)> {
    // The path comes before the method, so a POST to an unknown path stays
    // a 404 instead of becoming a 405 here.
    let index = warp::path::end().and(warp::get()).map(page);
    let join = warp::path!("join" / String)
        .and(warp::get())
        .map(|_code: String| page());

    index.or(join).unify().boxed()
}

fn page() -> Response {
    warp::reply::html(PLACEHOLDER).into_response()
}
