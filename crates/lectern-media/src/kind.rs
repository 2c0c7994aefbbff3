//! Kind detection from the file signature (magic bytes).
//!
//! Only the bytes decide: a file name or a declared content type is never
//! consulted, because both come from the uploader.

use std::fmt;

use crate::error::MediaError;

/// How many leading bytes [`detect_kind`] reads. A server that streams a
/// large upload to disk may sniff this prefix before storing the rest.
pub const SNIFF_LEN: usize = 4096;

/// An accepted kind of upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Png,
    Jpeg,
    Gif,
    WebP,
    /// An ISO base media file (`ftyp` box) with a video brand.
    Mp4,
    /// A Matroska file whose EBML header declares the `webm` doctype.
    WebM,
    Pdf,
}

/// The group of kinds that share a processing pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaCategory {
    Image,
    Video,
    Slides,
}

impl MediaKind {
    /// Returns the kind's pipeline.
    pub fn category(self) -> MediaCategory {
        match self {
            MediaKind::Png | MediaKind::Jpeg | MediaKind::Gif | MediaKind::WebP => {
                MediaCategory::Image
            }
            MediaKind::Mp4 | MediaKind::WebM => MediaCategory::Video,
            MediaKind::Pdf => MediaCategory::Slides,
        }
    }

    /// Returns the IANA media type of the uploaded file.
    pub fn mime_type(self) -> &'static str {
        match self {
            MediaKind::Png => "image/png",
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Gif => "image/gif",
            MediaKind::WebP => "image/webp",
            MediaKind::Mp4 => "video/mp4",
            MediaKind::WebM => "video/webm",
            MediaKind::Pdf => "application/pdf",
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Png => "PNG",
            MediaKind::Jpeg => "JPEG",
            MediaKind::Gif => "GIF",
            MediaKind::WebP => "WebP",
            MediaKind::Mp4 => "MP4",
            MediaKind::WebM => "WebM",
            MediaKind::Pdf => "PDF",
        })
    }
}

/// Major or compatible `ftyp` brands of MP4 video that browsers play.
const MP4_VIDEO_BRANDS: &[&[u8; 4]] = &[
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9", b"mp41", b"mp42",
    b"avc1", b"dash", b"M4V ", b"M4VH", b"M4VP", b"msnv", b"mmp4",
];

/// Detects the kind of an upload from its first bytes.
///
/// Reads at most [`SNIFF_LEN`] bytes. Returns [`MediaError::Empty`] for no
/// bytes, [`MediaError::Svg`] for an SVG drawing, and
/// [`MediaError::UnsupportedType`] naming what was found for anything else
/// that is not accepted.
pub fn detect_kind(bytes: &[u8]) -> Result<MediaKind, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];

    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaKind::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaKind::Jpeg);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(MediaKind::Gif);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(MediaKind::WebP);
    }
    if head.starts_with(b"%PDF-") {
        return Ok(MediaKind::Pdf);
    }
    if head.len() >= 8 && &head[4..8] == b"ftyp" {
        return detect_ftyp(head);
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return detect_ebml(head);
    }
    Err(reject_other(head))
}

/// Classifies an ISO base media file by the brands of its `ftyp` box.
fn detect_ftyp(head: &[u8]) -> Result<MediaKind, MediaError> {
    let declared = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    // A box of size 0 runs to the end of the file; any other size under 16
    // cannot hold a major brand and minor version.
    let size = if declared == 0 { head.len() } else { declared };
    if size < 16 || head.len() < 16 {
        return Err(unsupported("an ISO media file with a truncated ftyp box"));
    }
    let ftyp = &head[..size.min(head.len())];
    let major = &ftyp[8..12];

    match major {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
            return Err(unsupported("a HEIF/HEIC image (export it as JPEG)"));
        }
        b"avif" | b"avis" => return Err(unsupported("an AVIF image")),
        b"qt  " => return Err(unsupported("a QuickTime movie (export it as MP4)")),
        b"M4A " | b"M4B " | b"M4P " | b"F4A " => {
            return Err(unsupported("an MP4 audio file"));
        }
        b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a" => {
            return Err(unsupported("a 3GPP video (export it as MP4)"));
        }
        _ => {}
    }
    let is_video_brand = |brand: &[u8]| MP4_VIDEO_BRANDS.iter().any(|known| &known[..] == brand);
    if is_video_brand(major) {
        return Ok(MediaKind::Mp4);
    }
    // Compatible brands follow the minor version, four bytes each.
    if ftyp[16..].chunks_exact(4).any(is_video_brand) {
        return Ok(MediaKind::Mp4);
    }
    Err(unsupported(&format!(
        "an ISO media file with the unknown brand {:?}",
        String::from_utf8_lossy(major)
    )))
}

/// The EBML element ids that [`detect_ebml`] reads.
const EBML_HEADER_ID: u64 = 0x1A45_DFA3;
const EBML_DOCTYPE_ID: u64 = 0x4282;

