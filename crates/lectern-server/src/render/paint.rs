//! Paints board pages onto `tiny_skia` pixmaps, close to how the browser
//! paints them (frontend/src/board/paint.ts), not pixel-identical.

use std::collections::HashMap;
use std::sync::OnceLock;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use lectern_board::schema::ElementKind;
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, PixmapPaint, PixmapRef, Rect,
    Stroke, Transform,
};

use super::document::{BoardPage, Element};

/// Board units of empty space around a page's content.
pub const MARGIN: f64 = 24.0;

/// The smallest page, in board units, so that an empty page is still a page.
pub const MIN_WIDTH: f64 = 640.0;
pub const MIN_HEIGHT: f64 = 360.0;

/// The font that text elements are drawn with, from Debian's
/// fonts-dejavu-core package.
pub const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Font size in board units of a text element with stroke width `width`,
/// as `textFontSize` in paint.ts.
fn text_font_size(width: f64) -> f64 {
    12.0 + width * 3.0
}

const TEXT_LINE_HEIGHT: f64 = 1.25;

/// A rectangle in board units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Bounds {
    fn union(self, other: Bounds) -> Bounds {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Bounds {
            x,
            y,
            w: (self.x + self.w).max(other.x + other.w) - x,
            h: (self.y + self.h).max(other.y + other.h) - y,
        }
    }

    fn from_corners(x0: f64, y0: f64, x1: f64, y1: f64) -> Bounds {
        Bounds {
            x: x0.min(x1),
            y: y0.min(y1),
            w: (x1 - x0).abs(),
            h: (y1 - y0).abs(),
        }
    }

    fn grow(self, by: f64) -> Bounds {
        Bounds {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }
}

/// Decoded pictures by media id.
pub type Pictures = HashMap<String, Pixmap>;

/// Returns the area a page shows: its elements and background, plus
/// [`MARGIN`], grown around its centre to at least the minimum size.
pub fn page_bounds(page: &BoardPage) -> Bounds {
    let mut content: Option<Bounds> = page.background.as_ref().map(|background| Bounds {
        x: -background.width / 2.0,
        y: -background.height / 2.0,
        w: background.width,
        h: background.height,
    });
    for element in &page.elements {
        let bounds = element_bounds(element);
        content = Some(match content {
            Some(content) => content.union(bounds),
            None => bounds,
        });
    }

    let Some(content) = content else {
        return Bounds {
            x: -MIN_WIDTH / 2.0,
            y: -MIN_HEIGHT / 2.0,
            w: MIN_WIDTH,
            h: MIN_HEIGHT,
        };
    };
    let mut bounds = content.grow(MARGIN);
    if bounds.w < MIN_WIDTH {
        bounds.x -= (MIN_WIDTH - bounds.w) / 2.0;
        bounds.w = MIN_WIDTH;
    }
    if bounds.h < MIN_HEIGHT {
        bounds.y -= (MIN_HEIGHT - bounds.h) / 2.0;
        bounds.h = MIN_HEIGHT;
    }
    bounds
}

/// Returns the box an element covers, ignoring rotation.
fn element_bounds(element: &Element) -> Bounds {
    let half_width = element.width / 2.0;
    match element.kind {
        ElementKind::Stroke | ElementKind::Highlighter => {
            let at = |point: &lectern_board::schema::Point| Bounds {
                x: element.x + point.x,
                y: element.y + point.y,
                w: 0.0,
                h: 0.0,
            };
            let Some((first, rest)) = element.points.split_first() else {
                return Bounds::from_corners(element.x, element.y, element.x, element.y);
            };
            rest.iter()
                .fold(at(first), |bounds, point| bounds.union(at(point)))
                .grow(half_width)
        }
        ElementKind::Line | ElementKind::Arrow => Bounds::from_corners(
            element.x,
            element.y,
            element.x + element.w,
            element.y + element.h,
        )
        .grow(half_width + element.width * 4.0 + 6.0),
        ElementKind::Rectangle | ElementKind::Ellipse => Bounds::from_corners(
            element.x,
            element.y,
            element.x + element.w,
            element.y + element.h,
        )
        .grow(half_width),
        ElementKind::Text | ElementKind::Image | ElementKind::Video => Bounds::from_corners(
            element.x,
            element.y,
            element.x + element.w,
            element.y + element.h,
        ),
    }
}

