//! The browser site.
//!
//! NOTE: until the classroom UI is built, every page is one placeholder
//! compiled into the binary.

use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Reply};

const PLACEHOLDER: &str = include_str!("../../../frontend/index.html");

pub fn routes() -> BoxedFilter<(Response,)> {
    let index = warp::path::end().map(page);
    let join = warp::path!("join" / String).map(|_code: String| page());

    warp::get().and(index.or(join).unify()).boxed()
}

fn page() -> Response {
    warp::reply::html(PLACEHOLDER).into_response()
}
