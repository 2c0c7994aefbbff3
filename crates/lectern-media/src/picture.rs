//! The picture pipeline: header check, guarded decoding, EXIF orientation,
//! and re-encoding into a full-size, a display and a thumbnail version.

use std::collections::HashSet;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
};

use crate::error::MediaError;
use crate::kind::{MediaCategory, MediaKind};
use crate::limits::MediaLimits;

/// JPEG quality of re-encoded photos, from 1 to 100. 85 keeps photos free
/// of visible artefacts at about a tenth of the size of quality 100.
pub const JPEG_QUALITY: u8 = 85;

/// A picture with more distinct colours than this is treated as a photo
/// and encoded as JPEG; one with at most this many, such as a diagram, a
/// chart or a palette GIF, is encoded as PNG.
pub const PALETTE_MAX_COLORS: usize = 256;

/// The format of a re-encoded picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    Png,
    Jpeg,
}

impl OutputFormat {
    /// Returns the IANA media type.
    pub fn mime_type(self) -> &'static str {
        match self {
            OutputFormat::Png => "image/png",
            OutputFormat::Jpeg => "image/jpeg",
        }
    }

    /// Returns the usual file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpg",
        }
    }
}

/// One re-encoded version of a picture. It carries no metadata: no EXIF,
/// XMP, IPTC, comments or colour profile.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedImage {
    pub format: OutputFormat,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for EncodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedImage")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .finish()
    }
}

/// A processed picture: three re-encoded versions in one format, all
/// turned upright by the EXIF orientation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// Width after orientation, in pixels.
    pub width: u32,
    /// Height after orientation, in pixels.
    pub height: u32,
    /// The full-size picture. Use it for downloads instead of the upload,
    /// which may carry the camera's metadata.
    pub original: EncodedImage,
    /// Scaled down to fit [`MediaLimits::display_max_edge`]; the same as
    /// `original` when the picture is already that small.
    pub display: EncodedImage,
    /// Scaled down to fit [`MediaLimits::thumbnail_max_edge`].
    pub thumbnail: EncodedImage,
}

/// Decodes, checks and re-encodes a picture of the given kind.
///
/// The caller detects the kind with [`crate::detect_kind`]; a kind other
/// than PNG, JPEG, GIF or WebP is an error. A GIF or animated picture
/// yields its first frame. CPU-heavy: an async server runs it in
/// `spawn_blocking`.
///
/// A panic inside the decoder or encoder is caught and returned as
/// [`MediaError::Corrupt`]. NOTE: that guard needs unwinding, so a build
/// with `panic = "abort"` loses it.
pub fn process_image(
    bytes: &[u8],
    kind: MediaKind,
    limits: &MediaLimits,
) -> Result<ProcessedImage, MediaError> {
    if kind.category() != MediaCategory::Image {
        return Err(MediaError::WrongCategory {
            kind,
            expected: "a picture",
        });
    }
    limits.check_size(kind, bytes.len() as u64)?;

    match catch_unwind(AssertUnwindSafe(|| process_unguarded(bytes, kind, limits))) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|message| (*message).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            tracing::error!(%kind, panic = %message, "the picture pipeline panicked");
            Err(MediaError::Corrupt {
                kind,
                reason: format!("the decoder failed unexpectedly: {message}"),
            })
        }
    }
}

fn process_unguarded(
    bytes: &[u8],
    kind: MediaKind,
    limits: &MediaLimits,
) -> Result<ProcessedImage, MediaError> {
    let picture = decode_upright(bytes, kind, limits)?;
    let format = choose_format(&picture);
    let (width, height) = picture.dimensions();

    let original = encode(&picture, format)?;
    let display_picture = fit_within(&picture, limits.display_max_edge, FilterType::Lanczos3);
    let display = match &display_picture {
        Some(smaller) => encode(smaller, format)?,
        None => original.clone(),
    };

    // The thumbnail is scaled from the display version when there is one,
    // which is faster than scaling the original again.
    let thumbnail_source = display_picture.as_ref().unwrap_or(&picture);
    let thumbnail = match fit_within(
        thumbnail_source,
        limits.thumbnail_max_edge,
        FilterType::Triangle,
    ) {
        Some(smaller) => encode(&smaller, format)?,
        None => display.clone(),
    };

    Ok(ProcessedImage {
        width,
        height,
        original,
        display,
        thumbnail,
    })
}

