//! The API errors of a failed upload, as the table in docs/media.md lists
//! them.
//!
//! `lectern-media`'s messages describe the file and what to do, so most go
//! to the client as they are. The renderer's and the store's messages name
//! program and file paths, so those are replaced, and the original is only
//! logged.

use lectern_media::MediaError;
use warp::http::StatusCode;

use crate::error::ApiError;
use crate::media::UploadError;

/// Maps a failed upload to the API error the client gets.
pub fn upload_error(error: &UploadError) -> ApiError {
    match error {
        UploadError::Media(error) => media_error(error),
        UploadError::Store(_) | UploadError::Task(_) => ApiError::internal(error),
    }
}

fn media_error(error: &MediaError) -> ApiError {
    let invalid = |message: String| ApiError::bad_request("invalid_media", message);
    let unprocessable =
        |code, message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);

    match error {
        MediaError::Empty
        | MediaError::Svg
        | MediaError::UnsupportedType { .. }
        | MediaError::WrongCategory { .. }
        | MediaError::Corrupt { .. }
        | MediaError::EncryptedPdf => invalid(error.to_string()),
        MediaError::TooLarge { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            error.to_string(),
        ),
        MediaError::PixelLimit { .. } | MediaError::SideLimit { .. } => {
            unprocessable("too_many_pixels", error.to_string())
        }
        MediaError::TooManyPages { .. } => unprocessable("too_many_pages", error.to_string()),
        MediaError::Renderer { .. } => {
            tracing::warn!(%error, "the PDF renderer failed on an upload");
            invalid("the PDF could not be rendered; export it again and re-upload".to_owned())
        }
        MediaError::RendererTimeout { timeout, .. } => {
            tracing::warn!(%error, "the PDF renderer timed out on an upload");
            invalid(format!(
                "the PDF did not render within {} s; upload fewer or simpler pages",
                timeout.as_secs()
            ))
        }
        MediaError::RendererMissing { .. } => {
            tracing::error!(%error, "PDF slides are rejected until poppler-utils is installed");
            ApiError::service_unavailable(
                "this server cannot render PDF slides; its administrator must install poppler-utils",
            )
        }
        MediaError::Encode { .. } | MediaError::Io { .. } => ApiError::internal(error),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use lectern_media::MediaKind;

    use super::*;

    #[test]
    fn file_errors_keep_their_message() {
        let error = upload_error(&UploadError::Media(MediaError::Svg));
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.code, "invalid_media");
        assert_eq!(error.message, "SVG is not accepted; export it as PNG");

        let error = upload_error(&UploadError::Media(MediaError::PixelLimit {
            width: 100_000,
            height: 100_000,
            limit: 40_000_000,
        }));
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.code, "too_many_pixels");

        let error = upload_error(&UploadError::Media(MediaError::TooLarge {
            kind: MediaKind::Png,
            size: 2048,
            limit: 1024,
        }));
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error.code, "payload_too_large");
    }

    #[test]
    fn renderer_paths_are_not_shown() {
        let program = PathBuf::from("/opt/secret/bin/pdftoppm");
        for error in [
            MediaError::Renderer {
                program: program.clone(),
                reason: "exit status 1".to_owned(),
            },
            MediaError::RendererTimeout {
                program: program.clone(),
                timeout: Duration::from_secs(3),
            },
            MediaError::RendererMissing {
                program: program.clone(),
            },
        ] {
            let api = upload_error(&UploadError::Media(error));
            assert!(!api.message.contains("/opt/secret"), "{}", api.message);
        }
    }
}
