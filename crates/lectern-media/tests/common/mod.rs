//! Fixtures built in code: pictures from the `image` crate's encoders,
//! hand-built EXIF, XMP and PNG chunks, and a hand-written PDF.

#![allow(dead_code)] // each test file uses a different part

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// Draws a photo-like RGB picture: a gradient with a pattern, so it has
/// far more than 256 colours.
pub fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let wobble = ((x * 7 + y * 13) % 29) as u8;
        Rgb([
            (x * 255 / width.max(1)) as u8 ^ wobble,
            (y * 255 / height.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// Draws a picture whose left half is red and right half is blue.
pub fn red_left_blue_right(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

pub fn encode_png(picture: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    picture
        .write_with_encoder(PngEncoder::new(&mut bytes))
        .expect("encode PNG fixture");
    bytes
}

pub fn encode_jpeg(picture: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    picture
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
        .expect("encode JPEG fixture");
    bytes
}

pub fn encode_webp_lossless(picture: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    picture
        .write_with_encoder(WebPEncoder::new_lossless(&mut bytes))
        .expect("encode WebP fixture");
    bytes
}

/// Encodes a two-frame GIF: the first frame red, the second blue.
pub fn two_frame_gif(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        for color in [Rgba([255, 0, 0, 255]), Rgba([0, 0, 255, 255])] {
            let frame = Frame::from_parts(
                RgbaImage::from_pixel(width, height, color),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            );
            encoder.encode_frame(frame).expect("encode GIF frame");
        }
    }
    bytes
}

pub fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("output decodes")
}

pub fn guess_format(bytes: &[u8]) -> ImageFormat {
    image::guess_format(bytes).expect("output has a known format")
}

/// Inserts segments, each a marker byte and a payload, into a JPEG after
/// its JFIF APP0 segment (or after SOI when there is none).
pub fn insert_jpeg_segments(jpeg: &[u8], segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "fixture starts with SOI");
    let mut insert_at = 2;
    if jpeg[2..4] == [0xFF, 0xE0] {
        let length = u16::from_be_bytes([jpeg[4], jpeg[5]]) as usize;
        insert_at = 4 + length;
    }
    let mut output = jpeg[..insert_at].to_vec();
    for (marker, payload) in segments {
        let length = u16::try_from(payload.len() + 2).expect("segment fits in 64 KiB");
        output.extend_from_slice(&[0xFF, *marker]);
        output.extend_from_slice(&length.to_be_bytes());
        output.extend_from_slice(payload);
    }
    output.extend_from_slice(&jpeg[insert_at..]);
    output
}

/// Lists the markers of a JPEG's segments before the scan data (SOS).
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut position = 2;
    while position + 4 <= jpeg.len() {
        assert_eq!(
            jpeg[position], 0xFF,
            "segment starts with 0xFF at {position}"
        );
        let marker = jpeg[position + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let length = u16::from_be_bytes([jpeg[position + 2], jpeg[position + 3]]) as usize;
        position += 2 + length;
    }
    markers
}

/// Text planted in the EXIF fixture; none of it may reach an output.
pub const CAMERA_SERIAL: &str = "SN-4711-CAMERA-SERIAL";
pub const CAMERA_MAKE: &str = "LecternTestCam";
pub const XMP_MARKER: &str = "lectern-xmp-creator-secret";
pub const COMMENT_TEXT: &str = "lectern-jpeg-comment-secret";

/// An EXIF field for the TIFF builder: tag, type and value bytes.
struct Field {
    tag: u16,
    field_type: u16,
    count: u32,
    value: Vec<u8>,
}

const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

fn ascii(tag: u16, text: &str) -> Field {
    let mut value = text.as_bytes().to_vec();
    value.push(0);
    Field {
        tag,
        field_type: ASCII,
        count: value.len() as u32,
        value,
    }
}

/// Appends an IFD at the end of `tiff` and returns its offset. Values of
/// more than four bytes go after the IFD; `pointer_fields` lists tags whose
/// LONG value is patched later by the caller.
fn push_ifd(tiff: &mut Vec<u8>, fields: &[Field]) -> u32 {
    let start = tiff.len();
    let data_start = start + 2 + fields.len() * 12 + 4;
    let mut data = Vec::new();
    tiff.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    for field in fields {
        tiff.extend_from_slice(&field.tag.to_be_bytes());
        tiff.extend_from_slice(&field.field_type.to_be_bytes());
        tiff.extend_from_slice(&field.count.to_be_bytes());
        if field.value.len() <= 4 {
            let mut inline = field.value.clone();
            inline.resize(4, 0);
            tiff.extend_from_slice(&inline);
        } else {
            let offset = (data_start + data.len()) as u32;
            tiff.extend_from_slice(&offset.to_be_bytes());
            data.extend_from_slice(&field.value);
            if data.len() % 2 == 1 {
                data.push(0);
            }
        }
    }
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff.extend_from_slice(&data);
    start as u32
}

/// Builds an APP1 EXIF payload (`Exif\0\0` and a big-endian TIFF) with
/// an orientation, a camera make, a body serial number in the Exif IFD and
/// a GPS latitude in the GPS IFD.
pub fn exif_payload(orientation: u16) -> Vec<u8> {
    // The TIFF header, then the Exif and GPS IFDs, then IFD0 pointing to
    // both; IFD0's offset goes into the header last.
    let mut tiff = b"MM\0\x2a\0\0\0\0".to_vec();

    let exif_ifd = push_ifd(&mut tiff, &[ascii(0xA431, CAMERA_SERIAL)]);

    let mut latitude = Vec::new();
    for (numerator, denominator) in [(48u32, 1u32), (51, 1), (2958, 100)] {
        latitude.extend_from_slice(&numerator.to_be_bytes());
        latitude.extend_from_slice(&denominator.to_be_bytes());
    }
    let gps_ifd = push_ifd(
        &mut tiff,
        &[
            ascii(0x0001, "N"),
            Field {
                tag: 0x0002,
                field_type: RATIONAL,
                count: 3,
                value: latitude,
            },
        ],
    );

    let mut orientation_value = orientation.to_be_bytes().to_vec();
    orientation_value.resize(4, 0);
    let ifd0 = push_ifd(
        &mut tiff,
        &[
            ascii(0x010F, CAMERA_MAKE),
            Field {
                tag: 0x0112,
                field_type: SHORT,
                count: 1,
                value: orientation_value,
            },
            Field {
                tag: 0x8769,
                field_type: LONG,
                count: 1,
                value: exif_ifd.to_be_bytes().to_vec(),
            },
            Field {
                tag: 0x8825,
                field_type: LONG,
                count: 1,
                value: gps_ifd.to_be_bytes().to_vec(),
            },
        ],
    );
    tiff[4..8].copy_from_slice(&ifd0.to_be_bytes());

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    payload
}

/// Builds an APP1 XMP payload naming a creator.
pub fn xmp_payload() -> Vec<u8> {
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(
        format!(
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             <rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"{XMP_MARKER}\"/>\
             </rdf:RDF></x:xmpmeta>"
        )
        .as_bytes(),
    );
    payload
}

/// Encodes a JPEG photo carrying EXIF (with the given orientation, GPS and a
/// serial number), XMP and a comment.
pub fn jpeg_with_metadata(picture: &RgbImage, orientation: u16) -> Vec<u8> {
    insert_jpeg_segments(
        &encode_jpeg(picture),
        &[
            (0xE1, exif_payload(orientation)),
            (0xE1, xmp_payload()),
            (0xFE, COMMENT_TEXT.as_bytes().to_vec()),
        ],
    )
}

/// CRC-32 (ISO 3309, as PNG uses it), bit by bit.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Builds a PNG chunk with its length and CRC.
pub fn png_chunk(chunk_type: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(chunk_type);
    chunk.extend_from_slice(data);
    let mut checked = chunk_type.to_vec();
    checked.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&checked).to_be_bytes());
    chunk
}