/// Paints `page` with `transform` mapping board units to pixels. The caller
/// fills the background first.
pub fn paint_page(
    pixmap: &mut Pixmap,
    page: &BoardPage,
    pictures: &Pictures,
    transform: Transform,
) {
    if let Some(background) = &page.background {
        let bounds = Bounds {
            x: -background.width / 2.0,
            y: -background.height / 2.0,
            w: background.width,
            h: background.height,
        };
        match pictures.get(&background.media) {
            Some(picture) => draw_picture(pixmap, picture.as_ref(), bounds, 1.0, transform),
            None => paint_frame(pixmap, bounds, false, transform),
        }
    }
    for element in &page.elements {
        paint_element(pixmap, element, pictures, transform);
    }
}

fn paint_element(pixmap: &mut Pixmap, element: &Element, pictures: &Pictures, page: Transform) {
    let [r, g, b] = element.color;
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, (element.opacity * 255.0).round() as u8);
    let stroke = Stroke {
        width: element.width as f32,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    let element_box = Bounds::from_corners(
        element.x,
        element.y,
        element.x + element.w,
        element.y + element.h,
    );
    let rotated = page.pre_concat(rotation_about_centre(element_box, element.rotation));

    match element.kind {
        // NOTE: strokes are drawn as polylines of constant width; the
        // browser's perfect-freehand outline thins with pressure and speed,
        // which this ignores.
        ElementKind::Stroke | ElementKind::Highlighter => {
            let Some((first, rest)) = element.points.split_first() else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.move_to((element.x + first.x) as f32, (element.y + first.y) as f32);
            if rest.is_empty() {
                // A single point still needs a segment for the round cap.
                builder.line_to(
                    (element.x + first.x + 0.01) as f32,
                    (element.y + first.y) as f32,
                );
            }
            for point in rest {
                builder.line_to((element.x + point.x) as f32, (element.y + point.y) as f32);
            }
            if let Some(path) = builder.finish() {
                pixmap.stroke_path(&path, &paint, &stroke, page, None);
            }
        }
        ElementKind::Line | ElementKind::Arrow => {
            let mut builder = PathBuilder::new();
            builder.move_to(element.x as f32, element.y as f32);
            builder.line_to(
                (element.x + element.w) as f32,
                (element.y + element.h) as f32,
            );
            if let Some(path) = builder.finish() {
                pixmap.stroke_path(&path, &paint, &stroke, page, None);
            }
            if element.kind == ElementKind::Arrow {
                paint_arrow_head(pixmap, element, &paint, page);
            }
        }
        ElementKind::Rectangle | ElementKind::Ellipse => {
            let Some(rect) = to_rect(element_box) else {
                return;
            };
            let path = if element.kind == ElementKind::Rectangle {
                Some(PathBuilder::from_rect(rect))
            } else {
                PathBuilder::from_oval(rect)
            };
            let Some(path) = path else { return };
            if let Some([fr, fg, fb]) = element.fill {
                let mut fill = paint.clone();
                fill.set_color_rgba8(fr, fg, fb, (element.opacity * 255.0).round() as u8);
                pixmap.fill_path(&path, &fill, FillRule::Winding, rotated, None);
            }
            if element.width > 0.0 {
                pixmap.stroke_path(&path, &paint, &stroke, rotated, None);
            }
        }
        ElementKind::Text => paint_text(pixmap, element, page),
        ElementKind::Image => match element.media.as_ref().and_then(|id| pictures.get(id)) {
            Some(picture) => draw_picture(
                pixmap,
                picture.as_ref(),
                element_box,
                element.opacity,
                rotated,
            ),
            None => paint_frame(pixmap, element_box, false, rotated),
        },
        ElementKind::Video => paint_frame(pixmap, element_box, true, rotated),
    }
}

