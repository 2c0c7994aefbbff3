//! The one error type of the HTTP API.
//!
//! Every failure reaches the client as
//! `{"error": {"code": "...", "message": "..."}}` with a matching status.
//! Internal failures are logged with their cause and shown to the client
//! only as `internal`, so no SQL, path or stack detail leaks.

use serde::Serialize;
use warp::http::StatusCode;
use warp::reject::Rejection;
use warp::reply::Response;
use warp::{Reply, reject};

/// An API failure with its status, a stable code and a message for people.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds the client should wait, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl reject::Reject for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; retry in {retry_after} s"),
            )
        }
    }

    /// Logs `cause` and returns an error that does not reveal it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error; the cause is in the server log",
        )
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

impl From<lectern_store::StoreError> for ApiError {
    fn from(error: lectern_store::StoreError) -> Self {
        ApiError::internal(error)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl Reply for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        let mut response =
            warp::reply::with_status(warp::reply::json(&body), self.status).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", warp::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// Turns every rejection into the JSON error shape.
pub async fn recover(rejection: Rejection) -> Result<Response, std::convert::Infallible> {
    // Body and header problems come first: warp also records a 405 for
    // every route whose method did not match on the way.
    let error = if let Some(error) = rejection.find::<ApiError>() {
        error.clone()
    } else if rejection.find::<reject::PayloadTooLarge>().is_some() {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "request body is over the size limit",
        )
    } else if let Some(error) = rejection.find::<reject::LengthRequired>() {
        ApiError::new(
            StatusCode::LENGTH_REQUIRED,
            "length_required",
            error.to_string(),
        )
    } else if let Some(error) = rejection.find::<reject::MissingHeader>() {
        ApiError::bad_request("missing_header", error.to_string())
    } else if let Some(error) = rejection.find::<reject::InvalidHeader>() {
        ApiError::bad_request("invalid_header", error.to_string())
    } else if let Some(error) = rejection.find::<reject::InvalidQuery>() {
        ApiError::bad_request("invalid_query", error.to_string())
    } else if let Some(error) = rejection.find::<reject::UnsupportedMediaType>() {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            error.to_string(),
        )
    } else if rejection.is_not_found() {
        ApiError::not_found("no such endpoint")
    } else if let Some(error) = rejection.find::<reject::MethodNotAllowed>() {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            error.to_string(),
        )
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        ApiError::bad_request("bad_request", "the request could not be handled")
    };

    if error.status.is_client_error() {
        tracing::debug!(status = %error.status, code = error.code, message = %error.message, "request rejected");
    }
    Ok(error.into_response())
}