/// Inserts chunks into a PNG right after its IHDR chunk.
pub fn insert_png_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let after_ihdr = 8 + 4 + 4 + 13 + 4;
    let mut output = png[..after_ihdr].to_vec();
    for chunk in chunks {
        output.extend_from_slice(chunk);
    }
    output.extend_from_slice(&png[after_ihdr..]);
    output
}

/// Builds a PNG signature and a valid IHDR declaring the given size (8-bit RGBA),
/// followed by an empty IDAT and IEND: a header with no pixel data.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    png.extend_from_slice(&png_chunk(b"IDAT", &[]));
    png.extend_from_slice(&png_chunk(b"IEND", &[]));
    png
}

/// Writes a PDF by hand: one page per content stream, each 400x300 points,
/// with a correct cross-reference table.
pub fn pdf_with_pages(contents: &[&str]) -> Vec<u8> {
    assemble_pdf(&page_objects(contents), "")
}

/// Writes a one-page PDF whose trailer names a standard security handler
/// (RC4, 128-bit) with made-up `/O` and `/U` entries, so that no password,
/// the empty one included, opens it.
pub fn encrypted_pdf() -> Vec<u8> {
    let mut objects = page_objects(&[RED_RECTANGLE]);
    let encrypt_number = objects.len() + 1;
    objects.push(format!(
        "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <{}> /U <{}> >>",
        "4f".repeat(32),
        "55".repeat(32)
    ));
    let id = "0123456789abcdef0123456789abcdef";
    assemble_pdf(
        &objects,
        &format!(" /Encrypt {encrypt_number} 0 R /ID [<{id}> <{id}>]"),
    )
}

