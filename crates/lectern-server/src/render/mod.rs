//! Renders a board document to raster pages for PNG and PDF export.

mod document;
mod paint;
mod pdf;

use std::path::PathBuf;

use tiny_skia::{Color, IntSize, Pixmap, Transform};

pub use document::{BoardPage, read_pages};
pub use paint::{Bounds, Pictures, page_bounds};
pub use pdf::write_pdf;

/// The maximum width or height of one rendered page, in pixels.
pub const MAX_EDGE: u32 = 4096;

/// The maximum height of the whole board stacked into one PNG, in pixels.
pub const MAX_STACK_HEIGHT: u32 = 16384;

/// The maximum pixel count of the stacked PNG, 32 Mi pixels (128 MiB of
/// RGBA while rendering).
pub const MAX_STACK_PIXELS: f64 = 32.0 * 1024.0 * 1024.0;

/// Pixels between pages in a stacked PNG.
pub const PAGE_GAP: u32 = 24;

/// Returns the colour between stacked pages.
fn gap_color() -> Color {
    Color::from_rgba8(0xd1, 0xd5, 0xdb, 0xff)
}

/// Returns the pixels per board unit that fit `bounds` within
/// [`MAX_EDGE`], at most `scale`.
fn fitted_scale(bounds: Bounds, scale: f64) -> f64 {
    let longest = bounds.w.max(bounds.h);
    scale.min(f64::from(MAX_EDGE) / longest)
}

fn pixel_size(bounds: Bounds, scale: f64) -> (u32, u32) {
    let edge = |units: f64| ((units * scale).ceil() as u32).clamp(1, MAX_EDGE);
    (edge(bounds.w), edge(bounds.h))
}

/// Renders one page on white at `scale` pixels per board unit, reduced
/// so that neither edge exceeds [`MAX_EDGE`].
pub fn render_page(page: &BoardPage, pictures: &Pictures, scale: f64) -> Result<Pixmap, String> {
    let bounds = page_bounds(page);
    let scale = fitted_scale(bounds, scale);
    let (width, height) = pixel_size(bounds, scale);
    let mut pixmap = blank(width, height, Color::WHITE)?;
    paint::paint_page(
        &mut pixmap,
        page,
        pictures,
        page_transform(bounds, scale, 0.0),
    );
    Ok(pixmap)
}

/// Renders every page, in order, stacked top to bottom with a
/// [`PAGE_GAP`] between them. One scale applies to all pages, reduced so
/// that the longest page edge fits [`MAX_EDGE`] and the whole stack fits
/// [`MAX_STACK_HEIGHT`] and [`MAX_STACK_PIXELS`].
pub fn render_stack(
    pages: &[BoardPage],
    pictures: &Pictures,
    scale: f64,
) -> Result<Pixmap, String> {
    let bounds: Vec<Bounds> = pages.iter().map(page_bounds).collect();
    let widest = bounds.iter().map(|bounds| bounds.w).fold(1.0, f64::max);
    let longest = bounds
        .iter()
        .map(|bounds| bounds.w.max(bounds.h))
        .fold(1.0, f64::max);
    let total_height: f64 = bounds.iter().map(|bounds| bounds.h).sum();
    let gaps = PAGE_GAP * (pages.len().max(1) as u32 - 1);
    let room_for_pages = f64::from(MAX_STACK_HEIGHT.saturating_sub(gaps).max(1));
    let scale = scale
        .min(f64::from(MAX_EDGE) / longest)
        .min(f64::from(MAX_EDGE) / widest)
        .min(room_for_pages / total_height.max(1.0))
        .min((MAX_STACK_PIXELS / (widest * total_height.max(1.0))).sqrt());

    let sizes: Vec<(u32, u32)> = bounds.iter().map(|b| pixel_size(*b, scale)).collect();
    let width = sizes.iter().map(|size| size.0).max().unwrap_or(1);
    let height = (sizes.iter().map(|size| size.1).sum::<u32>() + gaps).max(1);
    let mut pixmap = blank(width, height, gap_color())?;

    let mut top = 0;
    for ((page, bounds), (page_width, page_height)) in pages.iter().zip(&bounds).zip(&sizes) {
        if let Some(rect) =
            tiny_skia::Rect::from_xywh(0.0, top as f32, *page_width as f32, *page_height as f32)
        {
            let mut white = tiny_skia::Paint::default();
            white.set_color(Color::WHITE);
            pixmap.fill_rect(rect, &white, Transform::identity(), None);
        }
        paint::paint_page(
            &mut pixmap,
            page,
            pictures,
            page_transform(*bounds, scale, f64::from(top)),
        );
        top += page_height + PAGE_GAP;
    }
    Ok(pixmap)
}

/// Maps board units inside `bounds` to pixels, starting `top` pixels down.
fn page_transform(bounds: Bounds, scale: f64, top: f64) -> Transform {
    Transform::from_row(
        scale as f32,
        0.0,
        0.0,
        scale as f32,
        (-bounds.x * scale) as f32,
        (top - bounds.y * scale) as f32,
    )
}

/// Creates a pixmap filled with `color`, or an error when tiny-skia rejects
/// its size (an area over `i32::MAX` bytes, possible only for a stack of
/// thousands of pages).
fn blank(width: u32, height: u32, color: Color) -> Result<Pixmap, String> {
    let mut pixmap = Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| format!("cannot allocate a {width}x{height} picture"))?;
    pixmap.fill(color);
    Ok(pixmap)
}

/// Decodes picture files into pixmaps. A file that cannot be read or
/// decoded is logged and left out, so its element shows a crossed frame.
pub fn load_pictures(files: Vec<(String, PathBuf)>) -> Pictures {
    let mut pictures = Pictures::new();
    for (id, path) in files {
        match decode_picture(&path) {
            Ok(pixmap) => {
                pictures.insert(id, pixmap);
            }
            Err(error) => {
                tracing::warn!(media = %id, path = %path.display(), "board export skips a picture: {error}");
            }
        }
    }
    pictures
}

fn decode_picture(path: &std::path::Path) -> Result<Pixmap, String> {
    // Stored files are named by digest, without an extension, so the
    // format comes from the file's first bytes.
    let image = image::ImageReader::open(path)
        .map_err(|error| format!("cannot open: {error}"))?
        .with_guessed_format()
        .map_err(|error| format!("cannot read: {error}"))?
        .decode()
        .map_err(|error| format!("cannot decode: {error}"))?
        .to_rgba8();
    let (width, height) = image.dimensions();
    let mut data = image.into_raw();
    for pixel in data.chunks_exact_mut(4) {
        let alpha = u16::from(pixel[3]);
        for channel in &mut pixel[..3] {
            *channel = ((u16::from(*channel) * alpha + 127) / 255) as u8;
        }
    }
    let size = IntSize::from_wh(width, height).ok_or("the picture is empty")?;
    Pixmap::from_vec(data, size).ok_or_else(|| "invalid picture size".to_owned())
}

/// Encodes a pixmap as PNG.
pub fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, String> {
    pixmap.encode_png().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests;