/// Returns a rotation by `angle` radians about the centre of `bounds`.
fn rotation_about_centre(bounds: Bounds, angle: f64) -> Transform {
    if angle == 0.0 {
        return Transform::identity();
    }
    Transform::from_rotate_at(
        angle.to_degrees() as f32,
        (bounds.x + bounds.w / 2.0) as f32,
        (bounds.y + bounds.h / 2.0) as f32,
    )
}

fn to_rect(bounds: Bounds) -> Option<Rect> {
    Rect::from_xywh(
        bounds.x as f32,
        bounds.y as f32,
        bounds.w as f32,
        bounds.h as f32,
    )
}

/// Paints the filled triangle at the end of an arrow, sized as paint.ts does.
fn paint_arrow_head(pixmap: &mut Pixmap, element: &Element, paint: &Paint, page: Transform) {
    let length = element.w.hypot(element.h);
    if length == 0.0 {
        return;
    }
    let (ux, uy) = (element.w / length, element.h / length);
    let (tip_x, tip_y) = (element.x + element.w, element.y + element.h);
    let head_length = length.min(element.width * 4.0 + 6.0);
    let head_width = head_length * 0.6;

    let mut builder = PathBuilder::new();
    builder.move_to(tip_x as f32, tip_y as f32);
    builder.line_to(
        (tip_x - ux * head_length - uy * head_width) as f32,
        (tip_y - uy * head_length + ux * head_width) as f32,
    );
    builder.line_to(
        (tip_x - ux * head_length + uy * head_width) as f32,
        (tip_y - uy * head_length - ux * head_width) as f32,
    );
    builder.close();
    if let Some(path) = builder.finish() {
        pixmap.fill_path(&path, paint, FillRule::Winding, page, None);
    }
}

/// Draws `picture` stretched into `bounds`.
fn draw_picture(
    pixmap: &mut Pixmap,
    picture: PixmapRef,
    bounds: Bounds,
    opacity: f64,
    transform: Transform,
) {
    if picture.width() == 0 || picture.height() == 0 || bounds.w <= 0.0 || bounds.h <= 0.0 {
        return;
    }
    let placed = transform
        .pre_translate(bounds.x as f32, bounds.y as f32)
        .pre_scale(
            (bounds.w / f64::from(picture.width())) as f32,
            (bounds.h / f64::from(picture.height())) as f32,
        );
    let paint = PixmapPaint {
        opacity: opacity as f32,
        quality: tiny_skia::FilterQuality::Bilinear,
        ..PixmapPaint::default()
    };
    pixmap.draw_pixmap(0, 0, picture, &paint, placed, None);
}

/// Paints the frame of media that is not shown: a dark box with a play
/// triangle for a video, a grey crossed-out box for a missing picture.
fn paint_frame(pixmap: &mut Pixmap, bounds: Bounds, video: bool, transform: Transform) {
    let Some(rect) = to_rect(bounds) else { return };
    let path = PathBuilder::from_rect(rect);
    let mut fill = Paint::default();
    if video {
        fill.set_color_rgba8(0x11, 0x18, 0x27, 255);
    } else {
        fill.set_color_rgba8(0xf3, 0xf4, 0xf6, 255);
    }
    pixmap.fill_path(&path, &fill, FillRule::Winding, transform, None);

    let mut line = Paint::default();
    line.set_color_rgba8(0x6b, 0x72, 0x80, 255);
    let stroke = Stroke {
        width: 1.0,
        ..Stroke::default()
    };
    pixmap.stroke_path(&path, &line, &stroke, transform, None);

    let mut builder = PathBuilder::new();
    let (cx, cy) = (bounds.x + bounds.w / 2.0, bounds.y + bounds.h / 2.0);
    if video {
        let size = bounds.w.min(bounds.h) * 0.3;
        builder.move_to((cx - size * 0.4) as f32, (cy - size / 2.0) as f32);
        builder.line_to((cx + size * 0.6) as f32, cy as f32);
        builder.line_to((cx - size * 0.4) as f32, (cy + size / 2.0) as f32);
        builder.close();
        if let Some(triangle) = builder.finish() {
            let mut white = Paint::default();
            white.set_color(Color::WHITE);
            pixmap.fill_path(&triangle, &white, FillRule::Winding, transform, None);
        }
    } else {
        builder.move_to(rect.left(), rect.top());
        builder.line_to(rect.right(), rect.bottom());
        builder.move_to(rect.right(), rect.top());
        builder.line_to(rect.left(), rect.bottom());
        if let Some(cross) = builder.finish() {
            pixmap.stroke_path(&cross, &line, &stroke, transform, None);
        }
    }
}

