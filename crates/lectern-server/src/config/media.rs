//! The `[media]` settings: limits of board uploads and the PDF renderer's
//! programs.

use std::path::PathBuf;
use std::time::Duration;

use lectern_media::{MediaLimits, PdfRenderer};
use serde::Deserialize;

/// Settings of pictures, videos and PDF slides on the board.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaSettings {
    /// Size, pixel, page and time limits of one upload.
    pub limits: MediaLimits,
    /// The poppler-utils programs that render PDF slides.
    pub renderer: PdfRenderer,
}

/// Smallest accepted edge of a display picture or thumbnail, in pixels.
const MIN_EDGE: u32 = 16;

/// Largest accepted display edge, in pixels: a display picture is held
/// decoded in memory by every browser that shows it.
const MAX_DISPLAY_EDGE: u32 = 8192;

impl MediaSettings {
    /// Checks the settings, naming the settings-file key of each problem.
    pub fn validate(&self) -> Vec<String> {
        let limits = &self.limits;
        let mut problems = Vec::new();
        let mut require = |ok: bool, problem: String| {
            if !ok {
                problems.push(problem);
            }
        };

        for (key, value) in [
            ("max_image_bytes", limits.max_image_bytes),
            ("max_video_bytes", limits.max_video_bytes),
            ("max_pdf_bytes", limits.max_pdf_bytes),
        ] {
            require(
                value >= 1024,
                format!("media.{key} is {value}, but it must be at least 1024"),
            );
        }
        require(
            limits.max_pixels >= 1,
            "media.max_pixels must be at least 1".to_owned(),
        );
        require(
            limits.max_side >= 1,
            "media.max_side must be at least 1".to_owned(),
        );
        require(
            (MIN_EDGE..=MAX_DISPLAY_EDGE).contains(&limits.display_max_edge),
            format!(
                "media.display_max_edge is {}, but it must be between {MIN_EDGE} and {MAX_DISPLAY_EDGE}",
                limits.display_max_edge
            ),
        );
        require(
            (MIN_EDGE..=limits.display_max_edge).contains(&limits.thumbnail_max_edge),
            format!(
                "media.thumbnail_max_edge is {}, but it must be between {MIN_EDGE} and media.display_max_edge ({})",
                limits.thumbnail_max_edge, limits.display_max_edge
            ),
        );
        require(
            limits.max_pdf_pages >= 1,
            "media.max_pdf_pages must be at least 1".to_owned(),
        );
        require(
            !limits.renderer_timeout.is_zero(),
            "media.renderer_timeout_secs must be at least 1".to_owned(),
        );
        for (key, program) in [
            ("pdfinfo", &self.renderer.pdfinfo),
            ("pdftoppm", &self.renderer.pdftoppm),
        ] {
            require(
                !program.as_os_str().is_empty(),
                format!("media.{key} is empty; give the program's path or leave the key out"),
            );
        }
        problems
    }
}

/// The `[media]` table of the settings file; times are in seconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMedia {
    pub max_image_bytes: Option<u64>,
    pub max_video_bytes: Option<u64>,
    pub max_pdf_bytes: Option<u64>,
    pub max_pixels: Option<u64>,
    pub max_side: Option<u32>,
    pub display_max_edge: Option<u32>,
    pub thumbnail_max_edge: Option<u32>,
    pub max_pdf_pages: Option<u32>,
    pub renderer_timeout_secs: Option<u64>,
    /// Path of poppler's `pdfinfo`; by default found on `PATH`.
    pub pdfinfo: Option<PathBuf>,
    /// Path of poppler's `pdftoppm`; by default found on `PATH`.
    pub pdftoppm: Option<PathBuf>,
}

impl FileMedia {
    /// Applies the table over the defaults.
    pub fn settings(&self) -> MediaSettings {
        let limits = MediaLimits::default();
        let renderer = PdfRenderer::default();
        MediaSettings {
            limits: MediaLimits {
                max_image_bytes: self.max_image_bytes.unwrap_or(limits.max_image_bytes),
                max_video_bytes: self.max_video_bytes.unwrap_or(limits.max_video_bytes),
                max_pdf_bytes: self.max_pdf_bytes.unwrap_or(limits.max_pdf_bytes),
                max_pixels: self.max_pixels.unwrap_or(limits.max_pixels),
                max_side: self.max_side.unwrap_or(limits.max_side),
                display_max_edge: self.display_max_edge.unwrap_or(limits.display_max_edge),
                thumbnail_max_edge: self.thumbnail_max_edge.unwrap_or(limits.thumbnail_max_edge),
                max_pdf_pages: self.max_pdf_pages.unwrap_or(limits.max_pdf_pages),
                renderer_timeout: self
                    .renderer_timeout_secs
                    .map_or(limits.renderer_timeout, Duration::from_secs),
            },
            renderer: PdfRenderer {
                pdfinfo: self.pdfinfo.clone().unwrap_or(renderer.pdfinfo),
                pdftoppm: self.pdftoppm.clone().unwrap_or(renderer.pdftoppm),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> MediaSettings {
        let file: FileMedia = toml::from_str(text).expect("valid TOML");
        file.settings()
    }

    #[test]
    fn defaults_are_valid() {
        let settings = MediaSettings::default();
        assert!(settings.validate().is_empty(), "{:?}", settings.validate());
        assert_eq!(settings.limits, MediaLimits::default());
        assert_eq!(settings.renderer.pdftoppm, PathBuf::from("pdftoppm"));
    }

    #[test]
    fn file_values_override_defaults() {
        let settings = parse(
            "max_image_bytes = 2048\nrenderer_timeout_secs = 7\n\
             pdftoppm = \"/opt/poppler/bin/pdftoppm\"\n",
        );
        assert_eq!(settings.limits.max_image_bytes, 2048);
        assert_eq!(settings.limits.renderer_timeout, Duration::from_secs(7));
        assert_eq!(
            settings.renderer.pdftoppm,
            PathBuf::from("/opt/poppler/bin/pdftoppm")
        );
        assert_eq!(settings.renderer.pdfinfo, PathBuf::from("pdfinfo"));
        assert_eq!(
            settings.limits.max_video_bytes,
            MediaLimits::default().max_video_bytes
        );
    }

    #[test]
    fn invalid_values_are_named() {
        let settings = parse(
            "max_video_bytes = 10\nmax_pixels = 0\ndisplay_max_edge = 100\n\
             thumbnail_max_edge = 200\nmax_pdf_pages = 0\nrenderer_timeout_secs = 0\n\
             pdfinfo = \"\"\n",
        );
        let problems = settings.validate().join("\n");

        assert!(problems.contains("media.max_video_bytes"), "{problems}");
        assert!(problems.contains("media.max_pixels"), "{problems}");
        assert!(problems.contains("media.thumbnail_max_edge"), "{problems}");
        assert!(problems.contains("media.max_pdf_pages"), "{problems}");
        assert!(
            problems.contains("media.renderer_timeout_secs"),
            "{problems}"
        );
        assert!(problems.contains("media.pdfinfo"), "{problems}");
        assert!(
            !problems.contains("media.display_max_edge is"),
            "{problems}"
        );
    }
}