/// Reads the EBML header's `DocType` and accepts it only when it is `webm`.
fn detect_ebml(head: &[u8]) -> Result<MediaKind, MediaError> {
    let truncated = || unsupported("an EBML file whose header could not be read");

    let (id, rest) = read_element_id(head).ok_or_else(truncated)?;
    if id != EBML_HEADER_ID {
        return Err(truncated());
    }
    let (size, mut body) = read_vint(rest).ok_or_else(truncated)?;
    if let Some(size) = size.and_then(|size| usize::try_from(size).ok()) {
        body = &body[..size.min(body.len())];
    }

    while !body.is_empty() {
        let (id, rest) = read_element_id(body).ok_or_else(truncated)?;
        let (size, rest) = read_vint(rest).ok_or_else(truncated)?;
        let size = size
            .and_then(|size| usize::try_from(size).ok())
            .ok_or_else(truncated)?;
        if size > rest.len() {
            return Err(truncated());
        }
        let (value, after) = rest.split_at(size);
        if id == EBML_DOCTYPE_ID {
            // The doctype is an ASCII string, possibly padded with zeros.
            let doctype = value.split(|&byte| byte == 0).next().unwrap_or(&[]);
            return match doctype {
                b"webm" => Ok(MediaKind::WebM),
                b"matroska" => Err(unsupported("a Matroska video (export it as WebM or MP4)")),
                other => Err(unsupported(&format!(
                    "an EBML file with the doctype {:?}",
                    String::from_utf8_lossy(other)
                ))),
            };
        }
        body = after;
    }
    Err(unsupported("an EBML file without a doctype"))
}

/// Reads an EBML element id, which keeps its length marker bits.
fn read_element_id(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let first = *bytes.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 4 || bytes.len() < len {
        return None;
    }
    let id = bytes[..len]
        .iter()
        .fold(0u64, |id, &byte| (id << 8) | u64::from(byte));
    Some((id, &bytes[len..]))
}

/// Reads an EBML variable-length size. `None` in the result is the
/// reserved "unknown size" value (all value bits set).
fn read_vint(bytes: &[u8]) -> Option<(Option<u64>, &[u8])> {
    let first = *bytes.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 || bytes.len() < len {
        return None;
    }
    let mask = if len == 8 { 0 } else { 0xFFu8 >> len };
    let mut value = u64::from(first & mask);
    for &byte in &bytes[1..len] {
        value = (value << 8) | u64::from(byte);
    }
    let unknown = value == (1u64 << (7 * len)) - 1;
    Some(((!unknown).then_some(value), &bytes[len..]))
}

/// Builds the rejection for a signature that matched no accepted kind.
fn reject_other(head: &[u8]) -> MediaError {
    if looks_like_svg(head) {
        return MediaError::Svg;
    }
    let detected = if head.starts_with(b"BM") && head.len() >= 14 {
        "a BMP image"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "a TIFF image"
    } else if head.starts_with(b"PK\x03\x04") {
        "a ZIP archive (.pptx, .docx and .odp files are ZIP archives; export slides as PDF)"
    } else if head.starts_with(&[0x1F, 0x8B]) {
        "a gzip archive"
    } else if head.starts_with(b"\x7FELF") || head.starts_with(b"MZ") {
        "an executable program"
    } else if head.starts_with(b"OggS") {
        "an Ogg file"
    } else if head.starts_with(b"ID3") || head.starts_with(&[0xFF, 0xFB]) {
        "an MP3 audio file"
    } else if looks_like_html(head) {
        "an HTML page"
    } else if looks_like_text(head) {
        "a plain text file"
    } else {
        "a file of unknown type"
    };
    unsupported(detected)
}

fn unsupported(detected: &str) -> MediaError {
    MediaError::UnsupportedType {
        detected: detected.to_owned(),
    }
}

/// Returns the first bytes after a UTF-8 byte order mark and leading
/// whitespace, lowercased, for the markup checks.
fn markup_start(head: &[u8]) -> Vec<u8> {
    let without_bom = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = without_bom
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(without_bom.len());
    without_bom[start..].to_ascii_lowercase()
}

fn looks_like_svg(head: &[u8]) -> bool {
    let start = markup_start(head);
    let is_markup = start.starts_with(b"<?xml")
        || start.starts_with(b"<svg")
        || start.starts_with(b"<!doctype svg")
        || start.starts_with(b"<!--");
    is_markup && contains(&start, b"<svg")
}

fn looks_like_html(head: &[u8]) -> bool {
    let start = markup_start(head);
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// Returns whether the bytes are UTF-8 text without control characters
/// other than whitespace. A multi-byte character cut by the sniff length
/// still counts as text.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            // Only the last character is incomplete.
            match std::str::from_utf8(&head[..error.valid_up_to()]) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|character| !character.is_control() || character.is_ascii_whitespace())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