/// Loads [`FONT_PATH`] once; `None` when it is missing or invalid.
fn font() -> Option<&'static FontVec> {
    static FONT: OnceLock<Option<FontVec>> = OnceLock::new();
    FONT.get_or_init(|| {
        let loaded = std::fs::read(FONT_PATH)
            .map_err(|error| error.to_string())
            .and_then(|bytes| FontVec::try_from_vec(bytes).map_err(|error| error.to_string()));
        match loaded {
            Ok(font) => Some(font),
            Err(error) => {
                tracing::warn!(
                    path = FONT_PATH,
                    "board export draws no text: cannot load the font: {error}; install fonts-dejavu-core"
                );
                None
            }
        }
    })
    .as_ref()
}

/// Paints a text element line by line from its top-left corner.
/// NOTE: the element's rotation is ignored for text, and glyphs missing
/// from DejaVu Sans show as its fallback glyph.
fn paint_text(pixmap: &mut Pixmap, element: &Element, page: Transform) {
    let Some(font) = font() else { return };
    // Text is drawn in pixels, so the page transform must be a scale and a
    // translation, which `render` guarantees.
    let scale = f64::from(page.sx);
    let size = text_font_size(element.width) * scale;
    if !(size.is_finite() && size > 0.5) {
        return;
    }
    let scaled = font.as_scaled(PxScale::from(size as f32));
    let left = f64::from(page.tx) + element.x.min(element.x + element.w) * scale;
    let top = f64::from(page.ty) + element.y.min(element.y + element.h) * scale;
    let [r, g, b] = element.color;
    let alpha = element.opacity as f32;
    let (width, height) = (pixmap.width() as i64, pixmap.height() as i64);
    let pixels = pixmap.pixels_mut();

    for (index, line) in element.text.split('\n').enumerate() {
        let baseline = top + index as f64 * size * TEXT_LINE_HEIGHT + f64::from(scaled.ascent());
        let mut caret = left as f32;
        let mut previous = None;
        for character in line.chars() {
            let id = scaled.glyph_id(character);
            if let Some(previous) = previous {
                caret += scaled.kern(previous, id);
            }
            let glyph = id.with_scale_and_position(scaled.scale, point(caret, baseline as f32));
            caret += scaled.h_advance(id);
            previous = Some(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let origin = outline.px_bounds().min;
            outline.draw(|gx, gy, coverage| {
                let x = origin.x as i64 + i64::from(gx);
                let y = origin.y as i64 + i64::from(gy);
                if x < 0 || y < 0 || x >= width || y >= height {
                    return;
                }
                let at = (y * width + x) as usize;
                pixels[at] = blend(pixels[at], [r, g, b], coverage * alpha);
            });
        }
    }
}

/// Draws colour `rgb` with `alpha` (0 to 1) over a premultiplied pixel.
fn blend(
    under: tiny_skia::PremultipliedColorU8,
    rgb: [u8; 3],
    alpha: f32,
) -> tiny_skia::PremultipliedColorU8 {
    let alpha = alpha.clamp(0.0, 1.0);
    let mix = |over: u8, under: u8| {
        (f32::from(over) * alpha + f32::from(under) * (1.0 - alpha)).round() as u8
    };
    let a = mix(255, under.alpha());
    let r = mix(rgb[0], under.red()).min(a);
    let g = mix(rgb[1], under.green()).min(a);
    let b = mix(rgb[2], under.blue()).min(a);
    tiny_skia::PremultipliedColorU8::from_rgba(r, g, b, a).unwrap_or(under)
}