/// Decodes a picture under the limits and turns it upright.
fn decode_upright(
    bytes: &[u8],
    kind: MediaKind,
    limits: &MediaLimits,
) -> Result<DynamicImage, MediaError> {
    let format = image_format(kind);
    let corrupt = |error: ImageError| map_decode_error(kind, error);

    // First pass: read only the header, with no side limit, so that an
    // oversized picture gets an error naming its size. The allocation
    // limit still applies to what the header parser reserves.
    let mut header_reader = ImageReader::with_format(Cursor::new(bytes), format);
    header_reader.limits(decoder_limits(limits, None));
    let (width, height) = header_reader.into_dimensions().map_err(corrupt)?;
    check_dimensions(kind, width, height, limits)?;

    // Second pass: decode with every limit set on the decoder, a guard for
    // a header that the first pass read differently.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits, Some(limits.max_side)));
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(kind, width, height, limits)?;
    let mut budget = decoder_limits(limits, Some(limits.max_side));
    budget.reserve(decoder.total_bytes()).map_err(corrupt)?;

    // A broken EXIF block only loses the orientation, as in a browser.
    let orientation = decoder.orientation().unwrap_or_else(|error| {
        tracing::debug!(%kind, %error, "ignoring unreadable EXIF orientation");
        image::metadata::Orientation::NoTransforms
    });
    let mut picture = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

fn image_format(kind: MediaKind) -> ImageFormat {
    match kind {
        MediaKind::Png => ImageFormat::Png,
        MediaKind::Jpeg => ImageFormat::Jpeg,
        MediaKind::Gif => ImageFormat::Gif,
        // `process_image` admits only the four picture kinds.
        MediaKind::WebP | MediaKind::Mp4 | MediaKind::WebM | MediaKind::Pdf => ImageFormat::WebP,
    }
}

fn decoder_limits(limits: &MediaLimits, max_side: Option<u32>) -> Limits {
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = max_side;
    decoder_limits.max_image_height = max_side;
    decoder_limits.max_alloc = Some(limits.max_decoded_bytes());
    decoder_limits
}

fn check_dimensions(
    kind: MediaKind,
    width: u32,
    height: u32,
    limits: &MediaLimits,
) -> Result<(), MediaError> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt {
            kind,
            reason: format!("the header declares {width}x{height} pixels"),
        });
    }
    if pixels > limits.max_pixels {
        return Err(MediaError::PixelLimit {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    if width > limits.max_side || height > limits.max_side {
        return Err(MediaError::SideLimit {
            width,
            height,
            max_side: limits.max_side,
        });
    }
    Ok(())
}

fn map_decode_error(kind: MediaKind, error: ImageError) -> MediaError {
    let reason = match error {
        ImageError::Limits(limit) => format!("the decoder's memory limit was reached: {limit}"),
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends too early".to_owned()
        }
        other => other.to_string(),
    };
    // Decoder messages may span lines; an error message is one line.
    let reason: String = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    MediaError::Corrupt {
        kind,
        reason: reason.chars().take(300).collect(),
    }
}

/// Chooses PNG for a picture whose transparency is used or that has few
/// colours (a diagram, a chart, a palette GIF), where JPEG would blur edges,
/// and JPEG for everything else, which is mostly photos.
///
/// WebP is not an output: the `image` crate's WebP encoder is lossless
/// only, so its photos are several times larger than JPEG's.
fn choose_format(picture: &DynamicImage) -> OutputFormat {
    if uses_alpha(picture) || is_palette_like(picture) {
        OutputFormat::Png
    } else {
        OutputFormat::Jpeg
    }
}

fn uses_alpha(picture: &DynamicImage) -> bool {
    picture.color().has_alpha() && picture.pixels().any(|(_, _, pixel)| pixel.0[3] < u8::MAX)
}

/// Counts distinct colours up to [`PALETTE_MAX_COLORS`] + 1. A photo
/// passes that count within its first rows, so the scan is short for it.
fn is_palette_like(picture: &DynamicImage) -> bool {
    let mut colors = HashSet::with_capacity(PALETTE_MAX_COLORS + 1);
    for (_, _, pixel) in picture.pixels() {
        colors.insert(pixel.0);
        if colors.len() > PALETTE_MAX_COLORS {
            return false;
        }
    }
    true
}

/// Scales a picture down to fit a square of `max_edge` pixels, keeping its
/// aspect ratio. Returns `None` when it already fits.
fn fit_within(picture: &DynamicImage, max_edge: u32, filter: FilterType) -> Option<DynamicImage> {
    let (width, height) = picture.dimensions();
    if width.max(height) <= max_edge {
        return None;
    }
    Some(picture.resize(max_edge, max_edge, filter))
}

/// Encodes a picture. The encoders write pixels only: the JPEG output has
/// a JFIF header and no APP1 (EXIF, XMP) or comment segment, and the PNG
/// output has no text, EXIF or colour profile chunk.
fn encode(picture: &DynamicImage, format: OutputFormat) -> Result<EncodedImage, MediaError> {
    let mut bytes = Vec::new();
    let result = match format {
        OutputFormat::Png => {
            let pixels = if picture.color().has_alpha() {
                DynamicImage::ImageRgba8(picture.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(picture.to_rgb8())
            };
            pixels.write_with_encoder(PngEncoder::new(&mut bytes))
        }
        OutputFormat::Jpeg => {
            let pixels = DynamicImage::ImageRgb8(picture.to_rgb8());
            pixels.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
        }
    };
    result.map_err(|error| MediaError::Encode {
        format: format.extension(),
        reason: error.to_string(),
    })?;
    Ok(EncodedImage {
        format,
        width: picture.width(),
        height: picture.height(),
        bytes,
    })
}