/// Lists the objects of a PDF with one page per content stream: 1 the
/// catalog, 2 the page tree, then a page and its content stream for each
/// page.
fn page_objects(contents: &[&str]) -> Vec<String> {
    let page_count = contents.len();
    let mut objects = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..page_count)
        .map(|index| format!("{} 0 R", 3 + 2 * index))
        .collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {page_count} >>",
        kids.join(" ")
    ));
    for (index, content) in contents.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents {} 0 R >>",
            4 + 2 * index
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    objects
}

/// Writes numbered objects, a cross-reference table and a trailer with
/// `/Size`, `/Root 1 0 R` and `trailer_extra`.
fn assemble_pdf(objects: &[String], trailer_extra: &str) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref_offset = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
    pdf.extend_from_slice(b"0000000000 65535 f \n");
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref_offset}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Content streams that fill the middle of a 400x300 page with red and
/// with blue.
pub const RED_RECTANGLE: &str = "1 0 0 rg 100 75 200 150 re f";
pub const BLUE_RECTANGLE: &str = "0 0 1 rg 100 75 200 150 re f";

/// Encodes a picture of the given format into memory, for kinds the other
/// helpers do not cover.
pub fn encode_as(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, format)
        .expect("encode fixture");
    bytes.into_inner()
}

/// Corrupts every Huffman table of a JPEG in place: all of a table's codes
/// are declared 1 bit long, which no prefix code allows for more than two
/// codes. The segment lengths and symbol values stay as they were, so only
/// the Huffman decoding can find the fault.
pub fn jpeg_with_overfull_huffman_tables(jpeg: &[u8]) -> Vec<u8> {
    let mut corrupt = jpeg.to_vec();
    let mut tables = 0;
    let mut position = 2;
    while position + 4 <= corrupt.len() && corrupt[position + 1] != 0xDA {
        let marker = corrupt[position + 1];
        let length = u16::from_be_bytes([corrupt[position + 2], corrupt[position + 3]]) as usize;
        let end = position + 2 + length;
        if marker == 0xC4 {
            // A DHT segment holds tables of: a class and id byte, 16 counts
            // of codes per length from 1 to 16 bits, then the symbols.
            let mut table = position + 4;
            while table < end {
                let counts = &mut corrupt[table + 1..table + 17];
                let symbols: usize = counts.iter().map(|&count| usize::from(count)).sum();
                assert!(
                    symbols > 2,
                    "a table of {symbols} codes cannot be made overfull"
                );
                counts.fill(0);
                counts[0] = u8::try_from(symbols).expect("at most 256 symbols");
                table += 17 + symbols;
                tables += 1;
            }
        }
        position = end;
    }
    assert!(tables > 0, "the JPEG has no Huffman table");
    corrupt
}
