//! The picture pipeline: orientation, metadata removal, output formats and
//! the display and thumbnail versions.

mod common;

use image::{DynamicImage, GenericImageView, ImageFormat, Rgba, RgbaImage};
use lectern_media::{
    EncodedImage, MediaKind, MediaLimits, OutputFormat, ProcessedImage, ProcessedMedia,
    process_image, process_upload,
};

fn process(bytes: &[u8], kind: MediaKind) -> ProcessedImage {
    process_image(bytes, kind, &MediaLimits::default()).expect("picture is accepted")
}

fn versions(processed: &ProcessedImage) -> [(&'static str, &EncodedImage); 3] {
    [
        ("original", &processed.original),
        ("display", &processed.display),
        ("thumbnail", &processed.thumbnail),
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn assert_color_near(picture: &DynamicImage, x: u32, y: u32, expected: [u8; 3]) {
    let actual = picture.get_pixel(x, y).0;
    for channel in 0..3 {
        let difference = actual[channel].abs_diff(expected[channel]);
        assert!(
            difference <= 40,
            "pixel ({x}, {y}) is {actual:?}, expected about {expected:?}"
        );
    }
}

#[test]
fn exif_orientation_six_rotates() {
    // The stored picture is 64 wide and 32 tall. Orientation 6 means
    // "rotate 90° clockwise to display", so the upright picture is 32 wide
    // and 64 tall, with the stored left (red) half on top.
    let bytes = common::jpeg_with_metadata(&common::red_left_blue_right(64, 32), 6);
    let processed = process(&bytes, MediaKind::Jpeg);

    assert_eq!((processed.width, processed.height), (32, 64));
    let original = common::decode(&processed.original.bytes);
    assert_eq!(original.dimensions(), (32, 64));
    assert_color_near(&original, 16, 8, [255, 0, 0]);
    assert_color_near(&original, 16, 56, [0, 0, 255]);
}

#[test]
fn exif_orientation_one_keeps_layout() {
    let bytes = common::jpeg_with_metadata(&common::red_left_blue_right(64, 32), 1);
    let processed = process(&bytes, MediaKind::Jpeg);
    assert_eq!((processed.width, processed.height), (64, 32));
}

#[test]
fn jpeg_metadata_is_stripped() {
    let bytes = common::jpeg_with_metadata(&common::photo(300, 200), 1);
    // The fixture does carry what must disappear.
    assert!(contains(&bytes, common::CAMERA_SERIAL.as_bytes()));
    assert!(contains(&bytes, b"Exif\0\0"));

    let processed = process(&bytes, MediaKind::Jpeg);
    let secrets: [&[u8]; 6] = [
        common::CAMERA_SERIAL.as_bytes(),
        common::CAMERA_MAKE.as_bytes(),
        common::XMP_MARKER.as_bytes(),
        common::COMMENT_TEXT.as_bytes(),
        b"Exif\0\0",
        b"http://ns.adobe.com/xap/1.0/",
    ];
    for (name, version) in versions(&processed) {
        assert_eq!(version.format, OutputFormat::Jpeg, "{name} of a photo");
        for secret in secrets {
            assert!(
                !contains(&version.bytes, secret),
                "{name} contains {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        let markers = common::jpeg_markers(&version.bytes);
        assert!(
            !markers.contains(&0xE1),
            "{name} has an APP1 segment: {markers:x?}"
        );
        assert!(
            !markers.contains(&0xFE),
            "{name} has a comment segment: {markers:x?}"
        );
    }
}

#[test]
fn gps_latitude_is_gone() {
    // The GPS IFD's latitude rational 2958/100, as stored big-endian.
    let mut latitude = 2958u32.to_be_bytes().to_vec();
    latitude.extend_from_slice(&100u32.to_be_bytes());
    let bytes = common::jpeg_with_metadata(&common::photo(120, 80), 1);
    assert!(contains(&bytes, &latitude));

    let processed = process(&bytes, MediaKind::Jpeg);
    for (name, version) in versions(&processed) {
        assert!(
            !contains(&version.bytes, &latitude),
            "{name} has the GPS latitude"
        );
    }
}

#[test]
fn png_text_chunks_are_stripped() {
    let png = common::encode_png(&DynamicImage::ImageRgb8(common::photo(40, 30)));
    let text = common::png_chunk(b"tEXt", b"Author\0lectern-png-author-secret");
    let bytes = common::insert_png_chunks(&png, &[text]);

    let processed = process(&bytes, MediaKind::Png);
    for (name, version) in versions(&processed) {
        assert!(
            !contains(&version.bytes, b"lectern-png-author-secret"),
            "{name}"
        );
        assert!(!contains(&version.bytes, b"tEXt"), "{name}");
    }
}

#[test]
fn display_fits_max_edge() {
    let bytes = common::encode_jpeg(&common::photo(3000, 1500));
    let processed = process(&bytes, MediaKind::Jpeg);

    assert_eq!((processed.width, processed.height), (3000, 1500));
    assert_eq!(
        (processed.original.width, processed.original.height),
        (3000, 1500)
    );
    assert_eq!(
        (processed.display.width, processed.display.height),
        (2048, 1024)
    );
    assert_eq!(
        (processed.thumbnail.width, processed.thumbnail.height),
        (256, 128)
    );
    assert_eq!(
        common::decode(&processed.display.bytes).dimensions(),
        (2048, 1024)
    );
    assert_eq!(
        common::decode(&processed.thumbnail.bytes).dimensions(),
        (256, 128)
    );
}

#[test]
fn portrait_keeps_aspect_ratio() {
    let limits = MediaLimits {
        display_max_edge: 100,
        thumbnail_max_edge: 20,
        ..MediaLimits::default()
    };
    let bytes = common::encode_jpeg(&common::photo(300, 600));
    let processed = process_image(&bytes, MediaKind::Jpeg, &limits).expect("accepted");

    assert_eq!(
        (processed.display.width, processed.display.height),
        (50, 100)
    );
    assert_eq!(
        (processed.thumbnail.width, processed.thumbnail.height),
        (10, 20)
    );
}

#[test]
fn small_picture_is_not_upscaled() {
    let bytes = common::encode_jpeg(&common::photo(100, 80));
    let processed = process(&bytes, MediaKind::Jpeg);

    assert_eq!(
        (processed.display.width, processed.display.height),
        (100, 80)
    );
    assert_eq!(
        (processed.thumbnail.width, processed.thumbnail.height),
        (100, 80)
    );
    assert_eq!(processed.display, processed.original);
}

#[test]
fn gif_yields_first_frame() {
    let bytes = common::two_frame_gif(20, 10);
    let processed = process(&bytes, MediaKind::Gif);

    assert_eq!((processed.width, processed.height), (20, 10));
    assert_eq!(
        processed.original.format,
        OutputFormat::Png,
        "a palette picture"
    );
    let original = common::decode(&processed.original.bytes);
    assert_eq!(
        original.get_pixel(10, 5).0[..3],
        [255, 0, 0],
        "first frame is red"
    );
}

#[test]
fn webp_is_decoded_and_reencoded() {
    let picture = RgbaImage::from_fn(50, 40, |x, y| {
        Rgba([(x * 5) as u8, (y * 6) as u8, ((x * y) % 256) as u8, 255])
    });
    let bytes = common::encode_webp_lossless(&picture);
    let processed = process(&bytes, MediaKind::WebP);

    assert_eq!((processed.width, processed.height), (50, 40));
    assert_eq!(
        processed.original.format,
        OutputFormat::Jpeg,
        "opaque with many colours"
    );
    assert_eq!(
        common::guess_format(&processed.original.bytes),
        ImageFormat::Jpeg
    );
}

#[test]
fn transparency_is_kept_as_png() {
    let picture = RgbaImage::from_fn(600, 300, |x, y| {
        let alpha = if x < 300 { 0 } else { 255 };
        Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            ((x + y) % 256) as u8,
            alpha,
        ])
    });
    let bytes = common::encode_png(&DynamicImage::ImageRgba8(picture));
    let limits = MediaLimits {
        display_max_edge: 200,
        thumbnail_max_edge: 50,
        ..MediaLimits::default()
    };
    let processed = process_image(&bytes, MediaKind::Png, &limits).expect("accepted");

    for (name, version) in versions(&processed) {
        assert_eq!(version.format, OutputFormat::Png, "{name}");
        let decoded = common::decode(&version.bytes);
        assert!(decoded.color().has_alpha(), "{name} keeps an alpha channel");
        assert_eq!(
            decoded.get_pixel(1, 1).0[3],
            0,
            "{name}: left is transparent"
        );
        let right = decoded.width() - 2;
        assert_eq!(
            decoded.get_pixel(right, 1).0[3],
            255,
            "{name}: right is opaque"
        );
    }
}

#[test]
fn opaque_alpha_channel_allows_jpeg() {
    let picture =
        DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(common::photo(64, 64)).to_rgba8());
    let bytes = common::encode_png(&picture);
    let processed = process(&bytes, MediaKind::Png);
    assert_eq!(processed.original.format, OutputFormat::Jpeg);
}

#[test]
fn diagram_stays_png() {
    let bytes = common::encode_png(&DynamicImage::ImageRgb8(common::red_left_blue_right(
        80, 60,
    )));
    let processed = process(&bytes, MediaKind::Png);
    for (name, version) in versions(&processed) {
        assert_eq!(version.format, OutputFormat::Png, "{name}");
        assert_eq!(
            common::guess_format(&version.bytes),
            ImageFormat::Png,
            "{name}"
        );
    }
}

#[test]
fn process_upload_reports_picture() {
    let bytes = common::encode_jpeg(&common::photo(30, 20));
    let processed = process_upload(&bytes, &MediaLimits::default()).expect("accepted");

    assert_eq!(processed.kind(), MediaKind::Jpeg);
    assert_eq!(processed.dimensions(), Some((30, 20)));
    assert!(matches!(processed, ProcessedMedia::Image { .. }));
}

#[test]
fn output_mime_types_match_format() {
    assert_eq!(OutputFormat::Png.mime_type(), "image/png");
    assert_eq!(OutputFormat::Jpeg.mime_type(), "image/jpeg");
    assert_eq!(OutputFormat::Jpeg.extension(), "jpg");
}
