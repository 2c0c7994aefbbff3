//! The errors of upload processing.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::kind::MediaKind;

/// An upload's rejection, or a failure to process it.
///
/// Every message names what was wrong and what the uploader can do, so the
/// server may show it to the lecturer as it is. The variants that are the
/// server's fault ([`MediaError::RendererMissing`], [`MediaError::Renderer`],
/// [`MediaError::Io`], [`MediaError::Encode`]) are worth logging; the others
/// describe the file.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The upload has no bytes.
    #[error("the file is empty; choose a file with content")]
    Empty,

    /// The upload is over the size limit for its kind.
    #[error(
        "the {kind} file is {size} bytes, over the limit of {limit} bytes; upload a smaller file"
    )]
    TooLarge {
        kind: MediaKind,
        size: u64,
        limit: u64,
    },

    /// The upload is an SVG drawing, which may carry scripts and external
    /// references, so it is not accepted.
    #[error("SVG is not accepted; export it as PNG")]
    Svg,

    /// The upload's signature matches no accepted kind. `detected` is a
    /// description of what was found, such as "a plain text file".
    #[error(
        "{detected} is not accepted; upload a PNG, JPEG, GIF or WebP picture, \
         an MP4 or WebM video, or PDF slides"
    )]
    UnsupportedType { detected: String },

    /// The upload is an accepted kind, but not the kind that the called
    /// function processes, such as a PDF given to the picture pipeline.
    #[error("the file is a {kind} file, not {expected}; upload {expected}")]
    WrongCategory {
        kind: MediaKind,
        expected: &'static str,
    },

    /// The picture's header declares more pixels than the limit, so it was
    /// rejected before decoding.
    #[error(
        "the picture is {width}x{height} pixels, over the limit of {limit} pixels; \
         scale it down before uploading"
    )]
    PixelLimit { width: u32, height: u32, limit: u64 },

    /// The picture's header declares a width or height over the limit.
    #[error(
        "the picture is {width}x{height} pixels, and a side may be at most {max_side} pixels; \
         scale it down before uploading"
    )]
    SideLimit {
        width: u32,
        height: u32,
        max_side: u32,
    },

    /// The file has the right signature but cannot be read: truncated,
    /// damaged, or using a variant of the format that the decoder rejects.
    #[error("the {kind} file is damaged or truncated ({reason}); export it again and re-upload")]
    Corrupt { kind: MediaKind, reason: String },

    /// The PDF needs a password to open.
    #[error("the PDF is password-protected; upload a copy saved without a password")]
    EncryptedPdf,

    /// The PDF has more pages than the limit.
    #[error("the PDF has {pages} pages, over the limit of {limit}; split it into smaller files")]
    TooManyPages { pages: u32, limit: u32 },

    /// A program of the PDF renderer is not installed.
    #[error(
        "the PDF renderer {program} was not found; the server needs Debian's \
         poppler-utils package to accept PDF slides"
    )]
    RendererMissing { program: PathBuf },

    /// A program of the PDF renderer failed on this file.
    #[error("the PDF renderer {program} failed ({reason}); export the PDF again and re-upload")]
    Renderer { program: PathBuf, reason: String },

    /// A program of the PDF renderer ran past the time limit and was killed.
    #[error(
        "the PDF renderer {program} did not finish within {timeout:?}; \
         upload fewer or simpler pages"
    )]
    RendererTimeout { program: PathBuf, timeout: Duration },

    /// Re-encoding a decoded picture failed. This is a server fault: a
    /// decoded picture always has a valid size and colour type.
    #[error("failed to encode the {format} output: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },

    /// A file operation of the PDF renderer's temporary directory failed.
    #[error("failed to {action}: {source}")]
    Io {
        action: &'static str,
        #[source]
        source: io::Error,
    },
}
