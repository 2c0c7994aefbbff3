//! Checking and processing of files uploaded to a room's whiteboard:
//! pictures, videos and PDF slides, and their content-addressed storage.
//!
//! # What this crate owns
//!
//! Everything between the uploaded bytes and the files that students
//! download: kind detection by signature ([`detect_kind`]), size, pixel and
//! page limits ([`MediaLimits`]), the picture pipeline ([`process_image`]),
//! video checks ([`check_video`]), PDF rendering ([`process_pdf`]), the
//! single entry point [`process_upload`], HTTP `Range` parsing for serving
//! videos ([`parse_range`]), and the store ([`MediaStore`]).
//!
//! # What it must never do
//!
//! Uploads come from anyone who may draw on a board, so this crate is the
//! first place a crafted or damaged file meets the server. It never trusts
//! a file name or a declared content type: the signature decides. It never
//! decodes a picture before checking the pixel count that its header
//! declares, and it caps the decoder's allocations too. It never panics on
//! an upload: decoder panics are caught and returned as errors. It never
//! passes an uploaded picture through: every picture is decoded and encoded
//! again, so no EXIF (GPS position, camera serial number), XMP or comment
//! reaches the students. Videos are not re-encoded; [`strip_mp4_metadata`]
//! blanks an MP4's user data in place, which the caller runs before storing.
//! It never runs a shell, and it never lets the PDF
//! renderer run without a time limit. It accepts no SVG, which may carry
//! scripts. It performs no network I/O and spawns no async tasks: the
//! processing functions and the store are synchronous, and an async server
//! calls them in `spawn_blocking`.
//!
//! # Output formats
//!
//! A picture whose transparency is used, or that has at most
//! [`PALETTE_MAX_COLORS`] colours (diagrams, charts, palette GIFs), is
//! encoded as PNG; any other picture as JPEG at quality [`JPEG_QUALITY`].
//! WebP is accepted as input but not produced: the `image` crate's WebP
//! encoder (0.25) is lossless only, which makes photos several times
//! larger than JPEG. The three versions of a picture (full size, display,
//! thumbnail) share one format. The colour profile is dropped too, so a
//! wide-gamut photo is shown as sRGB.
//!
//! # PDF renderer
//!
//! Slides are rendered by poppler (`pdfinfo` and `pdftoppm` from Debian's
//! `poppler-utils`), the renderer behind Evince and most Linux PDF tools,
//! maintained for many years on real-world files. It runs in a separate
//! process, so a hang or a crash on a crafted PDF ends with a kill after
//! the time limit instead of taking the server down. A pure-Rust renderer
//! would run inside the server, where a panic can be caught but an endless
//! loop or a runaway allocation cannot be stopped; the one found on
//! crates.io, `hayro`, was at version 0.9 and was not compared further.
//!
//! # Example
//!
//! ```
//! use lectern_media::{MediaError, MediaLimits, process_upload};
//!
//! let error = process_upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", &MediaLimits::default())
//!     .expect_err("SVG is rejected");
//! assert!(matches!(error, MediaError::Svg));
//! assert_eq!(error.to_string(), "SVG is not accepted; export it as PNG");
//! ```

pub mod error;
pub mod kind;
pub mod limits;
pub mod picture;
pub mod process;
pub mod range;
pub mod slides;
pub mod store;
pub mod video;

pub use error::MediaError;
pub use kind::{MediaCategory, MediaKind, SNIFF_LEN, detect_kind};
pub use limits::MediaLimits;
pub use picture::{
    EncodedImage, JPEG_QUALITY, OutputFormat, PALETTE_MAX_COLORS, ProcessedImage, process_image,
};
pub use process::{ProcessedMedia, process_upload, process_upload_with};
pub use range::{ByteRange, RangeError, parse_range};
pub use slides::{PdfRenderer, process_pdf};
pub use store::{Digest, DigestError, MediaStore, StoreError};
pub use video::{VideoInfo, check_video, check_video_head, strip_mp4_metadata};
